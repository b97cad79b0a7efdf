"""The environment, read in one place. Every ``RETOLD_*`` variable retold understands is here."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from retold.errors import ConfigError


@dataclass(frozen=True)
class Settings:
    cache: Path  # RETOLD_CACHE: where the default model is assembled
    db: Path  # RETOLD_DB: the server's job store
    api_token: str | None  # RETOLD_API_TOKEN: the token /v1/ requires, when set
    base_url: str | None  # RETOLD_BASE_URL: the OpenAI-compatible server of the openai engine
    api_key: str | None  # RETOLD_API_KEY, else OPENAI_API_KEY: sent to that server
    threads: int  # RETOLD_THREADS: threads per process for models (default: every core)


def settings() -> Settings:
    """The settings now (read each call: cheap, and tests may change the environment)."""
    from platformdirs import user_cache_dir, user_data_dir

    env = os.environ
    threads = env.get("RETOLD_THREADS", "")
    if threads and not (threads.isdigit() and int(threads) > 0):
        raise ConfigError(f"RETOLD_THREADS must be a positive whole number, not {threads!r}")
    return Settings(
        cache=Path(env.get("RETOLD_CACHE") or user_cache_dir("retold")),
        db=Path(env.get("RETOLD_DB") or Path(user_data_dir("retold")) / "jobs.sqlite3"),
        api_token=env.get("RETOLD_API_TOKEN") or None,
        base_url=env.get("RETOLD_BASE_URL") or None,
        api_key=env.get("RETOLD_API_KEY") or env.get("OPENAI_API_KEY") or None,
        threads=int(threads) if threads else (os.cpu_count() or 1),
    )
