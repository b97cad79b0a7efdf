"""How fast llama.cpp runs the default model here: prompt and generation tokens per second, with
llama.cpp's extra CPU buffer types (repacked weights; AMX tiles where the CPU has AMX) on and off.

The local engine's time per article is mostly generation, so this bounds what any design can reach;
retold.nlp.EXTRA_BUFFERS is chosen from these numbers.

    [RETOLD_THREADS=N] python bench/decode_speed.py [--model FILE|smollm2] [--no-write]
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

from retold.nlp import EXTRA_BUFFERS, cpu_has_amx, load_llama, model_path  # noqa: E402
from retold.settings import settings  # noqa: E402


def speed(path: Path, extra: bool) -> tuple[float, float]:
    model = load_llama(path, extra, n_ctx=1024)
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
    model.close()
    return statistics.median(prompt_rates), statistics.median(generation_rates)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", default=None)
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()
    path = model_path(args.model)
    rows = []
    for extra in (False, True):
        prompt, generated = speed(path, extra)
        chosen = " (retold's choice here)" if extra == EXTRA_BUFFERS else ""
        rows.append(f"| {'on' if extra else 'off'}{chosen} | {prompt:.1f} | {generated:.1f} |")
    load = os.getloadavg()[0]
    table = "\n".join([
        "## llama.cpp speed on this machine",
        "",
        f"Model `{path.name}`, {settings().threads} thread(s) (RETOLD_THREADS) on {os.cpu_count()} cores, median of 3 runs; CPU has AMX: {'yes' if cpu_has_amx() else 'no'}; "
        f"load average {load:.1f} when it finished (a shared machine: slower than an idle one). "
        "Generation time includes the (cached) prompt.",
        "",
        "| extra buffer types | prompt tokens/s | generated tokens/s |",
        "| --- | ---: | ---: |",
        *rows,
    ])
    print(table)
    if not args.no_write:
        write_section("decode-speed", table)


if __name__ == "__main__":
    main()
