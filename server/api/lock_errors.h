// Errors between the Backend and the lock recipes, both ways. The recipes
// see a store's errors as kv::pb::Failure (lock/kv_port.h); the client sees
// etcd's status. Both carry etcd's text, so the text is what is matched:
// "etcdserver: requested lease not found" is kv's kLeaseNotFound to lock/,
// and NOT_FOUND with that text to the client again.
#pragma once

#include <grpcpp/support/status.h>

#include "kv/kv.pb.h"
#include "lock/error.h"
#include "server/backend.h"

namespace etcetera::server::api {

// A Backend's error as a store failure: the kv/ code whose etcd text starts
// the message, if any (0 otherwise); the message unchanged.
kv::pb::Failure to_failure(const ApiError& error);

// A recipe's error as the client's status. The store's errors come back as
// etcd answers them; the recipes' own as etcd's recipes answer theirs.
grpc::Status to_status(const lock::Error& error);

}  // namespace etcetera::server::api
