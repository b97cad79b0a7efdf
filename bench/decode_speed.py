"""How fast llama.cpp runs the default model here: prompt and generation tokens per second, with
llama.cpp's extra CPU buffer types (repacked weights; AMX tiles where the CPU has AMX) on and off.

The local engine's time per article is mostly generation, so this bounds what any design can reach;
retold.nlp.EXTRA_BUFFERS is chosen from these numbers. Each setting runs in a child process, so a native
crash (the AMX buffer type has crashed in decode) is recorded as that setting's result, with its signal.

    [RETOLD_THREADS=N] python bench/decode_speed.py [--model FILE|smollm2] [--no-write]
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _report import write_section  # noqa: E402

from retold.nlp import EXTRA_BUFFERS, cpu_has_amx, load_llama, model_path  # noqa: E402
from retold.settings import settings  # noqa: E402


def speed(path: Path, extra: bool) -> tuple[float, float, str]:
    """Median prompt and generated tokens/s over 3 runs, and the start of the last greedy reply."""
    model = load_llama(path, extra, n_ctx=1024)
    prompt = "The quick brown fox jumps over the lazy dog. " * 18  # about 180 tokens
    prompt_rates, generation_rates, text = [], [], ""
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
        text = reply["choices"][0]["text"]
    model.close()
    return statistics.median(prompt_rates), statistics.median(generation_rates), text


def measured(path: Path, extra: bool) -> str:
    """The table row for one setting, measured in a child process: rates, or how the child died."""
    child = subprocess.run([sys.executable, __file__, "--child", str(path), "--extra", str(int(extra))],
                           capture_output=True, text=True, timeout=900)
    setting = ("on" if extra else "off") + (" (retold's choice)" if extra == EXTRA_BUFFERS else "")
    if child.returncode == 0:
        prompt, generated, text = json.loads(child.stdout.strip().splitlines()[-1])
        return f"| {setting} | {prompt:.1f} | {generated:.1f} | {json.dumps(text[:40])[1:-1]}… |"
    why = (f"crashed: {signal.Signals(-child.returncode).name}" if child.returncode < 0
           else f"failed: exit {child.returncode}")
    print(child.stderr[-2000:], file=sys.stderr)
    return f"| {setting} | {why} | {why} | |"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", default=None)
    parser.add_argument("--no-write", action="store_true")
    parser.add_argument("--child", help=argparse.SUPPRESS)  # a model file: measure one setting, print JSON
    parser.add_argument("--extra", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(speed(Path(args.child), bool(args.extra))))
        return
    path = model_path(args.model)
    rows = [measured(path, extra) for extra in (False, True)]
    load = os.getloadavg()[0]
    table = "\n".join([
        "## llama.cpp speed on this machine",
        "",
        f"Model `{path.name}`, {settings().threads} thread(s) (RETOLD_THREADS) on {os.cpu_count()} cores, median of 3 runs, "
        f"each setting in its own process; CPU has AMX: {'yes' if cpu_has_amx() else 'no'}; "
        f"load average {load:.1f} when it finished. Generation time includes the (cached) prompt.",
        "",
        "| extra buffer types | prompt tokens/s | generated tokens/s | greedy reply to 'Once upon a time' |",
        "| --- | ---: | ---: | --- |",
        *rows,
    ])
    print(table)
    if not args.no_write:
        write_section("decode-speed", table)


if __name__ == "__main__":
    main()
