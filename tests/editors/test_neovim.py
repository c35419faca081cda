"""backlog-ls in a real headless Neovim 0.7 (Debian 12's 0.7.2), configured by the file users get.

0.7 has no vim.lsp.config / vim.lsp.enable: ``neovim/e2e.lua`` dofile()s the shipped
``lsp/backlog_ls.lua`` and starts its cmd on its filetypes and root markers as the README's 0.7
snippet does, with `backlog-ls` on PATH being this checkout's server. It opens the example backlog and
records what Neovim holds after each step: its diagnostics, the hover text, the buffer after a code
action and after the toggle command, and after completing '#' both as completion plugins do and with
0.7's own omnifunc typed in insert mode. test_neovim_011.py does the same in Neovim 0.11.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from ..example_issues import ISSUE_13_OPEN, ISSUE_40_OPEN
from .conftest import require_program
from .neovim_support import EDITORS_CONFIG, LINES, checked_diagnostics, line_index, run_neovim, session, sorted_diagnostics

_SESSION: dict[str, object] = {}


@pytest.fixture
def neovim_run(backlog_workspace: Path, editor_env: dict[str, str], tmp_path: Path) -> dict:
    """The driver's JSON result, with the workspace it ran in; or a failure showing why there is none."""
    nvim = require_program("nvim")
    return session(
        _SESSION,
        lambda: run_neovim(nvim, "e2e.lua", backlog_workspace, editor_env, tmp_path, BACKLOG_LS_CONFIG=str(EDITORS_CONFIG)),
    )


def test_it_is_neovim_07_starting_the_shipped_config_in_the_project_root(neovim_run: dict):
    assert neovim_run["client"]["version"].startswith("0.7.")
    assert neovim_run["config"] == {
        "cmd": ["backlog-ls", "serve"],
        "filetypes": ["markdown"],
        "root_markers": [".backlog-ls.toml", "pyproject.toml", ".git"],
    }
    client = neovim_run["client"]
    assert client["filetype"] == "markdown"
    assert client["root_dir"] == neovim_run["workspace"]  # found by its .backlog-ls.toml
    assert client["cmd"] == ["backlog-ls", "serve"]


def test_the_diagnostics_are_what_check_finds_with_their_ranges(neovim_run: dict, editor_env: dict[str, str]):
    expected = checked_diagnostics(Path(neovim_run["workspace"]), editor_env)
    assert {d["code"] for d in expected} >= {"BL305", "BL102", "BL201", "BL307"}  # tracker findings among them
    assert sorted_diagnostics(neovim_run["diagnostics"]) == sorted_diagnostics(expected)


def test_hover_on_an_issue_reference_shows_its_title(neovim_run: dict):
    hover = neovim_run["hover"]
    assert hover["position"]["line"] == line_index(Path(neovim_run["workspace"]), LINES["issue"])
    assert hover["text"].splitlines()[0] == f"**Issue #13**: {ISSUE_13_OPEN['title']}"
    assert "**Open**" in hover["text"]


def test_tick_code_action_edits_the_buffer(neovim_run: dict):
    action = neovim_run["code_action"]
    assert "Tick task" in action["titles"]
    assert action["line_before"].startswith(LINES["tick"])
    assert action["line_after"] == "- [x]" + action["line_before"][len("- [ ]") :]
    # The server saw the edit: a finished task's placeholder is now a warning.
    [placeholder] = action["diagnostics_after"]
    assert (placeholder["code"], placeholder["severity"], placeholder["lnum"]) == ("BL102", "WARN", action["lnum"])
    assert placeholder["message"].startswith("Finished task names a placeholder '#TBD' instead of its issue")


def test_toggle_command_applies_its_edit_to_the_buffer(neovim_run: dict):
    toggle = neovim_run["toggle_command"]
    assert toggle["line_before"].startswith(LINES["toggle"])
    assert toggle["line_after"] == "- [x]" + toggle["line_before"][len("- [ ]") :]


def test_completion_plugins_write_the_files_form(neovim_run: dict):
    # The backlog writes "(Issue #N)": the item's edits (nvim-cmp, blink.cmp apply both) complete it so.
    assert neovim_run["completions"]["plugin"]["line_after_accepting_40"] == "- [ ] **Task 4.3 (Issue #40"


def test_the_omnifunc_menu_offers_open_issues_with_titles(neovim_run: dict):
    menu = neovim_run["completions"]["bare hash"]["menu"]
    by_label = {item["abbr"]: item for item in menu}
    assert (by_label["#40"]["menu"], by_label["#40"]["info"]) == (ISSUE_40_OPEN["title"], "**Open**")
    assert [item["abbr"] for item in menu[:3]] == ["#40", "#13", "#12"]  # open ones first, newest first


def test_the_omnifunc_after_a_bare_hash_writes_a_plain_reference(neovim_run: dict):
    """0.7's omnifunc inserts the entry's word after the typed '#' and applies nothing else: "#40", a
    valid reference, though not the file's "Issue #40" (it used to give "#Issue #40")."""
    typed = neovim_run["completions"]["bare hash"]
    assert typed["line_after_typing_on"] == "- [ ] **Task 4.4 (#40):** Done."


def test_the_omnifunc_after_issue_hash_writes_the_number(neovim_run: dict):
    typed = neovim_run["completions"]["after Issue"]
    assert typed["line_after_typing_on"] == "- [ ] **Task 4.5 (Issue #40):** Done."
