"""Article extraction on the ScrapingHub benchmark (181 pages), scored as the benchmark scores it.

Three inputs per page: the HTML (retold's HTML path next to plain trafilatura, same run), and the
page "as a person would copy it" (its visible text, one line per block, furniture included) for
retold's plain-text path next to keeping every line. Scoring: ``\\w+`` tokens, 4-token shingles,
TP/FP/FN over shingle multisets per page; precision and recall averaged over pages; F1 of the means.

    python bench/extraction.py [--limit N] [--no-write]
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import statistics
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _report import DATA, write_section  # noqa: E402

import trafilatura  # noqa: E402

from retold import RetoldError, extract  # noqa: E402
from retold.html import visible_lines  # noqa: E402

_TOKEN = re.compile(r"\w+", re.UNICODE)


def shingles(text: str, n: int = 4) -> Counter:
    tokens = _TOKEN.findall(text or "")
    return Counter(tuple(tokens[i : i + n]) for i in range(max(len(tokens) - n + 1, 0)))


def match(true: str, pred: str) -> tuple[float, float]:
    """Precision and recall of one page's prediction (the benchmark's shingle matching)."""
    t, p = shingles(true), shingles(pred)
    tp = sum((t & p).values())
    fp = sum((p - t).values())
    fn = sum((t - p).values())
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    return precision, recall


def retold_body(page: str, kind: str) -> str:
    try:
        return "\n\n".join(extract(page, kind=kind).paragraphs)  # type: ignore[arg-type]
    except RetoldError:
        return ""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--limit", type=int, default=0, help="only the first N pages (for a quick look)")
    parser.add_argument("--no-write", action="store_true", help="print, do not update BENCHMARKS.md")
    parser.add_argument("--worst", type=int, default=0, help="list the N worst pages of the text path")
    args = parser.parse_args()

    folder = DATA / "extraction"
    truth = json.loads((folder / "ground-truth.json").read_text())
    ids = sorted(truth)[: args.limit or None]
    systems = {
        "trafilatura 2.3.1 (HTML, default settings)": lambda html, _: trafilatura.extract(html) or "",
        "retold HTML path": lambda html, _: retold_body(html, "html"),
        "copy everything (visible text, every line)": lambda _, copied: copied,
        "retold plain-text path (visible text)": lambda _, copied: retold_body(copied, "text"),
    }
    scores: dict[str, list[tuple[float, float]]] = {name: [] for name in systems}
    seconds: dict[str, float] = dict.fromkeys(systems, 0.0)
    extract("Warm-up sentence so that models load before timing starts. It has two sentences.", kind="text")
    for number, page_id in enumerate(ids, 1):
        html = gzip.open(folder / "html" / f"{page_id}.html.gz").read().decode("utf-8", errors="replace")
        copied = "\n".join(visible_lines(html))
        for name, system in systems.items():
            start = time.perf_counter()
            prediction = system(html, copied)
            seconds[name] += time.perf_counter() - start
            scores[name].append(match(truth[page_id]["articleBody"], prediction))
        print(f"\r{number}/{len(ids)} pages", end="", file=sys.stderr, flush=True)
    print(file=sys.stderr)

    rows = []
    for name, values in scores.items():
        precision = statistics.mean(p for p, _ in values)
        recall = statistics.mean(r for _, r in values)
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        speed = f"{len(ids) / seconds[name]:.1f}" if seconds[name] > 0.01 else "n/a"
        rows.append(f"| {name} | {f1:.3f} | {precision:.3f} | {recall:.3f} | {speed} |")
    table = "\n".join(
        [
            f"## Extraction: ScrapingHub benchmark, {len(ids)} pages",
            "",
            "| system | F1 | precision | recall | pages/s |",
            "| --- | ---: | ---: | ---: | ---: |",
            *rows,
            "",
            "Goals: the HTML path at least trafilatura's F1 (0.958 published for 2.0.0); the plain-text path 0.90.",
            "The copied text is `retold.html.visible_lines` of each page: what a browser shows, one line per block.",
            "pages/s for retold includes sentence splitting, language identification and the spaCy parse for quote speakers.",
        ]
    )
    print(table)
    if args.worst:
        text_scores = scores["retold plain-text path (visible text)"]
        ranked = sorted(zip(ids, text_scores), key=lambda x: sum(x[1]))[: args.worst]
        for page_id, (p, r) in ranked:
            print(f"{page_id[:12]} P={p:.2f} R={r:.2f} {truth[page_id]['url']}")
    if not args.no_write and not args.limit:
        write_section("extraction", table)


if __name__ == "__main__":
    main()
