"""What a batch works on: items read from a JSONL file, a folder (or a pair of folders) or an RSS/Atom feed.

An item carries its text as bytes (read whole, but decoded and judged in the worker, so that one bad file is
one failed item, not a failed batch). An item that cannot be read at all carries its error instead.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from html import escape
from pathlib import Path
from typing import Literal

from retold.errors import InputError

Task = Literal["check", "rewrite"]
FOLDER_SUFFIXES = (".html", ".htm", ".txt")
_FEED_HINTS = (b"<rss", b"<feed", b"<rdf:rdf")


@dataclass(frozen=True)
class Item:
    id: str
    text: bytes = b""  # rewrite: the article (HTML or copied text); check: the rewrite to check
    source: bytes = b""  # check: the source it is checked against
    error: str | None = None  # the item could not be read: recorded as failed without running

    @property
    def group(self) -> str:
        """Items of one group go to one worker in order: a check's source is then analysed once."""
        return hashlib.sha1(self.source).hexdigest() if self.source else self.id


def read_items(task: Task, path: str | Path, rewrites: str | Path | None = None) -> list[Item]:
    """The items of INPUT: a JSONL file, a folder (for check, with ``rewrites`` the matching folder) or a feed."""
    path = Path(path)
    if not path.exists():
        raise InputError(f"{path}: no such file or folder")
    if rewrites is not None:
        if task != "check":
            raise InputError("--rewrites is for batch check: a folder of rewrites matched to INPUT by file name")
        return folder_pair(path, Path(rewrites))
    if path.is_dir():
        if task == "check":
            raise InputError(f"{path}: a folder of sources needs --rewrites DIR, the folder of rewrites to check")
        return [_file_item(p.name, p) for p in _files(path)]
    head = path.open("rb").read(2048).lstrip().lower()
    if head.startswith(b"<") and any(hint in head for hint in _FEED_HINTS):
        if task == "check":
            raise InputError(f"{path}: a feed holds articles to rewrite; batch check reads JSONL or two folders")
        return feed(path)
    return jsonl(task, path)


def jsonl(task: Task, path: Path) -> list[Item]:
    """One JSON object a line: ``{"id", "source", "rewrite"}`` for check, ``{"id", "text"}`` for rewrite."""
    fields = ("source", "rewrite") if task == "check" else ("text",)
    items: list[Item] = []
    with path.open("rb") as handle:
        for number, line in enumerate(handle, 1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except ValueError:
                items.append(Item(id=f"line-{number}", error=f"{path.name} line {number}: not a JSON object"))
                continue
            if not isinstance(row, dict):
                items.append(Item(id=f"line-{number}", error=f"{path.name} line {number}: not a JSON object"))
                continue
            item_id = row.get("id")
            item_id = str(item_id) if isinstance(item_id, (str, int)) and str(item_id).strip() else f"line-{number}"
            missing = [f for f in fields if not isinstance(row.get(f), str)]
            if missing or "id" not in row:
                wanted = ", ".join(f'"{f}"' for f in ("id", *fields))
                items.append(Item(id=item_id, error=f"line {number}: needs {wanted} (strings)"))
                continue
            if task == "check":
                items.append(Item(id=item_id, text=row["rewrite"].encode(), source=row["source"].encode()))
            else:
                items.append(Item(id=item_id, text=row["text"].encode()))
    return _unique(items, path)


def folder_pair(sources: Path, rewrites: Path) -> list[Item]:
    """Sources and rewrites matched by file name; a file on one side only is a failed item."""
    for folder in (sources, rewrites):
        if not folder.is_dir():
            raise InputError(f"{folder}: not a folder")
    left = {p.name: p for p in _files(sources)}
    right = {p.name: p for p in _files(rewrites)}
    items = []
    for name in sorted(left.keys() | right.keys()):
        if name not in right:
            items.append(Item(id=name, error=f"no rewrite named {name} in {rewrites}"))
        elif name not in left:
            items.append(Item(id=name, error=f"no source named {name} in {sources}"))
        else:
            items.append(_file_item(name, right[name], left[name]))
    return items


def feed(path: Path) -> list[Item]:
    """Each entry of an RSS or Atom file: its full content, else its summary; its link is its id.
    Nothing is fetched: an entry without text in the feed is a failed item."""
    import feedparser

    parsed = feedparser.parse(path.read_bytes(), resolve_relative_uris=False, sanitize_html=False)
    if parsed.bozo and not parsed.entries:
        raise InputError(f"{path}: not a feed retold can read ({parsed.get('bozo_exception')})")
    items, seen = [], set()
    for number, entry in enumerate(parsed.entries, 1):
        item_id = entry.get("link") or entry.get("id") or f"entry-{number}"
        if item_id in seen:  # the same article listed twice
            continue
        seen.add(item_id)
        contents = [c.get("value", "") for c in entry.get("content", [])]
        body = max(contents, key=len, default="") or entry.get("summary", "")
        if not body.strip():
            items.append(Item(id=item_id, error="the feed entry holds no article text (retold fetches no URLs)"))
            continue
        title = entry.get("title", "").strip()
        html = f"<html><body><article><h1>{escape(title, quote=False)}</h1>{body}</article></body></html>" if title else body
        items.append(Item(id=item_id, text=html.encode()))
    return items


def _files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if p.is_file() and p.suffix.lower() in FOLDER_SUFFIXES)


def _file_item(name: str, text: Path, source: Path | None = None) -> Item:
    """An item from files; one that cannot be read is a failed item, not a failed batch."""
    from retold.inputs import MAX_INPUT_BYTES

    def read(path: Path) -> bytes:
        with path.open("rb") as handle:
            return handle.read(MAX_INPUT_BYTES + 1)  # the worker refuses more than the limit

    try:
        return Item(id=name, text=read(text), source=read(source) if source else b"")
    except OSError as exc:
        return Item(id=name, error=f"cannot read {exc.filename or name}: {exc.strerror or exc}")


def _unique(items: Iterable[Item], path: Path) -> list[Item]:
    seen: dict[str, int] = {}
    out = []
    for item in items:
        if item.id in seen:
            raise InputError(f"{path}: the id {item.id!r} is used twice; ids must be unique so a rerun can resume")
        seen[item.id] = 1
        out.append(item)
    return out
