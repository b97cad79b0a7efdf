"""extract: a news page (HTML or copied text) in, a clean ``Article`` out."""

from __future__ import annotations

from retold.article import Article
from retold.errors import InputError, NoArticleError
from retold.html import extract_html
from retold.inputs import MAX_INPUT_BYTES, check_length, decode, looks_like_html, normalise, replace_surrogates
from retold.language import detect_language
from retold.options import Kind
from retold.plaintext import article_page, extract_page, find_dateline
from retold.sentences import sentences_of


def extract(page: str | bytes, kind: Kind = "auto", language: str | None = None) -> Article:
    """Extract the article from an HTML page or from text copied off a page.

    ``Article.quotes`` are found when first asked for: their speakers need the spaCy parse, the slow
    part of extraction (checking a source parses the same body anyway, once).
    ``language`` (an ISO 639-1 code), when known, is used instead of identifying it: identification
    is unreliable on a sentence or two."""
    text = normalise(decode(page) if isinstance(page, bytes) else replace_surrogates(page))
    if not text.strip():
        raise InputError("input is empty")
    if len(text.encode("utf-8", errors="replace")) > MAX_INPUT_BYTES:
        raise InputError(f"input is larger than the limit of {MAX_INPUT_BYTES:,} bytes")
    is_html = looks_like_html(text) if kind in ("auto", "article") else kind == "html"
    if not is_html:
        check_length(text, "the text")
    if is_html:
        found, meta = extract_html(text)
    elif kind == "article":
        found, meta = article_page(text), {}
    else:
        found, meta = extract_page(text), {}
    if not found.paragraphs:
        raise NoArticleError("no article text was found in the input")
    if is_html:
        check_length("\n\n".join(found.paragraphs + found.captions), "the article in the page")

    sentences = sentences_of(found.paragraphs)
    language = language or detect_language(" ".join(found.paragraphs))
    return Article(
        paragraphs=found.paragraphs,
        sentences=sentences,
        headline=found.headline,
        standfirst=found.standfirst,
        byline=found.byline,
        site=meta.get("sitename"),
        date=found.date,
        dateline=find_dateline(found.paragraphs[0]),
        captions=found.captions,
        removed=found.removed,
        language=language,
        metadata={"format": "html" if is_html else "text"}
        | {k: meta[k] for k in ("url", "hostname", "description", "categories", "tags") if meta.get(k)},
    )
