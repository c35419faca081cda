#!/usr/bin/env python3
"""The workspace index at 500 backlog files: indexing time and memory, references and workspace/symbol.

    python benchmarks/workspace_index.py [--files 500] [--queries 200] [--skip-lsp]

The workspace (benchmarks/out/workspace-N/) is N backlogs of 50 tasks each (about
6.5 KB, 150 lines: ../shared/tools/lspbench.py's generator, one seed per file) laid out
as ROADMAP.md, docs/plans/*.md and specs/*/tasks.md. Each file's phases get numbers of
their own (so task IDs are mostly its own), its issue numbers are shared with a few
dozen other files, and each cites #12 and a task of the file before it.

In process: the provider scans the folder (discovery, reading, parsing, summarising, and the
cross-file rules' facts from the same parse) as the server does after ``initialized`` (two worker processes parse, the server keeps the
summaries): wall time, the server's CPU time and resident memory added (VmRSS, after a
collection); and once in this process alone, whose CPU time is the whole work's. Then references (a random task ID or issue mention) and
workspace/symbol (a word, an ID or an issue number) as the server answers them,
conversion to JSON included: median and p95 over ``--queries``, in wall time and in CPU
time (on a machine shared with other work, wall time mostly measures the others).

Through LSP (../shared/tools/lspbench.py): the server started on the workspace, the
same two requests after the index has filled, as an editor sees them.

Targets (issue 14): indexing <= 3 s and <= 150 MiB added; references p95 <= 20 ms and
workspace/symbol p95 <= 50 ms. A benchmark, not a test: nothing fails on a slow machine.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import random
import re
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

from backlog_ls import convert  # noqa: E402
from backlog_ls.features import navigation  # noqa: E402
from backlog_ls.providers.config_file import ConfigLoader  # noqa: E402
from backlog_ls.providers.workspace_facts import FactsProvider  # noqa: E402
from backlog_ls.providers.workspace_index import IndexProvider  # noqa: E402
from backlog_ls.workspace_facts import FactsTable  # noqa: E402
from backlog_ls.workspace_index import WorkspaceIndex  # noqa: E402

_TASK_PHASE = re.compile(r"(Task |Phase )(\d+)")
_ISSUE = re.compile(r"#(\d{3})\b")


def _layout(number: int) -> str:
    if number == 0:
        return "ROADMAP.md"
    if number % 3 == 1:
        return f"docs/plans/plan-{number:03d}.md"
    if number % 3 == 2:
        return f"specs/feature-{number:03d}/tasks.md"
    return f"backlogs/team-{number % 17:02d}/BACKLOG-{number:03d}.md"


def generate(files: int) -> Path:
    root = OUT / f"workspace-{files}"
    marker = root / ".complete"
    if marker.exists():
        return root
    root.mkdir(parents=True, exist_ok=True)
    (root / ".backlog-ls.toml").write_text("# the benchmark's workspace\n", encoding="utf-8")
    source = OUT / "workspace-source.md"
    for number in range(files):
        subprocess.run(
            [sys.executable, str(LSPBENCH), "--gen-backlog", "50", "--out", str(source), "--seed", str(number + 1)],
            check=True,
            stdout=subprocess.DEVNULL,
        )
        text = source.read_text(encoding="utf-8")
        offset = number * 10
        text = _TASK_PHASE.sub(lambda m: f"{m.group(1)}{int(m.group(2)) + offset}", text)
        text = _ISSUE.sub(lambda m: f"#{int(m.group(1)) + (number % 20) * 1000}", text)
        previous = max(0, number - 1) * 10 + 1
        text += (
            "\n## Cross-file follow-ups\n\n"
            f"- [ ] **Task {offset + 9}.1 (#12):** Follow up after Task {previous}.1 and Task {previous}.2\n"
            f"- [ ] **Task {offset + 9}.2:** Check the parser against #12 and owner/repo#12\n"
        )
        path = root / _layout(number)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    source.unlink(missing_ok=True)
    marker.write_text("", encoding="utf-8")
    return root


def _rss_mib() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def _p95(samples: list[float]) -> float:
    ordered = sorted(samples)
    return ordered[max(0, int(round(0.95 * len(ordered))) - 1)]


def _stats(wall: list[float], cpu: list[float]) -> dict:
    """Wall time is what a user waits; CPU time is the server's own cost (the same on an idle
    machine, and unaffected by other processes on a busy one)."""
    return {
        "median_ms": round(statistics.median(wall) * 1000, 2),
        "p95_ms": round(_p95(wall) * 1000, 2),
        "cpu_median_ms": round(statistics.median(cpu) * 1000, 2),
        "cpu_p95_ms": round(_p95(cpu) * 1000, 2),
    }


def _scan(root: Path, use_processes: bool) -> tuple[WorkspaceIndex, float, float, float, int]:
    """Index the folder as the server does, the cross-file facts read with the summaries: the index,
    wall seconds, this process's CPU seconds, MiB added, and how many files' facts the table holds."""
    gc.collect()
    before = _rss_mib()
    index = WorkspaceIndex()
    table = FactsTable()
    loader = ConfigLoader()
    facts = FactsProvider(table, lambda path: (loader.for_path(path).settings, str(root)))
    provider = IndexProvider(
        index,
        loader.for_path,
        lambda path: Path(path).as_uri(),
        facts_inputs=lambda path: (loader.for_path(path).settings, str(root)),
        facts_read=facts.facts_read,
    )
    provider.use_processes = use_processes
    cpu_start = time.process_time()
    start = time.perf_counter()
    provider.scan([str(root)])
    deadline = start + 900
    while provider.scans_finished == 0 and time.perf_counter() < deadline:
        time.sleep(0.005)
    while len(table) < len(index) and time.perf_counter() < deadline:  # the facts' table, filled beside
        time.sleep(0.005)
    elapsed = time.perf_counter() - start
    cpu = time.process_time() - cpu_start
    provider.stop()
    facts.stop()
    gc.collect()
    return index, elapsed, cpu, _rss_mib() - before, len(table)


def in_process(root: Path, queries: int) -> dict:
    import backlog_ls.parse.blocks  # noqa: F401  (the server imports the parser before it indexes)
    from backlog_ls.parse import tune_garbage_collector

    tune_garbage_collector()  # as the server: its thread takes the workers' summaries in

    # As the server does it first (two worker processes parse, this one keeps the summaries), so
    # that memory freed by an earlier scan does not hide what it adds; then in this process alone,
    # whose CPU time is the whole cost of reading, parsing and summarising.
    index, elapsed, server_cpu, added, with_facts = _scan(root, use_processes=True)
    _, alone_s, alone_cpu, _, _ = _scan(root, use_processes=False)
    rng = random.Random(1)
    files = index.files()
    mentions = [(summary, mention) for _, summary in files for mention in summary.mentions]
    reference_times, reference_cpu, reference_counts = [], [], []
    for _ in range(queries):
        summary, mention = rng.choice(mentions)
        begin, begin_cpu = time.perf_counter(), time.process_time()
        places = navigation.references(index, mention)
        json.dumps([{"uri": p.uri, "range": convert.range_dict(p.span, p.lines, "utf-16")} for p in places])
        reference_times.append(time.perf_counter() - begin)
        reference_cpu.append(time.process_time() - begin_cpu)
        reference_counts.append(len(places))

    words = [word for _, summary in files for task in summary.tasks for word in re.findall(r"[A-Za-z]{4,}", task.text)]
    ids = [task.task_id.split()[-1] for _, summary in files for task in summary.tasks if task.task_id]
    issues = [f"#{issue.number}" for _, summary in files for task in summary.tasks for issue in task.issues]
    symbol_times, symbol_cpu, symbol_counts = [], [], []
    for number in range(queries):
        kind = number % 4
        query = (
            rng.choice(words)[: rng.randint(4, 8)]
            if kind == 0
            else rng.choice(ids)
            if kind == 1
            else rng.choice(issues)
            if kind == 2
            else " ".join(rng.sample(words, 2))
        )
        begin, begin_cpu = time.perf_counter(), time.process_time()
        found = navigation.workspace_symbols(index, query)
        json.dumps(
            [
                {"name": s.name, "location": {"uri": s.place.uri, "range": convert.range_dict(s.place.span, s.place.lines, "utf-16")}}
                for s in found
            ]
        )
        symbol_times.append(time.perf_counter() - begin)
        symbol_cpu.append(time.process_time() - begin_cpu)
        symbol_counts.append(len(found))
    return {
        "files": len(index),
        "tasks": sum(len(summary.tasks) for _, summary in files),
        "mentions": len(mentions),
        "index_s": round(elapsed, 2),  # with the worker processes, as the server does
        "index_server_cpu_s": round(server_cpu, 2),  # ... of which the server's own CPU time
        "index_mib_added": round(added, 1),
        "files_with_facts": with_facts,  # the cross-file facts, read with the summaries
        "index_one_process_s": round(alone_s, 2),  # without workers: wall time ...
        "index_one_process_cpu_s": round(alone_cpu, 2),  # ... and the whole work's CPU time
        "load_average": round(os.getloadavg()[0], 1),
        "references": _stats(reference_times, reference_cpu) | {"median_results": statistics.median(reference_counts)},
        "workspace_symbol": _stats(symbol_times, symbol_cpu) | {"median_results": statistics.median(symbol_counts)},
    }


def through_lsp(root: Path, runs: int, settle_seconds: float) -> dict:
    roadmap = root / "ROADMAP.md"
    lines = roadmap.read_text(encoding="utf-8").split("\n")
    # "#12", which every file cites three times (1,500 places: the heavy case), and a task ID
    # mentioned in a few files (the usual case).
    line = next(n for n, text in enumerate(lines) if "(#12)" in text)
    column = lines[line].index("#12") + 1
    task_line = next(n for n, text in enumerate(lines) if "Follow up after Task" in text)
    task_column = lines[task_line].index("after Task") + 7
    result_path = OUT / "lspbench-workspace-index.json"
    command = [
        sys.executable,
        str(LSPBENCH),
        "--server",
        f"{sys.executable} -m backlog_ls serve",
        "--file",
        str(roadmap),
        "--runs",
        str(runs),
        "--settle",  # between initialized and didOpen: the index fills meanwhile
        str(int(settle_seconds * 1000)),
        "--requests",
        f"references@{line}:{column},references@{task_line}:{task_column},workspace/symbol@parser",
        "--json",
        str(result_path),
    ]
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, cwd=REPO)
    raw = json.loads(result_path.read_text())
    requests = raw.get("requests", {})
    found = {}
    for key, value in requests.items():
        found[key] = {"median_ms": (value.get("ms") or {}).get("median"), "p95_ms": (value.get("ms") or {}).get("p95"), "items": value.get("items")}
    found["peak_rss_mib"] = round((raw.get("rss") or {}).get("VmHWM_kB", 0) / 1024, 1)
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=500)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--skip-lsp", action="store_true", help="only the in-process numbers")
    arguments = parser.parse_args()
    if not LSPBENCH.exists():
        print(f"benchmarks need {LSPBENCH} (the shared/ folder beside the repository)", file=sys.stderr)
        return 2
    root = generate(arguments.files)
    results = {"in_process": in_process(root, arguments.queries)}
    if not arguments.skip_lsp:
        # Long enough for the server's index to fill: twice what it took here.
        settle = max(10.0, 2 * results["in_process"]["index_s"])
        results["lsp"] = through_lsp(root, runs=50, settle_seconds=settle) | {"settle_s": round(settle, 1)}
    print(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
