"""Worker processes on this machine (spawned: each imports retold and loads its models once).

Groups of items go through one queue; a worker takes a whole group (the items sharing a source) and sends
back a line per item as each finishes. A worker that dies fails the rest of its group and is replaced.
"""

from __future__ import annotations

import multiprocessing
import os
import queue
import signal
import threading
import time
from collections.abc import Iterator
from typing import Any

from retold.batch.items import Item, Task
from retold.batch.work import Options, error_row, peak_rss_mb, process, setup_worker, worker_environment
from retold.errors import RetoldError


def run(task: Task, groups: list[list[Item]], options: Options, summary: bool, workers: int, threads: int,
        stats: dict[str, Any]) -> Iterator[dict[str, Any]]:
    ctx = multiprocessing.get_context("spawn")
    tasks, results = ctx.Queue(), ctx.Queue()
    for number, group in enumerate(groups):
        tasks.put((number, group))
    left = {number: [item.id for item in group] for number, group in enumerate(groups)}
    procs: dict[int, Any] = {}
    current: dict[int, int] = {}  # worker pid -> the group it is on
    exited: set[int] = set()

    def start() -> None:
        proc = ctx.Process(target=_worker, args=(tasks, results, task, options, summary, threads), daemon=True)
        with worker_environment(threads):
            proc.start()
        assert proc.pid is not None  # started
        procs[proc.pid] = proc

    count = max(1, min(workers, len(groups)))
    for _ in range(count):
        tasks.put(None)
        start()
    try:
        while any(left.values()):
            try:
                message = results.get(timeout=0.5)
            except queue.Empty:
                for pid, proc in list(procs.items()):
                    if proc.exitcode is not None and pid not in exited:  # died: fail what it had left
                        exited.add(pid)
                        if proc.exitcode == 0:  # ended normally; its last message is already read
                            continue
                        if pid not in current:  # died before taking any work: replacing it would loop
                            raise RetoldError(f"a batch worker process could not start (exit code {proc.exitcode})") from None
                        number = current.pop(pid)
                        for item_id in left.pop(number, []):
                            yield error_row(item_id, f"the worker process died (exit code {proc.exitcode})")
                        if any(left.values()):
                            tasks.put(None)
                            start()
                continue
            kind, pid, *rest = message
            if kind == "start":
                current[pid] = rest[0]
            elif kind == "row":
                number, row = rest
                if row["id"] in left.get(number, []):
                    left[number].remove(row["id"])
                    yield row
            elif kind == "exit":
                exited.add(pid)
                stats.setdefault("peak_rss_mb", []).append(rest[0])
        for proc in procs.values():  # each takes its end marker and reports its memory
            proc.join(timeout=30)
        while True:
            try:
                kind, pid, *rest = results.get(timeout=0.2)
            except queue.Empty:
                break
            if kind == "exit" and pid not in exited:
                stats.setdefault("peak_rss_mb", []).append(rest[0])
    finally:
        for proc in procs.values():
            if proc.is_alive():
                proc.terminate()
        for proc in procs.values():
            proc.join(timeout=10)
        tasks.cancel_join_thread()
        results.cancel_join_thread()


def _worker(tasks: Any, results: Any, task: Task, options: Options, summary: bool, threads: int) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the driver's to handle: it stops the workers
    setup_worker(threads)
    threading.Thread(target=_exit_with_parent, args=(os.getppid(),), daemon=True).start()
    pid = os.getpid()
    while (got := tasks.get()) is not None:
        number, group = got
        results.put(("start", pid, number))
        for item in group:
            results.put(("row", pid, number, process(task, item, options, summary)))
    results.put(("exit", pid, peak_rss_mb()))


def _exit_with_parent(parent: int) -> None:
    """A driver killed with SIGKILL cannot stop its workers: they notice it is gone and exit."""
    while os.getppid() == parent:
        time.sleep(1)
    os._exit(1)
