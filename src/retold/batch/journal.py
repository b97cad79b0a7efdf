"""The output file: one JSON line per finished item, written whole, appended; what is in it is done.

Each line goes out in a single write(2) on a file opened with O_APPEND, so a killed run leaves whole lines
(at worst a torn last line if the machine died mid-write; it is cut off when the file is opened again, and
that item runs again).
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any, Self

from retold.errors import InputError


class Journal:
    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.status: dict[str, str] = {}  # id -> status of its last line
        if self.path.is_dir():
            raise InputError(f"{self.path}: is a folder, not an output file")
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._repair_and_read()
        self._fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)

    def _repair_and_read(self) -> None:
        if not self.path.exists():
            return
        data = self.path.read_bytes()
        end = data.rfind(b"\n") + 1
        if end < len(data):  # a line torn by a crash: drop it, the item runs again
            with self.path.open("r+b") as handle:
                handle.truncate(end)
        for line in data[:end].splitlines():
            try:
                row = json.loads(line)
            except ValueError:
                continue
            if isinstance(row, dict) and isinstance(row.get("id"), str):
                self.status[row["id"]] = row.get("status", "error")

    def done(self, item_id: str, retry_failed: bool = False) -> bool:
        status = self.status.get(item_id)
        return status is not None and not (retry_failed and status != "ok")

    def write(self, row: dict[str, Any]) -> None:
        line = (json.dumps(row, ensure_ascii=False, separators=(",", ":")) + "\n").encode()
        written = os.write(self._fd, line)
        if written != len(line):  # a short write (disk full): never leave the half line behind
            os.ftruncate(self._fd, os.lseek(self._fd, 0, os.SEEK_END) - written)
            raise OSError(f"{self.path}: could not write a whole line (disk full?)")
        self.status[row["id"]] = row["status"]

    def close(self) -> None:
        if self._fd >= 0:
            os.fsync(self._fd)
            os.close(self._fd)
            self._fd = -1

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
