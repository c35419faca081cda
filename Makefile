# Two commands for a fresh machine: `make demo` and `make test`. Both build what they need.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: demo test bench clean

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test]"
	touch $@

# The main job: check the shipped example backlog. Exit code 1 means "findings", which is the point here.
demo: $(BIN)/.installed
	$(BIN)/backlog-ls check examples/BACKLOG.md; status=$$?; test $$status -le 1

test: $(BIN)/.installed
	$(BIN)/python -m pytest

bench: $(BIN)/.installed
	$(BIN)/python benchmarks/run.py
	$(BIN)/python benchmarks/features.py
	$(BIN)/python benchmarks/issues_cache.py

clean:
	rm -rf $(VENV) build *.egg-info
