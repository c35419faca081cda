"""A file's text at an earlier git revision, for ``backlog-ls report --since REV``.

The one place that asks git for history: ``git rev-parse`` to check the revision once,
``git show REV:./name`` for each file (``./`` makes the path relative to the file's own
folder, wherever the repository's root is). git runs with fixed arguments, no shell, no
input and a time limit; a revision that looks like an option is refused before git sees it.
"""

from __future__ import annotations

import os
import subprocess

from .git import GitUnavailable, run_git

_GIT_SECONDS = 30.0


class GitHistoryError(Exception):
    """git cannot answer: not installed, not a repository, or no such revision. The message is for the user."""


def _git(folder: str, *arguments: str) -> subprocess.CompletedProcess[bytes]:
    try:
        return run_git(folder, *arguments, timeout=_GIT_SECONDS)
    except GitUnavailable as problem:
        detail = f"{problem} (--since reads history through git)" if "not installed" in str(problem) else str(problem)
        raise GitHistoryError(detail) from None


def _folder(path: str) -> str:
    return os.path.dirname(os.path.abspath(path)) or "."


def check_revision(revision: str, path: str) -> None:
    """Raise GitHistoryError unless ``revision`` names a commit of the repository that holds ``path``."""
    if not revision or revision.startswith("-"):
        raise GitHistoryError(f"--since {revision!r}: not a git revision")
    result = _git(_folder(path), "rev-parse", "--verify", "--quiet", "--end-of-options", f"{revision}^{{commit}}")
    if result.returncode != 0:
        inside = _git(_folder(path), "rev-parse", "--is-inside-work-tree")
        if inside.returncode != 0:
            raise GitHistoryError(f"--since {revision}: {path} is not in a git repository")
        raise GitHistoryError(f"--since {revision}: no such revision in the repository of {path}")


def text_at(revision: str, path: str) -> bytes | None:
    """The file's bytes at ``revision``; None when the file did not exist there. Raises GitHistoryError."""
    if revision.startswith("-"):
        raise GitHistoryError(f"--since {revision!r}: not a git revision")
    result = _git(_folder(path), "show", f"{revision}:./{os.path.basename(path)}")
    if result.returncode == 0:
        return result.stdout
    message = result.stderr.decode("utf-8", "replace")
    if "does not exist" in message or "exists on disk, but not in" in message or "not in the working tree" in message:
        return None
    first = message.strip().splitlines()[0] if message.strip() else f"git show failed ({result.returncode})"
    raise GitHistoryError(f"--since {revision}: {path}: {first.removeprefix('fatal: ')}")
