"""The file system as rules see it (the ``Files`` protocol of ``backlog_ls.rules``), read from disk.

Rules are pure: when the broken-link rule wants to know whether ``../rfcs/0001.md``
exists or which headings it has, it asks a ``Files`` value. This is the one that
answers from disk. Paths are absolute (the rule resolves them); nothing here
raises: a file that cannot be read has no anchors (``None``), a path that cannot
be examined does not exist.

Anchors are cached per file and re-read when the file's modification time or
size changes, so a language server can keep one ``DiskFiles`` for its lifetime.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections import OrderedDict
from collections.abc import Collection

from .workspace_paths import RefusedPath, read_regular_file

log = logging.getLogger(__name__)

# A linked Markdown file bigger than this is not read for its headings (its anchors are unknown):
# parsing takes about a second per megabyte, and the first check of a link waits for it.
MAX_ANCHOR_FILE_BYTES = 2 * 1024 * 1024
# How many files' anchors are kept.
CACHE_SIZE = 512
# A file or folder changed less than this long ago is not vouched for by its stamp: a second change
# within the file system's timestamp granularity would leave the stamp as it was (git's "racy" files).
SETTLED_NS = 2_000_000_000
ABSENT = ("absent",)  # the stamp of a path with nothing there


class DiskFiles:
    """Answers ``exists``, ``anchors`` and ``names`` from the local disk; never raises."""

    def __init__(self, *, max_bytes: int = MAX_ANCHOR_FILE_BYTES, cache_size: int = CACHE_SIZE):
        self.max_bytes = max_bytes
        self.cache_size = cache_size
        self._anchors: OrderedDict[str, tuple[tuple[int, int], frozenset[str] | None]] = OrderedDict()
        self._lock = threading.Lock()

    def exists(self, path: str) -> bool:
        """True for an existing file or folder (a link may point at either)."""
        try:
            return os.path.exists(path)
        except (OSError, ValueError):  # ValueError: an embedded NUL
            return False

    def stamp(self, path: str) -> tuple | None:
        """What changes whenever the file or folder at ``path`` does (a folder's, when an entry is added,
        removed or renamed), so that answers read from it can be kept while it stays the same; ``ABSENT``
        when nothing is there; None when it cannot vouch: changed in the last two seconds, or unexaminable."""
        try:
            stat = os.stat(path)
        except (FileNotFoundError, NotADirectoryError):
            return ABSENT
        except (OSError, ValueError):
            return None
        if time.time_ns() - max(stat.st_mtime_ns, stat.st_ctime_ns) < SETTLED_NS:
            return None
        return (stat.st_mtime_ns, stat.st_ctime_ns, stat.st_size, stat.st_ino, stat.st_dev)

    def symlinks(self, folder: str) -> frozenset[str]:
        """The names of the symbolic links in a folder (none when it cannot be listed)."""
        try:
            with os.scandir(folder) as found:
                return frozenset(entry.name for entry in found if entry.is_symlink())
        except (OSError, ValueError):
            return frozenset()

    def names(self, folder: str) -> Collection[str] | None:
        """The entries of a folder, for "did you mean" suggestions; None when it cannot be listed."""
        try:
            return os.listdir(folder)
        except (OSError, ValueError):
            return None

    def entries(self, folder: str) -> list[tuple[str, bool]] | None:
        """A folder's entries as (name, is a folder), for completing link paths; None when it cannot be listed."""
        try:
            with os.scandir(folder) as found:
                return [(entry.name, _is_folder(entry)) for entry in found]
        except (OSError, ValueError):
            return None

    def anchors(self, path: str) -> Collection[str] | None:
        """The heading anchors (and HTML ``id``/``name`` anchors) of a Markdown file, or None."""
        try:
            stat = os.stat(path)
        except (OSError, ValueError):
            return None
        key = (stat.st_mtime_ns, stat.st_size)
        with self._lock:
            cached = self._anchors.get(path)
            if cached is not None and cached[0] == key:
                self._anchors.move_to_end(path)
                return cached[1]
        anchors = self._read_anchors(path, stat.st_size)
        with self._lock:
            self._anchors[path] = (key, anchors)
            self._anchors.move_to_end(path)
            while len(self._anchors) > self.cache_size:
                self._anchors.popitem(last=False)
        return anchors

    def heading_line(self, path: str, anchor: str) -> int | None:
        """The line (0-based) of the heading whose anchor is ``anchor`` in a Markdown file, or None."""
        anchors = self.anchors(path)
        lines = getattr(anchors, "lines", None)
        return lines.get(anchor.lower()) if lines else None

    def _read_anchors(self, path: str, size: int) -> frozenset[str] | None:
        if size > self.max_bytes:
            log.info("not reading %s for anchors: %d bytes is over the limit of %d", path, size, self.max_bytes)
            return None
        try:
            # Regular files only, opened non-blocking: a link to /dev/stdin would read the server's
            # own protocol input, one to a FIFO would wait forever, /dev/zero never ends.
            data = read_regular_file(path, self.max_bytes)
        except (OSError, ValueError, RefusedPath):
            return None
        try:
            from ..anchors import anchors_with_lines
            from .project_files import BinaryFile, decode_document
            from ..parse import parse

            try:
                # In any encoding, as the CLI reads it: a Latin-1 file's "Café" heading is #café.
                text = decode_document(path, data).text
            except BinaryFile:
                return None
            return anchors_with_lines(parse(text))
        except Exception:  # a provider never raises into a request
            log.exception("could not read the headings of %s", path)
            return None


def _is_folder(entry: os.DirEntry) -> bool:
    try:
        return entry.is_dir()
    except OSError:
        return False
