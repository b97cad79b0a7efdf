"""rewrite: a source article in, a new article out, every sentence proven by the checker.

Plan: keep the lead, then the source sentences that matter most, until the target length is met.
Generate: each planned sentence is restated by the engine and checked against the source; one that
is not supported is tried again with the checker's objections (bounded), then replaced by the rules
engine's restatement, then by the source sentence itself; a sentence nothing can prove is dropped.
Repair: the finished text is checked as a whole, and any sentence that fails in context is replaced
the same way. Nothing unsupported is ever published silently.
"""

from __future__ import annotations

import itertools
import re
import time
from dataclasses import asdict, dataclass, field
from typing import Any, Callable

from retold.analyze import normalise_words
from retold.article import Article, Quote
from retold.check import check
from retold.engines import Engine, EngineError, Request, engine as make_engine
from retold.errors import InputError
from retold.extract import extract
from retold.plaintext import strip_dateline
from retold.report import SUPPORTED, Report
from retold.restate import restate

Progress = Callable[[int, int, "float | None"], None]
"""progress(done, total, seconds_left) while sentences are written."""
LENGTH_TOLERANCE = 0.15
_QUOTED = re.compile(r"[\"“]([^\"“”]+)[\"”]")


@dataclass
class RewriteSentence:
    text: str
    sources: list[int]  # indices of the source body sentences it restates
    engine: str  # local | openai | rules (restated by rule) | source (kept as written)
    tries: int = 0  # how many times the model was asked for this sentence


@dataclass
class Rewrite:
    headline: str
    paragraphs: list[list[RewriteSentence]]
    source: Article
    report: Report
    attribution: str | None = None
    engine: str = "rules"
    keyword: str | None = None
    target_words: int = 0
    seconds: float = 0.0
    warnings: list[str] = field(default_factory=list)

    @property
    def sentences(self) -> list[RewriteSentence]:
        return [s for paragraph in self.paragraphs for s in paragraph]

    @property
    def body(self) -> str:
        return "\n\n".join(" ".join(s.text for s in paragraph) for paragraph in self.paragraphs)

    @property
    def word_count(self) -> int:
        return len(self.body.split())

    @property
    def fallback_share(self) -> float:
        """Share of the sentences the model was asked for that came from the rules or the source instead
        (sentences that are mostly a direct quote go to the rules without asking the model)."""
        asked = [s for s in self.sentences if s.tries]
        return sum(s.engine in ("rules", "source") for s in asked) / len(asked) if asked else 0.0

    @property
    def keyword_uses(self) -> int:
        if not self.keyword:
            return 0
        return f"{self.headline}\n{self.body}".lower().count(self.keyword.lower())

    def to_dict(self) -> dict[str, Any]:
        return {
            "headline": self.headline,
            "paragraphs": [[asdict(s) for s in paragraph] for paragraph in self.paragraphs],
            "attribution": self.attribution,
            "engine": self.engine,
            "words": self.word_count,
            "target_words": self.target_words,
            "copied_4gram_ratio": round(self.report.copied_4gram_ratio, 4),
            "fallback_share": round(self.fallback_share, 4),
            "keyword": self.keyword,
            "keyword_uses": self.keyword_uses,
            "seconds": round(self.seconds, 2),
            "warnings": self.warnings,
            "report": self.report.to_dict(),
        }


def rewrite(
    article_or_text: Article | str | bytes,
    *,
    engine: str = "local",
    model: str | None = None,
    base_url: str | None = None,
    api_model: str | None = None,
    words: int | None = None,
    keyword: str | None = None,
    style: str = "neutral",
    seed: int = 0,
    tries: int = 2,
    timeout: float = 60.0,
    progress: Progress | None = None,
) -> Rewrite:
    """Rewrite an article (an ``Article``, a page's HTML or copied text) into new, checked copy."""
    started = time.perf_counter()
    source = article_or_text if isinstance(article_or_text, Article) else extract(article_or_text)
    if source.language not in (None, "en"):
        raise InputError(f"the article is in '{source.language}'; retold rewrites English only")
    if words is not None and words < 20:
        raise InputError("--words must be at least 20")
    writer = make_engine(engine, model=model, base_url=base_url, api_model=api_model, timeout=timeout)
    job = _Job(source, writer, style=style, seed=seed, tries=tries)
    warnings = []
    target = words or source.word_count
    if target > source.word_count * (1 + LENGTH_TOLERANCE):
        warnings.append(f"the source has {source.word_count} words; a faithful rewrite cannot say more, so it is about that long")
        target = source.word_count

    order = _rank(source)
    planned = _plan(order, source, target)
    done: dict[int, list[RewriteSentence]] = {}
    for k, index in enumerate(planned):
        if progress:
            elapsed = time.perf_counter() - started
            progress(k, len(planned), elapsed / k * (len(planned) - k) if k else None)
        done[index] = job.restate(index)
    for index in order:  # too short (sentences dropped, or restated more briefly): add the next ones
        if _words(done) >= target * (1 - LENGTH_TOLERANCE / 2):
            break
        if index not in done:
            done[index] = job.restate(index)
    while _words(done) > target * (1 + LENGTH_TOLERANCE) and len(done) > 1:
        del done[next(i for i in reversed(order) if i in done and i != order[0])]
    if progress:
        progress(len(planned), len(planned), 0.0)

    report = job.repair(done)
    headline = job.headline(keyword, done)
    if keyword and keyword.lower() not in f"{headline} {_lead(done)}".lower():
        headline = f"{keyword[:1].upper()}{keyword[1:]}: {headline}"
    return Rewrite(
        headline=headline,
        paragraphs=_paragraphs(source, done),
        source=source,
        report=report,
        attribution=_attribution(source),
        engine=engine,
        keyword=keyword,
        target_words=target,
        seconds=time.perf_counter() - started,
        warnings=warnings + job.warnings,
    )


class _Job:
    def __init__(self, source: Article, writer: Engine | None, *, style: str, seed: int, tries: int) -> None:
        self.source, self.writer, self.style, self.seed, self.tries = source, writer, style, seed, max(1, tries)
        self.warnings: list[str] = []

    def text(self, index: int) -> str:
        text = self.source.sentences[index].text
        text = strip_dateline(text) if index == 0 else text
        return text if text[-1:] in ".!?\"”’" else text + "."

    def check(self, text: str) -> Report:
        """The checker's report on text retold wrote (English by construction: no language guess)."""
        return check(self.source, extract(text, kind="article", language="en"))

    def objections(self, text: str) -> list[str] | None:
        """None when every sentence of ``text`` is supported; else what the checker says is wrong."""
        report = self.check(text)
        if report.sentences and all(s.verdict == SUPPORTED for s in report.sentences):
            return None
        return [i.message for s in report.sentences for i in s.issues] or ["it is not a sentence"]

    def restate(self, index: int) -> list[RewriteSentence]:
        original = self.text(index)
        feedback = None
        attempt = -1
        if self.writer is not None and not self.mostly_quote(index):
            for attempt in range(self.tries):
                candidate = self.writer.write(
                    Request(original, style=self.style, feedback=feedback, seed=self.seed + attempt)
                )
                if not 0.5 <= len(candidate.split()) / max(1, len(original.split())) <= 2.0:
                    feedback = ["it must keep all of the sentence's facts and only those"]
                    continue
                feedback = self.unquoted(index, candidate) or self.objections(candidate)
                if feedback is None:
                    return [RewriteSentence(candidate, [index], self.writer.name, attempt + 1)]
        return self.fallback(index, tries=attempt + 1)

    def unquoted(self, index: int, candidate: str) -> list[str] | None:
        """A source quote copied without its quotation marks passes the speaker's words off as the writer's."""
        marked = " ".join(normalise_words(m) for m in _QUOTED.findall(candidate))
        for quote in self.quotes(index):
            words = normalise_words(quote.text)
            if len(words.split()) >= 4 and words in normalise_words(candidate) and words not in marked:
                return [f"keep “{quote.text}” inside quotation marks"]
        return None

    def quotes(self, index: int) -> list[Quote]:
        sentence = self.source.sentences[index]
        return [q for q in self.source.quotes if sentence.start <= q.start < sentence.end]

    def mostly_quote(self, index: int) -> bool:
        """A sentence that is mostly a direct quote is the rules' job: the quote must stay word for word."""
        quoted = sum(len(q.text.split()) for q in self.quotes(index))
        return quoted > 0.5 * len(self.source.sentences[index].text.split())

    def fallback(self, index: int, tries: int = 0) -> list[RewriteSentence]:
        original = self.text(index)
        for parts, how in ((restate(original), "rules"), ([original], "source")):
            if self.objections(" ".join(parts)) is None:
                return [RewriteSentence(part, [index], how, tries) for part in parts]
        self.warnings.append(f"source sentence {index + 1} could not be proven in any form and was left out")
        return []

    def repair(self, done: dict[int, list[RewriteSentence]]) -> Report:
        """Check the whole text; a sentence that fails in context falls back to the rules, then is dropped."""
        for round_ in itertools.count():
            body = _body(self.source, done)
            if not body:
                raise InputError("no sentence of the article could be restated and proven; nothing to publish")
            report = self.check(body)
            bad = [s.text for s in report.sentences if s.verdict != SUPPORTED]
            if not bad:
                return report
            for index in {_owner(text, done) for text in bad}:
                if round_ < 2 and done[index][0].engine not in ("rules", "source"):
                    done[index] = self.fallback(index, tries=done[index][0].tries)
                else:
                    done[index] = []
                    self.warnings.append(f"source sentence {index + 1} failed the final check in context and was left out")
        raise AssertionError("unreachable")

    def headline(self, keyword: str | None, done: dict[int, list[RewriteSentence]]) -> str:
        fallback = self.source.headline or _short(_lead(done))
        if self.writer is None:
            return fallback
        try:
            for attempt in range(self.tries):
                candidate = self.writer.write(
                    Request(_lead(done), kind="headline", keyword=keyword, style=self.style, seed=self.seed + attempt)
                )
                if 3 <= len(candidate.split()) <= 16 and self.objections(candidate + ".") is None:
                    return candidate
        except EngineError as exc:
            self.warnings.append(f"headline: {exc}")
        return fallback


def _body(source: Article, done: dict[int, list[RewriteSentence]]) -> str:
    """The text as it will be published: one line per paragraph."""
    if not any(done.values()):
        return ""
    return "\n".join(" ".join(s.text for s in paragraph) for paragraph in _paragraphs(source, done))


def _words(done: dict[int, list[RewriteSentence]]) -> int:
    return sum(len(s.text.split()) for written in done.values() for s in written)


def _lead(done: dict[int, list[RewriteSentence]]) -> str:
    return next((" ".join(s.text for s in done[i]) for i in sorted(done) if done[i]), "")


def _short(text: str, limit: int = 14) -> str:
    words = text.split(",")[0].split()
    return " ".join(words[:limit]).rstrip(".")


def _rank(source: Article) -> list[int]:
    """The lead first, then by how central a sentence is to the article, earlier sentences breaking ties."""
    n = len(source.sentences)
    if n <= 2:
        return list(range(n))
    from retold.nlp import embedder

    vectors = embedder()([s.text for s in source.sentences])
    centrality = (vectors @ vectors.T).sum(axis=1) / (n - 1)
    score = {i: float(centrality[i]) + 0.3 / (1 + i) for i in range(1, n)}
    return [0] + sorted(score, key=lambda i: -score[i])


def _plan(order: list[int], source: Article, target: int) -> list[int]:
    planned, total = [], 0
    for index in order:
        if total >= target * (1 - LENGTH_TOLERANCE / 2):
            break
        planned.append(index)
        total += len(source.sentences[index].text.split())
    return sorted(planned)


def _paragraphs(source: Article, done: dict[int, list[RewriteSentence]]) -> list[list[RewriteSentence]]:
    """Short paragraphs: the lead alone, then at most two sentences, breaking where the source does."""
    lead, *rest = [i for i in sorted(done) if done[i]]
    paragraphs, current, last = [list(done[lead])], [], None
    for index in rest:
        para = source.sentences[index].paragraph
        for sentence in done[index]:
            if current and (len(current) >= 2 or para != last):
                paragraphs.append(current)
                current = []
            current.append(sentence)
            last = para
    return paragraphs + ([current] if current else [])


def _owner(text: str, done: dict[int, list[RewriteSentence]]) -> int:
    """The planned source sentence whose restatement holds this checked sentence."""
    wanted = set(text.split())
    return max((i for i in done if done[i]), key=lambda i: len(wanted & set(" ".join(s.text for s in done[i]).split())))


def _attribution(source: Article) -> str | None:
    if source.site:
        return f"Based on reporting by {source.site}."
    return None
