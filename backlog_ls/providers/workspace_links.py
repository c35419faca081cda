"""The Markdown files of the workspace that may link to files about to move (``workspace/willRenameFiles``).

Every Markdown file of the workspace folders counts, backlog or not (a README that links to
the plan must follow it as much as the roadmap), found as ``backlog-ls check`` finds files
(git's listing, or a walk honouring ``.gitignore``). A file is parsed only when its text
names a moved file or folder, or when it moves itself (its own relative links change);
files are read as the workspace index reads them: regular files only, bounded in size and
count. Runs on a worker thread: the request waits for it, the event loop does not.

The editor holds the move until the edit comes back (VS Code shows "Running 'File Rename'
participants" meanwhile), so the reading is bounded in time too: a workspace on a slow disk
or with thousands of Markdown files gets the edits of the files read in ``READ_SECONDS``,
and the count of those left unread, for the message that says so.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable, Collection, Iterable, Sequence

import attrs

from ..features.links import LinkAt, links_of, may_link_to, moved_path

logger = logging.getLogger(__name__)

MAX_FILES = 10_000  # as the workspace index: a home folder opened as a workspace is not read whole
MAX_FILE_BYTES = 4 * 1024 * 1024
READ_SECONDS = 5.0


@attrs.frozen
class LinkingFiles:
    """(path, its links, its lines) of each file that may need an edit; ``unread``: the Markdown
    files of the workspace not read, for the time or the file limit."""

    found: list[tuple[str, list[LinkAt], Sequence[str]]]
    unread: int = 0
    why_unread: str = ""  # "not read within 5 s", "over the 10,000-file limit"

    @property
    def warning(self) -> str | None:
        """What the user is told when the edits leave files out (the move goes ahead either way)."""
        if not self.unread:
            return None
        files = f"{self.unread:,} Markdown file{'s' if self.unread != 1 else ''}"
        return (
            f"this move's link edits leave out {files} of the workspace ({self.why_unread}): "
            "their links to the moved files may need fixing by hand."
        )


def linking_files(
    folders: Iterable[str],
    renames: Sequence[tuple[str, str]],
    *,
    skip: Collection[str] = (),
    use_git: bool = True,
    seconds: float = READ_SECONDS,
    clock: Callable[[], float] = time.monotonic,
) -> LinkingFiles:
    """The Markdown files below ``folders`` that may need an edit when ``renames`` (old, new
    absolute paths) happen; ``skip``: paths known otherwise (open)."""
    from . import project_files as files
    from ..parse import parse
    from .workspace_paths import RefusedPath, read_regular_file

    deadline = clock() + seconds
    found: list[tuple[str, list[LinkAt], Sequence[str]]] = []
    paths = files.discover([folder for folder in folders if os.path.isdir(folder)], use_git=use_git).files
    unread = max(0, len(paths) - MAX_FILES)
    why_unread = f"over the {MAX_FILES:,}-file limit" if unread else ""
    paths = paths[:MAX_FILES]
    for position, path in enumerate(paths):
        if clock() > deadline:
            unread += len(paths) - position
            why_unread = f"not read within {seconds:g} s"
            logger.warning("file move: %d Markdown files not read for links within %g s", unread, seconds)
            break
        path = os.path.abspath(path)
        if path in skip:
            continue
        try:
            text = files.decode_document(path, read_regular_file(path, MAX_FILE_BYTES)).text
        except (OSError, ValueError, RefusedPath, files.BinaryFile) as error:
            logger.info("not reading %s for links: %s", path, error)
            continue
        if moved_path(path, renames) is None and not may_link_to(text, renames):
            continue
        try:
            backlog = parse(text)
        except Exception:
            logger.exception("could not parse %s", path)
            continue
        links = list(links_of(backlog))
        if links:
            found.append((path, links, backlog.lines))
    return LinkingFiles(found, unread, why_unread)
