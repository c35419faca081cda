"""The backlogs of the workspace folders, for the Backlog view: which files, and their text.

The same files ``backlog-ls check FOLDER`` reads (``files.discover`` with each file's
configuration's ``include`` / ``exclude``, ``files.Selections``). In an untrusted
workspace no git process is started: the walk reads ``.gitignore`` instead. Files are
read as the workspace index reads them: regular files only (a backlog-named FIFO or
device is never opened for reading), at most a bounded size. Runs on a worker thread.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Iterable
from typing import Any

from . import project_files as files
from .workspace_paths import RefusedPath, read_regular_file

logger = logging.getLogger(__name__)

# Bounds on what one listing reads: a home folder opened as a workspace must not be read whole.
MAX_FILES = 500
MAX_FILE_BYTES = 4 * 1024 * 1024


def backlog_paths(folders: Iterable[str], loaded_for: Callable[[str], Any], *, use_git: bool, limit: int = MAX_FILES) -> list[str]:
    """The backlog files below ``folders``, each once, in path order (at most ``limit``)."""
    selections = files.Selections(loaded_for)
    found: dict[str, str] = {}
    for folder in folders:
        if os.path.isdir(folder):
            for path in files.discover([folder], selections.keep, use_git=use_git).files:
                found.setdefault(os.path.normcase(os.path.abspath(path)), os.path.abspath(path))
    paths = sorted(found.values())
    if len(paths) > limit:
        logger.info("Taking the first %d of %d backlog files", limit, len(paths))
    return paths[:limit]


def stamp(path: str) -> tuple[int, int] | None:
    """(modification time, size) of a file, to tell whether it changed; None when it is gone."""
    try:
        status = os.stat(path)
    except OSError:
        return None
    return status.st_mtime_ns, status.st_size


def read_backlog(path: str) -> str | None:
    """The text of a backlog file; None (logged) when it cannot or must not be read."""
    try:
        return files.decode_document(path, read_regular_file(path, MAX_FILE_BYTES)).text
    except (OSError, RefusedPath, files.UnreadableFile) as error:
        logger.info("The Backlog view leaves out %s: %s", path, error)
        return None
