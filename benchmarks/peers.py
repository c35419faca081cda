#!/usr/bin/env python3
"""backlog-ls side by side with rumdl and the VS Code Markdown language server, on the same files.

    python benchmarks/peers.py [--quick] [--sizes 200,2000,20000,100000] [--rounds 3]
                               [--servers backlog-ls,rumdl,vscode-markdown] [--no-check] [--json OUT]

The peers are installed into build/bench-peers/ on first use (``pip install rumdl`` into a venv
there; ``npm install vscode-markdown-languageserver markdown-it markdownlint-cli2``); a peer that
cannot be installed is named in the output and left out, the rest still runs.

Files: backlogs from ../shared/tools/lspbench.py's generator (seed 1), as generated (tasks spread
over many lists under headings: "spread") and with every task in one long list ("one list"), each
alone in a folder outside any git repository. Every server gets the same files, in turn, round
after round (interleaved, the order rotated each round), so a slow spell of this shared machine
hits them all alike. Each figure is the median over the rounds, with the rounds' min-max; the
ratio is backlog-ls over the peer, taken round by round, then the median.

Per session (one server process, one document):
- initialize: from process start to the initialize response (imports included).
- open->diagnostics: didOpen until the diagnostics (pulled when the server offers pull, as VS Code
  does, else pushed).
- edit->diagnostics: one character typed at the end of the middle line, until its diagnostics.
- keystroke: what VS Code sends for one key, all at once after the didChange: pull diagnostics (or
  the pushed ones awaited), documentSymbol, foldingRange, documentLink, inlayHint over the visible
  lines when offered, codeAction at the cursor; timed until the last answer. For a character within
  a line and for Enter, on the spread file and on the one-list file.
- burst: 20 keys 30 ms apart, a diagnostics pull after each (not awaited); from the last key to
  the last answer (pushed servers: to the diagnostics of the last version).
- 100 changes: one didChange appending a character to 100 lines, until its diagnostics.
- peak RSS (VmHWM) of the server process at the end of the spread session (the VS Code server's
  markdown-it helper is a separate process and not counted).
- completion and hover p95 (backlog-ls only: the peers know no issues), on a 20,000-task file with
  10,000 issues in the issue cache, through the server.
Then ``backlog-ls check`` on ../shared/corpus and corpus2 against ``rumdl check`` and
``markdownlint-cli2``, as whole processes (wall time, CPU time and peak RSS from wait4).

A benchmark, not a test: it fails on nothing but a broken set-up, and prints what it measured.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
PEERS_DIR = REPO / "build" / "bench-peers"
WORK = Path(tempfile.gettempdir()) / "backlog-ls-bench"  # outside any git repository: no tracker
sys.path.insert(0, str(SHARED / "tools"))

import lspbench  # noqa: E402  (the shared benchmark client: LSP framing, capabilities, generator)

sys.path.insert(0, str(REPO / "benchmarks"))
from reading_client import Client  # noqa: E402  (lspbench's, decoding big answers on use)

VSCODE_SETTINGS = {
    "markdown": {
        "server": {"log": "off"},
        "preferredMdPathExtensionStyle": "auto",
        "suggest": {"paths": {"enabled": True, "includeWorkspaceHeaderCompletions": "onDoubleHash"}},
        "occurrencesHighlight": {"enabled": False},
        "validate": {
            "enabled": True,
            "referenceLinks": {"enabled": "warning"},
            "fragmentLinks": {"enabled": "warning"},
            "fileLinks": {"enabled": "warning", "markdownFragmentLinks": "inherit"},
            "ignoredLinks": [],
            "unusedLinkDefinitions": {"enabled": "hint"},
            "duplicateLinkDefinitions": {"enabled": "warning"},
        },
    }
}
REQUEST_TIMEOUT = 180.0
BURST_KEYS = 20
BURST_GAP_SECONDS = 0.03
MULTI_CHANGES = 100
ISSUES_TASKS = 20_000
CACHED_ISSUES = 10_000
VISIBLE_LINES = 60  # what VS Code asks inlay hints for: the lines on screen


# --- the servers ---------------------------------------------------------------------------------


@dataclass
class Peer:
    name: str
    argv: list[str]
    settings: Any = None
    init_options: Any = None
    sidecar: str | None = None
    max_tasks: int | None = None  # above this the peer is not run (say why in `limit`)
    limit: str = ""
    missing: str = ""  # why it could not be installed


def _run_quietly(command: list[str], cwd: Path | None = None) -> str:
    """'' on success, else the last line of what the command said."""
    try:
        done = subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=900)
    except (OSError, subprocess.TimeoutExpired) as problem:
        return str(problem)
    if done.returncode == 0:
        return ""
    lines = (done.stderr or done.stdout).strip().splitlines()
    return lines[-1] if lines else f"exit {done.returncode}"


def install_peers() -> dict[str, str]:
    """Install what is missing; the peers that could not be installed, with the reason."""
    problems: dict[str, str] = {}
    PEERS_DIR.mkdir(parents=True, exist_ok=True)
    venv = PEERS_DIR / "venv"
    if not (venv / "bin" / "rumdl").exists():
        problem = _run_quietly([sys.executable, "-m", "venv", str(venv)]) or _run_quietly(
            [str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet", "rumdl"]
        )
        if problem:
            problems["rumdl"] = f"pip install rumdl failed: {problem}"
    modules = PEERS_DIR / "node_modules"
    wanted = ["vscode-markdown-languageserver@0.5.0", "markdown-it@14", "markdownlint-cli2"]
    if not (modules / "vscode-markdown-languageserver").exists() or not (modules / ".bin" / "markdownlint-cli2").exists():
        if shutil.which("npm") is None:
            problem = "npm is not installed"
        else:
            problem = _run_quietly(["npm", "install", "--no-audit", "--no-fund", "--silent", *wanted], cwd=PEERS_DIR)
        if problem:
            problems["vscode-markdown"] = problems["markdownlint-cli2"] = f"npm install failed: {problem}"
    # Node resolves markdown-it from the importing file's folder: the helper lives beside node_modules.
    shutil.copyfile(REPO / "benchmarks" / "markdown_it_sidecar.mjs", PEERS_DIR / "markdown_it_sidecar.mjs")
    return problems


def servers(problems: dict[str, str]) -> list[Peer]:
    worker = PEERS_DIR / "node_modules" / "vscode-markdown-languageserver" / "dist" / "node" / "workerMain.js"
    return [
        Peer("backlog-ls", [sys.executable, "-m", "backlog_ls", "serve"]),
        Peer("rumdl", [str(PEERS_DIR / "venv" / "bin" / "rumdl"), "server"], missing=problems.get("rumdl", "")),
        Peer(
            "vscode-markdown",
            ["node", str(worker), "--stdio"],
            settings=VSCODE_SETTINGS,
            init_options={"markdownFileExtensions": ["md"]},
            sidecar=f"node {PEERS_DIR / 'markdown_it_sidecar.mjs'}",
            max_tasks=20_000,
            limit="its markdown-it helper sends 74 MB of tokens per parse and peaks at 1.8 GiB at 20,000 tasks",
            missing=problems.get("vscode-markdown", "") or ("" if worker.exists() else f"{worker} is missing"),
        ),
    ]


# --- the files -----------------------------------------------------------------------------------


def one_list(text: str) -> str:
    """Every task of a generated backlog (with its subtasks) in one list under one heading."""
    tasks = [line for line in text.split("\n") if line.lstrip().startswith("- [")]
    return "# Backlog\n\n" + "\n".join(tasks) + "\n"


def backlog_file(tasks: int, shape: str) -> Path:
    folder = WORK / f"{shape}-{tasks}"
    path = folder / "BACKLOG.md"
    if not path.exists():
        folder.mkdir(parents=True, exist_ok=True)
        text = lspbench.generate_backlog(tasks, seed=1)
        path.write_text(one_list(text) if shape == "one-list" else text, encoding="utf-8")
    return path


def issues_workspace() -> Path:
    """A 20,000-task backlog whose tracker (on a closed port of 127.0.0.1) has 10,000 cached issues."""
    folder = WORK / f"issues-{ISSUES_TASKS}"
    path = folder / "BACKLOG.md"
    cache = folder / ".cache"
    if path.exists():
        return path
    from backlog_ls.providers.trackers.cache import CacheMeta, IssueCache
    from backlog_ls.tracker import Repository, TrackerIssue

    folder.mkdir(parents=True, exist_ok=True)
    api = "http://127.0.0.1:9"  # discard port: nothing answers, and the cache is fresh anyway
    (folder / ".backlog-ls.toml").write_text(
        f'[issues]\nprovider = "github"\nrepo = "octo/repo"\nurl = "{api}"\nrefresh = "1d"\n', encoding="utf-8"
    )
    now = datetime.now(timezone.utc)
    issues = [
        TrackerIssue(
            number=n,
            title=f"Make the thing {n} do the other thing",
            state="open" if n % 3 else "closed",
            url=f"https://github.com/octo/repo/issues/{n}",
            labels=("bug",),
            body="Lorem ipsum dolor sit amet. " * 8,
            created_at=now,
            updated_at=now,
        )
        for n in range(100, 100 + CACHED_ISSUES)
    ]
    repository = Repository("github", "octo", "repo", "127.0.0.1", api)
    IssueCache.for_repository(repository, str(cache / "issues")).save(
        CacheMeta(fetched_at=now, since=now, full_at=now, complete=True), issues, replace=True
    )
    path.write_text(lspbench.generate_backlog(ISSUES_TASKS, seed=1), encoding="utf-8")
    return path


# --- one server, one document --------------------------------------------------------------------


class Session:
    """A server process with one open document, and the edits an editor makes to it."""

    def __init__(self, peer: Peer, path: Path, environment: dict[str, str] | None = None):
        self.peer = peer
        self.uri = path.as_uri()
        self.text = path.read_text(encoding="utf-8")
        self.lines = self.text.split("\n")
        self.version = 1
        self.result_id: str | None = None
        self.last_diagnostics: list = []
        self.errors: dict[str, int] = {}
        saved = dict(os.environ)
        os.environ.update(environment or {})
        try:
            self.client = Client(
                peer.argv, path.parent.as_uri(), settings=peer.settings, sidecar_cmd=peer.sidecar, cwd=str(path.parent)
            )
        finally:
            os.environ.clear()
            os.environ.update(saved)
        self.caps: dict = {}

    # -- lifecycle

    def initialize(self) -> float:
        root = self.client.root_uri
        params = {
            "processId": os.getpid(),
            "clientInfo": {"name": "backlog-ls peers benchmark"},
            "rootUri": root,
            "workspaceFolders": [{"uri": root, "name": "bench"}],
            "capabilities": lspbench.client_capabilities(True),
            "initializationOptions": self.peer.init_options,
        }
        answer = self.client.request("initialize", params, REQUEST_TIMEOUT)
        if answer.error:
            raise lspbench.ServerGone(f"initialize failed: {answer.error}")
        self.caps = (answer.result or {}).get("capabilities") or {}
        self.client.notify("initialized", {})
        if self.peer.settings is not None:
            self.client.notify("workspace/didChangeConfiguration", {"settings": self.peer.settings})
        return (answer.t_recv - self.client.t_spawn) * 1000

    def close(self) -> None:
        self.client.shutdown(timeout=3)  # rumdl 0.3 does not exit on `exit`: it is killed after this

    def peak_rss_mib(self) -> float:
        return self.client.rss()["VmHWM_kB"] / 1024

    # -- what the server offers

    def offers(self, method: str) -> bool:
        key = lspbench.CAP_KEY.get(method.removeprefix("textDocument/"), "")
        return bool(self.caps.get(key)) or method in self.client.registrations

    def pulls(self) -> bool:
        return self.offers("textDocument/diagnostic")

    # -- diagnostics

    def _pull_params(self) -> dict:
        params: dict[str, Any] = {"textDocument": {"uri": self.uri}}
        provider = self.caps.get("diagnosticProvider") or self.client.registrations.get("textDocument/diagnostic")
        if isinstance(provider, dict) and provider.get("identifier"):
            params["identifier"] = provider["identifier"]
        if self.result_id:
            params["previousResultId"] = self.result_id
        return params

    def send_pull(self) -> lspbench.Waiter:
        return self.client.send_request("textDocument/diagnostic", self._pull_params())

    def _keep_report(self, waiter: lspbench.Waiter) -> None:
        report = waiter.result or {}
        if report.get("kind") == "full":
            self.last_diagnostics = report.get("items") or []
            self.result_id = report.get("resultId")

    def open(self) -> float:
        self.client.docs[lspbench.norm_uri(self.uri)] = (self.version, self.text)
        item = {"uri": self.uri, "languageId": "markdown", "version": self.version, "text": self.text}
        started = self.client.write_raw(lspbench.jdump({"jsonrpc": "2.0", "method": "textDocument/didOpen", "params": {"textDocument": item}}))
        if not self.pulls():  # a late pull registration ends the wait for a push
            pushed = self.client.wait_diag(self.uri, started, 1, REQUEST_TIMEOUT, stop_if=self.pulls)
            if pushed not in ("stopped", None):
                self.last_diagnostics = self.client.last_diag_items.get(lspbench.norm_uri(self.uri), [])
                return (pushed[0] - started) * 1000
            if pushed is None:
                raise TimeoutError("no diagnostics after didOpen")
        waiter = self.client.wait(self.send_pull(), REQUEST_TIMEOUT)
        self._keep_report(waiter)
        return (waiter.t_recv - started) * 1000

    def _diagnostics_done(self, started: float, pull: lspbench.Waiter | None) -> float:
        """When the diagnostics of the current version arrived (perf_counter time)."""
        if pull is not None:
            self.client.wait(pull, REQUEST_TIMEOUT)
            self._keep_report(pull)
            return pull.t_recv
        pushed = self.client.wait_diag(self.uri, started, self.version, REQUEST_TIMEOUT)
        if pushed is None:
            raise TimeoutError(f"no diagnostics for version {self.version}")
        self.last_diagnostics = self.client.last_diag_items.get(lspbench.norm_uri(self.uri), [])
        return pushed[0]

    # -- edits

    def change(self, changes: list[tuple[int, int, str]]) -> float:
        """Apply and send one didChange of insertions (line, UTF-16 column, text); when it was sent."""
        events = []
        for line, column, inserted in changes:
            position = {"line": line, "character": column}
            events.append({"range": {"start": position, "end": position}, "rangeLength": 0, "text": inserted})
            before = self.lines[line]
            cut = len(before.encode("utf-16-le")[: column * 2].decode("utf-16-le"))
            self.lines[line : line + 1] = (before[:cut] + inserted + before[cut:]).split("\n")
        self.version += 1
        if lspbench.sync_kind(self.caps) != 2:
            events = [{"text": "\n".join(self.lines)}]
        self.client.docs[lspbench.norm_uri(self.uri)] = (self.version, "\n".join(self.lines))
        params = {"textDocument": {"uri": self.uri, "version": self.version}, "contentChanges": events}
        return self.client.write_raw(lspbench.jdump({"jsonrpc": "2.0", "method": "textDocument/didChange", "params": params}))

    def middle_line(self) -> int:
        middle = len(self.lines) // 2
        while not self.lines[middle].strip():
            middle += 1
        return middle

    def end_of(self, line: int) -> int:
        return lspbench.utf16_len(self.lines[line])

    def edit_to_diagnostics(self, key: str) -> float:
        line = self.middle_line()
        started = self.change([(line, self.end_of(line), key)])
        return (self._diagnostics_done(started, self.send_pull() if self.pulls() else None) - started) * 1000

    def keystroke(self, key: str) -> float:
        """didChange, then what VS Code asks after it, all at once; until the last answer."""
        line = self.middle_line()
        started = self.change([(line, self.end_of(line), key)])
        cursor = (line + 1, 0) if key == "\n" else (line, self.end_of(line))
        waiters = [self.send_pull()] if self.pulls() else []
        for method, params in self._keystroke_requests(cursor):
            waiters.append(self.client.send_request(method, params))
        done = [self._diagnostics_done(started, None)] if not self.pulls() else []
        for waiter in waiters:
            self.client.wait(waiter, REQUEST_TIMEOUT)
            if waiter.method == "textDocument/diagnostic":
                self._keep_report(waiter)
            if waiter.error:
                self.errors[waiter.method] = self.errors.get(waiter.method, 0) + 1
            done.append(waiter.t_recv)
        return (max(done) - started) * 1000

    def _keystroke_requests(self, cursor: tuple[int, int]) -> list[tuple[str, dict]]:
        document = {"textDocument": {"uri": self.uri}}
        line, column = cursor
        requests = [(f"textDocument/{name}", document) for name in ("documentSymbol", "foldingRange", "documentLink")]
        if self.offers("textDocument/inlayHint"):
            top, bottom = max(0, line - VISIBLE_LINES // 2), min(len(self.lines) - 1, line + VISIBLE_LINES // 2)
            visible = {"start": {"line": top, "character": 0}, "end": {"line": bottom, "character": 0}}
            requests.append(("textDocument/inlayHint", {**document, "range": visible}))
        at_cursor = lspbench.build_params("codeAction", f"{line}:{column}", self.uri, self.lines, self.last_diagnostics)
        requests.append(("textDocument/codeAction", at_cursor))
        return [(method, params) for method, params in requests if self.offers(method)]

    def burst(self) -> float:
        """20 keys 30 ms apart, each followed by a pull that is not awaited; last key to last answer."""
        line = self.middle_line()
        pulls = []
        for i in range(BURST_KEYS):
            if i:
                time.sleep(BURST_GAP_SECONDS)
            last_key = self.change([(line, self.end_of(line), "abcdefghijklmnopqrstuvwxyz"[i % 26])])
            if self.pulls():
                pulls.append(self.send_pull())
        if not pulls:
            return (self._diagnostics_done(last_key, None) - last_key) * 1000
        for waiter in pulls:
            self.client.wait(waiter, REQUEST_TIMEOUT)
        self._keep_report(pulls[-1])
        return (max(waiter.t_recv for waiter in pulls) - last_key) * 1000

    def many_changes(self) -> float:
        """One didChange appending a character to 100 non-blank lines from the middle on."""
        lines = [n for n in range(self.middle_line(), len(self.lines)) if self.lines[n].strip()][:MULTI_CHANGES]
        started = self.change([(n, self.end_of(n), "y") for n in lines])
        return (self._diagnostics_done(started, self.send_pull() if self.pulls() else None) - started) * 1000

    def request_ms(self, method: str, params: dict) -> float | None:
        waiter = self.client.request(method, params, REQUEST_TIMEOUT)
        if waiter.error:
            self.errors[method] = self.errors.get(method, 0) + 1
            return None
        return waiter.ms


# --- the rounds ----------------------------------------------------------------------------------

Samples = dict[str, list[float]]  # "metric|tasks|server" -> one value per round


def _record(samples: Samples, metric: str, tasks: int, server: str, values: list[float]) -> None:
    if values:
        samples.setdefault(f"{metric}|{tasks}|{server}", []).append(statistics.median(values))


def edits_for(tasks: int, quick: bool) -> int:
    """Keystrokes per measure and session: fewer on big files, where one costs seconds on a busy machine."""
    if quick:
        return 3
    return 10 if tasks <= 2_000 else 3 if tasks <= 20_000 else 2


def spread_session(peer: Peer, tasks: int, edits: int, samples: Samples, notes: list[str]) -> None:
    session = Session(peer, backlog_file(tasks, "spread"))
    try:
        _record(samples, "initialize", tasks, peer.name, [session.initialize()])
        _record(samples, "open→diagnostics", tasks, peer.name, [session.open()])
        keys = "abcdefghij"
        _record(samples, "edit→diagnostics", tasks, peer.name, [session.edit_to_diagnostics(keys[i % 10]) for i in range(edits)])
        _record(samples, "keystroke: char, spread", tasks, peer.name, [session.keystroke(keys[i % 10]) for i in range(edits)])
        _record(samples, "keystroke: Enter, spread", tasks, peer.name, [session.keystroke("\n") for _ in range(edits)])
        _record(samples, "burst of 20 keys: last answer", tasks, peer.name, [session.burst()])
        _record(samples, "didChange with 100 changes", tasks, peer.name, [session.many_changes()])
        _record(samples, "peak RSS MiB", tasks, peer.name, [session.peak_rss_mib()])
        sync = {1: "full text", 2: "incremental"}.get(lspbench.sync_kind(session.caps), "no")
        notes.append(f"{peer.name}: diagnostics {'pulled' if session.pulls() else 'pushed'}, {sync} didChange")
        if session.errors:
            notes.append(f"{peer.name} at {tasks:,} tasks answered errors: {session.errors}")
    finally:
        session.close()


def one_list_session(peer: Peer, tasks: int, edits: int, samples: Samples) -> None:
    session = Session(peer, backlog_file(tasks, "one-list"))
    try:
        session.initialize()
        _record(samples, "open→diagnostics, one list", tasks, peer.name, [session.open()])
        keys = "klmnopqrst"
        _record(samples, "keystroke: char, one list", tasks, peer.name, [session.keystroke(keys[i % 10]) for i in range(edits)])
        _record(samples, "keystroke: Enter, one list", tasks, peer.name, [session.keystroke("\n") for _ in range(edits)])
    finally:
        session.close()


def p95(values: list[float]) -> float:
    """The value below which 95% of the sorted sample lies (the 38th of 40)."""
    ordered = sorted(values)
    return ordered[max(0, int(len(ordered) * 0.95) - 1)]


def issues_session(peer: Peer, samples: Samples, quick: bool) -> None:
    """Completion after '#' and hover on issue references with 10,000 cached issues, p95."""
    path = issues_workspace()
    session = Session(peer, path, {"BACKLOG_LS_CACHE_DIR": str(path.parent / ".cache")})
    try:
        session.initialize()
        session.open()
        line = session.middle_line()
        session.change([(line, session.end_of(line), " #")])
        position = {"line": line, "character": session.end_of(line)}
        completion = {"textDocument": {"uri": session.uri}, "position": position, "context": {"triggerKind": 2, "triggerCharacter": "#"}}
        runs = 10 if quick else 40
        completions = [session.request_ms("textDocument/completion", completion) for _ in range(runs)]
        references = [n for n, text in enumerate(session.lines) if "(Issue #" in text][:runs]
        hovers = []
        for n in references:
            character = lspbench.utf16_len(session.lines[n][: session.lines[n].index("(Issue #") + 8])
            hovers.append(session.request_ms("textDocument/hover", {"textDocument": {"uri": session.uri}, "position": {"line": n, "character": character}}))
        for metric, values in (("completion p95, 10,000 issues", completions), ("hover p95, 10,000 issues", hovers)):
            measured = [v for v in values if v is not None]
            if measured:
                samples.setdefault(f"{metric}|{ISSUES_TASKS}|{peer.name}", []).append(p95(measured))
    finally:
        session.close()


def run_servers(peers: list[Peer], sizes: list[int], rounds: int, quick: bool, notes: list[str]) -> Samples:
    samples: Samples = {}
    runnable = [peer for peer in peers if not peer.missing]
    for round_number in range(rounds):
        order = runnable[round_number % len(runnable) :] + runnable[: round_number % len(runnable)]
        for tasks in sizes:
            for peer in order:
                if peer.max_tasks is not None and tasks > peer.max_tasks:
                    continue
                started = time.perf_counter()
                for session in (spread_session, one_list_session):
                    try:
                        if session is spread_session:
                            spread_session(peer, tasks, edits_for(tasks, quick), samples, notes)
                        else:
                            one_list_session(peer, tasks, edits_for(tasks, quick), samples)
                    except (lspbench.ServerGone, TimeoutError) as problem:
                        notes.append(f"{peer.name} at {tasks:,} tasks, round {round_number + 1}: {problem}")
                print(f"round {round_number + 1}: {peer.name} at {tasks:,} tasks, {time.perf_counter() - started:.0f} s", file=sys.stderr)
        if ISSUES_TASKS in sizes or quick:
            try:
                issues_session(peers[0], samples, quick)
            except (lspbench.ServerGone, TimeoutError) as problem:
                notes.append(f"backlog-ls issue requests, round {round_number + 1}: {problem}")
    return samples


# --- check on the corpora ------------------------------------------------------------------------


def _whole_process(command: list[str], cwd: Path) -> tuple[float, float, float | None]:
    """Wall seconds and CPU seconds of one run (from wait4), and its peak RSS in MiB.

    The peak comes from GNU time when it is installed (the run's own figure from wait4 would
    count the copy of this process that the fork makes before exec); otherwise it is left out.
    """
    gnu_time = Path("/usr/bin/time").exists()
    with tempfile.NamedTemporaryFile("r", suffix=".rss") as peak:
        wrapped = ["/usr/bin/time", "-o", peak.name, "-f", "%M", *command] if gnu_time else command
        started = time.perf_counter()
        process = subprocess.Popen(wrapped, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        _, _, usage = os.wait4(process.pid, 0)
        process.returncode = 0  # reaped here; keep Popen from waiting again
        wall = time.perf_counter() - started
        kilobytes = peak.read().strip().splitlines()[-1:] if gnu_time else []
    rss = int(kilobytes[0]) / 1024 if kilobytes and kilobytes[0].isdigit() else None
    return wall, usage.ru_utime + usage.ru_stime, rss


def checkers(problems: dict[str, str]) -> list[tuple[str, Callable[[Path], list[str]], str]]:
    bin_dir = PEERS_DIR / "node_modules" / ".bin"
    return [
        ("backlog-ls check", lambda corpus: [sys.executable, "-m", "backlog_ls", "check", "."], ""),
        ("rumdl check", lambda corpus: [str(PEERS_DIR / "venv" / "bin" / "rumdl"), "check", "--no-cache", "."], problems.get("rumdl", "")),
        ("markdownlint-cli2", lambda corpus: [str(bin_dir / "markdownlint-cli2"), "**/*.md"], problems.get("markdownlint-cli2", "")),
    ]


def run_checks(problems: dict[str, str], rounds: int, samples: Samples, notes: list[str]) -> None:
    tools = [tool for tool in checkers(problems) if not tool[2]]
    for corpus_name in ("corpus", "corpus2"):
        corpus = SHARED / corpus_name
        if not corpus.is_dir():
            notes.append(f"{corpus} is missing: no check figures for it")
            continue
        for name, command, _ in tools:  # one warm-up each: the page cache, .pyc files
            _whole_process(command(corpus), corpus)
        for round_number in range(rounds):
            for name, command, _ in tools[round_number % len(tools) :] + tools[: round_number % len(tools)]:
                wall, cpu, rss = _whole_process(command(corpus), corpus)
                for metric, value in (("wall ms", wall * 1000), ("CPU ms", cpu * 1000), ("peak RSS MiB", rss)):
                    if value is not None:
                        samples.setdefault(f"check {metric}|{corpus_name}|{name}", []).append(value)


# --- the report ----------------------------------------------------------------------------------


def _figure(values: list[float]) -> str:
    def number(value: float) -> str:
        return f"{value:,.0f}" if value >= 100 else f"{value:.1f}" if value >= 1 else f"{value:.2f}"

    if not values:
        return "–"
    middle = number(statistics.median(values))
    return middle if len(values) == 1 else f"{middle} ({number(min(values))}–{number(max(values))})"


def _ratio(ours: list[float], theirs: list[float]) -> str:
    pairs = [a / b for a, b in zip(ours, theirs) if b]
    return f"{statistics.median(pairs):.2f}" if pairs else "–"


def report(samples: Samples, names: list[str], notes: list[str]) -> str:
    rows: dict[tuple[str, str], dict[str, list[float]]] = {}
    for key, values in samples.items():
        metric, where, server = key.split("|")
        rows.setdefault((metric, where), {})[server] = values
    out = []
    peers = names[1:]
    header = ["metric (ms unless said)", "tasks / corpus", *names, *(f"{names[0]} / {peer}" for peer in peers)]
    out.append("| " + " | ".join(header) + " |")
    out.append("|" + "---|" * len(header))
    for (metric, where), by_server in rows.items():
        ours = by_server.get(names[0], [])
        cells = [metric, f"{int(where):,}" if where.isdigit() else where]
        cells += [_figure(by_server.get(name, [])) for name in names]
        cells += [_ratio(ours, by_server.get(peer, [])) for peer in peers]
        out.append("| " + " | ".join(cells) + " |")
    out.append("")
    out.append(growth(rows, names))
    if notes:
        out.append("")
        out.extend(f"- {note}" for note in dict.fromkeys(notes))
    return "\n".join(out)


def growth(rows: dict[tuple[str, str], dict[str, list[float]]], names: list[str]) -> str:
    """How each figure grows from one size to the next (the sizes grow about tenfold, the last fivefold)."""
    by_metric: dict[str, dict[int, dict[str, list[float]]]] = {}
    for (metric, where), by_server in rows.items():
        if where.isdigit():
            by_metric.setdefault(metric, {})[int(where)] = by_server
    lines = ["| growth: figure at the larger size / at the smaller | " + " | ".join(names) + " |", "|---|" + "---|" * len(names)]
    for metric, by_size in by_metric.items():
        sizes = sorted(by_size)
        if len(sizes) < 2:
            continue
        for smaller, larger in zip(sizes, sizes[1:]):
            cells = []
            for name in names:
                a, b = by_size[smaller].get(name), by_size[larger].get(name)
                cells.append(f"×{statistics.median(b) / statistics.median(a):.1f}" if a and b and statistics.median(a) else "–")
            lines.append(f"| {metric}, {smaller:,} → {larger:,} tasks | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="200 and 2,000 tasks, one round, 3 edits: a few minutes")
    parser.add_argument("--sizes", help="task counts (default 200,2000,20000,100000; quick: 200,2000)")
    parser.add_argument("--rounds", type=int, help="rounds (default 3; quick: 1)")
    parser.add_argument("--servers", default="backlog-ls,rumdl,vscode-markdown", help="which servers, comma-separated")
    parser.add_argument("--no-check", action="store_true", help="leave out the corpus check timings")
    parser.add_argument("--no-servers", action="store_true", help="only the corpus check timings")
    parser.add_argument("--json", type=Path, help="also write the samples as JSON here")
    arguments = parser.parse_args()
    sizes = [int(s) for s in (arguments.sizes or ("200,2000" if arguments.quick else "200,2000,20000,100000")).split(",")]
    rounds = arguments.rounds or (1 if arguments.quick else 3)
    if not (SHARED / "tools" / "lspbench.py").exists():
        print(f"this benchmark needs {SHARED / 'tools' / 'lspbench.py'} (the shared/ folder beside the repository)", file=sys.stderr)
        return 2

    problems = install_peers()
    # As installed, with bytecode: a pip install writes .pyc files, and this environment may say not to.
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(REPO / "backlog_ls")], check=False)
    wanted = arguments.servers.split(",")
    peers = [peer for peer in servers(problems) if peer.name in wanted]
    notes = [f"{peer.name} could not be installed: {peer.missing}" for peer in peers if peer.missing]
    notes += [f"{peer.name} is not run above {peer.max_tasks:,} tasks: {peer.limit}" for peer in peers if peer.max_tasks and max(sizes) > peer.max_tasks]
    notes += [f"{name} could not be installed: {problem}" for name, problem in problems.items() if name == "markdownlint-cli2"]
    samples: Samples = {}
    if not arguments.no_servers:
        samples.update(run_servers(peers, sizes, rounds, arguments.quick, notes))
    if not arguments.no_check:
        run_checks(problems, rounds, samples, notes)
    names = [peer.name for peer in peers if not peer.missing]
    server_rows = {key: values for key, values in samples.items() if not key.startswith("check ")}
    check_rows = {key: values for key, values in samples.items() if key.startswith("check ")}
    print(f"\n{rounds} round(s), sizes {', '.join(f'{s:,}' for s in sizes)}; median (min–max over the rounds); ratio = backlog-ls / peer\n")
    print(report(server_rows, names, notes))
    if check_rows:
        check_names = [name for name, _, problem in checkers(problems) if not problem]
        print()
        print(report(check_rows, check_names, []).split("\n\n")[0])
    if arguments.json:
        arguments.json.parent.mkdir(parents=True, exist_ok=True)
        arguments.json.write_text(json.dumps({"sizes": sizes, "rounds": rounds, "samples": samples, "notes": notes}, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
