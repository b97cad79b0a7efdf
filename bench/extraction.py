"""Article extraction on the ScrapingHub benchmark (181 pages), cross-validated by site.

Inputs per page: the HTML (retold's HTML path next to plain trafilatura), and the page "as a person
would copy it" (its visible text, one line per block, furniture included) for retold's copied-text
path next to keeping every line. Scoring as the benchmark scores it: ``\\w+`` tokens, 4-token
shingles, TP/FP/FN over shingle multisets per page; precision and recall averaged over pages; F1 of
the means.

Honest numbers: the pages are split into 5 folds by site (every page of a host in one fold). What
retold fits or chooses on the pages is fitted or chosen on four folds and scored on the fifth:
the line model of the copied-text path (train/line_classifier.py) and which tidying steps the HTML
path applies to trafilatura's text (each subset of ``retold.html.TIDY_STEPS``; the empty set is
trafilatura's own text). In-sample numbers (fitted and scored on all pages) are beside them.

Refusals: every distinct source document of the faithfulness sets (CNN/DailyMail and BBC articles,
delivered as one line of prose) goes through ``retold.extract``; none may be refused.

    python bench/extraction.py [--limit N] [--no-write]
"""

from __future__ import annotations

import argparse
import itertools
import json
import re
import statistics
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "train"))
import trafilatura  # noqa: E402
from _report import DATA, write_section  # noqa: E402
from line_classifier import FOLDS, fit, fold_of, load_pages, page_rows  # noqa: E402

from retold import RetoldError, extract  # noqa: E402
from retold.html import TIDY, TIDY_STEPS, assemble, parse_html, trafilatura_text, visible_lines  # noqa: E402
from retold.inputs import normalise  # noqa: E402
from retold.plaintext import extract_page  # noqa: E402

_TOKEN = re.compile(r"\w+", re.UNICODE)
SUBSETS = [frozenset(c) for n in range(len(TIDY_STEPS) + 1) for c in itertools.combinations(TIDY_STEPS, n)]


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


def summary(values: list[tuple[float, float]]) -> tuple[float, float, float]:
    precision = statistics.mean(p for p, _ in values)
    recall = statistics.mean(r for _, r in values)
    return 2 * precision * recall / (precision + recall) if precision + recall else 0.0, precision, recall


def f1(values: list[tuple[float, float]]) -> float:
    return summary(values)[0]


def body(page) -> str:
    return "\n\n".join(page.paragraphs)


def pages_per_second(pages, run) -> float:
    """Pages per second of this process's CPU time: the machine is shared, and wall time on it measures
    the neighbours as much as the code."""
    start = time.process_time()
    for page in pages:
        try:
            run(page)
        except RetoldError:
            pass
    return len(pages) / (time.process_time() - start)


def refusals() -> tuple[dict[str, int], dict[str, int], list[str]]:
    """Distinct source documents of the faithfulness sets, by origin, and how many extract refuses."""
    seen: dict[str, str] = {}
    for path in sorted((DATA / "faithfulness").glob("*.jsonl")):
        for row in map(json.loads, path.open()):
            seen.setdefault(row["source"], row["origin"])
    total: Counter = Counter()
    refused: Counter = Counter()
    examples = []
    for source, origin in seen.items():
        total[origin] += 1
        try:
            extract(source)
        except RetoldError as exc:
            refused[origin] += 1
            examples.append(f"{origin}: {exc}: {source[:80]}")
    return dict(total), dict(refused), examples


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--limit", type=int, default=0, help="only the first N pages (for a quick look)")
    parser.add_argument("--no-write", action="store_true", help="print, do not update BENCHMARKS.md")
    parser.add_argument("--no-refusals", action="store_true", help="skip the one-line articles")
    args = parser.parse_args()

    pages = load_pages(args.limit)
    folds = [fold_of(page.site) for page in pages]
    truths = [page.truth for page in pages]
    score = lambda predictions: [match(t, p) for t, p in zip(truths, predictions)]  # noqa: E731

    # Fixed systems: nothing is fitted, so held-out and in-sample are the same number.
    fixed = {
        "trafilatura 2.3.1 (HTML, default settings)": score(trafilatura.extract(p.html) or "" for p in pages),
        "copy everything (visible text, every line)": score(p.copied for p in pages),
        "retold copied-text path, rules only (no line model)": score(
            body(extract_page(normalise(p.copied), model=False)) for p in pages
        ),
    }
    print("fixed systems scored", file=sys.stderr)

    # HTML path: every subset of tidying steps on trafilatura's lines, chosen on the training folds.
    tidy_scores: dict[frozenset[str], list[tuple[float, float]]] = {}
    prepared = []
    for page in pages:
        root = parse_html(page.html)
        lines, meta = trafilatura_text(root)
        prepared.append((lines, meta, visible_lines(root)))
    for subset in SUBSETS:
        tidy_scores[subset] = score(body(assemble(lines, meta, visible, subset)) for lines, meta, visible in prepared)
    html_heldout: list[tuple[float, float]] = [(0.0, 0.0)] * len(pages)
    chosen_by_fold = {}
    for fold in range(FOLDS):
        train = [i for i, f in enumerate(folds) if f != fold]
        best = max(SUBSETS, key=lambda s: (round(f1([tidy_scores[s][i] for i in train]), 6), -len(s)))
        chosen_by_fold[fold] = best
        for i, f in enumerate(folds):
            if f == fold:
                html_heldout[i] = tidy_scores[best][i]
    html_choice = max(SUBSETS, key=lambda s: (round(f1(tidy_scores[s]), 6), -len(s)))
    print("HTML path scored", file=sys.stderr)

    # Copied-text path with the line model: one model per fold, trained on the other folds.
    rows = [page_rows(page) for page in pages]
    text_heldout: list[tuple[float, float]] = [(0.0, 0.0)] * len(pages)
    for fold in range(FOLDS):
        model = fit([r for r, f in zip(rows, folds) if f != fold])
        for i, (page, f) in enumerate(zip(pages, folds)):
            if f == fold:
                text_heldout[i] = match(page.truth, body(extract_page(normalise(page.copied), model=model)))
    in_sample_model = fit(rows)
    text_in_sample = score(body(extract_page(normalise(p.copied), model=in_sample_model)) for p in pages)
    print("copied-text path scored", file=sys.stderr)

    # Speed of the shipped configuration, through retold.extract (sentences and language included).
    extract("Warm-up sentence so that models load before timing starts. It has two sentences.", kind="text")
    speed = {
        "trafilatura": pages_per_second(pages, lambda p: trafilatura.extract(p.html)),
        "html": pages_per_second(pages, lambda p: extract(p.html, kind="html")),
        "html+quotes": pages_per_second(pages, lambda p: extract(p.html, kind="html").quotes),
        "text": pages_per_second(pages, lambda p: extract(p.copied, kind="text")),
    }
    print("timed", file=sys.stderr)

    def row(name: str, heldout, in_sample, pps: str) -> str:
        f, p, r = summary(heldout)
        return f"| {name} | {f:.3f} | {p:.3f} | {r:.3f} | {f1(in_sample):.3f} | {pps} |"

    name_of = lambda s: "+".join(sorted(s)) or "none (trafilatura's text)"  # noqa: E731
    lines = [
        f"## Extraction: ScrapingHub benchmark, {len(pages)} pages, {FOLDS} folds by site",
        "",
        "| system | held-out F1 | precision | recall | in-sample F1 | pages/s |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
        row("trafilatura 2.3.1 (HTML, default settings)", fixed["trafilatura 2.3.1 (HTML, default settings)"],
            fixed["trafilatura 2.3.1 (HTML, default settings)"], f"{speed['trafilatura']:.1f}"),
        row("retold HTML path (tidying chosen on the training folds)", html_heldout, tidy_scores[html_choice],
            f"{speed['html']:.1f} ({speed['html+quotes']:.1f} with quote speakers)"),
        row("copy everything (visible text, every line)", fixed["copy everything (visible text, every line)"],
            fixed["copy everything (visible text, every line)"], "n/a"),
        row("retold copied-text path, rules only", fixed["retold copied-text path, rules only (no line model)"],
            fixed["retold copied-text path, rules only (no line model)"], "n/a"),
        row("retold copied-text path, rules + line model", text_heldout, text_in_sample, f"{speed['text']:.1f}"),
        "",
        "HTML tidying steps, F1 on all pages: "
        + "; ".join(f"{name_of(s)} {f1(tidy_scores[s]):.3f}" for s in SUBSETS) + ".",
        "Chosen on the training folds: "
        + ", ".join(f"fold {k}: {name_of(s)}" for k, s in chosen_by_fold.items())
        + f". Chosen on all pages: {name_of(html_choice)}; retold ships {name_of(TIDY)} (`retold.html.TIDY`).",
        "The line model shipped (src/retold/line_model.json) is trained on all pages; the held-out row trains one per",
        "fold on the other four. Not chosen by cross-validation: the P(body) cuts (0.5, 0.4 for prose lines, set by",
        "hand so that a clean article keeps its last paragraph) and the rules, which were written while looking at",
        "these pages: the rules-only row fits nothing but is optimistic in the way the issue describes.",
        "Goals: the HTML path at least trafilatura's held-out F1; the copied-text path 0.93 held out.",
        "The copied text is `retold.html.visible_lines` of each page: what a browser shows, one line per block.",
        "pages/s: through `retold.extract` (sentence splitting and language identification included; quote speakers",
        "need the spaCy parse, run when `Article.quotes` is first read), per second of the process's CPU time on a",
        "shared, busy 2-core machine (wall-clock rates there were 2 to 8 times lower and varied run to run).",
    ]
    if not args.no_refusals:
        total, refused, examples = refusals()
        lines += [
            "",
            "All-prose input refused (each distinct source document of the faithfulness sets, one line of prose): "
            + ", ".join(f"{refused.get(o, 0)} of {n} {o}" for o, n in sorted(total.items())) + ".",
            *(f"Refused: {example}" for example in examples[:5]),
        ]
        print("\n".join(examples[:10]), file=sys.stderr)
    table = "\n".join(lines)
    print(table)
    if not args.no_write and not args.limit:
        write_section("extraction", table)


if __name__ == "__main__":
    main()
