"""Extraction from HTML: trafilatura finds the body and metadata; retold tidies what it returns."""

from __future__ import annotations

import re

import lxml.html
from lxml import etree

from retold.plaintext import CAPTION, FURNITURE, Page, classify_line, extract_page

_BLOCK_TAGS = {
    "address", "article", "aside", "blockquote", "br", "dd", "details", "dialog", "div", "dl", "dt",
    "fieldset", "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6",
    "header", "hr", "li", "main", "nav", "ol", "p", "pre", "section", "summary", "table", "td",
    "th", "tr", "ul", "button", "option", "label", "caption",
}
_INVISIBLE_TAGS = {"script", "style", "noscript", "template", "head", "svg", "iframe", "select", "object", "canvas"}
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.I)
_SPACES = re.compile(r"\s+")


# huge_tree: libxml2 otherwise stops at 256 nested elements and drops what is deeper; with it, at 2048.
_UTF8_PARSER = lxml.html.HTMLParser(encoding="utf-8", huge_tree=True)
# Deeper than that, wrappers that carry no structure are taken out and the page is parsed again.
_WRAPPER_TAG = re.compile(r"</?(?:div|span|section|font|center|b|i|em|strong|small|big|u)\b[^>]*>", re.I)


def parse_html(html: str) -> etree._Element | None:
    root = _parse(html)
    if root is not None and any("Excessive depth" in error.message for error in _UTF8_PARSER.error_log):
        root = _parse(_WRAPPER_TAG.sub(" ", html))
    return root


def _parse(html: str) -> etree._Element | None:
    try:
        return lxml.html.document_fromstring(html.encode("utf-8", errors="replace"), parser=_UTF8_PARSER)
    except (etree.ParserError, ValueError):
        return None


def visible_lines(html: str | etree._Element) -> list[str]:
    """The text a person sees on the page, one line per block, as a browser's copy would give it."""
    root = parse_html(html) if isinstance(html, str) else html
    if root is None:
        return []
    chunks: list[str] = []
    stack: list[tuple[etree._Element, bool]] = [(root, False)]  # no recursion: markup can be deep
    while stack:
        node, closing = stack.pop()
        tag = node.tag if isinstance(node.tag, str) else ""
        if closing or tag in _INVISIBLE_TAGS or not tag or _is_hidden(node):
            if closing and tag in _BLOCK_TAGS:
                chunks.append("\n")
            chunks.append(node.tail or "")
            continue
        chunks.append("\n" if tag in _BLOCK_TAGS else "")
        chunks.append(node.text or "")
        stack.append((node, True))
        stack.extend((child, False) for child in reversed(node))
    return [line for line in (_SPACES.sub(" ", raw).strip() for raw in "".join(chunks).split("\n")) if line]


def _is_hidden(node: etree._Element) -> bool:
    if node.get("hidden") is not None or node.get("aria-hidden") == "true":
        return True
    style = node.get("style")
    return bool(style and _HIDDEN_STYLE.search(style))


TIDY_STEPS = ("headline", "captions", "furniture")
TIDY: frozenset[str] = frozenset({"headline", "furniture"})
"""What retold takes out of trafilatura's text: the headline repeated as the body's first line, caption
lines, furniture lines. bench/extraction.py chooses this set by cross-validation (folds by site): the
steps kept are those that raise F1 on the training folds; the shipped set is the choice on all pages."""


def trafilatura_text(root: etree._Element) -> tuple[list[str], dict[str, str]]:
    """The body lines and the metadata trafilatura finds in a parsed page."""
    import trafilatura

    document = trafilatura.bare_extraction(
        root, with_metadata=True, include_comments=False, include_tables=True, favor_precision=False
    )
    if document is None:
        return [], {}
    data = document if isinstance(document, dict) else document.as_dict()
    meta = {key: value for key, value in data.items() if isinstance(value, str) and value}
    lines = [line for line in (_SPACES.sub(" ", raw).strip() for raw in (data.get("text") or "").split("\n")) if line]
    return lines, meta


def tidy(lines: list[str], meta: dict[str, str], steps: frozenset[str] = TIDY) -> Page:
    """trafilatura's lines as a ``Page``, with the ``steps`` of tidying applied (see ``TIDY``)."""
    title = meta.get("title")
    page = Page(paragraphs=[], headline=title, byline=meta.get("author"), date=meta.get("date"))
    for line in lines:
        if "headline" in steps and title and line == title and not page.paragraphs:
            continue
        kind = classify_line(line).kind
        if "captions" in steps and kind == CAPTION:
            page.captions.append(line)
        elif "furniture" in steps and kind == FURNITURE:
            page.removed.append(line)
        else:
            page.paragraphs.append(line)
    if not page.paragraphs:  # tidying never takes away the only body there is
        page.paragraphs, page.captions, page.removed = lines, [], []
    description = meta.get("description")
    if description and page.paragraphs and not page.paragraphs[0].startswith(description[:40]):
        page.standfirst = description
    return page


def extract_html(html: str, steps: frozenset[str] = TIDY) -> tuple[Page, dict[str, str]]:
    """The article in ``html`` as a ``Page``, and the page metadata trafilatura found."""
    root = parse_html(html)
    if root is None:
        return Page(paragraphs=[]), {}
    lines, meta = trafilatura_text(root)
    return assemble(lines, meta, visible_lines(root), steps), meta


def assemble(lines: list[str], meta: dict[str, str], visible: list[str], steps: frozenset[str] = TIDY) -> Page:
    """The ``Page`` from trafilatura's lines, tidied; where trafilatura found no body (a page it cannot
    read), the page's visible lines go through the copied-text path instead."""
    if not lines:
        page = extract_page("\n".join(visible))
        page.headline = meta.get("title") or page.headline
        return page
    page = tidy(lines, meta, steps)
    page.removed = _removed_lines(visible, page) + page.removed
    return page


def _removed_lines(visible: list[str], page: Page) -> list[str]:
    """Visible lines of the page that are in neither the body, the headline nor the captions."""
    kept = _SPACES.sub(" ", " ".join([*page.paragraphs, *page.captions, page.headline or ""]))
    return [line for line in visible if line not in kept]
