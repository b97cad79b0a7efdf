"""judge: how likely is it that the evidence supports the claim? One small interface, two judges.

* ``ConsistencyJudge``: retold's own cross-encoder (int8 ONNX, shipped in the package); what `check`
  always uses. About 10 ms a claim on 2 cores.
* ``LocalJudge``: the local model (llama.cpp) asked "is every detail of the claim supported?"; the score
  is P(Yes) from the Yes/No log-probabilities of its next token. The source is read once (llama.cpp keeps
  it in its cache while the pairs that share it are asked one after another); each claim costs its own
  tokens only. Optional, slower (about a second a claim on 2 cores): `retold check --judge model`.
"""

from __future__ import annotations

import math
import re
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Protocol

from retold.cache import memo
from retold.errors import ConfigError

Pair = tuple[str, str]
"""(evidence, claim)."""

_STOP = set(
    "a an the of to in on at for by with from and or but as is are was were be been being has have had do does did "
    "it its this that these those he she they his her their them him who which what when where will would can could "
    "should may might must also not no said says say".split()
)


class Judge(Protocol):
    name: str

    def score(self, pairs: Sequence[Pair]) -> list[float]:
        """P(supported) for each (evidence, claim) pair, in order."""
        ...


class ConsistencyJudge:
    name = "consistency"

    def score(self, pairs: Sequence[Pair]) -> list[float]:
        from retold.nlp import consistency_model

        return [float(p) for p in consistency_model()(list(pairs))] if pairs else []


class LocalJudge:
    """The local model's Yes/No answer, as a probability. Pairs sharing their evidence should come together."""

    name = "model"
    _PROMPT = (
        "<|im_start|>system\nYou check news rewrites against their source.<|im_end|>\n<|im_start|>user\n"
        "Source:\n{evidence}\n\n"
    )
    _QUESTION = "Claim: {claim}\n\nIs every detail of the claim supported by the source? Answer Yes or No.<|im_end|>\n<|im_start|>assistant\n"

    def __init__(self, model: str | Path | None = None) -> None:
        from retold.nlp import llama, model_path

        self._llm = llama(model_path(str(model) if model else None))
        self._lock = threading.Lock()
        yes = [self._llm.tokenize(w.encode(), add_bos=False, special=False) for w in ("Yes", " Yes", "yes")]
        no = [self._llm.tokenize(w.encode(), add_bos=False, special=False) for w in ("No", " No", "no")]
        self._yes = sorted({t[0] for t in yes if len(t) == 1})
        self._no = sorted({t[0] for t in no if len(t) == 1})

    def score(self, pairs: Sequence[Pair]) -> list[float]:
        with self._lock:
            return [self._one(evidence, claim) for evidence, claim in pairs]

    def _one(self, evidence: str, claim: str) -> float:
        import numpy as np

        llm = self._llm
        prefix = llm.tokenize(self._PROMPT.format(evidence=evidence).encode(), add_bos=False, special=True)
        tokens = prefix + llm.tokenize(self._QUESTION.format(claim=claim).encode(), add_bos=False, special=True)
        limit = llm.n_ctx() - 8
        if len(tokens) > limit:  # keep the question whole; cut the source's end
            tokens = prefix[: limit - (len(tokens) - len(prefix))] + tokens[len(prefix) :]
        cached = llm.input_ids[: llm.n_tokens].tolist()
        same = 0
        while same < min(len(cached), len(tokens) - 1) and cached[same] == tokens[same]:
            same += 1
        llm.n_tokens = same  # the source stays in the cache; eval drops what follows it
        llm.eval(tokens[same:])
        logits = np.ctypeslib.as_array(llm._ctx.get_logits(), shape=(llm.n_vocab(),)).astype(np.float64)
        top = logits.max()
        yes = sum(math.exp(logits[t] - top) for t in self._yes)
        no = sum(math.exp(logits[t] - top) for t in self._no)
        return yes / (yes + no) if yes + no > 0 else 0.5


_MAKING = threading.Lock()  # two threads must not each build a LocalJudge over the one cached Llama


def judge(name: str = "consistency", model: str | Path | None = None) -> Judge:
    """The judge called ``name`` (`consistency` or `model`), made once (``retold.reset_caches()`` forgets it)."""
    if name not in ("consistency", "model"):
        raise ConfigError(f"unknown judge {name!r}: use 'consistency' or 'model'")
    with _MAKING:
        return _made(name, str(model) if model else None)


@memo(maxsize=None)
def _made(name: str, model: str | None) -> Judge:
    return ConsistencyJudge() if name == "consistency" else LocalJudge(model)


def unbacked_words(judge: Judge, evidence: str, claim: str, most: int = 3, candidates: int = 10) -> list[tuple[int, int]]:
    """Character spans of the claim words the evidence does not back, by occlusion: leaving out a word
    the evidence does not back raises the judge's score the most. Empty when no word stands out."""
    words = [m for m in re.finditer(r"[\w’'-]+", claim) if m.group().lower() not in _STOP and len(m.group()) > 1]
    words = words[:candidates]
    if not words:
        return []
    variants = [claim[: m.start()] + claim[m.end() :] for m in words]
    scores = judge.score([(evidence, claim)] + [(evidence, " ".join(v.split())) for v in variants])
    base, rest = scores[0], scores[1:]
    gains = sorted(((s - base, m.span()) for s, m in zip(rest, words)), reverse=True)
    return sorted(span for gain, span in gains[:most] if gain > 0.05)
