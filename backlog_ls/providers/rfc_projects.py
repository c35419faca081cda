"""The project's RFC folders, read from disk: which RFCs exist, with their titles and states.

``ProjectRfcScanner`` reads folders synchronously (the command line uses it as is);
each file's head (the first 32 KiB) is read once and kept until its modification
time or size changes, so scanning a folder again costs a listing and a ``stat`` per
file. Binary files, unreadable files and broken front matter are skipped or read
as far as they go; nothing raises. Folders and files that resolve (symlinks followed)
outside the workspace (the git root above the project root, else the root) are not read:
a cloned repository's ``[rfc] dirs = ["/home/you/private"]`` or ``rfcs -> ~/notes`` shows
nothing in hovers.

``ProjectRfcStore`` is the language server's view: ``get`` never waits on the disk.
It answers the last scan of a root (or "pending" before the first one) and queues
a scan on a background thread when there is none yet or the last one is older than
a few seconds; ``files_changed`` (from ``workspace/didChangeWatchedFiles``) queues
one at once. When a scan finds something different, ``on_change`` is called (on the
worker thread) so that the server can re-check open documents.
"""

from __future__ import annotations

import logging
import os
import queue
import threading
import time
from collections.abc import Callable, Iterable, Sequence

from ..rfc import (
    DEFAULT_DIRS,
    NO_PROJECT_RFCS,
    PENDING_PROJECT_RFCS,
    ProjectRfc,
    ProjectRfcs,
)
from ..rfc.project import number_from_name, read_rfc_text
from .workspace_paths import is_inside, workspace_of

log = logging.getLogger(__name__)

MAX_HEAD_BYTES = 32 * 1024
MAX_FILES_PER_FOLDER = 5000
REVALIDATE_SECONDS = 5.0
MARKDOWN_SUFFIXES = (".md", ".markdown")
# How far above a document to look for RFC folders when no workspace or project root is known.
GUESS_LEVELS = 5

Key = tuple[str, tuple[str, ...] | None]  # (root, configured folders or None)


class ProjectRfcScanner:
    """Reads RFC folders from disk, remembering each file's metadata until the file changes."""

    def __init__(self, *, max_head_bytes: int = MAX_HEAD_BYTES):
        self.max_head_bytes = max_head_bytes
        self._files: dict[str, tuple[tuple[int, int], ProjectRfc | None]] = {}
        self._refused: set[str] = set()
        self._lock = threading.Lock()

    def scan(self, root: str, dirs: Sequence[str] | None = None) -> ProjectRfcs:
        """The RFCs under ``root``: in the configured ``dirs``, else in the default folders that hold any."""
        root = os.path.normpath(os.path.abspath(root))
        workspace = workspace_of(root)
        with self._lock:
            if dirs is not None:
                folders = [os.path.normpath(os.path.join(root, folder)) for folder in dirs]
                folders = [folder for folder in folders if self._inside(folder, workspace)]
                found = [(folder, self._scan_folder(folder, workspace)) for folder in folders]
                kept = [folder for folder, _ in found]
            else:
                defaults = (os.path.join(root, d) for d in DEFAULT_DIRS)
                found = [(folder, self._scan_folder(folder, workspace)) for folder in defaults if self._inside(folder, workspace)]
                found = [(folder, rfcs) for folder, rfcs in found if rfcs]
                kept = [folder for folder, _ in found]
            rfcs = tuple(rfc for _, folder_rfcs in found for rfc in folder_rfcs)
        return ProjectRfcs(root=root, folders=tuple(os.path.normpath(f) for f in kept), rfcs=rfcs)

    def _inside(self, path: str, workspace: str) -> bool:
        if is_inside(path, workspace):
            return True
        if os.path.exists(path) and path not in self._refused:  # said once, not at every rescan
            self._refused.add(path)
            log.warning("Not reading RFCs from %s: it is outside the workspace %s", path, workspace)
        return False

    def _scan_folder(self, folder: str, workspace: str) -> list[ProjectRfc]:
        try:
            with os.scandir(folder) as entries:
                listed = sorted(
                    (entry.name, _is_symlink(entry))
                    for entry in entries
                    if entry.name.lower().endswith(MARKDOWN_SUFFIXES) and _is_file(entry)
                )
        except (OSError, ValueError):
            return []
        found = []
        for name, linked in listed[:MAX_FILES_PER_FOLDER]:
            path = os.path.join(folder, name)
            # The folder is inside the workspace (checked by the caller): only a symlink can lead out.
            if linked and not is_inside(path, workspace):
                continue
            rfc = self._read(path)
            if rfc is not None:
                found.append(rfc)
        found.sort(key=lambda rfc: (rfc.number, rfc.name))
        return found

    def _read(self, path: str) -> ProjectRfc | None:
        try:
            stat = os.stat(path)
        except (OSError, ValueError):
            return None
        key = (stat.st_mtime_ns, stat.st_size)
        cached = self._files.get(path)
        if cached is not None and cached[0] == key:
            return cached[1]
        rfc = self._read_file(path)
        self._files[path] = (key, rfc)
        return rfc

    def _read_file(self, path: str) -> ProjectRfc | None:
        name = os.path.basename(path)
        try:
            with open(path, "rb") as handle:
                head = handle.read(self.max_head_bytes)
        except (OSError, ValueError):
            return None
        if b"\0" in head:
            return None  # a binary file that happens to end in .md
        try:
            text = head.decode("utf-8", errors="replace")
            found = read_rfc_text(name, text)
        except Exception:  # a provider never raises into a request
            log.exception("could not read the RFC %s", path)
            numbered = number_from_name(name)
            if numbered is None:
                return None
            return ProjectRfc(number=numbered[0], path=os.path.normpath(path), title=name, digits=numbered[1])
        if found.number is None:
            return None
        return ProjectRfc(
            number=found.number,
            path=os.path.normpath(path),
            title=found.title,
            status=found.status,
            summary=found.summary,
            digits=found.digits,
        )


def _is_symlink(entry: os.DirEntry) -> bool:
    try:
        return entry.is_symlink()
    except OSError:
        return True  # cannot tell: check where it leads


def _is_file(entry: os.DirEntry) -> bool:
    try:
        return entry.is_file()
    except OSError:
        return False


def guess_root(path: str, levels: int = GUESS_LEVELS) -> str | None:
    """The nearest folder above ``path`` that has a default RFC folder, or is a git root; None if neither.

    For documents outside any workspace folder and any configured project.
    """
    folder = os.path.dirname(os.path.abspath(path))
    for _ in range(levels + 1):
        try:
            if any(os.path.isdir(os.path.join(folder, name)) for name in DEFAULT_DIRS):
                return folder
            if os.path.exists(os.path.join(folder, ".git")):
                return folder
        except (OSError, ValueError):
            return None
        parent = os.path.dirname(folder)
        if parent == folder:
            break
        folder = parent
    return None


def root_for(path: str | None, roots: Iterable[str], fallback: str | None = None) -> str | None:
    """The deepest of ``roots`` that holds ``path``, else ``fallback``."""
    if not path:
        return fallback
    target = os.path.normcase(os.path.abspath(path))
    best: str | None = None
    for root in roots:
        normal = os.path.normcase(os.path.normpath(os.path.abspath(root)))
        inside = target == normal or target.startswith(normal.rstrip(os.sep) + os.sep)
        if inside and (best is None or len(normal) > len(os.path.normcase(best))):
            best = os.path.normpath(os.path.abspath(root))
    return best if best is not None else fallback


class ProjectRfcStore:
    """Scans in the background; answers at once with what it has."""

    def __init__(
        self,
        scanner: ProjectRfcScanner | None = None,
        *,
        on_change: Callable[[], None] | None = None,
        revalidate_after: float = REVALIDATE_SECONDS,
    ):
        self.scanner = scanner or ProjectRfcScanner()
        self.on_change = on_change
        self.revalidate_after = revalidate_after
        self._snapshots: dict[Key, tuple[ProjectRfcs, float]] = {}
        self._queued: set[Key] = set()
        self._queue: queue.SimpleQueue[Key] = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._idle = threading.Event()
        self._idle.set()
        self._worker: threading.Thread | None = None
        self._guessed: dict[str, str | None] = {}

    def get(self, root: str, dirs: Sequence[str] | None = None) -> ProjectRfcs:
        """The last scan of ``root`` (pending before the first); queues a scan when due. Never blocks."""
        key = _key(root, dirs)
        entry = self._snapshots.get(key)
        if entry is None:
            self._request(key)
            return PENDING_PROJECT_RFCS
        snapshot, checked = entry
        if time.monotonic() - checked > self.revalidate_after:
            self._request(key)
        return snapshot

    def scan_now(self, root: str, dirs: Sequence[str] | None = None) -> ProjectRfcs:
        """Scan ``root`` on this thread (the command line; tests)."""
        key = _key(root, dirs)
        snapshot = self.scanner.scan(*key)
        with self._lock:
            self._snapshots[key] = (snapshot, time.monotonic())
        return snapshot

    def scanned(self, root: str, dirs: Sequence[str] | None = None) -> ProjectRfcs:
        """The snapshot of ``root``, scanning it on this thread the first time (the command line)."""
        entry = self._snapshots.get(_key(root, dirs))
        return entry[0] if entry is not None else self.scan_now(root, dirs)

    def for_document(
        self, path: str, root: str | None, dirs: Sequence[str] | None = None, *, wait: bool = False
    ) -> ProjectRfcs:
        """The RFCs for the document at ``path`` in the project at ``root``.

        When the default folders are not under ``root`` (an editor opened a sub-folder, say
        ``docs/agent-context``), the nearest folder above the document that has one is used.
        ``wait`` scans on this thread; otherwise the answer never waits (see ``get``).
        """
        fetch = self.scanned if wait else self.get
        projects = fetch(root, dirs) if root else NO_PROJECT_RFCS
        if dirs is None and projects.complete and not projects.folders:
            guessed = self.guess_root(path)
            if guessed is not None and guessed != root:
                projects = fetch(guessed, None)
        return projects

    def guess_root(self, path: str) -> str | None:
        """``guess_root`` for the folder of ``path``, remembered (it walks up the disk)."""
        folder = os.path.dirname(os.path.abspath(path))
        if folder not in self._guessed:
            self._guessed[folder] = guess_root(path)
        return self._guessed[folder]

    def files_changed(self, paths: Iterable[str]) -> bool:
        """Files changed on disk: rescan every known root that holds one of them. True when any did."""
        paths = [os.path.normcase(os.path.abspath(path)) for path in paths]
        touched = False
        for key in list(self._snapshots):
            root = os.path.normcase(key[0]).rstrip(os.sep) + os.sep
            if any(path.startswith(root) for path in paths):
                self._request(key)
                touched = True
        return touched

    def forget(self) -> None:
        """Drop every snapshot (the configuration changed); the next ``get`` scans again."""
        with self._lock:
            self._snapshots.clear()

    def wait_idle(self, timeout: float = 5.0) -> bool:
        """Wait until no scan is queued or running (tests)."""
        return self._idle.wait(timeout)

    def _request(self, key: Key) -> None:
        with self._lock:
            if key in self._queued:
                return
            self._queued.add(key)
            self._idle.clear()
            if self._worker is None or not self._worker.is_alive():
                self._worker = threading.Thread(target=self._work, name="backlog-ls-rfc-scan", daemon=True)
                self._worker.start()
        self._queue.put(key)

    def _work(self) -> None:
        while True:
            try:
                key = self._queue.get(timeout=30)
            except queue.Empty:
                with self._lock:
                    if not self._queued:
                        self._worker = None
                        return
                continue
            with self._lock:
                self._queued.discard(key)
            changed = False
            try:
                snapshot = self.scanner.scan(*key)
                with self._lock:
                    previous = self._snapshots.get(key)
                    self._snapshots[key] = (snapshot, time.monotonic())
                changed = previous is None or not previous[0].same_content(snapshot)
            except Exception:
                log.exception("Could not scan the RFC folders of %s", key[0])
            with self._lock:
                if not self._queued:
                    self._idle.set()
            if changed and self.on_change is not None:
                try:
                    self.on_change()
                except Exception:
                    log.exception("An RFC change listener failed")


def _key(root: str, dirs: Sequence[str] | None) -> Key:
    return os.path.normpath(os.path.abspath(root)), (tuple(dirs) if dirs is not None else None)
