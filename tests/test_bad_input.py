"""Bad input gets one clear line on standard error and a non-zero exit, never a traceback."""

from __future__ import annotations

import gzip
import json
import os

import pytest

import retold
from retold.inputs import MAX_INPUT_BYTES
from tests.conftest import run_cli


def assert_clean_error(result, fragment: str) -> None:
    stderr = result.stderr.decode()
    assert result.returncode == 1, stderr
    assert "Traceback" not in stderr
    assert stderr.startswith("retold: error: ") and stderr.count("\n") == 1, stderr
    assert fragment in stderr
    assert result.stdout == b""


def test_missing_file(tmp_path):
    assert_clean_error(run_cli("extract", str(tmp_path / "nope.txt")), "no such file")


def test_directory(tmp_path):
    assert_clean_error(run_cli("extract", str(tmp_path)), "is a directory")


@pytest.mark.parametrize("content", [b"", b"   \n\n\t  \n"])
def test_empty_file(tmp_path, content):
    path = tmp_path / "empty.txt"
    path.write_bytes(content)
    assert_clean_error(run_cli("extract", str(path)), "is empty")


def test_empty_stdin():
    assert_clean_error(run_cli("extract", "-", stdin=b""), "standard input: is empty")


def test_known_binary_format(tmp_path):
    path = tmp_path / "page.pdf"
    path.write_bytes(b"%PDF-1.7\n" + os.urandom(2000))
    assert_clean_error(run_cli("extract", str(path)), "is a PDF document")


def test_random_binary_data(tmp_path):
    path = tmp_path / "blob.bin"
    path.write_bytes(bytes(range(256)) * 50)
    assert_clean_error(run_cli("extract", str(path)), "binary")


def test_over_the_size_limit(tmp_path):
    path = tmp_path / "huge.txt"
    path.write_bytes(b"word " * (MAX_INPUT_BYTES // 5 + 1))
    assert_clean_error(run_cli("extract", str(path)), "larger than the limit")


def test_damaged_gzip(tmp_path):
    path = tmp_path / "page.html.gz"
    path.write_bytes(gzip.compress(b"<html><body><p>text</p></body></html>")[:20])
    assert_clean_error(run_cli("extract", str(path)), "damaged gzip")


def test_page_without_an_article(tmp_path):
    path = tmp_path / "nav.txt"
    path.write_text("Home\nNews\nSport\nWeather\nSubscribe\n")
    assert_clean_error(run_cli("extract", str(path)), "no article text was found")


def test_legacy_encoding_is_detected(tmp_path, source_text):
    text = "Le président a déclaré à l'Assemblée qu'il réformerait l'école. " * 3
    path = tmp_path / "latin1.txt"
    path.write_bytes(("Accueil\n\n" + text + "\n\n" + text + "\n").encode("cp1252"))
    result = run_cli("extract", str(path))
    assert result.returncode == 0, result.stderr.decode()
    data = json.loads(result.stdout)
    assert data["language"] == "fr"
    assert "président a déclaré" in data["paragraphs"][0]


def test_gzip_and_stdin_are_read(tmp_path, source_text):
    path = tmp_path / "source.txt.gz"
    path.write_bytes(gzip.compress(source_text.encode()))
    from_file = json.loads(run_cli("extract", str(path)).stdout)
    from_stdin = json.loads(run_cli("extract", "-", stdin=source_text.encode()).stdout)
    assert from_file["paragraphs"] == from_stdin["paragraphs"]
    assert from_file["paragraphs"][0].startswith("ERBIL")


def test_json_keys_and_other_formats(source_text, tmp_path):
    path = tmp_path / "source.txt"
    path.write_text(source_text)
    data = json.loads(run_cli("extract", str(path)).stdout)
    for key in ("headline", "date", "dateline", "paragraphs", "quotes", "captions", "removed", "language"):
        assert key in data
    assert all(set(q) >= {"text", "speaker"} for q in data["quotes"])
    markdown = run_cli("extract", str(path), "--format", "md").stdout.decode()
    assert markdown.startswith("# Iran stresses urgency")
    text = run_cli("extract", str(path), "--format", "text").stdout.decode()
    assert "NEWSLETTER" not in text and "ERBIL" in text


# --- limits, surrogates and the language guard (the library and the CLI) ------------------------------

IRAQI_SENTENCE = ("Iraqi National Security Advisor Qasim al-Araji met with Iranian Parliament Speaker "
                  "Bagher Ghalibaf in Tehran.")


def test_text_over_the_length_limit_is_refused_clearly(tmp_path, source_text):
    from retold.inputs import MAX_TEXT_CHARS

    body = "\n\n".join(p for p in source_text.split("\n\n") if len(p.split()) > 12)
    text = (body + "\n\n") * (MAX_TEXT_CHARS // len(body) + 1)  # English prose, not one repeated word
    assert MAX_TEXT_CHARS < len(text) < MAX_INPUT_BYTES
    path = tmp_path / "long.txt"
    path.write_text(text)
    assert_clean_error(run_cli("extract", str(path)), "over the limit of 1,000,000")
    with pytest.raises(retold.InputError, match="characters long"):
        retold.check(text, IRAQI_SENTENCE)
    page = "<html><body><article>" + "".join(f"<p>{p}</p>" for p in text.split("\n\n") if p) + "</article></body></html>"
    with pytest.raises(retold.InputError, match="the article in the page"):
        retold.extract(page)


def test_long_text_under_the_limit_is_parsed_in_pieces(source_text):
    """spaCy refuses texts over 1,000,000 characters and needs memory that grows faster than the text:
    retold parses in pieces, and the pieces join back into the same text, offsets and all."""
    from retold.nlp import PARSE_PIECE, parse

    text = (source_text + "\n\n") * (3 * PARSE_PIECE // len(source_text) + 1)
    doc = parse(text)
    assert doc.text == text
    assert [t.idx for t in doc][-1] + len(doc[-1]) == len(text)
    assert sum(1 for e in doc.ents if e.text == "Qasim al-Araji") >= 3


def test_lone_surrogates_become_replacement_characters(source_text):
    dirty = source_text.replace("August", "August \udf19", 1)
    data = json.dumps(retold.extract(dirty).to_dict(), ensure_ascii=False)
    assert "August \ufffd" in data and data.encode("utf-8")
    report = retold.check(dirty, "Iraq agreed in August \udfff to disarm the groups.")
    json.dumps(report.to_dict(), ensure_ascii=False).encode("utf-8")  # writable as UTF-8: no surrogate left
    assert "\ufffd" in report.sentences[0].text


def test_english_dense_with_foreign_names_is_checked(source_text):
    report = retold.check(source_text, IRAQI_SENTENCE)
    assert report.rewrite.language == "en" and len(report.sentences) == 1


def test_text_in_another_language_is_still_refused(source_text):
    german = ("Der irakische Sicherheitsberater Qasim al-Araji traf sich am Montag in Teheran mit dem "
              "iranischen Parlamentspräsidenten Bagher Ghalibaf, um über die Sicherheit an der Grenze zu sprechen.")
    with pytest.raises(retold.InputError, match="'de'"):
        retold.check(source_text, german)
    spanish = ("El asesor de seguridad nacional iraquí Qasim al-Araji se reunió el lunes en Teherán con el "
               "presidente del parlamento iraní, Bagher Ghalibaf, para hablar de la seguridad en la frontera.")
    with pytest.raises(retold.InputError, match="'es'"):
        retold.check(source_text, spanish)
