#!/usr/bin/env python3
"""How long a hover on a small document waits while a 10 MB one is parsed and checked.

    .venv/bin/python benchmarks/big_document.py [MEGABYTES] [--max-file-size SIZE]

Starts the server over stdio, opens a generated backlog of MEGABYTES (default 10) and
then a small one, asks for the big one's outline, folds and links as an editor does, and
hovers on the small one every 20 ms until the big one's
diagnostics arrive (at most 180 s). Prints the hovers' p50, p95 and max in
milliseconds (target: p95 <= 100 ms) and how long the big document took.
``--max-file-size`` is written to a ``.backlog-ls.toml`` beside the documents (the
default limit puts a 10 MB document in the outline-only mode; "0" checks it all).
A benchmark, not a test: nothing fails on a slow machine.
"""

from __future__ import annotations

import argparse
import json
import queue
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HOVER_EVERY_SECONDS = 0.02
GIVE_UP_SECONDS = 180.0


def backlog_of(megabytes: float) -> str:
    """A backlog of phases, sections and tasks with issue references, links and subtasks."""
    parts = ["# Product backlog\n\n"]
    size = 0
    task = 0
    phase = 0
    while size < megabytes * 1_000_000:
        phase += 1
        chunk = [f"## Phase {phase}: Work\n\n"]
        for section in range(1, 6):
            chunk.append(f"### {phase}.{section} Section\n\n")
            for _ in range(8):
                task += 1
                state = "x" if task % 3 else " "
                chunk.append(
                    f"- [{state}] **Task {phase}.{task} (Issue #{task}):** Do the thing, see "
                    f"[docs/rfcs/{task % 90 + 1:04d}-x.md](../rfcs/{task % 90 + 1:04d}-x.md)\n"
                    f"  - [{state}] Write the tests\n  - [{state}] Measure it\n"
                )
            chunk.append("\n")
        text = "".join(chunk)
        parts.append(text)
        size += len(text)
    return "".join(parts)


class Client:
    """Just enough of an LSP client: framed JSON over the server's stdin and stdout."""

    def __init__(self, command: list[str], cwd: Path):
        self.process = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, cwd=cwd)
        self.messages: queue.Queue[dict] = queue.Queue()
        self._next_id = 0
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        stream = self.process.stdout
        assert stream is not None
        while True:
            length = None
            while (line := stream.readline()) not in (b"\r\n", b""):
                if line.lower().startswith(b"content-length:"):
                    length = int(line.split(b":")[1])
            if not line or length is None:
                return
            self.messages.put(json.loads(stream.read(length)))

    def send(self, message: dict) -> None:
        body = json.dumps({"jsonrpc": "2.0", **message}).encode()
        assert self.process.stdin is not None
        self.process.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        self.process.stdin.flush()

    def request(self, method: str, params: dict) -> int:
        self._next_id += 1
        self.send({"id": self._next_id, "method": method, "params": params})
        return self._next_id

    def notify(self, method: str, params: dict) -> None:
        self.send({"method": method, "params": params})


def _peak_megabytes(pid: int) -> str:
    """The process's peak resident memory (Linux), before it exits."""
    status = Path(f"/proc/{pid}/status")
    if not status.exists():
        return "?"
    for line in status.read_text().splitlines():
        if line.startswith("VmHWM:"):
            return str(int(line.split()[1]) // 1024)
    return "?"


def main() -> None:
    arguments = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    arguments.add_argument("megabytes", nargs="?", type=float, default=10.0)
    arguments.add_argument("--max-file-size", default=None)
    options = arguments.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="backlog-ls-big-"))
    if options.max_file_size is not None:
        (folder / ".backlog-ls.toml").write_text(f'max-file-size = "{options.max_file_size}"\n')
    big_text = backlog_of(options.megabytes)
    small_text = "# Small backlog\n\n- [ ] **Task 1.1 (Issue #12):** See RFC 2119 and [x](y.md)\n"
    big, small = (folder / "big-backlog.md").as_uri(), (folder / "small-backlog.md").as_uri()

    client = Client([sys.executable, "-m", "backlog_ls", "serve"], ROOT)
    client.request("initialize", {"processId": None, "rootUri": folder.as_uri(), "capabilities": {}})
    client.notify("initialized", {})
    sent: dict[int, float] = {}
    latencies: list[float] = []
    slowest: list[tuple[float, float]] = []  # (milliseconds, seconds after the big document opened)
    big_done = None
    opened = time.perf_counter()
    client.notify("textDocument/didOpen", {"textDocument": {"uri": big, "languageId": "markdown", "version": 1, "text": big_text}})
    client.notify("textDocument/didOpen", {"textDocument": {"uri": small, "languageId": "markdown", "version": 1, "text": small_text}})
    # What an editor asks of a document it opens: its outline and folds (answered once it is parsed).
    for method in ("textDocument/documentSymbol", "textDocument/foldingRange", "textDocument/documentLink"):
        client.request(method, {"textDocument": {"uri": big}})
    next_hover = time.perf_counter()
    while time.perf_counter() - opened < GIVE_UP_SECONDS:
        now = time.perf_counter()
        if now >= next_hover and len(sent) < 5:
            request = client.request("textDocument/hover", {"textDocument": {"uri": small}, "position": {"line": 2, "character": 25}})
            sent[request] = now
            next_hover = now + HOVER_EVERY_SECONDS
        try:
            message = client.messages.get(timeout=0.005)
        except queue.Empty:
            continue
        if message.get("id") in sent and "method" not in message:
            started = sent.pop(message["id"])
            latencies.append((time.perf_counter() - started) * 1000)
            slowest = sorted([*slowest, (latencies[-1], started - opened)], reverse=True)[:3]
        elif message.get("method") == "textDocument/publishDiagnostics" and message["params"]["uri"] == big:
            big_done = time.perf_counter() - opened
            break
        elif "id" in message and "method" in message:  # a request from the server: answer it
            client.send({"id": message["id"], "result": None})
    ended = time.perf_counter()
    peak = _peak_megabytes(client.process.pid)
    latencies.extend((ended - started) * 1000 for started in sent.values())  # never answered: waited until now
    client.request("shutdown", {})
    client.notify("exit", {})
    try:
        client.process.wait(5)
    except subprocess.TimeoutExpired:
        client.process.kill()

    latencies.sort()
    p95 = latencies[max(0, int(len(latencies) * 0.95 + 0.5) - 1)] if latencies else float("nan")
    print(f"document: {len(big_text) / 1e6:.1f} MB, max-file-size: {options.max_file_size or 'default'}")
    print(f"big document checked in: {'not within %d s' % GIVE_UP_SECONDS if big_done is None else f'{big_done:.1f} s'}")
    print(f"server's peak memory: {peak} MB")
    if latencies:
        print(
            f"hover on a small document meanwhile: {len(latencies)} answers, p50 {statistics.median(latencies):.1f} ms, "
            f"p95 {p95:.1f} ms, max {latencies[-1]:.1f} ms (target p95 <= 100 ms)"
        )
        print("slowest: " + ", ".join(f"{ms:.0f} ms at {at:.1f} s" for ms, at in slowest))
    else:
        print("hover on a small document meanwhile: no answer")


if __name__ == "__main__":
    main()
