#!/usr/bin/python3
"""The peer port refuses what no member sends, and the cluster goes on
(docs/server.md, "The peer port").

Usage: peer_port_test.py ETCETERA WORKDIR

A three-member cluster; then, to the leader's peer port, as a broken or
hostile peer could send them:
  - Peer.Forward requests of 10, 70 and 100 MiB: refused before they are
    read (RESOURCE_EXHAUSTED: the port takes 8 MiB a message);
  - a Peer.Forward of 5 MiB, which the port takes: refused as a client's
    would be ("etcdserver: request is too large"), and never proposed;
  - bytes that decode as no request, to Peer.Forward: INTERNAL;
  - such bytes on a Peer.Send stream, and a Peer.Snapshot whose file is
    garbage: the stream is refused, nothing is installed.
Afterwards every member must serve, a write must commit, and all must hash
alike. Exit 0 when every check holds; else what failed, and 1.
"""

import os
import sys
import time

import grpc
from etcd3.etcdrpc import rpc_pb2

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from local_cluster import LocalCluster  # noqa: E402

MIB = 1 << 20


def varint(n):
    out = bytearray()
    while True:
        out.append((n & 0x7F) | (0x80 if n >= 0x80 else 0))
        if n < 0x80:
            return bytes(out)
        n >>= 7


def forward_put(value_bytes):
    """kv.pb.Request{put: PutRequest{key, value}} (kv/kv.proto, field 2)."""
    put = rpc_pb2.PutRequest(key=b"/hostile", value=b"x" * value_bytes).SerializeToString()
    return b"\x12" + varint(len(put)) + put


def call(channel, method, body):
    unary = channel.unary_unary(method, request_serializer=lambda b: b,
                                response_deserializer=lambda b: b)
    try:
        unary(body, timeout=30)
        return ("OK", "")
    except grpc.RpcError as e:
        return (e.code().name, e.details() or "")


def send_stream(channel, method, bodies):
    stream = channel.stream_unary(method, request_serializer=lambda b: b,
                                  response_deserializer=lambda b: b)
    try:
        stream(iter(bodies), timeout=30)
        return ("OK", "")
    except grpc.RpcError as e:
        return (e.code().name, e.details() or "")


def main():
    if len(sys.argv) != 3:
        raise SystemExit(__doc__)
    server, workdir = sys.argv[1:]
    problems = []
    with LocalCluster(server, workdir) as c:
        c.start()
        c.wait_ready()
        leader = c.leader()
        peer = grpc.insecure_channel(leader.peer_url.removeprefix("http://"),
                                     options=[("grpc.max_send_message_length", -1)])
        for mib in (10, 70, 100):
            got = call(peer, "/etcetera.server.pb.Peer/Forward", forward_put(mib * MIB))
            print(f"peer_port: a {mib} MiB Forward: {got}")
            if got[0] != "RESOURCE_EXHAUSTED":
                problems.append(f"a {mib} MiB Forward was answered {got}")
        got = call(peer, "/etcetera.server.pb.Peer/Forward", forward_put(5 * MIB))
        print(f"peer_port: a 5 MiB Forward: {got}")
        if got != ("INVALID_ARGUMENT", "etcdserver: request is too large"):
            problems.append(f"a 5 MiB Forward was answered {got}")
        got = call(peer, "/etcetera.server.pb.Peer/Forward", b"\xff\xfe\xfd\x80\x80")
        print(f"peer_port: bytes that are no request, to Forward: {got}")
        if got[0] != "INTERNAL":
            problems.append(f"garbage to Forward was answered {got}")
        got = send_stream(peer, "/etcetera.server.pb.Peer/Send", [b"\xff\xfe\xfd\x80\x80"])
        print(f"peer_port: bytes that are no raft message, on Send: {got}")
        if got[0] != "INTERNAL":
            problems.append(f"garbage on Send was answered {got}")
        # An InstallSnapshot message (type 11) for index 5 of term 1 from
        # member 7, then 16 bytes of "file" that are no snapshot file.
        message = (b"\x08\x0b" + b"\x10\x07" +
                   b"\x6a\x06" + b"\x12\x04\x10\x05\x18\x01")
        chunk = b"\x0a" + varint(len(message)) + message + b"\x12\x10" + b"not a snapshot!!"
        got = send_stream(peer, "/etcetera.server.pb.Peer/Snapshot", [chunk])
        print(f"peer_port: a snapshot whose file is garbage: {got}")
        if got[0] != "DATA_LOSS":
            problems.append(f"a garbage snapshot was answered {got}")

        # The cluster goes on.
        time.sleep(1)
        for m in c.members.values():
            if m.process.poll() is not None:
                problems.append(f"{m.name} exited ({m.process.returncode}):\n{m.log_tail()}")
        if not problems:
            leader = c.leader()
            r = leader.kv.Put(rpc_pb2.PutRequest(key=b"/after", value=b"fine"), timeout=10)
            hashes = set()
            for m in c.members.values():
                deadline = time.monotonic() + 10
                while m.kv.Range(rpc_pb2.RangeRequest(key=b"/after", serializable=True),
                                 timeout=5).header.revision < r.header.revision:
                    if time.monotonic() > deadline:
                        problems.append(f"{m.name} did not apply the write after")
                        break
                    time.sleep(0.1)
                hashes.add(m.maintenance.HashKV(
                    rpc_pb2.HashKVRequest(revision=r.header.revision), timeout=10).hash)
                got = m.kv.Range(rpc_pb2.RangeRequest(key=b"/hostile", serializable=True),
                                 timeout=5)
                if got.kvs:
                    problems.append(f"{m.name} holds /hostile: a refused forward was applied")
            if len(hashes) != 1:
                problems.append(f"the members hash differently: {hashes}")
    for p in problems:
        print(f"peer_port: FAILED: {p}", file=sys.stderr)
    if problems:
        return 1
    print("peer_port: ok: every oversized or malformed peer message refused; the cluster "
          "serves, commits and agrees")
    return 0


if __name__ == "__main__":
    sys.exit(main())
