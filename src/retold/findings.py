"""Document-level findings of a check: copied passages, keyword stuffing, altered quotes, omissions."""

from __future__ import annotations

import re
from collections import Counter
from itertools import combinations
from typing import TYPE_CHECKING

from retold.analyze import WORD, Analysis, normalise_words, words
from retold.cache import memo

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
    return _share_in(_grams(source, n), ngrams(words(rewrite), n))


def copied_outside_quotes(source: str, paragraphs: list[str], n: int = 4) -> float:
    """Share of the rewrite's n-word sequences outside direct quotes that also occur in the source: the
    copying a reader counts against a writer (a quote must be copied; the words around it need not be)."""
    copied, total = copied_counts(source, paragraphs, n)
    return copied / total if total else 0.0


def copied_counts(source: str, paragraphs: list[str], n: int = 4) -> tuple[int, int]:
    """(n-word sequences outside direct quotes that occur in the source, all of them)."""
    theirs = _grams(source, n)
    ours = [g for stretch in _unquoted(paragraphs) for g in ngrams(words(stretch), n)]
    return sum(g in theirs for g in ours), len(ours)


def copied_phrases(source: str, text: str, n: int = 4) -> list[str]:
    """The runs of words outside direct quotes in ``text`` that repeat the source (every n-word window of a
    run is in it), as ``text`` writes them, longest first; a run that is only a name or a number ("Qasim
    al-Araji said") is left out, since names must be copied."""
    grams = _grams(source, n)
    runs: list[tuple[int, str]] = []
    for stretch in _unquoted([text]):
        tokens = list(WORD.finditer(stretch))
        covered = [False] * len(tokens)
        for i, gram in enumerate(ngrams([t.group().lower() for t in tokens], n)):
            if gram in grams:
                covered[i : i + n] = [True] * n
        first = None
        for i, copied in enumerate(covered + [False]):
            if copied and first is None:
                first = i
            elif not copied and first is not None:
                run = tokens[first:i]
                if sum(not t.group()[0].isupper() and not t.group()[0].isdigit() for t in run) >= 2:
                    runs.append((len(run), stretch[run[0].start() : run[-1].end()]))
                first = None
    return [phrase for _, phrase in sorted(runs, key=lambda r: -r[0])]


def _unquoted(paragraphs: list[str]) -> list[str]:
    """The stretches of text between direct quotes."""
    from retold.quotes import quote_spans

    stretches = []
    for paragraph in paragraphs:
        cuts = [0] + [i for span in quote_spans(paragraph) for i in span] + [len(paragraph)]
        stretches += [paragraph[start:end] for start, end in zip(cuts[::2], cuts[1::2])]
    return stretches


@memo(maxsize=1)
def _grams(source: str, n: int) -> frozenset[tuple[str, ...]]:
    """The source's n-word sequences, made once for both copied measures of a check."""
    return frozenset(ngrams(words(source), n))


def _share_in(theirs: frozenset[tuple[str, ...]], ours: list[tuple[str, ...]]) -> float:
    return sum(1 for g in ours if g in theirs) / len(ours) if ours else 0.0


def keyword_stuffing(source: str, rewrite: str) -> list[dict]:
    """Phrases repeated beyond natural use, and phrases wedged in where they break the grammar.

    A phrase of 2-4 words (not starting or ending with a function word) is stuffed when the rewrite
    repeats it at least three times and more often than the source does, or at least twice with an
    occurrence that breaks the grammar ("maintain ensuring regional security"). One pass over each
    text: the work grows with their length, not with the number of repeated phrases times it.
    """
    rewrite_words, source_words = words(rewrite), words(source)
    broken_by: dict[str, list[str]] = {}  # gerund -> the occurrences that break the grammar
    for m in _GERUND_AFTER_VERB.finditer(rewrite):
        broken_by.setdefault(m.group(1).lower(), []).append(m.group(0))
    found: list[dict] = []
    inside_found: set[tuple[str, ...]] = set()  # the shorter phrases inside a phrase already found
    for n in (4, 3, 2):
        in_source = Counter(ngrams(source_words, n))
        for gram, count in Counter(ngrams(rewrite_words, n)).items():
            if count < 2 or gram[0] in _STOP or gram[-1] in _STOP or min(map(len, gram)) < 2 or gram in inside_found:
                continue
            first = gram[0]
            broken = [b for end in range(1, len(first) + 1) for b in broken_by.get(first[:end], ())]
            if (count >= 3 and count > in_source[gram]) or (count >= 2 and broken):
                found.append({"phrase": " ".join(gram), "count": count, "in_source": in_source[gram], "ungrammatical": broken})
                inside_found.update(gram[i:j] for i in range(n) for j in range(i + 2, n + 1))
    return sorted(found, key=lambda f: -f["count"])


def omissions(source: Analysis, rewrite: Analysis, limit: int = 10) -> list[dict]:
    """Names, numbers and dates of the source's lead and recurring facts that the rewrite never mentions."""
    rewrite_names = _NameIndex({m.key for u in rewrite.units for m in u.names})
    rewrite_text = rewrite.normal_text
    rewrite_words = set(rewrite_text.split())
    rewrite_grams = {" ".join(g) for n in range(1, _GRAMS + 1) for g in ngrams(rewrite_text.split(), n)}
    mentions: Counter = Counter(m.key for u in source.units for m in u.names)
    result: list[dict] = []
    seen: set[str] = set()
    for unit in source.units:
        if len(result) >= limit:
            break
        lead = unit.part != "body" or unit.index < 3
        for m in unit.names:
            if m.key in seen or (mentions[m.key] < 2 and not lead):
                continue
            seen.add(m.key)
            if not rewrite_names.has(m.key) and not _contains(rewrite_text, rewrite_grams, normalise_words(m.text)):
                result.append({"type": "name", "text": m.text, "source_index": unit.index})
        for n in unit.numbers:
            if n.text[0].isdigit() and n.text.lower() not in rewrite_words and n.text not in seen:
                seen.add(n.text)
                result.append({"type": "number", "text": n.text, "source_index": unit.index})
        for d in unit.dates:
            if d.text.lower() not in rewrite_text and d.key not in seen and lead:
                seen.add(d.key)
                result.append({"type": "date", "text": d.text, "source_index": unit.index})
    return result[:limit]


_GRAMS = 4


def _contains(text: str, grams: set[str], phrase: str) -> bool:
    """Whether normalised ``text`` holds the words of ``phrase``: looked up among its word sequences
    (searching the whole text for every name of a long source would take their lengths' product)."""
    return phrase in grams if len(phrase.split()) <= _GRAMS else phrase in text


class _NameIndex:
    """Entity keys, answering ``any(same_entity(key, k) for k in keys)`` without comparing against every key."""

    def __init__(self, keys: set[str]) -> None:
        self.keys = keys
        self.word_sets = {frozenset(k[5:].split()) for k in keys if k.startswith("name:") and k[5:].split()}
        self.by_word: dict[str, list[frozenset[str]]] = {}
        for words_ in self.word_sets:
            for word in words_:
                self.by_word.setdefault(word, []).append(words_)

    def has(self, key: str) -> bool:
        if key in self.keys:
            return True
        if not key.startswith("name:") or not (mine := frozenset(key[5:].split())):
            return False
        if len(mine) > 8:
            return any(mine <= theirs or theirs <= mine for theirs in self.word_sets)
        if any(frozenset(sub) in self.word_sets for r in range(1, len(mine) + 1) for sub in combinations(mine, r)):
            return True  # a rewrite name made of some of these words
        postings = min((self.by_word.get(word, []) for word in mine), key=len)
        return any(mine <= theirs for theirs in postings)  # a rewrite name holding all of these words


def document_findings(report: Report, source: Analysis, rewrite: Analysis) -> None:
    source_text = " ".join(u.text for u in source.units)
    rewrite_text = report.rewrite.body
    report.copied_4gram_ratio = copied_ratio(source_text, rewrite_text)
    report.copied_outside_quotes = copied_outside_quotes(source_text, report.rewrite.paragraphs)
    report.keyword_stuffing = keyword_stuffing(source_text, rewrite_text)
    report.altered_quotes = [
        {"sentence": s.index, "text": s.text[i.span[0] : i.span[1]] if i.span else "", "message": i.message}
        for s in report.sentences
        for i in s.issues
        if i.type in ("quote", "misattributed_quote")
    ]
    report.omissions = omissions(source, rewrite)
