"""How a model's second try fares: for every sentence of benchmark articles 2-9 (not the example) whose first
try the checker rejects, the retry as retold asks it now (stay close to the original, with the objections)
against a free retry (the first try's request, with the objections). Counts the retries the checker accepts
and their copied 4-gram share. Prints; writes nothing. Local engine, default model; about 9 minutes on 2 cores.

    python bench/retry_probe.py
"""

from __future__ import annotations

import importlib
import statistics
import sys
from pathlib import Path
from unittest import mock

sys.path.insert(0, str(Path(__file__).resolve().parent))
from rewrite import articles  # noqa: E402

import retold  # noqa: E402
from retold import engines  # noqa: E402
from retold.findings import copied_ratio  # noqa: E402
from retold.options import RewriteOptions  # noqa: E402

rewriting = importlib.import_module("retold.rewrite")
first_try_messages = engines.messages


def free_messages(request: engines.Request) -> list[dict[str, str]]:
    """The old retry: a first try's request, with the objections added before the sentence."""
    messages = first_try_messages(engines.Request(request.text, style=request.style, seed=request.seed))
    objections = " Your last version was rejected: " + "; ".join(request.feedback or []) + ". Fix that."
    messages[1]["content"] = messages[1]["content"].replace("\n\n", objections + "\n\n", 1)
    return messages


def main() -> None:
    results: dict[str, list[tuple[bool, float]]] = {"close (retold)": [], "free": []}
    options = RewriteOptions()
    writer = engines.engine(options)
    for name, text in articles(40)[1:9]:
        article = retold.extract(text, kind="article")
        job = rewriting._Rewriter(article, writer, options)
        for index in range(len(article.sentences)):
            if job.mostly_quote(index) or len(article.sentences[index].text.split()) < 8:
                continue
            original = job.text(index)
            masked, quotes = rewriting._masked(original)
            first, problem = rewriting._filled(writer.write(engines.Request(masked, seed=0)), quotes)
            objections = problem or job.objections(first)
            if objections is None:
                continue
            retry = engines.Request(masked, feedback=objections, seed=1)  # temperature 0.7 both ways, as retold asks
            for label in results:
                if label == "free":
                    with mock.patch.object(engines, "messages", free_messages):
                        reply = writer.write(retry)
                else:
                    reply = writer.write(retry)
                candidate, problem = rewriting._filled(reply, quotes)
                accepted = not problem and job.objections(candidate) is None
                results[label].append((accepted, copied_ratio(original, candidate)))
        print(f"{name}: {len(results['free'])} first tries rejected so far", file=sys.stderr)
    for label, rows in results.items():
        accepted = [c for ok, c in rows if ok]
        print(f"{label}: {len(accepted)} of {len(rows)} retries accepted; median copied share of those "
              f"{statistics.median(accepted) if accepted else float('nan'):.2f}")


if __name__ == "__main__":
    main()
