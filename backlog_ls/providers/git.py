"""Running git: the one way backlog-ls starts it.

Every caller (the file listing of ``project_files``, the history of ``git_history``, the
remote of ``trackers.git_remote``) runs git with fixed arguments, no shell, no input and a
time limit, and gets either git's answer or ``GitUnavailable`` with a reason for the user:
git missing, hung or unable to start is a normal state of a machine, not a crash.
A workspace the editor does not trust never gets here: its own git configuration can run
programs (``core.fsmonitor``), so its callers read files instead.
"""

from __future__ import annotations

import os
import subprocess


class GitUnavailable(Exception):
    """git did not answer: not installed, hung past its time limit, or could not start."""


def run_git(folder: str, *arguments: str, timeout: float) -> subprocess.CompletedProcess[bytes]:
    """``git -C folder ARGUMENTS`` with its output captured as bytes. Raises GitUnavailable."""
    try:
        return subprocess.run(
            ["git", "-C", folder, *arguments],
            stdin=subprocess.DEVNULL,
            capture_output=True,
            timeout=timeout,
            check=False,
        )
    except FileNotFoundError:
        raise GitUnavailable("git is not installed") from None
    except subprocess.TimeoutExpired:
        raise GitUnavailable(f"git did not answer within {timeout:g} s") from None
    except (OSError, subprocess.SubprocessError) as error:
        raise GitUnavailable(f"git cannot run: {error}") from None


def git_text(output: bytes) -> str:
    """git's output as text, whatever the locale wrote it in."""
    return os.fsdecode(output).strip()
