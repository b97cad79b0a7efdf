"""Extraction from HTML: trafilatura finds the body and metadata; retold tidies what it returns."""

from __future__ import annotations

import re

import lxml.html
from lxml import etree

from retold.plaintext import CAPTION, FURNITURE, Page, classify_line

_BLOCK_TAGS = {
    "address", "article", "aside", "blockquote", "br", "dd", "details", "dialog", "div", "dl", "dt",
    "fieldset", "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6",
    "header", "hr", "li", "main", "nav", "ol", "p", "pre", "section", "summary", "table", "td",
    "th", "tr", "ul", "button", "option", "label", "caption",
}
_INVISIBLE_TAGS = {"script", "style", "noscript", "template", "head", "svg", "iframe", "select", "object", "canvas"}
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.I)
_SPACES = re.compile(r"\s+")


_UTF8_PARSER = lxml.html.HTMLParser(encoding="utf-8")


def parse_html(html: str) -> etree._Element | None:
    try:
        return lxml.html.document_fromstring(html.encode("utf-8", errors="replace"), parser=_UTF8_PARSER)
    except (etree.ParserError, ValueError):
        return None


def visible_lines(html: str) -> list[str]:
    """The text a person sees on the page, one line per block, as a browser's copy would give it."""
    root = parse_html(html)
    if root is None:
        return []
    chunks: list[str] = []

    def walk(node: etree._Element) -> None:
        tag = node.tag if isinstance(node.tag, str) else ""
        if tag in _INVISIBLE_TAGS or not tag or _is_hidden(node):
            if node.tail:
                chunks.append(node.tail)
            return
        block = tag in _BLOCK_TAGS
        if block:
            chunks.append("\n")
        if node.text:
            chunks.append(node.text)
        for child in node:
            walk(child)
        if block:
            chunks.append("\n")
        if node.tail:
            chunks.append(node.tail)

    walk(root)
    return [line for line in (_SPACES.sub(" ", raw).strip() for raw in "".join(chunks).split("\n")) if line]


def _is_hidden(node: etree._Element) -> bool:
    if node.get("hidden") is not None or node.get("aria-hidden") == "true":
        return True
    style = node.get("style")
    return bool(style and _HIDDEN_STYLE.search(style))


def extract_html(html: str) -> tuple[Page, dict[str, str]]:
    """The article in ``html`` as a ``Page``, and the page metadata trafilatura found."""
    import trafilatura

    document = trafilatura.bare_extraction(
        html, with_metadata=True, include_comments=False, include_tables=True, favor_precision=False
    )
    if document is None:
        return Page(paragraphs=[]), {}
    meta = {key: value for key, value in document.as_dict().items() if isinstance(value, str) and value}
    title = meta.get("title")
    page = Page(paragraphs=[], headline=title, byline=meta.get("author"), date=meta.get("date"))
    for raw in (document.text or "").split("\n"):
        line = _SPACES.sub(" ", raw).strip()
        if not line or (title and line == title and not page.paragraphs):
            continue
        kind = classify_line(line).kind
        if kind == CAPTION and len(line.split()) < 60:
            page.captions.append(line)
        elif kind == FURNITURE:
            page.removed.append(line)
        else:
            page.paragraphs.append(line)
    description = meta.get("description")
    if description and page.paragraphs and not page.paragraphs[0].startswith(description[:40]):
        page.standfirst = description
    page.removed = _removed_lines(html, page) + page.removed
    return page, meta


def _removed_lines(html: str, page: Page) -> list[str]:
    """Visible lines of the page that are in neither the body, the headline nor the captions."""
    kept = _SPACES.sub(" ", " ".join([*page.paragraphs, *page.captions, page.headline or ""]))
    return [line for line in visible_lines(html) if line not in kept]
