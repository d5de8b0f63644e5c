#include "raft/describe.h"

#include <algorithm>
#include <cctype>
#include <cstdio>

#include "raft/configuration.h"
#include "raft/types.h"

namespace etcetera::raft {
namespace {

std::string pascal_case(const std::string& upper_snake) {
  std::string out;
  bool up = true;
  for (char c : upper_snake) {
    if (c == '_') {
      up = true;
      continue;
    }
    out += up ? c : static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    up = false;
  }
  return out;
}

std::string n(std::uint64_t v) {
  return std::to_string(v);
}

// An entry's command as text when it is text (the scripts' "x=1"); an
// encoded request (the key-value store's protobuf) by its size, so that
// binary never reaches a terminal, a DOT label or a JSON string.
std::string data_text(const std::string& data) {
  const bool printable = std::ranges::all_of(data, [](char c) {
    const auto u = static_cast<unsigned char>(c);
    return u >= 0x20 && u < 0x7f;
  });
  return printable ? data : "(" + n(data.size()) + " bytes)";
}

std::string client_text(std::uint64_t client) {
  return "client " + n(client);
}

std::string entries_text(const google::protobuf::RepeatedPtrField<pb::Entry>& entries) {
  std::string out = "[";
  for (const auto& e : entries)
    out += (out.size() > 1 ? " " : "") + describe(e);
  return out + "]";
}

std::string quoted(const std::string& s) {
  return "'" + s + "'";
}

std::string message_fields(const pb::Message& m) {
  std::string ctx = m.context().empty() ? "" : " ctx=" + quoted(m.context());
  switch (m.type()) {
    case pb::REQUEST_VOTE_REQUEST:
    case pb::PRE_VOTE_REQUEST:
      return " last=" + n(m.index()) + "/" + n(m.log_term()) +
             (m.leadership_transfer() ? " transfer" : "");
    case pb::INSTALL_SNAPSHOT_REQUEST: {
      const auto& meta = m.snapshot().metadata();
      return " snapshot=" + n(meta.index()) + "/" + n(meta.term()) + " " +
             Configuration::from_conf_state(meta.conf_state()).describe();
    }
    case pb::REQUEST_VOTE_RESPONSE:
    case pb::PRE_VOTE_RESPONSE:
      return m.reject() ? " rejected" : " granted";
    case pb::APPEND_ENTRIES_REQUEST:
      return " prev=" + n(m.index()) + "/" + n(m.log_term()) +
             " entries=" + entries_text(m.entries()) + " commit=" + n(m.commit());
    case pb::APPEND_ENTRIES_RESPONSE:
      if (!m.reject()) return " match=" + n(m.index());
      return " reject=" + n(m.index()) + " hint=" + n(m.conflict_index()) + "/" +
             n(m.conflict_term());
    case pb::HEARTBEAT_REQUEST:
      return " commit=" + n(m.commit()) + ctx;
    case pb::HEARTBEAT_RESPONSE:
      return ctx;
    case pb::READ_INDEX_REQUEST:
      return ctx;
    case pb::READ_INDEX_RESPONSE:
      return (m.reject() ? " rejected" : " index=" + n(m.index())) + ctx;
    default:
      return "";
  }
}

std::string terms_text(const pb::EntriesAppended& a) {
  std::string out;
  Index i = a.first_index();
  for (std::uint64_t t : a.terms())
    out += (out.empty() ? "" : " ") + n(i++) + "/" + n(t);
  return out;
}

std::string event_text(const pb::Event& e) {
  switch (e.kind_case()) {
    case pb::Event::kRoleChanged:
      return "role " + role_name(e.role_changed().from()) + " -> " +
             role_name(e.role_changed().to());
    case pb::Event::kTermChanged:
      return "term " + n(e.term_changed().from()) + " -> " + n(e.term_changed().to());
    case pb::Event::kVoteCast:
      return std::string(e.vote_cast().pre_vote() ? "pre-vote for " : "vote for ") +
             n(e.vote_cast().candidate());
    case pb::Event::kStarted:
      return "started at term " + n(e.state().term()) + " vote " + n(e.state().vote()) + " last " +
             n(e.state().last_index()) + "/" + n(e.state().last_term()) + " commit " +
             n(e.state().commit());
    case pb::Event::kVoteRejected:
      return std::string(e.vote_rejected().pre_vote() ? "reject pre-vote for "
                                                      : "reject vote for ") +
             n(e.vote_rejected().candidate()) + ": " + e.vote_rejected().reason();
    case pb::Event::kSnapshotRestored:
      return "restored snapshot " + n(e.snapshot_restored().index()) + "/" +
             n(e.snapshot_restored().term()) + " " +
             Configuration::from_conf_state(e.snapshot_restored().conf_state()).describe();
    case pb::Event::kConfChanged:
      return "configuration at " + n(e.conf_changed().index()) + " (" +
             describe(e.conf_changed().change()) +
             "): " + Configuration::from_conf_state(e.conf_changed().conf_state()).describe();
    case pb::Event::kTransferStarted:
      return "transfer leadership to " + n(e.transfer_started().target());
    case pb::Event::kTransferEnded:
      return "transfer to " + n(e.transfer_ended().target()) +
             (e.transfer_ended().handed_over() ? " handed over: " : " abandoned: ") +
             e.transfer_ended().reason();
    case pb::Event::kLeaderChanged:
      return "leader " + n(e.leader_changed().leader());
    case pb::Event::kMessageSent:
      return std::string(e.message_sent().after_persist() ? "send after persist " : "send ") +
             describe(e.message_sent().message());
    case pb::Event::kMessageReceived:
      return "receive " + describe(e.message_received().message());
    case pb::Event::kEntriesAppended: {
      const auto& a = e.entries_appended();
      std::string cut = a.truncated_from() ? " (removed from " + n(a.truncated_from()) + ")" : "";
      return "log " + terms_text(a) + cut;
    }
    case pb::Event::kLogCompacted:
      return "log compacted through " + n(e.log_compacted().index()) + "/" +
             n(e.log_compacted().term());
    case pb::Event::kCommitAdvanced:
      return "commit " + n(e.commit_advanced().from()) + " -> " + n(e.commit_advanced().to());
    case pb::Event::kEntriesApplied:
      return "applied " + n(e.entries_applied().from()) + ".." + n(e.entries_applied().to());
    case pb::Event::kEntriesPersisted:
      return "persisted through " + n(e.entries_persisted().through_index()) + "/" +
             n(e.entries_persisted().through_term());
    case pb::Event::kProposalAccepted:
      return "proposal at " + n(e.proposal_accepted().index());
    case pb::Event::kReadIndexRequested: {
      const auto& r = e.read_index_requested();
      return "read " + quoted(r.context()) +
             (r.index() ? " at index " + n(r.index()) : " forwarded");
    }
    case pb::Event::kReadIndexReleased:
      return "read " + quoted(e.read_index_released().context()) + " ready at index " +
             n(e.read_index_released().index());
    case pb::Event::kInputRefused: {
      const auto& r = e.input_refused();
      return "refused " + r.input() + ": " + r.reason();
    }
    case pb::Event::kNodeCrashed:
      return "crashed";
    case pb::Event::kNetworkPartitioned: {
      std::string out = "partitioned:";
      for (const auto& g : e.network_partitioned().groups()) {
        std::string members;
        for (std::uint64_t id : g.nodes())
          members += (members.empty() ? "" : ",") + n(id);
        out += " {" + members + "}";
      }
      return out;
    }
    case pb::Event::kNetworkHealed:
      return "network healed";
    case pb::Event::kMessageLost:
      return "lost " + describe(e.message_lost().message()) + " (" + e.message_lost().cause() + ")";
    case pb::Event::kMessageDuplicated:
      return "duplicated " + describe(e.message_duplicated().message());
    case pb::Event::kNote:
      return e.note().text();
    case pb::Event::kLockEnqueued: {
      const auto& q = e.lock_enqueued();
      return client_text(q.client()) + " enqueues " + q.key() + " on lock " + q.lock() +
             " (create revision " + n(static_cast<std::uint64_t>(q.revision())) + ", lease " +
             lease_hex(q.lease()) + ")";
    }
    case pb::Event::kLockDequeued: {
      const auto& q = e.lock_dequeued();
      return q.key() + " (" + client_text(q.client()) + ", revision " +
             n(static_cast<std::uint64_t>(q.revision())) + ") leaves the queue of " + q.lock() +
             ": " + q.cause();
    }
    case pb::Event::kLockAcquired:
      return client_text(e.lock_acquired().client()) + " believes it holds " +
             e.lock_acquired().lock() + ", fencing token " +
             n(static_cast<std::uint64_t>(e.lock_acquired().token()));
    case pb::Event::kLockReleased:
      return client_text(e.lock_released().client()) + " stops believing it holds " +
             e.lock_released().lock() + " (token " +
             n(static_cast<std::uint64_t>(e.lock_released().token())) +
             "): " + e.lock_released().reason();
    case pb::Event::kLeaseEnded:
      return client_text(e.lease_ended().client()) + "'s lease " +
             lease_hex(e.lease_ended().lease()) + " is gone: expired and revoked, its keys deleted";
    case pb::Event::kClientPaused:
      return client_text(e.client_paused().client()) +
             " pauses (stop the world) until t=" + n(e.client_paused().until());
    case pb::Event::kClientResumed:
      return client_text(e.client_resumed().client()) +
             " runs again, still believing what it believed";
    case pb::Event::kResourceWritten: {
      const auto& w = e.resource_written();
      const std::string token = n(static_cast<std::uint64_t>(w.token()));
      const std::string highest = n(static_cast<std::uint64_t>(w.highest()));
      return "the resource " + std::string(w.accepted() ? "accepts " : "REFUSES ") +
             client_text(w.client()) + "'s write with token " + token +
             (w.accepted() ? " (highest seen " + highest + ")" : ": it has seen token " + highest);
    }
    default:
      return "(empty event)";
  }
}

}  // namespace

std::string lease_hex(std::int64_t lease) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "%llx", static_cast<unsigned long long>(lease));
  return buf;
}

std::string role_name(pb::Role role) {
  return pascal_case(pb::Role_Name(role));
}

std::string message_type_name(pb::MessageType t) {
  return pascal_case(pb::MessageType_Name(t));
}

std::string describe(const pb::Message& m) {
  return n(m.from()) + "->" + n(m.to()) + " " + message_type_name(m.type()) +
         " term=" + n(m.term()) + message_fields(m);
}

std::string describe(const pb::Entry& e) {
  std::string out = n(e.index()) + "/" + n(e.term());
  if (e.type() == pb::ENTRY_CONF_CHANGE) {
    pb::ConfChange cc;
    out += cc.ParseFromString(e.data()) ? ":conf(" + describe(cc) + ")" : ":conf(undecodable)";
  } else if (!e.data().empty()) {
    out += ":" + data_text(e.data());
  }
  return out;
}

std::string describe(const pb::Event& e) {
  return e.action() + ": " + event_text(e);
}

std::string describe(const Ready& rd, const std::string& indent) {
  std::string out;
  auto line = [&](const std::string& text) { out += indent + text + "\n"; };
  if (rd.snapshot) {
    const auto& meta = rd.snapshot->metadata();
    line("Snapshot: " + n(meta.index()) + "/" + n(meta.term()) + " " +
         Configuration::from_conf_state(meta.conf_state()).describe());
  }
  if (rd.hard_state)
    line("HardState term=" + n(rd.hard_state->term()) + " vote=" + n(rd.hard_state->vote()) +
         " commit=" + n(rd.hard_state->commit()));
  if (!rd.entries.empty()) {
    std::string es;
    for (const auto& e : rd.entries)
      es += " " + describe(e);
    line("Entries:" + es);
  }
  for (const auto& m : rd.messages)
    line("Send: " + describe(m));
  for (const auto& m : rd.persisted_messages)
    line("Send after persist: " + describe(m));
  if (!rd.committed_entries.empty()) {
    std::string es;
    for (const auto& e : rd.committed_entries)
      es += " " + describe(e);
    line("Apply:" + es);
  }
  for (const auto& r : rd.read_states)
    line("Read " + quoted(r.context) + " at index " + n(r.index));
  for (const auto& ctx : rd.refused_reads)
    line("Read " + quoted(ctx) + " refused: retry");
  return out;
}

}  // namespace etcetera::raft
