"""One item, in a worker: decode it, check or rewrite it, and turn the outcome into its output line.

Nothing escapes: retold's own errors become the item's one-line error; anything else is a bug, recorded as
an internal error for that item so that the batch goes on.
"""

from __future__ import annotations

import os
import resource
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from retold.batch.items import Item, Task
from retold.errors import InputError, RetoldError
from retold.options import CheckOptions, RewriteOptions

Options = CheckOptions | RewriteOptions


THREAD_VARIABLES = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")
"""Read by the numeric libraries when they load: a worker process must start with them (as Ray's actors do)."""


def setup_worker(threads: int) -> None:
    """In a fresh worker process: its share of the cores for the models (set before any model loads)."""
    os.environ["RETOLD_THREADS"] = str(threads)


@contextmanager
def worker_environment(threads: int) -> Iterator[None]:
    """While worker processes start: their share of the cores for every library that reads it at import
    (a variable the user set is kept)."""
    changed = {name: str(threads) for name in ("RETOLD_THREADS", *THREAD_VARIABLES) if name not in os.environ}
    os.environ.update(changed)
    try:
        yield
    finally:
        for name in changed:
            os.environ.pop(name, None)


def error_row(item_id: str, message: str, seconds: float = 0.0) -> dict[str, Any]:
    return {"id": item_id, "status": "error", "error": " ".join(message.split()), "seconds": round(seconds, 3),
            "result": None}


def process(task: Task, item: Item, options: Options, summary: bool = False) -> dict[str, Any]:
    started = time.perf_counter()
    try:
        if item.error:
            raise InputError(item.error)
        result = _check(item, options, summary) if task == "check" else _rewrite(item, options, summary)
    except RetoldError as exc:
        return error_row(item.id, str(exc), time.perf_counter() - started)
    except Exception as exc:  # noqa: BLE001 (a bug in retold: this item fails, the batch goes on)
        return error_row(item.id, f"internal error: {type(exc).__name__}: {exc}", time.perf_counter() - started)
    return {"id": item.id, "status": "ok", "error": None, "seconds": round(time.perf_counter() - started, 3),
            "result": result}


def peak_rss_mb() -> float:
    """The most memory this process has held (resident set, MB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _check(item: Item, options: Options, summary: bool) -> dict[str, Any]:
    from retold.check import check
    from retold.inputs import decode

    assert isinstance(options, CheckOptions)
    report = check(decode(item.source, name="the source"), decode(item.text, name="the rewrite"), options)
    if not summary:
        return report.to_dict()
    return {"headline": report.source.headline, "verdict_counts": report.verdict_counts,
            "faithful": report.faithful, "copied_4gram_ratio": round(report.copied_4gram_ratio, 4),
            "copied_outside_quotes": round(report.copied_outside_quotes, 4)}


def _rewrite(item: Item, options: Options, summary: bool) -> dict[str, Any]:
    from retold.inputs import decode
    from retold.rewrite import rewrite

    assert isinstance(options, RewriteOptions)
    result = rewrite(decode(item.text, name="the article"), options)
    if not summary:
        return result.to_dict()
    return {"headline": result.headline, "verdict_counts": result.report.verdict_counts,
            "copied_4gram_ratio": round(result.report.copied_4gram_ratio, 4),
            "copied_outside_quotes": round(result.report.copied_outside_quotes, 4), "words": result.word_count,
            "fallback_share": round(result.fallback_share, 4), "warnings": result.warnings}
