from __future__ import annotations

import http.server
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = Path(os.environ.get("RETOLD_EXAMPLES", ROOT.parent / "shared" / "examples"))


@pytest.fixture(scope="session")
def source_text() -> str:
    return (EXAMPLES / "iran-iraq-source.txt").read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def rewrite_text() -> str:
    return (EXAMPLES / "iran-iraq-ai-rewrite.txt").read_text(encoding="utf-8")


def run_cli(*args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess:
    """The real `retold` command in a child process."""
    return subprocess.run(
        [sys.executable, "-m", "retold", *args], input=stdin, capture_output=True, timeout=300, cwd=ROOT
    )


# --- a native crash (llama.cpp) fails one test, not the run --------------------------------------------

CHILD = "RETOLD_TEST_CHILD"


def run_in_child(nodeid: str, timeout: float = 1800) -> str | None:
    """Runs one test in a fresh pytest process; None when it passed, else why not (a signal named)."""
    try:
        done = subprocess.run(
            [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-x", nodeid],
            cwd=ROOT, env={**os.environ, CHILD: "1"}, capture_output=True, text=True, timeout=timeout,
        )
    except subprocess.TimeoutExpired:
        return f"{nodeid} did not finish in {timeout:.0f} s in its own process"
    if done.returncode == 0:
        return None
    tail = (done.stdout + done.stderr)[-3000:]
    if done.returncode < 0:
        return f"{nodeid} crashed with {signal.Signals(-done.returncode).name} (a native crash, e.g. in llama.cpp)\n{tail}"
    return f"{nodeid} failed in its own process\n{tail}"


@pytest.hookimpl(tryfirst=True)
def pytest_pyfunc_call(pyfuncitem):
    """Tests marked ``own_process`` (those that run a model in-process) run in a child pytest process."""
    if pyfuncitem.get_closest_marker("own_process") is None or os.environ.get(CHILD):
        return None
    problem = run_in_child(pyfuncitem.nodeid)
    if problem:
        pytest.fail(problem, pytrace=False)
    return True


def pytest_configure(config):
    config.addinivalue_line("markers", "own_process: run the test in a child process (a native crash fails only it)")


# --- servers on 127.0.0.1 for the openai engine ------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(url: str, process: subprocess.Popen, seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{url}: the server exited with {process.returncode}")
        try:
            urllib.request.urlopen(url, timeout=2)
            return
        except OSError:
            time.sleep(0.25)
    raise RuntimeError(f"{url} did not come up in {seconds} s")


@pytest.fixture
def llama_server_factory():
    """Starts real llama_cpp.server processes (through retold.llama_server: its CPU buffer types) with SmolLM2."""
    from retold.nlp import model_path

    started = []

    def start() -> tuple[str, subprocess.Popen]:
        port = free_port()
        process = subprocess.Popen(
            [sys.executable, "-m", "retold.llama_server", "--model", str(model_path("smollm2")), "--host", "127.0.0.1",
             "--port", str(port), "--n_ctx", "2048", "--n_threads", str(os.cpu_count() or 1)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        started.append(process)
        wait_for(f"http://127.0.0.1:{port}/v1/models", process)
        return f"http://127.0.0.1:{port}/v1", process

    yield start
    crashed = [p.returncode for p in started if p.poll() is not None and p.returncode < 0 and p.returncode != -signal.SIGTERM]
    for process in started:
        process.terminate()
        process.wait(timeout=30)
    if crashed:  # a test that stops its server on purpose uses terminate (SIGTERM)
        pytest.fail(f"the llama server crashed with {signal.Signals(-crashed[0]).name} (a native crash in llama.cpp)")


@pytest.fixture
def llama_server(llama_server_factory) -> str:
    return llama_server_factory()[0]


@pytest.fixture
def closed_port() -> int:
    return free_port()  # bound and released: nothing listens there


@pytest.fixture
def silent_server():
    """A real socket that accepts connections and never answers."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen(8)
        yield f"http://127.0.0.1:{sock.getsockname()[1]}/v1"


@pytest.fixture
def junk_server():
    """A real HTTP server that answers 200 with something that is not a chat completion."""

    class Junk(http.server.BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("Content-Length", 0)))
            body = b'{"choices": "none of your business"}'
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Junk)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/v1"
    server.shutdown()
