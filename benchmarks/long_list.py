#!/usr/bin/env python3
"""In process: the re-parse after the keystrokes of benchmarks/peers.py's one-list session.

    python benchmarks/long_list.py [--sizes 2000,20000] [--keys 10] [--check]

On the one-list file of benchmarks/peers.py (every task of a generated backlog in one list under
one heading), the same edits its session sends, each at the end of the middle line: ``--keys``
characters typed (the list is tight), then as many Enters (the first leaves a blank line between
two items: the list turns loose), then as many characters typed in the loose list. Each re-parse
(``parse.reparse``) is timed alone; ``--check`` also compares each result with a full parse
(outside the timing). Prints the median and the range in ms.

A benchmark, not a test: it fails on nothing but a re-parse that differs under ``--check``.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO.parent / "shared" / "tools"))

import lspbench  # noqa: E402

from backlog_ls.parse import parse_lines, reparse  # noqa: E402
from backlog_ls.text import TextLines  # noqa: E402

sys.path.insert(0, str(REPO / "benchmarks"))
from peers import one_list  # noqa: E402


def run(tasks: int, keys: int, check: bool) -> dict[str, list[float]]:
    document = TextLines.from_text(one_list(lspbench.generate_backlog(tasks, seed=1)))
    backlog = parse_lines(document.lines)

    def middle_line() -> int:  # as peers.Session.middle_line
        middle = len(document.lines) // 2
        while not document.lines[middle].strip():
            middle += 1
        return middle

    def keystroke(key: str) -> float:
        nonlocal backlog
        line = middle_line()
        end = (line, len(document.lines[line]))
        start = time.perf_counter()
        backlog = reparse(backlog, document.lines, *document.replace(end, end, key))
        elapsed = (time.perf_counter() - start) * 1000
        if check and backlog != parse_lines(list(document.lines)):
            raise SystemExit(f"the re-parse after {key!r} differs from a full parse")
        return elapsed

    return {
        "char, tight list": [keystroke("klmnopqrst"[n % 10]) for n in range(keys)],
        "Enter (the list turns loose)": [keystroke("\n") for _ in range(keys)],
        "char, loose list": [keystroke("abcdefghij"[n % 10]) for n in range(keys)],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="2000,20000")
    parser.add_argument("--keys", type=int, default=10)
    parser.add_argument("--check", action="store_true", help="compare each re-parse with a full parse")
    args = parser.parse_args(argv)
    print("| tasks | keystroke | re-parse median ms (min-max) |\n|---|---|---|")
    for tasks in (int(size) for size in args.sizes.split(",")):
        for name, samples in run(tasks, args.keys, args.check).items():
            print(f"| {tasks:,} | {name} | {statistics.median(samples):.1f} ({min(samples):.1f}-{max(samples):.1f}) |", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
