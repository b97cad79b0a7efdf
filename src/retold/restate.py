"""The rules engine: restates a sentence faithfully, with no model.

It only moves and splits what the sentence already says, so a restatement keeps every fact:
a quote that opens the sentence follows its attribution ("..., X said." becomes "X said: ..."),
a trailing participle clause becomes a sentence of its own ("..., adding that Y" becomes "X added
that Y."), clauses joined by a semicolon or by ", and" with their own subject are split, and a short
opening time or place phrase moves to the end. A sentence none of these fit is kept as it is.
"""

from __future__ import annotations

import re

from retold.quotes import SPEECH_VERBS
from retold.sentences import end_sentence

_OPEN, _CLOSE = "\"“", "\"”"
_QUOTE_FIRST = re.compile(r"^[\"“](?P<quote>[^\"“”]+?)[,.]?[\"”],?\s+(?P<tail>[^\"“”]+?)\.?$")
_IRREGULAR = {
    "say": "said", "tell": "told", "make": "made", "give": "gave", "take": "took", "hold": "held", "meet": "met",
    "lead": "led", "keep": "kept", "see": "saw", "speak": "spoke", "write": "wrote", "admit": "admitted",
    "commit": "committed", "be": "was", "have": "had", "do": "did", "go": "went", "come": "came", "put": "put",
    "set": "set", "seek": "sought", "bring": "brought", "leave": "left", "find": "found", "know": "knew",
}
_MOVABLE = {"prep", "npadvmod", "advmod", "advcl"}
_NOT_CLAUSE = {"amod", "pcomp", "compound", "pobj"}


def past(lemma: str) -> str:
    if lemma in _IRREGULAR:
        return _IRREGULAR[lemma]
    if lemma.endswith("e"):
        return lemma + "d"
    if re.search(r"[^aeiou]y$", lemma):
        return lemma[:-1] + "ied"
    return lemma + "ed"


_SPEECH_FORMS = {form for verb in SPEECH_VERBS for form in (verb, verb + "s", verb + "es", verb[:-1] + "ies", past(verb))}
"""The speech verbs as a quote's tail writes them: "said", "added", "stresses", "replies"."""


def restate(sentence: str) -> list[str]:
    """One sentence in, one or more sentences out, saying the same thing."""
    sentence = " ".join(sentence.split())
    reordered = _quote_last(sentence)
    if reordered:
        return [reordered]
    from retold.nlp import parse

    doc = parse(sentence)
    parts = _split(doc) or [sentence]
    return [_front_to_end(part) for part in parts]


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def _quote_last(sentence: str) -> str | None:
    """“Q,” X said.  ->  X said: “Q.”"""
    match = _QUOTE_FIRST.match(sentence)
    if not match:
        return None
    tail = match.group("tail")
    if not any(w.lower() in _SPEECH_FORMS for w in tail.split()):
        return None
    quote = match.group("quote").rstrip(" ,.")
    return f"{_capital(tail)}: “{quote[:1].upper() + quote[1:]}.”"


def _subject_name(verb) -> str | None:
    subject = next((t for t in verb.children if t.dep_ in ("nsubj", "nsubjpass")), None)
    if subject is None:
        return None
    span = subject.doc[subject.left_edge.i : subject.right_edge.i + 1]
    person = next((e for e in subject.doc.ents if e.label_ == "PERSON" and span.start <= e.start and e.end <= span.end), None)
    if person is not None:
        return person[-1].text
    if len(span) > 8 or any(t.text in ",;" for t in span):
        return None
    return span.text


def _split(doc) -> list[str] | None:
    root = next((t for t in doc if t.dep_ == "ROOT"), None)
    if root is None or root.pos_ not in ("VERB", "AUX"):
        return None
    text = doc.text
    for token in doc:
        # "X stressed A, adding that B"  ->  "X stressed A. X added that B."  (found by its surface form:
        # the parser often hangs such a participle on the wrong head)
        if token.tag_ == "VBG" and token.i > root.i and doc[token.i - 1].text == "," and token.dep_ not in _NOT_CLAUSE:
            subject = _subject_name(root)
            if subject is None or _open_quote(text[: token.idx]):
                continue
            first = text[: doc[token.i - 1].idx].rstrip()
            words = []
            for t in doc[token.i :]:
                is_verb = t == token or (t.tag_ == "VBG" and doc[t.i - 1].lower_ == "and" and t.dep_ not in _NOT_CLAUSE)
                words.append((past(t.lemma_.lower()) if is_verb else t.text) + t.whitespace_)
            second = end_sentence(f"{_capital(subject)} {''.join(words).strip()}")  # not “….”.
            return [first.rstrip(".") + ".", second]
        # "A; B" and "X did A, and Y did B"  ->  two sentences
        if token.text == ";" or (
            token.text == "," and token.i + 1 < len(doc) and doc[token.i + 1].lower_ in ("and", "but")
            and any(c.dep_ == "conj" and c.i > token.i and _has_subject(c) for c in root.children)
        ):
            first, rest = text[: token.idx].rstrip(), text[token.idx + 1 :].strip()
            rest = re.sub(r"^(and|but)\s+", lambda m: "But " if m.group(1) == "but" else "", rest)
            if len(first.split()) >= 5 and len(rest.split()) >= 5 and not _open_quote(first):
                return [first + ".", _capital(rest)]
    return None


def _open_quote(text: str) -> bool:
    """Does ``text`` end inside a quotation? (A split there would cut a quote in two.)"""
    return text.count("“") != text.count("”") or text.count('"') % 2 == 1


def _has_subject(verb) -> bool:
    return any(c.dep_ in ("nsubj", "nsubjpass") for c in verb.children)


def _front_to_end(sentence: str) -> str:
    """ "In March 2023, Iraq and Iran signed a pact."  ->  "Iraq and Iran signed a pact in March 2023." """
    from retold.nlp import parse

    doc = parse(sentence)
    comma = next((t for t in doc if t.text == ","), None)
    if comma is None or comma.i > 6 or any(t.text in _OPEN + _CLOSE for t in doc):
        return sentence
    head = doc[0]
    while head.head != head and head.head.i < comma.i:
        head = head.head
    root = head.head
    if head.dep_ not in _MOVABLE or root.dep_ != "ROOT" or head.right_edge.i != comma.i - 1:
        return sentence
    rest = doc[comma.i + 1 :]
    if len(rest) > 20 or any(t.text in ",;:" for t in rest):
        return sentence
    front = doc[: comma.i].text
    if doc[0].pos_ != "PROPN":
        front = front[:1].lower() + front[1:]
    return f"{_capital(rest.text.rstrip(' .!?'))} {front}."
