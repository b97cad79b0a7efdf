"""Mending a model's reply that the rewriter or the checker rejected, without writing a fact of its own: an
opening "As a result," or "In exchange," goes (``unlink``), a label before a sentence ("March 2023: …") becomes part
of it (``delabel``), the modifiers it added that no source sentence has are
trimmed (``trim``), the speaker it dropped is put back (``put_back_speaker``), and the modal with which the source
hedges the sentence goes back on its main verb (``hedge``). Each mended reply goes through the rewriter's and the
checker's tests again; none is published unproven. Each mend gives up (returns None or the text unchanged) where it
cannot be done plainly."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from retold.analyze import COGNITION_VERBS, HEDGE_MODALS, HEDGE_WORDS, NAME_LABELS, WEEKDAYS, date_words
from retold.check.evidence import covered_lemmas
from retold.dates import MONTHS
from retold.quotes import SPEECH_VERBS, quote_spans

if TYPE_CHECKING:
    from spacy.tokens import Doc, Token

SAYING = {"say", "tell", "add", "note", "stress", "state", "explain", "write", "insist", "claim", "argue", "declare",
          "announce", "quote", "report", "emphasize", "emphasise", "assert", "affirm", "comment", "remark", "observe",
          "reiterate", "underline", "tweet", "post", "conclude", "acknowledge", "admit", "recall", "testify"}
"""Verbs that only report what someone said (not "urge" or "deny", which are acts the checker weighs)."""
WRITER = {"i", "we", "you"}
"""Who the writer is: never a speaker to name."""
_ABBREVIATIONS = {"inc", "jr", "sr", "corp", "co", "ltd", "llc", "plc", "bros", "no", "st", "mr", "mrs", "ms", "dr",
                  "gov", "gen", "rep", "sen", "vs", "etc", "jan", "feb", "aug", "sept", "sep", "oct", "nov", "dec"}
"""Words that end a sentence with their own full stop ("Apple Inc."): a speaker put after them would take it."""

KEPT = frozenset("""
    ex formerly previously late acting interim future fake false so-called would-be sole new old little rarely seldom
    hardly barely scarcely partly partial partially merely largely slightly slight somewhat brief briefly temporary
    temporarily initial initially original originally eventual eventually preliminary provisional tentative scant
    limited
""".split())
"""Modifiers never trimmed (besides spaCy's stop words: "former", "first", "only", "other", "few", "mostly"): those
that change what a noun refers to ("the acting minister") or that limit what they modify ("little evidence", "a
slight rise", "partly"), because the source may say the same in other words ("scant evidence") and the sentence
without them would say more than the source."""


def unlink(text: str) -> str:
    """``text`` without the opening connectives that make one of its sentences the result or the price of the sentence
    before ("As a result, …", "In exchange, …"; ``check.rules.RELATIONS``): a small model ties facts the source only
    gives side by side, and the statements without the tie may be proven."""
    from retold.check.rules import RELATIONS

    def unlinked(sentence: str) -> str:
        for said, _ in RELATIONS.values():
            opening = said.match(sentence)
            if opening and sentence[opening.end():].startswith(", ") and sentence[opening.end() + 2:].strip():
                rest = sentence[opening.end() + 2:]
                return rest[0].upper() + rest[1:] if rest.split()[0].islower() else rest  # not "IPhone"
        return sentence

    for start, end in reversed(_outside_quotes(text)):  # from the end, so the offsets before stay right
        text = text[:start] + unlinked(text[start:end]) + text[end:]
    return text


def _outside_quotes(text: str) -> list[tuple[int, int]]:
    """The (start, end) of each sentence of ``text`` that does not begin inside a direct quote (a speaker's words)."""
    from retold.sentences import split_sentences

    quoted = quote_spans(text)
    return [(start, end) for start, end in split_sentences(text) if not any(a < start < b for a, b in quoted)]


LABEL = re.compile(r"([^:;!?\"“”\n]{1,40}):\s+(?=\S)")
"""What may be a label before a sentence: a short phrase, then a colon (not "10:30")."""
_DATE_WORD = re.compile(r"(?:in|on|early|mid|late|the|of|\d{1,4}(?:st|nd|rd|th)?|" + "|".join(MONTHS) + "|"
                        + "|".join(WEEKDAYS) + r")\.?,?", re.I)


def labels(text: str) -> list[str]:
    """The labels that open sentences of ``text`` as a timeline or a list labels its lines: a phrase without a verb
    before a colon ("March 2023: Iraq and Iran signed …", "Key information: …"), the colon kept."""
    return [match.group(1).strip() + ":" for match, _ in _labelled(text)]


def delabel(text: str) -> str:
    """``text`` with each opening label made part of its sentence: a date as the sentence's time ("March 2023: Iraq and
    Iran signed …" -> "In March 2023, Iraq and Iran signed …"), a label of common words left out ("Key information:
    …"); one that holds a name, a number or a date besides stays ("Baghdad:", "Tuesday's meeting:"), as it may hold a
    fact or say who speaks."""
    from retold.nlp import parse

    for match, end in reversed(_labelled(text)):
        label, rest = match.group(1).strip(), text[match.end():end]
        words = re.split(r"[\s-]+", label)
        if date_words(label) and all(_DATE_WORD.fullmatch(word) for word in words):
            on = re.search(r"(?<!\d)\d{1,2}(?!\d)|" + "|".join(WEEKDAYS), label, re.I)
            label = re.sub(r"\b(?:The|Early|Mid|Late)\b", lambda m: m.group().lower(), label)  # "In mid-September"
            opening = label if words[0].lower() in ("in", "on") else ("On " if on else "In ") + label
            first = parse(rest)[0]
            named = first.pos_ == "PROPN" or first.text == "I" or (first.text.isupper() and len(first.text) > 1)
            text = text[:match.start()] + opening + ", " + (rest if named else rest[0].lower() + rest[1:]) + text[end:]
        elif not date_words(label) and not any(t.pos_ in ("PROPN", "NUM") or t.ent_type_ for t in parse(label)):
            text = text[:match.start()] + rest[0].upper() + rest[1:] + text[end:]
    return text


def _labelled(text: str) -> list[tuple[re.Match[str], int]]:
    """Each sentence of ``text`` outside quotes that opens with a label: the label's match and the sentence's end."""
    from retold.nlp import parse

    found = []
    for start, end in _outside_quotes(text):
        match = LABEL.match(text, start, end)
        if match and not any(t.pos_ in ("VERB", "AUX") for t in parse(match.group(1))):
            found.append((match, end))
    return found


def trim(sentence: str, known: frozenset[str]) -> str:
    """``sentence`` without the adjectives and adverbs of its own that no source sentence has in any form ("a
    thorough examination", "won decisively", "Regardless, …"): such a word only adds to what the sentence claims,
    so the rest may be proven where the whole was not. Hedges, negations and other function words, comparatives and
    superlatives, words inside names or quotes, adjectives with a negative prefix ("unverified") and KEPT stay."""
    from retold.nlp import parse

    doc = parse(sentence)
    quoted = quote_spans(sentence)
    added = [t for t in doc if ((t.dep_ == "amod" and t.head.pos_ in ("NOUN", "PROPN", "NUM"))
                                or (t.dep_ == "advmod" and t.head.pos_ in ("VERB", "ADJ", "ADV")))
             and t.pos_ in ("ADJ", "ADV") and t.is_alpha
             and t.tag_ in ("JJ", "RB") and not t.is_stop and not t.ent_type_
             and t.lower_ not in KEPT | HEDGE_WORDS and not (t.pos_ == "ADJ" and t.lower_.startswith(("un", "non")))
             and not any(a <= t.idx < b for a, b in quoted) and not covered_lemmas({t.lemma_.lower()}, known)]
    drop: set[int] = set()
    while True:  # leaves first: "an unusually long hearing" loses "unusually", then "long"
        leaves = [t for t in added if t.i not in drop and all(c.i in drop for c in t.children)]
        if not leaves:
            break
        for token in leaves:
            drop.add(token.i)
            drop |= _commas_with(doc, token)
    if not drop:
        return sentence
    out: list[list[str]] = []  # [word, the space after it]
    opening = False  # the sentence's first word was taken out: the next one gets its capital
    for token in doc:
        if token.i in drop:
            if out and not out[-1][1]:
                out[-1][1] = token.whitespace_  # "plan , notably ," loses its commas, not the space
            opening = opening or bool(token.is_sent_start)
            continue
        if token.i - 1 in drop and token.text in ",.;:!?" and out:
            out[-1][1] = ""  # "failed drastically." as "failed."
        word = token.text[:1].upper() + token.text[1:] if opening else token.text
        opening = False
        if token.lower_ in ("a", "an") and token.i + 1 in drop:
            following = next((t for t in doc[token.i + 1:] if t.i not in drop), None)
            if following is not None:
                article = indefinite_article(following.text)
                word = article.capitalize() if word[0].isupper() else article
        out.append([word, token.whitespace_])
    text = "".join(w + space for w, space in out).strip()
    if re.search(r"\b(?:be|been|being|is|are|was|were|am|have|has|had|do|does|did)\W*$", text, re.I):
        return sentence  # what was taken out was what the sentence says ("Could talks have been otherwise?")
    return text[:1].upper() + text[1:]


def _commas_with(doc: Doc, token: Token) -> set[int]:
    """The commas that go with ``token`` when it is taken out: after an opening word ("Regardless, the …"), around a
    word set off by two ("the plan, notably, failed"), before a last one ("failed, drastically."), and between it
    and another modifier of the same word ("a long, costly war")."""
    before = doc[token.i - 1] if token.i > 0 and not token.is_sent_start else None  # none: it opens a sentence
    after = doc[token.i + 1] if token.i + 1 < len(doc) else None
    commas: set[int] = set()
    if after is not None and after.text == ",":
        following = doc[after.i + 1] if after.i + 1 < len(doc) else None
        if before is None or before.text == "," or (following is not None and following.head == token.head
                                                    and following.dep_ == token.dep_):
            commas.add(after.i)
    if before is not None and before.text == ",":
        preceding = doc[before.i - 1] if before.i > 0 else None
        if after is None or after.is_punct or (preceding is not None and preceding.head == token.head
                                               and preceding.dep_ == token.dep_):
            commas.add(before.i)
    return commas


_A_BEFORE_VOWEL = ("unique", "unit", "union", "unif", "univ", "unila", "unanim", "ukrain", "utah", "uran", "usual",
                   "usu", "use", "usa", "uti", "ure", "uro", "eu", "one", "once", "ubi", "ufo", "u-")


def indefinite_article(word: str) -> str:
    """"a" or "an" before ``word``, by how it is said: "an hour", "a useful", "an 8%", "an FBI", "a one-off", "a
    Ukrainian" (a rule of thumb: English spelling does not always tell)."""
    lower = word.lower()
    if word[:1].isdigit():
        return "an" if word.startswith("8") or re.match(r"1[18](?!\d)", word) else "a"
    if len(word) > 1 and word.isupper():
        return "an" if word[0] in "AEFHILMNORSX" else "a"
    if lower.startswith(("hour", "honest", "honor", "honour", "heir")):
        return "an"
    if lower.startswith(_A_BEFORE_VOWEL):
        return "a"
    return "an" if lower[:1] in "aeiou" else "a"


_ACCORDING = re.compile(r"(?:^|(?<=, ))([Aa]ccording to (?:(?:the|a|an|its|his|her|their) )?(?:[\w’'-]+ ){0,4}[\w’'-]+)"
                        r"(?=[,;]|\.?$)")
"""A short "according to" phrase that opens the sentence or follows a comma, and ends at a comma or at the sentence's
end: "According to the website,"; not "went according to plan", not "according to Dr. Anthony Fauci"."""


def put_back_speaker(original: str, candidate: str) -> str | None:
    """``candidate`` with the speaker of ``original`` put back as ", Ghalibaf said." (or "he said"), when
    ``original``'s main verb reports what its subject said ("Ghalibaf added that …", a speech verb with a
    that-clause, the only one in the sentence) and ``candidate`` is one sentence that states it as fact. None when
    that cannot be done plainly: a verb that reports nothing ("the firm added 500 jobs"), one in a side or joined
    clause ("the deal, which Ghalibaf said was fair, …"), a denial ("has not said"), two speakers, a long subject, a
    future ("will tell"), or a reply that ends in a quote, a question, an ellipsis or an abbreviation. Where
    ``original`` has no such speech verb, its one short "according to …" (``_ACCORDING``) is put back as it is."""
    from retold.nlp import parse
    from retold.sentences import split_sentences

    text = candidate.strip()
    last = text[:-1].split()[-1].lower() if text[:-1].split() else ""
    if len(split_sentences(text)) != 1 or not re.search(r"[\w)]\.$", text) or "." in last or last in _ABBREVIATIONS:
        return None
    verbs = [t for t in parse(original) if t.pos_ in ("VERB", "AUX") and t.lemma_.lower() in SAYING
             and any(c.dep_ == "ccomp" for c in t.children)]
    according = _ACCORDING.findall(original)
    if not verbs and len(according) == 1:  # "According to the website, the bar is called …": "…, according to the website."
        return f"{text[:-1]}, {according[0][0].lower()}{according[0][1:]}."
    if len(verbs) != 1 or verbs[0].dep_ != "ROOT" or verbs[0].tag_ not in ("VBD", "VBZ", "VBP", "VBN"):
        return None
    verb = verbs[0]
    subject = next((c for c in verb.children if c.dep_ == "nsubj"), None)
    if subject is None or subject.lower_ in WRITER or any(c.dep_ == "neg" for c in verb.children):
        return None
    words = list(subject.subtree)
    if len(words) > 6 or any(t.is_quote or t.is_punct for t in words):
        return None
    speaker = original[words[0].idx:words[-1].idx + len(words[-1])]
    if words[0].pos_ != "PROPN" and words[0].ent_type_ not in NAME_LABELS and words[0].text != "I":  # "the company", "two people"
        speaker = speaker[:1].lower() + speaker[1:]
    said = {"VBZ": "says", "VBP": "say"}.get(verb.tag_, "said")
    return f"{text[:-1]}, {speaker} {said}."


def source_modal(sentence: str) -> str | None:
    """The modal (could, may, might) that hedges the main verb of ``sentence``, or of what its main verb reports
    ("Officials said the tariff might raise prices"), if exactly one does."""
    from retold.nlp import parse

    def main(verb: Token) -> bool:
        return verb.dep_ == "ROOT" or (verb.dep_ == "ccomp" and verb.head.dep_ == "ROOT"
                                       and verb.head.lemma_.lower() in SAYING)

    modals = [t for t in parse(sentence) if t.lower_ in HEDGE_MODALS and t.dep_ == "aux" and main(t.head)]
    if len(modals) != 1 or any(c.dep_ == "neg" for c in modals[0].head.children):
        return None  # "could not raise" denies; it does not hedge
    return modals[0].lower_


def hedge(sentence: str, modal: str) -> str | None:
    """``sentence`` with its main verb hedged by ``modal`` as the source hedges its own ("The deal will raise prices"
    or "The deal raises prices" as "The deal could raise prices"); None when the verb is not plainly present or
    future, is joined to another ("raises prices and cuts jobs"), is contracted ("It's"), reports or thinks
    ("Analysts say"), or the sentence has a modal of its own or is a question."""
    from retold.nlp import parse

    doc = parse(sentence)
    root = next((t for t in doc if t.dep_ == "ROOT"), None)
    if (root is None or root.pos_ not in ("VERB", "AUX") or root.lemma_.lower() in SPEECH_VERBS | COGNITION_VERBS
            or sentence.rstrip().endswith("?") or any(t.lower_ in HEDGE_MODALS | {"would", "should", "must"} for t in doc)
            or any(c.dep_ in ("conj", "ccomp") and c.pos_ in ("VERB", "AUX") for c in root.children)):
        return None  # "VW indicates that … can be achieved": the hedge belongs to what is reported, not to the report
    aux = [c for c in root.children if c.dep_ in ("aux", "auxpass", "neg")]
    if len(aux) == 1 and aux[0].lower_ in ("will", "can", "shall"):
        token, words = aux[0], modal
    elif len(aux) == 1 and aux[0].dep_ == "auxpass" and aux[0].tag_ in ("VBZ", "VBP"):
        token, words = aux[0], f"{modal} be"  # "is held" as "could be held"
    elif not aux and root.tag_ in ("VBZ", "VBP"):
        token, words = root, f"{modal} {root.lemma_.lower()}"
    else:
        return None
    if not token.is_alpha or (token.i and not doc[token.i - 1].whitespace_):
        return None  # "It's", "The deal's"
    return sentence[:token.idx] + words + sentence[token.idx + len(token):]
