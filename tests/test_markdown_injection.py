"""Markdown outputs carry no live markup: rendered by a real CommonMark renderer into a real browser
(Debian's chromium), text from a hostile page stays text and none of its handlers run."""

from __future__ import annotations

import pytest
from markdown_it import MarkdownIt
from test_page import ARGS, CHROMIUM

import retold
from retold.render import article_markdown, md, report_markdown, rewrite_markdown

# Each payload sets document.title when it runs. The page also holds them entity-escaped, the way a
# news page quotes markup, which extraction turns back into the characters.
PAYLOADS = [
    '<img src=x onerror="document.title=\'ran-img\'">',
    "<script>document.title='ran-script'</script>",
    '<svg onload="document.title=\'ran-svg\'"></svg>',
    "[read more](javascript:document.title='ran-link')",
    "![chart](javascript:document.title='ran-image')",
    "<a href=\"javascript:document.title='ran-a'\">the report</a>",
    "<iframe srcdoc=\"<script>parent.document.title='ran-frame'</script>\"></iframe>",
]
SENTENCE = "Officials in Erbil said the border agreement would be signed on Monday after talks in Baghdad, {}."


def renderers() -> list[MarkdownIt]:
    """CommonMark as specified (raw HTML passes through), and with GitHub's tables and strikethrough."""
    return [MarkdownIt("commonmark"), MarkdownIt("commonmark").enable(["table", "strikethrough"])]


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        yield browser
        browser.close()


def ran(browser, html: str) -> list[str]:
    """Load ``html`` in chromium and return what ran: the title a handler set, and active elements."""
    page = browser.new_page()
    try:
        page.set_content(f"<!DOCTYPE html><html><head><title>inert</title></head><body>{html}</body></html>")
        page.wait_for_timeout(300)  # let image errors and frame loads fire
        found = [] if page.title() == "inert" else [page.title()]
        found += page.eval_on_selector_all(
            "script, img, svg, iframe, a[href^='javascript' i]", "nodes => nodes.map(n => n.outerHTML)"
        )
        return found
    finally:
        page.close()


def assert_inert(browser, markdown: str) -> None:
    for renderer in renderers():
        html = renderer.render(markdown)
        assert ran(browser, html) == [], html
        assert "document.title" in html  # the payloads' words still reach the reader, as text


def test_the_harness_sees_a_handler_run(browser):
    """Unescaped, the payloads do run through the same renderer and browser: the checks below can fail."""
    markdown = "\n\n".join(SENTENCE.format(p) for p in PAYLOADS)
    html = MarkdownIt("commonmark").render(markdown)
    assert ran(browser, html)


def test_md_keeps_the_text_and_drops_the_markup():
    for payload in PAYLOADS + ["# not a heading", "1. not a list", "- nor this", "a * b _ c ` d ~ e | f \\ g & h"]:
        rendered = MarkdownIt("commonmark").render(md(payload))
        assert rendered.startswith("<p>") and rendered.count("<") == 2, rendered  # <p> and </p>, nothing else
    assert md("line one\n\nline two") == "line one line two"


def hostile_page() -> str:
    body = "".join(f"<p>{SENTENCE.format(p.replace('&', '&amp;').replace('<', '&lt;').replace('>', '&gt;'))}</p>"
                   for p in PAYLOADS)
    return (f"<html><head><title>Border &lt;img src=x onerror=\"document.title='ran-title'\"&gt; deal</title></head>"
            f"<body><article><h1>Border &lt;img src=x onerror=\"document.title='ran-h1'\"&gt; deal</h1>{body}"
            "</article></body></html>")


def test_extract_markdown_is_inert(browser):
    article = retold.extract(hostile_page())
    assert any("<img src=x" in p for p in article.paragraphs)  # the page's escaped text is now markup-like text
    assert_inert(browser, article_markdown(article))


def test_check_report_markdown_is_inert(browser):
    source = "\n\n".join(SENTENCE.format(p) for p in PAYLOADS)
    rewrite = "\n\n".join(f"The agreement is void {p} and the talks failed." for p in PAYLOADS)
    assert_inert(browser, report_markdown(retold.check(source, rewrite)))


def test_rewrite_markdown_is_inert(browser):
    result = retold.rewrite(hostile_page(), engine="rules")
    markdown = rewrite_markdown(result)
    assert "onerror" in markdown
    assert_inert(browser, markdown)
