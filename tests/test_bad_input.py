"""Bad input gets one clear line on standard error and a non-zero exit, never a traceback."""

from __future__ import annotations

import gzip
import json
import os

import pytest

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
