"""Where a batch is: a tqdm bar on a terminal, plain lines (one every few seconds) otherwise."""

from __future__ import annotations

import sys
import time
from typing import TextIO

PLAIN_EVERY = 10.0  # seconds between plain lines


class Progress:
    def __init__(self, total: int, stream: TextIO | None = None, enabled: bool = True) -> None:
        self.total, self.done, self.failed = total, 0, 0
        self.stream = stream or sys.stderr
        self.started = self._last = time.monotonic()
        self.enabled = enabled and total > 0
        self._bar = None
        if self.enabled and self.stream.isatty():
            from tqdm import tqdm

            self._bar = tqdm(total=total, file=self.stream, unit="item", desc="retold", dynamic_ncols=True)
            self._bar.set_postfix(failed=0)

    @property
    def rate(self) -> float:
        elapsed = time.monotonic() - self.started
        return self.done / elapsed if elapsed > 0 else 0.0

    def update(self, ok: bool) -> None:
        self.done += 1
        self.failed += not ok
        if not self.enabled:
            return
        if self._bar is not None:
            self._bar.update(1)
            if not ok:
                self._bar.set_postfix(failed=self.failed)
        elif time.monotonic() - self._last >= PLAIN_EVERY or self.done == self.total:
            self._last = time.monotonic()
            left = (self.total - self.done) / self.rate if self.rate else 0
            print(f"retold: {self.done}/{self.total} done, {self.failed} failed, {self.rate:.2f} items/s, "
                  f"about {_duration(left)} left", file=self.stream, flush=True)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()


def _duration(seconds: float) -> str:
    seconds = int(seconds)
    if seconds < 60:
        return f"{seconds} s"
    if seconds < 3600:
        return f"{seconds // 60} min {seconds % 60} s"
    return f"{seconds // 3600} h {seconds % 3600 // 60} min"
