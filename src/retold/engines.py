"""Engines write new text: a local llama.cpp model, any OpenAI-compatible server, or the rules.

Every engine answers the same two requests (restate one sentence, write a headline) and returns
plain text, one sentence a line; whatever a model returns is cleaned here and then proven by the
checker, never trusted. ``ENGINES`` is the one registry of engine names; ``engine()`` builds one
from ``RewriteOptions``, and ``rewrite()`` also takes any object with this interface (``Engine``).
"""

from __future__ import annotations

import random
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from retold.errors import ConfigError, EngineError
from retold.options import ENGINE_NAMES, RewriteOptions
from retold.sentences import end_sentence

SYSTEM = (
    "You are a news editor who restates wire copy in fresh words. Keep every fact and add none: "
    "keep names, titles, numbers and dates exactly; anything inside quotation marks stays word for word, "
    "inside quotation marks, with the same speaker; no opinions, background or explanations. "
    "Reply with the rewritten text only."
)
PLACEHOLDERS = (" A placeholder such as [Q1] stands for a direct quote: keep it exactly as written, once, "
                "with its speaker.")
"""Said only when the text has placeholders: told of them, a model put "[Q1]" into headlines."""


@dataclass
class Request:
    text: str  # the source sentence, or the lead for a headline
    kind: str = "sentence"  # sentence | lead (the article's opening sentence) | headline
    style: str = "neutral"
    keyword: str | None = None
    feedback: list[str] | None = None  # the checker's objections to the previous try
    avoid: list[str] | None = None  # phrases of the source that a proven try repeated: say them another way
    seed: int = 0

    @property
    def temperature(self) -> float:
        """Low for a first try; higher for a retry, so that it is not the same text again."""
        return 0.7 if self.feedback or self.avoid else 0.3


def messages(request: Request) -> list[dict[str, str]]:
    if request.kind == "headline":
        ask = "Write one short news headline (at most 12 words, no full stop) for this article opening."
        if request.keyword:
            ask += f" Use the phrase “{request.keyword}” in it naturally."
    elif request.kind == "lead" and (not request.feedback or request.avoid):
        ask = (f"Write the opening sentence of a {request.style} news article from this sentence: begin with the main "
               "development (who did what), then where and when, in your own words. Same facts.")
    elif not request.feedback or request.avoid:  # a first try, or one asked for in other words
        # (asked for "new wording and word order, same facts", the model wrote those words back as news)
        ask = (f"Rewrite the sentence below for a {request.style} news article in your own words and with a "
               "different word order. Keep exactly the same facts.")
    else:  # a retry stays closer to the source: it passed the checker twice as often (BENCHMARKS.md)
        ask = (f"Rewrite this sentence for a {request.style} news article, staying close to the original: keep its "
               "key words and change only the order of its parts and the small connecting words. Keep exactly the same facts.")
    if request.avoid:  # a proven try repeated these: the new wording must not
        ask += (" Write it without repeating these phrases of the original: " + "; ".join(f"“{p}”" for p in request.avoid)
                + ". Say them another way or rebuild the sentence; names, titles, numbers and dates stay exactly.")
    if request.feedback:
        ask += " Your last version was rejected: " + "; ".join(request.feedback) + ". Fix that."
    system = SYSTEM + (PLACEHOLDERS if "[Q1]" in request.text else "")
    return [{"role": "system", "content": system}, {"role": "user", "content": f"{ask}\n\n{request.text}"}]


_LABEL = re.compile(r"^[^\n]{0,60}:$")  # "Here is the rewritten sentence:" on a line of its own
_PREFIX = re.compile(r"^(?:here is|here's|rewritten|headline|sentence|answer|output)[^:\n]{0,40}:\s*", re.I)


_ABOUT_THE_TASK = re.compile(r"\b(?:(?:new|different|original) (?:wording|word order|sentence)|word order|same facts|"
                            r"rewritten|rephrased|paraphrased)\b", re.I)
"""How a reply talks about the rewriting instead of the news ("The new wording and word order maintain the same
facts."): a small model echoes its instructions, and the checker then rejects the whole reply."""


def clean(reply: str, kind: str = "sentence", source: str = "") -> str:
    """The text a model meant: its first non-empty paragraph, without labels, wrapping quotes or markup, and
    without sentences about the task itself (unless the ``source`` sentence uses those words too)."""
    paragraphs = [p for p in re.split(r"\n\s*\n", reply.strip()) if p.strip() and not _LABEL.match(p.strip())]
    text = paragraphs[0] if paragraphs else ""
    text = " ".join(text.replace("**", "").split())
    text = _PREFIX.sub("", text).lstrip("#>- ").strip()
    if len(text) > 2 and text[0] in "\"“" and text[-1] in "\"”" and text.count("\"") + text.count("“") <= 2:
        text = text[1:-1].strip()
    if kind == "headline":
        return text.rstrip(".")
    if _ABOUT_THE_TASK.search(text) and not _ABOUT_THE_TASK.search(source):
        from retold.sentences import split_sentences

        text = " ".join(text[a:b] for a, b in split_sentences(text) if not _ABOUT_THE_TASK.search(text[a:b]))
    return end_sentence(text)


REPEAT_PENALTY = 1.1
"""llama.cpp's penalty on recently seen tokens, as llama-cpp-python's server applies by default (its library
call does not), so the local and openai engines sample alike. It lowered copying on the first 5 benchmark
articles (median 0.48 to 0.44 outside quotes) but not over all 31 (0.52 both ways; BENCHMARKS.md, rewrite)."""


def _budget(request: Request, limit: int) -> int:
    """Tokens a restatement may take: twice the source's words and some, so a model cannot ramble on."""
    return min(limit, 2 * len(request.text.split()) + 24)


class Engine(Protocol):
    name: str  # recorded on every sentence it writes
    is_model: bool  # a model: asked up to --tries times, checked for altered quotes, then backed by the rules

    def write(self, request: Request) -> str:
        """The new text: for a sentence, one or more sentences, one a line; for a headline, one line ("" for none)."""
        ...


class RulesEngine:
    """No model: moves and splits the source's clauses (retold.restate), so it keeps every fact."""

    name = "rules"
    is_model = False

    def write(self, request: Request) -> str:
        from retold.restate import restate

        return "\n".join(restate(request.text)) if request.kind != "headline" else ""


class SourceEngine:
    """The last resort: the source sentence as written."""

    name = "source"
    is_model = False

    def write(self, request: Request) -> str:
        return request.text if request.kind != "headline" else ""


class LocalEngine:
    """llama.cpp in-process; the default model unless ``model`` names another GGUF file (or ``smollm2``)."""

    name = "local"
    is_model = True

    def __init__(self, model: str | None = None, max_tokens: int = 200) -> None:
        from retold.nlp import model_path

        self.path = model_path(model)
        self.max_tokens = max_tokens

    def write(self, request: Request) -> str:
        from retold.nlp import llama

        try:
            reply: Any = llama(self.path).create_chat_completion(
                messages=messages(request),  # type: ignore[arg-type]
                temperature=request.temperature, repeat_penalty=REPEAT_PENALTY,
                max_tokens=_budget(request, self.max_tokens), seed=request.seed,
            )
        except ValueError as exc:  # e.g. the prompt does not fit the context window
            raise EngineError(f"the local model failed: {exc}") from exc
        return clean(reply["choices"][0]["message"]["content"] or "", request.kind, request.text)


class OpenAIEngine:
    """Any server that speaks the OpenAI chat-completions API (llama.cpp, Ollama, vLLM, LM Studio, hosted)."""

    name = "openai"
    is_model = True

    def __init__(self, base_url: str, model: str | None = None, *, api_key: str | None = None,
                 timeout: float = 60.0, retries: int = 3, max_tokens: int = 200) -> None:
        import httpx

        if not base_url:
            raise ConfigError("the openai engine needs --base-url (e.g. http://127.0.0.1:8080/v1)")
        self.url = base_url.rstrip("/") + "/chat/completions"
        self.model = model or "default"
        self.retries = retries
        self.max_tokens = max_tokens
        from retold.settings import settings

        key = api_key or settings().api_key
        headers = {"Authorization": f"Bearer {key}"} if key else {}
        self._client = httpx.Client(timeout=httpx.Timeout(timeout, connect=min(timeout, 10.0)), headers=headers)

    def write(self, request: Request) -> str:
        import httpx

        body = {
            "model": self.model, "messages": messages(request), "max_tokens": _budget(request, self.max_tokens),
            "temperature": request.temperature, "seed": request.seed,
        }
        problem = ""
        for attempt in range(self.retries + 1):
            if attempt:
                time.sleep(min(8.0, 0.5 * 2 ** (attempt - 1)) * (1 + random.random() / 4))
            try:
                response = self._client.post(self.url, json=body)
            except httpx.TimeoutException:
                problem = f"the server at {self.url} did not answer in time"
                continue
            except httpx.TransportError as exc:
                problem = f"cannot reach the server at {self.url} ({exc.__class__.__name__}: {exc})"
                continue
            if response.status_code in (408, 429) or response.status_code >= 500:
                problem = f"the server at {self.url} answered {response.status_code}"
                continue
            if response.status_code >= 400:  # a wrong key, model or URL does not get better by retrying
                raise EngineError(f"the server at {self.url} refused the request: {response.status_code} {response.text[:200]}")
            text = _reply_text(response)
            if text is None:
                problem = f"the server at {self.url} replied with something that is not a chat completion: {response.text[:120]!r}"
                continue
            return clean(text, request.kind, request.text)
        raise EngineError(f"{problem} (after {self.retries + 1} tries)")


def _reply_text(response) -> str | None:
    try:
        content = response.json()["choices"][0]["message"]["content"]
    except (ValueError, KeyError, IndexError, TypeError):
        return None
    return content if isinstance(content, str) and content.strip() else None


def _local(options: RewriteOptions) -> Engine:
    return LocalEngine(options.model)


def _openai(options: RewriteOptions) -> Engine:
    from retold.settings import settings

    return OpenAIEngine(options.base_url or settings().base_url or "", options.api_model, timeout=options.timeout)


ENGINES: dict[str, Callable[[RewriteOptions], Engine]] = {
    "local": _local,
    "openai": _openai,
    "rules": lambda options: RulesEngine(),
}
"""Every engine a user can name, and how it is built from the options."""
assert tuple(ENGINES) == ENGINE_NAMES


def engine(options: RewriteOptions) -> Engine:
    """The engine ``options.engine`` names, built from the options."""
    if options.engine not in ENGINES:
        raise ConfigError(f"unknown engine '{options.engine}' (choose {', '.join(ENGINES)})")
    return ENGINES[options.engine](options)
