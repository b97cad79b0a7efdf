"""Property-based: whatever a user hands extract and check, the outcome is a result or one of retold's own
errors (a clear message), never another exception. A fixed, derandomised budget keeps it to seconds in CI."""

from __future__ import annotations

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import retold
from retold.render import article_markdown, report_markdown
from tests.conftest import EXAMPLES

BUDGET = settings(max_examples=40, deadline=None, derandomize=True, database=None,
                  suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

SOURCE = (EXAMPLES / "iran-iraq-source.txt").read_text(encoding="utf-8")
LINES = [line for line in SOURCE.splitlines() if line.strip()]

# Every code point, lone surrogates included (a str from a program or from JSON can hold them).
any_text = st.text(st.characters(exclude_categories=()), max_size=400)
marks = st.sampled_from(['"', "“", "”", "‘", "’", "«", "»", "'", "—", "\n", "\n\n", " ", "\u200b", "\ufeff", "\udf19", "<", "&amp;"])
lines = st.sampled_from(LINES)


@st.composite
def articles(draw) -> str:
    """Lines of a real article, shuffled, cut and salted with quotation marks and stray characters."""
    parts = []
    for line in draw(st.lists(lines, min_size=1, max_size=12)):
        cut = draw(st.integers(0, len(line)))
        parts.append(line[:cut] + draw(marks) + line[cut:] if draw(st.booleans()) else line)
        if draw(st.booleans()):
            parts.append(draw(any_text))
    return draw(st.sampled_from(["\n", "\n\n", " "])).join(parts)


@st.composite
def pages(draw) -> str:
    """HTML: article lines in tags, some broken, some with entities and attributes."""
    tags = st.sampled_from(["p", "div", "h1", "span", "figcaption", "script", "a href='javascript:x'", "article", "br"])
    body = ""
    for line in draw(st.lists(lines | any_text, min_size=1, max_size=10)):
        tag = draw(tags)
        closed = draw(st.booleans())
        escaped = line.replace("&", "&amp;").replace("<", "&lt;") if draw(st.booleans()) else line
        body += f"<{tag}>{escaped}" + (f"</{tag.split()[0]}>" if closed else "")
    head = draw(st.sampled_from(["<!DOCTYPE html><html><head><title>t</title></head><body>", "<html><body>", "<div>"]))
    return head + body


inputs = st.one_of(any_text, st.binary(max_size=600), articles(), pages())


def assert_usable(article_or_report) -> None:
    """A result must also be writable: JSON and Markdown as UTF-8 (a lone surrogate would fail here)."""
    json.dumps(article_or_report.to_dict(), ensure_ascii=False).encode("utf-8")


@BUDGET
@given(inputs)
def test_extract_gives_an_article_or_a_clear_error(page):
    try:
        article = retold.extract(page)
    except retold.RetoldError:
        return
    assert_usable(article)
    article_markdown(article).encode("utf-8")


@settings(BUDGET, max_examples=20)
@given(inputs, inputs)
def test_check_gives_a_report_or_a_clear_error(source, rewrite):
    try:
        report = retold.check(source, rewrite)
    except retold.RetoldError:
        return
    assert_usable(report)
    report_markdown(report).encode("utf-8")


@settings(BUDGET, max_examples=15)
@given(articles())
def test_check_of_an_article_against_itself_reads_it(text):
    """Structured articles mostly pass the input checks: the property is exercised past them."""
    try:
        report = retold.check(SOURCE, text)
    except retold.RetoldError:
        return
    assert_usable(report)
