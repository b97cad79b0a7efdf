"""retold batch: items per second, memory per worker and time to the first result, on worker processes and Ray.

Check: 500 (source, claim) items from ../shared/data/faithfulness/, several claims per source: the sets are
taken in name order and, in turn, one source at a time from each (sources in file order, those with at least 3
claims), up to 5 claims of each source, until 500 (a fixed rule, not picked by result). Run with 1 and 2
worker processes and on a local Ray instance with 2 actors. Rewrite: the first 20 pages (by sha256 key) of the
extraction set whose ground-truth body is 150 to 900 words, as HTML, with the rules engine on 2 workers.

Memory is each worker's peak resident set (ru_maxrss). Time to the first result includes starting the workers
and loading their models. The machine is shared: the load average (1 min) before and after each run is
reported beside it.

    python bench/batch.py [--items 500] [--rewrites 20] [--runs w1,w2,ray,rewrite] [--no-write]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _report import DATA, ROOT, write_section  # noqa: E402

import retold.batch  # noqa: E402
from retold.options import CheckOptions, RewriteOptions  # noqa: E402

OUT = ROOT / "bench" / "out"
PER_SOURCE, MIN_CLAIMS = 5, 3


def check_items(count: int) -> list[dict]:
    by_set = []
    for path in sorted((DATA / "faithfulness").glob("*.jsonl")):
        sources: dict[str, list[dict]] = defaultdict(list)
        with path.open() as handle:
            for line in handle:
                row = json.loads(line)
                sources[row["source"]].append(row)
        by_set.append([rows[:PER_SOURCE] for rows in sources.values() if len(rows) >= MIN_CLAIMS])
    items: list[dict] = []
    for turn in range(max(len(s) for s in by_set)):
        for groups in by_set:
            if turn < len(groups):
                items += [{"id": r["id"], "source": r["source"], "rewrite": r["claim"]} for r in groups[turn]]
            if len(items) >= count:
                return items[:count]
    return items


def rewrite_items(count: int) -> list[dict]:
    from retold.language import detect_language

    truth = json.loads((DATA / "extraction" / "ground-truth.json").read_text())
    items = []
    for key in sorted(truth):
        body = truth[key]["articleBody"]
        page = DATA / "extraction" / "html" / f"{key}.html.gz"
        if page.exists() and 150 <= len(body.split()) <= 900 and detect_language(body) == "en":
            items.append({"id": key[:12], "text": page.read_bytes()})  # gzip: the batch unpacks it
        if len(items) == count:
            break
    return items


def measure(name: str, task: str, items: list[dict], **how) -> dict:
    load_before = os.getloadavg()[0]
    stats: dict = {}
    started = time.perf_counter()
    results = list(retold.batch.run(task, items, CheckOptions() if task == "check" else RewriteOptions(engine="rules"),
                                    stats=stats, **how))
    seconds = time.perf_counter() - started
    failed = [r for r in results if not r.ok]
    row = {
        "run": name, "items": len(results), "failed": len(failed), "seconds": round(seconds, 1),
        "items_per_s": round(len(results) / seconds, 2), "first_result_s": round(stats.get("first_result_s", 0), 1),
        "peak_rss_mb": [round(m) for m in stats.get("peak_rss_mb", [])],
        "item_seconds_median": round(statistics.median(r.seconds for r in results), 3),
        "load_before": round(load_before, 1), "load_after": round(os.getloadavg()[0], 1),
        "errors": sorted({r.error for r in failed})[:5],
    }
    if task == "check":  # failures by source: a source retold cannot read fails all of its claims
        source_of = {item["id"]: item["source"] for item in items}
        row["failed_sources"] = len({source_of[r.id] for r in failed})
    print(json.dumps(row), flush=True)
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=500)
    parser.add_argument("--rewrites", type=int, default=20)
    parser.add_argument("--runs", default="w1,w2,ray,rewrite")
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()
    runs = args.runs.split(",")
    checks = check_items(args.items)
    sources = len({item["source"] for item in checks})
    rows = []
    if "w1" in runs:
        rows.append(measure("check, 1 worker process", "check", checks, workers=1))
    if "w2" in runs:
        rows.append(measure("check, 2 worker processes", "check", checks, workers=2))
    if "ray" in runs:
        rows.append(measure("check, local Ray, 2 actors", "check", checks, workers=2, ray=True))
    if "rewrite" in runs:
        rows.append(measure("rewrite (rules), 2 worker processes", "rewrite", rewrite_items(args.rewrites), workers=2))
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "batch.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    if args.no_write:
        return
    table = ["| run | items | failed | seconds | items/s | first result (s) | peak memory per worker (MB) | median s per item | load before → after |",
             "| --- | ---: | ---: | ---: | ---: | ---: | --- | ---: | --- |"]
    for r in rows:
        table.append(f"| {r['run']} | {r['items']} | {r['failed']} | {r['seconds']} | {r['items_per_s']} | "
                     f"{r['first_result_s']} | {', '.join(map(str, r['peak_rss_mb']))} | {r['item_seconds_median']} | "
                     f"{r['load_before']} → {r['load_after']} |")
    notes = [f"- {r['run']}: {r['failed']} failed"
             + (f" (all the claims of {r['failed_sources']} sources)" if r.get("failed_sources") else "")
             + (": " + "; ".join(f"“{e}”" for e in r["errors"]) if r["errors"] else "") for r in rows if r["failed"]]
    body = (
        f"### Batch (`retold batch`)\n\n"
        f"{len(checks)} check items ({sources} sources, up to {PER_SOURCE} claims each, from the faithfulness "
        f"sets) and {args.rewrites} pages rewritten with the rules engine. The machine has 2 cores shared with "
        f"other work: the load average (1 min) before and after each run is beside it, and items/s is only "
        f"comparable between runs at a similar load.\n\n" + "\n".join(table)
        + ("\n\nFailed items (recorded, the batch went on):\n\n" + "\n".join(notes) if notes else "")
    )
    write_section("batch", body)


if __name__ == "__main__":
    main()
