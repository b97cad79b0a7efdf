"""``python -m retold.llama_server ARGS``: llama-cpp-python's OpenAI-compatible server (``python -m
llama_cpp.server``, same arguments) with retold's choice of CPU buffer types (retold.nlp.EXTRA_BUFFERS: off),
so it runs on CPUs with AMX too."""

from __future__ import annotations

import runpy

from retold.nlp import EXTRA_BUFFERS, use_extra_buffers

if __name__ == "__main__":
    use_extra_buffers(EXTRA_BUFFERS)
    runpy.run_module("llama_cpp.server", run_name="__main__", alter_sys=True)
