"""A cluster of etcd-compatible members on loopback, for tests in Python
that need more than with_cluster.sh gives: flags of their own, a fourth
member, each member's memory.

    with LocalCluster(server, workdir, names=["m1", "m2", "m3"], flags=[...]) as c:
        c.wait_ready()
        c.members["m1"].kv.Put(...)

SERVER is build/server/etcetera or /usr/bin/etcd: both take etcd's flags.
Each member's data is in WORKDIR/<name>, its log in WORKDIR/<name>.log;
WORKDIR is emptied first.
"""

import os
import shutil
import signal
import socket
import subprocess
import time

import grpc
from etcd3.etcdrpc import rpc_pb2, rpc_pb2_grpc

# Large values go through the client API: let the channel carry them. A
# member that is not up yet is tried again within a second, not after gRPC's
# own backoff, which grows to minutes. (Not grpc.min_reconnect_backoff_ms:
# gRPC takes it as the time a connection attempt may take, and etcd is not
# always that quick to answer.)
CHANNEL_OPTIONS = [("grpc.max_send_message_length", 64 << 20),
                   ("grpc.max_receive_message_length", 64 << 20),
                   ("grpc.initial_reconnect_backoff_ms", 100),
                   ("grpc.max_reconnect_backoff_ms", 1000)]


def free_ports(n):
    socks = [socket.socket() for _ in range(n)]
    for s in socks:
        s.bind(("127.0.0.1", 0))
    ports = [s.getsockname()[1] for s in socks]
    for s in socks:
        s.close()
    return ports


class Member:
    def __init__(self, cluster, name, client_port, peer_port):
        self.cluster, self.name = cluster, name
        self.client_url = f"http://127.0.0.1:{client_port}"
        self.peer_url = f"http://127.0.0.1:{peer_port}"
        self.endpoint = f"127.0.0.1:{client_port}"
        self.data_dir = os.path.join(cluster.workdir, name)
        self.log_path = os.path.join(cluster.workdir, name + ".log")
        self.process = None
        self.channel = grpc.insecure_channel(self.endpoint, options=CHANNEL_OPTIONS)
        self.kv = rpc_pb2_grpc.KVStub(self.channel)
        self.cluster_stub = rpc_pb2_grpc.ClusterStub(self.channel)
        self.maintenance = rpc_pb2_grpc.MaintenanceStub(self.channel)

    def start(self, initial_cluster, state):
        log = open(self.log_path, "a")
        self.process = subprocess.Popen(
            [self.cluster.server, "--name", self.name, "--data-dir", self.data_dir,
             "--listen-client-urls", self.client_url, "--advertise-client-urls", self.client_url,
             "--listen-peer-urls", self.peer_url, "--initial-advertise-peer-urls", self.peer_url,
             "--initial-cluster", initial_cluster, "--initial-cluster-state", state]
            + self.cluster.flags, stdout=log, stderr=subprocess.STDOUT)

    def kill(self):
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait()

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.kill()

    def status(self, timeout=2.0):
        try:
            return self.maintenance.Status(rpc_pb2.StatusRequest(), timeout=timeout)
        except grpc.RpcError:
            return None

    def peak_rss_bytes(self):
        """The process's largest resident set so far (VmHWM)."""
        with open(f"/proc/{self.process.pid}/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * 1024
        return 0

    def log_tail(self, lines=15):
        try:
            with open(self.log_path, errors="replace") as f:
                return "".join(f.readlines()[-lines:])
        except OSError:
            return "(no log)"


class LocalCluster:
    def __init__(self, server, workdir, names=("m1", "m2", "m3"), flags=()):
        self.server, self.workdir, self.flags = server, workdir, list(flags)
        shutil.rmtree(workdir, ignore_errors=True)  # every run starts from empty data dirs
        os.makedirs(workdir)
        self.members = {}
        for name in names:
            self.add(name)

    def add(self, name):
        client, peer = free_ports(2)
        self.members[name] = Member(self, name, client, peer)
        return self.members[name]

    def initial_cluster(self, names=None):
        names = names or list(self.members)
        return ",".join(f"{n}={self.members[n].peer_url}" for n in names)

    def start(self, names=None):
        names = names or list(self.members)
        for n in names:
            self.members[n].start(self.initial_cluster(names), "new")

    def restart(self, name):
        self.members[name].start(self.initial_cluster(), "existing")

    def wait_ready(self, names=None, timeout=30.0):
        """Until each member named answers a linearizable read."""
        names = names or list(self.members)
        deadline = time.monotonic() + timeout
        for n in names:
            m = self.members[n]
            while True:
                try:
                    m.kv.Range(rpc_pb2.RangeRequest(key=b"health"), timeout=2.0)
                    break
                except grpc.RpcError:
                    if m.process.poll() is not None:
                        raise SystemExit(f"{n} exited ({m.process.returncode}):\n{m.log_tail()}")
                    if time.monotonic() > deadline:
                        raise SystemExit(f"{n} did not serve within {timeout} s:\n{m.log_tail()}")
                    time.sleep(0.1)

    def leader(self, timeout=20.0):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for m in self.members.values():
                s = m.status()
                if s is not None and s.leader != 0 and s.leader == s.header.member_id:
                    return m
            time.sleep(0.1)
        raise SystemExit("no leader within %d s" % timeout)

    def close(self):
        for m in self.members.values():
            m.stop()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
        return False
