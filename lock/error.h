// Errors of the lock layer, as values. A small closed set of codes, each
// with a message that says what happened and what the caller can do about
// it. An error the store gave (kv/error.h) keeps the store's own message,
// which starts with etcd's text.
#pragma once

#include <expected>
#include <string>

#include "kv/error.h"
#include "kv/kv.pb.h"

namespace etcetera::lock {

struct Error {
  enum class Code {
    kInvalidArgument = 1,  // refused before anything was sent: an empty name, no lease
    kLeaseNotFound,        // the lease named does not exist (the store said so)
    kSessionExpired,       // our key vanished while we waited or held: the lease ended
    kKeyNotFound,          // unlock of a key that does not exist
    kNotHolder,            // unlock of a waiter's key; a call that needs the lock we lack
    kNotLeader,            // proclaim or resign without being the leader
    kNoLeader,             // nobody campaigns under that name
    kTimedOut,             // try_lock gave up waiting; our key was taken out of the queue
    kBusy,                 // the object is already locking, campaigning or leaving
    kStore,                // any other error of the store, its message kept
  };

  Code code;
  std::string message;
};

template <class T>
using Result = std::expected<T, Error>;

// A short name for a code ("lock: timed out"), the start of its messages.
const char* code_text(Error::Code code);

// `return fail(Error::Code::kTimedOut, "waited 30 ticks for ...")`:
// the message is "<code text>: <detail>".
std::unexpected<Error> fail(Error::Code code, const std::string& detail);

// An error the store answered with. kv's lease-not-found becomes
// kLeaseNotFound; every other code is kStore. The message is kv's.
Error from_store(const kv::pb::Failure& failure);

}  // namespace etcetera::lock
