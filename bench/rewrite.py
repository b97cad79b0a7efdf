"""Rewrites of the example and 30 benchmark articles, per engine: time, length, novelty, facts kept, proof.

Articles: the ScrapingHub ground truth's article bodies (../shared/data/extraction/ground-truth.json)
that are English and 150 to 900 words long, taken in order of their sha256 key, first 30 (fixed
rule, not picked by result); plus the example source. Each is rewritten at its own length.

Per article: seconds (wall, 2 cores), words, copied 4-gram ratio, share of the source's named entities
and numbers kept in the output, share of sentences that fell back to the rules, paragraphs, mean sentence
length, Kendall's tau of the source order (restructuring made visible), and the final check's verdicts.
Results go to bench/out/rewrite-ENGINE.jsonl (re-reported with --cached, with any saved run renamed
rewrite-ENGINE@COMMIT.jsonl beside them as a row of its own) and BENCHMARKS.md; the example's
rewrites go to docs/rewrite-samples.md (benchmark articles are not copied into the repository).

    python bench/rewrite.py --engine rules|local|openai [--limit N] [--base-url URL] [--cached] [--no-write]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _report import DATA, EXAMPLES, ROOT, write_section  # noqa: E402

import retold  # noqa: E402
from retold.findings import copied_counts  # noqa: E402
from retold.language import detect_language  # noqa: E402
from retold.options import ENGINE_NAMES  # noqa: E402
from retold.render import rewrite_markdown  # noqa: E402
from retold.rewrite import FACT_LABELS, RewriteSentence  # noqa: E402

OUT = ROOT / "bench" / "out"
SAMPLES = ROOT / "docs" / "rewrite-samples.md"


def articles(limit: int) -> list[tuple[str, str]]:
    truth = json.loads((DATA / "extraction" / "ground-truth.json").read_text())
    chosen = [("example", (EXAMPLES / "iran-iraq-source.txt").read_text(encoding="utf-8"))]
    for key in sorted(truth):
        body = truth[key]["articleBody"]
        if 150 <= len(body.split()) <= 900 and detect_language(body) == "en":
            chosen.append((key[:12], body))
        if len(chosen) > limit:
            break
    return chosen


def facts_kept(source: retold.Article, text: str) -> float:
    from retold.nlp import parse

    facts = {e.text.lower() for e in parse(source.body).ents if e.label_ in FACT_LABELS}
    if not facts:
        return 1.0
    lowered = text.lower()
    return sum(f in lowered for f in facts) / len(facts)


def kendall_tau(order: list[int]) -> float:
    """Kendall's tau between the output's order and the source order of the source sentences it restates:
    1.0 when the rewrite follows the source, lower the more it reorders (pairs from one source sentence skipped)."""
    pairs = [(a, b) for i, a in enumerate(order) for b in order[i + 1:] if a != b]
    return sum(1 if a < b else -1 for a, b in pairs) / len(pairs) if pairs else 1.0


def run(name: str, text: str, engine: str, base_url: str | None) -> dict:
    source = retold.extract(text) if name == "example" else retold.extract(text, kind="article")
    started = time.perf_counter()
    result = retold.rewrite(source, engine=engine, base_url=base_url)
    seconds = time.perf_counter() - started
    counts = result.report.verdict_counts
    return {
        "article": name, "engine": engine, "seconds": round(seconds, 2), "source_words": source.word_count,
        "words": result.word_count, "copied": round(result.report.copied_4gram_ratio, 4),
        "copied_outside_quotes": round(result.report.copied_outside_quotes, 4),
        "facts_kept": round(facts_kept(source, f"{result.headline}\n{result.body}"), 4),
        "fallback": round(result.fallback_share, 4), "sentences": len(result.report.sentences),
        "paragraphs": len(result.paragraphs),
        "sentence_words": round(statistics.mean(len(s.text.split()) for s in result.sentences), 1),
        "tau": round(kendall_tau([s.sources[0] for s in result.sentences]), 3),
        "unsupported": counts["unsupported"], "contradicted": counts["contradicted"],
        "written_by": {e: sum(s.engine == e for s in result.sentences) for e in ("local", "openai", "rules", "source")},
        "copied_by": copied_by(source.body, result.sentences),
        "fallback_why": [s.rejected for s in result.sentences if s.tries and s.engine != result.engine],
        "mended": dict(Counter(s.mended for s in result.sentences if s.mended)),
        "mended_sentences": [[s.mended, s.text, [source.sentences[i].text for i in s.sources]]
                             for s in result.sentences if s.mended],  # for a reader to check the mends
        "markdown": rewrite_markdown(result),
    }


def copied_by(source: str, sentences: list[RewriteSentence]) -> dict[str, list[int]]:
    """Per engine that wrote sentences: [4-word sequences outside quotes that repeat the source, all of them],
    counted sentence by sentence, so that the copying can be traced to the model or to the rules."""
    counts: dict[str, list[int]] = {}
    for sentence in sentences:
        copied, grams = copied_counts(source, [sentence.text])
        total = counts.setdefault(sentence.engine, [0, 0])
        total[0], total[1] = total[0] + copied, total[1] + grams
    return counts


def summary(engine: str, rows: list[dict]) -> str:
    seconds = [r["seconds"] for r in rows]
    per500 = [r["seconds"] / r["source_words"] * 500 for r in rows]
    bad = sum(r["unsupported"] + r["contradicted"] for r in rows)
    clean = sum(r["unsupported"] + r["contradicted"] == 0 for r in rows)
    med = statistics.median
    return (
        f"| {engine} | {len(rows)} | {med(seconds):.1f} | {max(seconds):.1f} | {med(per500):.1f} "
        f"| {med(r['words'] / r['source_words'] for r in rows):.2f} | {med(r['copied'] for r in rows):.2f} "
        f"| {max(r['copied'] for r in rows):.2f} | {_median(rows, 'copied_outside_quotes', '.3f')} | {med(r['facts_kept'] for r in rows):.2f} "
        f"| {statistics.mean(r['fallback'] for r in rows):.2f} | {_median(rows, 'paragraphs', '.0f')} "
        f"| {_median(rows, 'sentence_words', '.1f')} | {_median(rows, 'tau', '.2f')} "
        f"| {sum(r['sentences'] for r in rows)} | {bad} | {clean}/{len(rows)} |"
    )


def _median(rows: list[dict], key: str, spec: str) -> str:
    """The median of a column that rows written before it existed lack."""
    values = [r[key] for r in rows if key in r]
    return format(statistics.median(values), spec) if values else "–"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--engine", action="append", choices=ENGINE_NAMES)
    parser.add_argument("--limit", type=int, default=30, help="benchmark articles besides the example")
    parser.add_argument("--base-url", help="openai engine: the server (e.g. python -m llama_cpp.server with the default model)")
    parser.add_argument("--cached", action="store_true", help="report the saved results of every engine, run nothing")
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()
    OUT.mkdir(exist_ok=True)
    for engine in ([] if args.cached else args.engine or ["rules"]):
        path = OUT / f"rewrite-{engine}.jsonl"
        with path.open("w") as out:
            for i, (name, text) in enumerate(articles(args.limit)):
                row = run(name, text, engine, args.base_url)
                out.write(json.dumps(row) + "\n")
                out.flush()
                print(f"{engine} {i + 1}: {name} {row['seconds']:.1f} s, {row['words']} words, copied {row['copied']:.2f} "
                      f"({row['copied_outside_quotes']:.2f} outside quotes), "
                      f"kept {row['facts_kept']:.2f}, fallback {row['fallback']:.2f}, "
                      f"unsupported {row['unsupported']}, contradicted {row['contradicted']}", flush=True)
    results = {p.stem.removeprefix("rewrite-"): [json.loads(line) for line in p.open()] for p in sorted(OUT.glob("rewrite-*.jsonl"))}
    table = "\n".join(
        [
            "## Rewrite: the example and benchmark articles, per engine",
            "",
            "Articles: the example, then the ScrapingHub ground-truth bodies that are English and 150-900 words, "
            "in sha256-key order (see bench/rewrite.py). Each rewritten at its own length. Seconds are wall time on "
            "this machine; 's/500 words' scales each article's time to a 500-word source. 'facts kept': share of "
            "the source's distinct named entities, dates and numbers found in the output. 'fallback': mean share of "
            "sentences the rules wrote because the model's versions failed the checker. 'paragraphs', 'words/sentence' "
            "(the article's mean) and 'tau' are medians over articles; tau is Kendall's tau between the output order "
            "and the source order of the sentences restated (1.0: the source's order kept).",
            "",
            "| engine | articles | median s | worst s | median s/500 words | words/source | copied median | copied max "
            "| copied outside quotes (median) | facts kept | fallback | paragraphs | words/sentence | tau | sentences | unsupported+contradicted | articles all supported |",
            "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
            *(summary(engine, rows) for engine, rows in results.items()),
        ]
    )
    print(table)
    if not args.no_write:
        write_section("rewrite", table)
        samples = [
            "# Sample rewrites of the example",
            "",
            "Written by `python bench/rewrite.py`, one per engine, from `../shared/examples/iran-iraq-source.txt`; read "
            "them against it. Every sentence passed retold's check, and that is not proof: the checker misses errors "
            "of meaning that keep the source's words (see README, 'What the checker misses').",
            "",
        ]
        for engine, rows in results.items():
            if engine not in ENGINE_NAMES:  # a saved run kept for comparison (rewrite-local@COMMIT.jsonl)
                continue
            example = next((row for row in rows if row["article"] == "example"), None)
            if example:
                samples += [f"## Engine `{engine}`", "", "### " + example["markdown"].removeprefix("# ").strip(), ""]
        SAMPLES.parent.mkdir(exist_ok=True)
        SAMPLES.write_text("\n".join(samples))


if __name__ == "__main__":
    main()
