#!/usr/bin/env python3
"""In process: what each request VS Code sends after a keystroke costs on its own.

    python benchmarks/keystroke_features.py [--sizes 2000,20000] [--keys 10] [--layouts spread,one-list] [--opens 3]

``benchmarks/keystroke.py`` times the whole keystroke through the server, where every answer
waits for the same analysis; this times the pure work behind each request, one after another,
on the same generated backlogs and keystrokes (a character typed in the middle task's text;
Enter there, then Backspace): the re-parse, the rules and their diagnostics' JSON (as the server
encodes them, reusing the last key's), then the outline, folds, document links, progress hints
for the 61 visible lines, the code actions at the cursor and the dependency graph the rules read.
The row "open" is the same work when the file is opened (``--opens`` times, afresh: the first
parse, the first check, the first answers). The garbage collector is tuned as the server tunes it.
Prints medians in ms.

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

from backlog_ls import convert, dependencies, size_limit  # noqa: E402
from backlog_ls.config import Settings  # noqa: E402
from backlog_ls.features import archive, block_links, folding, issue_ref, progress, renumber, split, symbols, tick, write_back  # noqa: E402
from backlog_ls.features import issues as issue_features  # noqa: E402
from backlog_ls.features import links as link_features  # noqa: E402
from backlog_ls.features import move as move_features  # noqa: E402
from backlog_ls.features import rfc as rfc_features  # noqa: E402
from backlog_ls.diagnostics_json import DiagnosticsJson  # noqa: E402
from backlog_ls.providers.files import DiskFiles  # noqa: E402
from backlog_ls.workspace import Document  # noqa: E402
from keystroke import backlog_file  # noqa: E402

ENCODING = "utf-16"


def _code_actions(backlog, line: int, column: int, settings: Settings) -> None:
    """What ``server/code_actions.py`` computes for a cursor (no tracker, no workspace index)."""
    tick.tick_actions(backlog, line, settings)
    split.split_actions(backlog, line, "\n")
    split.split_at_cursor_action(backlog, line, column, "\n")
    issue_ref.add_issue_actions(backlog, line)
    renumber.renumber_actions(backlog, line)
    renumber.renumber_phases_actions(backlog, line)
    archive.archive_actions(backlog, line, "\n")
    move_features.move_actions(backlog, line, "\n")
    move_features.offers_command(backlog, line)
    issue_features.new_issue_for(backlog, line, settings.issues)
    write_back.sub_issue_plan(backlog, line, None, settings)
    write_back.state_changes(backlog, line, None, settings)


def _links(backlog, path: str) -> None:
    sources = [rfc_features.rfc_link_source(backlog, None, path), issue_features.issue_link_source(None)]
    found = block_links.block_links(backlog, sources, lambda what, compute, fallback: compute())
    file_links = link_features.file_document_links(backlog, path, None, sources[0])
    convert.links_answer_json(found, file_links, backlog.lines, ENCODING)  # as ``server/navigation.py`` answers


def _timer(times: dict[str, list[float]]):
    def timed(name: str, compute):
        start = time.perf_counter()
        value = compute()
        times.setdefault(name, []).append((time.perf_counter() - start) * 1000)
        return value

    return timed


def _check(backlog, path: str, settings: Settings, files: DiskFiles, encoder: DiagnosticsJson, version: int, times) -> None:
    """The rules (no tracker, no RFC index, no other files), then their diagnostics as the server encodes them."""
    timed = _timer(times)
    found = timed("rules", lambda: size_limit.check(backlog, settings, path=path, files=files))
    timed("diagnostics", lambda: encoder.encode(backlog.lines, found, version, ENCODING, Path(path).as_uri()))


def _requests(backlog, path: str, line: int, column: int, settings: Settings, times: dict[str, list[float]]) -> None:
    timed = _timer(times)
    lines = backlog.lines
    timed("progress", lambda: progress.progress(backlog, settings))  # shared by the outline and the hints
    timed("documentSymbol", lambda: convert.outline_json(symbols.outline(backlog, settings), lines, ENCODING))
    timed("foldingRange", lambda: convert.fold_entries_json(folding.fold_entries(backlog)))
    timed("documentLink", lambda: _links(backlog, path))
    visible = (max(0, line - 30), line + 30)
    timed("inlayHint", lambda: convert.progress_inlay_hints(progress.marks(backlog, settings, *visible), lines, ENCODING))
    timed("codeAction", lambda: _code_actions(backlog, line, column, settings))
    timed("dependencies", lambda: dependencies.graph(backlog, settings))


def _open(path: Path, settings: Settings, files: DiskFiles, times: dict[str, list[float]]) -> Document:
    """The first parse, check and requests of a document, as when it is opened: nothing of it remembered yet."""
    text = path.read_text(encoding="utf-8")
    start = time.perf_counter()
    document = Document(path.as_uri(), text, 1, str(path))
    backlog = document.backlog
    times.setdefault("parse", []).append((time.perf_counter() - start) * 1000)
    _check(backlog, str(path), settings, files, DiagnosticsJson(), 1, times)
    lines = backlog.lines
    task_lines = [n for n, line in enumerate(lines) if line.startswith("- [")]
    _requests(backlog, str(path), task_lines[len(task_lines) // 2], 0, settings, times)
    return document


def run(tasks: int, layout: str, keys: int, opens: int = 3) -> dict[str, dict[str, float]]:
    path = backlog_file(tasks, layout)
    settings = Settings()
    gc.freeze()
    gc.set_threshold(50_000, 20, 100)  # as ``parse.tune_garbage_collector``
    files = DiskFiles()
    _open(path, settings, files, {})  # the imports and the module-level set-up, as the server's warm-up makes them
    opened: dict[str, list[float]] = {}
    documents = [_open(path, settings, files, opened) for _ in range(opens)]  # kept: the server frees none meanwhile
    document = documents.pop()
    del documents
    lines = document.backlog.lines
    task_lines = [n for n, text in enumerate(lines) if text.startswith("- [")]
    middle = task_lines[len(task_lines) // 2]
    encoder = DiagnosticsJson()
    _check(document.backlog, str(path), settings, files, encoder, 1, {})  # this encoder's first answer, as the server's
    result = {"open": {name: round(statistics.median(samples), 1) for name, samples in opened.items()}}
    for kind in ("type", "enter"):
        times: dict[str, list[float]] = {}
        for n in range(keys):
            if kind == "type":
                column = len(document.backlog.lines[middle]) // 2 + n
                document.apply_change((middle, column), (middle, column), "x")
                cursor = (middle, column + 1)
            else:
                split_at = len(document.backlog.lines[middle]) - 4
                if n % 2 == 0:
                    document.apply_change((middle, split_at), (middle, split_at), "\n")
                    cursor = (middle + 1, 0)
                else:
                    split_at = len(document.backlog.lines[middle])  # the Backspace joins the lines the Enter split
                    document.apply_change((middle, split_at), (middle + 1, 0), "")
                    cursor = (middle, split_at)
            start = time.perf_counter()
            backlog = document.backlog
            times.setdefault("parse", []).append((time.perf_counter() - start) * 1000)
            _check(backlog, str(path), settings, files, encoder, n + 2, times)
            _requests(backlog, str(path), *cursor, settings, times)
        result[kind] = {name: round(statistics.median(samples), 1) for name, samples in times.items()}
    gc.unfreeze()
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="2000,20000")
    parser.add_argument("--layouts", default="spread,one-list")
    parser.add_argument("--keys", type=int, default=10)
    parser.add_argument("--opens", type=int, default=3, help="how many times the file is opened afresh, for the 'open' row")
    args = parser.parse_args(argv)
    names = ["parse", "rules", "diagnostics", "progress", "documentSymbol", "foldingRange", "documentLink", "inlayHint", "codeAction", "dependencies"]
    print("| tasks | layout | keystroke | " + " | ".join(f"{name} ms" for name in names) + " |")
    print("|---|---|---|" + "---|" * len(names))
    for tasks in (int(n) for n in args.sizes.split(",")):
        for layout in args.layouts.split(","):
            for kind, medians in run(tasks, layout, args.keys, args.opens).items():
                print(f"| {tasks:,} | {layout} | {kind} | " + " | ".join(str(medians[name]) for name in names) + " |", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
