"""Memoised results, with one owner: every cache retold keeps is registered here and can be reset.

Cached values are shared between callers, so they must be immutable or handed out as copies.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from typing import Any, TypeVar

F = TypeVar("F", bound=Callable[..., Any])
_CACHES: list[Callable[[], None]] = []  # how to clear each cache


def memo(maxsize: int | None = 128) -> Callable[[F], F]:
    """functools.lru_cache, registered so that reset_caches() clears it."""

    def wrap(fn: F) -> F:
        cached = lru_cache(maxsize=maxsize)(fn)
        _CACHES.append(cached.cache_clear)
        return cached  # type: ignore[return-value]

    return wrap


def register(clear: Callable[[], None]) -> None:
    """A cache kept some other way (its ``clear``), so that reset_caches() clears it too."""
    _CACHES.append(clear)


def reset_caches() -> None:
    """Forget every cached parse, analysis, embedding and loaded model (they are loaded again on next use)."""
    for clear in _CACHES:
        clear()
