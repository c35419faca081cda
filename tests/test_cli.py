"""`backlog-ls check`, `serve` and `--version` as a user runs them: exact output lines and exit codes."""

from __future__ import annotations

import json
import os
import random
import shutil
import subprocess
import sys
import types
from pathlib import Path

import pytest

import backlog_ls
from backlog_ls.providers import project_files as files

from .cli_support import finding_paths, write
from .conftest import SHARED

MALFORMED = "- [ x] a\n"
MALFORMED_LINE = "f.md:1:3: error BL201 '[ x]' is not a checkbox: write '[x]'."
CLEAN = "# Phase 1\n\n- [ ] plan\n- [x] build\n"


# --- text output and exit codes -----------------------------------------------------------------


def test_malformed_task_is_one_line_on_stdout_and_exit_1(run, tmp_path):
    write(tmp_path, "f.md", MALFORMED)

    code, out, err = run("check", "f.md")

    assert code == 1
    assert out.splitlines() == [MALFORMED_LINE]
    assert err.splitlines() == ["Found 1 finding (1 fixable) in 1 file."]


def test_clean_file_prints_nothing_on_stdout_and_exits_0(run, tmp_path):
    write(tmp_path, "f.md", CLEAN)

    code, out, err = run("check", "f.md")

    assert (code, out) == (0, "")
    assert err.splitlines() == ["No findings in 1 file."]


def test_findings_of_several_files_and_the_summary_counts_them(run, tmp_path):
    write(tmp_path, "f.md", MALFORMED + "-[ ] glued\n")
    write(tmp_path, "g.md", CLEAN)
    write(tmp_path, "h.md", "- [] empty\n")

    code, out, err = run("check", "f.md", "g.md", "h.md")

    assert code == 1
    assert out.splitlines() == [
        MALFORMED_LINE,
        "f.md:2:1: error BL201 '-[ ]' is not a task: a space must follow the list marker.",
        "h.md:1:3: error BL201 An empty checkbox: write '[ ]'.",
    ]
    assert err.splitlines() == ["Found 3 findings (3 fixable) in 2 of 3 files."]


def test_a_leading_bom_is_not_a_column(run, tmp_path):
    write(tmp_path, "f.md", b"\xef\xbb\xbf" + MALFORMED.encode())

    code, out, _ = run("check", "f.md")

    assert (code, out.splitlines()) == (1, [MALFORMED_LINE])


def test_crlf_line_endings_keep_line_numbers(run, tmp_path):
    write(tmp_path, "f.md", "# Phase 1\r\n\r\n- [ x] a\r\n")

    _, out, _ = run("check", "f.md")

    assert out.splitlines() == ["f.md:3:3: error BL201 '[ x]' is not a checkbox: write '[x]'."]


def test_explicit_files_are_checked_whatever_their_extension(run, tmp_path):
    write(tmp_path, "backlog.txt", MALFORMED)
    write(tmp_path, "TODO", MALFORMED)

    code, out, _ = run("check", "backlog.txt", "TODO")

    assert code == 1
    assert finding_paths(out) == ["backlog.txt", "TODO"]


def test_a_file_named_twice_is_checked_once(run, tmp_path):
    write(tmp_path, "f.md", MALFORMED)

    _, out, _ = run("check", "f.md", ".", "./f.md")

    assert out.splitlines() == [MALFORMED_LINE]


def test_non_ascii_path_and_message(run, tmp_path):
    write(tmp_path, "tâches.md", "- [ x] réviser 😀\n")

    code, out, _ = run("check", "tâches.md")

    assert (code, out.splitlines()) == (1, ["tâches.md:1:3: error BL201 '[ x]' is not a checkbox: write '[x]'."])


# --- json ---------------------------------------------------------------------------------------


def test_json_lists_every_finding_with_one_based_positions(run, tmp_path):
    write(tmp_path, "f.md", "# Tasks\n\n" + MALFORMED)

    code, out, err = run("check", "--format", "json", "f.md")

    assert code == 1
    assert err == ""  # the summary is for people; json consumers read stdout only
    assert json.loads(out) == [
        {
            "path": "f.md",
            "line": 3,
            "column": 3,
            "end_line": 3,
            "end_column": 7,
            "rule": "malformed-task",
            "code": "BL201",
            "severity": "error",
            "message": "'[ x]' is not a checkbox: write '[x]'.",
            "fixable": True,
            "related": [],
        }
    ]


def test_json_of_a_clean_run_is_an_empty_list(run, tmp_path):
    write(tmp_path, "f.md", CLEAN)

    code, out, _ = run("check", "--format=json", "f.md")

    assert (code, json.loads(out)) == (0, [])


# --- errors: exit code 2, one line each, the other files still checked ---------------------------


def test_missing_file_is_an_error_and_the_rest_is_still_checked(run, tmp_path):
    write(tmp_path, "f.md", MALFORMED)

    code, out, err = run("check", "nope.md", "f.md")

    assert code == 2
    assert out.splitlines() == [MALFORMED_LINE]
    assert err.splitlines()[0] == "backlog-ls: error: nope.md: no such file or directory"


def test_dangling_symlink_is_reported_like_a_missing_file(run, tmp_path):
    (tmp_path / "link.md").symlink_to(tmp_path / "gone.md")

    code, out, err = run("check", "link.md")

    assert (code, out) == (2, "")
    assert err.splitlines() == ["backlog-ls: error: link.md: no such file or directory"]


def test_a_legacy_encoded_file_is_checked_and_reported_not_utf8(run, tmp_path):
    # Once refused ("not UTF-8", exit 2): now read as Windows-1252 and reported (issue 12 §4).
    write(tmp_path, "bad.md", b"\xef\xbb\xbf- [ ] caf\xe9\n")
    write(tmp_path, "f.md", MALFORMED)

    code, out, err = run("check", "bad.md", "f.md")

    assert code == 1
    assert out.splitlines() == [
        "bad.md:1:1: warning BL502 This file is windows-1252, GitHub expects UTF-8: its non-ASCII characters show garbled there.",
        MALFORMED_LINE,
    ]
    assert "error" not in err


@pytest.mark.skipif(hasattr(os, "geteuid") and os.geteuid() == 0, reason="root reads any file")
def test_unreadable_file(run, tmp_path):
    secret = write(tmp_path, "secret.md", MALFORMED)
    secret.chmod(0)

    code, _, err = run("check", "secret.md")

    # Not a usage error (exit 2): the run fails like one with findings, and JSON and SARIF list it.
    assert code == 1
    assert err.splitlines() == ["backlog-ls: error: secret.md: permission denied"]


def test_an_internal_error_names_the_file_without_a_traceback(run, tmp_path, monkeypatch):
    write(tmp_path, "f.md", MALFORMED)
    write(tmp_path, "g.md", MALFORMED)
    real_check = backlog_ls.rules.check

    def check_failing_on_g(backlog, *args, **kwargs):
        if backlog.lines[0] == "- [ x] a" and not getattr(check_failing_on_g, "failed", False):
            check_failing_on_g.failed = True
            raise RuntimeError("boom\nsecond line")
        return real_check(backlog, *args, **kwargs)

    monkeypatch.setattr(backlog_ls.rules, "check", check_failing_on_g)

    code, out, err = run("check", "g.md", "f.md")

    assert code == 2
    assert out.splitlines() == [MALFORMED_LINE]
    assert err.splitlines()[0] == "backlog-ls: error: g.md: internal error: RuntimeError: boom"
    assert "Traceback" not in err


def test_nul_bytes_still_parse(run, tmp_path):
    write(tmp_path, "f.md", "\x00\x00\n- [ x] a\x00b\n- [ ] \x00\n")

    code, out, err = run("check", "f.md")

    assert code == 1
    assert out.splitlines() == ["f.md:2:3: error BL201 '[ x]' is not a checkbox: write '[x]'."]
    assert "Traceback" not in err


@pytest.mark.parametrize("seed", range(5))
def test_random_binary_that_is_valid_utf8_does_not_crash(run, tmp_path, seed):
    noise = random.Random(seed).randbytes(4096).decode("utf-8", "ignore").encode("utf-8")
    write(tmp_path, "noise.md", noise + b"\n- [ x] a\n" + noise)

    code, _, err = run("check", "noise.md")

    assert code in (0, 1)
    assert "error:" not in err


# --- folders ------------------------------------------------------------------------------------

needs_git = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")


def make_git_repo(root: Path) -> None:
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    write(root, ".gitignore", "ignored/\n*.draft.md\n")
    for relative in (
        "a.md",
        "notes.markdown",
        "sub/deep/b.MD",
        "ignored/c.md",
        "x.draft.md",
        "readme.txt",
        "ignored/forced.md",
    ):
        write(root, relative, MALFORMED)
    # A tracked file counts even where .gitignore would ignore it, as git sees it.
    subprocess.run(["git", "-C", str(root), "add", "-f", "ignored/forced.md"], check=True)


@needs_git
def test_folder_in_a_git_repo_skips_what_gitignore_ignores(run, tmp_path):
    make_git_repo(tmp_path / "repo")

    code, out, err = run("check", "repo")

    assert code == 1
    assert finding_paths(out) == ["repo/a.md", "repo/ignored/forced.md", "repo/notes.markdown", "repo/sub/deep/b.MD"]
    assert err.splitlines() == ["Found 4 findings (4 fixable) in 4 files."]


@needs_git
def test_dot_inside_a_git_repo_gives_paths_relative_to_it(run, tmp_path):
    make_git_repo(tmp_path)

    _, out, _ = run("check")  # no PATH means "."

    assert finding_paths(out) == ["a.md", "ignored/forced.md", "notes.markdown", "sub/deep/b.MD"]


@needs_git
def test_an_ignored_folder_named_explicitly_is_checked(run, tmp_path):
    make_git_repo(tmp_path)

    _, out, _ = run("check", "ignored")

    assert finding_paths(out) == ["ignored/c.md", "ignored/forced.md"]


@needs_git
def test_a_repository_of_many_files_asks_git_for_its_remote_once(run, tmp_path, monkeypatch):
    make_git_repo(tmp_path / "repo")
    subprocess.run(["git", "-C", str(tmp_path / "repo"), "remote", "add", "origin", "https://github.com/octo/repo.git"], check=True)
    calls = tmp_path / "git-calls.txt"
    spy = write(tmp_path, "spy/git", f'#!/bin/sh\necho "$*" >> {calls}\nexec {shutil.which("git")} "$@"\n')
    spy.chmod(0o755)
    monkeypatch.setenv("PATH", f"{spy.parent}{os.pathsep}{os.environ['PATH']}")

    code, out, _ = run("check", "--offline", "repo")

    assert (code, len(finding_paths(out))) == (1, 4)
    asked = [call for call in calls.read_text().splitlines() if call.endswith(" remote get-url origin")]
    assert asked == [f"-C {tmp_path / 'repo'} remote get-url origin"]


def test_folder_without_git_honours_gitignore_files(run, tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", "")  # git cannot be found: the walk takes over
    write(tmp_path, ".gitignore", "# comment\nbuild/\n*.draft.md\n!keep.draft.md\n/rootonly.md\n")
    write(tmp_path, "sub/.gitignore", "local.md\n")
    for relative in (
        "a.md",
        "keep.draft.md",
        "sub/rootonly.md",
        "sub/b.markdown",
        "skip.draft.md",
        "rootonly.md",
        "build/c.md",
        "sub/local.md",
        "node_modules/pkg/d.md",
        ".venv/e.md",
        ".hidden/f.md",
        "notes.txt",
    ):
        write(tmp_path, relative, MALFORMED)

    code, out, _ = run("check", ".")

    assert code == 1
    assert finding_paths(out) == ["a.md", "keep.draft.md", "sub/b.markdown", "sub/rootonly.md"]


def test_folder_without_backlogs_warns_and_exits_0(run, tmp_path):
    write(tmp_path, "empty/notes.txt", MALFORMED)
    write(tmp_path, "empty/README.md", "# Read me\n\nNo tasks here.\n")

    code, out, err = run("check", "empty")

    assert (code, out) == (0, "")
    assert err.splitlines() == ["backlog-ls: warning: no backlog files found in empty"]


@pytest.mark.parametrize(
    ("line", "path", "is_folder", "ignored"),
    [
        ("*.log", "deep/x.log", False, True),
        ("/top.md", "deep/top.md", False, False),
        ("docs/*.md", "docs/a.md", False, True),
        ("**/gen", "a/gen", True, True),
        ("**/gen", "gen", True, True),
        ("out/", "out", False, False),
        ("\\#hash.md", "#hash.md", False, True),
    ],
)
def test_gitignore_patterns(line, path, is_folder, ignored):
    pattern = files.IgnorePattern.parse(line, "")
    assert files.is_ignored([pattern], path, is_folder) is ignored


# --- other commands -----------------------------------------------------------------------------


def test_version(run):
    code, out, _ = run("--version")

    assert (code, out) == (0, f"backlog-ls {backlog_ls.__version__}\n")
    assert backlog_ls.__version__ == "0.1.0"


def test_usage_errors_exit_2(run):
    assert run("check", "--format", "xml")[0] == 2
    assert run("frobnicate")[0] == 2
    code, _, err = run()
    assert code == 2 and "usage: backlog-ls" in err


def test_serve_passes_tcp_to_the_server(run, monkeypatch):
    calls = []
    fake_server = types.ModuleType("backlog_ls.server")
    # The server's exit code is the command's: 0 after shutdown, 1 for exit without it.
    fake_server.start = lambda tcp=None: calls.append(tcp) or len(calls) - 1
    monkeypatch.setitem(sys.modules, "backlog_ls.server", fake_server)
    monkeypatch.setattr(backlog_ls, "server", fake_server, raising=False)

    assert run("serve", "--tcp", "127.0.0.1:2087")[0] == 0
    assert run("serve", "--stdio")[0] == 1
    assert calls == ["127.0.0.1:2087", None]


def test_serve_rejects_a_malformed_address(run):
    code, _, err = run("serve", "--tcp", "2087")

    assert code == 2
    assert "expected HOST:PORT" in err


# --- as a real process --------------------------------------------------------------------------


def run_process(*argv: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, *argv], cwd=cwd, capture_output=True, text=True, encoding="utf-8", timeout=300
    )


def test_python_dash_m_check(tmp_path):
    write(tmp_path, "f.md", MALFORMED)

    done = run_process("-m", "backlog_ls", "check", "f.md", "missing.md", cwd=tmp_path)

    assert done.returncode == 2
    assert done.stdout.splitlines() == [MALFORMED_LINE]
    assert done.stderr.splitlines() == [
        "backlog-ls: error: missing.md: no such file or directory",
        "Found 1 finding (1 fixable) in 1 file.",
    ]


def test_check_does_not_load_the_language_server(tmp_path):
    write(tmp_path, "f.md", CLEAN)
    script = (
        "import sys\n"
        "from backlog_ls.cli import main\n"
        "main(['check', 'f.md'])\n"
        "print(sorted(m for m in sys.modules if m.startswith(('pygls', 'lsprotocol', 'backlog_ls.server'))))\n"
    )

    done = run_process("-c", script, cwd=tmp_path)

    assert done.stdout.splitlines() == ["[]"]


@pytest.mark.shared("corpus", "examples")
def test_every_shared_backlog_checks_without_a_crash():
    folders = [SHARED / "corpus", SHARED / "examples"]
    every_file = sorted(str(path) for folder in folders for path in folder.iterdir() if path.is_file())

    done = run_process("-m", "backlog_ls", "check", *every_file, cwd=SHARED)

    assert done.returncode in (0, 1), done.stderr
    assert "Traceback" not in done.stderr
    assert "error:" not in done.stderr


REPEATED = "# Tasks\n\n- [x] T1 Port it\n- [x] T2 Ship\n\n## Again\n\n- [ ] T1 Port it\n- [ ] T2 Ship\n"


def test_one_finding_per_cause_shows_its_related_lines_in_every_format(run, tmp_path):
    write(tmp_path, "f.md", REPEATED)

    _, text, _ = run("check", "--select", "BL104", "f.md")
    _, as_json, _ = run("check", "--select", "BL104", "--format", "json", "f.md")
    _, as_sarif, _ = run("check", "--select", "BL104", "--format", "sarif", "f.md")

    assert text.splitlines() == [
        "f.md:8:7: warning BL104 T1 is done on line 3 but open here. "
        "1 more repeated task here disagrees with its first listing. (also lines 9, 3, 4)"
    ]
    assert json.loads(as_json)[0]["related"][0] == {
        "line": 9,
        "column": 7,
        "end_line": 9,
        "end_column": 9,
        "message": "T2 is done on line 4 but open here.",
    }
    (result,) = json.loads(as_sarif)["runs"][0]["results"]
    assert [(r["physicalLocation"]["region"]["startLine"], r["message"]["text"]) for r in result["relatedLocations"]] == [
        (9, "T2 is done on line 4 but open here."),
        (3, "First listed here (T1)."),
        (4, "First listed here (T2)."),
    ]
