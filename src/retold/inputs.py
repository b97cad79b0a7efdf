"""Reading input: files or standard input, bytes to text, and sniffing HTML from plain text."""

from __future__ import annotations

import gzip
import io
import re
import sys
import unicodedata
import zlib
from pathlib import Path

from charset_normalizer import from_bytes

from retold.errors import InputError

MAX_INPUT_BYTES = 10_000_000
"""Largest input accepted, in bytes (after gunzip). News pages are far smaller (median 115 kB)."""
MAX_TEXT_CHARS = 1_000_000
"""Longest text retold reads, in characters: copied text as given, or the article found in a page. The
longest news articles run to about 100,000; the work grows linearly up to this (BENCHMARKS.md, limits)."""

_MAGIC = {
    b"%PDF": "a PDF document",
    b"\x89PNG": "a PNG image",
    b"GIF8": "a GIF image",
    b"\xff\xd8\xff": "a JPEG image",
    b"PK\x03\x04": "a ZIP archive (or a Word/OpenDocument file)",
    b"\x7fELF": "an executable",
    b"RIFF": "a media file",
    b"\xd0\xcf\x11\xe0": "an old Microsoft Office document",
}
_COMMON = ["cp1252", "latin_1", "cp1251", "cp1250", "gb18030", "shift_jis", "euc_kr", "big5", "euc_jp", "koi8_r"]
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([\w.:-]+)""", re.I)
_HTML_SNIFF = re.compile(
    r"<!doctype\s+html|<html[\s>]|<head[\s>]|<body[\s>]|<(?:p|div|article|span|a|h[1-6]|br)(?:\s[^>]*)?/?>",
    re.I,
)


def read_input(source: str | Path) -> str:
    """Read a path, or standard input for ``-``, and return its text."""
    if str(source) == "-":
        data = sys.stdin.buffer.read(MAX_INPUT_BYTES + 1)
        name = "standard input"
    else:
        path = Path(source)
        if not path.exists():
            raise InputError(f"{path}: no such file")
        if path.is_dir():
            raise InputError(f"{path}: is a directory, not a file")
        try:
            with path.open("rb") as handle:
                data = handle.read(MAX_INPUT_BYTES + 1)
        except OSError as exc:
            raise InputError(f"{path}: cannot be read ({exc.strerror or exc})") from exc
        name = str(path)
    return decode(data, name=name)


def decode(data: bytes, name: str = "input") -> str:
    """Turn bytes into text: gunzip, refuse binary and oversize data, detect the encoding."""
    if data[:2] == b"\x1f\x8b":
        try:
            data = gzip.GzipFile(fileobj=io.BytesIO(data)).read(MAX_INPUT_BYTES + 1)
        except (OSError, EOFError, zlib.error) as exc:
            raise InputError(f"{name}: is a damaged gzip file ({exc})") from exc
    if len(data) > MAX_INPUT_BYTES:
        raise InputError(f"{name}: is larger than the limit of {MAX_INPUT_BYTES:,} bytes")
    if not data.strip():
        raise InputError(f"{name}: is empty")
    for magic, what in _MAGIC.items():
        if data.startswith(magic):
            raise InputError(f"{name}: is {what}, not text or HTML")
    text = _decode_text(data)
    if text is None:
        raise InputError(f"{name}: is not text in any encoding retold can detect")
    if _binary_share(text) > 0.01:
        raise InputError(f"{name}: looks like binary data, not text or HTML")
    return text.replace("\r\n", "\n").replace("\r", "\n")


# Format characters (Unicode category Cf) that are invisible on a page: zero-width spaces and joiners,
# soft hyphens, word joiners, BOMs, direction marks and overrides. "I\u200bran" reads as "Iran".
_FORMAT_CHARS = re.compile("[\u00ad\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb]")
_JOINERS = "\u200c\u200d"


def normalise(text: str) -> str:
    """Text as a reader sees it: NFC, with invisible format characters removed.

    Zero-width (non-)joiners stay between two letters of a script that needs them (Persian, Indic
    scripts) and inside emoji sequences; between Latin letters or digits they go too. All offsets
    retold reports are into the normalised text (``Article.body`` is built from it)."""
    text = unicodedata.normalize("NFC", text)
    if not _FORMAT_CHARS.search(text):
        return text

    def keep(match: re.Match[str]) -> str:
        char, at = match.group(), match.start()
        if char in _JOINERS and 0 < at < len(text) - 1 and _needs_joiner(text[at - 1]) and _needs_joiner(text[at + 1]):
            return char
        return ""

    return _FORMAT_CHARS.sub(keep, text)


def _needs_joiner(char: str) -> bool:
    return ord(char) > 0x2FF and not char.isspace()


def check_length(text: str, what: str) -> None:
    """Refuse a text longer than ``MAX_TEXT_CHARS``."""
    if len(text) > MAX_TEXT_CHARS:
        raise InputError(f"{what} is {len(text):,} characters long, over the limit of {MAX_TEXT_CHARS:,}")


_SURROGATE = re.compile("[\ud800-\udfff]")


def replace_surrogates(text: str) -> str:
    """Text a program handed over as a str, with each lone surrogate (never a character: it cannot be
    written as UTF-8) replaced by U+FFFD; a surrogate pair becomes the character it encodes."""
    if not _SURROGATE.search(text):
        return text
    return text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")


def looks_like_html(text: str) -> bool:
    """True when the text is markup rather than text copied off a page."""
    head = text[:5000]
    tags = _HTML_SNIFF.findall(head)
    return bool(tags) and (head.lstrip()[:1] == "<" or len(tags) >= 3)


def _decode_text(data: bytes) -> str | None:
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", errors="replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    declared = _META_CHARSET.search(data[:4096])
    if declared:
        try:
            return data.decode(declared.group(1).decode("ascii"))
        except (LookupError, UnicodeDecodeError):
            pass
    if b"\x00" in data[:4096]:  # NUL bytes outside UTF-16 mean binary data
        return None
    matches = list(from_bytes(data[:200_000]))
    if not matches:
        return None
    # Several legacy code pages often decode a text equally cleanly; prefer the ones the web uses.
    least_chaos = min(m.chaos for m in matches)
    clean = [m.encoding for m in matches if m.chaos <= least_chaos + 0.01]
    encoding = min(clean, key=lambda e: _COMMON.index(e) if e in _COMMON else len(_COMMON))
    return data.decode(encoding, errors="replace")


def _binary_share(text: str) -> float:
    sample = text[:20_000]
    bad = sum(1 for ch in sample if (ch < " " and ch not in "\t\n\r\f\v") or ch == "\ufffd")
    return bad / max(len(sample), 1)

