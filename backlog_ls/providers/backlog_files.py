"""The backlogs of the workspace folders that no editor has open: found and read from disk.

The same files ``backlog-ls check FOLDER`` reads (``files.files_in`` and each file's
configuration's ``include`` / ``exclude``), read as it reads them. A file is read again
only when its size or modification time changed. Runs on a worker thread; in an
untrusted workspace no git process is started (the walk reads ``.gitignore`` instead).
"""

from __future__ import annotations

import logging
import os
import pathlib
import threading
from collections.abc import Callable, Iterable

from .. import files
from ..files import Selection, UnreadableFile
from ..workspace import Document
from .config_file import ConfigLoader

logger = logging.getLogger(__name__)

# Bounds on what one listing reads: a home folder opened as a workspace must not be read whole.
MAX_FILES = 500
MAX_FILE_BYTES = 4 * 1024 * 1024


class BacklogFiles:
    """Backlog files below folders, each as a ``Document`` (parsed when first asked for its backlog)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._read: dict[str, tuple[int, int, Document]] = {}  # path -> (mtime_ns, size, document)

    def documents(
        self, folders: Iterable[str], loader: ConfigLoader, *, use_git: bool, skip: Callable[[str], bool]
    ) -> list[Document]:
        """The backlogs below ``folders`` in path order, without those ``skip`` names (open ones)."""
        found: list[Document] = []
        seen: set[str] = set()
        for folder in folders:
            for path in self._backlog_paths(folder, loader, use_git):
                if len(found) >= MAX_FILES:
                    logger.info("The Backlog view lists the first %d backlog files only", MAX_FILES)
                    return found
                key = os.path.normcase(path)
                if key in seen or skip(path):
                    continue
                seen.add(key)
                document = self._document(path)
                if document is not None:
                    found.append(document)
        with self._lock:  # forget files that are gone or open now
            for path in [path for path in self._read if os.path.normcase(path) not in seen]:
                del self._read[path]
        return found

    def _backlog_paths(self, folder: str, loader: ConfigLoader, use_git: bool) -> list[str]:
        if not os.path.isdir(folder):
            return []
        selections: dict[str | None, Selection] = {}
        paths = []
        for relative in files.files_in(folder, use_git=use_git):
            path = os.path.join(folder, relative)
            if not files.is_markdown(path):
                continue
            loaded = loader.for_path(path)
            key = loaded.path or loaded.root
            selection = selections.get(key)
            if selection is None:
                selection = selections[key] = Selection.of(loaded.settings.include, loaded.settings.exclude, loaded.root)
            if selection.wants(path, folder):
                paths.append(path)
        return paths

    def _document(self, path: str) -> Document | None:
        try:
            status = os.stat(path)
        except OSError:
            return None
        if status.st_size > MAX_FILE_BYTES:
            return None
        with self._lock:
            cached = self._read.get(path)
        if cached is not None and cached[:2] == (status.st_mtime_ns, status.st_size):
            return cached[2]
        try:
            text = files.read_text(path)
        except UnreadableFile as error:
            logger.info("The Backlog view leaves out %s: %s", path, error.reason)
            return None
        document = Document(uri=_file_uri(path), text=text, path=path)
        with self._lock:
            self._read[path] = (status.st_mtime_ns, status.st_size, document)
        return document


def _file_uri(path: str) -> str:
    return pathlib.Path(path).absolute().as_uri()
