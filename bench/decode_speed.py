"""How fast llama.cpp runs the default model here: prompt and generation tokens per second.

The local engine's time per article is mostly generation, so this bounds what any design can reach.

    python bench/decode_speed.py [--model FILE|smollm2] [--no-write]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _report import write_section  # noqa: E402

from retold.nlp import llama, model_path  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", default=None)
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()
    path = model_path(args.model)
    model = llama(path)
    prompt = "The quick brown fox jumps over the lazy dog. " * 18  # about 180 tokens
    prompt_rates, generation_rates = [], []
    for run in range(3):
        model.reset()
        started = time.perf_counter()
        reply = model.create_completion(prompt, max_tokens=1, temperature=0)
        prompt_rates.append(reply["usage"]["prompt_tokens"] / (time.perf_counter() - started))
        model.reset()
        model.create_completion("Once upon a time", max_tokens=1, temperature=0)  # prompt evaluated apart
        started = time.perf_counter()
        reply = model.create_completion("Once upon a time", max_tokens=64, temperature=0, seed=run)
        generation_rates.append(reply["usage"]["completion_tokens"] / (time.perf_counter() - started))
    table = "\n".join([
        "## llama.cpp speed on this machine",
        "",
        f"Model `{path.name}`, {os.cpu_count()} threads, median of 3 runs. Generation time includes the (cached) prompt.",
        "",
        "| prompt tokens/s | generated tokens/s |",
        "| ---: | ---: |",
        f"| {statistics.median(prompt_rates):.1f} | {statistics.median(generation_rates):.1f} |",
    ])
    print(table)
    if not args.no_write:
        write_section("decode-speed", table)


if __name__ == "__main__":
    main()
