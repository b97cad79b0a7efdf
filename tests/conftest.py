from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = Path(os.environ.get("RETOLD_EXAMPLES", ROOT.parent / "shared" / "examples"))


@pytest.fixture(scope="session")
def source_text() -> str:
    return (EXAMPLES / "iran-iraq-source.txt").read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def rewrite_text() -> str:
    return (EXAMPLES / "iran-iraq-ai-rewrite.txt").read_text(encoding="utf-8")


def run_cli(*args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess:
    """The real `retold` command in a child process."""
    return subprocess.run(
        [sys.executable, "-m", "retold", *args], input=stdin, capture_output=True, timeout=300, cwd=ROOT
    )
