"""Not collected by itself (no test_ prefix): test_isolation.py runs these in a child to prove a crash is reported."""

import ctypes


def test_segfaults():
    ctypes.string_at(0)  # a real segmentation fault in native code


def test_passes():
    assert True
