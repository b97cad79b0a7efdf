"""`retold rewrite --output`: a folder that cannot take the file fails at once, and interrupts (Ctrl-C,
SIGTERM) at any moment leave either the whole file or nothing, with one line and no traceback."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time

import pytest

from tests.conftest import ROOT, run_cli


def default_sigint() -> None:
    # A shell starts background jobs with SIGINT ignored (and retold then keeps ignoring it): give the
    # child the default disposition, as a terminal would.
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def one_line(stderr: bytes, text: str) -> None:
    """Besides the progress lines, standard error holds ``text`` alone."""
    lines = [line.strip() for line in re.split(r"[\r\n]", stderr.decode()) if line.strip()]
    assert [line for line in lines if not re.fullmatch(r"retold: \d+/\d+ sentences.*", line)] == [text], lines


@pytest.fixture
def source(tmp_path, source_text):
    path = tmp_path / "source.txt"
    path.write_text(source_text)
    return path


def test_output_into_a_missing_folder_fails_before_the_work(tmp_path, source):
    started = time.monotonic()
    result = run_cli("rewrite", str(source), "--engine", "rules", "--output", str(tmp_path / "missing" / "out.md"))
    assert result.returncode == 1 and result.stdout == b""
    assert result.stderr.decode().count("\n") == 1 and "sentences" not in result.stderr.decode(), result.stderr  # no progress: no work
    assert result.stderr.startswith(b"retold: error: ") and b"does not exist" in result.stderr
    assert time.monotonic() - started < 60


def test_output_into_an_unwritable_folder_fails_before_the_work(tmp_path, source):
    if os.geteuid() == 0:
        folder = "/sys"  # root writes through permission bits; sysfs refuses new files even to root
    else:
        folder = tmp_path / "locked"
        folder.mkdir(mode=0o500)
    result = run_cli("rewrite", str(source), "--engine", "rules", "--output", f"{folder}/out.md")
    assert result.returncode == 1 and result.stderr.decode().count("\n") == 1, result.stderr
    assert result.stderr.startswith(b"retold: error: ") and b"cannot write in" in result.stderr


def test_ctrl_c_while_loading_is_one_line():
    for delay in (0.1, 0.3):
        child = subprocess.Popen([sys.executable, "-m", "retold", "extract", "-"], stdin=subprocess.PIPE,
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=ROOT, preexec_fn=default_sigint)
        time.sleep(delay)
        child.send_signal(signal.SIGINT)
        stdout, stderr = child.communicate(timeout=60)
        assert child.returncode == 130 and stderr == b"retold: interrupted\n" and stdout == b"", (delay, stderr)


def test_sigterm_during_the_run_leaves_no_file(tmp_path, source):
    output = tmp_path / "out.md"
    child = subprocess.Popen(
        [sys.executable, "-m", "retold", "rewrite", str(source), "--model", "smollm2", "--output", str(output)],
        stderr=subprocess.PIPE, cwd=ROOT,
    )
    assert child.stderr.readline().startswith(b"retold: 0/")  # generation has started (plain lines: not a terminal)
    child.send_signal(signal.SIGTERM)
    assert child.wait(timeout=60) == 128 + signal.SIGTERM
    one_line(child.stderr.read(), "retold: interrupted")
    assert list(tmp_path.iterdir()) == [source]


# A real signal at an exact moment of the write: the child wraps one step of it to signal itself there.
SIGNAL_AT = """
import os, signal, sys
import retold.cli
step, when, sig = sys.argv[1], sys.argv[2], getattr(signal, sys.argv[3])
module = os
if step == "write":  # the text is in the file, the rename has not begun
    real_fdopen = os.fdopen
    class File:
        def __init__(self, handle): self.handle = handle
        def __enter__(self): return self
        def __exit__(self, *exc): self.handle.close()
        def write(self, text):
            self.handle.write(text); self.handle.flush(); os.kill(os.getpid(), sig)
    os.fdopen = lambda *a, **k: File(real_fdopen(*a, **k))
else:
    real = os.replace
    def replace(*args):
        if when == "before": os.kill(os.getpid(), sig)
        real(*args)
        if when == "after": os.kill(os.getpid(), sig)
    os.replace = replace
retold.cli.main(sys.argv[4:])
"""


@pytest.mark.parametrize(
    "step, when, sig, written",
    [("replace", "after", "SIGINT", True), ("replace", "before", "SIGTERM", True), ("write", "-", "SIGTERM", False),
     ("write", "-", "SIGINT", False)],
)
def test_an_interrupt_at_the_write_or_the_rename(tmp_path, source, step, when, sig, written):
    output = tmp_path / "out.md"
    result = subprocess.run(
        [sys.executable, "-c", SIGNAL_AT, step, when, sig, "rewrite", str(source), "--engine", "rules", "--quiet",
         "--output", str(output)],
        capture_output=True, cwd=ROOT, timeout=300, preexec_fn=default_sigint,
    )
    if written:  # the rename is the commit point: from there on, the run has succeeded
        assert result.returncode == 0, result.stderr.decode()
        assert not re.search(rb"error|interrupted|Traceback", result.stderr), result.stderr.decode()
        assert output.read_text().startswith("# ")
        assert sorted(p.name for p in tmp_path.iterdir()) == ["out.md", "source.txt"]
    else:
        assert result.returncode == 128 + getattr(signal, sig), result.stderr.decode()
        assert result.stderr == b"retold: interrupted\n"
        assert list(tmp_path.iterdir()) == [source]
