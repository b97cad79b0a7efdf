"""Direct quotes and the people (or bodies) they are attributed to."""

from __future__ import annotations

import re
from bisect import bisect_right
from typing import TYPE_CHECKING

from retold.aliases import surname
from retold.article import Article, Quote, Sentence

if TYPE_CHECKING:
    from spacy.tokens import Doc, Span, Token

SPEECH_VERBS = {
    "say", "tell", "add", "note", "stress", "state", "explain", "write", "insist", "claim", "argue",
    "warn", "declare", "announce", "quote", "ask", "reply", "answer", "emphasize", "emphasise",
    "describe", "call", "tweet", "post", "comment", "remark", "respond", "conclude", "acknowledge",
    "admit", "report", "suggest", "accuse", "urge", "assert", "affirm", "confirm", "deny", "vow",
    "pledge", "promise", "predict", "recall", "observe", "testify", "reiterate", "underline",
}
NAME_LABELS = {"PERSON", "ORG", "NORP", "GPE"}
_PRONOUNS = {"he", "she", "they", "i", "we"}

# Quotation marks: curly and straight doubles, guillemets, and curly singles used as quotes.
_CURLY = re.compile(r"“([^“”]+)(?:”|$)", re.M)
_GUILLEMETS = re.compile(r"«\s*([^«»]+?)\s*»")
_SINGLE = re.compile(r"(?:(?<=^)|(?<=[\s(\[—–-]))‘([^‘’]+(?:’\w[^‘’]*)*)’(?!\w)", re.M)


def quote_spans(paragraph: str) -> list[tuple[int, int]]:
    """Spans of quoted text (marks excluded) in one paragraph; an unclosed quote runs to the end."""
    spans = [m.span(1) for m in _CURLY.finditer(paragraph)]
    spans += [m.span(1) for m in _GUILLEMETS.finditer(paragraph)]
    spans += [m.span(1) for m in _SINGLE.finditer(paragraph) if len(m.group(1).split()) >= 3]
    straight = [i for i, ch in enumerate(paragraph) if ch == '"']
    for k in range(0, len(straight), 2):
        start = straight[k] + 1
        end = straight[k + 1] if k + 1 < len(straight) else len(paragraph)
        spans.append((start, end))
    spans = [(s, e) for s, e in spans if paragraph[s:e].strip()]
    return sorted(_trim(paragraph, s, e) for s, e in spans)


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def quotes_of(article: Article) -> list[Quote]:
    """The quotes of an article's body; speakers come from the parse, for English only."""
    doc = None
    if article.language == "en" and article.paragraphs:
        from retold.nlp import parse

        doc = parse(article.body)
    return find_quotes(article.paragraphs, article.sentences, doc)


def find_quotes(paragraphs: list[str], sentences: list[Sentence], doc: Doc | None) -> list[Quote]:
    """Every direct quote of the body, with its speaker when ``doc`` (an English parse) is given."""
    quotes: list[Quote] = []
    starts = [s.start for s in sentences]
    offset = 0
    for paragraph in paragraphs:
        for start, end in quote_spans(paragraph):
            body_start, body_end = offset + start, offset + end
            sentence = _sentence_at(sentences, starts, body_start, inclusive=False)
            quotes.append(Quote(paragraph[start:end], None, body_start, body_end, sentence.index if sentence else 0))
        offset += len(paragraph) + 2
    if doc is not None:
        _attribute(quotes, sentences, doc)
    return quotes


def _sentence_at(sentences: list[Sentence], starts: list[int], char: int, inclusive: bool) -> Sentence | None:
    """The first sentence that holds ``char`` (its end offset included; with ``inclusive``, one more)."""
    k = bisect_right(starts, char) - 1
    for s in sentences[max(0, k - 2) : k + 1]:
        if s.start <= char < s.end + 1 + inclusive:
            return s
    return None


WINDOW = 80
"""Tokens either side of a quote searched for its attribution: speech verbs sit next to the quote, and
a bound keeps the work per quote constant on sentences that run for pages."""


def _attribute(quotes: list[Quote], sentences: list[Sentence], doc: Doc) -> None:
    people = _People([ent for ent in doc.ents if ent.label_ == "PERSON"])
    quoted = bytearray(len(doc))  # 1 for each token that starts inside some quote
    for quote in quotes:
        span = doc.char_span(quote.start, quote.end, alignment_mode="expand")
        for token in span if span is not None else ():
            if quote.start <= token.idx < quote.end:
                quoted[token.i] = 1
    starts = [s.start for s in sentences]
    previous: Quote | None = None
    for quote in quotes:
        first = sentences[quote.sentence] if sentences else None
        last = _sentence_at(sentences, starts, quote.end, inclusive=True) or first
        if first is None or last is None:
            continue
        region = doc.char_span(first.start, last.end, alignment_mode="expand")
        inner = doc.char_span(quote.start, quote.end, alignment_mode="expand")
        if region is not None and inner is not None:
            region = doc[max(region.start, inner.start - WINDOW) : min(region.end, inner.end + WINDOW)]
        speaker = _speaker_in(region, quoted, quote) if region is not None else None
        if speaker is None and previous is not None and previous.speaker and _is_pure_quote(quote, first, last):
            same_paragraph_or_next = first.paragraph - sentences[previous.sentence].paragraph <= 1
            speaker = previous.speaker if same_paragraph_or_next else None
        elif speaker is not None and speaker.lower() in _PRONOUNS:
            speaker = people.last_before(first.start)
        quote.speaker = people.full_name(speaker) if speaker else None
        previous = quote


class _People:
    """The article's PERSON entities, indexed for the two questions attribution asks of them."""

    def __init__(self, persons: list[Span]) -> None:
        self.ends = [p.end_char for p in persons]
        self.texts = [p.text for p in persons]
        self.last_subject: list[str | None] = [None]  # [k]: the last of persons[:k] that is a subject
        self.fullest: dict[str, str] = {}
        for p in persons:
            is_subject = any(t.dep_ in ("nsubj", "nsubjpass") for t in p)
            self.last_subject.append(p.text if is_subject else self.last_subject[-1])
            key = surname(p.text)
            if len(p.text.split()) > len(self.fullest.get(key, "").split()):
                self.fullest[key] = p.text

    def last_before(self, char: int) -> str | None:
        """The last person named before ``char``, preferring one who is a subject."""
        k = bisect_right(self.ends, char)
        return (self.last_subject[k] or self.texts[k - 1]) if k else None

    def full_name(self, speaker: str) -> str:
        """The fullest form of a person's name the article gives ("Araji" -> "Qasim al-Araji")."""
        longest = self.fullest.get(surname(speaker), speaker)
        return longest if len(longest.split()) > len(speaker.split()) else speaker


def _is_pure_quote(quote: Quote, first: Sentence, last: Sentence) -> bool:
    """The quote makes up nearly all of the sentences it spans (it continues an earlier quote)."""
    return (quote.end - quote.start) >= 0.8 * (last.end - first.start)


def _speaker_in(region: Span, quoted_tokens: bytearray, quote: Quote) -> str | None:
    quoted = [t for t in region if quote.start <= t.idx < quote.end]
    outside = [t for t in region if not quoted_tokens[t.i]]
    verbs = [t for t in outside if t.lemma_.lower() in SPEECH_VERBS and t.pos_ in ("VERB", "AUX")]
    according = [t for t in outside if t.lower_ == "according"]
    # A verb just before the quote introduces it ("adding that", "said:"); otherwise prefer the
    # verb whose clause holds the quote most tightly, then the nearest one.
    candidates: list[tuple[tuple[int, int], Token]] = []
    for verb in verbs:
        left, right = verb.left_edge.i, verb.right_edge.i  # the verb's subtree spans these tokens
        gap = quoted[0].i - verb.i if quoted else 99
        introduces = 0 < gap <= 4 and all(not t.is_alpha or t.lower_ == "that" for t in region.doc[verb.i + 1 : quoted[0].i])
        governs = bool(quoted) and left <= quoted[0].i <= right
        distance = min(abs(verb.i - quoted[0].i), abs(verb.i - quoted[-1].i)) if quoted else 0
        rank = 0 if introduces else 1 if governs else 2
        candidates.append(((rank, right - left + 1 if rank == 1 else distance), verb))
    for verb in (v for _, v in sorted(candidates, key=lambda c: c[0])):
        speaker = _subject_of(verb, region)
        if speaker is not None:
            return _name_span(speaker)
    for token in according:
        for prep in token.children:
            for obj in prep.children:
                if obj.dep_ == "pobj":
                    return _name_span(obj)
    return None


def _subject_of(verb: Token, region: Span) -> Token | None:
    """The speaker of a speech verb: its subject, the object of 'quoted', or a governing verb's subject within
    ``region`` (the whole body is parsed at once, and a parse can hang "said" on a verb of an earlier sentence)."""
    for _ in range(4):
        children = [c for c in verb.children if region.start <= c.i < region.end]
        if verb.lemma_.lower() == "quote":
            for child in children:
                if child.dep_ in ("dobj", "nsubjpass"):
                    return child
        for child in children:
            if child.dep_ == "nsubj" and child.pos_ in ("PROPN", "NOUN", "PRON"):
                return child
        if (verb.dep_ in ("advcl", "xcomp", "conj", "pcomp", "pobj", "acl", "prep") and verb.head is not verb
                and region.start <= verb.head.i < region.end):
            verb = verb.head
            continue
        return None
    return None


def _name_span(token: Token) -> str:
    if token.ent_type_ in NAME_LABELS:
        doc, start, end = token.doc, token.i, token.i + 1  # the entity holding the token, from its IOB tags
        while start > 0 and doc[start].ent_iob_ == "I":
            start -= 1
        while end < len(doc) and doc[end].ent_iob_ == "I":
            end += 1
        return doc[start:end].text.removeprefix("the ").removeprefix("The ")
    if token.pos_ == "PRON":
        return token.text
    left = [c for c in token.lefts if c.dep_ in ("compound", "amod", "nmod")]
    start = min([token.i] + [c.left_edge.i for c in left])
    return token.doc[start : token.i + 1].text
