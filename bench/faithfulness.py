"""The checker on public factual-consistency benchmarks: balanced accuracy, ROC AUC, claims per second.

Each row is (source document, claim, label). A claim counts as "not supported" when any of its
sentences is not `supported`. Rows are split by document: a document whose sha1 is even belongs to
the calibration half, odd to the report half. Of the calibration half, documents whose sha1 is 0 mod 4
trained the consistency model (train/make_data.py) and are never run here; those 2 mod 4 fit the
decision. Three rows per set, report half only:

* checks: the explicit checks plus the lexical support threshold (`retold.check.SUPPORT_THRESHOLD`),
  the checker before the consistency model (and still its gate: `retold.check.GATE`);
* model: the explicit checks plus the calibrated decision over the consistency model (`retold.check.DECISION`),
  what `retold check` does when `retold.check.GATE` is "decision";
* judge: the same with the local model as a second opinion (`DECISION_WITH_JUDGE`), on a fixed sample
  of `--judge N` claims per half (about a second a claim), when asked.

    python bench/faithfulness.py [--calibrate] [--cached] [--rescore] [--judge N] [--per-set N] [--sets a,b] [--jobs 2] [--no-write]
    python bench/faithfulness.py --cached --judge 30 --no-write   # only the judge's sample, added to the cached results

`--calibrate` also runs the decision half and fits the decision there (a class-balanced logistic
regression over the claims no explicit check flags) and prints the weights for retold.check. Raw
results are kept in bench/out/faithfulness.jsonl with each sentence's evidence; `--cached` refits and
reports from them without running the checker again, and `--rescore` first recomputes the consistency
model's score of every cached sentence from its stored (evidence, sentence) pair, as `check` would.
"""

from __future__ import annotations

import argparse
import hashlib
import itertools
import json
import os
import statistics
import sys
import time
from collections import Counter, defaultdict
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _report import DATA, EXAMPLES, ROOT, write_section  # noqa: E402

CACHE = ROOT / "bench" / "out" / "faithfulness.jsonl"
JUDGED = ROOT / "bench" / "out" / "faithfulness-judged.jsonl"

NEWS = {"xsumfaith", "qags_cnndm", "qags_xsum", "summeval", "frank_valid", "polytope", "cliff", "goyal21", "fib", "factcc_subset"}
ANCHORS = "SummaC-ZS 72.1 / SummaC-Conv 74.4 balanced accuracy (SummaC benchmark); AlignScore-large 88.6 ROC AUC (SummaC); MiniCheck-Flan-T5 about 75 and GPT-4 about 75 balanced accuracy (LLM-AggreFact)"


def half(source: str) -> str:
    """report (odd sha1), calibration (2 mod 4: fits the decision) or training (0 mod 4: trained the model)."""
    quarter = int(hashlib.sha1(source.encode()).hexdigest(), 16) % 4
    return "report" if quarter % 2 else "calibration" if quarter == 2 else "training"


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


def _work(group: list[dict], judge: str | None = None) -> list[dict]:
    """Check every claim of one source document (the source is analysed once)."""
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    from retold import RetoldError
    from retold.check import check

    out = []
    for row in group:
        start = time.perf_counter()
        try:
            report = check(row["source"], row["claim"], source_kind="article", judge=judge)
            sentences = [
                {"signals": s.signals, "checks": sorted({i.type for i in s.issues if i.type != "unsupported"}),
                 "pair": [" ".join(e.text for e in sorted(s.evidence, key=lambda e: e.source_index)), s.resolved or s.text]}
                for s in report.sentences
            ]
            error = None
        except RetoldError as exc:
            sentences, error = [], str(exc)
        out.append({"set": row["set"], "label": row["label"], "half": row["half"], "sentences": sentences,
                    "error": error, "seconds": time.perf_counter() - start, "meta": row["meta"], "judged": bool(judge)})
    return out


def _judged(group: list[dict]) -> list[dict]:
    return _work(group, judge="model")


def support(sentence: dict) -> float:
    """The checker's support of a sentence, from the signals it reported (see retold.check)."""
    return 0.5 * sentence["signals"]["similarity"] + 0.5 * sentence["signals"]["evidence_coverage"]


def predict(result: dict, threshold: float, weights: dict[str, float] | None = None, cut_at: float | None = None) -> tuple[bool, float]:
    """(supported?, score) of a claim: every sentence passes its checks and the gate: the support
    threshold when ``weights`` is None (checks alone), else the decision with those weights."""
    from retold.check import DECISION_THRESHOLD, decision

    sentences = result["sentences"]
    if not sentences:
        return False, 0.0
    gate = support if weights is None else (lambda s: decision(s["signals"], weights))  # noqa: E731
    cut = threshold if weights is None else (cut_at if cut_at is not None else DECISION_THRESHOLD)
    ok = all(not s["checks"] and gate(s) >= cut for s in sentences)
    return ok, min(gate(s) * (0.5 if s["checks"] else 1.0) for s in sentences)


FEATURES = ("consistency", "similarity", "evidence_coverage")
MIN_JUDGED_TO_FIT = 100


def fit_decision(results: list[dict], features: tuple[str, ...]) -> dict[str, float]:
    """Class-balanced logistic regression (Newton's method, a little L2) on the claims of the
    calibration half that no explicit check flags; a claim is represented by its weakest sentence."""
    import numpy as np

    from retold.check import _feature

    xs, ys = [], []
    for r in results:
        if r["half"] != "calibration" or not r["sentences"] or any(s["checks"] for s in r["sentences"]):
            continue
        if any(f not in s["signals"] for s in r["sentences"] for f in features):
            continue
        weakest = min(r["sentences"], key=lambda s: s["signals"]["consistency"])
        xs.append([1.0] + [_feature(f, weakest["signals"][f]) for f in features])
        ys.append(r["label"])
    x, y = np.array(xs), np.array(ys, dtype=float)
    if len(set(ys)) < 2:
        raise SystemExit("the calibration half needs supported and unsupported claims to fit the decision")
    weight = np.where(y == 1, len(y) / (2 * y.sum()), len(y) / (2 * (len(y) - y.sum())))
    w = np.zeros(x.shape[1])
    for _ in range(50):
        p = 1 / (1 + np.exp(-x @ w))
        gradient = x.T @ (weight * (p - y)) + 1e-2 * w
        hessian = (x * (weight * p * (1 - p))[:, None]).T @ x + 1e-2 * np.eye(len(w))
        w -= np.linalg.solve(hessian, gradient)
    fitted = {"bias": round(float(w[0]), 3)} | {f: round(float(v), 3) for f, v in zip(features, w[1:])}
    print(f"decision fitted on {len(y)} calibration claims ({int(y.sum())} supported): {fitted}", file=sys.stderr)
    return fitted


def choose_cut(results: list[dict], weights: dict[str, float]) -> float:
    """The decision's cut on the calibration half, as the support threshold was chosen before: the lowest
    cut whose mean balanced accuracy over the sets is within 0.01 of the best (fewer false alarms win)."""
    by_set = defaultdict(list)
    for r in results:
        if r["half"] == "calibration" and not r.get("judged"):
            by_set[r["set"]].append(r)
    means = {}
    for step in range(10, 71):
        values = [balanced_accuracy([r["label"] for r in rs], [predict(r, 0, weights, step / 100)[0] for r in rs]) for rs in by_set.values()]
        means[step / 100] = statistics.mean(v for v in values if v == v)
    best = max(means.values())
    cut = min(c for c, value in means.items() if value >= best - 0.01)
    print(f"calibration half: best mean balanced accuracy {best:.3f}; lowest cut within 0.01 of it: {cut:.2f}", file=sys.stderr)
    return cut


def rescore(results: list[dict], candidate: Path | None = None) -> None:
    """The consistency model's score of every cached sentence, from its stored pair, as check computes it;
    with ``candidate``, that ONNX file's scores instead (a model being trained, before it is shipped)."""
    from retold.check.judge import judge
    from retold.nlp import ConsistencyModel, _sha256

    sentences = [s for r in results for s in r["sentences"]]
    pairs = [tuple(s["pair"]) for s in sentences]
    scores = ConsistencyModel(candidate, _sha256(candidate))(pairs) if candidate else judge("consistency").score(pairs)
    for s, score in zip(sentences, scores):
        s["signals"]["consistency"] = score


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


def misses(rows: list[dict], threshold: float, weights: dict[str, float] | None = None, cut: float | None = None) -> str:
    kinds: Counter = Counter()
    for r in rows:
        ok, _ = predict(r, threshold, weights, cut)
        if r["label"] == 0 and ok:
            types = r["meta"].get("error_types") or r["meta"].get("error_type") or r["meta"].get("categories")
            kinds[f"missed {','.join(types) if isinstance(types, list) else types or 'unlabelled error'}"] += 1
        elif r["label"] == 1 and not ok:
            fired = sorted({c for s in r["sentences"] for c in s["checks"]}) or ["low support"]
            kinds["false alarm: " + "+".join(fired)] += 1
    return "; ".join(f"{k} ({n})" for k, n in kinds.most_common(5))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--calibrate", action="store_true", help="fit the decision on the calibration half and print it")
    parser.add_argument("--per-set", type=int, default=0, help="at most N rows per set (spread out), for a quick run")
    parser.add_argument("--sets", default="", help="comma-separated set names (default: all)")
    parser.add_argument("--cached", action="store_true", help="reuse bench/out/faithfulness.jsonl instead of checking again")
    parser.add_argument("--rescore", action="store_true", help="with --cached: recompute the consistency model's scores")
    parser.add_argument("--judge", type=int, default=0, help="also run the local judge on a fixed sample of N claims per half "
                        "(kept in bench/out/faithfulness-judged.jsonl, which --cached reuses)")
    parser.add_argument("--model", type=Path, help="with --cached: rescore with this consistency model file (a candidate) "
                        "instead of the shipped one; the README cases and speed still use the shipped one")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()

    from retold.check import DECISION, DECISION_THRESHOLD, DECISION_WITH_JUDGE, SUPPORT_THRESHOLD

    if args.cached:
        results = [json.loads(line) for line in CACHE.open()]
        wall = float("nan")
    else:
        results, wall = run(args)
    if args.judge:
        results += run_judge(args)
    elif args.cached and JUDGED.is_file():
        results += [json.loads(line) for line in JUDGED.open()]
    if args.rescore or args.model:
        rescore(results, args.model)
    weights, judge_weights, cut = DECISION, DECISION_WITH_JUDGE, DECISION_THRESHOLD
    if args.calibrate:
        weights = fit_decision([r for r in results if not r.get("judged")], FEATURES)
        cut = choose_cut(results, weights)
        print(f"\nSet retold.check.DECISION = {weights} and DECISION_THRESHOLD = {cut:.2f}", file=sys.stderr)
        judged = [r for r in results if r.get("judged") and r["half"] == "calibration"]
        if len(judged) >= MIN_JUDGED_TO_FIT:
            judge_weights = fit_decision(judged, FEATURES + ("judge",))
            print(f"Set retold.check.DECISION_WITH_JUDGE = {judge_weights}", file=sys.stderr)
        elif judged:
            print(f"{len(judged)} judged calibration claims are too few to fit five weights (at least "
                  f"{MIN_JUDGED_TO_FIT}): DECISION_WITH_JUDGE stays as it is", file=sys.stderr)
    report(results, SUPPORT_THRESHOLD, weights, judge_weights, args, wall, cut)


def run(args: argparse.Namespace) -> tuple[list[dict], float]:
    rows = [r for r in load([s for s in args.sets.split(",") if s], args.per_set) if r["half"] != "training"]
    if not args.calibrate:
        rows = [r for r in rows if r["half"] == "report"]
    groups: dict[str, list[dict]] = defaultdict(list)
    for row in rows:
        groups[row["source"]].append(row)
    results: list[dict] = []
    CACHE.parent.mkdir(parents=True, exist_ok=True)
    cache = CACHE.open("w")  # written as results come, so an interrupted run can still be reported with --cached
    order = sorted(groups, key=lambda s: hashlib.sha1(s.encode()).hexdigest())  # sets interleaved
    start = time.perf_counter()
    with ProcessPoolExecutor(max_workers=args.jobs) as pool:
        for done, out in enumerate(pool.map(_work, [groups[s] for s in order], chunksize=2), 1):
            results.extend(out)
            cache.writelines(json.dumps(result) + "\n" for result in out)
            cache.flush()
            if done % 20 == 0 or done == len(groups):
                elapsed = time.perf_counter() - start
                print(f"\r{len(results)}/{len(rows)} claims, {elapsed:.0f} s", end="", file=sys.stderr, flush=True)
    wall = time.perf_counter() - start
    print(file=sys.stderr)
    cache.close()
    return results, wall


def run_judge(args: argparse.Namespace) -> list[dict]:
    """The local judge on a fixed sample: up to N claims per half, spread over the sets (one document of each
    set in turn, in sha1 order, at most 3 of its claims: a document's source is read once for them);
    one process (llama.cpp uses every core)."""
    rows = [r for r in load([s for s in args.sets.split(",") if s], 0) if r["half"] in ("calibration", "report")]
    groups: dict[tuple[str, str], list[dict]] = defaultdict(list)
    for row in rows:
        groups[(row["set"], row["source"])].append(row)
    results = []
    with JUDGED.open("w") as cache:
        for name in ("calibration", "report"):
            queues = defaultdict(list)
            for key in sorted((k for k in groups if half(k[1]) == name), key=lambda k: hashlib.sha1(k[1].encode()).hexdigest()):
                queues[key[0]].append(groups[key][:3])
            turns = [q for pair in itertools.zip_longest(*(queues[s] for s in sorted(queues))) for q in pair if q]
            taken = 0
            for group in turns:
                if taken >= args.judge:
                    break
                out = _judged(group[: args.judge - taken])
                taken += len(out)
                results.extend(out)
                cache.writelines(json.dumps(result) + "\n" for result in out)
                cache.flush()
                print(f"\rjudged {taken} claims of the {name} half", end="", file=sys.stderr, flush=True)
            print(file=sys.stderr)
    return results


def speed() -> str:
    """The consistency model alone, and the whole check, on a source with 50 claims (the example pair:
    the rewrite's sentences, then the source's own, repeated up to 50)."""
    from retold.check import check
    from retold.check.judge import judge
    from retold.extract import extract

    source = (EXAMPLES / "iran-iraq-source.txt").read_text()
    rewrite = (EXAMPLES / "iran-iraq-ai-rewrite.txt").read_text()
    claims = ([s.text for s in extract(rewrite, kind="article").sentences] + [s.text for s in extract(source, kind="article").sentences]) * 2
    claims = claims[:50]
    evidence = [(source[:600], claim) for claim in claims]
    model = judge("consistency")
    model.score(evidence[:2])  # load once
    start = time.perf_counter()
    model.score(evidence)
    alone = len(claims) / (time.perf_counter() - start)
    check(source, claims[0])  # analyse the source once, as a checker with many claims does
    start = time.perf_counter()
    check(source, "\n\n".join(claims))
    whole = len(claims) / (time.perf_counter() - start)
    return (f"Speed on one source with {len(claims)} claims (the example pair): the consistency model scores "
            f"{alone:.0f} claims/s (one pair a run); the whole check runs at {whole:.1f} claims/s (source analysed once).")


README_CASES = [  # (claim about the example source, what it should get): the README's "What the checker misses"
    ("The US State Department designated several PMF factions as foreign terrorist organizations, which were "
     "identified as supporting Iran's efforts to plan attacks across Iraq.", "not supported"),
    ("Kurdistan's Interior Minister Reber Ahmed said that Erbil will not use its soil as a launchpad for attacks on Iran.", "not supported"),
    ("Iranian Parliament Speaker Bagher Ghalibaf urged Araji to immediately implement a bilateral security agreement.", "not supported"),
    ("In early September, the US State Department designated several prominent PMF factions as foreign terrorist organizations.", "not supported"),
    ("Ghalibaf called on Baghdad to act immediately to enforce the memorandum.", "supported"),
    ("Ahmed confirmed Erbil will prevent attacks against Iran from Iraqi territory.", "supported"),
]


def readme_cases() -> list[str]:
    from retold.check import check

    source = (EXAMPLES / "iran-iraq-source.txt").read_text()
    lines = ["| claim (against the example source) | should be | checker says | consistency |", "| --- | --- | --- | ---: |"]
    for claim, wanted in README_CASES:
        sentence = check(source, claim).sentences[0]
        said = sentence.verdict + (f" ({', '.join(sorted({i.type for i in sentence.issues}))})" if sentence.issues else "")
        lines.append(f"| {claim} | {wanted} | {said} | {sentence.signals['consistency']:.2f} |")
    return lines


def report(results: list[dict], threshold: float, weights: dict, judge_weights: dict, args: argparse.Namespace, wall: float,
           cut: float) -> None:
    """The table; ``cut`` is the decision's (the one just fitted with --calibrate, else DECISION_THRESHOLD)."""
    reported = [r for r in results if r["half"] == "report" and not r.get("judged")]
    lines = [
        f"## Checker: faithfulness benchmarks (report half, {len(reported)} claims)",
        "",
        f"Rows: **checks** = the explicit checks with the lexical support threshold {threshold:.2f} (the checker "
        "before the consistency model, and still what `retold check` does: `retold.check.GATE`); **model** = the explicit checks "
        "with the calibrated decision over the consistency model, similarity and word coverage (`GATE = \"decision\"`). "
        "The decision and its cut were fitted by "
        "`python bench/faithfulness.py --calibrate` on documents whose sha1 is 2 mod 4; the model was trained on "
        "documents 0 mod 4; the numbers below are from the other half (odd sha1) only.",
        "",
        *([f"A sample, not the full half: at most {args.per_set} rows per set (every k-th row), checked document by "
           "document in sha1 order as far as the run got on the shared machine (the count per set is in the table).", ""]
          if args.per_set else []),
        "| set | claims | positive rate | checks BA | checks AUC | model BA | model AUC | errors | most common misses (model) |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    by_set = defaultdict(list)
    for r in reported:
        by_set[r["set"]].append(r)
    news: dict[str, list[float]] = {"checks": [], "model": []}
    for name in sorted(by_set):
        rs = by_set[name]
        labels = [r["label"] for r in rs]
        cells = []
        for row, w in (("checks", None), ("model", weights)):
            predictions = [predict(r, threshold, w, cut) for r in rs]
            ba = balanced_accuracy(labels, [p for p, _ in predictions])
            auc = roc_auc(labels, [s for _, s in predictions])
            if name in NEWS and ba == ba:
                news[row].append(ba)
            cells += [f"{ba:.3f}", f"{auc:.3f}"]
        errors = sum(1 for r in rs if r["error"])
        lines.append(f"| {name} | {len(rs)} | {statistics.mean(labels):.2f} | {' | '.join(cells)} | {errors} | {misses(rs, threshold, weights, cut)} |")
    seconds = [r["seconds"] for r in results if not r.get("judged")]
    lines += [""]
    if news["model"]:
        lines.append(f"Mean balanced accuracy over the news sets: checks **{statistics.mean(news['checks']):.3f}**, "
                     f"model **{statistics.mean(news['model']):.3f}** (lowest set {min(news['model']):.3f}); "
                     "goal 0.75, no news set below 0.60.")
    judged = [r for r in results if r["half"] == "report" and r.get("judged")]
    if judged:
        labels = [r["label"] for r in judged]
        cells = []
        for w in (weights, judge_weights):
            predictions = [predict(r, threshold, w, cut) for r in judged]
            cells.append(f"balanced accuracy {balanced_accuracy(labels, [p for p, _ in predictions]):.3f}, "
                         f"ROC AUC {roc_auc(labels, [s for _, s in predictions]):.3f}")
        judge_seconds = statistics.mean(r["seconds"] for r in judged)
        lines.append(f"With the local judge (Qwen2.5-Coder-1.5B, `--judge model`), on a fixed sample of {len(judged)} "
                     f"report-half claims ({sum(labels)} supported, all sets): model alone {cells[0]}; model and judge "
                     f"{cells[1]} ({1 / judge_seconds:.2f} claims/s with the judge, source read once per document).")
    lines += [
        "",
        f"Speed (from the run that produced the raw results): {len(seconds) / sum(seconds):.1f} claims/s in one worker process "
        f"(median {statistics.median(seconds) * 1000:.0f} ms per claim, each source document analysed once for all its claims)"
        + (f"; {len(seconds) / wall:.1f} claims/s wall-clock with {args.jobs} processes." if wall == wall else "."),
        speed(),
        f"Anchors (published, other benchmarks' splits): {ANCHORS}.",
        "",
        "The README's cases (\"What the checker misses\"):",
        "",
        *readme_cases(),
    ]
    table = "\n".join(line for line in lines if line is not None)
    print(table)
    if not args.no_write and not args.sets:
        write_section("faithfulness", table)


if __name__ == "__main__":
    main()
