"""The options of a rewrite and of a check: built once, validated here, shared by the library, the CLI,
the server and the batch runner (plain values, so they pickle for worker processes)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields, replace
from typing import Any, Literal, get_args

from retold.errors import ConfigError

EngineName = Literal["local", "openai", "rules"]
ENGINE_NAMES: tuple[str, ...] = get_args(EngineName)
Kind = Literal["auto", "html", "text", "article"]
"""auto: HTML or a copied page, detected; text: a copied page (furniture removed); article: HTML, or clean
text of which every line is kept."""
MIN_WORDS, MAX_TRIES, MAX_STYLE, MAX_KEYWORD = 20, 10, 40, 100


@dataclass(frozen=True)
class RewriteOptions:
    engine: str = "local"  # one of ENGINE_NAMES
    model: str | None = None  # local engine (and judge='model'): a GGUF file, 'smollm2', or None/'default' for the packaged model
    base_url: str | None = None  # openai engine: the server's API root (default: RETOLD_BASE_URL)
    api_model: str | None = None  # openai engine: the model name to ask the server for
    timeout: float = 60.0  # openai engine: seconds per request
    words: int | None = None  # target length (default: the source's)
    keyword: str | None = None  # focus phrase for the headline or lead
    style: str = "neutral"  # a word or two of house style, passed to the model
    seed: int = 0
    tries: int = 3  # model tries per sentence before the rules take over
    judge: str | None = None  # 'model': every check of a written sentence also asks the local model (see CheckOptions)

    def __post_init__(self) -> None:
        if self.engine not in ENGINE_NAMES:
            raise ConfigError(f"unknown engine '{self.engine}' (choose {', '.join(ENGINE_NAMES)})")
        _check_judge(self.judge)
        if self.words is not None and self.words < MIN_WORDS:
            raise ConfigError(f"--words must be at least {MIN_WORDS}")
        if not 1 <= self.tries <= MAX_TRIES:
            raise ConfigError(f"--tries must be between 1 and {MAX_TRIES}")
        if not self.timeout > 0:
            raise ConfigError("--timeout must be more than 0 seconds")
        if len(self.style) > MAX_STYLE:
            raise ConfigError(f"--style is a word or two (at most {MAX_STYLE} characters)")
        if self.keyword is not None and (not self.keyword.strip() or len(self.keyword) > MAX_KEYWORD):
            raise ConfigError(f"--keyword must be a phrase of 1 to {MAX_KEYWORD} characters")

    @classmethod
    def from_dict(cls, values: dict[str, Any]) -> RewriteOptions:
        """Options from a request or a stored job: unknown keys are an error, not silently dropped."""
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(values) - known)
        if unknown:
            raise ConfigError(f"unknown rewrite option(s): {', '.join(unknown)}")
        return cls(**values)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def with_(self, **changes: Any) -> RewriteOptions:
        return replace(self, **changes)


JUDGES = (None, "consistency", "model")


@dataclass(frozen=True)
class CheckOptions:
    source_kind: Kind = "auto"  # treat the source as HTML, a copied page, a clean article, or detect
    judge: str | None = None  # None or 'consistency': the trained model only; 'model': the local LLM's second opinion
    model: str | None = None  # the local model for judge='model': a GGUF file or 'smollm2' (default: the packaged one)

    def __post_init__(self) -> None:
        if self.source_kind not in get_args(Kind):
            raise ConfigError(f"unknown input format '{self.source_kind}' (choose {', '.join(get_args(Kind))})")
        _check_judge(self.judge)


def _check_judge(judge: str | None) -> None:
    if judge not in JUDGES:
        raise ConfigError(f"unknown judge {judge!r}: use 'model' (the local model as a second opinion)")
