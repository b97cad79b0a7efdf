"""Document-level findings of a check: copied passages, keyword stuffing, altered quotes, omissions."""

from __future__ import annotations

import re
from collections import Counter
from typing import TYPE_CHECKING

from retold.aliases import same_entity
from retold.analyze import Analysis, normalise_words, words

if TYPE_CHECKING:
    from retold.report import Report

_STOP = {
    "the", "a", "an", "of", "to", "in", "and", "or", "for", "on", "with", "at", "by", "from", "as", "is", "was",
    "are", "were", "be", "that", "this", "it", "its", "their", "his", "her", "has", "have", "had", "will", "would",
}
_GERUND_AFTER_VERB = re.compile(r"\b(?:maintain|uphold|ensure|improve|strengthen|enhance|support|achieve|promote|boost|increase|provide|keep)\s+(\w+ing)\b", re.I)


def ngrams(words: list[str], n: int) -> list[tuple[str, ...]]:
    return [tuple(words[i : i + n]) for i in range(len(words) - n + 1)]


def copied_ratio(source: str, rewrite: str, n: int = 4) -> float:
    """Share of the rewrite's n-word sequences that also occur in the source."""
    theirs = set(ngrams(words(source), n))
    ours = ngrams(words(rewrite), n)
    return sum(1 for g in ours if g in theirs) / len(ours) if ours else 0.0


def keyword_stuffing(source: str, rewrite: str) -> list[dict]:
    """Phrases repeated beyond natural use, and phrases wedged in where they break the grammar.

    A phrase of 2-4 words (not starting or ending with a function word) is stuffed when the rewrite
    repeats it at least three times and more often than the source does, or at least twice with an
    occurrence that breaks the grammar ("maintain ensuring regional security").
    """
    rewrite_words, source_text = words(rewrite), normalise_words(source)
    found: list[dict] = []
    for n in (4, 3, 2):
        for gram, count in Counter(ngrams(rewrite_words, n)).items():
            if count < 2 or gram[0] in _STOP or gram[-1] in _STOP or min(map(len, gram)) < 2:
                continue
            phrase = " ".join(gram)
            if any(phrase in f["phrase"] for f in found):
                continue
            broken = [m.group(0) for m in _GERUND_AFTER_VERB.finditer(rewrite) if phrase.startswith(m.group(1).lower())]
            in_source = source_text.count(phrase)
            if (count >= 3 and count > in_source) or (count >= 2 and broken):
                found.append({"phrase": phrase, "count": count, "in_source": in_source, "ungrammatical": broken})
    return sorted(found, key=lambda f: -f["count"])


def omissions(source: Analysis, rewrite: Analysis, limit: int = 10) -> list[dict]:
    """Names, numbers and dates of the source's lead and recurring facts that the rewrite never mentions."""
    rewrite_keys = [m.key for u in rewrite.units for m in u.names]
    rewrite_text = rewrite.normal_text
    mentions: Counter = Counter(m.key for u in source.units for m in u.names)
    result, seen = [], set()
    for unit in source.units:
        lead = unit.part != "body" or unit.index < 3
        for m in unit.names:
            if m.key in seen or (mentions[m.key] < 2 and not lead):
                continue
            seen.add(m.key)
            if not any(same_entity(m.key, k) for k in rewrite_keys) and normalise_words(m.text) not in rewrite_text:
                result.append({"type": "name", "text": m.text, "source_index": unit.index})
        for n in unit.numbers:
            if n.text[0].isdigit() and n.text.lower() not in rewrite_text.split() and n.text not in seen:
                seen.add(n.text)
                result.append({"type": "number", "text": n.text, "source_index": unit.index})
        for d in unit.dates:
            if d.text.lower() not in rewrite_text and d.key not in seen and lead:
                seen.add(d.key)
                result.append({"type": "date", "text": d.text, "source_index": unit.index})
    return result[:limit]


def document_findings(report: Report, source: Analysis, rewrite: Analysis) -> None:
    source_text = " ".join(u.text for u in source.units)
    rewrite_text = report.rewrite.body
    report.copied_4gram_ratio = copied_ratio(source_text, rewrite_text)
    report.keyword_stuffing = keyword_stuffing(source_text, rewrite_text)
    report.altered_quotes = [
        {"sentence": s.index, "text": s.text[i.span[0] : i.span[1]] if i.span else "", "message": i.message}
        for s in report.sentences
        for i in s.issues
        if i.type in ("quote", "misattributed_quote")
    ]
    report.omissions = omissions(source, rewrite)
