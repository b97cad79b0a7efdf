"""Sentence splitting with nupunkt (a punkt model inside the package; no download)."""

from __future__ import annotations

import re

from retold.article import PARAGRAPH_SEPARATOR, Sentence


def split_sentences(text: str) -> list[tuple[int, int]]:
    """Character spans of the sentences of one paragraph, surrounding whitespace trimmed."""
    import nupunkt

    spans = []
    for sentence, (start, _end) in nupunkt.sent_spans_with_text(text):
        stripped = sentence.strip()
        if not stripped:
            continue
        lead = len(sentence) - len(sentence.lstrip())
        spans.append((start + lead, start + lead + len(stripped)))
    return spans


def sentences_of(paragraphs: list[str]) -> list[Sentence]:
    """The sentences of paragraphs joined by ``PARAGRAPH_SEPARATOR``, with body offsets."""
    result: list[Sentence] = []
    offset = 0
    for number, paragraph in enumerate(paragraphs):
        for start, end in split_sentences(paragraph):
            result.append(Sentence(len(result), paragraph[start:end], offset + start, offset + end, number))
        offset += len(paragraph) + len(PARAGRAPH_SEPARATOR)
    return result


_ENDED = re.compile(r"[.!?][\"”’')\]]*$")


def end_sentence(text: str) -> str:
    """``text`` with a full stop, unless it already ends as a sentence (or is empty): a closing quote or bracket
    ends one only after its own full stop, question or exclamation mark (“good team.” but “good team”.)."""
    return text + "." if text and not _ENDED.search(text) else text
