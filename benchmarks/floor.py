#!/usr/bin/env python3
"""How much of a keystroke is the answers' size and the round trip, not backlog-ls's work.

    python benchmarks/floor.py [--sizes 2000,20000] [--keys 20] [--server 'CMD']

For each generated backlog (the files of ``benchmarks/keystroke.py``) it first records what
backlog-ls answers after one keystroke (diagnostic, documentSymbol, foldingRange,
documentLink, inlayHint, codeAction), then times the same keystrokes as keystroke.py through
three servers, interleaved, with the same client:

- backlog-ls itself;
- a replay server: a few lines of standard-library Python that answer every request at once
  with the bytes backlog-ls answered, already encoded; it does no work but framing, so its
  time is what reading, framing and decoding answers this size costs this client, a floor
  that only smaller answers lower;
- an empty server: the same, answering ``null`` (``[]`` for lists): the round trip of six
  requests alone.

The client (``reading_client.Client``) stamps an answer when its last byte arrives and decodes
it later, so none of these include decoding; the last two columns say what decoding a
keystroke's answers costs a client: Python's json, and V8's JSON.parse as in VS Code (when
node is on PATH). It prints medians with min-max. A benchmark, not a test: it fails on
nothing but a dead server.
"""

from __future__ import annotations

import argparse
import json
import shlex
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import keystroke  # noqa: E402
from reading_client import bodies  # noqa: E402

OUT = keystroke.OUT


def replay(recording: Path, empty: bool) -> None:
    """Serve recorded answers on stdin/stdout until ``exit``."""
    recorded = json.loads(recording.read_text(encoding="utf-8"))
    capabilities = recorded["capabilities"]
    # Encoded once, here: the replay's only work per request is framing and writing.
    answers = {}
    for method, result in recorded["results"].items():
        if empty:
            result = [] if isinstance(result, list) else ({"kind": "full", "items": []} if method.endswith("/diagnostic") else None)
        answers[method] = json.dumps(result, ensure_ascii=False, separators=(",", ":")).encode()
    out = sys.stdout.buffer

    def send(body: bytes) -> None:
        out.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        out.flush()

    for body in bodies(sys.stdin.buffer):
        message = json.loads(body)
        method, ident = message.get("method"), message.get("id")
        if method == "exit":
            return
        if ident is None:
            continue
        if method == "initialize":
            result = json.dumps({"capabilities": capabilities}).encode()
        else:
            result = answers.get(method, b"null")
        send(b'{"jsonrpc":"2.0","id":%s,"result":%s}' % (json.dumps(ident).encode(), result))


def record(server: str, path: Path, recording: Path) -> int:
    """One keystroke through backlog-ls; save its capabilities and each answer. Returns the bytes."""
    session = keystroke.Session(server, path)
    try:
        line = session.middle_task_line()
        column = len(session.lines[line]) // 2
        session.change([(line, column, line, column, "y")])
        results, size = {}, 0
        for waiter in session.keystroke_requests(line, column + 1):
            session.client.wait(waiter, keystroke.TIMEOUT)
            results[waiter.method] = waiter.result
            size += waiter.nbytes
        capabilities = dict(session.capabilities)
        capabilities["diagnosticProvider"] = {"interFileDependencies": False, "workspaceDiagnostics": False}
        if "textDocument/inlayHint" in results:
            capabilities["inlayHintProvider"] = True
        recording.write_text(json.dumps({"capabilities": capabilities, "results": results}), encoding="utf-8")
        return size
    finally:
        session.close()


def _keys(server: str, path: Path, keys: int) -> list[float]:
    """The whole keystroke (a character typed in the middle task), ``keys`` times: ms each."""
    session = keystroke.Session(server, path)
    try:
        line = session.middle_task_line()
        taken = []
        for n in range(keys):
            column = len(session.lines[line]) // 2 + n
            taken.append(session.keystroke([(line, column, line, column, "x")], (line, column + 1)))
        return taken
    finally:
        session.close()


_NODE_DECODE = """
const answers = JSON.parse(require('fs').readFileSync(process.argv[1], 'utf8'));
const bodies = Object.values(answers.results).map((result) => JSON.stringify(result));  // compact, as sent
const taken = [];
for (let round = 0; round < 11; round++) {
  const start = process.hrtime.bigint();
  for (const body of bodies) JSON.parse(body);
  taken.push(Number(process.hrtime.bigint() - start) / 1e6);
}
taken.sort((a, b) => a - b);
console.log(taken[5]);
"""


def decode_ms(recording: Path) -> tuple[float, float | None]:
    """Median ms to decode one keystroke's answers: Python's json, and node's (None without node)."""
    bodies = [json.dumps(result, ensure_ascii=False, separators=(",", ":")).encode() for result in json.loads(recording.read_text(encoding="utf-8"))["results"].values()]
    taken = []
    for _ in range(11):
        start = time.perf_counter()
        for body in bodies:
            json.loads(body)
        taken.append((time.perf_counter() - start) * 1000)
    node = shutil.which("node")
    in_node = None
    if node:
        answer = subprocess.run([node, "-e", _NODE_DECODE, str(recording)], capture_output=True, text=True, timeout=120)
        in_node = float(answer.stdout) if answer.returncode == 0 else None
    return statistics.median(taken), in_node


def _median(values: list[float]) -> str:
    return f"{statistics.median(values):.1f} ({min(values):.1f}–{max(values):.1f})"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="2000,20000")
    parser.add_argument("--keys", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--server", default=f"{shlex.quote(sys.executable)} -m backlog_ls serve")
    parser.add_argument("--replay", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--empty", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.replay:
        replay(args.replay, args.empty)
        return 0
    me = f"{shlex.quote(sys.executable)} {shlex.quote(str(Path(__file__).resolve()))}"
    print("| tasks | answer bytes per key | backlog-ls ms | same bytes replayed ms | empty answers ms | decoding them: Python ms | node ms |")
    print("|---|---|---|---|---|---|---|")
    for tasks in [int(size) for size in args.sizes.split(",") if size]:
        path = keystroke.backlog_file(tasks, "spread")
        recording = OUT / f"floor-{tasks}.json"
        size = record(args.server, path, recording)
        servers = {
            "backlog-ls": args.server,
            "replayed": f"{me} --replay {shlex.quote(str(recording))}",
            "empty": f"{me} --replay {shlex.quote(str(recording))} --empty",
        }
        taken: dict[str, list[float]] = {name: [] for name in servers}
        for _ in range(args.rounds):  # interleaved: the machine's noise falls on all three
            for name, command in servers.items():
                taken[name] += _keys(command, path, args.keys)
        in_python, in_node = decode_ms(recording)
        print(
            f"| {tasks:,} | {size:,} | " + " | ".join(_median(taken[name]) for name in servers)
            + f" | {in_python:.1f} | " + (f"{in_node:.1f}" if in_node is not None else "no node") + " |"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
