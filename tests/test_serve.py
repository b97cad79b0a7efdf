"""retold serve: the HTTP API against a real uvicorn on 127.0.0.1."""

from __future__ import annotations

import base64
import glob
import json
import os
import re
import select
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from conftest import ROOT, free_port, wait_for


def start_server(db, *args: str, **env) -> tuple[str, subprocess.Popen]:
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "retold", "serve", "--port", str(port), "--db", str(db), *args],
        cwd=ROOT, env=os.environ | env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    wait_for(f"{url}/healthz", process)
    return url, process


def stop(process: subprocess.Popen, sig=signal.SIGTERM) -> None:
    process.send_signal(sig)
    process.wait(timeout=30)


@pytest.fixture
def start(tmp_path):
    """Starts servers on one database for a test; stops whatever still runs at the end, failed or not."""
    started = []

    def start_one(*args: str, **env: str) -> tuple[str, subprocess.Popen]:
        url, process = start_server(tmp_path / "jobs.sqlite3", *args, **env)
        started.append(process)
        return url, process

    yield start_one
    for process in started:
        if process.poll() is None:
            stop(process)


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    url, process = start_server(tmp_path_factory.mktemp("serve") / "jobs.sqlite3")
    yield url, process
    stop(process)


@pytest.fixture(scope="module")
def server(served) -> str:
    return served[0]


def wait_job(url: str, job: dict, seconds: float = 240) -> dict:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        state = httpx.get(url + job["url"]).json()
        if state["status"] in ("done", "failed"):
            return state
        time.sleep(0.5)
    raise AssertionError(f"job {job['id']} did not finish")


def test_health_and_docs_served_from_the_package(server):
    assert httpx.get(f"{server}/healthz").json()["status"] == "ok"
    docs = httpx.get(f"{server}/docs")
    assert docs.status_code == 200 and "http" not in docs.text  # every script and style from this server
    assert "/docs/assets/swagger-ui-bundle.js" in docs.text
    bundle = httpx.get(f"{server}/docs/assets/swagger-ui-bundle.js")
    assert bundle.status_code == 200 and "SwaggerUIBundle" in bundle.text
    assert httpx.get(f"{server}/docs/assets/redoc.standalone.js").status_code == 200
    assert httpx.get(f"{server}/redoc").status_code == 200
    paths = httpx.get(f"{server}/openapi.json").json()["paths"]
    assert {"/v1/extract", "/v1/check", "/v1/rewrite", "/v1/jobs/{job_id}"} <= set(paths)
    assert "delete" in paths["/v1/jobs/{job_id}"]


def test_content_security_policy_on_every_html_response(server, source_text, rewrite_text):
    pages = [httpx.get(f"{server}/"), httpx.get(f"{server}/static/index.html"), httpx.get(f"{server}/docs"),
             httpx.get(f"{server}/redoc"),
             httpx.post(f"{server}/v1/check?format=html", json={"source": source_text, "rewrite": rewrite_text},
                        timeout=300)]
    for response in pages:
        assert response.status_code == 200 and response.headers["content-type"].startswith("text/html")
        policy = response.headers["content-security-policy"]
        assert "'unsafe-eval'" not in policy and "script-src 'unsafe-inline'" not in policy
        assert response.headers["x-content-type-options"] == "nosniff"
    report_policy = pages[-1].headers["content-security-policy"]
    assert "default-src 'none'" in report_policy and "script-src" not in report_policy  # a report runs no script
    assert "script-src 'self'" in pages[0].headers["content-security-policy"]


def test_check_returns_the_report_contract(server, source_text, rewrite_text):
    response = httpx.post(f"{server}/v1/check", json={"source": source_text, "rewrite": rewrite_text}, timeout=120)
    assert response.status_code == 200
    data = response.json()
    assert set(data) == {"sentences", "document", "source_units"}
    contradicted = [s["text"] for s in data["sentences"] if s["verdict"] == "contradicted"]
    assert any("disarm" in text for text in contradicted)
    markdown = httpx.post(f"{server}/v1/check?format=md", json={"source": source_text, "rewrite": rewrite_text}, timeout=120)
    assert markdown.headers["content-type"].startswith("text/markdown") and "contradicted" in markdown.text


def test_extract(server, source_text):
    data = httpx.post(f"{server}/v1/extract", json={"text": source_text}, timeout=300).json()
    assert data["headline"] == "Iran stresses urgency of implementing security agreement with Iraq"
    assert not any("NEWSLETTER" in p for p in data["paragraphs"])


def raw(port: int, head: bytes, body: bytes = b"") -> bytes:
    """One request on a raw socket (httpx will not send malformed framing); the status line back."""
    with socket.create_connection(("127.0.0.1", port), timeout=120) as sock:
        sock.sendall(head + body)
        reply = b""
        while b"\r\n" not in reply and (data := sock.recv(4096)):
            reply += data
    return reply.split(b"\r\n")[0]


def test_bad_requests(server, source_text):
    port = int(server.rsplit(":", 1)[1])
    too_big = "x" * 4_000_001
    assert httpx.post(f"{server}/v1/check", json={"source": too_big, "rewrite": "y"}).status_code == 413
    # Chunked bodies are read and counted like any other.
    body = json.dumps({"source": source_text, "rewrite": "Iran and Iraq signed a security agreement."}).encode()
    chunked = httpx.post(f"{server}/v1/check", content=iter([body[:100], body[100:]]),
                         headers={"content-type": "application/json"}, timeout=300)
    assert chunked.status_code == 200 and chunked.json()["sentences"]
    neither = raw(port, b"POST /v1/check HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n\r\n")
    assert neither.startswith(b"HTTP/1.1 411")
    response = httpx.post(f"{server}/v1/check", content=b"{not json", headers={"content-type": "application/json"})
    assert response.status_code == 422 and "JSON" in json.dumps(response.json())
    for bad in (b'{"source": "\xff\xfe", "rewrite": "b"}', b"[" * 100_000, b'{"source": 1' + b"0" * 5000 + b"}"):
        response = httpx.post(f"{server}/v1/check", content=bad, headers={"content-type": "application/json"})
        assert response.status_code == 422 and response.json()["detail"][0]["type"] == "json_invalid", bad[:20]
    response = httpx.post(f"{server}/v1/check", json={"source": 5, "rewrite": ["a"]})
    assert response.status_code == 422 and "source" in json.dumps(response.json())
    response = httpx.post(f"{server}/v1/check", json={"source": "", "rewrite": "Something."})
    assert response.status_code == 422 and response.json()["detail"] == "the source is empty"
    response = httpx.post(f"{server}/v1/rewrite", json={"text": "Text.", "engine": "openai"})
    assert response.status_code == 422
    assert httpx.get(f"{server}/v1/jobs/nope").status_code == 404
    assert httpx.delete(f"{server}/v1/jobs/nope").status_code == 404


def test_lone_surrogates_in_json_are_no_500(server, source_text):
    """JSON may escape a lone surrogate ("\\udfff"), which no UTF-8 text can hold."""
    for path, body in [("/v1/check", {"source": source_text.replace("August", "August \udf19"), "rewrite": "\udfff"}),
                       ("/v1/check", {"source": source_text, "rewrite": "Iran and Iraq \ud800 signed an agreement."}),
                       ("/v1/extract", {"text": "\udfff" + source_text})]:
        response = httpx.post(server + path, content=json.dumps(body).encode(),  # json.dumps escapes them
                              headers={"content-type": "application/json"}, timeout=300)
        assert response.status_code in (200, 422), response.text
        response.json()


def rss_mb(pid: int) -> float:
    status = Path(f"/proc/{pid}/status").read_text()
    return int(re.search(r"VmRSS:\s+(\d+)", status)[1]) / 1024


def send_chunked(port: int, head: bytes, megabytes: int) -> tuple[int, bytes]:
    """Stream a chunked body of ``megabytes`` MB while reading any reply; returns (bytes sent, reply)."""
    chunk = b"100000\r\n" + b"a" * 0x100000 + b"\r\n"
    sent, reply, pending = 0, b"", b""
    with socket.create_connection(("127.0.0.1", port)) as sock:
        sock.sendall(head)
        sock.setblocking(False)
        while sent < megabytes * len(chunk):
            readable, writable, _ = select.select([sock], [sock], [], 60)
            if not readable and not writable:
                raise AssertionError("the server neither read nor answered for 60 s")
            try:
                if readable:
                    if not (data := sock.recv(65536)):
                        break
                    reply += data
                if writable:
                    pending = pending or chunk
                    n = sock.send(pending)
                    pending, sent = pending[n:], sent + n
            except (ConnectionResetError, BrokenPipeError):
                break
    return sent, reply


def test_body_limit_holds_for_every_framing(served):
    """The attack that got through: Content-Length: 10 and a chunked body of any size (real uvicorn, raw socket)."""
    server, process = served
    port = int(server.rsplit(":", 1)[1])
    before = rss_mb(process.pid)
    both = (b"POST /v1/check HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 10\r\n"
            b"Transfer-Encoding: chunked\r\n\r\n")
    sent, reply = send_chunked(port, both, 200)
    assert reply.startswith(b"HTTP/1.1 400") and b"framing" in reply
    chunked = (b"POST /v1/check HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
               b"Transfer-Encoding: chunked\r\n\r\n")
    sent, reply = send_chunked(port, chunked, 200)
    assert reply.startswith(b"HTTP/1.1 413")
    assert sent < 40 * 2**20  # the server stopped reading soon after 4 MB (the rest sat in socket buffers)
    assert rss_mb(process.pid) - before < 50
    assert httpx.get(f"{server}/healthz").status_code == 200


def test_rewrite_job_with_progress_stream(server, source_text):
    job = httpx.post(f"{server}/v1/rewrite", json={"text": source_text, "engine": "rules", "words": 150},
                     timeout=300).json()
    events = []
    with httpx.stream("GET", f"{server}{job['events']}", timeout=120) as stream:
        for line in stream.iter_lines():
            if line.startswith("event: "):
                events.append(line.removeprefix("event: "))
    assert events[-1] == "done"
    state = httpx.get(f"{server}{job['url']}").json()
    counts = state["result"]["report"]["document"]["verdict_counts"]
    assert counts["unsupported"] == counts["contradicted"] == 0 and counts["supported"] > 0
    html = httpx.get(f"{server}{job['url']}?format=html")
    assert html.headers["content-type"].startswith("text/html") and state["result"]["headline"][:20] in html.text


def test_restart_keeps_results_and_fails_interrupted_jobs(start, source_text):
    url, process = start()
    finished = wait_job(url, httpx.post(f"{url}/v1/rewrite", json={"text": source_text, "engine": "rules"},
                                        timeout=300).json())
    assert finished["status"] == "done"
    running = httpx.post(f"{url}/v1/rewrite", json={"text": source_text, "engine": "local", "model": "smollm2"},
                         timeout=300).json()
    wait_status(url, running, "running")
    worker = find_worker(process)
    stop(process, signal.SIGKILL)  # a crash: nothing gets to clean up
    deadline = time.monotonic() + 30
    while is_worker(worker):
        assert time.monotonic() < deadline, "the orphaned worker process is still running"
        time.sleep(0.2)

    url, process = start()
    assert httpx.get(url + f"/v1/jobs/{finished['id']}").json()["result"] == finished["result"]
    interrupted = httpx.get(url + running["url"]).json()
    assert interrupted["status"] == "failed" and "interrupted" in interrupted["error"]


def test_api_token(start, source_text):
    token = "s3crèt-ü"  # not ASCII: compared as UTF-8 bytes
    url, _ = start(RETOLD_API_TOKEN=token)
    port = int(url.rsplit(":", 1)[1])
    bearer = {"Authorization": "Bearer " + token}
    body = {"text": source_text}
    assert httpx.post(f"{url}/v1/extract", json=body).status_code == 401
    assert httpx.post(f"{url}/v1/extract", json=body, headers={"Authorization": "Bearer wrong"}).status_code == 401
    not_utf8 = {"Authorization": b"Bearer \xff\xfe\xc3\xa9"}
    assert httpx.post(f"{url}/v1/extract", json=body, headers=not_utf8).status_code == 401
    assert httpx.post(f"{url}/v1/extract", json=body,
                      headers={"Authorization": ("Bearer " + token).encode()}, timeout=300).status_code == 200
    # A header that is not even Latin-1 text, straight on the socket.
    snowman = "GET /v1/jobs/x HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ☃\r\n\r\n".encode()
    assert raw(port, snowman).startswith(b"HTTP/1.1 401")
    assert httpx.get(f"{url}/healthz").status_code == 200
    for path in ("/docs", "/redoc", "/openapi.json", "/docs/assets/swagger-ui-bundle.js"):
        refused = httpx.get(url + path)
        assert refused.status_code == 401 and refused.headers["www-authenticate"].startswith("Basic"), path
    basic = base64.b64encode(("retold:" + token).encode()).decode()
    assert httpx.get(f"{url}/docs", headers={"Authorization": "Basic " + basic}).status_code == 200
    wrong = base64.b64encode(b"retold:wrong").decode()
    assert httpx.get(f"{url}/docs", headers={"Authorization": "Basic " + wrong}).status_code == 401
    assert httpx.get(f"{url}/openapi.json", headers={k: v.encode() for k, v in bearer.items()}).status_code == 200
    assert httpx.get(f"{url}/").status_code == 200  # the page asks for the token itself


def test_unexpected_error_is_a_generic_500_with_an_id_in_the_log(tmp_path, caplog):
    """A bug cannot be caused on purpose in retold's own code, so this route raises one (a fake, in process)."""
    from fastapi.testclient import TestClient

    from retold.serve import create_app

    app = create_app(db=tmp_path / "jobs.sqlite3")

    @app.get("/v1/boom")
    def boom():
        raise RuntimeError("secret detail from deep inside")

    with caplog.at_level("ERROR", logger="retold.serve"):
        response = TestClient(app).get("/v1/boom")
    assert response.status_code == 500
    detail = response.json()["detail"]
    assert "secret" not in response.text and "Traceback" not in response.text
    error_id = detail.split()[2].rstrip(":")
    assert any(error_id in r.getMessage() and r.exc_info for r in caplog.records)


def is_worker(pid: int | str) -> bool:
    try:
        return b"spawn_main" in Path(f"/proc/{pid}/cmdline").read_bytes()  # a zombie's is empty
    except FileNotFoundError:
        return False


def find_worker(server: subprocess.Popen) -> int:
    """The pid of the server's worker process (a child spawned by multiprocessing)."""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        for children in glob.glob(f"/proc/{server.pid}/task/*/children"):
            for pid in Path(children).read_text().split():
                if is_worker(pid):
                    return int(pid)
        time.sleep(0.2)
    raise AssertionError("no worker process")


def wait_status(url: str, job: dict, status: str, seconds: float = 300) -> dict:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        state = httpx.get(url + job["url"]).json()
        if state["status"] == status:
            return state
        time.sleep(0.1)
    raise AssertionError(f"job {job['id']} never {status}")


def test_queue_bound_cancel_and_a_crashing_worker(start, source_text):
    """Jobs run in a worker process: a real crash (SIGKILL) fails its job clearly and the next job runs."""
    url, process = start("--max-queued", "1")
    slow = {"text": source_text, "engine": "local", "model": "smollm2"}
    fast = {"text": source_text, "engine": "rules", "words": 100}
    running = httpx.post(f"{url}/v1/rewrite", json=slow, timeout=120).json()
    wait_status(url, running, "running")
    queued = httpx.post(f"{url}/v1/rewrite", json=fast, timeout=120).json()
    full = httpx.post(f"{url}/v1/rewrite", json=fast, timeout=120)
    assert full.status_code == 503 and int(full.headers["retry-after"]) > 0

    assert httpx.delete(url + queued["url"]).json()["action"] == "cancelled"
    cancelled = httpx.get(url + queued["url"]).json()
    assert cancelled["status"] == "failed" and "cancelled" in cancelled["error"]
    assert httpx.delete(url + queued["url"]).json()["action"] == "deleted"
    assert httpx.get(url + queued["url"]).status_code == 404

    after = httpx.post(f"{url}/v1/rewrite", json=fast, timeout=120).json()  # room again
    os.kill(find_worker(process), signal.SIGKILL)  # a native crash, for real
    crashed = wait_job(url, running)
    assert crashed["status"] == "failed" and "worker process" in crashed["error"] and "SIGKILL" in crashed["error"]
    assert wait_job(url, after)["status"] == "done"  # the next job, in a new worker
    assert process.poll() is None and httpx.get(f"{url}/healthz").status_code == 200

    again = httpx.post(f"{url}/v1/rewrite", json=slow, timeout=120).json()  # cancelling a running job
    wait_status(url, again, "running")
    worker = find_worker(process)
    assert httpx.delete(url + again["url"]).json()["action"] == "cancelled"
    state = wait_job(url, again)
    assert state["status"] == "failed" and state["error"] == "cancelled by a client"
    last = httpx.post(f"{url}/v1/rewrite", json=fast, timeout=120).json()
    assert wait_job(url, last)["status"] == "done" and find_worker(process) != worker


def echo(request: dict, progress) -> tuple[dict, str, str]:
    """A job's work for the store test (it runs in the worker process, which imports this module)."""
    if request.get("fail"):
        raise RuntimeError("secret detail from the worker")
    progress(1, 1, None)
    return request, "md", "<p>html</p>"


def test_store_retention_and_unexpected_job_errors(tmp_path):
    from retold.jobs import JobStore

    def finish(store: JobStore, job_id: str) -> dict:
        deadline = time.monotonic() + 300
        while (job := store.get(job_id))["status"] not in ("done", "failed"):
            assert time.monotonic() < deadline
            time.sleep(0.1)
        return job

    path = tmp_path / "jobs.sqlite3"
    store = JobStore(path, echo, keep_days=None)
    old, recent = store.submit({"n": 1}), store.submit({"n": 2})
    failed = store.submit({"fail": True})
    assert finish(store, old)["result"] == {"n": 1} and finish(store, recent)["status"] == "done"
    error = finish(store, failed)["error"]
    assert "unexpectedly" in error and "secret" not in error
    store.close()
    with sqlite3.connect(path) as db:  # 40 and 10 days pass for two of them (the clock is the one thing faked)
        db.execute("UPDATE jobs SET updated = updated - 40 * 86400 WHERE id = ?", (old,))
        db.execute("UPDATE jobs SET updated = updated - 10 * 86400 WHERE id = ?", (recent,))
    store = JobStore(path, echo, keep_days=30)  # purges when it opens
    try:
        assert store.get(old) is None and store.get(recent) is not None and store.get(failed) is not None
        assert store.purge(keep_days=5) == 1 and store.get(recent) is None
        assert store.purge(keep_days=0) == 1 and store.get(failed) is None
    finally:
        store.close()
