#!/usr/bin/env python3
"""A keystroke on each kind of line, through the server: where the cursor is decides what it costs.

    python benchmarks/line_kinds.py [--sizes 2000,20000] [--layouts spread,one-list] [--keys 4]

``benchmarks/peers.py`` and ``benchmarks/keystroke.py`` type on one line of the middle of the file;
a user types anywhere. For each kind of line found below the middle of a generated backlog (a
heading, prose, a blank line, a fence, a task with or without an issue, an RFC link or a
placeholder, a subtask, the line after the last task) this types ``--keys`` characters at its end
and presses Enter there as often, each keystroke as VS Code sends it (``peers.Session.keystroke``:
didChange, then the diagnostics pull, documentSymbol, foldingRange, documentLink, inlay hints and
codeAction at the cursor, until the last answer), and prints the median and the slowest per kind.
A line kind that costs far more than the others is a request that reads the whole document where
it need not: three were found this way (a code action on a subtask, the lines after a long list,
a phase heading).

A benchmark, not a test: it fails on nothing but a dead server.
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import peers  # noqa: E402

_TASK = re.compile(r"[-*+] \[[ xX]\]")


def kind_of(line: str, after_the_last_task: bool = False) -> str:
    if after_the_last_task:
        return "after the last task"
    text = line.lstrip()
    if not text:
        return "blank"
    if text.startswith("#"):
        return "heading"
    if _TASK.match(text):
        name = "task" if line == text else "subtask"
        if "rfc" in text.lower():
            name += ", RFC link"
        if "TBD" in text:
            name += ", placeholder"
        elif "#" not in text:
            name += ", no issue"
        return name
    if text.startswith("```"):
        return "fence"
    if re.match(r"([-*+]|\d+[.)]) ", text):
        return "bullet"
    return "prose"


def lines_by_kind(lines: list[str]) -> dict[str, int]:
    """One line of each kind from the middle of the file on (the middle one of that kind), and the
    line after the last task."""
    found: dict[str, list[int]] = {}
    for number in range(len(lines) // 2, len(lines) - 1):
        found.setdefault(kind_of(lines[number]), []).append(number)
    chosen = {kind: numbers[len(numbers) // 2] for kind, numbers in sorted(found.items())}
    last_task = max((n for n, line in enumerate(lines) if _TASK.match(line.lstrip())), default=None)
    if last_task is not None and last_task + 1 < len(lines):
        chosen[kind_of("", after_the_last_task=True)] = last_task + 1
    return chosen


def run(tasks: int, layout: str, keys: int) -> list[tuple[str, int, list[float], list[float]]]:
    session = peers.Session(peers.servers({})[0], peers.backlog_file(tasks, layout))
    rows = []
    try:
        session.initialize()
        session.open()
        session.keystroke("a")  # the first answers of each kind, made whole
        time.sleep(2)
        for kind, line in lines_by_kind(session.lines).items():
            session.middle_line = lambda line=line: line  # type: ignore[method-assign]
            chars = [session.keystroke("xyzw"[n % 4]) for n in range(keys)]
            enters = [session.keystroke("\n") for _ in range(keys)]
            rows.append((kind, line, chars, enters))
    finally:
        session.close()
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="2000,20000")
    parser.add_argument("--layouts", default="spread,one-list")
    parser.add_argument("--keys", type=int, default=4)
    args = parser.parse_args(argv)
    print("| tasks | layout | line | a character, median (slowest) ms | Enter, median (slowest) ms |")
    print("|---|---|---|---|---|")
    for tasks in (int(n) for n in args.sizes.split(",")):
        for layout in args.layouts.split(","):
            for kind, _line, chars, enters in run(tasks, layout, args.keys):
                print(
                    f"| {tasks:,} | {layout} | {kind} | {statistics.median(chars):.1f} ({max(chars):.1f}) "
                    f"| {statistics.median(enters):.1f} ({max(enters):.1f}) |",
                    flush=True,
                )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
