#include "lock/queue_entry.h"

#include <utility>

#include "lock/requests.h"

namespace etcetera::lock {

namespace {

using State = QueueEntry::State;

bool in_line(State s) {
  return s == State::kEnqueuing || s == State::kChecking || s == State::kWaiting;
}

std::string at(kv::Revision revision) {
  return " (created at " + std::to_string(revision) + ")";
}

}  // namespace

QueueEntry::QueueEntry(KvPort& port, std::string prefix, kv::LeaseId lease, Mutant mutant)
    : port_(port),
      prefix_(std::move(prefix)),
      key_(queue_key(prefix_, lease)),
      lease_(lease),
      mutant_(mutant) {}

QueueEntry::~QueueEntry() {
  stop_watching();
  if (state_ == State::kChecking || state_ == State::kWaiting) {
    port_.submit(as_request(delete_if_created_at(key_, create_revision_)),
                 [](const kv::pb::Response&) {});
  }
}

template <class Message>
auto QueueEntry::current(void (QueueEntry::*handler)(const Message&)) {
  return lifetime_.guard([this, handler, epoch = ++epoch_](const Message& message) {
    if (epoch == epoch_) (this->*handler)(message);
  });
}

void QueueEntry::submit(etcdserverpb::TxnRequest txn,
                        void (QueueEntry::*handler)(const kv::pb::Response&)) {
  port_.submit(as_request(std::move(txn)), current(handler));
}

Result<void> QueueEntry::enter(std::string value, std::optional<std::int64_t> patience,
                               OnTurn on_turn) {
  if (in_line(state_) || state_ == State::kAcquired || state_ == State::kReleasing ||
      state_ == State::kGivingUp) {
    return fail(Error::Code::kBusy, key_ + " is " + state_name(state_) + " already");
  }
  if (patience && *patience <= 0) {
    return fail(Error::Code::kInvalidArgument, "a timeout must be at least one tick");
  }
  create_revision_ = 0;
  ahead_.reset();
  patience_ = patience;
  patience_given_ = patience.value_or(0);
  give_up_after_enqueue_ = false;
  on_turn_ = std::move(on_turn);
  state_ = State::kEnqueuing;
  submit(enqueue(key_, value, lease_), &QueueEntry::on_enqueued);
  return {};
}

void QueueEntry::on_enqueued(const kv::pb::Response& response) {
  auto txn = txn_response(response);
  if (!txn) {
    Error error = txn.error();
    if (error.code == Error::Code::kLeaseNotFound) {
      error.message += "; " + key_ + " needs a live lease: grant one, keep it alive, use its ID";
    }
    return finish(State::kFailed, std::unexpected(std::move(error)));
  }
  if (txn->succeeded()) {
    create_revision_ = txn->header().revision();
  } else {
    // The lease is in this queue already: it keeps the place it has.
    const auto& kvs = txn->responses(0).response_range().kvs();
    if (kvs.empty()) {
      return finish(State::kFailed,
                    fail(Error::Code::kStore, "the enqueue txn found " + key_ + " and read none"));
    }
    create_revision_ = kvs[0].create_revision();
  }
  if (give_up_after_enqueue_) return give_up();
  check();
}

void QueueEntry::check() {
  state_ = State::kChecking;
  ahead_.reset();
  submit(check_place(key_, prefix_, create_revision_), &QueueEntry::on_checked);
}

void QueueEntry::on_checked(const kv::pb::Response& response) {
  auto txn = txn_response(response);
  if (!txn) return finish(State::kFailed, std::unexpected(txn.error()));
  // Our key can vanish while we wait: its lease expired or was revoked, and
  // the store deleted it. Then we are in no queue at all, and the next
  // waiter may be taking the lock right now. The mutant does not look.
  const auto& own = txn->responses(0).response_range().kvs();
  const bool still_ours = !own.empty() && own[0].create_revision() == create_revision_;
  if (!still_ours && mutant_ != Mutant::kGrantWithoutLeaseCheck) {
    return finish(State::kFailed,
                  fail(Error::Code::kSessionExpired,
                       key_ + at(create_revision_) + " is gone: lease " + std::to_string(lease_) +
                           " expired or was revoked while it waited; grant a new lease and "
                           "lock again"));
  }
  const auto& ahead = txn->responses(1).response_range().kvs();
  if (ahead.empty()) {
    return finish(State::kAcquired, Turn{key_, create_revision_, txn->header()});
  }
  wait_for(ahead[0], txn->header().revision());
}

void QueueEntry::wait_for(const mvccpb::KeyValue& ahead, kv::Revision read_at) {
  ahead_ = Ahead{ahead.key(), ahead.create_revision()};
  state_ = State::kWaiting;
  watch_id_ = port_.watch(watch_delete(ahead.key(), read_at), current(&QueueEntry::on_watch));
}

void QueueEntry::on_watch(const etcdserverpb::WatchResponse& response) {
  if (response.canceled()) {
    // Compacted past our start, or dropped by the port: look again.
    watch_id_.reset();
    return check();
  }
  for (const auto& event : response.events()) {
    if (event.type() == mvccpb::Event::DELETE) {
      stop_watching();
      return check();
    }
  }
}

void QueueEntry::stop_watching() {
  if (!watch_id_) return;
  port_.cancel_watch(*watch_id_);
  watch_id_.reset();
}

void QueueEntry::tick() {
  if (!patience_ || !in_line(state_)) return;
  if (--*patience_ > 0) return;
  patience_.reset();
  // With the put still in flight we do not know our place yet; the delete
  // must come after the put, so it waits for the put's answer.
  if (state_ == State::kEnqueuing) {
    give_up_after_enqueue_ = true;
    return;
  }
  give_up();
}

void QueueEntry::cancel() {
  if (!in_line(state_)) return;
  on_turn_ = nullptr;  // nobody is left to hear the turn, or the timeout
  patience_.reset();
  if (state_ == State::kEnqueuing) {
    give_up_after_enqueue_ = true;
    return;
  }
  give_up();
}

void QueueEntry::give_up() {
  stop_watching();
  state_ = State::kGivingUp;
  submit(delete_if_created_at(key_, create_revision_), &QueueEntry::on_gave_up);
}

void QueueEntry::on_gave_up(const kv::pb::Response& response) {
  auto txn = txn_response(response);
  if (!txn) return finish(State::kFailed, std::unexpected(txn.error()));
  finish(State::kGaveUp, fail(Error::Code::kTimedOut, "no turn for " + key_ + " within " +
                                                          std::to_string(patience_given_) +
                                                          " ticks; it has left the queue"));
}

Result<void> QueueEntry::leave(OnLeft on_left) {
  if (state_ != State::kAcquired) {
    return fail(Error::Code::kNotHolder, key_ + " is " + state_name(state_) + ", not holding");
  }
  on_left_ = std::move(on_left);
  state_ = State::kReleasing;
  submit(delete_if_created_at(key_, create_revision_), &QueueEntry::on_released);
  return {};
}

void QueueEntry::on_released(const kv::pb::Response& response) {
  auto txn = txn_response(response);
  Result<etcdserverpb::ResponseHeader> outcome;
  if (!txn) {
    state_ = State::kFailed;
    outcome = std::unexpected(txn.error());
  } else {
    state_ = State::kReleased;
    outcome = txn->header();
    if (!txn->succeeded()) {
      outcome = fail(Error::Code::kSessionExpired,
                     key_ + at(create_revision_) + " was gone before it was released: lease " +
                         std::to_string(lease_) +
                         " ended while it was held, so another client may have held it since");
    }
  }
  auto done = std::move(on_left_);
  on_left_ = nullptr;
  if (done) done(std::move(outcome));  // last: `done` may destroy this entry
}

void QueueEntry::lost() {
  if (state_ == State::kAcquired) state_ = State::kFailed;
}

void QueueEntry::finish(State state, Result<Turn> outcome) {
  state_ = state;
  ahead_.reset();
  auto done = std::move(on_turn_);
  on_turn_ = nullptr;
  if (done) done(std::move(outcome));  // last: `done` may destroy this entry
}

std::string QueueEntry::describe() const {
  std::string out = key_;
  if (create_revision_ > 0) out += at(create_revision_);
  out += ": ";
  out += state_name(state_);
  if (ahead_) out += " for " + ahead_->key + at(ahead_->create_revision);
  return out;
}

const char* state_name(QueueEntry::State state) {
  switch (state) {
    case State::kIdle:
      return "idle";
    case State::kEnqueuing:
      return "enqueuing";
    case State::kChecking:
      return "checking";
    case State::kWaiting:
      return "waiting";
    case State::kAcquired:
      return "acquired";
    case State::kReleasing:
      return "releasing";
    case State::kReleased:
      return "released";
    case State::kGivingUp:
      return "giving up";
    case State::kGaveUp:
      return "gave up";
    case State::kFailed:
      return "failed";
  }
  return "unknown";
}

}  // namespace etcetera::lock
