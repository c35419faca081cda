"""``backlog-ls report``: progress per file and section in text, JSON and Markdown; --next; --since on a git repository."""

from __future__ import annotations

import json
import os
import shutil
import subprocess

import pytest

from .cli_support import write

PLAN = """\
# Plan

## Phase 1
- [x] Task 1.1: Lexer
- [ ] Task 1.2: Parser, after Task 1.1
  - [x] Tokens
  - [ ] Errors
- [~] Task 1.3: Printer
- [-] Dropped

## Phase 2
- [ ] Task 2.1: Release, after Task 1.2
- [ ] Task 2.2: Docs
"""


def test_text_lists_each_file_and_section_with_counts_and_a_bar(run, tmp_path):
    write(tmp_path, "BACKLOG.md", PLAN)
    code, out, err = run("report", "BACKLOG.md")
    assert (code, err) == (0, "")
    assert out == (
        "BACKLOG.md   2/7 · 29%  [######--------------]  done 2, open 4, in progress 1, cancelled 1\n"
        "  Plan       2/7 · 29%  [######--------------]\n"
        "    Phase 1  2/5 · 40%  [########------------]\n"
        "    Phase 2   0/2 · 0%  [--------------------]\n"
    )


def test_json_has_the_counts_of_every_file_and_section(run, tmp_path):
    write(tmp_path, "BACKLOG.md", PLAN)
    code, out, _ = run("report", "--format", "json", "BACKLOG.md")
    assert code == 0
    (document,) = json.loads(out)["files"]
    counts = ("done", "open", "in_progress", "cancelled", "total", "percent")
    assert {key: document[key] for key in counts} == {
        "done": 2, "open": 4, "in_progress": 1, "cancelled": 1, "total": 7, "percent": 29
    }
    assert [(s["title"], s["line"], s["level"], *(s[key] for key in counts)) for s in document["sections"]] == [
        ("Plan", 1, 1, 2, 4, 1, 1, 7, 29),
        ("Phase 1", 3, 2, 2, 2, 1, 1, 5, 40),
        ("Phase 2", 11, 2, 0, 2, 0, 0, 2, 0),
    ]
    assert "next" not in document and "since" not in document


def test_markdown_is_a_table_per_file_for_a_pull_request(run, tmp_path):
    write(tmp_path, "BACKLOG.md", PLAN.replace("## Phase 2", "## Phase 2 | later"))
    code, out, _ = run("report", "--format", "markdown", "BACKLOG.md")
    assert code == 0
    assert out == (
        "## Backlog progress\n\n"
        "### BACKLOG.md: 2/7 done (29%)\n\n"
        "| Section | Progress | Done | Open | In progress | Cancelled |\n"
        "| --- | --- | ---: | ---: | ---: | ---: |\n"
        "| Plan | `███░░░░░░░` 29% | 2 | 4 | 1 | 1 |\n"
        "| &emsp;Phase 1 | `████░░░░░░` 40% | 2 | 2 | 1 | 1 |\n"
        "| &emsp;Phase 2 \\| later | `░░░░░░░░░░` 0% | 0 | 2 | 0 | 0 |\n"
        "| **All** | `███░░░░░░░` 29% | 2 | 4 | 1 | 1 |\n\n"
    )


def test_next_lists_the_tasks_ready_to_start_in_file_order(run, tmp_path):
    write(tmp_path, "BACKLOG.md", PLAN)
    code, out, _ = run("report", "--next", "BACKLOG.md")
    assert code == 0
    assert out.split("\n")[4:] == [
        "  ready to start (4):",
        "    BACKLOG.md:5: Task 1.2: Parser, after Task 1.1  (Phase 1)",
        "    BACKLOG.md:7: Errors  (Phase 1)",
        "    BACKLOG.md:8: Task 1.3: Printer  (Phase 1)",
        "    BACKLOG.md:13: Task 2.2: Docs  (Phase 2)",
        "",
    ]
    _, out, _ = run("report", "--next", "--format", "json", "BACKLOG.md")
    assert [task["line"] for task in json.loads(out)["files"][0]["next"]] == [5, 7, 8, 13]
    _, out, _ = run("report", "--next", "--format", "markdown", "BACKLOG.md")
    assert "#### Ready to start (4)\n\n- Task 1.2: Parser, after Task 1.1 (line 5, Phase 1)\n" in out


def test_a_folder_reports_the_backlogs_check_would_check(run, tmp_path):
    write(tmp_path, "TODO.md", "# Todo\n- [x] a\n- [ ] b\n")
    write(tmp_path, "notes/README.md", "# Readme\nNo tasks here.\n")
    write(tmp_path, ".backlog-ls.toml", 'exclude = ["skipped/**"]\n')
    write(tmp_path, "skipped/TODO.md", "- [ ] hidden\n")
    code, out, _ = run("report", "--format", "json", ".")
    assert code == 0
    document = json.loads(out)
    assert [f["path"] for f in document["files"]] == ["TODO.md"]
    assert document["total"]["done"] == 1


def test_bad_input_is_a_clear_message(run, tmp_path):
    code, out, err = run("report", "missing.md")
    assert (code, out) == (2, "")
    assert "backlog-ls: error: missing.md: no such file or directory" in err
    write(tmp_path, "BACKLOG.md", PLAN)
    write(tmp_path, ".backlog-ls.toml", 'progress = "bogus"\n')
    code, _, err = run("report", "BACKLOG.md")
    assert code == 2 and "progress: must be one of inlay, lens, off, not 'bogus'" in err
    code, _, err = run("report", "--format", "yaml", "BACKLOG.md")
    assert code == 2 and "invalid choice: 'yaml'" in err


def test_an_unreadable_file_is_named_and_the_rest_reported(run, tmp_path):
    write(tmp_path, "TODO.md", "# T\n- [x] a\n")
    os.symlink(tmp_path / "nowhere.md", tmp_path / "BACKLOG.md")
    code, out, err = run("report", "--format", "json", "TODO.md", "BACKLOG.md")
    assert code in (1, 2)
    assert [f["path"] for f in json.loads(out)["files"]] == ["TODO.md"]
    assert "BACKLOG.md" in err


# --- --since: a temporary git repository -----------------------------------------------------------

needs_git = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")


def _git(folder, *arguments):
    environment = {
        **os.environ,
        "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.invalid",
        "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.invalid",
        "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_SYSTEM": os.devnull,
    }
    subprocess.run(["git", "-C", str(folder), *arguments], check=True, capture_output=True, env=environment)


@needs_git
def test_since_lists_what_was_ticked_added_and_removed(run, tmp_path):
    _git(tmp_path, "init", "-q", "-b", "main")
    write(tmp_path, "docs/BACKLOG.md", "# Sprint\n- [ ] Lexer\n- [ ] Parser\n- [x] Old done\n- [ ] Scrapped\n")
    _git(tmp_path, "add", ".")
    _git(tmp_path, "commit", "-q", "-m", "start")
    _git(tmp_path, "tag", "sprint-1")
    write(tmp_path, "docs/BACKLOG.md", "# Sprint\n- [x] Lexer\n- [ ] Parser\n- [x] Old done\n- [ ] Printer\n")
    write(tmp_path, "docs/TODO.md", "# New\n- [x] Fresh\n")

    code, out, err = run("report", "--since", "sprint-1", "docs")
    assert (code, err) == (0, "")
    lines = out.split("\n")
    assert "  since sprint-1: 1 ticked, 1 added, 1 removed" in lines
    assert "    docs/BACKLOG.md:2: ticked: Lexer" in lines
    assert "    docs/BACKLOG.md:5: added: Printer" in lines
    assert "    docs/BACKLOG.md:5: removed: Scrapped" in lines
    assert "    docs/TODO.md:2: added: Fresh" in lines  # a file new since then: everything in it is new

    _, out, _ = run("report", "--since", "sprint-1", "--format", "json", "docs/BACKLOG.md")
    document = json.loads(out)
    assert document["since"] == "sprint-1"
    assert document["files"][0]["since"] == {
        "ticked": [{"line": 2, "text": "Lexer", "state": "done"}],
        "unticked": [],
        "added": [{"line": 5, "text": "Printer", "state": "open"}],
        "removed": [{"line": 5, "text": "Scrapped", "state": "open"}],
    }
    _, out, _ = run("report", "--since", "sprint-1", "--format", "markdown", "docs/BACKLOG.md")
    assert "#### Since `sprint-1`: 1 ticked, 1 added, 1 removed\n\n- ✅ ticked: Lexer (line 2)\n" in out


@needs_git
def test_since_a_revision_that_is_not_there_is_a_usage_error(run, tmp_path):
    write(tmp_path, "BACKLOG.md", "- [ ] a\n")
    code, out, err = run("report", "--since", "main", "BACKLOG.md")
    assert (code, out) == (2, "")
    assert err == "backlog-ls: error: --since main: BACKLOG.md is not in a git repository\n"
    _git(tmp_path, "init", "-q", "-b", "main")
    _git(tmp_path, "add", ".")
    _git(tmp_path, "commit", "-q", "-m", "one")
    code, _, err = run("report", "--since", "nosuchrev", "BACKLOG.md")
    assert code == 2
    assert err == "backlog-ls: error: --since nosuchrev: no such revision in the repository of BACKLOG.md\n"
    code, _, err = run("report", "--since", "--output=x", "BACKLOG.md")
    assert code == 2
