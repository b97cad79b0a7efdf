"""Shared by the bench scripts: where the data is, and writing a section of BENCHMARKS.md."""

from __future__ import annotations

import datetime
import os
import platform
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(os.environ.get("RETOLD_DATA", ROOT.parent / "shared" / "data"))
EXAMPLES = Path(os.environ.get("RETOLD_EXAMPLES", ROOT.parent / "shared" / "examples"))
BENCHMARKS = ROOT / "BENCHMARKS.md"


def machine() -> str:
    """The machine in words, with the CPU's model and widest vector extension: llama.cpp's speed depends on them."""
    cpu = platform.processor() or platform.machine()
    try:
        info = Path("/proc/cpuinfo").read_text(errors="replace")
    except OSError:
        info = ""
    model = re.search(r"^model name\s*:\s*(.+)$", info, re.M)
    flag_line = re.search(r"^flags\s*:(.*)$", info, re.M)
    flags = set(flag_line.group(1).split()) if flag_line else set()
    vector = next((f for f in ("amx_tile", "avx512f", "avx2", "avx") if f in flags), None)
    if model:
        cpu = model.group(1).strip() + (f", {vector}" if vector else "")
    return f"{platform.system()} {platform.machine()} ({cpu}), {os.cpu_count()} cores, Python {platform.python_version()}"


def write_section(name: str, body: str) -> None:
    """Replace (or append) the section called ``name`` in BENCHMARKS.md."""
    command = " ".join(["python", os.path.relpath(sys.argv[0], ROOT), *sys.argv[1:]])
    stamp = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")
    section = (
        f"<!-- bench:{name} -->\n{body.strip()}\n\n"
        f"Command: `{command}` · machine: {machine()} · run: {stamp}\n<!-- /bench:{name} -->"
    )
    text = BENCHMARKS.read_text() if BENCHMARKS.exists() else "# Benchmarks\n\nEvery number here is written by a script in `bench/`; rerun it to check.\n"
    pattern = re.compile(rf"<!-- bench:{name} -->.*?<!-- /bench:{name} -->", re.S)
    text = pattern.sub(lambda _: section, text) if pattern.search(text) else text.rstrip() + "\n\n" + section + "\n"
    BENCHMARKS.write_text(text)
