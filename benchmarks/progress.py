#!/usr/bin/env python3
"""What progress hints and the dependency rules cost per keystroke, in process.

    python benchmarks/progress.py

A 24,000-task backlog (200 sections of 100 tasks, every tenth a parent of two subtasks;
one task in 1,000 waits for the task before it, then one in five): a character typed into one task, then the
document re-parsed (``parse.reparse``, outside the timing), then the inlay hints for a
screenful (lines around the edit) and for the whole document, the outline's section
counts, and the dependency graph the rules read. Prints p50 and p95 in milliseconds.
A benchmark, not a test: nothing fails on a slow machine.
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from backlog_ls.dependencies import graph  # noqa: E402
from backlog_ls.features.progress import _progress, marks  # noqa: E402
from backlog_ls.parse import parse, reparse  # noqa: E402


def _document(waits_every: int = 5) -> list[str]:
    lines = ["# Plan", ""]
    for section in range(200):
        lines += [f"## Phase {section}", ""]
        for task in range(100):
            number = f"{section}.{task}"
            after = f", after Task {section}.{task - 1}" if (section * 100 + task) % waits_every == waits_every - 1 else ""
            lines.append(f"- [{'x' if task % 3 else ' '}] Task {number}: do it{after}")
            if task % 10 == 0:
                lines += ["  - [x] first half", "  - [ ] second half"]
        lines.append("")
    return lines


def _report(name: str, samples: list[float]) -> None:
    ordered = sorted(samples)
    p95 = ordered[max(0, int(len(ordered) * 0.95) - 1)]
    print(f"| {name} | {statistics.median(ordered) * 1000:.2f} | {p95 * 1000:.2f} |")


def main(rounds: int = 40) -> None:
    for waits_every in (1000, 5):
        _measure(_document(waits_every), rounds)


def _measure(lines: list[str], rounds: int) -> None:
    backlog = parse("\n".join(lines) + "\n")
    marks(backlog)  # every block tallied once, as after opening the document
    graph(backlog)
    screen, whole, counts, dependencies = [], [], [], []
    for round_ in range(rounds):
        line = 2 + (round_ * 997) % (len(lines) - 4)
        while not lines[line].startswith("- ["):
            line += 1
        lines[line] += "x"
        backlog = reparse(backlog, lines, line, line, line)
        started = time.perf_counter()
        marks(backlog, None, max(0, line - 30), line + 30)
        screen.append(time.perf_counter() - started)
        started = time.perf_counter()
        _progress(backlog, None)  # what a second request of the same snapshot would not pay
        counts.append(time.perf_counter() - started)
        started = time.perf_counter()
        marks(backlog)
        whole.append(time.perf_counter() - started)
        started = time.perf_counter()
        graph(backlog)
        dependencies.append(time.perf_counter() - started)
    waiting = len(graph(backlog).dependencies)
    print(f"\n{len(lines)} lines, {len(backlog.task_list)} tasks, {waiting} dependencies, {len(backlog.blocks)} blocks, {rounds} keystrokes")
    print("| after one keystroke | p50 ms | p95 ms |")
    print("|---|---|---|")
    _report("inlay hints, 60 visible lines", screen)
    _report("section counts again (cached per snapshot: this is the recount)", counts)
    _report("inlay hints, whole document", whole)
    _report("dependency graph (rules, hover, --next)", dependencies)


if __name__ == "__main__":
    main()
