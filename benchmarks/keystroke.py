#!/usr/bin/env python3
"""What one keystroke costs through the server, as VS Code sends it.

    python benchmarks/keystroke.py [--sizes 2000,20000] [--keys 20] [--layouts spread,one-list]
                                   [--server 'CMD'] [--json OUT]

For each generated backlog (``../shared/tools/lspbench.py --gen-backlog``, seed 1; "one-list"
puts every task of it in a single list under one heading) it starts the server, opens the
file, waits for its diagnostics, then makes ``--keys`` keystrokes of each kind:

- type:  a character typed within a line (in the middle of the middle task's text);
- enter: Enter in the middle of the middle task's text (its second half goes on the next
  line, as a continuation), then Backspace joining the two again: each moves every later line;

and after each one sends at once what VS Code asks for after a keystroke: a diagnostics pull,
documentSymbol, foldingRange, documentLink, inlayHint (when advertised) and codeAction at the
cursor. With ``--settle``, before the first key it asks those once too, as VS Code does when it
opens a file (their time is "first answers"), and waits until the server's CPU is quiet (the
workspace index's first summary of the file, "settled"): the keys are then measured as a user
types them after the file has loaded, not alongside what opening it set off. With ``--paced MS``
it waits that long before each key, as a user typing at that pace: without ``--settle`` the
first keys then meet what the pauses set off (the workspace index summarises a file once its
edits pause for 0.3 s; the first summary of a file is a whole one). The time runs from the
didChange to the last answer. Then one didChange with 100 (and
1,000) changes, a character typed on each of that many task lines (a multi-cursor edit), to its
diagnostics. Peak memory is the server's VmHWM at the end.

A benchmark, not a test: it prints medians with min-max and fails on nothing but a dead server.
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
sys.path.insert(0, str(SHARED / "tools"))

import lspbench  # noqa: E402

sys.path.insert(0, str(REPO / "benchmarks"))
from reading_client import Client  # noqa: E402

OUT = REPO / "benchmarks" / "out"
TIMEOUT = 120.0


def backlog_file(tasks: int, layout: str, size_limit: bool = True) -> Path:
    # Alone in its folder: the folder is the workspace, and the server indexes every backlog in it.
    folder = OUT / f"keystroke-{layout}-{tasks}"
    folder.mkdir(parents=True, exist_ok=True)
    # Without the size limit (``--no-size-limit``) a file over ``max-file-size`` (4 MB: 100,000
    # tasks are 12 MB) gets every rule and answer, as one under it does: the growth to measure.
    config = folder / ".backlog-ls.toml"
    if size_limit:
        config.unlink(missing_ok=True)
    else:
        config.write_text('max-file-size = "0"\n', encoding="utf-8")
    path = folder / "BACKLOG.md"
    if not path.exists():
        text = lspbench.generate_backlog(tasks, seed=1)
        if layout == "one-list":
            items = [line for line in text.split("\n") if line.lstrip().startswith("- [")]
            text = "# One long list\n\n" + "\n".join(items) + "\n"
        path.write_text(text, encoding="utf-8")
    return path


def _task_lines(lines: list[str]) -> list[int]:
    return [n for n, line in enumerate(lines) if line.startswith("- [")]


class Session:
    """One server with one open document, kept in step with the edits sent."""

    def __init__(self, server: str, path: Path):
        self.path = path
        self.uri = path.as_uri()
        self.text = path.read_text(encoding="utf-8")
        self.lines = self.text.split("\n")
        self.version = 1
        self.per_method: dict[str, list[float]] = {}  # each answer's time after the didChange
        self.client = Client(shlex.split(server), path.parent.as_uri())
        root = path.parent.as_uri()
        params = {
            "processId": os.getpid(),
            "rootUri": root,
            "workspaceFolders": [{"uri": root, "name": path.parent.name}],
            "capabilities": lspbench.client_capabilities(True),
        }
        answer = self.client.request("initialize", params, TIMEOUT)
        self.capabilities = (answer.result or {}).get("capabilities") or {}
        self.client.notify("initialized", {})
        start = self.client.notify(
            "textDocument/didOpen",
            {"textDocument": {"uri": self.uri, "languageId": "markdown", "version": 1, "text": self.text}},
        )
        self._wait_registration("textDocument/diagnostic")
        pulled = self.client.request("textDocument/diagnostic", {"textDocument": {"uri": self.uri}}, TIMEOUT)
        self.open_ms = (pulled.t_recv - start) * 1000
        self.diagnostics = (pulled.result or {}).get("items") or []

    def middle_task_line(self) -> int:
        """The line of the middle one of the top-level tasks: where the keystrokes go."""
        tasks = _task_lines(self.lines)
        return tasks[len(tasks) // 2]

    def _wait_registration(self, method: str) -> None:
        deadline = time.perf_counter() + TIMEOUT
        while method not in self.client.registrations and not self.capabilities.get("diagnosticProvider"):
            if time.perf_counter() > deadline:
                raise TimeoutError(f"{method} was never registered")
            time.sleep(0.002)

    def change(self, changes: list[tuple[int, int, int, int, str]]) -> float:
        """Send one didChange (ranges in code points of BMP text, as the generated files are)."""
        self.version += 1
        content = []
        for start_line, start_col, end_line, end_col, text in changes:
            content.append(
                {
                    "range": {
                        "start": {"line": start_line, "character": start_col},
                        "end": {"line": end_line, "character": end_col},
                    },
                    "text": text,
                }
            )
            head = self.lines[start_line][:start_col]
            tail = self.lines[end_line][end_col:]
            self.lines[start_line : end_line + 1] = (head + text + tail).split("\n")
        return self.client.notify(
            "textDocument/didChange",
            {"textDocument": {"uri": self.uri, "version": self.version}, "contentChanges": content},
        )

    def keystroke_requests(self, line: int, column: int) -> list:
        """What VS Code asks after a keystroke, all sent at once."""
        document = {"uri": self.uri}
        cursor = {"line": line, "character": column}
        sent = [
            self.client.send_request("textDocument/diagnostic", {"textDocument": document}),
            self.client.send_request("textDocument/documentSymbol", {"textDocument": document}),
            self.client.send_request("textDocument/foldingRange", {"textDocument": document}),
            self.client.send_request("textDocument/documentLink", {"textDocument": document}),
        ]
        if self.capabilities.get("inlayHintProvider") or "textDocument/inlayHint" in self.client.registrations:
            visible = {"start": {"line": max(0, line - 30), "character": 0}, "end": {"line": line + 30, "character": 0}}
            sent.append(self.client.send_request("textDocument/inlayHint", {"textDocument": document, "range": visible}))
        near = [d for d in self.diagnostics if d["range"]["start"]["line"] <= line <= d["range"]["end"]["line"]]
        sent.append(
            self.client.send_request(
                "textDocument/codeAction",
                {
                    "textDocument": document,
                    "range": {"start": cursor, "end": cursor},
                    "context": {"diagnostics": near, "triggerKind": 2},
                },
            )
        )
        return sent

    def keystroke(self, changes: list[tuple[int, int, int, int, str]], cursor: tuple[int, int]) -> float:
        start = self.change(changes)
        sent = self.keystroke_requests(*cursor)
        for waiter in sent:
            self.client.wait(waiter, TIMEOUT)
            if waiter.error:
                raise RuntimeError(f"{waiter.method}: {waiter.error}")
        for waiter in sent:
            self.per_method.setdefault(waiter.method.split("/")[-1], []).append((waiter.t_recv - start) * 1000)
        items = sent[0].result.get("items") if isinstance(sent[0].result, dict) else None
        if items is not None:
            self.diagnostics = items
        return (max(waiter.t_recv for waiter in sent) - start) * 1000

    def multi_change(self, count: int) -> float:
        """One didChange typing a character at the end of ``count`` task lines, to its diagnostics."""
        targets = _task_lines(self.lines)[:count]
        # Changes apply one after another; none moves a line, so each range is as in the text.
        changes = [(n, len(self.lines[n]), n, len(self.lines[n]), "x") for n in targets]
        start = self.change(changes)
        pulled = self.client.request("textDocument/diagnostic", {"textDocument": {"uri": self.uri}}, TIMEOUT)
        return (pulled.t_recv - start) * 1000

    def close(self) -> int:
        peak = self.client.rss().get("VmHWM_kB", 0)
        self.client.shutdown()
        return peak


def server_cpu_ms(pid: int) -> float:
    """The server's CPU time so far (user + system, all threads): on a busy machine, wall-clock
    times include the waits for a core; the CPU a keystroke costs does not."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) * 1000 / os.sysconf("SC_CLK_TCK")


def _summary(samples: list[float]) -> dict:
    return {
        "median": round(statistics.median(samples), 1),
        "min": round(min(samples), 1),
        "max": round(max(samples), 1),
        "n": len(samples),
        "each": [round(sample, 1) for sample in samples],
    }


def _settle(session: Session, line: int, column: int) -> tuple[float, float]:
    """Ask what VS Code asks when it opens a file, then wait (at most 60 s) until the server's CPU
    is quiet for half a second: (first answers ms, settled ms after them)."""
    start = time.perf_counter()
    sent = session.keystroke_requests(line, column)
    for waiter in sent:
        session.client.wait(waiter, TIMEOUT)
    answered = time.perf_counter()
    pid = session.client.proc.pid
    deadline = answered + 60.0
    before = server_cpu_ms(pid)
    while time.perf_counter() < deadline:
        time.sleep(0.5)
        now = server_cpu_ms(pid)
        if now - before < 25:  # under 5% of a core
            break
        before = now
    return (answered - start) * 1000, (time.perf_counter() - answered) * 1000


def run(server: str, tasks: int, layout: str, keys: int, multi: list[int], settle: bool = False, paced_ms: float = 0,
        size_limit: bool = True) -> dict:
    path = backlog_file(tasks, layout, size_limit)
    session = Session(server, path)
    result: dict = {"tasks": tasks, "layout": layout, "lines": len(session.lines), "open_ms": round(session.open_ms, 1)}
    try:
        middle = session.middle_task_line()
        pid = session.client.proc.pid
        if settle:
            first, settled = _settle(session, middle, len(session.lines[middle]) // 2)
            result["first_answers_ms"], result["settled_ms"] = round(first, 1), round(settled, 1)
        typed = []
        cpu = server_cpu_ms(pid)
        for n in range(keys):
            time.sleep(paced_ms / 1000)
            column = len(session.lines[middle]) // 2 + n
            typed.append(session.keystroke([(middle, column, middle, column, "x")], (middle, column + 1)))
        result["type"] = _summary(typed)
        result["type"]["cpu"] = round((server_cpu_ms(pid) - cpu) / keys, 1)
        entered = []
        cpu = server_cpu_ms(pid)
        split = len(session.lines[middle]) - 4
        for n in range(keys):
            time.sleep(paced_ms / 1000)
            if n % 2 == 0:
                entered.append(session.keystroke([(middle, split, middle, split, "\n")], (middle + 1, 0)))
            else:
                entered.append(session.keystroke([(middle, split, middle + 1, 0, "")], (middle, split)))
        result["enter"] = _summary(entered)
        result["enter"]["cpu"] = round((server_cpu_ms(pid) - cpu) / keys, 1)
        result["per_request_median_ms"] = {name: round(statistics.median(v), 1) for name, v in session.per_method.items()}
        for count in multi:
            try:
                result[f"changes_{count}"] = round(session.multi_change(count), 1)
            except TimeoutError:
                result[f"changes_{count}"] = None
    finally:
        result["peak_mib"] = round(session.close() / 1024, 1)
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="2000,20000")
    parser.add_argument("--layouts", default="spread,one-list")
    parser.add_argument("--keys", type=int, default=20)
    parser.add_argument("--multi", default="100,1000", help="changes in one didChange, comma-separated ('' for none)")
    parser.add_argument("--server", default=f"{sys.executable} -m backlog_ls serve")
    parser.add_argument("--settle", action="store_true", help="ask the keystroke's requests once at open and wait for a quiet server")
    parser.add_argument("--paced", type=float, default=0, metavar="MS",
                        help="wait this long before each key, as a user typing at that pace (the server's CPU per key then counts what the pauses set off)")
    parser.add_argument("--no-size-limit", action="store_true",
                        help="check a file over max-file-size (100,000 tasks) in full, as a smaller one")
    parser.add_argument("--json")
    args = parser.parse_args(argv)
    multi = [int(n) for n in args.multi.split(",") if n]
    rows = []
    print("| tasks | layout | open→diag ms | type: median (min–max) ms, server CPU per key | Enter: same | "
          + " | ".join(f"{n} changes ms" for n in multi) + " | peak MiB |")
    print("|---|---|---|---|---|" + "---|" * len(multi) + "---|")
    for tasks in (int(n) for n in args.sizes.split(",")):
        for layout in args.layouts.split(","):
            row = run(args.server, tasks, layout, args.keys, multi, args.settle, args.paced, not args.no_size_limit)
            rows.append(row)
            cells = [
                f"{tasks:,}", layout, f"{row['open_ms']:.0f}",
                "{median} ({min}–{max}), CPU {cpu}".format(**row["type"]),
                "{median} ({min}–{max}), CPU {cpu}".format(**row["enter"]),
                *(str(row.get(f"changes_{n}")) for n in multi),
                f"{row['peak_mib']}",
            ]
            print("| " + " | ".join(cells) + " |", flush=True)
            if args.settle:
                print(f"  first answers {row['first_answers_ms']} ms, then settled in {row['settled_ms']} ms", file=sys.stderr)
            print("  each answer after the didChange, median ms: " + ", ".join(f"{k} {v}" for k, v in row["per_request_median_ms"].items()), file=sys.stderr)
    if args.json:
        Path(args.json).write_text(json.dumps(rows, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
