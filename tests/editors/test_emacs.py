"""backlog-ls in Emacs 28 with eglot, end to end: the user snippet editors/emacs/backlog-ls.el loaded
as a user would, then flymake's diagnostics and eglot's hovers on the example backlog.

tests/editors/emacs/drive-eglot.el does the editing in batch Emacs and writes what it saw as JSON;
the assertions are here. The lsp-mode half of the snippet is not exercised: lsp-mode is not
packaged for Debian 12, so it cannot be installed here.
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
SNIPPET = REPO / "editors" / "emacs" / "backlog-ls.el"
DRIVER = Path(__file__).with_name("emacs") / "drive-eglot.el"
# Generous: it only bounds a hung editor; a run takes about 2 s.
EMACS_TIMEOUT = 120



@pytest.fixture
def eglot_session(backlog_workspace: Path, editor_env: dict[str, str], tmp_path: Path) -> dict:
    """Open BACKLOG.md in batch Emacs with eglot; returns the diagnostics and hovers it recorded."""
    emacs = require_program("emacs")
    result_file = tmp_path / "eglot-result.json"
    server_log = tmp_path / "server.log"
    put_backlog_ls_on_path(editor_env, tmp_path / "bin", server_log)
    editor_env.update(BACKLOG_LS_SNIPPET=str(SNIPPET), BACKLOG_LS_FILE=str(backlog_workspace / BACKLOG_NAME))
    # -q, not -Q: -Q also skips Debian's site-start, which puts the elpa-eglot package on the load-path.
    return run_editor_driver(
        "Emacs",
        [emacs, "--batch", "-q", "-l", str(DRIVER)],
        cwd=backlog_workspace,
        env=editor_env,
        result_file=result_file,
        server_log=server_log,
        timeout=EMACS_TIMEOUT,
        notes="events",  # the tail of eglot's events buffer
    )


def diagnostics_with_code(session: dict, code: str) -> list[dict]:
    return [diagnostic for diagnostic in session["diagnostics"] if f"[{code}]" in diagnostic["text"]]


def describe(session: dict) -> str:
    """Everything flymake held and the server's log: what a failed assertion needs to be understood."""
    lines = [f"{d['line']}:{d['column']} {d['type']} {d['text']}" for d in session["diagnostics"]]
    return "flymake diagnostics:\n" + "\n".join(lines) + "\nbacklog-ls stderr:\n" + session["server_log"]


def test_ticked_task_with_open_issue_is_a_flymake_warning(eglot_session: dict, backlog_workspace: Path) -> None:
    text = (backlog_workspace / BACKLOG_NAME).read_text(encoding="utf-8")
    line = line_of(text, "Issue #13")
    start = text.splitlines()[line - 1].index("Issue #13") + 1

    found = [d for d in diagnostics_with_code(eglot_session, "BL305") if d["line"] == line]

    assert found == [
        {
            "line": line,
            "column": start,
            "end_line": line,
            "end_column": start + len("Issue #13"),
            "type": "eglot-warning",
            "text": f"backlog-ls [BL305]: Task is ticked but its issue #13 is still open: '{ISSUE_13_OPEN['title']}'.",
        }
    ], describe(eglot_session)


def test_every_tbd_reference_is_a_flymake_note(eglot_session: dict, backlog_workspace: Path) -> None:
    text = (backlog_workspace / BACKLOG_NAME).read_text(encoding="utf-8")
    tbd_lines = [number for number, line in enumerate(text.splitlines(), start=1) if "(#TBD)" in line]

    open_tbd_line = line_of(text, "- [ ] **Task 2.2 (#TBD)")

    found = diagnostics_with_code(eglot_session, "BL102")

    assert open_tbd_line in tbd_lines
    assert sorted(d["line"] for d in found) == tbd_lines, describe(eglot_session)
    on_open_task = next(d for d in found if d["line"] == open_tbd_line)
    assert on_open_task["type"] == "eglot-note"
    assert on_open_task["text"].startswith("backlog-ls [BL102]: '#TBD' stands for an issue not filed yet"), describe(eglot_session)


def test_hovers_show_the_issue_title_and_the_rfc_title(eglot_session: dict) -> None:
    hovers = {hover["text"]: hover["hover"] or "" for hover in eglot_session["hovers"]}
    explain = f"hovers: {hovers}\nbacklog-ls stderr:\n{eglot_session['server_log']}"

    assert ISSUE_13_OPEN["title"] in hovers["Issue #13"], explain
    assert "Open" in hovers["Issue #13"], explain
    assert "The CCSO Nameserver (Ph) Architecture" in hovers["RFC 2378"], explain
