"""Extraction that holds on inputs its rules were not written for: all-prose input is never refused, a
lead that looks like a caption stays the lead, deep markup, invisible characters, Markdown."""

from __future__ import annotations

import html as html_lib
import json
import os
import re
import textwrap
from pathlib import Path

import pytest

import retold
from retold.inputs import normalise
from retold.plaintext import classify_line

DATA = Path(os.environ.get("RETOLD_DATA", Path(__file__).resolve().parent.parent.parent / "shared" / "data"))

KYIV_LEAD = (
    "KYIV (Reuters) - Satellite images by Maxar Technologies showed heavy damage to the port of Odesa on "
    "Tuesday after a night of Russian drone attacks, the company said."
)
REEVES_LEAD = (
    "Chancellor Rachel Reeves (pictured) said on Tuesday that she would raise the minimum wage by 4 per cent "
    "from April, in a speech to business leaders in Manchester."
)
BODY = [
    "Officials said the attack damaged grain silos and two cargo ships that were waiting to be loaded at the "
    "terminal, and that no one was hurt.",
    "The port handles most of the country's grain exports, which resumed in August under a new shipping corridor "
    "that avoids Russian warships.",
    "Repairs are expected to take several weeks, the port authority said in a statement on its website.",
]


def words(text: str) -> list[str]:
    return re.findall(r"\w+", text)


@pytest.fixture(scope="module")
def example(source_text):
    return retold.extract(source_text)


# --- captions: length, sentence structure and position decide, not a keyword -------------------------


@pytest.mark.parametrize(
    "line",
    [
        KYIV_LEAD,
        REEVES_LEAD,
        "Ministers met on Monday (pictured) to agree the plan, which will cost 4 billion euros over five years and "
        "was approved by the cabinet after a long debate that lasted well into the night and angered the opposition.",
        "The exhibition, called Photo: A Century of Press Pictures, opens in the east wing of the museum on May 3.",
        "More than 2,000 residents have signed up, and officials urged others to sign up for the scheme before Friday.",
        "Readers who want to read more about the plan can find it on the council's website, a spokesman said.",
    ],
)
def test_a_caption_like_phrase_inside_prose_does_not_make_a_caption(line):
    assert classify_line(line).kind == "prose"


@pytest.mark.parametrize(
    "line",
    [
        "Rachel Reeves (pictured) leaving 11 Downing Street on Tuesday morning",
        "Smoke rises over the port of Odesa. Photo: Reuters",
        "The minister arrives in Kyiv. (Photo by Jane Doe/Getty Images)",
        "Image of the port after the attack",
    ],
)
def test_captions_are_still_captions(line):
    assert classify_line(line).kind == "caption"


@pytest.mark.parametrize("lead", [KYIV_LEAD, REEVES_LEAD])
def test_a_lead_that_looks_like_a_caption_stays_the_lead(lead):
    text = "World\n\nDrones hit grain port as repairs begin\n\n" + "\n\n".join([lead, *BODY]) + "\n\nRead more\n"
    article = retold.extract(text)
    assert article.paragraphs == [lead, *BODY]
    assert article.headline == "Drones hit grain port as repairs begin"
    assert not article.captions


def test_a_caption_like_lead_stays_the_lead_on_the_html_path():
    page = (
        "<html><head><title>Drones hit grain port</title></head><body><nav><a href='/'>Home</a></nav><article>"
        "<h1>Drones hit grain port</h1>" + "".join(f"<p>{html_lib.escape(p)}</p>" for p in [KYIV_LEAD, *BODY])
        + "</article></body></html>"
    )
    article = retold.extract(page)
    assert article.paragraphs == [KYIV_LEAD, *BODY]
    assert article.dateline == "KYIV (Reuters)"


# --- all-prose input is never refused -------------------------------------------------------------------


def test_the_example_as_one_line_is_not_refused(source_text, example):
    one_line = " ".join(source_text.split())
    article = retold.extract(one_line)
    assert len(article.paragraphs) == 1
    # Every body word is there, in order (the furniture around it is inside the same line).
    assert " ".join(words(example.body)) in " ".join(words(article.body))


def cnndm_sources() -> list[str]:
    docs: dict[str, None] = {}
    for name in ("cliff", "summeval", "frank_valid"):
        path = DATA / "faithfulness" / f"{name}.jsonl"
        if not path.exists():
            pytest.skip(f"{path} is not there")
        for row in map(json.loads, path.open()):
            if row["origin"] == "cnndm":
                docs.setdefault(row["source"])
    return list(docs)


def test_no_cnn_dailymail_article_given_as_one_line_is_refused():
    """325 real articles, many with "(pictured)", "Read more", "Scroll down for video" or dates in their
    sentences; the extraction this replaced refused 46 of them."""
    sources = cnndm_sources()
    assert len(sources) >= 300
    assert sum("(pictured)" in s for s in sources) >= 10
    for source in sources:
        article = retold.extract(source)
        assert article.word_count >= 0.9 * len(source.split()), source[:80]


def test_sentences_with_furniture_words_and_dates_are_kept():
    body = [
        "The council voted on March 3, 2024 to close the old bridge, and engineers said it would reopen in June.",
        "Residents who want to read more about the plan can find it online; 2,000 have signed up for updates.",
        "The exhibition, called Photo: A Century of Press Pictures, opens in the east wing on May 3, 2024.",
        "Officials urged people to sign up for the free bus scheme before Friday, when the bridge closes.",
    ]
    article = retold.extract("Bridge to close for repairs\n\n" + "\n\n".join(body))
    assert article.paragraphs == body
    assert article.headline == "Bridge to close for repairs"


def test_hard_wrapped_article_keeps_every_body_word(example):
    wrapped = "\n\n".join(textwrap.fill(p, 66) for p in example.paragraphs)
    article = retold.extract(f"{example.headline}\n\n{wrapped}\n")
    assert words(article.body) == words(example.body)
    assert article.headline == example.headline


def test_an_article_without_a_headline(example):
    article = retold.extract("\n\n".join(example.paragraphs[1:6]))
    assert article.headline is None
    assert article.paragraphs == example.paragraphs[1:6]


def test_a_page_that_is_only_a_headline_and_a_few_lines():
    article = retold.extract("Council closes the old bridge\n\nThe bridge shut on Monday.\n\nRepairs take a month.\n")
    assert article.headline == "Council closes the old bridge"
    assert article.paragraphs == ["The bridge shut on Monday.", "Repairs take a month."]


def test_a_page_of_menus_alone_is_still_refused():
    with pytest.raises(retold.RetoldError, match="no article text"):
        retold.extract("Home\nNews\nSport\nWeather\nSubscribe\n")


# --- deep markup ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("depth", [300, 3000])
def test_an_article_inside_deep_markup_is_found(depth, example):
    paragraphs = "".join(f"<p>{html_lib.escape(p)}</p>" for p in example.paragraphs)
    page = (
        f"<!DOCTYPE html><html><head><title>{html_lib.escape(example.headline)}</title></head><body>"
        + "<div>" * depth + f"<article>{paragraphs}</article>" + "</div>" * depth + "</body></html>"
    )
    article = retold.extract(page)
    assert words(article.body) == words(example.body)


# --- invisible characters -----------------------------------------------------------------------------


def test_zero_width_characters_do_not_change_the_article(source_text, example):
    hidden = source_text.replace("Iran", "I\u200bran").replace("Baghdad", "Bagh\u200ddad\u2060")
    hidden = hidden.replace("security", "secu\u00adrity").replace("Tehran", "\ufeffTeh\u200eran")
    assert hidden != source_text
    article = retold.extract(hidden)
    assert article.paragraphs == example.paragraphs
    assert [(s.text, s.start, s.end) for s in article.sentences] == [
        (s.text, s.start, s.end) for s in example.sentences
    ]
    assert article.headline == example.headline


def test_joiners_stay_where_a_script_needs_them():
    persian = "می\u200cخواهم"  # ZWNJ is part of Persian spelling
    assert normalise(persian) == persian
    assert normalise("I\u200dran and I\u200cran") == "Iran and Iran"
    assert normalise("Cafe\u0301") == "Café"  # NFC


# --- Markdown round trip --------------------------------------------------------------------------------


def test_markdown_markup_is_not_read_as_sentences():
    text = (
        "# Council closes the old bridge\n\n"
        "The **old bridge** closed on Monday, [the council](https://example.org/council) said.\n\n"
        "## Why\n\n"
        "- Engineers found *cracks* in two piers.\n"
        "- Repairs will take a month.\n\n"
        "> The bridge carried 10,000 cars a day.\n\n"
        "<!-- retold: 40 words · 4 of 4 sentences supported -->\n"
    )
    article = retold.extract(text, kind="article")
    assert article.headline == "Council closes the old bridge"
    assert article.paragraphs == [
        "The old bridge closed on Monday, the council said.",
        "Engineers found cracks in two piers.",
        "Repairs will take a month.",
        "The bridge carried 10,000 cars a day.",
    ]
    assert article.removed == ["Why"]
    copied = retold.extract(text)  # the copied-text path reads the same text without its markup
    assert not any(mark in copied.body for mark in ("<!--", "retold:", "**", "# ", "- ", "](", "> "))


def test_round_trip_rewrite_markdown_then_check(source_text):
    """`retold rewrite X --format md > out.md; retold check X out.md`: the report has one entry per
    sentence of the rewrite, and none for the Markdown's headline, emphasis or footer comment."""
    from retold.render import rewrite_markdown

    result = retold.rewrite(source_text, engine="rules", words=120)
    markdown = rewrite_markdown(result)
    assert "<!-- retold:" in markdown and markdown.startswith("# ")
    read_back = retold.extract(markdown, kind="article")
    assert read_back.headline == result.headline
    expected = [" ".join(s.text for s in paragraph) for paragraph in result.paragraphs]
    if result.attribution:
        expected.append(result.attribution)
    assert read_back.paragraphs == expected
    report = retold.check(source_text, markdown)
    texts = [s.text for s in report.sentences]
    assert not any(mark in text for text in texts for mark in ("<!--", "retold:", "#", "*"))
    assert len(texts) == len(read_back.sentences)
