#include "lock/error.h"

#include "kv/state_machine.h"  // kv::to_error

namespace etcetera::lock {

const char* code_text(Error::Code code) {
  switch (code) {
    case Error::Code::kInvalidArgument:
      return "lock: invalid argument";
    case Error::Code::kLeaseNotFound:
      return "lock: lease not found";
    case Error::Code::kSessionExpired:
      return "lock: session expired";
    case Error::Code::kKeyNotFound:
      return "lock: key not found";
    case Error::Code::kNotHolder:
      return "lock: not the holder";
    case Error::Code::kNotLeader:
      return "election: not the leader";
    case Error::Code::kNoLeader:
      return "election: no leader";
    case Error::Code::kTimedOut:
      return "lock: timed out";
    case Error::Code::kBusy:
      return "lock: busy";
    case Error::Code::kStore:
      return "lock: store error";
  }
  return "lock: unknown error";
}

std::unexpected<Error> fail(Error::Code code, const std::string& detail) {
  return std::unexpected(Error{code, std::string(code_text(code)) + ": " + detail});
}

Error from_store(const kv::pb::Failure& failure) {
  const kv::Error error = kv::to_error(failure);
  const Error::Code code = error.code == kv::Error::Code::kLeaseNotFound
                               ? Error::Code::kLeaseNotFound
                               : Error::Code::kStore;
  return Error{code, error.message};
}

}  // namespace etcetera::lock
