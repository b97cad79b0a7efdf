"""Direct quotes and the people (or bodies) they are attributed to."""

from __future__ import annotations

import re
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
    offset = 0
    for paragraph in paragraphs:
        for start, end in quote_spans(paragraph):
            body_start, body_end = offset + start, offset + end
            sentence = next((s.index for s in sentences if s.start <= body_start < s.end + 1), 0)
            quotes.append(Quote(paragraph[start:end], None, body_start, body_end, sentence))
        offset += len(paragraph) + 2
    if doc is not None:
        _attribute(quotes, sentences, doc)
    return quotes


def _attribute(quotes: list[Quote], sentences: list[Sentence], doc: Doc) -> None:
    persons = [ent for ent in doc.ents if ent.label_ == "PERSON"]
    inside = [(q.start, q.end) for q in quotes]
    previous: Quote | None = None
    for quote in quotes:
        first = sentences[quote.sentence] if sentences else None
        last = next((s for s in sentences if s.start <= quote.end <= s.end + 1), first)
        if first is None or last is None:
            continue
        region = doc.char_span(first.start, last.end, alignment_mode="expand")
        speaker = _speaker_in(region, inside, quote) if region is not None else None
        if speaker is None and previous is not None and previous.speaker and _is_pure_quote(quote, first, last):
            same_paragraph_or_next = first.paragraph - sentences[previous.sentence].paragraph <= 1
            speaker = previous.speaker if same_paragraph_or_next else None
        elif speaker is not None and speaker.lower() in _PRONOUNS:
            speaker = _last_person_before(doc, persons, first.start)
        quote.speaker = _full_name(speaker, persons) if speaker else None
        previous = quote


def _is_pure_quote(quote: Quote, first: Sentence, last: Sentence) -> bool:
    """The quote makes up nearly all of the sentences it spans (it continues an earlier quote)."""
    return (quote.end - quote.start) >= 0.8 * (last.end - first.start)


def _speaker_in(region: Span, inside: list[tuple[int, int]], quote: Quote) -> str | None:
    def outside(token: Token) -> bool:
        return not any(s <= token.idx < e for s, e in inside)

    quoted = [t for t in region if quote.start <= t.idx < quote.end]
    verbs = [t for t in region if outside(t) and t.lemma_.lower() in SPEECH_VERBS and t.pos_ in ("VERB", "AUX")]
    according = [t for t in region if outside(t) and t.lower_ == "according"]
    # A verb just before the quote introduces it ("adding that", "said:"); otherwise prefer the
    # verb whose clause holds the quote most tightly, then the nearest one.
    candidates: list[tuple[tuple[int, int], Token]] = []
    for verb in verbs:
        subtree = list(verb.subtree)
        gap = quoted[0].i - verb.i if quoted else 99
        introduces = 0 < gap <= 4 and all(not t.is_alpha or t.lower_ == "that" for t in region.doc[verb.i + 1 : quoted[0].i])
        governs = bool(quoted) and quoted[0] in subtree
        distance = min((abs(verb.i - q.i) for q in quoted), default=0)
        rank = 0 if introduces else 1 if governs else 2
        candidates.append(((rank, len(subtree) if rank == 1 else distance), verb))
    for verb in (v for _, v in sorted(candidates, key=lambda c: c[0])):
        speaker = _subject_of(verb)
        if speaker is not None:
            return _name_span(speaker)
    for token in according:
        for prep in token.children:
            for obj in prep.children:
                if obj.dep_ == "pobj":
                    return _name_span(obj)
    return None


def _subject_of(verb: Token) -> Token | None:
    """The speaker of a speech verb: its subject, the object of 'quoted', or a governing verb's subject."""
    for _ in range(4):
        if verb.lemma_.lower() == "quote":
            for child in verb.children:
                if child.dep_ in ("dobj", "nsubjpass"):
                    return child
        for child in verb.children:
            if child.dep_ == "nsubj" and child.pos_ in ("PROPN", "NOUN", "PRON"):
                return child
        if verb.dep_ in ("advcl", "xcomp", "conj", "pcomp", "pobj", "acl", "prep") and verb.head is not verb:
            verb = verb.head
            continue
        return None
    return None


def _name_span(token: Token) -> str:
    if token.ent_type_ in NAME_LABELS:
        for ent in token.doc.ents:
            if ent.start <= token.i < ent.end:
                return ent.text.removeprefix("the ").removeprefix("The ")
    if token.pos_ == "PRON":
        return token.text
    left = [c for c in token.lefts if c.dep_ in ("compound", "amod", "nmod")]
    start = min([token.i] + [c.left_edge.i for c in left])
    return token.doc[start : token.i + 1].text


def _last_person_before(doc: Doc, persons: list[Span], char: int) -> str | None:
    before = [p for p in persons if p.end_char <= char]
    subjects = [p for p in before if any(t.dep_ in ("nsubj", "nsubjpass") for t in p)]
    chosen = (subjects or before)[-1:] if before else []
    return chosen[0].text if chosen else None


def _full_name(speaker: str, persons: list[Span]) -> str:
    """The fullest form of a person's name the article gives ("Araji" -> "Qasim al-Araji")."""
    wanted = surname(speaker)
    matches = [p.text for p in persons if surname(p.text) == wanted]
    longest = max(matches, key=lambda text: len(text.split()), default=speaker)
    return longest if len(longest.split()) > len(speaker.split()) else speaker
