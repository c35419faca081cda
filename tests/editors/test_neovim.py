"""backlog-ls in a real headless Neovim, configured by the file users get.

``neovim/e2e.lua`` loads ``editors/neovim/lsp/backlog_ls.lua`` (only the executable in its
``cmd`` is swapped for this checkout's server), opens the workspace's BACKLOG.md, and records what
Neovim holds after each step in a JSON file: its diagnostics, the hover text, the buffer's lines
after a code action and after the toggle command, the completion menu after '#'. The assertions
live here so that a failure prints a readable diff, with Neovim's output and LSP log beside it.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from .conftest import BACKLOG_NAME, require_program, server_command

REPO = Path(__file__).resolve().parents[2]
SHIPPED_CONFIG = REPO / "editors" / "neovim" / "lsp" / "backlog_ls.lua"
DRIVER = Path(__file__).with_name("neovim") / "e2e.lua"
TIMEOUT_S = 120  # the driver's own waits end far sooner; this only stops a hung Neovim


# One Neovim session serves every test here (each test reads one part of its result):
# the first test to ask runs it; a failure to run is reported by every test that needs it.
_SESSION: dict[str, object] = {}


@pytest.fixture
def neovim_run(shared_example_workspace: Path, editor_env: dict[str, str], tmp_path: Path) -> dict:
    """The driver's JSON result, with the workspace it ran in; or a failure showing why there is none."""
    if not _SESSION:
        _SESSION.update(_run_neovim(shared_example_workspace, editor_env, tmp_path))
    if "failure" in _SESSION:
        pytest.fail(str(_SESSION["failure"]), pytrace=False)
    return _SESSION


def _run_neovim(workspace: Path, env_base: dict[str, str], tmp_path: Path) -> dict:
    nvim = require_program("nvim")
    command = server_command()
    assert command[-1] == "serve", command  # the shipped cmd supplies "serve" itself
    result_file = tmp_path / "neovim-result.json"
    env = dict(
        env_base,
        BACKLOG_LS_CONFIG=str(SHIPPED_CONFIG),
        BACKLOG_LS_SERVER=json.dumps(command[:-1]),
        BACKLOG_FILE=str(workspace / BACKLOG_NAME),
        RESULT_FILE=str(result_file),
    )
    process = subprocess.run(
        [nvim, "--headless", "--clean", "-u", str(DRIVER)],
        cwd=workspace,
        env=env,
        capture_output=True,
        text=True,
        timeout=TIMEOUT_S,
        check=False,  # a failed run is explained below, with the LSP log
    )
    result = json.loads(result_file.read_text(encoding="utf-8")) if result_file.exists() else {}
    if process.returncode != 0 or "error" in result or not result:
        log = Path(env_base["XDG_CACHE_HOME"]) / "nvim" / "lsp.log"
        log_tail = log.read_text(encoding="utf-8", errors="replace")[-6000:] if log.exists() else "(no LSP log)"
        return {
            "failure": f"Neovim exited {process.returncode}\n"
            f"driver error: {result.get('error', '(no result file)')}\n"
            f"steps done: {result.get('steps')}\n"
            f"stdout: {process.stdout}\nstderr: {process.stderr}\n"
            f"LSP log ({log}), last part:\n{log_tail}"
        }
    return dict(result, workspace=str(workspace))


def test_the_shipped_config_starts_the_server_in_the_project_root(neovim_run: dict):
    assert neovim_run["config"] == {
        "cmd": ["backlog-ls", "serve"],
        "filetypes": ["markdown"],
        "root_markers": [".backlog-ls.toml", "pyproject.toml", ".git"],
    }
    client = neovim_run["client"]
    assert client["filetype"] == "markdown"
    assert client["root_dir"] == neovim_run["workspace"]  # found by its .backlog-ls.toml
    assert client["cmd"] == server_command()


def test_diagnostics_arrive_with_code_range_and_message(neovim_run: dict):
    assert neovim_run["issue_line_diagnostics"] == [
        {
            "lnum": 30,
            "col": 18,
            "end_lnum": 30,
            "end_col": 27,
            "severity": "WARN",
            "code": "BL305",
            "source": "backlog-ls",
            "message": "Task is ticked but its issue #13 is still open: 'File-level restart-survivable storage engine'.",
        }
    ]
    assert neovim_run["tick_line_diagnostics"] == [
        {
            "lnum": 91,
            "col": 19,
            "end_lnum": 91,
            "end_col": 23,
            "severity": "HINT",
            "code": "BL102",
            "source": "backlog-ls",
            "message": "'#TBD' stands for an issue not filed yet: file it and write its number here.",
        }
    ]


def test_hover_on_an_issue_reference_shows_its_title(neovim_run: dict):
    hover = neovim_run["hover"]
    assert hover["position"] == {"line": 30, "character": 25}  # on "#13" of "(Issue #13)"
    assert hover["text"].splitlines()[0] == "**Issue #13**: File-level restart-survivable storage engine"
    assert "**Open**" in hover["text"]


def test_completion_after_hash_offers_open_issue_with_title(neovim_run: dict):
    completion = neovim_run["completion"]
    assert completion["line"] == "- [ ] **Task 14.10 (#"
    by_label = {item["abbr"]: item for item in completion["items"]}
    assert "#40" in by_label, sorted(by_label)
    issue_40 = by_label["#40"]
    assert issue_40["menu"] == "Web dashboard for the health monitor"
    assert issue_40["info"] == "**Open**"
    # The backlog writes "(Issue #N)": accepting the entry completes the reference that way.
    assert completion["line_after_accepting_40"] == "- [ ] **Task 14.10 (Issue #40"


def test_tick_code_action_edits_the_buffer(neovim_run: dict):
    action = neovim_run["code_action"]
    assert "Tick task" in action["titles"]
    assert action["line_before"].startswith("- [ ] **Task 14.8 (#TBD):** ")
    assert action["line_after"] == "- [x]" + action["line_before"][len("- [ ]") :]
    # The server saw the edit: a finished task's placeholder is now a warning.
    [placeholder] = neovim_run["tick_line_diagnostics_after"]
    assert (placeholder["code"], placeholder["severity"], placeholder["lnum"]) == ("BL102", "WARN", 91)
    assert placeholder["message"].startswith("Finished task names a placeholder '#TBD' instead of its issue")


def test_toggle_command_applies_its_edit_to_the_buffer(neovim_run: dict):
    toggle = neovim_run["toggle_command"]
    assert toggle["line_before"].startswith("- [ ] **Task 14.9 (#TBD):** ")
    assert toggle["line_after"] == "- [x]" + toggle["line_before"][len("- [ ]") :]
