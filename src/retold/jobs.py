"""Rewrite jobs, kept in SQLite and run one at a time in a child process.

A restart loses no finished result and leaves no job running forever. The work runs in one worker
process (spawned, not forked), so a native crash in the model (llama.cpp has segfaulted on CPUs with
AMX) fails that job with a clear error and leaves the server and the other jobs running: the next
job gets a new worker. Queued jobs are bounded (``max_queued``), and finished jobs are kept
``keep_days`` days.
"""

from __future__ import annotations

import json
import logging
import multiprocessing
import os
import signal
import sqlite3
import sys
import threading
import time
import traceback
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from retold.errors import RetoldError

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
);
CREATE INDEX IF NOT EXISTS jobs_status_updated ON jobs (status, updated);
"""
_COLUMNS = ("id", "status", "created", "updated", "progress", "result", "markdown", "html", "error")
INTERRUPTED = "interrupted: the server stopped before this job finished"
CANCELLED = "cancelled by a client"
FINISHED = ("done", "failed")

Work = Callable[[dict[str, Any], Callable[[int, int, "float | None"], None]], tuple[dict, str, str]]
"""A job's work: (request, progress) → (result JSON, Markdown, HTML). Must pickle (a module-level function)."""

log = logging.getLogger("retold.jobs")


class QueueFull(RetoldError):
    """As many jobs are queued as the store allows; try again later."""


class WorkerDied(RetoldError):
    """The worker process ended in the middle of a job (a native crash, killed, out of memory)."""


class JobStore:
    """Jobs run one at a time (a local model uses every core) in a worker process; state lives in SQLite.

    ``max_queued`` bounds the jobs waiting to run (``submit`` raises ``QueueFull`` past it); finished
    jobs older than ``keep_days`` days are deleted when the store opens and at every submit
    (``None``: kept forever). ``purge`` does it on demand.
    """

    def __init__(self, path: Path, work: Work, *, max_queued: int = 20, keep_days: float | None = 30) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.executescript(_SCHEMA)
        self._lock = threading.Lock()
        self.max_queued = max_queued
        self.keep_days = keep_days
        self._worker = _Worker(work)
        self._running: str | None = None
        self._dispatch = ThreadPoolExecutor(max_workers=1, thread_name_prefix="retold-job")
        self._write(
            "UPDATE jobs SET status='failed', error=?, updated=? WHERE status IN ('queued', 'running')",
            INTERRUPTED, time.time(),
        )
        self.purge()
        self._dispatch.submit(self._worker.start)  # warm: the first job need not wait for the imports

    def _write(self, sql: str, *args: Any) -> int:
        with self._lock:
            return self._db.execute(sql, args).rowcount

    def submit(self, request: dict[str, Any]) -> str:
        """Queue a job; raises ``QueueFull`` when ``max_queued`` jobs are already waiting."""
        self.purge()
        job_id = uuid.uuid4().hex
        now = time.time()
        with self._lock:
            (queued,) = self._db.execute("SELECT COUNT(*) FROM jobs WHERE status='queued'").fetchone()
            if queued >= self.max_queued:
                raise QueueFull(f"{queued} rewrite jobs are waiting, the most this server queues; try again later")
            self._db.execute("INSERT INTO jobs (id, status, created, updated, request) VALUES (?, 'queued', ?, ?, ?)",
                             (job_id, now, now, json.dumps(request)))
        self._dispatch.submit(self._run, job_id, request)
        return job_id

    def _run(self, job_id: str, request: dict[str, Any]) -> None:
        with self._lock:  # a job cancelled while it waited is not started
            if not self._db.execute("UPDATE jobs SET status='running', updated=? WHERE id=? AND status='queued'",
                                    (time.time(), job_id)).rowcount:
                return
            self._running = job_id

        def progress(done: int, total: int, left: float | None) -> None:
            state = {"done": done, "total": total, "seconds_left": None if left is None else round(left, 1)}
            self._write("UPDATE jobs SET progress=?, updated=? WHERE id=? AND status='running'",
                        json.dumps(state), time.time(), job_id)

        try:
            result, markdown, html = self._worker.run(job_id, request, progress)
        except RetoldError as exc:  # the job fails; the server goes on
            self._write("UPDATE jobs SET status='failed', error=?, updated=? WHERE id=? AND status='running'",
                        str(exc), time.time(), job_id)
        else:
            self._write("UPDATE jobs SET status='done', result=?, markdown=?, html=?, updated=? "
                        "WHERE id=? AND status='running'",
                        json.dumps(result, ensure_ascii=False), markdown, html, time.time(), job_id)
        finally:
            with self._lock:
                self._running = None

    def get(self, job_id: str) -> dict[str, Any] | None:
        with self._lock:
            row = self._db.execute(f"SELECT {', '.join(_COLUMNS)} FROM jobs WHERE id=?", (job_id,)).fetchone()
        if row is None:
            return None
        job = dict(zip(_COLUMNS, row))
        for key in ("progress", "result"):
            job[key] = json.loads(job[key]) if job[key] else None
        return job

    def delete(self, job_id: str) -> str | None:
        """Cancel a queued or running job (it fails as cancelled; a running one's worker is stopped),
        or delete a finished one. Returns ``"cancelled"``, ``"deleted"``, or None for no such job."""
        with self._lock:
            row = self._db.execute("SELECT status FROM jobs WHERE id=?", (job_id,)).fetchone()
            if row is None:
                return None
            if row[0] in FINISHED:
                self._db.execute("DELETE FROM jobs WHERE id=?", (job_id,))
                return "deleted"
            self._db.execute("UPDATE jobs SET status='failed', error=?, updated=? WHERE id=?",
                             (CANCELLED, time.time(), job_id))
            if self._running == job_id:
                self._worker.stop()
            return "cancelled"

    def purge(self, keep_days: float | None = None) -> int:
        """Delete finished jobs last updated more than ``keep_days`` days ago (default: the store's
        ``keep_days``; nothing when that is None). Returns how many were deleted."""
        days = self.keep_days if keep_days is None else keep_days
        if days is None:
            return 0
        return self._write("DELETE FROM jobs WHERE status IN ('done', 'failed') AND updated < ?",
                           time.time() - days * 86400)

    def close(self) -> None:
        self._dispatch.shutdown(wait=False, cancel_futures=True)
        self._worker.stop()
        self._db.close()


class _Worker:
    """One spawned child process that runs jobs, one at a time; started again after it dies."""

    def __init__(self, work: Work) -> None:
        self._work = work
        self._process: multiprocessing.process.BaseProcess | None = None
        self._conn: Connection | None = None

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process is not None else None

    def start(self) -> None:
        if self._process is not None and self._process.is_alive():
            return
        context = multiprocessing.get_context("spawn")
        ours, theirs = context.Pipe()
        self._process = context.Process(target=_serve, args=(theirs, self._work, os.getpid()),
                                        name="retold-worker", daemon=True)
        self._process.start()
        theirs.close()  # so that our end reads EOF when the child dies
        self._conn = ours

    def run(self, job_id: str, request: dict[str, Any], progress: Callable) -> tuple[dict, str, str]:
        self.start()
        process, conn = self._process, self._conn
        assert process is not None and conn is not None  # start() made them
        try:
            conn.send((job_id, request))
            while True:
                kind, *payload = conn.recv()
                if kind == "progress":
                    progress(*payload)
                elif kind == "error":
                    raise RetoldError(payload[0])
                else:
                    return payload[0]
        except (EOFError, OSError):
            process.join(10)
            conn.close()
            log.warning("retold: the worker process died in job %s (%s)", job_id, _how(process.exitcode))
            raise WorkerDied(f"the worker process running this job died ({_how(process.exitcode)}); "
                             "the job failed, and the next job gets a new worker") from None

    def stop(self) -> None:
        """Kill the worker (the dispatching thread sees it die); the next job starts a new one."""
        if self._process is not None and self._process.is_alive():
            self._process.kill()


def _how(exitcode: int | None) -> str:
    if exitcode is None:
        return "it stopped answering"
    if exitcode < 0:
        name = signal.Signals(-exitcode).name
        native = " (a native crash, e.g. in llama.cpp)" if name in ("SIGSEGV", "SIGBUS", "SIGILL", "SIGABRT") else ""
        return f"killed by {name}{native}"
    return f"exit status {exitcode}"


def _serve(conn, work: Work, parent: int) -> None:
    """The worker process: run each job it is sent, report progress, result or a one-line error."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C in the server's terminal stops the server, which stops us

    def orphaned() -> None:  # the server was killed without stopping us: stop too
        while os.getppid() == parent:
            time.sleep(1)
        os._exit(1)

    threading.Thread(target=orphaned, daemon=True).start()
    while True:
        try:
            job_id, request = conn.recv()
        except (EOFError, OSError):
            return

        def progress(done: int, total: int, left: float | None) -> None:
            conn.send(("progress", done, total, left))

        try:
            conn.send(("done", work(request, progress)))
        except RetoldError as exc:
            conn.send(("error", str(exc)))
        except Exception:  # a bug: the details go to the log, never to the client
            error_id = uuid.uuid4().hex[:12]
            print(f"retold: error {error_id} in job {job_id}:\n{traceback.format_exc()}", file=sys.stderr, flush=True)
            conn.send(("error", f"the job failed unexpectedly (error {error_id}: the server's log has the details)"))
