"""Finding the evidence: which source units hold a rewrite sentence (sentence embeddings and IDF-weighted
word overlap; never the proof), and the subject a pronoun or "the agreement" refers to."""

from __future__ import annotations

import difflib
import math
import re
from dataclasses import dataclass

from retold.analyze import Analysis, Facts, stem
from retold.article import Article
from retold.cache import memo

PRONOUNS = {"he", "she", "it", "they", "this", "these", "those", "that"}


@dataclass
class Resolved:
    text: str
    antecedent: str
    span: tuple[int, int]


@memo(maxsize=32)
def source_vectors(texts: tuple[str, ...]):
    from retold.nlp import embedder

    vectors = embedder()(list(texts))
    vectors.flags.writeable = False  # shared by every check against this source
    return vectors


def idf_of(analysis: Analysis) -> dict[str, float]:
    counts: dict[str, int] = {}
    for unit in analysis.units:
        for lemma in unit.lemmas:
            counts[lemma] = counts.get(lemma, 0) + 1
    n = len(analysis.units)
    return {lemma: math.log((n + 1) / (c + 1)) + 1 for lemma, c in counts.items()} | {"": math.log(n + 1) + 1}


def weight(lemma: str, idf: dict[str, float]) -> float:
    return idf.get(lemma, idf[""])


def coverage(lemmas: set[str], covered: set[str], idf: dict[str, float]) -> float:
    total = sum(weight(l, idf) for l in lemmas)
    return sum(weight(l, idf) for l in covered_lemmas(lemmas, covered)) / total if total else 1.0


def covered_lemmas(lemmas: set[str], covered: set[str] | frozenset[str]) -> set[str]:
    """The ``lemmas`` that ``covered`` holds, as the same lemma or another form of the word ("warned"
    for "warning", "implement" for "implementation": the same Porter2 stem)."""
    found = lemmas & covered
    rest = lemmas - found
    if rest:
        stems = {stem(c) for c in covered}
        found |= {l for l in rest if stem(l) in stems}
    return found


def content_lemmas(facts: Facts) -> set[str]:
    """The lemmas a sentence's support is measured on: "say", "also" and "additionally" carry no fact of their own."""
    return facts.lemmas - {"say", "also", "additionally", "furthermore", "moreover"}


NEUTRAL_SPEECH = frozenset({
    "say", "state", "add", "note", "tell", "stress", "emphasize", "emphasise", "highlight", "underline", "underscore",
    "reiterate", "assert", "affirm", "remark", "observe", "mention", "explain", "point", "comment",
})
"""Verbs that report what someone said and add no stance of their own: a writer may put any of them for another
("highlighted" for "stressing"). Not "claim", "admit", "deny", "warn", "urge", "confirm" or "reveal", which say
more than that something was said (the attribution and hedge checks judge who said it and how surely)."""


def reported_speech(facts: Facts, evidence: list[Facts]) -> set[str]:
    """The claim's neutral speech verbs, when its evidence reports speech with one too: each counts as covered. By
    lemma: "added 500 jobs" is covered too where the evidence has someone add or say something (the number is still
    checked); the attribution's subject is not here, since a participle ("…, stressing …") has none of its own."""
    said = facts.predicates & NEUTRAL_SPEECH
    return said if said and any(unit.predicates & NEUTRAL_SPEECH for unit in evidence) else set()


def first_word(phrase: str) -> str:
    return phrase.split()[0].lower() if phrase.split() else ""


# --- resolving pronoun and definite subjects from the preceding sentences -------------------------


def resolve(body: list[Facts], i: int, source: list[Facts]) -> Resolved | None:
    """The sentence read with its pronoun or short definite subject ("the hybrid") replaced by the subject of
    a sentence before it, or None. A definite subject is a description, not a pronoun: it stands for that
    subject only when the description fits it, as the source shows (a ``source`` sentence that names the
    subject and uses the noun: "the RAV4 Prime, a plug-in hybrid"), or when the subject itself holds the noun.
    Otherwise "The roof spoiler" after "VW unveiled …" would be read as "VW" and fail a check it passes."""
    facts = body[i]
    if facts.subject is None or i == 0:
        return None
    phrase, start, end = facts.subject
    first = first_word(phrase)
    if not (first in PRONOUNS or (first in ("the", "this", "these", "those") and len(phrase.split()) <= 3)):
        return None
    described = len(phrase.split()) > 1  # "the hybrid", "these factions": a description, not a pronoun
    if described and any(w[:1].isupper() or w[:1].isdigit() for w in phrase.split()[1:]):
        return None  # "The 2020 Sentra", "The RAV4 Prime": a name says what it stands for
    for previous in reversed(body[max(0, i - 3) : i]):
        if previous.subject is None or first_word(previous.subject[0]) in PRONOUNS | {""}:
            continue
        antecedent = previous.subject[0]
        if first in ("he", "she") and not any(m.label == "PERSON" for m in previous.names if m.text in antecedent):
            continue
        if described and not _describes(phrase.split()[-1], antecedent, source):
            return None
        return Resolved(facts.text[:start] + antecedent + facts.text[end:], antecedent, (start, end))
    return None


def _describes(noun: str, antecedent: str, source: list[Facts]) -> bool:
    """Whether ``noun`` ("hybrid") may stand for ``antecedent`` ("The RAV4 Prime"): the antecedent holds the noun,
    or a source sentence holds both the noun and the antecedent's names (its last word when it has none)."""
    noun = noun.lower()
    words = [w.strip(".,;:'’\"“”()").lower() for w in antecedent.split()]
    if covered_lemmas({noun}, set(words)):
        return True
    names = [w for w, raw in zip(words, antecedent.split()) if raw[:1].isupper() and w not in ("the", "a", "an")]
    keys = names or words[-1:]
    return any(covered_lemmas({noun}, unit.lemmas) and all(re.search(rf"\b{re.escape(k)}\b", unit.text.lower()) for k in keys)
               for unit in source)


def source_text(article: Article) -> str:
    return "\n\n".join(([article.headline] if article.headline else []) + article.paragraphs)


def find_evidence(facts: Facts, similarity, source: Analysis, idf: dict[str, float]) -> list[int]:
    """The source units that hold the sentence: the best, plus up to two that add what it still lacks."""
    units = source.units
    lemmas = content_lemmas(facts)
    ranked = sorted(range(len(units)), key=lambda j: -(0.5 * similarity[j] + 0.5 * coverage(lemmas, units[j].lemmas, idf)))
    evidence = [ranked[0]] if ranked else []
    covered = set(units[evidence[0]].lemmas) if evidence else set()
    for j in ranked[1:6]:  # rewrites merge sentences: add evidence that covers what is still missing
        gain = coverage(lemmas - covered, units[j].lemmas, idf) * coverage(lemmas, lemmas - covered, idf)
        if gain >= 0.15 and similarity[j] >= 0.3 and len(evidence) < 3:
            evidence.append(j)
            covered |= units[j].lemmas
    return evidence


def nearest_span(claim: str, evidence: str) -> tuple[int, int] | None:
    """The longest stretch of the evidence sentence that the claim repeats (characters, case-insensitive)."""
    match = difflib.SequenceMatcher(None, evidence.lower(), claim.lower(), autojunk=False).find_longest_match()
    return (match.a, match.a + match.size) if match.size >= 4 else None
