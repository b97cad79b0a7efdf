"""The data model every stage reads: an extracted ``Article`` and its sentences and quotes."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

PARAGRAPH_SEPARATOR = "\n\n"


@dataclass
class Sentence:
    """One sentence of the article body; ``start``/``end`` are offsets into ``Article.body``."""

    index: int
    text: str
    start: int
    end: int
    paragraph: int


@dataclass
class Quote:
    """A direct quote (without its quotation marks) and who it is attributed to."""

    text: str
    speaker: str | None
    start: int  # offsets of the quoted text in Article.body
    end: int
    sentence: int  # index of the sentence the quote starts in


@dataclass
class Article:
    """A clean article: the body as paragraphs of sentences, plus what was found around it."""

    headline: str | None = None
    standfirst: str | None = None
    byline: str | None = None
    site: str | None = None
    date: str | None = None  # ISO 8601 (YYYY-MM-DD) where it could be normalised
    dateline: str | None = None
    language: str | None = None
    paragraphs: list[str] = field(default_factory=list)
    sentences: list[Sentence] = field(default_factory=list)
    captions: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    metadata: dict[str, Any] = field(default_factory=dict)
    _quotes: list[Quote] | None = field(default=None, repr=False, compare=False)

    @property
    def quotes(self) -> list[Quote]:
        """The direct quotes with their speakers, found when first asked for (speakers need the parse)."""
        if self._quotes is None:
            from retold.quotes import quotes_of

            self._quotes = quotes_of(self)
        return self._quotes

    @property
    def body(self) -> str:
        return PARAGRAPH_SEPARATOR.join(self.paragraphs)

    @property
    def word_count(self) -> int:
        return sum(len(p.split()) for p in self.paragraphs)

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        del data["_quotes"]
        data["quotes"] = [asdict(quote) for quote in self.quotes]
        data["word_count"] = self.word_count
        return data
