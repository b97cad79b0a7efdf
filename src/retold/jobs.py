"""Rewrite jobs, kept in SQLite: a restart loses no finished result and leaves no job running forever."""

from __future__ import annotations

import json
import sqlite3
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Callable

_SCHEMA = """
CREATE TABLE IF NOT EXISTS jobs (
    id TEXT PRIMARY KEY,
    status TEXT NOT NULL,              -- queued | running | done | failed
    created REAL NOT NULL,
    updated REAL NOT NULL,
    request TEXT NOT NULL,             -- JSON
    progress TEXT,                     -- JSON: {"done", "total", "seconds_left"}
    result TEXT,                       -- JSON (the rewrite with its check report)
    markdown TEXT,
    html TEXT,
    error TEXT
)
"""
_COLUMNS = ("id", "status", "created", "updated", "progress", "result", "markdown", "html", "error")
INTERRUPTED = "interrupted: the server stopped before this job finished"


class JobStore:
    """Jobs run one at a time on a worker thread (a local model uses every core); state lives in SQLite."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute(_SCHEMA)
        self._lock = threading.Lock()
        self._worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="retold-job")
        self._write(
            "UPDATE jobs SET status='failed', error=?, updated=? WHERE status IN ('queued', 'running')",
            INTERRUPTED, time.time(),
        )

    def _write(self, sql: str, *args: Any) -> None:
        with self._lock:
            self._db.execute(sql, args)

    def submit(self, request: dict[str, Any], work: Callable[[dict[str, Any], Callable], tuple[dict, str, str]]) -> str:
        job_id = uuid.uuid4().hex
        now = time.time()
        self._write("INSERT INTO jobs (id, status, created, updated, request) VALUES (?, 'queued', ?, ?, ?)",
                    job_id, now, now, json.dumps(request))
        self._worker.submit(self._run, job_id, request, work)
        return job_id

    def _run(self, job_id: str, request: dict[str, Any], work: Callable) -> None:
        self._write("UPDATE jobs SET status='running', updated=? WHERE id=?", time.time(), job_id)

        def progress(done: int, total: int, left: float | None) -> None:
            state = {"done": done, "total": total, "seconds_left": None if left is None else round(left, 1)}
            self._write("UPDATE jobs SET progress=?, updated=? WHERE id=?", json.dumps(state), time.time(), job_id)

        try:
            result, markdown, html = work(request, progress)
        except Exception as exc:  # the job fails; the server goes on
            self._write("UPDATE jobs SET status='failed', error=?, updated=? WHERE id=?",
                        str(exc) or exc.__class__.__name__, time.time(), job_id)
            return
        self._write("UPDATE jobs SET status='done', result=?, markdown=?, html=?, updated=? WHERE id=?",
                    json.dumps(result, ensure_ascii=False), markdown, html, time.time(), job_id)

    def get(self, job_id: str) -> dict[str, Any] | None:
        with self._lock:
            row = self._db.execute(f"SELECT {', '.join(_COLUMNS)} FROM jobs WHERE id=?", (job_id,)).fetchone()
        if row is None:
            return None
        job = dict(zip(_COLUMNS, row))
        for key in ("progress", "result"):
            job[key] = json.loads(job[key]) if job[key] else None
        return job

    def close(self) -> None:
        self._worker.shutdown(wait=False, cancel_futures=True)
        self._db.close()
