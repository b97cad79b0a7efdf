"""rewrite: a source article in, a new article out, every sentence proven by the checker.

Plan (retold.plan): the lead, then the source sentences that matter most, until the target length is met;
told lead first, then by topic and importance, background last.
Generate: each planned sentence is restated by the engine (the lead as a story's opening) and checked
against the source, after the rewriter's own checks of a model's reply (quote placeholders, a subject, the
speaker kept); one that is not supported is tried again with the objections (bounded), then replaced by
the rules engine's restatement, then by the source sentence itself; one nothing can prove is dropped.
Repair: the finished text is checked as a whole, and any sentence that fails in context is replaced
the same way. Nothing unsupported is ever published silently.
"""

from __future__ import annotations

import itertools
import re
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

from retold import mend, plan
from retold.analyze import analyze, normalise_words, stem
from retold.article import PARAGRAPH_SEPARATOR, Article, Quote
from retold.check import check
from retold.engines import Engine, Request, RulesEngine, SourceEngine
from retold.engines import engine as make_engine
from retold.errors import EngineError, InputError, RewriteError
from retold.extract import extract
from retold.findings import copied_outside_quotes, copied_phrases
from retold.nlp import embedder
from retold.options import RewriteOptions
from retold.plaintext import strip_dateline
from retold.plan import LENGTH_TOLERANCE
from retold.quotes import SPEECH_VERBS, quote_spans
from retold.report import SUPPORTED, Report
from retold.sentences import end_sentence, split_sentences

if TYPE_CHECKING:
    from spacy.tokens import Span, Token

Progress = Callable[[int, int, "float | None"], None]
"""progress(done, total, seconds_left) while sentences are written."""
_QUOTED = re.compile(r"[\"“]([^\"“”]+)[\"”]")
NOVELTY = 0.35
"""The most of its 4-word sequences outside quotes that a model's proven sentence may repeat from the source
before it is asked once more in other words: the issue's goal for a whole rewrite, applied to each sentence."""


@dataclass
class RewriteSentence:
    text: str
    sources: list[int]  # indices of the source body sentences it restates
    engine: str  # the engine's name (local, openai, rules), or source (kept as written)
    tries: int = 0  # how many times the model was asked for this sentence
    rejected: list[str] = field(default_factory=list)  # what was wrong with the model's tries that failed, in order
    mended: str = ""  # how the rewriter mended the model's reply before it was proven (retold.mend): "cut", "unlink",
    #                   "delabel", "trim", "modal", "speaker", joined by "+"; empty when the reply was proven as written


Paragraphs = list[list[RewriteSentence]]


def join_paragraphs(paragraphs: Paragraphs) -> str:
    """The text as published: a paragraph's sentences joined by spaces, paragraphs by a blank line."""
    return PARAGRAPH_SEPARATOR.join(" ".join(s.text for s in paragraph) for paragraph in paragraphs)


@dataclass
class Rewrite:
    headline: str
    paragraphs: Paragraphs
    source: Article
    report: Report
    engine: str
    attribution: str | None = None
    keyword: str | None = None
    target_words: int = 0
    seconds: float = 0.0
    warnings: list[str] = field(default_factory=list)

    @property
    def sentences(self) -> list[RewriteSentence]:
        return [s for paragraph in self.paragraphs for s in paragraph]

    @property
    def body(self) -> str:
        return join_paragraphs(self.paragraphs)

    @property
    def word_count(self) -> int:
        return len(self.body.split())

    @property
    def fallback_share(self) -> float:
        """Share of the sentences the model was asked for that came from the rules or the source instead
        (sentences that are mostly a direct quote go to the rules without asking the model). A source sentence
        the model restates in parts counts each part: the model's, or the rules' after the model was asked."""
        asked = [s for s in self.sentences if s.tries]
        return sum(s.engine != self.engine for s in asked) / len(asked) if asked else 0.0

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
            "copied_outside_quotes": round(self.report.copied_outside_quotes, 4),
            "fallback_share": round(self.fallback_share, 4),
            "keyword": self.keyword,
            "keyword_uses": self.keyword_uses,
            "seconds": round(self.seconds, 2),
            "warnings": self.warnings,
            "report": self.report.to_dict(),
        }


def rewrite(
    article_or_text: Article | str | bytes,
    options: RewriteOptions | None = None,
    *,
    progress: Progress | None = None,
    **changes: Any,
) -> Rewrite:
    """Rewrite an article (an ``Article``, a page's HTML or copied text) into new, checked copy.

    ``options`` holds every setting (``RewriteOptions``); keyword arguments change single ones
    (``rewrite(text, engine="rules", words=250)``). ``engine`` may also be an ``Engine`` object.
    """
    started = time.perf_counter()
    writer = changes.pop("engine", None)
    if isinstance(writer, str):
        changes["engine"], writer = writer, None
    options = (options or RewriteOptions()).with_(**changes)
    source = article_or_text if isinstance(article_or_text, Article) else extract(article_or_text)
    if source.language not in (None, "en"):
        raise InputError(f"the article is in '{source.language}'; retold rewrites English only")
    writer = writer or make_engine(options)
    job = _Rewriter(source, writer, options)
    warnings = []
    target = options.words or source.word_count
    if target > source.word_count * (1 + LENGTH_TOLERANCE):
        warnings.append(f"the source has {source.word_count} words; a faithful rewrite cannot say more, so it is about that long")
        target = source.word_count

    vectors = embedder()([s.text for s in source.sentences])
    order = plan.rank(source, vectors)
    planned = plan.choose(order, source, target)

    def layout(done: dict[int, list[RewriteSentence]]) -> Paragraphs:
        published = _quotes_whole(source, done)
        written = {i: published[i][0].text for i in published}
        return _paragraphs(published, plan.outline(source, list(written), order, vectors, written))

    done: dict[int, list[RewriteSentence]] = {}
    for k, index in enumerate(planned):
        if progress:
            elapsed = time.perf_counter() - started
            progress(k, len(planned), elapsed / k * (len(planned) - k) if k else None)
        done[index] = job.write(index)
    for index in order:  # too short (sentences dropped, or restated more briefly): add the next ones
        if _words(done) >= target * (1 - LENGTH_TOLERANCE / 2):
            break
        if index not in done:
            done[index] = job.write(index)
    while _words(done) > target * (1 + LENGTH_TOLERANCE) and len(done) > 1:
        del done[next(i for i in reversed(order) if i in done and i != order[0])]
    if progress:
        progress(len(planned), len(planned), 0.0)

    report, paragraphs = job.repair(done, layout)
    published = {i for paragraph in paragraphs for s in paragraph for i in s.sources}
    warnings += [f"source sentence {i + 1} goes on with a quote whose opening was left out, so it was left out too"
                 for i in sorted(done) if done[i] and i not in published]
    keyword = options.keyword
    headline = job.headline(keyword, done)
    if keyword and keyword.lower() not in f"{headline} {_lead(done)}".lower():  # never wedged in as "Keyword: …"
        warnings.append(f"the keyword “{keyword}” is not in the headline or the lead: no proven wording used it")
    return Rewrite(
        headline=headline,
        paragraphs=paragraphs,
        source=source,
        report=report,
        engine=writer.name,
        attribution=_attribution(source),
        keyword=keyword,
        target_words=target,
        seconds=time.perf_counter() - started,
        warnings=warnings + job.warnings,
    )


class _Rewriter:
    """Writes and proves the sentences of one rewrite: the chosen engine first, then the rules, then the source."""

    def __init__(self, source: Article, writer: Engine, options: RewriteOptions) -> None:
        self.source, self.options = source, options
        self.chain: list[Engine] = [writer] + [e for e in (RulesEngine(), SourceEngine()) if e.name != writer.name]
        self.warnings: list[str] = []
        self.mended: dict[str, str] = {}  # a proven sentence the rewriter mended: how

    def text(self, index: int) -> str:
        text = self.source.sentences[index].text
        return end_sentence(strip_dateline(text) if index == 0 else text)

    def verify(self, text: str) -> Report:
        """The checker's report on text retold wrote (English by construction: no language guess)."""
        return check(self.source, extract(text, kind="article", language="en"),
                     judge=self.options.judge, model=self.options.model if self.options.judge else None)

    def objections(self, text: str) -> list[str] | None:
        """None when every sentence of ``text`` is supported; else what the checker says is wrong."""
        report = self.verify(text)
        if report.sentences and all(s.verdict == SUPPORTED for s in report.sentences):
            return None
        return [i.message for s in report.sentences for i in s.issues] or ["it is not a sentence"]

    def write(self, index: int, engines: list[Engine] | None = None, asked: int = 0) -> list[RewriteSentence]:
        """Source sentence ``index`` restated by the first engine whose text the checker accepts.

        A model gets up to ``tries`` attempts, each with the checker's objections to the last, and sees direct
        quotes as placeholders that retold fills in verbatim. A sentence that is mostly a direct quote skips the
        models (the quote must stay word for word), except for the parts the rules split off it that hold no
        quote (``in_parts``); so does one the model could not restate whole before the rules take it over. One
        that goes on with a quote opened before it is kept as the source writes it."""
        rejected: list[str] = []
        chain = engines or self.chain
        if plan.continues_quote(self.source, index):  # the speaker's words with no mark of their own ("Twitter can
            chain = [SourceEngine()]                   # make a joke of it, but …"): neither reworded nor split
        for writer in chain:
            if writer.is_model and self.mostly_quote(index):
                written = self.in_parts(writer, index, asked)
                if written:
                    return written
                continue
            proven, asked, failed = self.prove(writer, index, self.text(index), asked)
            rejected += failed
            if proven is not None:
                mended = self.mended if writer.is_model else {}
                return [RewriteSentence(part, [index], writer.name, asked, rejected, mended.get(part, ""))
                        for part in proven]
            if writer.is_model and (written := self.in_parts(writer, index, asked, rejected)):
                return written
        self.warnings.append(f"source sentence {index + 1} could not be proven in any form and was left out")
        return []

    def prove(self, writer: Engine, index: int, original: str, asked: int,
              lead: bool = True) -> tuple[list[str] | None, int, list[str]]:
        """``original`` (source sentence ``index`` or a part of it) as ``writer`` restates it and the checker
        proves it, or None; the count of model requests so far; and what was wrong with the tries that failed.
        It is asked for as the story's opening when it is the first sentence, or its first part (``lead``).
        A proven restatement that repeats more of the source than NOVELTY allows is asked for in other words, told the
        phrases it repeated (and the objections to a rewording that failed), while tries are left, and once even when
        it was proven on the last try; the new wording is kept only if it is proven too and repeats less. A model
        that misuses the quote placeholders is shown the quotes themselves in its next tries: the checker then holds them to the source's words (an altered quote
        is contradicted, one copied without its marks is sent back). The 1.5B model misuses placeholders often: on
        the 7 such sentences of 11 benchmark articles, placeholders alone proved 3, this way 5 (bench/quote_probe.py)."""
        masked, quotes = _masked(original) if writer.is_model else (original, {})  # the rules keep quotes as they are
        feedback: list[str] | None = None
        avoid: list[str] | None = None
        proven: list[tuple[float, list[str]]] = []  # (share copied outside quotes, sentences)
        rejected: list[str] = []
        attempt, limit = 0, self.options.tries if writer.is_model else 1
        while attempt < limit:
            request = Request(masked, kind="lead" if index == 0 and lead else "sentence", style=self.options.style,
                              feedback=feedback, avoid=avoid, seed=self.options.seed + attempt)
            parts, feedback = self.attempt(writer, index, original, request, quotes)
            asked += writer.is_model
            attempt += 1
            if feedback is None:
                proven.append((copied_outside_quotes(self.source.body, parts) if writer.is_model else 0.0, parts))
                limit = max(limit, attempt + writer.is_model)  # proven on the last try: one more in other words
            else:
                rejected.append("; ".join(feedback))
                if quotes and feedback[0].startswith(MISUSED_PLACEHOLDERS):  # show the quotes from now on
                    masked, quotes, feedback = original, {}, None
            if len(proven) == 2 or (proven and proven[0][0] <= NOVELTY):
                break  # asked in other words already, or no need to
            if proven and not avoid:
                avoid = copied_phrases(self.source.body, " ".join(proven[0][1]))[:3]
                if not avoid:
                    break
        if not proven:
            return None, asked, rejected
        return min(proven, key=lambda p: p[0])[1], asked, rejected  # the first, unless the other wording repeats less

    def in_parts(self, writer: Engine, index: int, asked: int, rejected: list[str] | None = None) -> list[RewriteSentence]:
        """Source sentence ``index`` as the rules split it, with each part that holds no quote restated by ``writer``
        ("Ghalibaf stressed the necessity of implementing the agreement …" of "…, adding that “…”"); nothing when
        the rules do not split it, when every part holds a quote, or when the parts together are not proven.
        Asked for a sentence that is mostly a quote (``rejected`` None), and for one the model could not restate
        whole (``rejected``: why; a shorter part is easier for a small model). In the second case the ``asked``
        requests already spent on the whole count in every part, so that a part the rules wrote is a fallback. A
        part the model gives back in the rules' words is the rules' too."""
        from retold.quotes import quote_spans

        parts = RulesEngine().write(Request(self.text(index))).split("\n")
        quoted = [bool(quote_spans(part)) for part in parts]
        if len(parts) < 2 or all(quoted):
            return []
        spent = asked if rejected is not None else 0
        written: list[RewriteSentence] = []
        for number, (part, has_quote) in enumerate(zip(parts, quoted)):
            proven, tried, failed = ((None, asked, []) if has_quote
                                     else self.prove(writer, index, part, asked, lead=number == 0))
            name = writer.name if proven and " ".join(proven) != part else "rules"
            written += [RewriteSentence(text, [index], name, spent + tried - asked, (rejected or []) + failed,
                                        self.mended.get(text, "") if name == writer.name else "")
                        for text in proven or [part]]
        return [] if self.objections(" ".join(s.text for s in written)) else written

    def attempt(self, writer: Engine, index: int, original: str, request: Request,
                quotes: dict[str, str]) -> tuple[list[str], list[str] | None]:
        """One try of ``writer`` at ``original`` (source sentence ``index`` or a part of it): its sentences, and
        None when they are proven, else what is wrong with them. A model's reply that is too long is read as its
        first sentences, the most that fit first ("… This marks a new era." is comment more often than fact)."""
        candidate = writer.write(request)
        wrong = _wrong_length(request.text, candidate)
        if not writer.is_model:
            parts = [part for part in candidate.split("\n") if part.strip()]
            return (parts, self.objections(" ".join(parts))) if not wrong else ([], wrong)
        readings = _cuts(request.text, candidate) if wrong else [candidate]
        if not readings:
            return [], wrong
        objections: list[str] = []
        for reading in readings:
            parts, feedback = self.judged(index, original, request.text, reading, quotes)
            if feedback is None:
                if wrong:
                    self.mended.update({part: _joined("cut", self.mended[part]) for part in parts})
                return parts, None
            objections = objections or feedback
        return [], (wrong or []) + objections  # a reply that ran on is told so, and what was wrong with the rest

    def judged(self, index: int, original: str, masked: str, reply: str,
               quotes: dict[str, str]) -> tuple[list[str], list[str] | None]:
        """A model's ``reply`` to ``masked`` (``original`` with its quotes as placeholders), its quotes filled in, as
        the rewriter and the checker judge it, or as mended (``retold.mend``) if that is proven where it was not."""
        candidate, problems = _filled(reply, quotes, _closing_quote(masked), masked)
        if problems:
            return [], problems
        objections: list[str] = []  # what is wrong with the reply as the model wrote it
        for how, text in self.mends(index, original, candidate):
            parts = [part for part in text.split("\n") if part.strip()]
            feedback = (self.unquoted(index, text) or self.fragment(original, text) or self.unattributed(original, text)
                        or self.objections(" ".join(parts)))
            if feedback is None:
                self.mended.update({part: how for part in parts})
                return parts, None
            if not objections:
                objections.extend(feedback)
        return [], objections

    def mends(self, index: int, original: str, candidate: str) -> Iterator[tuple[str, str]]:
        """``candidate`` as written, then, lazily, what the rewriter can make of it without writing a fact of its own,
        each with how, in this order: an opening "As a result," taken out, an opening label made part of the sentence
        ("March 2023: …" as "In March 2023, …"), the modifiers no source sentence has taken
        out ("a thorough examination"), the modal with which ``original`` hedges its main verb put on the reply's
        ("could") when the reply restates two of the words it hedges (as the checker's hedge check counts them), and
        the speaker ``original`` names put back ("…, he said."); one at a time, then together."""
        from retold.nlp import parse

        modal = mend.source_modal(original)
        hedged = {stem(w) for h in analyze(self.source).units[index].hedges if h.cue.lower() == modal for w in h.scope}

        def restates(text: str) -> bool:  # "Florida Man will have to …" restates another clause of "you might see …"
            return len(hedged & {stem(t.lemma_.lower()) for t in parse(text) if t.is_alpha}) >= 2

        steps = [("unlink", mend.unlink),
                 ("delabel", mend.delabel),
                 ("trim", lambda text: mend.trim(text, analyze(self.source).lemmas)),
                 ("modal", lambda text: mend.hedge(text, modal) if modal and restates(text) else None),
                 ("speaker", lambda text: mend.put_back_speaker(original, text)
                  if self.unattributed(original, text) else None)]
        seen = {candidate}
        yield "", candidate
        for chosen in (s for n in range(1, len(steps) + 1) for s in itertools.combinations(steps, n)):
            text: str | None = candidate
            for _, step in chosen:
                text = step(text) if text else None
            if text and text not in seen:
                seen.add(text)
                yield _joined(*(name for name, _ in chosen)), text

    def unquoted(self, index: int, candidate: str) -> list[str] | None:
        """A source quote copied without its quotation marks passes the speaker's words off as the writer's."""
        marked = " ".join(normalise_words(m) for m in _QUOTED.findall(candidate))
        for quote in self.quotes(index):
            words = normalise_words(quote.text)
            if len(words.split()) >= 4 and words in normalise_words(candidate) and words not in marked:
                return [f"keep “{quote.text}” inside quotation marks"]
        return None

    def fragment(self, original: str, candidate: str) -> list[str] | None:
        """A finite verb without a subject ("Further noted that …"), or a sentence broken off with an ellipsis ("the
        Senate's message was that..."), is a fragment the checker reads as supported."""
        if candidate.rstrip().endswith(("...", "…")) and not original.rstrip().endswith(("...", "…")):
            return ["finish the sentence instead of ending it with an ellipsis"]
        if _fragments(original):  # the source sentence is one too, or the parser misreads it
            return None
        bad = _fragments(candidate)
        if bad:
            return [f"“{bad[0]}” is not a complete sentence: give it a subject and a verb"]
        label = None if mend.labels(original) else next(iter(mend.labels(candidate)), None)
        return [f"“{label}” is a label, not news: write it into the sentence"] if label else None

    def unattributed(self, original: str, candidate: str) -> list[str] | None:
        """What the source reports someone said ("He further noted that …") must not become the writer's own
        statement ("In an effort, the MoU aims …"): the speaker's verb or an "according to" stays."""
        if not _reports_speech(original) or _attributing(candidate):
            return None
        return ["say who said it, as the source does"]

    def quotes(self, index: int) -> list[Quote]:
        """The direct quotes in source sentence ``index``, also those that begin in an earlier sentence."""
        sentence = self.source.sentences[index]
        return [q for q in self.source.quotes if q.start < sentence.end and q.end > sentence.start]

    def mostly_quote(self, index: int) -> bool:
        """A sentence that is mostly a direct quote is the rules' job: the quote must stay word for word."""
        sentence = self.source.sentences[index]
        quoted = sum(min(q.end, sentence.end) - max(q.start, sentence.start) for q in self.quotes(index))
        return quoted > 0.5 * (sentence.end - sentence.start)

    def repair(self, done: dict[int, list[RewriteSentence]],
               layout: Callable[[dict[int, list[RewriteSentence]]], Paragraphs]) -> tuple[Report, Paragraphs]:
        """Check the whole text as ``layout`` sets it out; a model's sentence that fails in context falls back to
        the rules, then is dropped. Returns the final report and the paragraphs it checked, which are published."""
        rules = [e for e in self.chain if not e.is_model]
        for round_ in itertools.count():
            if not any(done.values()):
                raise RewriteError("no sentence of the article could be restated and proven; nothing to publish")
            paragraphs = layout(done)
            report = self.verify(join_paragraphs(paragraphs))
            bad = [s.index for s in report.sentences if s.verdict != SUPPORTED]
            if not bad:
                return report, paragraphs
            for index in _sources_of(bad, report, paragraphs):
                written = done[index][0]
                if round_ < 2 and self.chain[0].is_model and any(s.engine == self.chain[0].name for s in done[index]):
                    done[index] = self.write(index, rules, asked=max(s.tries for s in done[index]))
                    for sentence in done[index]:
                        sentence.rejected = written.rejected + ["it failed the check of the whole text"]
                else:
                    done[index] = []
                    self.warnings.append(f"source sentence {index + 1} failed the final check in context and was left out")
        raise AssertionError("unreachable")

    def headline(self, keyword: str | None, done: dict[int, list[RewriteSentence]]) -> str:
        fallback = self.source.headline or _short(_lead(done))
        writer = self.chain[0]
        if not writer.is_model:
            return fallback
        proven = None  # the first headline the checker accepts; one with the keyword is preferred
        try:
            for attempt in range(self.options.tries):
                candidate = _sentence_case(writer.write(Request(_lead(done), kind="headline", keyword=keyword,
                                                                style=self.options.style, seed=self.options.seed + attempt)),
                                           self.source)
                if 3 <= len(candidate.split()) <= 16 and self.objections(candidate + ".") is None:
                    if not keyword or keyword.lower() in candidate.lower():
                        return candidate
                    proven = proven or candidate
        except EngineError as exc:
            self.warnings.append(f"headline: {exc}")
        return proven or fallback


_PLACEHOLDER = re.compile(r"\[Q(\d+)\]")
MISUSED_PLACEHOLDERS = "use each placeholder"
"""How ``_filled`` objects to a reply that leaves out, repeats or makes up a quote placeholder."""


def _masked(sentence: str) -> tuple[str, dict[str, str]]:
    """The sentence with each direct quote of three words or more, marks included, replaced by a
    placeholder ([Q1]); and the quotes by placeholder. A model never sees a quote, so it cannot alter it."""
    from retold.quotes import quote_spans

    quotes: dict[str, str] = {}
    pieces, last = [], 0
    for start, end in quote_spans(sentence):
        if len(sentence[start:end].split()) < 3 or start < last:
            continue
        start -= start > 0 and sentence[start - 1] in "\"“"
        end += end < len(sentence) and sentence[end] in "\"”"
        mark = f"[Q{len(quotes) + 1}]"
        quotes[mark] = sentence[start:end]
        pieces += [sentence[last:start], mark]
        last = end
    return "".join(pieces + [sentence[last:]]), quotes


def _filled(reply: str, quotes: dict[str, str], optional: str | None, masked: str) -> tuple[str, list[str] | None]:
    """The reply with each placeholder replaced by its quote, verbatim; or what is wrong with its placeholders.
    Every quote is used once: one made up or repeated is an error, and so is one left out ("the MoU is aimed
    [Q1] in various areas" without its placeholder said nothing, and the checker could not tell), except the
    ``optional`` one (``_closing_quote``). An article the model put before a placeholder that the ``masked``
    original has none before goes: it cannot see whether the quote is a noun ("support that the “enables …”")."""
    marks = [f"[Q{n}]" for n in _PLACEHOLDER.findall(reply)]
    missing = set(quotes) - set(marks) - {optional}
    if missing or len(set(marks)) != len(marks) or not set(marks) <= set(quotes):
        return reply, [f"{MISUSED_PLACEHOLDERS} ({', '.join(quotes) or 'none here'}) exactly once, as given"]
    reply = _ARTICLE_BEFORE.sub(lambda m: m.group(0) if re.search(rf"\b(?:the|a|an) {re.escape(m.group(2))}", masked, re.I)
                                else m.group(2), reply)
    filled = _PLACEHOLDER.sub(lambda m: quotes[m.group(0)], reply)
    for quote in quotes.values():
        if quote[-2:-1] == "." and quote[-3:-2] != ".":  # “… the past.” mid-sentence loses its full stop (not “…”)
            shorter = quote[:-2] + quote[-1]
            filled = re.sub(re.escape(quote) + r"(?=[,;:]|\s+[a-z])", shorter.replace("\\", r"\\"), filled)
        if quote[-2:-1] in (".", "!", "?"):  # “… the past.” then the model's own full stop: one is enough
            filled = filled.replace(quote + ".", quote)
        elif quote[-2:-1] == "," and (stripped := filled.rstrip(" .")).endswith(quote):  # “…,” she said → she said: “….”
            filled = stripped[: -len(quote)] + quote[:-2] + "." + quote[-1]
    return filled, None


_ARTICLE_BEFORE = re.compile(r"(?<= )(the|a|an) (\[Q\d+\])")
_CLOSING = re.compile(r",\s*(\[Q\d+\])[\s.!?]*$")


def _closing_quote(masked: str) -> str | None:
    """The placeholder of a quote that closes the sentence after a comma with no speech verb before it ("… a joint
    security MoU between Araji and Larijani, [Q1]"): a trailing detail that a restatement may leave out, like a
    trailing phrase (the model always left this one out). After a speech verb the quote is what was said: it stays."""
    match = _CLOSING.search(masked)
    return match.group(1) if match and not _attributing(masked[: match.start()]) else None


_SUBJECTS = {"nsubj", "nsubjpass", "csubj", "csubjpass", "expl"}


_FINITE = ("VBD", "VBZ", "VBP", "MD")


def _fragments(text: str) -> list[str]:
    """The sentences of ``text`` whose main verb is finite and has no subject: no noun or pronoun before it
    either, as spaCy's small model sometimes hangs a real subject elsewhere ("On Tuesday in Tehran, Speaker
    Ghalibaf urged" with Ghalibaf in apposition to Tehran); and those with no finite main verb at all ("WeWork,
    now facing a radical restructuring.", "Narrower, lower."), except an interjection ("Yes!") or an imperative."""
    from retold.nlp import parse

    def finite(verb: Token) -> bool:  # a participle with a subject of its own is a past tense the tagger misread
        return (verb.tag_ in _FINITE or any(c.dep_ in ("aux", "auxpass") and c.tag_ in _FINITE for c in verb.children)
                or (verb.tag_ == "VBN" and any(c.dep_ == "nsubj" for c in verb.children)))

    return [s.text for s in parse(text).sents
            if (s.root.tag_ in ("VBD", "VBZ", "VBP") and not any(c.dep_ in _SUBJECTS for c in s.root.children)
                and not any(t.pos_ in ("NOUN", "PROPN", "PRON") and t.dep_ != "advmod" for t in s[: s.root.i - s.start]))
            or not (finite(s.root) or s.root.pos_ == "INTJ" or s.root.tag_ == "VB" or _misread_past(s))]


def _misread_past(sentence: Span) -> bool:
    """A regular past tense that spaCy's small model reads as an adjective or a participle, right after a name or a
    pronoun as its subject (an adverb between them may be): "Boeing secured bids for 60 jets" is whole. Not after
    a clause opened before it or a noun ("A decision expected next week" is no sentence), nor before "by", nor
    after an apposition ("Musk, the Tesla chief, pictured at the summit" is a caption)."""
    for token in sentence:
        if token.dep_ in ("mark", "relcl") or token.tag_ in ("WDT", "WP", "WRB", "IN", "TO"):
            return False
        if not (token.lower_.endswith("ed") and token.tag_ in ("VBN", "VBD", "JJ") and token.i + 1 < sentence.end):
            continue
        before = [t for t in sentence[: token.i - sentence.start] if t.tag_ != "RB"]
        return bool(before) and before[-1].tag_ in ("NNP", "NNPS", "PRP") and token.nbor().lower_ != "by"
    return False


_REPORTING = {"according", "statement", "remark", "comment", "interview"}
_SOURCED = {"reveal", "show", "find", "indicate", "cite", "estimate", "believe", "think", "expect", "consider", "publish",
            "mention", "specify", "detail", "outline", "highlight", "disclose", "point", "express", "confess"}
"""Verbs that keep a statement sourced in a restatement ("a study published on Monday revealed that …", "the website
mentions that …"); any verb whose subject is someone else and whose object is a that-clause does too (``_attributing``)."""
FACT_LABELS = {"PERSON", "ORG", "GPE", "NORP", "LOC", "FAC", "EVENT", "DATE", "CARDINAL", "MONEY", "PERCENT", "QUANTITY"}
"""What a restatement must keep: the labels of spaCy's entities that are names, dates and numbers."""
LENGTH_OBJECTION = "it must keep all of the sentence's facts and only those"


def _wrong_length(original: str, reply: str) -> list[str] | None:
    """What is wrong with the length of ``reply`` as a restatement of ``original``, or None. Over twice as long
    adds what the source does not say. Under half as long is fine if it keeps the names, numbers and dates
    (outside quotes), which are then named in the objection: a compression that drops only phrasing ("almost all
    major foreign publications have carried the news" as "most major publications reported it") is the checker's
    to judge, and a sentence of up to eight words may become one word ("The answer is YES!": "Yes!"); others keep a quarter."""
    from retold.nlp import parse

    size = len(original.split())
    ratio = len(reply.split()) / max(1, size)
    if ratio > 2.0 or ratio < (0.0 if size <= 8 else 0.25) or not reply.strip():
        return [LENGTH_OBJECTION]
    if ratio >= 0.5:
        return None
    lowered = normalise_words(reply)
    missing = [e.text for e in parse(original).ents if e.label_ in FACT_LABELS and "[Q" not in e.text
               and normalise_words(e.text) not in lowered]
    if missing:
        return ["keep " + ", ".join(f"‘{m}’" for m in dict.fromkeys(missing))]
    return None


def _joined(*labels: str) -> str:
    """Mend labels, in the order applied: "cut+trim"."""
    return "+".join(label for label in labels if label)


def _cuts(original: str, reply: str) -> list[str]:
    """The beginnings of ``reply`` (whole sentences) that are the right length for a restatement of ``original`` and
    keep every quote placeholder it has, longest first, when the whole reply is too long."""
    placeholders = set(_PLACEHOLDER.findall(reply))
    quoted = quote_spans(reply)
    ends = [end for _, end in split_sentences(reply)[:-1] if not any(a < end < b for a, b in quoted)]
    return [reply[:end] for end in reversed(ends)
            if not _wrong_length(original, reply[:end]) and placeholders <= set(_PLACEHOLDER.findall(reply[:end]))]


def _attributing(text: str) -> bool:
    """Whether ``text`` says who is speaking: a speech verb or one of _SOURCED ("noted", "quoted … as saying"),
    "according to", or any verb whose subject is not the writer and whose object is a that-clause ("the site
    specifies that …")."""
    from retold.nlp import parse

    def reports(verb: Token) -> bool:
        return (any(c.dep_ == "ccomp" for c in verb.children)
                and any(c.dep_ == "nsubj" and c.lower_ not in mend.WRITER for c in verb.children))

    words = SPEECH_VERBS | _SOURCED
    return any(t.lower_ in _REPORTING or (t.pos_ in ("VERB", "AUX") and (t.lemma_.lower() in words or reports(t)))
               for t in parse(text))


def _reports_speech(text: str) -> bool:
    """Whether ``text`` reports what someone said: "according to", or a verb that only reports speech
    (``mend.SAYING``) with its speaker or its clause ("Heyward said that …", "IRNA quoted Araji as saying …"); not "a
    medium for telling stories" or "the idea behind his statement was simple"."""
    from retold.nlp import parse

    def speaker_or_clause(verb: Token) -> bool:  # "Heyward said that …", "as reported by Reuters"; not "as we reported"
        return any(c.dep_ in ("ccomp", "agent") or (c.dep_ in ("nsubj", "nsubjpass") and c.lower_ not in mend.WRITER)
                   for c in verb.children)

    return any(t.lower_ == "according" or (t.pos_ in ("VERB", "AUX") and t.lemma_.lower() in mend.SAYING
                                           and speaker_or_clause(t)) for t in parse(text))


def _sentence_case(headline: str, source: Article) -> str:
    """A Title Case headline in sentence case, so that the checker does not take its words for names: a
    capital stays on a word the source capitalises inside its sentences, and, if the source also writes the
    word in lower case ("Security"), only where the source has it beside the same capitalised neighbour."""
    words = [re.findall(r"\w[\w'’-]*", s.text) for s in source.sentences]
    named = {w for ws in words for w in ws[1:] if w[0].isupper()}
    common = {w for ws in words for w in ws if w.islower()}
    out = headline.split()
    cores = [w.strip("\"“”‘’'(),:;!?") for w in out]

    def kept(i: int) -> bool:
        if cores[i] not in named:
            return False
        if cores[i].lower() not in common:
            return True
        pairs = [f"{cores[j]} {cores[j + 1]}" for j in (i - 1, i) if 0 <= j < len(cores) - 1]
        return any(p in source.body for p in pairs if p.split()[0][:1].isupper() and p.split()[1][:1].isupper())

    for i in range(1, len(out)):
        if cores[i][:1].isupper() and cores[i][1:].islower() and not kept(i):
            out[i] = out[i].replace(cores[i], cores[i].lower(), 1)
    return " ".join(out)


def _sources_of(bad: list[int], report: Report, paragraphs: Paragraphs) -> set[int]:
    """The source sentences whose restatements hold the checked sentences ``bad`` (indices into the report).

    The checked text is the written sentences in order, so the checker's sentences are found in it by
    position: each covers a stretch of characters, and the written sentences in that stretch own it."""
    owners: list[tuple[int, int, int]] = []  # (start, end, source index) in the text with whitespace removed
    position = 0
    for sentence in (s for paragraph in paragraphs for s in paragraph):
        length = len("".join(sentence.text.split()))
        owners.append((position, position + length, sentence.sources[0]))
        position += length
    found, cursor = set(), 0
    for number, checked in enumerate(report.sentences):
        length = len("".join(checked.text.split()))
        start = cursor
        cursor += length
        if number in bad:
            found |= {source for a, b, source in owners if a < cursor and b > start}
    return found


def _words(done: dict[int, list[RewriteSentence]]) -> int:
    return sum(len(s.text.split()) for written in done.values() for s in written)


def _lead(done: dict[int, list[RewriteSentence]]) -> str:
    return next((" ".join(s.text for s in done[i]) for i in sorted(done) if done[i]), "")


def _short(text: str, limit: int = 14) -> str:
    """A headline cut from the lead when no written one passes: its first stretch between commas of four words
    or more (not an opening "On Monday"), at most ``limit`` words, with a capital."""
    words = next((chunk for chunk in (c.split() for c in text.split(",")) if len(chunk) >= 4), text.split())
    headline = " ".join(words[:limit]).rstrip(".")
    return headline[:1].upper() + headline[1:]


def _quotes_whole(source: Article, done: dict[int, list[RewriteSentence]]) -> dict[int, list[RewriteSentence]]:
    """The written sentences that can be published: a sentence that goes on with a quote opened in the sentence
    before it only after that sentence ("You get what's coming to you." alone would print the speaker's words
    without their quotation marks or speaker, and the checker finds every word in the source)."""
    published: dict[int, list[RewriteSentence]] = {}
    for index in sorted(i for i in done if done[i]):
        if not plan.continues_quote(source, index) or index - 1 in published:
            published[index] = done[index]
    return published


def _paragraphs(done: dict[int, list[RewriteSentence]], outline: list[list[int]]) -> Paragraphs:
    """The written sentences in the plan's paragraphs; a paragraph of more than three written sentences (the
    rules split long ones) is cut after every third."""
    paragraphs: Paragraphs = []
    for indices in outline:
        written = [s for i in indices for s in done[i]]
        paragraphs += [written[k:k + plan.PARAGRAPH_SENTENCES] for k in range(0, len(written), plan.PARAGRAPH_SENTENCES)]
    return paragraphs


def _attribution(source: Article) -> str | None:
    if source.site:
        return f"Based on reporting by {source.site}."
    return None
