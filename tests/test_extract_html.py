"""Extraction from HTML: a page built from the example article, with furniture around it."""

from __future__ import annotations

import html as html_lib

import pytest

import retold
from retold.html import visible_lines
from retold.inputs import looks_like_html


def build_page(paragraphs: list[str]) -> str:
    body = "\n".join(f"<p>{html_lib.escape(p)}</p>" for p in paragraphs)
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>Iran stresses urgency of implementing security agreement with Iraq</title>
<meta property="og:site_name" content="Kurdistan24">
<meta name="author" content="Staff Writer">
<meta property="article:published_time" content="2025-10-21T10:00:00Z">
<script>var tracking = "do not extract me";</script><style>p {{ color: black; }}</style>
</head><body>
<nav><ul><li><a href="/">Home</a></li><li><a href="/news">News</a></li><li><a href="/sport">Sport</a></li></ul></nav>
<main><article>
<h1>Iran stresses urgency of implementing security agreement with Iraq</h1>
<figure><img src="a.jpg" alt=""><figcaption>Qasim al-Araji meeting Bagher Ghalibaf in Tehran. Photo: IRNA</figcaption></figure>
{body}
</article></main>
<div hidden>Hidden promotional text that nobody sees</div>
<footer><p>© 2025 Kurdistan24. All rights reserved.</p><a href="/privacy">Privacy policy</a></footer>
</body></html>"""


@pytest.fixture(scope="module")
def text_article(source_text):
    return retold.extract(source_text)


@pytest.fixture(scope="module")
def page(text_article):
    return build_page(text_article.paragraphs)


def test_html_path_finds_the_same_body_and_the_metadata(page, text_article):
    assert looks_like_html(page)
    article = retold.extract(page)
    assert article.metadata["format"] == "html"
    assert article.paragraphs == text_article.paragraphs
    assert article.headline == "Iran stresses urgency of implementing security agreement with Iraq"
    assert article.site == "Kurdistan24"
    assert article.date == "2025-10-21"
    assert article.dateline == "ERBIL, Kurdistan Region of Iraq"
    assert {q.speaker for q in article.quotes} >= {"Qasim al-Araji", "Tammy Bruce", "Bagher Ghalibaf"}


def test_removed_lists_the_page_furniture(page):
    removed = retold.extract(page).removed
    assert "Home" in removed and "Sport" in removed
    assert "© 2025 Kurdistan24. All rights reserved." in removed
    assert not any("Hidden promotional" in line or "tracking" in line for line in removed)


def test_visible_lines_are_what_a_reader_sees(page):
    lines = visible_lines(page)
    assert lines[:3] == ["Home", "News", "Sport"]
    assert "Hidden promotional text that nobody sees" not in lines
    assert not any("var tracking" in line for line in lines)
    assert "Qasim al-Araji meeting Bagher Ghalibaf in Tehran. Photo: IRNA" in lines
