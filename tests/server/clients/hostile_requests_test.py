#!/usr/bin/python3
"""Deep transactions and bytes that are no request, sent to etcd 3.4 and to
etcetera alike, and the answers compared (docs/server.md, "Errors").

Usage: hostile_requests_test.py ETCETERA WORKDIR

Each server runs as one member on loopback. Every case is sent raw to
both; the answers must agree on the status code and on etcd's words (the
text up to the first detail that only names the cause in each server's own
terms). Then each server must still serve.

  - transactions nested 50, 120 and 128 deep are taken; 129 and 1000 deep
    are refused: "etcdserver: too many operations in txn request" (etcd's
    op budget, kv/validate.h);
  - bytes that do not decode, cut short, or with a length past their end,
    to a unary method: INTERNAL "grpc: error unmarshalling request: ...";
  - the same on a Watch or LeaseKeepAlive stream: the stream ends with
    INTERNAL "grpc: failed to unmarshal the received message ...".

One difference is known and not compared: a transaction nested past 1024
levels (2048 of protobuf's) is refused by etcetera as bytes it does not
decode, where etcd, which decodes any depth, counts its operations first.
Both refuse it.
"""

import os
import sys

import grpc
from etcd3.etcdrpc import rpc_pb2

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from local_cluster import LocalCluster  # noqa: E402


def nested_txn(depth):
    t = rpc_pb2.TxnRequest(success=[rpc_pb2.RequestOp(
        request_put=rpc_pb2.PutRequest(key=b"deep", value=b"%d" % depth))])
    for _ in range(depth - 1):
        t = rpc_pb2.TxnRequest(success=[rpc_pb2.RequestOp(request_txn=t)])
    return t.SerializeToString()


PUT = rpc_pb2.PutRequest(key=b"k", value=b"v" * 100).SerializeToString()
BROKEN = {
    "random bytes": b"\xff\xfe\xfd\x01\x02\x03\x80\x80\x80",
    "a put cut in the middle": PUT[: len(PUT) // 2],
    "a length past the end": b"\x0a\x7fabc",
}

# The words both servers must agree on: up to where the cause is named.
WORDS = ("grpc: error unmarshalling request", "grpc: failed to unmarshal the received message",
         "etcdserver: too many operations in txn request")


def words(details):
    for w in WORDS:
        if (details or "").startswith(w):
            return w
    return details


def unary(channel, method, body):
    call = channel.unary_unary(method, request_serializer=lambda b: b,
                               response_deserializer=lambda b: b)
    try:
        call(body, timeout=10)
        return ("OK", "")
    except grpc.RpcError as e:
        return (e.code().name, words(e.details()))


def stream(channel, method, body):
    call = channel.stream_stream(method, request_serializer=lambda b: b,
                                 response_deserializer=lambda b: b)
    try:
        for _ in call(iter([body]), timeout=10):
            pass
        return ("OK", "")
    except grpc.RpcError as e:
        return (e.code().name, words(e.details()))


def cases():
    out = []
    for depth in (50, 120, 128, 129, 1000):
        out.append((f"a txn nested {depth} deep", unary, "/etcdserverpb.KV/Txn", nested_txn(depth)))
    for method in ("/etcdserverpb.KV/Put", "/etcdserverpb.KV/Range", "/etcdserverpb.KV/Txn",
                   "/etcdserverpb.Lease/LeaseGrant"):
        for what, body in BROKEN.items():
            out.append((f"{what} to {method}", unary, method, body))
    for method in ("/etcdserverpb.Watch/Watch", "/etcdserverpb.Lease/LeaseKeepAlive"):
        out.append((f"random bytes on a {method} stream", stream, method, BROKEN["random bytes"]))
    return out


def answers(server, workdir):
    with LocalCluster(server, workdir, names=["m1"]) as c:
        c.start()
        c.wait_ready()
        m = c.members["m1"]
        got = {name: send(m.channel, method, body) for name, send, method, body in cases()}
        # Still serving, after all of it.
        m.kv.Put(rpc_pb2.PutRequest(key=b"after", value=b"fine"), timeout=10)
        return got


def main():
    if len(sys.argv) != 3:
        raise SystemExit(__doc__)
    etcetera, workdir = sys.argv[1:]
    ours = answers(etcetera, os.path.join(workdir, "etcetera"))
    etcd = answers("/usr/bin/etcd", os.path.join(workdir, "etcd"))
    problems = []
    for name, _, _, _ in cases():
        print(f"hostile_requests: {name}: etcd {etcd[name]}, etcetera {ours[name]}")
        if ours[name] != etcd[name]:
            problems.append(name)
    if problems:
        print("hostile_requests: FAILED: etcetera answers differently from etcd: " +
              "; ".join(problems), file=sys.stderr)
        return 1
    print(f"hostile_requests: ok: {len(ours)} cases answered as etcd answers them, and both "
          "still serve")
    return 0


if __name__ == "__main__":
    sys.exit(main())
