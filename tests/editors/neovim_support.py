"""What the Neovim end-to-end tests (Debian's 0.7.2 and PyPI's 0.11) share: running a driver script in
headless Neovim on the example workspace, the lines it acts on, and what `backlog-ls check` says Neovim
should hold.

A driver (tests/editors/neovim/*.lua) records what Neovim holds after each step in a JSON file; the
assertions live in the test modules, so that a failure prints a readable diff with Neovim's output, the
LSP log and the server's stderr beside it.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest

from .conftest import BACKLOG_NAME, put_backlog_ls_on_path

REPO = Path(__file__).resolve().parents[2]
PLUGIN_CONFIG = REPO / "lsp" / "backlog_ls.lua"  # the repository is the Neovim plugin
EDITORS_CONFIG = REPO / "editors" / "neovim" / "lsp" / "backlog_ls.lua"  # a link to it
DRIVERS = Path(__file__).with_name("neovim")
TIMEOUT_S = 120  # the drivers' own waits end far sooner; this only stops a hung Neovim

# The lines of examples/BACKLOG.md the drivers act on, named by text they hold.
LINES = {
    "issue": "Issue #13",  # a ticked task whose issue is open: BL305, and the hover
    "tick": "- [ ] **Task 2.2 (#TBD)",  # ticked by the "Tick task" code action
    "toggle": "- [ ] **Task 4.2 (#TBD)",  # toggled by the backlog-ls.toggleTask command
    "heading": "## Phase 1: Foundations",  # its progress inlay hint is read (0.11)
}
SEVERITIES = {"error": "ERROR", "warning": "WARN", "information": "INFO", "info": "INFO", "hint": "HINT"}


def run_neovim(nvim: str, driver: str, workspace: Path, env: dict[str, str], tmp_path: Path, **variables: str) -> dict:
    """Runs ``driver`` in headless Neovim in ``workspace`` with `backlog-ls` on PATH being this checkout's
    server. Returns the driver's JSON result with "workspace" and "seconds" (the session's wall time), or
    {"failure": why} with everything that explains it."""
    result_file = tmp_path / f"{Path(driver).stem}-result.json"
    server_log = tmp_path / f"{Path(driver).stem}-server.log"
    env = dict(env)
    put_backlog_ls_on_path(env, tmp_path / f"{Path(driver).stem}-bin", server_log)
    env.update(
        BACKLOG_FILE=str(workspace / BACKLOG_NAME),
        BACKLOG_LS_LINES=json.dumps(LINES),
        RESULT_FILE=str(result_file),
        **variables,
    )
    started = time.monotonic()
    process = subprocess.run(
        [nvim, "--headless", "--clean", "-u", str(DRIVERS / driver)],
        cwd=workspace,
        env=env,
        capture_output=True,
        text=True,
        timeout=TIMEOUT_S,
        check=False,  # a failed run is explained below, with the logs
    )
    seconds = round(time.monotonic() - started, 2)
    result = json.loads(result_file.read_text(encoding="utf-8")) if result_file.exists() else {}
    if process.returncode != 0 or "error" in result or not result:
        log = Path(result.get("log_path") or Path(env["XDG_STATE_HOME"]) / "nvim" / "lsp.log")
        log_tail = log.read_text(encoding="utf-8", errors="replace")[-6000:] if log.exists() else "(no LSP log)"
        server_stderr = server_log.read_text(encoding="utf-8") if server_log.exists() else "(none)"
        return {
            "failure": f"Neovim exited {process.returncode} after {seconds} s\n"
            f"driver error: {result.get('error', '(no result file)')}\n"
            f"steps done: {result.get('steps')}\n"
            f"stdout: {process.stdout[-3000:]}\nstderr: {process.stderr}\n"
            f"LSP log ({log}), last part:\n{log_tail}\n--- backlog-ls stderr ---\n{server_stderr}"
        }
    print(f"{nvim} {driver}: {seconds} s; steps at ms: {result.get('timings')}", file=sys.stderr)
    return dict(result, workspace=str(workspace), seconds=seconds)


def session(cache: dict, run) -> dict:
    """One Neovim session serves every test of a module (each test reads one part of its result): the
    first test to ask runs it; a failure to run is reported by every test that needs it."""
    if not cache:
        cache.update(run())
    if "failure" in cache:
        pytest.fail(str(cache["failure"]), pytrace=False)
    return cache


def checked_diagnostics(workspace: Path, env: dict[str, str]) -> list[dict]:
    """What `backlog-ls check --format json` finds in the workspace's backlog, in the form Neovim's
    vim.diagnostic stores it (0-based lines, byte columns): what the editor must show."""
    completed = subprocess.run(
        [sys.executable, "-m", "backlog_ls", "check", "--format", "json", BACKLOG_NAME],
        cwd=workspace, env=env, capture_output=True, text=True, check=False, timeout=TIMEOUT_S,
    )
    assert completed.returncode in (0, 1), completed.stderr
    lines = (workspace / BACKLOG_NAME).read_text(encoding="utf-8").split("\n")

    def byte_column(line: int, column: int) -> int:  # check's columns are 1-based code points
        return len(lines[line - 1][: column - 1].encode("utf-8"))

    return [
        {
            "lnum": finding["line"] - 1,
            "col": byte_column(finding["line"], finding["column"]),
            "end_lnum": finding["end_line"] - 1,
            "end_col": byte_column(finding["end_line"], finding["end_column"]),
            "severity": SEVERITIES[finding["severity"]],
            "code": finding["code"],
            "source": "backlog-ls",
            "message": finding["message"],
        }
        for finding in json.loads(completed.stdout)
    ]


def sorted_diagnostics(diagnostics: list[dict]) -> list[dict]:
    return sorted(diagnostics, key=lambda d: (d["lnum"], d["col"], d["code"], d["message"]))


def line_index(workspace: Path, needle: str) -> int:
    """The 0-based number of the backlog's first line holding ``needle``."""
    lines = (workspace / BACKLOG_NAME).read_text(encoding="utf-8").split("\n")
    return next(number for number, line in enumerate(lines) if needle in line)
