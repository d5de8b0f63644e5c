"""python3-etcd3 (etcd's Python client) against etcetera-fake-server.

Usage: python_etcd3_test.py ETCETERA_FAKE_SERVER. Exits 77 (skipped) when
the etcd3 module is not installed.
"""
import subprocess
import sys
import threading
import time

try:
    import etcd3
except ImportError:
    print("python3-etcd3 not installed: skipped")
    sys.exit(77)


def check(name, expected, actual):
    if expected != actual:
        raise AssertionError(f"{name}: expected {expected!r}, got {actual!r}")
    print("ok  ", name)


def exercise(client):
    client.put("/x/a", "1")
    client.put("/x/b", "2")
    check("get", b"1", client.get("/x/a")[0])
    check("get_prefix", [b"/x/a", b"/x/b"], [m.key for _, m in client.get_prefix("/x/")])
    ok, _ = client.transaction(compare=[client.transactions.value("/x/a") == "1"],
                               success=[client.transactions.put("/x/a", "3")], failure=[])
    check("transaction", True, ok)
    check("after the transaction", b"3", client.get("/x/a")[0])

    lease = client.lease(30)
    check("lease granted_ttl", 30, lease.granted_ttl)
    check("lease refresh", 30, list(lease.refresh())[0].TTL)
    lease.revoke()

    events, cancel = client.watch("/x/w")
    threading.Thread(target=lambda: (time.sleep(0.3), client.put("/x/w", "hi"))).start()
    for event in events:
        check("watch event", (b"/x/w", b"hi"), (event.key, event.value))
        cancel()
        break

    check("members", 1, len(list(client.members)))
    check("status version", "3.4.0", client.status().version)
    lock = client.lock("l", ttl=10)
    check("lock", True, lock.acquire(timeout=5))
    lock.release()
    client.delete_prefix("/x/")
    check("deleted", None, client.get("/x/a")[0])


def main():
    server = subprocess.Popen([sys.argv[1], "0"], stdout=subprocess.PIPE, text=True)
    try:
        port = int(server.stdout.readline())
        exercise(etcd3.client(host="127.0.0.1", port=port, timeout=10))
    finally:
        server.terminate()
        server.wait(timeout=10)
    print("all checks passed")


if __name__ == "__main__":
    main()
