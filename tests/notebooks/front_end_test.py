"""A lab run the way a class runs it: in Jupyter Notebook, through its server.

  front_end_test.py BUILD_DIR [NOTEBOOK]

Starts Debian's Jupyter Notebook on the labs with notebooks/serve.sh, as
`./run lab` does (loopback, no browser; here with a token of its own), then
talks to it as its page does:
  - the file list holds the five labs, and the lab's page is served;
  - a session on the lab (default 1_elections.ipynb) starts a kernel, and the
    kernel is Debian's /usr/bin/python3, started in notebooks/;
  - every code cell of the lab runs in that kernel over its WebSocket, the
    teacher's answers filled in, with no error; every check says "right",
    and the outputs hold what the lab's metadata says it shows (diagrams as
    image/svg+xml, plots as image/png).
run_notebooks.py runs the same cells through nbclient; this test is about the
path a student takes, through the front end's server and the kernel it picks.
Exit 0 when all of it holds.
"""

import asyncio
import json
import os
import secrets
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from pathlib import Path

from tornado import ioloop, websocket

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = ROOT / "notebooks"
JUPYTER = "/usr/bin/jupyter-notebook"
LABS = {"1_elections.ipynb", "2_figure8.ipynb", "3_faults.ipynb", "4_linearizability.ipynb", "5_locks.ipynb"}


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """Jupyter Notebook on loopback, with its own config and runtime dirs."""

    def __init__(self, build_dir, scratch):
        self.port, self.token = free_port(), secrets.token_hex(16)
        env = dict(os.environ, ETCETERA_LAB_SOLUTIONS=str(NOTEBOOKS / "solutions.json"),
                   JUPYTER_CONFIG_DIR=str(scratch / "config"), JUPYTER_RUNTIME_DIR=str(scratch / "runtime"),
                   JUPYTER_DATA_DIR=str(scratch / "data"), IPYTHONDIR=str(scratch / "ipython"),
                   MPLCONFIGDIR=str(scratch / "matplotlib"))
        self.log = open(scratch / "jupyter.log", "w")
        self.process = subprocess.Popen(
            ["sh", str(NOTEBOOKS / "serve.sh"), str(build_dir), str(self.port),
             f"--NotebookApp.token={self.token}"],
            env=env, stdout=self.log, stderr=subprocess.STDOUT)
        self.log_path = scratch / "jupyter.log"

    def url(self, path):
        return f"http://127.0.0.1:{self.port}{path}"

    def request(self, path, method="GET", body=None):
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(self.url(path), data=data, method=method,
                                     headers={"Authorization": f"token {self.token}",
                                              "Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=30) as answer:
            text = answer.read().decode()
            return answer.status, text

    def wait_until_up(self, seconds=60):
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"notebooks/serve.sh exited with {self.process.returncode}: "
                                   f"{self.log_path.read_text()}")
            try:
                return self.request("/api/status")
            except OSError:
                time.sleep(0.2)
        raise RuntimeError(f"jupyter-notebook did not answer in {seconds} s: {self.log_path.read_text()}")

    def stop(self):
        self.process.terminate()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.log.close()


def message(session, code):
    """An execute_request as the notebook page sends it (Jupyter's messaging protocol 5.3)."""
    return {"header": {"msg_id": uuid.uuid4().hex, "msg_type": "execute_request", "session": session,
                       "username": "student", "version": "5.3", "date": ""},
            "parent_header": {}, "metadata": {}, "channel": "shell", "buffers": [],
            "content": {"code": code, "silent": False, "store_history": True, "user_expressions": {},
                        "allow_stdin": False, "stop_on_error": True}}


async def run_cells(server, kernel_id, cells, seconds_per_cell=120):
    """Runs each cell in turn; returns, per cell, the kernel's iopub messages
    (streams, display data, errors) and its execute_reply status."""
    url = server.url(f"/api/kernels/{kernel_id}/channels?token={server.token}").replace("http", "ws", 1)
    conn = await websocket.websocket_connect(url)
    session, results = uuid.uuid4().hex, []
    try:
        for code in cells:
            request = message(session, code)
            conn.write_message(json.dumps(request))
            outputs, status, idle = [], None, False
            deadline = time.monotonic() + seconds_per_cell
            while status is None or not idle:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise RuntimeError(f"no answer in {seconds_per_cell} s to the cell:\n{code}")
                raw = await asyncio.wait_for(conn.read_message(), remaining)
                if raw is None:
                    raise RuntimeError("the kernel's WebSocket closed")
                msg = json.loads(raw)
                if msg.get("parent_header", {}).get("msg_id") != request["header"]["msg_id"]:
                    continue
                kind = msg["header"]["msg_type"]
                if kind == "execute_reply":
                    status = msg["content"]["status"]
                elif kind == "status" and msg["content"]["execution_state"] == "idle":
                    idle = True
                elif kind in ("stream", "display_data", "execute_result", "error"):
                    outputs.append(msg)
            results.append((code, status, outputs))
    finally:
        conn.close()
    return results


def main():
    if len(sys.argv) not in (2, 3):
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    build_dir = Path(sys.argv[1]).resolve()
    name = sys.argv[2] if len(sys.argv) == 3 else "1_elections.ipynb"
    if not Path(JUPYTER).exists():
        print(f"front_end_test: {JUPYTER} is missing; ./run setup installs it (Debian's jupyter-notebook)")
        return 1
    notebook = json.loads((NOTEBOOKS / name).read_text())
    failures = []

    def expect(ok, what):
        print(f"{'ok  ' if ok else 'FAIL'} {what}")
        if not ok:
            failures.append(what)

    with tempfile.TemporaryDirectory() as scratch:
        server = Server(build_dir, Path(scratch))
        try:
            try:
                status, _ = server.wait_until_up()
            except RuntimeError as e:
                print(f"FAIL {e}")
                return 1
            expect(status == 200, f"Jupyter Notebook answers on 127.0.0.1:{server.port}")
            _, listing = server.request("/api/contents/")
            files = {entry["name"] for entry in json.loads(listing)["content"]}
            expect(LABS <= files, f"its file list holds the five labs (missing: {sorted(LABS - files) or 'none'})")
            status, page = server.request(f"/notebooks/{name}")
            expect(status == 200 and name in page, f"the page of {name} is served")

            _, answer = server.request("/api/sessions", "POST",
                                       {"path": name, "type": "notebook", "kernel": {"name": "python3"}})
            session = json.loads(answer)
            kernel_id = session["kernel"]["id"]
            code = [c["source"] if isinstance(c["source"], str) else "".join(c["source"])
                    for c in notebook["cells"] if c["cell_type"] == "code"]
            probe = "import os, sys\nprint(sys.executable)\nprint(os.getcwd())"
            started = time.monotonic()
            results = ioloop.IOLoop.current().run_sync(lambda: run_cells(server, kernel_id, [probe] + code))
            took = time.monotonic() - started

            where = "".join(m["content"].get("text", "") for m in results[0][2]).split()
            expect(where[:1] == ["/usr/bin/python3"], f"the kernel is /usr/bin/python3 (it is {where[:1]})")
            expect(where[1:2] == [str(NOTEBOOKS)], f"the kernel runs in notebooks/ (it runs in {where[1:2]})")

            errors = [(c, m["content"]) for c, s, out in results[1:] for m in out if m["header"]["msg_type"] == "error"]
            for cell, error in errors[:1]:
                print(f"the cell:\n{cell}\nraised {error['ename']}: {error['evalue']}")
            expect(not errors and all(s == "ok" for _, s, _ in results[1:]),
                   f"all {len(code)} code cells of {name} ran without an error, in {took:.1f} s")
            text = "".join(m["content"].get("text", "") for _, _, out in results[1:] for m in out
                           if m["header"]["msg_type"] == "stream")
            questions = [line for line in text.splitlines() if line.startswith("Question")]
            wrong = [q for q in questions if ": right" not in q]
            expect(questions and not wrong,
                   f"{len(questions)} checks said right (not: {wrong or 'none'})")
            shown = {kind for _, _, out in results[1:] for m in out for kind in m["content"].get("data", {})}
            for kind in notebook["metadata"].get("etcetera", {}).get("shows", []):
                expect(kind in shown, f"the outputs show {kind}")
            status, _ = server.request(f"/api/sessions/{session['id']}", "DELETE")
            expect(status == 204, "closing the session shuts its kernel down")
        finally:
            server.stop()
    print(f"front_end_test: {name} in Jupyter Notebook: "
          f"{'every check held' if not failures else f'{len(failures)} failed'}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
