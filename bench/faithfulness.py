"""The checker on public factual-consistency benchmarks: balanced accuracy, ROC AUC, claims per second.

Each row is (source document, claim, label). A claim counts as "not supported" when any of its
sentences is not `supported`. Rows are split by document: a document whose sha1 is even belongs to
the calibration half, odd to the report half. `--calibrate` chooses the support threshold on the
calibration half only (maximising the mean balanced accuracy over the sets) and reports the other
half with it; without it, only the report half is run, with `retold.check.SUPPORT_THRESHOLD`.

    python bench/faithfulness.py [--calibrate] [--cached] [--per-set N] [--sets a,b] [--jobs 2] [--no-write]

`--calibrate` picks the support threshold on the calibration half: the lowest threshold whose mean
balanced accuracy over the sets is within 0.01 of the best (where the benchmark cannot tell
thresholds apart, fewer false alarms win). Raw results are kept in bench/out/faithfulness.jsonl; `--cached` refits and reports from them
without running the checker again.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import statistics
import sys
import time
from collections import Counter, defaultdict
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _report import DATA, ROOT, write_section  # noqa: E402

CACHE = ROOT / "bench" / "out" / "faithfulness.jsonl"

NEWS = {"xsumfaith", "qags_cnndm", "qags_xsum", "summeval", "frank_valid", "polytope", "cliff", "goyal21", "fib", "factcc_subset"}
ANCHORS = "SummaC-ZS 72.1 / SummaC-Conv 74.4 balanced accuracy (SummaC benchmark); AlignScore-large 88.6 ROC AUC (SummaC); MiniCheck-Flan-T5 about 75 and GPT-4 about 75 balanced accuracy (LLM-AggreFact)"


def half(source: str) -> str:
    return "calibration" if int(hashlib.sha1(source.encode()).hexdigest(), 16) % 2 == 0 else "report"


def load(sets: list[str], per_set: int) -> list[dict]:
    rows = []
    files = sorted((DATA / "faithfulness").glob("*.jsonl")) + sorted((DATA / "paraphrase").glob("*.jsonl"))
    for path in files:
        name = path.stem
        if sets and name not in sets:
            continue
        with path.open() as handle:
            items = [json.loads(line) for line in handle]
        if per_set:  # a fixed, spread-out sample: every k-th row
            step = max(len(items) // per_set, 1)
            items = items[::step][:per_set]
        for item in items:
            rows.append({"set": name, "source": item["source"], "claim": item["claim"], "label": item["label"],
                         "half": half(item["source"]), "meta": item.get("meta", {})})
    return rows


def _work(group: list[dict]) -> list[dict]:
    """Check every claim of one source document (the source is analysed once)."""
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    from retold import RetoldError
    from retold.check import check

    out = []
    for row in group:
        start = time.perf_counter()
        try:
            report = check(row["source"], row["claim"], source_kind="article")
            sentences = [
                {"signals": s.signals, "checks": sorted({i.type for i in s.issues if i.type != "unsupported"})}
                for s in report.sentences
            ]
            error = None
        except RetoldError as exc:
            sentences, error = [], str(exc)
        out.append({"set": row["set"], "label": row["label"], "half": row["half"], "sentences": sentences,
                    "error": error, "seconds": time.perf_counter() - start, "meta": row["meta"]})
    return out


def support(sentence: dict) -> float:
    """The checker's support of a sentence, from the signals it reported (see retold.check)."""
    return 0.5 * sentence["signals"]["similarity"] + 0.5 * sentence["signals"]["evidence_coverage"]


def predict(result: dict, threshold: float) -> tuple[bool, float]:
    """(supported?, score) of a claim: every sentence passes its checks and the support threshold."""
    sentences = result["sentences"]
    if not sentences:
        return False, 0.0
    ok = all(not s["checks"] and support(s) >= threshold for s in sentences)
    return ok, min(support(s) * (0.5 if s["checks"] else 1.0) for s in sentences)


def balanced_accuracy(labels: list[int], predictions: list[bool]) -> float:
    pos = [p for l, p in zip(labels, predictions) if l == 1]
    neg = [p for l, p in zip(labels, predictions) if l == 0]
    if not pos or not neg:
        return float("nan")
    return (sum(pos) / len(pos) + sum(not p for p in neg) / len(neg)) / 2


def roc_auc(labels: list[int], scores: list[float]) -> float:
    pos = [s for l, s in zip(labels, scores) if l == 1]
    neg = [s for l, s in zip(labels, scores) if l == 0]
    if not pos or not neg:
        return float("nan")
    ranked = sorted(pos + neg)
    ranks: dict[float, float] = {}
    for value in set(ranked):
        first = ranked.index(value)
        ranks[value] = first + (ranked.count(value) + 1) / 2
    return (sum(ranks[s] for s in pos) - len(pos) * (len(pos) + 1) / 2) / (len(pos) * len(neg))


def calibrate(results: list[dict]) -> float:
    by_set = defaultdict(list)
    for r in results:
        if r["half"] == "calibration":
            by_set[r["set"]].append(r)
    means = {}
    for step in range(30, 91):
        values = [balanced_accuracy([r["label"] for r in rs], [predict(r, step / 100)[0] for r in rs]) for rs in by_set.values()]
        means[step / 100] = statistics.mean(v for v in values if v == v)
    best = max(means.values())
    threshold = min(t for t, value in means.items() if value >= best - 0.01)
    print(f"calibration half: best mean balanced accuracy {best:.3f} at {max(means, key=means.get):.2f}; "
          f"lowest threshold within 0.01 of it: {threshold:.2f} ({means[threshold]:.3f})", file=sys.stderr)
    return threshold


def misses(rows: list[dict], threshold: float) -> str:
    kinds: Counter = Counter()
    for r in rows:
        ok, _ = predict(r, threshold)
        if r["label"] == 0 and ok:
            types = r["meta"].get("error_types") or r["meta"].get("error_type") or r["meta"].get("categories")
            kinds[f"missed {','.join(types) if isinstance(types, list) else types or 'unlabelled error'}"] += 1
        elif r["label"] == 1 and not ok:
            fired = sorted({c for s in r["sentences"] for c in s["checks"]}) or ["low support"]
            kinds["false alarm: " + "+".join(fired)] += 1
    return "; ".join(f"{k} ({n})" for k, n in kinds.most_common(5))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--calibrate", action="store_true", help="choose the threshold on the calibration half and print it")
    parser.add_argument("--per-set", type=int, default=0, help="at most N rows per set (spread out), for a quick run")
    parser.add_argument("--sets", default="", help="comma-separated set names (default: all)")
    parser.add_argument("--cached", action="store_true", help="reuse bench/out/faithfulness.jsonl instead of checking again")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()

    from retold.check import SUPPORT_THRESHOLD

    if args.cached:
        results = [json.loads(line) for line in CACHE.open()]
        wall = float("nan")
    else:
        results, wall = run(args)
    threshold = calibrate(results) if args.calibrate else SUPPORT_THRESHOLD
    report(results, threshold, args, wall)


def run(args: argparse.Namespace) -> tuple[list[dict], float]:
    rows = load([s for s in args.sets.split(",") if s], args.per_set)
    if not args.calibrate:
        rows = [r for r in rows if r["half"] == "report"]
    groups: dict[str, list[dict]] = defaultdict(list)
    for row in rows:
        groups[row["source"]].append(row)
    results: list[dict] = []
    start = time.perf_counter()
    with ProcessPoolExecutor(max_workers=args.jobs) as pool:
        for done, out in enumerate(pool.map(_work, list(groups.values()), chunksize=4), 1):
            results.extend(out)
            if done % 20 == 0 or done == len(groups):
                elapsed = time.perf_counter() - start
                print(f"\r{len(results)}/{len(rows)} claims, {elapsed:.0f} s", end="", file=sys.stderr, flush=True)
    wall = time.perf_counter() - start
    print(file=sys.stderr)
    CACHE.parent.mkdir(parents=True, exist_ok=True)
    with CACHE.open("w") as handle:
        for result in results:
            handle.write(json.dumps(result) + "\n")
    return results, wall


def report(results: list[dict], threshold: float, args: argparse.Namespace, wall: float) -> None:
    reported = [r for r in results if r["half"] == "report"]
    lines = [
        f"## Checker: faithfulness benchmarks (report half, {len(reported)} claims)",
        "",
        f"Support threshold {threshold:.2f}, chosen on the calibration half (documents with an even sha1) by "
        "`python bench/faithfulness.py --calibrate`; the numbers below are from the other half only.",
        "",
        "| set | claims | positive rate | balanced accuracy | ROC AUC | errors | most common misses |",
        "| --- | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    by_set = defaultdict(list)
    for r in reported:
        by_set[r["set"]].append(r)
    news_ba = []
    for name in sorted(by_set):
        rs = by_set[name]
        labels = [r["label"] for r in rs]
        predictions = [predict(r, threshold) for r in rs]
        ba = balanced_accuracy(labels, [p for p, _ in predictions])
        auc = roc_auc(labels, [s for _, s in predictions])
        if name in NEWS and ba == ba:
            news_ba.append(ba)
        errors = sum(1 for r in rs if r["error"])
        lines.append(f"| {name} | {len(rs)} | {statistics.mean(labels):.2f} | {ba:.3f} | {auc:.3f} | {errors} | {misses(rs, threshold)} |")
    seconds = [r["seconds"] for r in results]
    lines += [
        "",
        f"Mean balanced accuracy over the news sets: **{statistics.mean(news_ba):.3f}** (goal for now: above 0.70)." if news_ba else "",
        f"Speed (from the run that produced the raw results): {len(results) / sum(seconds):.1f} claims/s in one worker process "
        f"(median {statistics.median(seconds) * 1000:.0f} ms per claim, each source document analysed once for all its claims)"
        + (f"; {len(results) / wall:.1f} claims/s wall-clock with {args.jobs} processes." if wall == wall else "."),
        f"Anchors (published, other benchmarks' splits): {ANCHORS}.",
    ]
    table = "\n".join(line for line in lines if line is not None)
    print(table)
    if args.calibrate:
        print(f"\nSet retold.check.SUPPORT_THRESHOLD = {threshold:.2f}", file=sys.stderr)
    if not args.no_write and not args.per_set and not args.sets:
        write_section("faithfulness", table)


if __name__ == "__main__":
    main()
