"""Reading a file a workspace names, safely: inside the workspace, a regular file, and not too big.

A configuration file in a cloned repository can name any path. ``[issues] file = "/dev/stdin"``
would read the language server's own protocol input, a FIFO blocks forever, ``/dev/zero`` never
ends, and ``../../.ssh/config`` is not the project's to show. So a path from the workspace:

- resolves (symlinks followed) to a place inside the workspace: the git root holding the
  configuration, else the configuration's own folder;
- names a regular file (checked before opening, and again on the open descriptor, which is
  opened non-blocking so that a FIFO swapped in between cannot hang the process);
- is read up to a cap, never further.

Refusals raise ``RefusedPath``, whose message is one sentence for a diagnostic or the CLI.
"""

from __future__ import annotations

import os
import stat

MIB = 1024 * 1024
MAX_CONFIG_BYTES = 1 * MIB  # a configuration file
MAX_EXPORT_BYTES = 16 * MIB  # an exported issue list (`gh issue list --json`); 20,000 issues is ~10 MiB
GIT_ROOT_LEVELS = 64  # how far up to look for the git root


class RefusedPath(Exception):
    """A path that must not be read; ``str()`` says why, naming the path."""


def workspace_of(folder: str) -> str:
    """The workspace a configuration folder belongs to: the git root above it (or itself), else the folder."""
    start = os.path.abspath(folder)
    current = start
    for _ in range(GIT_ROOT_LEVELS):
        if os.path.exists(os.path.join(current, ".git")):
            return current
        parent = os.path.dirname(current)
        if parent == current:
            break
        current = parent
    return start


def is_inside(path: str, workspace: str) -> bool:
    """Whether ``path``, symlinks resolved, lies in ``workspace`` (itself resolved)."""
    real = os.path.normcase(os.path.realpath(path))
    top = os.path.normcase(os.path.realpath(workspace))
    return real == top or real.startswith(top.rstrip(os.sep) + os.sep)


def refusal(path: str, workspace: str | None, *, kind: str = "file") -> str | None:
    """Why ``path`` must not be read (outside ``workspace``, not a regular file or folder); None if fine.

    ``kind`` is "file" or "folder". A path that does not exist is not refused here: the reader says so.
    """
    if workspace is not None and not is_inside(path, workspace):
        return f"{path} is outside the workspace ({workspace}); only files in the workspace are read"
    try:
        mode = os.stat(path).st_mode
    except (OSError, ValueError):
        return None
    if kind == "folder":
        return None if stat.S_ISDIR(mode) else f"{path} is not a folder"
    return None if stat.S_ISREG(mode) else f"{path} is not a regular file (a device, FIFO or folder is never read)"


def read_regular_file(path: str, max_bytes: int, workspace: str | None = None) -> bytes:
    """The bytes of ``path``; RefusedPath when it is outside ``workspace``, not a regular file or too big.

    OSError when it cannot be opened (missing, no permission).
    """
    reason = refusal(path, workspace)
    if reason is not None:
        raise RefusedPath(reason)
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0)
    descriptor = os.open(path, flags)
    with os.fdopen(descriptor, "rb") as handle:
        status = os.fstat(handle.fileno())
        if not stat.S_ISREG(status.st_mode):  # swapped after the check above
            raise RefusedPath(f"{path} is not a regular file (a device, FIFO or folder is never read)")
        if status.st_size > max_bytes:
            raise RefusedPath(f"{path} is larger than {_size(max_bytes)}; it is not read")
        data = handle.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise RefusedPath(f"{path} is larger than {_size(max_bytes)}; it is not read")
    return data


def _size(count: int) -> str:
    return f"{count // MIB} MiB" if count >= MIB else f"{count // 1024} KiB"
