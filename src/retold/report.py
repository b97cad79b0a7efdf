"""The check's result: a verdict per rewrite sentence, with evidence and typed issues, then findings."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from retold.article import Article

SUPPORTED, UNSUPPORTED, CONTRADICTED = "supported", "unsupported", "contradicted"
VERDICTS = (SUPPORTED, UNSUPPORTED, CONTRADICTED)


@dataclass
class Evidence:
    source_index: int  # index of the source unit: body sentences first, then headline, standfirst, captions
    text: str
    part: str
    similarity: float


@dataclass
class Issue:
    type: str  # entity, number, date, quote, misattributed_quote, negation, modality, judgement, manner, role, attribution, relation, unsupported
    message: str
    span: tuple[int, int] | None  # characters of the rewrite sentence
    source_span: tuple[int, int] | None = None  # characters of the evidence sentence `source_index`
    source_index: int | None = None
    contradicts: bool = False


@dataclass
class SentenceReport:
    index: int
    text: str
    verdict: str
    score: float
    support: float = 0.0  # how well the evidence holds the sentence: the mean of `signals`, before the checks
    signals: dict[str, float] = field(default_factory=dict)  # best similarity to the evidence, and its word coverage
    evidence: list[Evidence] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)
    resolved: str | None = None  # the sentence with its pronoun subject resolved, when that was done

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["score"] = round(self.score, 4)
        data["support"] = round(self.support, 4)
        for issue in data["issues"]:
            issue.pop("contradicts")
        return data


@dataclass
class Report:
    sentences: list[SentenceReport]
    source: Article
    rewrite: Article
    copied_4gram_ratio: float = 0.0
    copied_outside_quotes: float = 0.0  # the same, counting only the words outside direct quotes
    keyword_stuffing: list[dict[str, Any]] = field(default_factory=list)
    altered_quotes: list[dict[str, Any]] = field(default_factory=list)
    omissions: list[dict[str, Any]] = field(default_factory=list)
    source_units: list[dict[str, Any]] = field(default_factory=list)  # what Evidence.source_index points into

    @property
    def verdict_counts(self) -> dict[str, int]:
        return {v: sum(1 for s in self.sentences if s.verdict == v) for v in VERDICTS}

    @property
    def faithful(self) -> bool:
        return all(s.verdict == SUPPORTED for s in self.sentences)

    def to_dict(self) -> dict[str, Any]:
        def meta(article: Article) -> dict[str, Any]:
            keep = ("headline", "standfirst", "byline", "site", "date", "dateline", "language", "metadata")
            return {k: getattr(article, k) for k in keep} | {"word_count": article.word_count}

        return {
            "sentences": [s.to_dict() for s in self.sentences],
            "document": {
                "verdict_counts": self.verdict_counts,
                "faithful": self.faithful,
                "copied_4gram_ratio": round(self.copied_4gram_ratio, 4),
                "copied_outside_quotes": round(self.copied_outside_quotes, 4),
                "keyword_stuffing": self.keyword_stuffing,
                "altered_quotes": self.altered_quotes,
                "omissions": self.omissions,
                "source": meta(self.source),
                "rewrite": meta(self.rewrite),
            },
            "source_units": self.source_units,
        }
