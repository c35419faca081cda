"""What every end-to-end test in a real editor needs: a backlog workspace, the server command,
and the editor itself.

The workspace is the repository's example backlog, examples/BACKLOG.md, with an exported issue
list, so hovers and completions have tracker data without any network (and nothing from ../shared). An editor that is not installed
fails the test with the command that installs it: these tests never skip silently
(``scripts/install-editors.sh`` installs them all; ``.ci/run`` runs it).
"""

from __future__ import annotations

import json
import os
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from ..conftest import ROOT, SHARED, require_shared
from ..example_issues import ISSUE_12_CLOSED, ISSUE_13_OPEN, ISSUE_40_OPEN

EXAMPLE = ROOT / "examples" / "BACKLOG.md"
BACKLOG_NAME = "BACKLOG.md"

ISSUES = [ISSUE_13_OPEN, ISSUE_12_CLOSED, ISSUE_40_OPEN]


def line_of(text: str, needle: str) -> int:
    """The 1-based number of the first line of the example holding ``needle``."""
    for number, line in enumerate(text.splitlines(), start=1):
        if needle in line:
            return number
    raise AssertionError(f"{needle!r} is not in {EXAMPLE}")


# Where the Emacs and Vim drivers hover (1-based lines of BACKLOG.md), and the codes they wait for.
HOVERS = [{"line": line_of(EXAMPLE.read_text(encoding="utf-8"), text), "text": text} for text in ("Issue #13", "RFC 2378")]
AWAITED_CODES = "BL305,BL102"

# What `scripts/install-editors.sh` installs, per program a test needs.
INSTALL_HINT = "run scripts/install-editors.sh (apt-get install -y neovim emacs-nox elpa-eglot vim vim-ale ...)"


def server_command() -> list[str]:
    """The command an editor runs to start backlog-ls: this interpreter's console script."""
    script = Path(sys.executable).with_name("backlog-ls")
    if script.exists():
        return [str(script), "serve"]
    return [sys.executable, "-m", "backlog_ls", "serve"]


def put_backlog_ls_on_path(env: dict[str, str], bin_dir: Path, log: Path) -> None:
    """Make `backlog-ls` on PATH start this checkout's server, as the shipped snippets expect,
    logging its stderr to ``log``.

    The stand-in also checks the snippet's arguments: anything but `serve` is a broken snippet.
    """
    bin_dir.mkdir()
    stand_in = bin_dir / "backlog-ls"
    stand_in.write_text(
        "#!/bin/sh\n"
        f'[ "$*" = serve ] || {{ echo "backlog-ls started with \'$*\', expected \'serve\'" >>{shlex.quote(str(log))}; exit 2; }}\n'
        f"exec {shlex.join(server_command())} 2>>{shlex.quote(str(log))}\n",
        encoding="utf-8",
    )
    stand_in.chmod(0o755)
    env["PATH"] = f"{bin_dir}{os.pathsep}{env.get('PATH', '')}"


def run_editor_driver(
    editor: str, argv: list[str], *, cwd: Path, env: dict[str, str], result_file: Path, server_log: Path,
    timeout: float, notes: str,
) -> dict:
    """Run an editor on a driver script that writes its JSON ``result_file``; the result, with the
    server's log under "server_log". A failed run fails the test showing the editor's output, the
    driver's error, its ``notes`` entry (what the editor logged) and the server's log."""
    env.update(
        BACKLOG_LS_CODES=AWAITED_CODES,
        BACKLOG_LS_HOVERS=json.dumps(HOVERS),
        BACKLOG_LS_RESULT=str(result_file),
    )
    completed = subprocess.run(argv, cwd=cwd, env=env, capture_output=True, check=False, text=True, timeout=timeout)
    result = json.loads(result_file.read_text(encoding="utf-8")) if result_file.exists() else {}
    server_stderr = server_log.read_text(encoding="utf-8") if server_log.exists() else ""
    if completed.returncode != 0 or "error" in result:
        pytest.fail(
            f"{editor} exited with {completed.returncode}: {result.get('error', '(no result file)')}\n"
            f"--- {editor} output ---\n{completed.stdout}{completed.stderr}\n"
            f"--- {notes} ---\n{result.get(notes) or '(none)'}\n"
            f"--- backlog-ls stderr ---\n{server_stderr or '(none)'}",
            pytrace=False,
        )
    result["server_log"] = server_stderr
    return result


def require_program(name: str) -> str:
    """The path of ``name``; fails the test (never skips) when it is not installed."""
    path = shutil.which(name)
    if path is None:
        pytest.fail(f"{name} is not installed: {INSTALL_HINT}", pytrace=False)
    return path


def _workspace(tmp_path: Path, backlog: Path) -> Path:
    """A folder holding ``backlog`` as BACKLOG.md, issues.json and a .backlog-ls.toml reading it."""
    workspace = tmp_path / "project"
    workspace.mkdir()
    shutil.copyfile(backlog, workspace / BACKLOG_NAME)  # not copy(): ../shared's files are read-only
    (workspace / "issues.json").write_text(json.dumps(ISSUES), encoding="utf-8")
    (workspace / ".backlog-ls.toml").write_text('[issues]\nprovider = "json"\nfile = "issues.json"\n', encoding="utf-8")
    return workspace


@pytest.fixture
def backlog_workspace(tmp_path: Path) -> Path:
    """The workspace of examples/BACKLOG.md."""
    return _workspace(tmp_path, EXAMPLE)


@pytest.fixture
def shared_example_workspace(tmp_path: Path) -> Path:
    """The workspace of ../shared's example 000, for the Neovim test until it moves to
    examples/BACKLOG.md (issue 18, section 1); skipped without ../shared, like every test reading it."""
    return _workspace(tmp_path, require_shared(SHARED / "examples" / "000_d75c51bba9a042cf.txt"))


@pytest.fixture
def editor_env(tmp_path: Path) -> dict[str, str]:
    """An environment for an editor process: its own HOME and caches, no tokens, no user config."""
    home = tmp_path / "home"
    home.mkdir()
    env = {key: value for key, value in os.environ.items() if "TOKEN" not in key}
    env.update(
        HOME=str(home),
        XDG_CONFIG_HOME=str(home / ".config"),
        XDG_CACHE_HOME=str(home / ".cache"),
        XDG_DATA_HOME=str(home / ".local" / "share"),
        XDG_STATE_HOME=str(home / ".local" / "state"),
    )
    return env
