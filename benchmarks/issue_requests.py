#!/usr/bin/env python3
"""Completion after '#' and hover on issue references, through the server, as peers.py measures them.

    python benchmarks/issue_requests.py [--trees base=/path/to/main,new=.] [--rounds 3] [--runs 40] [--settle 0]

peers.py's ``issues_session`` alone (a 20,000-task backlog whose tracker has 10,000 cached issues):
open, type " #" at the end of the middle line, send ``--runs`` completions after the '#' one after
the other, then hover on as many "(Issue #N)" references. Several source trees (``--trees``, each
NAME=PATH) run in turn, round after round, the order rotated (interleaved, so a busy spell of this
shared machine hits them all alike); each tree's server is this Python with PYTHONPATH=PATH.

Per round and tree: completion p50 / p95 (peers.py's p95: the 38th of 40) / the first completion
(it waits for the parse of the change); hover p50 / p95; the answer's size and items; the server's
CPU per request (from /proc). Then each figure's median over the rounds with min-max, and the ratio
of every tree to the first. ``--settle S`` waits S seconds after the change, so the background work
the change starts (its check, the workspace index) is over: the requests' own cost.

A benchmark, not a test: it fails on nothing but a broken set-up, and prints what it measured.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import peers  # noqa: E402  (its Session, workspace and lspbench client)
from keystroke import server_cpu_ms  # noqa: E402
from peers import lspbench  # noqa: E402


def session(tree: str, runs: int, settle: float) -> dict[str, float]:
    path = peers.issues_workspace()
    peer = peers.Peer("backlog-ls", [sys.executable, "-m", "backlog_ls", "serve"])
    environment = {"BACKLOG_LS_CACHE_DIR": str(path.parent / ".cache"), "PYTHONPATH": tree}
    s = peers.Session(peer, path, environment)
    try:
        s.initialize()
        s.open()
        line = s.middle_line()
        s.change([(line, s.end_of(line), " #")])
        if settle:
            time.sleep(settle)
        pid = s.client.proc.pid
        position = {"line": line, "character": s.end_of(line)}
        params = {"textDocument": {"uri": s.uri}, "position": position, "context": {"triggerKind": 2, "triggerCharacter": "#"}}
        completions, size, items = [], 0, 0
        started = server_cpu_ms(pid)
        for _ in range(runs):
            waiter = s.client.request("textDocument/completion", params, peers.REQUEST_TIMEOUT)
            completions.append(waiter.ms)
            size, items = waiter.nbytes, len((waiter.result or {}).get("items") or [])
        completion_cpu = (server_cpu_ms(pid) - started) / runs
        references = [n for n, text in enumerate(s.lines) if "(Issue #" in text][:runs]
        hovers = []
        started = server_cpu_ms(pid)
        for n in references:
            character = lspbench.utf16_len(s.lines[n][: s.lines[n].index("(Issue #") + 8])
            at = {"textDocument": {"uri": s.uri}, "position": {"line": n, "character": character}}
            hovers.append(s.client.request("textDocument/hover", at, peers.REQUEST_TIMEOUT).ms)
        hover_cpu = (server_cpu_ms(pid) - started) / max(1, len(hovers))
    finally:
        s.close()
    return {
        "completion p50": statistics.median(completions),
        "completion p95": peers.p95(completions),
        "first completion": completions[0],
        "completion CPU": completion_cpu,
        "hover p50": statistics.median(hovers),
        "hover p95": peers.p95(hovers),
        "hover CPU": hover_cpu,
        "answer KB": size / 1024,
        "items": items,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--trees", default=f"this={Path(__file__).resolve().parents[1]}", help="NAME=PATH,... (default: this tree)")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--runs", type=int, default=40, help="completions (and hovers) per session")
    parser.add_argument("--settle", type=float, default=0.0, help="seconds to wait after the change")
    args = parser.parse_args()
    trees = [tuple(entry.split("=", 1)) for entry in args.trees.split(",")]
    found: dict[str, list[dict[str, float]]] = {name: [] for name, _ in trees}
    for round_number in range(args.rounds):
        shift = round_number % len(trees)
        for name, tree in trees[shift:] + trees[:shift]:
            figures = session(tree, args.runs, args.settle)
            found[name].append(figures)
            shown = ", ".join(f"{key} {value:.1f}" for key, value in figures.items())
            print(f"round {round_number + 1} {name}: {shown}", file=sys.stderr, flush=True)
    print(f"{args.rounds} rounds, {args.runs} requests each, settle {args.settle} s; ms unless named; median (min-max) over rounds")
    first = trees[0][0]
    for key in found[first][0]:
        cells = []
        for name, _ in trees:
            values = [figures[key] for figures in found[name]]
            cell = f"{name} {statistics.median(values):.1f} ({min(values):.1f}-{max(values):.1f})"
            if name != first:
                ratios = [mine[key] / theirs[key] for mine, theirs in zip(found[name], found[first]) if theirs[key]]
                cell += f" x{statistics.median(ratios):.2f}" if ratios else ""
            cells.append(cell)
        print(f"{key:>17}: " + "; ".join(cells))


if __name__ == "__main__":
    main()
