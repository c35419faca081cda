"""backlog-ls in Vim 9 with ALE, end to end: the user snippet editors/vim/backlog-ls.vim loaded both
ways its comment offers, then ALE's location list and :ALEHover on the example backlog.

tests/editors/vim/drive-ale.vim does the editing in silent Ex mode and writes what it saw as JSON;
the assertions are here.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from ..example_issues import ISSUE_13_OPEN
from .conftest import (
    BACKLOG_NAME,
    line_of,
    put_backlog_ls_on_path,
    require_program,
    run_editor_driver,
)

REPO = Path(__file__).resolve().parents[2]
SNIPPET = REPO / "editors" / "vim" / "backlog-ls.vim"
DRIVER = Path(__file__).with_name("vim") / "drive-ale.vim"
# Generous: it only bounds a hung editor or server; a run takes about 1 s.
VIM_TIMEOUT = 120



def run_vim(workspace: Path, env: dict[str, str], tmp_path: Path, *, snippet_as: str) -> dict:
    """Open BACKLOG.md in Vim with ALE; returns the location list and hovers it recorded.

    snippet_as: "vimrc" sources the snippet; "ale_linters" puts it where ALE finds its own linters.
    """
    vim = require_program("vim")
    result_file = tmp_path / "ale-result.json"
    server_log = tmp_path / "server.log"
    put_backlog_ls_on_path(env, tmp_path / "bin", server_log)
    if snippet_as == "vimrc":
        env["BACKLOG_LS_SNIPPET"] = str(SNIPPET)
    else:
        linters = tmp_path / "vimfiles" / "ale_linters" / "markdown"
        linters.mkdir(parents=True)
        (linters / "backlog_ls.vim").symlink_to(SNIPPET)
        env["BACKLOG_LS_RUNTIME"] = str(tmp_path / "vimfiles")
    env["BACKLOG_LS_FILE"] = str(workspace / BACKLOG_NAME)
    return run_editor_driver(
        "Vim",
        [vim, "-Nu", str(DRIVER), "-i", "NONE", "-es"],
        cwd=workspace,
        env=env,
        result_file=result_file,
        server_log=server_log,
        timeout=VIM_TIMEOUT,
        notes="messages",  # Vim's :messages
    )


def describe(session: dict) -> str:
    """The whole location list and the server's log: what a failed assertion needs to be understood."""
    lines = [f"{i['lnum']}:{i['col']} {i['type']} {i['code']} {i['text']}" for i in session["loclist"]]
    return "ALE location list:\n" + "\n".join(lines) + "\nbacklog-ls stderr:\n" + session["server_log"]


@pytest.mark.parametrize("snippet_as", ["vimrc", "ale_linters"])
def test_location_list_holds_the_open_issue_warning_and_the_tbd_hints(
    backlog_workspace: Path, editor_env: dict[str, str], tmp_path: Path, snippet_as: str
) -> None:
    text = (backlog_workspace / BACKLOG_NAME).read_text(encoding="utf-8")
    line = line_of(text, "Issue #13")
    start = text.splitlines()[line - 1].index("Issue #13") + 1
    open_tbd_line = line_of(text, "- [ ] **Task 2.2 (#TBD)")
    tbd_lines = [number for number, line in enumerate(text.splitlines(), start=1) if "(#TBD)" in line]

    session = run_vim(backlog_workspace, editor_env, tmp_path, snippet_as=snippet_as)
    items = session["loclist"]

    assert [i for i in items if i["code"] == "BL305" and i["lnum"] == line] == [
        {
            "lnum": line,
            "col": start,
            "end_lnum": line,
            "end_col": start + len("Issue #13") - 1,  # ALE's end column is inclusive
            "type": "W",
            "code": "BL305",
            "text": f"Task is ticked but its issue #13 is still open: '{ISSUE_13_OPEN['title']}'.",
            "linter_name": "backlog_ls",
        }
    ], describe(session)
    tbd_hints = [i for i in items if i["code"] == "BL102"]
    assert open_tbd_line in tbd_lines
    assert sorted(i["lnum"] for i in tbd_hints) == tbd_lines, describe(session)
    on_open_task = next(i for i in tbd_hints if i["lnum"] == open_tbd_line)
    # ALE 3.3 shows hints as warnings: it has no type of its own for them yet.
    assert on_open_task["type"] == "W"
    assert on_open_task["text"].startswith("'#TBD' stands for an issue not filed yet"), describe(session)


def test_ale_hover_shows_the_issue_title_and_the_rfc_title(
    backlog_workspace: Path, editor_env: dict[str, str], tmp_path: Path
) -> None:
    session = run_vim(backlog_workspace, editor_env, tmp_path, snippet_as="vimrc")
    hovers = {hover["text"]: hover["hover"] for hover in session["hovers"]}
    explain = f"hovers: {hovers}\nbacklog-ls stderr:\n{session['server_log']}"

    assert ISSUE_13_OPEN["title"] in hovers["Issue #13"], explain
    assert "Open" in hovers["Issue #13"], explain
    assert "The CCSO Nameserver (Ph) Architecture" in hovers["RFC 2378"], explain
