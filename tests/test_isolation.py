"""Tests that run a model in-process run in a child process, so a native crash fails that test only."""

from conftest import run_in_child


def test_a_segfault_in_the_child_is_reported_as_a_failure():
    problem = run_in_child("tests/crash_sample.py::test_segfaults", timeout=120)
    assert problem is not None and "crashed with SIGSEGV" in problem


def test_a_passing_child_passes():
    assert run_in_child("tests/crash_sample.py::test_passes", timeout=120) is None
