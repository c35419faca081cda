#!/usr/bin/env python3
"""Speed and memory of backlog-ls on generated backlogs of 2,000 and 20,000 tasks.

    python benchmarks/run.py [--sizes 2000,20000] [--json benchmarks/out/results.json] [--skip-lsp]

In process: a full parse, a re-parse after a one-character edit and after a new
line (Enter) in the middle, and all the rules after a one-character edit (what a
keystroke costs once the document's per-block caches are warm), each the median
of several runs. Through ../shared/tools/lspbench.py (the standard LSP
benchmark client): initialize, didOpen -> diagnostics, documentSymbol and
foldingRange, didChange -> diagnostics over a series of edits, peak RSS.

Numbers go to stdout as a Markdown table; targets are in the README. This is a
benchmark, not a test: nothing here fails on a slow machine.
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
SHARED = REPO.parent / "shared"
LSPBENCH = SHARED / "tools" / "lspbench.py"
OUT = REPO / "benchmarks" / "out"

sys.path.insert(0, str(REPO))

from backlog_ls.config import Settings  # noqa: E402
from backlog_ls.parse import parse_lines, reparse  # noqa: E402
from backlog_ls.rules import check  # noqa: E402
from backlog_ls.text import TextLines  # noqa: E402


def generate(tasks: int) -> Path:
    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / f"backlog-{tasks}.md"
    if not path.exists():
        subprocess.run(
            [sys.executable, str(LSPBENCH), "--gen-backlog", str(tasks), "--out", str(path), "--seed", "1"],
            check=True,
            stdout=subprocess.DEVNULL,
        )
    return path


def _median_ms(samples: list[float]) -> float:
    return round(statistics.median(samples) * 1000, 2)


def in_process(path: Path, runs: int) -> dict:
    text = path.read_text(encoding="utf-8")
    full = []
    for _ in range(max(1, runs // 4)):
        start = time.perf_counter()
        backlog = parse_lines(TextLines.from_text(text).lines)
        full.append(time.perf_counter() - start)

    document = TextLines.from_text(text)
    backlog = parse_lines(document.lines)
    middle = len(document.lines) // 2
    while not document.lines[middle].strip():
        middle += 1

    def edit(new_text: str) -> float:
        nonlocal backlog
        end = (middle, len(document.lines[middle]))
        start = time.perf_counter()
        first, old_last, new_last = document.replace(end, end, new_text)
        backlog = reparse(backlog, document.lines, first, old_last, new_last)
        return time.perf_counter() - start

    settings = Settings()
    check(backlog, settings)  # the first check of a document fills the per-block caches
    char_edits, rules = [], []
    for _ in range(runs):
        char_edits.append(edit("x"))
        start = time.perf_counter()
        findings = check(backlog, settings)  # what a keystroke costs: only the edited block is new
        rules.append(time.perf_counter() - start)
    newline_edits = [edit("\n- [ ] new task") for _ in range(max(1, runs // 2))]
    return {
        "full_parse_ms": _median_ms(full),
        "reparse_char_edit_ms": _median_ms(char_edits),
        "reparse_newline_ms": _median_ms(newline_edits),
        "rules_ms": _median_ms(rules),
        "findings": len(findings),
    }


def through_lsp(path: Path, runs: int, edits: int) -> dict:
    result_path = OUT / f"lspbench-{path.stem}.json"
    command = [
        sys.executable,
        str(LSPBENCH),
        "--server",
        f"{sys.executable} -m backlog_ls serve",
        "--file",
        str(path),
        "--runs",
        str(runs),
        "--edit-bench",
        str(edits),
        "--requests",
        "documentSymbol,foldingRange",
        "--json",
        str(result_path),
    ]
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, cwd=REPO)
    raw = json.loads(result_path.read_text())
    requests = raw.get("requests", {})
    edit = raw.get("edit", {})
    return {
        "initialize_ms": raw.get("initialize_ms"),
        "open_to_diagnostics_ms": (raw.get("diagnostics_open") or {}).get("ms"),
        "diagnostics_mode": (raw.get("diagnostics_open") or {}).get("mode"),
        "document_symbol_median_ms": (requests.get("documentSymbol", {}).get("ms") or {}).get("median"),
        "folding_range_median_ms": (requests.get("foldingRange", {}).get("ms") or {}).get("median"),
        "edit_to_diagnostics_median_ms": edit.get("didChange_to_diagnostics_ms", {}).get("median"),
        "edit_to_diagnostics_p95_ms": edit.get("didChange_to_diagnostics_ms", {}).get("p95"),
        "peak_rss_mib": round((raw.get("rss") or {}).get("VmHWM_kB", 0) / 1024, 1),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="2000,20000")
    parser.add_argument("--json", type=Path, help="also write the numbers as JSON here")
    parser.add_argument("--skip-lsp", action="store_true", help="only the in-process numbers")
    arguments = parser.parse_args()
    if not LSPBENCH.exists():
        print(f"benchmarks need {LSPBENCH} (the shared/ folder beside the repository)", file=sys.stderr)
        return 2

    results = {}
    for size in (int(s) for s in arguments.sizes.split(",")):
        path = generate(size)
        big = size >= 10_000
        row = {"tasks": size, "bytes": path.stat().st_size}
        row.update(in_process(path, runs=10 if big else 40))
        if not arguments.skip_lsp:
            row.update(through_lsp(path, runs=10 if big else 20, edits=10 if big else 20))
        results[size] = row
        print(json.dumps(row), file=sys.stderr)

    columns = [
        ("tasks", "tasks"),
        ("full_parse_ms", "full parse"),
        ("reparse_char_edit_ms", "re-parse, 1 char"),
        ("reparse_newline_ms", "re-parse, new line"),
        ("rules_ms", "all rules after 1 char"),
        ("initialize_ms", "initialize"),
        ("open_to_diagnostics_ms", "didOpen→diag"),
        ("edit_to_diagnostics_median_ms", "edit→diag median"),
        ("edit_to_diagnostics_p95_ms", "edit→diag p95"),
        ("document_symbol_median_ms", "documentSymbol"),
        ("folding_range_median_ms", "foldingRange"),
        ("peak_rss_mib", "peak RSS MiB"),
    ]
    print("| " + " | ".join(title for _, title in columns) + " |")
    print("|" + "---|" * len(columns))
    for row in results.values():
        cells = []
        for key, _ in columns:
            value = row.get(key)
            cells.append("–" if value is None else f"{value:,}" if isinstance(value, int) else f"{value:g}")
        print("| " + " | ".join(cells) + " |")
    if arguments.json:
        arguments.json.parent.mkdir(parents=True, exist_ok=True)
        arguments.json.write_text(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
