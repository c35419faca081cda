#!/usr/bin/env python3
"""In process: the workspace index's summary and the cross-file facts of the open file after one keystroke.

    python benchmarks/index_summary.py [--sizes 20000,100000] [--keys 10] [--layouts spread,one-list]

The server summarizes the edited document for the workspace index once the edits pause
(``providers/workspace_index.LIVE_DELAY_SECONDS``) and takes its cross-file facts
(``rules/across_files.facts_of``) with every check. This times both after a character typed
in the middle task's text and after Enter there (then Backspace), on the backlogs of
``benchmarks/keystroke.py``, with the memories warm as in a running server: the edited
document is re-parsed, and its task index, suppressions and size taken by the rules' check first
(not timed), then ``summarize`` and ``facts_of`` are timed apart,
and ``index.update`` (what the index does with the summary) after them. Prints medians with
min-max in ms. The garbage collector is tuned as the server tunes it.

A benchmark, not a test: it fails on nothing.
"""

from __future__ import annotations

import argparse
import gc
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from backlog_ls.config import Settings  # noqa: E402
from backlog_ls.rules.across_files import facts_of  # noqa: E402
from backlog_ls import size_limit  # noqa: E402
from backlog_ls.rules.common import task_index  # noqa: E402
from backlog_ls.rules.suppress import Suppressions  # noqa: E402
from backlog_ls.workspace import Document  # noqa: E402
from backlog_ls.workspace_index import WorkspaceIndex, summarize  # noqa: E402
from keystroke import backlog_file  # noqa: E402

NAMES = ("summarize", "facts_of", "index.update")
PATCH = True  # False (--whole): each summary and facts built from the blocks' memories alone, as before the patching


def _keystroke(document: Document, kind: str, n: int, middle: int) -> None:
    if kind == "type":
        column = len(document.backlog.lines[middle]) // 2 + n
        document.apply_change((middle, column), (middle, column), "x")
        return
    split_at = len(document.backlog.lines[middle]) - 4
    if n % 2 == 0:
        document.apply_change((middle, split_at), (middle, split_at), "\n")
    else:
        split_at = len(document.backlog.lines[middle])  # the Backspace joins the lines the Enter split
        document.apply_change((middle, split_at), (middle + 1, 0), "")


def run(tasks: int, layout: str, keys: int) -> dict[str, dict[str, list[float]]]:
    path = backlog_file(tasks, layout)
    document = Document(path.as_uri(), path.read_text(encoding="utf-8"), 1, str(path))
    settings = Settings()
    project = str(path.parent)
    index = WorkspaceIndex()
    lines = document.backlog.lines
    task_lines = [n for n, text in enumerate(lines) if text.startswith("- [")]
    middle = task_lines[len(task_lines) // 2]
    gc.freeze()
    gc.set_threshold(50_000, 20, 100)  # as ``parse.tune_garbage_collector``
    summary = summarize(document.backlog)
    index.update(path.as_uri(), summary, str(path), live=True)  # the memories warm
    facts = facts_of(document.backlog, str(path), project, settings, live=PATCH)
    result = {}
    for kind in ("type", "enter"):
        times: dict[str, list[float]] = {name: [] for name in NAMES}
        for n in range(keys):
            _keystroke(document, kind, n, middle)
            backlog = document.backlog  # the re-parse, not timed
            # What the rules' check of the same parse builds before the facts are taken, not timed.
            task_index(backlog)
            Suppressions.of(backlog)
            size_limit.backlog_size_over(backlog, settings.max_file_size)
            start = time.perf_counter()
            summary = summarize(backlog, previous=summary if PATCH else None)
            times["summarize"].append((time.perf_counter() - start) * 1000)
            start = time.perf_counter()
            facts = facts_of(backlog, str(path), project, settings, live=PATCH, previous=facts)
            times["facts_of"].append((time.perf_counter() - start) * 1000)
            start = time.perf_counter()
            index.update(path.as_uri(), summary, str(path), live=True)
            times["index.update"].append((time.perf_counter() - start) * 1000)
        result[kind] = times
    gc.unfreeze()
    return result


def _median(samples: list[float]) -> str:
    return f"{statistics.median(samples):.1f} ({min(samples):.1f}-{max(samples):.1f})"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="20000,100000")
    parser.add_argument("--layouts", default="spread,one-list")
    parser.add_argument("--keys", type=int, default=10)
    parser.add_argument("--whole", action="store_true", help="summarize and take the facts without the previous ones (no patching)")
    args = parser.parse_args(argv)
    global PATCH
    PATCH = not args.whole
    print("| tasks | layout | keystroke | " + " | ".join(f"{name} ms" for name in NAMES) + " |")
    print("|---|---|---|" + "---|" * len(NAMES))
    for tasks in (int(n) for n in args.sizes.split(",")):
        for layout in args.layouts.split(","):
            for kind, times in run(tasks, layout, args.keys).items():
                print(f"| {tasks:,} | {layout} | {kind} | " + " | ".join(_median(times[name]) for name in NAMES) + " |", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
