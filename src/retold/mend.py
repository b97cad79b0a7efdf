"""Mending a model's reply that the rewriter or the checker rejected, without writing a fact of its own: the
modifiers it added that no source sentence has are trimmed (``trim``), the speaker it dropped is put back
(``put_back_speaker``), and the modal with which the source hedges the sentence goes back on its main verb
(``hedge``). Each mended reply goes to the checker again; none is published unproven."""

from __future__ import annotations

import re

from retold.analyze import COGNITION_VERBS, HEDGE_WORDS, HEDGES
from retold.check.evidence import covered_lemmas
from retold.quotes import SPEECH_VERBS, quote_spans

SAYING = {"say", "tell", "add", "note", "stress", "state", "explain", "write", "insist", "claim", "argue", "declare",
          "announce", "quote", "report", "emphasize", "emphasise", "assert", "affirm", "comment", "remark", "observe",
          "reiterate", "underline", "tweet", "post", "conclude", "acknowledge", "admit", "recall", "testify"}
"""Verbs that only report what someone said (not "urge" or "deny", which are acts the checker weighs)."""
WRITER = {"i", "we", "you"}
"""Who the writer is: never a speaker to name."""

REFERENCE = {"former", "ex", "first", "last", "next", "previous", "late", "then", "acting", "interim", "future",
             "fake", "false", "so-called", "would-be", "non", "only", "sole", "same", "other", "new", "old"}
"""Modifiers that change what a noun refers to or how many there are ("the former minister", "the only
witness"): never trimmed, because the source may say the same in other words ("the ex-minister")."""


def trim(sentence: str, known: frozenset[str]) -> str:
    """``sentence`` without the adjectives and adverbs of its own that no source sentence has in any form ("a
    thorough examination", "won decisively", "Regardless, …"): such a word only adds to what the sentence claims,
    so the rest may be proven where the whole was not. Hedges, negations, function words, words inside names
    and words that change what a noun refers to (REFERENCE) stay, and so does every word of a quote; the result
    goes to the checker again."""
    from retold.nlp import parse

    doc = parse(sentence)
    quoted = quote_spans(sentence)
    added = [t for t in doc if t.dep_ in ("amod", "advmod") and t.pos_ in ("ADJ", "ADV") and not t.is_stop
             and t.tag_ not in ("JJR", "RBR")  # "pay higher prices" as "pay prices" reads wrong
             and not t.ent_type_ and t.lower_ not in REFERENCE | HEDGE_WORDS
             and not any(a <= t.idx < b for a, b in quoted) and not covered_lemmas({t.lemma_.lower()}, known)]
    drop: set[int] = set()
    while True:  # leaves first: "an unusually long hearing" loses "unusually", then "long"
        leaves = [t for t in added if t.i not in drop and all(c.i in drop for c in t.children)]
        if not leaves:
            break
        for token in leaves:
            drop.add(token.i)
            before = doc[token.i - 1] if token.i > 0 else None
            after = doc[token.i + 1] if token.i + 1 < len(doc) else None
            if after is not None and after.text == "," and (before is None or before.text == ","):
                drop.add(after.i)  # "Regardless, the …", ", notably, "
            if before is not None and before.text == "," and (after is None or after.is_punct):
                drop.add(before.i)  # ", notably, " and "failed, drastically."
    if not drop:
        return sentence
    out: list[list[str]] = []  # [word, the space after it]
    for token in doc:
        if token.i in drop:
            if out and not out[-1][1]:
                out[-1][1] = token.whitespace_  # "plan , notably ," loses its commas, not the space
            continue
        word = token.text
        if token.lower_ in ("a", "an") and token.i + 1 in drop:
            following = next((t for t in doc[token.i + 1:] if t.i not in drop), None)
            if following is not None:
                article = "an" if following.text[:1].lower() in "aeiou" else "a"
                word = article.capitalize() if word[0].isupper() else article
        out.append([word, token.whitespace_])
    text = re.sub(r"\s+(?=[,.;:!?])", "", "".join(w + space for w, space in out).strip())
    return text[:1].upper() + text[1:]


def put_back_speaker(original: str, candidate: str) -> str | None:
    """``candidate`` (one sentence) with the speaker of ``original`` put back as ", Ghalibaf said." (or "he said"),
    when ``original`` reports what its subject said ("Ghalibaf added that …") and ``candidate`` states it as fact;
    None when that cannot be done plainly (no such subject, a long one, a reply of more sentences or ending in a quote)."""
    from retold.nlp import parse

    if "\n" in candidate.strip() or not candidate.rstrip().endswith("."):
        return None
    for verb in parse(original):
        if verb.pos_ not in ("VERB", "AUX") or verb.lemma_.lower() not in SAYING:
            continue
        subject = next((c for c in verb.children if c.dep_ == "nsubj" and c.lower_ not in WRITER), None)
        if subject is None:
            continue
        words = list(subject.subtree)
        if len(words) > 6 or any(t.is_quote or t.is_punct for t in words):
            return None
        speaker = original[words[0].idx:words[-1].idx + len(words[-1])]
        if words[0].pos_ in ("DET", "PRON") and words[0].text != "I":  # "the company", "he"
            speaker = speaker[:1].lower() + speaker[1:]
        said = {"VBZ": "says", "VBP": "say"}.get(verb.tag_, "said")
        return f"{candidate.rstrip()[:-1]}, {speaker} {said}."
    return None


def hedge(sentence: str, modal: str) -> str | None:
    """``sentence`` with its main verb hedged by ``modal`` as the source hedges it ("The deal will raise prices" or
    "The deal raises prices" as "The deal could raise prices"); None when the verb is not plainly present or future,
    or the sentence has a modal of its own."""
    from retold.nlp import parse

    doc = parse(sentence)
    root = next((t for t in doc if t.dep_ == "ROOT"), None)
    if (root is None or root.pos_ not in ("VERB", "AUX") or root.lemma_.lower() in SPEECH_VERBS | COGNITION_VERBS
            or any(t.lower_ in HEDGES | {"should", "must"} for t in doc)):
        return None  # "Analysts say …" is not what "could" hedges
    aux = [c for c in root.children if c.dep_ in ("aux", "auxpass", "neg")]
    if len(aux) == 1 and aux[0].lower_ in ("will", "can", "shall"):
        token, words = aux[0], modal
    elif len(aux) == 1 and aux[0].dep_ == "auxpass" and aux[0].tag_ in ("VBZ", "VBP"):
        token, words = aux[0], f"{modal} be"  # "is expected" as "could be expected"
    elif not aux and root.tag_ in ("VBZ", "VBP"):
        token, words = root, f"{modal} {root.lemma_.lower()}"
    else:
        return None
    return sentence[:token.idx] + words + sentence[token.idx + len(token):]
