"""Check or rewrite many articles: in worker processes on this machine or on a Ray cluster, resumably.

    for result in retold.batch.check([{"id": "a", "source": src, "rewrite": text}], workers=2):
        print(result.id, result.status, result.result["document"]["verdict_counts"])

Results are yielded as they finish (not in input order). ``run_file`` is what ``retold batch`` does: it reads
INPUT, skips the ids already in the output file, appends a whole line per finished item and counts.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from retold.batch.items import Item, Task, read_items
from retold.batch.journal import Journal
from retold.batch.work import Options, process
from retold.errors import ConfigError
from retold.options import CheckOptions, RewriteOptions
from retold.settings import settings

__all__ = ["Item", "Result", "Totals", "check", "read_items", "rewrite", "run", "run_file"]


@dataclass
class Result:
    id: str
    status: str  # ok or error
    error: str | None  # one line, when status is error
    seconds: float
    result: dict[str, Any] | None  # the check report or the rewrite JSON (or its summary)

    @property
    def ok(self) -> bool:
        return self.status == "ok"

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "status": self.status, "error": self.error, "seconds": self.seconds,
                "result": self.result}


def check(items: Iterable[Item | Mapping[str, Any]], options: CheckOptions | None = None, *,
          workers: int | None = None, ray: str | bool | None = None, summary: bool = False,
          stats: dict[str, Any] | None = None) -> Iterator[Result]:
    """Check each item (``{"id", "source", "rewrite"}`` or an ``Item``); yield a Result as each finishes."""
    return run("check", items, options or CheckOptions(), workers=workers, ray=ray, summary=summary, stats=stats)


def rewrite(items: Iterable[Item | Mapping[str, Any]], options: RewriteOptions | None = None, *,
            workers: int | None = None, ray: str | bool | None = None, summary: bool = False,
            stats: dict[str, Any] | None = None) -> Iterator[Result]:
    """Rewrite each item (``{"id", "text"}`` or an ``Item``); yield a Result as each finishes."""
    return run("rewrite", items, options or RewriteOptions(), workers=workers, ray=ray, summary=summary,
               stats=stats)


def run(task: Task, items: Iterable[Item | Mapping[str, Any]], options: Options, *, workers: int | None = None,
        ray: str | bool | None = None, summary: bool = False, stats: dict[str, Any] | None = None
        ) -> Iterator[Result]:
    """The items, checked or rewritten by ``workers`` processes (default: one per core; 0: in this process)
    or, with ``ray`` (True for a local instance, or a cluster's address), by as many Ray actors.
    Items that share a source go to the same worker, one after another. ``stats`` (a dict) receives
    ``first_result_s`` and ``peak_rss_mb`` (one value per worker process)."""
    if task not in ("check", "rewrite"):
        raise ConfigError(f"unknown batch task '{task}' (choose check or rewrite)")
    wanted = CheckOptions if task == "check" else RewriteOptions
    if not isinstance(options, wanted):
        raise ConfigError(f"batch {task} takes {wanted.__name__}, not {type(options).__name__}")
    if workers is not None and workers < 0:
        raise ConfigError("--workers must be 0 (this process) or more")
    return _run(task, [_as_item(task, item) for item in items], options, workers, ray, summary,
                stats if stats is not None else {})


def _run(task: Task, items: list[Item], options: Options, workers: int | None, ray: str | bool | None,
         summary: bool, stats: dict[str, Any]) -> Iterator[Result]:
    started = time.perf_counter()
    groups: dict[str, list[Item]] = {}
    for item in items:
        if item.error:  # unreadable: recorded at once, no worker needed
            yield _result(process(task, item, options), started, stats)
        else:
            groups.setdefault(item.group, []).append(item)
    if not groups:
        return
    cores = os.cpu_count() or 1
    # each worker gets its share of this machine's cores (RETOLD_THREADS, when set, is each worker's share)
    threads = settings().threads if os.environ.get("RETOLD_THREADS") else None
    if ray:
        from retold.batch import cluster

        local_ray = ray is True
        threads = threads or (max(1, cores // workers) if workers and local_ray else 1)
        rows = cluster.run(task, list(groups.values()), options, summary, workers, threads,
                           None if local_ray else str(ray), stats)
    elif workers == 0:
        rows = (process(task, item, options, summary) for group in groups.values() for item in group)
    else:
        from retold.batch import local

        workers = workers or cores
        rows = local.run(task, list(groups.values()), options, summary, workers,
                         threads or max(1, cores // workers), stats)
    for row in rows:
        yield _result(row, started, stats)


def _result(row: dict[str, Any], started: float, stats: dict[str, Any]) -> Result:
    stats.setdefault("first_result_s", time.perf_counter() - started)
    return Result(**row)


def _as_item(task: Task, item: Item | Mapping[str, Any]) -> Item:
    if isinstance(item, Item):
        return item
    fields = ("source", "rewrite") if task == "check" else ("text",)
    values = {f: item.get(f) for f in fields}
    if "id" not in item or not all(isinstance(v, (str, bytes)) for v in values.values()):
        raise ConfigError(f"a batch {task} item needs {', '.join(('id', *fields))} (text)")
    raw: dict[str, bytes] = {f: v.encode() if isinstance(v, str) else v for f, v in values.items()}  # type: ignore[misc]
    if task == "check":
        return Item(id=str(item["id"]), text=raw["rewrite"], source=raw["source"])
    return Item(id=str(item["id"]), text=raw["text"])


@dataclass
class Totals:
    items: int = 0  # in the input
    skipped: int = 0  # already in the output
    done: int = 0  # finished in this run (ok or failed)
    failed: int = 0  # failed in this run
    failed_before: int = 0  # skipped, but failed in an earlier run
    seconds: float = 0.0
    interrupted: bool = False
    stats: dict[str, Any] = field(default_factory=dict)

    @property
    def rate(self) -> float:
        return self.done / self.seconds if self.seconds > 0 else 0.0

    @property
    def all_ok(self) -> bool:
        return not (self.failed or self.failed_before or self.interrupted)

    def line(self) -> str:
        left = self.items - self.skipped - self.done
        parts = [f"{self.done} done", f"{self.failed} failed", f"{self.rate:.2f} items/s"]
        if self.skipped:
            parts.append(f"{self.skipped} already in the output ({self.failed_before} of them failed)")
        if left:
            parts.append(f"{left} left: run the same command again to resume")
        return ("interrupted: " if self.interrupted else "") + ", ".join(parts)


def run_file(task: Task, input_path: str, output: str, options: Options, *, rewrites: str | None = None,
             workers: int | None = None, ray: str | bool | None = None, summary: bool = False,
             retry_failed: bool = False, on_start: Callable[[Totals], None] | None = None,
             on_result: Callable[[Result], None] | None = None) -> Totals:
    """INPUT to OUTPUT (JSONL), resuming: ids already in OUTPUT are skipped, finished items appended.
    Ctrl-C (KeyboardInterrupt) stops the workers; what finished is kept, and ``interrupted`` is set."""
    items = read_items(task, input_path, rewrites)
    totals = Totals(items=len(items))
    started = time.perf_counter()
    with Journal(output) as journal:
        todo = [item for item in items if not journal.done(item.id, retry_failed)]
        totals.skipped = len(items) - len(todo)
        totals.failed_before = sum(1 for item in items if journal.done(item.id, retry_failed)
                                   and journal.status[item.id] != "ok")
        if on_start:
            on_start(totals)
        try:
            for result in run(task, todo, options, workers=workers, ray=ray, summary=summary,
                              stats=totals.stats):
                journal.write(result.to_dict())
                totals.done += 1
                totals.failed += not result.ok
                if on_result:
                    on_result(result)
        except KeyboardInterrupt:
            totals.interrupted = True
        totals.seconds = time.perf_counter() - started
    return totals
