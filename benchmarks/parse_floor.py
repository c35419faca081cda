#!/usr/bin/env python3
"""What reading a backlog's Markdown costs in Python at all, beside what backlog-ls's parser costs.

    python benchmarks/parse_floor.py [--sizes 2000,20000] [--runs 7]

On the generated backlogs of ``benchmarks/keystroke.py`` (seed 1, tasks spread), in one
process each, interleaved run by run, median (min-max) ms of:

- backlog-ls: ``parse.parse``, the whole model (blocks, items, spans, references);
- markdown-it-py (the fastest pure-Python CommonMark parser we know), its block rules only
  and then with inline parsing: installed into build/bench-peers/venv on first use, and
  left out, with the reason, when pip cannot install it;
- cmark-gfm (GitHub's C parser, through cmarkgfm): to HTML with source positions.

Pure-Python parsers give the floor of a model built in Python: any parser that reads the
blocks as CommonMark does pays at least their block pass. A benchmark, not a test.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "benchmarks"))

import keystroke  # noqa: E402
from peers import PEERS_DIR  # noqa: E402

PEER_PYTHON = PEERS_DIR / "venv" / "bin" / "python"

# Run in the peers' venv: the milliseconds of each markdown-it-py pass, as JSON.
_MARKDOWN_IT = """
import json, sys, time
from markdown_it import MarkdownIt
text = open(sys.argv[1], encoding="utf-8").read()
blocks = MarkdownIt("commonmark").enable(["table", "strikethrough"])
blocks.disable("inline")
full = MarkdownIt("commonmark").enable(["table", "strikethrough"])
taken = {"block": [], "inline": []}
for _ in range(int(sys.argv[2])):
    for name, parser in (("block", blocks), ("inline", full)):
        start = time.perf_counter()
        parser.parse(text)
        taken[name].append((time.perf_counter() - start) * 1000)
print(json.dumps(taken))
"""


def _install_markdown_it() -> str:
    """'' when markdown-it-py is importable in the peers' venv, else why not."""
    if not PEER_PYTHON.exists():
        made = subprocess.run([sys.executable, "-m", "venv", str(PEERS_DIR / "venv")], capture_output=True, text=True, check=False)
        if made.returncode:
            return f"python -m venv failed: {made.stderr.strip()[-200:]}"
    if subprocess.run([str(PEER_PYTHON), "-c", "import markdown_it"], capture_output=True, check=False).returncode == 0:
        return ""
    installed = subprocess.run(
        [str(PEER_PYTHON), "-m", "pip", "install", "--quiet", "markdown-it-py"], capture_output=True, text=True, check=False, timeout=900
    )
    return "" if installed.returncode == 0 else f"pip install markdown-it-py failed: {installed.stderr.strip()[-200:]}"


def _timed(function, runs: int) -> list[float]:
    taken = []
    for _ in range(runs):
        start = time.perf_counter()
        function()
        taken.append((time.perf_counter() - start) * 1000)
    return taken


def _cell(values: list[float] | None) -> str:
    if not values:
        return "–"
    return f"{statistics.median(values):.0f} ({min(values):.0f}–{max(values):.0f})"


def main(argv: list[str] | None = None) -> int:
    options = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    options.add_argument("--sizes", default="2000,20000")
    options.add_argument("--runs", type=int, default=7)
    args = options.parse_args(argv)
    from cmarkgfm import github_flavored_markdown_to_html
    from cmarkgfm.cmark import Options

    from backlog_ls import parse

    missing = _install_markdown_it()
    print("| tasks | bytes | backlog-ls parse | markdown-it-py block pass | markdown-it-py with inline | cmark-gfm (C) |")
    print("|---|---|---|---|---|---|")
    for tasks in [int(size) for size in args.sizes.split(",") if size]:
        path = keystroke.backlog_file(tasks, "spread")
        text = path.read_text(encoding="utf-8")
        taken: dict[str, list[float]] = {"ours": [], "cmark": []}
        for _ in range(args.runs):  # interleaved: a slow spell of the machine falls on each
            taken["ours"] += _timed(lambda: parse.parse(text), 1)
            taken["cmark"] += _timed(lambda: github_flavored_markdown_to_html(text, Options.CMARK_OPT_SOURCEPOS), 1)
        markdown_it: dict[str, list[float]] = {}
        if not missing:
            answer = subprocess.run(
                [str(PEER_PYTHON), "-c", _MARKDOWN_IT, str(path), str(args.runs)], capture_output=True, text=True, check=False, timeout=1800
            )
            markdown_it = json.loads(answer.stdout) if answer.returncode == 0 else {}
        print(
            f"| {tasks:,} | {len(text.encode()):,} | {_cell(taken['ours'])} | "
            f"{_cell(markdown_it.get('block'))} | {_cell(markdown_it.get('inline'))} | {_cell(taken['cmark'])} |"
        )
    if missing:
        print(f"markdown-it-py left out: {missing}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
