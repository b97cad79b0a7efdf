"""How the model fares with the direct quotes of a sentence that is not mostly a quote: for every such sentence of
the example and the first 10 benchmark articles, the sentence proven (retold's tries, checks and retry in other
words) three ways: quotes as placeholders only; placeholders, then the quotes shown after a try misuses them
(retold now); the quotes shown from the first try. Counts the sentences proven, the model's requests, and the copied
share outside quotes of those proven. Prints; writes nothing. Local engine, default model; a few minutes on 2 cores.

    python bench/quote_probe.py
"""

from __future__ import annotations

import contextlib
import importlib
import statistics
import sys
import time
from pathlib import Path
from unittest import mock

sys.path.insert(0, str(Path(__file__).resolve().parent))
from rewrite import articles  # noqa: E402

import retold  # noqa: E402
from retold import engines  # noqa: E402
from retold.findings import copied_outside_quotes  # noqa: E402
from retold.options import RewriteOptions  # noqa: E402

rewriting = importlib.import_module("retold.rewrite")
filled = rewriting._filled


def _filled_without_switch(*args: object, **kwargs: object) -> tuple[str, list[str] | None]:
    """retold's _filled, with an objection that does not begin as MISUSED_PLACEHOLDERS: placeholders stay."""
    text, problems = filled(*args, **kwargs)  # type: ignore[arg-type]
    return text, [f"({problem})" for problem in problems] if problems else None


WAYS = {
    "placeholders only": mock.patch.object(rewriting, "_filled", _filled_without_switch),
    "placeholders, then shown (retold)": contextlib.nullcontext(),
    "shown from the first try": mock.patch.object(rewriting, "_masked", lambda sentence: (sentence, {})),
}


def main() -> None:
    options = RewriteOptions()
    writer = engines.engine(options)
    results: dict[str, list[tuple[bool, int, float | None, float]]] = {way: [] for way in WAYS}
    for name, text in articles(10):
        article = retold.extract(text) if name == "example" else retold.extract(text, kind="article")
        job = rewriting._Rewriter(article, writer, options)
        for index in range(len(article.sentences)):
            original = job.text(index)
            if job.mostly_quote(index) or not rewriting._masked(original)[1]:
                continue
            for way, patch in WAYS.items():
                started = time.perf_counter()
                with patch:
                    proven, asked, rejected = job.prove(writer, index, original, 0)
                copied = copied_outside_quotes(article.body, proven) if proven else None
                results[way].append((proven is not None, asked, copied, time.perf_counter() - started))
                print(f"{name} sentence {index + 1}, {way}: {'proven' if proven else 'not proven'} after {asked} "
                      f"requests; rejected: {rejected}; {' '.join(proven or [])}", file=sys.stderr, flush=True)
    for way, rows in results.items():
        copied = [c for ok, _, c, _ in rows if ok and c is not None]
        print(f"{way}: {sum(ok for ok, *_ in rows)} of {len(rows)} proven; {sum(r[1] for r in rows)} requests; "
              f"median copied outside quotes of those proven {statistics.median(copied) if copied else float('nan'):.2f}; "
              f"{sum(r[3] for r in rows):.0f} s")


if __name__ == "__main__":
    main()
