"""Extraction from text copied off a page, on the example that defines the job and on small cases."""

from __future__ import annotations

import pytest

import retold
from retold.plaintext import classify_line, find_dateline


@pytest.fixture(scope="module")
def article(source_text):
    return retold.extract(source_text)


def test_body_starts_at_the_dateline_and_keeps_every_paragraph(article, source_text):
    lines = [line.strip() for line in source_text.splitlines() if line.strip()]
    first = next(i for i, line in enumerate(lines) if line.startswith("ERBIL"))
    last = next(i for i, line in enumerate(lines) if line == "NEWSLETTER")
    assert article.paragraphs == lines[first:last]
    assert article.paragraphs[0].startswith("ERBIL, Kurdistan Region of Iraq - In a meeting")
    assert article.dateline == "ERBIL, Kurdistan Region of Iraq"


def test_headline_date_caption_and_removed_lines(article):
    assert article.headline == "Iran stresses urgency of implementing security agreement with Iraq"
    assert article.date == "2025-10-21"
    assert len(article.captions) == 1 and article.captions[0].endswith("Photo: IRNA")
    assert article.removed == [
        "News",
        "Oct. 21, 2025 • 2 min read",
        "NEWSLETTER",
        "Get the latest updates delivered to your inbox.",
    ]
    assert article.standfirst.startswith("Iraq and Iran in August signed a security memorandum")
    assert article.language == "en"


def test_sentences_carry_offsets_into_the_body(article):
    body = article.body
    assert len(article.sentences) >= len(article.paragraphs)
    for sentence in article.sentences:
        assert body[sentence.start : sentence.end] == sentence.text
    assert [s.index for s in article.sentences] == list(range(len(article.sentences)))
    assert article.sentences[-1].paragraph == len(article.paragraphs) - 1


def test_quotes_have_full_speaker_names(article):
    speakers = {q.text[:25]: q.speaker for q in article.quotes}
    assert speakers["We believe that the secur"] == "Qasim al-Araji"  # IRNA quoted Araji as saying
    assert speakers["We support genuine Iraqi "] == "Tammy Bruce"  # Tammy Bruce in August said: "…"
    assert speakers["this Memorandum of Unders"] == "Bagher Ghalibaf"  # Ghalibaf … adding that "…"
    assert speakers["to achieve greater stabil"] == "Bagher Ghalibaf"  # "He further noted …"
    for quote in article.quotes:
        assert article.body[quote.start : quote.end] == quote.text


def test_quotes_split_across_sentences_keep_their_speaker():
    text = (
        "Minister Lena Ortiz spoke to reporters in Madrid on Monday about the new budget plan for schools.\n\n"
        "“We will not cut a single teacher,” Ortiz said. “Every school will stay open next year.”\n\n"
        "According to Ortiz, the plan costs 4 billion euros and was approved by the cabinet last week.\n"
    )
    article = retold.extract(text)
    assert [q.speaker for q in article.quotes] == ["Lena Ortiz", "Lena Ortiz"]
    assert article.quotes[1].text == "Every school will stay open next year."


def test_furniture_and_caption_lines_are_classified():
    assert classify_line("3 min read").kind == "furniture"
    assert classify_line("Share on Facebook").kind == "furniture"
    assert classify_line("We use cookies to improve your experience on our site.").kind == "furniture"
    assert classify_line("The minister arrives in Kyiv. (Photo by Jane Doe/Getty Images)").kind == "caption"
    assert classify_line("By Maria Lopez").kind == "byline"
    assert classify_line("Published March 3, 2024").kind == "date"
    assert classify_line("12 comments").kind == "end"
    assert classify_line("The council voted on Tuesday to close the old bridge for repairs.").kind == "prose"


@pytest.mark.parametrize(
    ("paragraph", "expected"),
    [
        ("WASHINGTON (Reuters) - The Senate passed the bill.", "WASHINGTON (Reuters)"),
        ("LONDON — Prices rose again in May.", "LONDON"),
        ("NEW YORK, Oct 5 (AP) - Stocks fell.", "NEW YORK, Oct 5 (AP)"),
        ("In Washington - the capital - prices rose.", None),
        ("The US - and Canada - agreed.", None),
    ],
)
def test_datelines(paragraph, expected):
    assert find_dateline(paragraph) == expected


def test_non_english_text_is_extracted_and_its_language_reported():
    text = (
        "Accueil\n\nLe gouvernement annonce un nouveau plan pour les écoles\n\n"
        "PARIS - Le gouvernement a présenté mardi un plan pour rénover les écoles du pays d'ici à 2030, "
        "avec un budget de quatre milliards d'euros réparti sur cinq ans.\n\n"
        "Selon le ministre, les travaux commenceront dès le printemps prochain dans les régions les plus touchées.\n"
    )
    article = retold.extract(text)
    assert article.language == "fr"
    assert article.paragraphs[0].startswith("PARIS - Le gouvernement")
    assert "Accueil" in article.removed


def test_hard_wrapped_lines_are_joined():
    text = (
        "Home\nSport\n\nVeteran actress Kate Henshaw, who in 2008 won the\nAfrica Movie Academy Award for Best Actress, "
        "has taken\nto her Instagram page to share some stunning photos of herself and\nher family at the event.\n\n"
        "She flaunted a hand bag in the colours of the\nNigerian flag at the event organised in Lagos last week.\n"
    )
    article = retold.extract(text)
    assert article.paragraphs[0].startswith("Veteran actress Kate Henshaw, who in 2008 won the Africa Movie")
    assert article.paragraphs[0].endswith("her family at the event.")
    assert len(article.paragraphs) == 2
