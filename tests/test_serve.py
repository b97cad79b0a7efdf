"""retold serve: the HTTP API against a real uvicorn on 127.0.0.1."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import httpx
import pytest

from conftest import ROOT, free_port, wait_for


def start_server(db, **env) -> tuple[str, subprocess.Popen]:
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "retold", "serve", "--port", str(port), "--db", str(db)],
        cwd=ROOT, env=os.environ | env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    wait_for(f"{url}/healthz", process)
    return url, process


def stop(process: subprocess.Popen, sig=signal.SIGTERM) -> None:
    process.send_signal(sig)
    process.wait(timeout=30)


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    url, process = start_server(tmp_path_factory.mktemp("serve") / "jobs.sqlite3")
    yield url
    stop(process)


def wait_job(url: str, job: dict, seconds: float = 240) -> dict:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        state = httpx.get(url + job["url"]).json()
        if state["status"] in ("done", "failed"):
            return state
        time.sleep(0.5)
    raise AssertionError(f"job {job['id']} did not finish")


def test_health_and_docs(server):
    assert httpx.get(f"{server}/healthz").json()["status"] == "ok"
    assert httpx.get(f"{server}/docs").status_code == 200
    paths = httpx.get(f"{server}/openapi.json").json()["paths"]
    assert {"/v1/extract", "/v1/check", "/v1/rewrite", "/v1/jobs/{job_id}"} <= set(paths)


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
    data = httpx.post(f"{server}/v1/extract", json={"text": source_text}).json()
    assert data["headline"] == "Iran stresses urgency of implementing security agreement with Iraq"
    assert not any("NEWSLETTER" in p for p in data["paragraphs"])


def test_bad_requests(server):
    too_big = "x" * 4_000_001
    assert httpx.post(f"{server}/v1/check", json={"source": too_big, "rewrite": "y"}).status_code == 413
    chunked = httpx.post(f"{server}/v1/check", content=iter([b'{"source": "a", ', b'"rewrite": "b"}']),
                         headers={"content-type": "application/json"})
    assert chunked.status_code == 411
    response = httpx.post(f"{server}/v1/check", content=b"{not json", headers={"content-type": "application/json"})
    assert response.status_code == 422 and "JSON" in json.dumps(response.json())
    response = httpx.post(f"{server}/v1/check", json={"source": 5, "rewrite": ["a"]})
    assert response.status_code == 422 and "source" in json.dumps(response.json())
    response = httpx.post(f"{server}/v1/check", json={"source": "", "rewrite": "Something."})
    assert response.status_code == 422 and response.json()["detail"] == "the source is empty"
    response = httpx.post(f"{server}/v1/rewrite", json={"text": "Text.", "engine": "openai"})
    assert response.status_code == 422
    assert httpx.get(f"{server}/v1/jobs/nope").status_code == 404


def test_rewrite_job_with_progress_stream(server, source_text):
    job = httpx.post(f"{server}/v1/rewrite", json={"text": source_text, "engine": "rules", "words": 150}).json()
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


def test_restart_keeps_results_and_fails_interrupted_jobs(tmp_path, source_text):
    db = tmp_path / "jobs.sqlite3"
    url, process = start_server(db)
    finished = wait_job(url, httpx.post(f"{url}/v1/rewrite", json={"text": source_text, "engine": "rules"}).json())
    assert finished["status"] == "done"
    running = httpx.post(f"{url}/v1/rewrite", json={"text": source_text, "engine": "local", "model": "smollm2"}).json()
    while httpx.get(url + running["url"]).json()["status"] != "running":
        time.sleep(0.1)
    stop(process, signal.SIGKILL)  # a crash: nothing gets to clean up

    url, process = start_server(db)
    try:
        assert httpx.get(url + f"/v1/jobs/{finished['id']}").json()["result"] == finished["result"]
        interrupted = httpx.get(url + running["url"]).json()
        assert interrupted["status"] == "failed" and "interrupted" in interrupted["error"]
    finally:
        stop(process)


def test_api_token(tmp_path, source_text):
    url, process = start_server(tmp_path / "jobs.sqlite3", RETOLD_API_TOKEN="s3cret")
    try:
        body = {"text": source_text}
        assert httpx.post(f"{url}/v1/extract", json=body).status_code == 401
        assert httpx.post(f"{url}/v1/extract", json=body, headers={"Authorization": "Bearer wrong"}).status_code == 401
        assert httpx.post(f"{url}/v1/extract", json=body, headers={"Authorization": "Bearer s3cret"}).status_code == 200
        assert httpx.get(f"{url}/healthz").status_code == 200
    finally:
        stop(process)
