"""The Markdown files of the workspace that may link to files about to move (``workspace/willRenameFiles``).

Every Markdown file of the workspace folders counts, backlog or not (a README that links to
the plan must follow it as much as the roadmap), found as ``backlog-ls check`` finds files
(git's listing, or a walk honouring ``.gitignore``). A file is parsed only when its text
names a moved file or folder, or when it moves itself (its own relative links change);
files are read as the workspace index reads them: regular files only, bounded in size and
count. Runs on a worker thread: the request waits for it, the event loop does not.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Collection, Iterable, Sequence

from ..features.links import LinkAt, links_of, may_link_to, moved_path

logger = logging.getLogger(__name__)

MAX_FILES = 10_000  # as the workspace index: a home folder opened as a workspace is not read whole
MAX_FILE_BYTES = 4 * 1024 * 1024


def linking_files(
    folders: Iterable[str], renames: Sequence[tuple[str, str]], *, skip: Collection[str] = (), use_git: bool = True
) -> list[tuple[str, list[LinkAt], Sequence[str]]]:
    """(path, its links, its lines) of each Markdown file below ``folders`` that may need an edit
    when ``renames`` (old, new absolute paths) happen; ``skip``: paths known otherwise (open)."""
    from .. import files
    from ..parse import parse
    from .workspace_paths import RefusedPath, read_regular_file

    found: list[tuple[str, list[LinkAt], Sequence[str]]] = []
    paths = files.discover([folder for folder in folders if os.path.isdir(folder)], use_git=use_git).files
    for path in paths[:MAX_FILES]:
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
    return found

