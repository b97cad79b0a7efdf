"""Time and peak memory of extract and check against input size, from 10 KB to the size limit.

Each measurement runs in a child process of its own (a fresh interpreter, models loaded before the
clock starts), which reports the seconds the call took and its peak resident memory (ru_maxrss).
The input is realistic article text, not one phrase repeated: the example article's paragraphs and
news articles of the faithfulness sets (CNN/DailyMail and BBC), paragraphs in order, until the size is
reached. The check's rewrite is a fifth of the source's size, made of the summaries written for those
articles (as a rewrite or summary of the source would be).

    nice -n 10 python bench/limits.py [--sizes 10000,100000,...] [--no-write]
"""

from __future__ import annotations

import argparse
import json
import math
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _report import DATA, EXAMPLES, write_section  # noqa: E402

from retold.inputs import MAX_TEXT_CHARS  # noqa: E402

RAW = Path(__file__).resolve().parent / "out" / "limits.json"
SETS = ("cliff.jsonl", "polytope.jsonl", "frank_valid.jsonl")
REWRITE_SHARE = 0.2


def corpus() -> tuple[list[str], list[str]]:
    """Paragraphs of the example article and of every distinct source of the sets, and their summaries."""
    example = (EXAMPLES / "iran-iraq-source.txt").read_text(encoding="utf-8")
    paragraphs = [p.strip() for p in example.split("\n\n") if len(p.split()) >= 12]
    summaries = [p.strip() for p in (EXAMPLES / "iran-iraq-ai-rewrite.txt").read_text(encoding="utf-8").split("\n\n") if p.strip()]
    seen: set[str] = set()
    for name in SETS:
        for line in (DATA / "faithfulness" / name).read_text(encoding="utf-8").splitlines():
            row = json.loads(line)
            if row["label"] == 1 and row["claim"] not in seen:
                summaries.append(" ".join(row["claim"].split()))
                seen.add(row["claim"])
            if row["source"] in seen:
                continue
            seen.add(row["source"])
            paragraphs += _paragraphs(row["source"])
    return paragraphs, summaries


def _paragraphs(text: str, sentences_per_paragraph: int = 3) -> list[str]:
    import nupunkt

    sentences = [" ".join(s.split()) for s in nupunkt.sent_tokenize(text) if s.strip()]
    return [" ".join(sentences[i : i + sentences_per_paragraph]) for i in range(0, len(sentences), sentences_per_paragraph)]


def take(pieces: list[str], size: int) -> str:
    """Pieces in order (round again when they run out) joined as paragraphs, ``size`` characters."""
    out, total, i = [], 0, 0
    while total < size:
        piece = pieces[i % len(pieces)]
        out.append(piece)
        total += len(piece) + 2
        i += 1
    return "\n\n".join(out)[:size].rsplit(" ", 1)[0]


def measure(task: str, size: int) -> dict:
    """Run one call in a fresh child process; return its seconds and peak memory."""
    code = f"""
import json, resource, sys, time
sys.path.insert(0, {str(Path(__file__).resolve().parent)!r})
from limits import corpus, take, REWRITE_SHARE
import retold
from retold.nlp import embedder, spacy_model
paragraphs, summaries = corpus()
source = take(paragraphs, {size})
rewrite = take(summaries, int({size} * REWRITE_SHARE))
spacy_model(); embedder()  # models load once per process: not part of the curve
usage = resource.getrusage(resource.RUSAGE_SELF)
before, cpu = usage.ru_maxrss, usage.ru_utime + usage.ru_stime
start = time.perf_counter()
if {task!r} == "extract":
    result = retold.extract(source)
    count = len(result.sentences)
else:
    result = retold.check(source, rewrite)
    count = len(result.sentences)
seconds = time.perf_counter() - start
usage = resource.getrusage(resource.RUSAGE_SELF)
print(json.dumps({{"seconds": seconds, "cpu": usage.ru_utime + usage.ru_stime - cpu, "peak_mb": usage.ru_maxrss / 1024,
                  "base_mb": before / 1024, "sentences": count}}))
"""
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=3600)
    if done.returncode != 0:
        return {"error": done.stderr.strip().splitlines()[-1] if done.stderr.strip() else f"exit {done.returncode}"}
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    default = [10_000, 30_000, 100_000, 300_000, MAX_TEXT_CHARS]
    parser.add_argument("--sizes", default=",".join(map(str, default)), help="characters of article text")
    parser.add_argument("--no-write", action="store_true")
    parser.add_argument("--report-only", action="store_true", help=f"write the section from {RAW.relative_to(RAW.parents[2])}")
    args = parser.parse_args()
    if args.report_only:
        rows = [tuple(row) for row in json.loads(RAW.read_text())]
    else:
        rows = []
        for task in ("extract", "check"):
            for size in [int(s) for s in args.sizes.split(",")]:
                result = measure(task, size)
                rows.append((task, size, result))
                print(task, size, result, flush=True)
                RAW.parent.mkdir(exist_ok=True)
                RAW.write_text(json.dumps(rows, indent=1))
    text = report(rows)
    print(text)
    if not args.no_write:
        write_section("limits", text)


def report(rows: list[tuple[str, int, dict]]) -> str:
    lines = [
        "## Limits: time and memory against input size",
        "",
        f"`python bench/limits.py`: one fresh process per call (models loaded before the clock starts); "
        f"article text from the example and the faithfulness sets' news articles; the check's rewrite is "
        f"{REWRITE_SHARE:.0%} of the source's size (summaries of those articles). Peak memory is the "
        "process's ru_maxrss (models included); \"added\" is the peak less the memory before the call.",
        "",
        "| call | characters | sentences | seconds | CPU seconds | CPU ms per KB | peak MB | added MB |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for task, size, r in rows:
        if "error" in r:
            lines.append(f"| {task} | {size:,} | | error: {r['error']} | | | | |")
            continue
        lines.append(
            f"| {task} | {size:,} | {r['sentences']:,} | {r['seconds']:.1f} | {r['cpu']:.1f} | {1000 * r['cpu'] / (size / 1000):.0f} "
            f"| {r['peak_mb']:.0f} | {r['peak_mb'] - r['base_mb']:.0f} |"
        )
    lines.append("")
    for task in ("extract", "check"):
        ok = [(size, r) for t, size, r in rows if t == task and "error" not in r]
        if len(ok) >= 2:
            (small, a), (large, b) = ok[0], ok[-1]
            time_ratio = (b["cpu"] / large) / (a["cpu"] / small)
            memory_ratio = ((b["peak_mb"] - b["base_mb"]) / large) / max((a["peak_mb"] - a["base_mb"]) / small, 1e-9)
            (s1, r1), (s2, r2) = ok[-2], ok[-1]
            slope = math.log(r2["cpu"] / r1["cpu"]) / math.log(s2 / s1)
            lines.append(
                f"- {task}: {large // small}× the input took {b['cpu'] / a['cpu']:.0f}× the CPU time; CPU time per KB at "
                f"{large:,} characters is {time_ratio:.2f}× that at {small:,} (1 = linear; below 1, fixed costs spread "
                f"out), added memory per KB {memory_ratio:.2f}×. From {s1:,} to {s2:,} characters CPU time grows as "
                f"size^{slope:.2f} (1 = linear, 2 = quadratic)."
            )
        if max((size for size, _ in ok), default=0) < MAX_TEXT_CHARS:
            lines.append(f"- {task}: not measured up to the limit ({MAX_TEXT_CHARS:,} characters) in this run.")
    lines.append("\nThe machine is shared (2 cores, other engineers' jobs running): wall seconds are noisy, so the "
                 "curve is stated in CPU seconds (all threads of the process, ONNX Runtime's included).")
    return "\n".join(lines)


if __name__ == "__main__":
    main()
