"""The learned part of the copied-text path: how likely each line of a page is article body.

A logistic regression over features of each line and its neighbours (length, final punctuation,
capitalisation, position, the rules' kind of line, dates, link-like text, repetition, and whether
the rules' best run holds it). It is trained by ``train/line_classifier.py`` (scikit-learn, outside
the package) on the ScrapingHub pages' visible lines, labelled body where the benchmark's article
body holds them, and shipped as a small JSON file of coefficients evaluated here with numpy.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from retold.cache import memo
from retold.plaintext import BYLINE, CAPTION, DATE, END, FURNITURE, PROSE, SHORT, Line, find_dateline

MODEL_FILE = Path(__file__).with_name("line_model.json")
KINDS = (PROSE, SHORT, FURNITURE, CAPTION, DATE, BYLINE, END)
_LINK_LIKE = re.compile(r"https?://|www\.|\S@\S|\.(?:com|org|net|co\.uk)\b|\s[|»›]\s", re.I)
_SENTENCE_END = re.compile(r"[.!?][\"'’”)]*\s+[\"'‘“(]*[A-Z]")

FEATURES = (
    ["log_words", "terminal", "lower_share", "caps_share", "digit_share", "link_like", "repeated", "position",
     "sentences", "colon_end", "dateline", "in_run", "run_distance"]
    + [f"kind_{kind}" for kind in KINDS]
    + [f"{side}_{name}" for side in ("prev", "next") for name in ("log_words", "terminal", "prose", "furniture")]
    + ["window_prose", "window_log_words"]
)


def features(lines: list[Line], run: tuple[int, int]) -> np.ndarray:
    """One row of ``FEATURES`` per line; ``run`` is the rules' [start, end) run of body lines."""
    n = len(lines)
    counts: dict[str, int] = {}
    for line in lines:
        counts[line.text] = counts.get(line.text, 0) + 1
    own = []
    for i, line in enumerate(lines):
        tokens = line.text.split()
        cased = [t for t in tokens if t[:1].isalpha() and t[:1].lower() != t[:1].upper()]
        lower = sum(1 for t in cased if t[0].islower()) / len(cased) if cased else 0.5
        caps = sum(1 for t in cased if t.isupper() and len(t) > 1) / len(cased) if cased else 0.0
        digits = sum(ch.isdigit() for ch in line.text) / max(len(line.text), 1)
        distance = 0 if run[0] <= i < run[1] else (run[0] - i if i < run[0] else i - run[1] + 1)
        own.append(
            [math.log1p(line.words), float(line.terminal), lower, caps, digits,
             float(bool(_LINK_LIKE.search(line.text))), float(counts[line.text] > 1), i / max(n - 1, 1),
             math.log1p(len(_SENTENCE_END.findall(line.text))), float(line.text.endswith(":")),
             float(find_dateline(line.text) is not None), float(distance == 0), math.log1p(distance)]
            + [float(line.kind == kind) for kind in KINDS]
        )
    rows = []
    for i, row in enumerate(own):
        side = []
        for j in (i - 1, i + 1):
            if 0 <= j < n:
                other = lines[j]
                side += [math.log1p(other.words), float(other.terminal), float(other.kind == PROSE),
                         float(other.kind in (FURNITURE, END))]
            else:
                side += [0.0, 0.0, 0.0, 1.0]
        window = lines[max(i - 3, 0) : i + 4]
        side += [sum(line.kind == PROSE for line in window) / len(window),
                 sum(math.log1p(line.words) for line in window) / len(window)]
        rows.append(row + side)
    return np.asarray(rows, dtype=np.float64).reshape(n, len(FEATURES))


@dataclass
class LineModel:
    """Standardisation and logistic-regression coefficients, one per name in ``FEATURES``."""

    mean: np.ndarray
    scale: np.ndarray
    coef: np.ndarray
    intercept: float

    def probabilities(self, x: np.ndarray) -> np.ndarray:
        """P(body) for each row of ``x``."""
        if not len(x):
            return np.zeros(0)
        z = ((x - self.mean) / self.scale) @ self.coef + self.intercept
        return 1.0 / (1.0 + np.exp(-z))

    def to_dict(self) -> dict:
        return {"features": FEATURES, "mean": self.mean.tolist(), "scale": self.scale.tolist(),
                "coef": self.coef.tolist(), "intercept": self.intercept}

    @classmethod
    def from_dict(cls, data: dict) -> LineModel:
        if data["features"] != FEATURES:
            raise ValueError("the line model was trained on other features; rerun train/line_classifier.py")
        return cls(np.asarray(data["mean"]), np.asarray(data["scale"]), np.asarray(data["coef"]), float(data["intercept"]))


@memo(maxsize=1)
def shipped_model() -> LineModel:
    return LineModel.from_dict(json.loads(MODEL_FILE.read_text()))
