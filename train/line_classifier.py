"""Train the copied-text path's line model (src/retold/line_model.json) on the ScrapingHub pages.

Each page's visible text (``retold.html.visible_lines``: what a browser shows, one line per block) is
split into lines as the copied-text path splits them; a line is labelled body when most of its
4-token shingles (its tokens, for a line of fewer than four) occur in the page's ground-truth body.
A logistic regression (scikit-learn, L2, standardised features, lines weighted by the square root
of their length) is fitted on them. Deterministic: same data, same file.

The shipped model is trained on all 181 pages. bench/extraction.py trains one per fold on the other
folds (folds by site) to report held-out numbers.

    pip install -e '.[train]'
    python train/line_classifier.py            # writes src/retold/line_model.json
"""

from __future__ import annotations

import gzip
import hashlib
import json
import math
import os
import re
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse

import numpy as np

from retold.html import visible_lines
from retold.line_model import MODEL_FILE, LineModel, features
from retold.plaintext import best_run, classify_line, strip_markup, unwrap

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(os.environ.get("RETOLD_DATA", ROOT.parent / "shared" / "data")) / "extraction"
FOLDS = 5
_TOKEN = re.compile(r"\w+", re.UNICODE)


@dataclass
class Page:
    id: str
    site: str
    html: str
    copied: str  # the visible text, one line per block
    truth: str  # the benchmark's article body


def load_pages(limit: int = 0) -> list[Page]:
    truth = json.loads((DATA / "ground-truth.json").read_text())
    pages = []
    for page_id in sorted(truth)[: limit or None]:
        html = gzip.open(DATA / "html" / f"{page_id}.html.gz").read().decode("utf-8", errors="replace")
        site = urlparse(truth[page_id]["url"]).hostname or ""
        site = site.removeprefix("www.")
        pages.append(Page(page_id, site, html, "\n".join(visible_lines(html)), truth[page_id]["articleBody"]))
    return pages


def fold_of(site: str) -> int:
    """Folds by site: every page of a host is in the same fold (a stable hash, not Python's)."""
    return int(hashlib.sha256(site.encode()).hexdigest(), 16) % FOLDS


def page_rows(page: Page) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Features, labels (1 = body) and weights of one page's lines, as the copied-text path sees them."""
    lines = [classify_line(raw) for raw in unwrap(strip_markup(page.copied))]
    if not lines:
        return np.zeros((0, 0)), np.zeros(0), np.zeros(0)
    truth_tokens = _TOKEN.findall(page.truth)
    grams = {n: Counter(tuple(truth_tokens[i : i + n]) for i in range(len(truth_tokens) - n + 1)) for n in (1, 2, 3, 4)}
    labels = []
    for line in lines:
        tokens = _TOKEN.findall(line.text)
        n = min(len(tokens), 4)
        if n == 0:
            labels.append(0.0)
            continue
        shingles = [tuple(tokens[i : i + n]) for i in range(len(tokens) - n + 1)]
        found = sum(1 for s in shingles if s in grams[n])
        labels.append(float(found >= 0.5 * len(shingles)))
    weights = np.asarray([math.sqrt(line.words + 1) for line in lines])
    return features(lines, best_run(lines)), np.asarray(labels), weights


def fit(rows: list[tuple[np.ndarray, np.ndarray, np.ndarray]]) -> LineModel:
    from sklearn.linear_model import LogisticRegression

    rows = [r for r in rows if len(r[1])]
    x = np.vstack([r[0] for r in rows])
    y = np.concatenate([r[1] for r in rows])
    w = np.concatenate([r[2] for r in rows])
    mean = x.mean(axis=0)
    scale = x.std(axis=0)
    scale[scale == 0] = 1.0
    classifier = LogisticRegression(C=1.0, max_iter=2000)
    classifier.fit((x - mean) / scale, y, sample_weight=w)
    return LineModel(mean, scale, classifier.coef_[0].copy(), float(classifier.intercept_[0]))


def main() -> None:
    pages = load_pages()
    model = fit([page_rows(page) for page in pages])
    data = model.to_dict()
    data = {k: [round(v, 6) for v in value] if isinstance(value, list) and k != "features" else value
            for k, value in data.items()}
    data["intercept"] = round(data["intercept"], 6)
    data["trained_on"] = f"all {len(pages)} ScrapingHub benchmark pages (train/line_classifier.py)"
    MODEL_FILE.write_text("{\n" + ",\n".join(f" {json.dumps(k)}: {json.dumps(v)}" for k, v in data.items()) + "\n}\n")
    print(f"wrote {MODEL_FILE} from {len(pages)} pages", file=sys.stderr)


if __name__ == "__main__":
    main()
