"""Fills the workspace index (``backlog_ls.workspace_index``) from disk, on a thread of its own.

The backlog files of each workspace folder are those ``backlog-ls check FOLDER``
would read: the same discovery (git's listing or a walk honouring ``.gitignore``)
and the same ``include`` / ``exclude`` of the configuration governing each file
(``files.Selections``). Each is read (regular files only, at most ``max-file-size``),
parsed, summarised, and its model dropped. A document open in the editor is indexed
from its live text instead (``document_parsed``), and the disk does not overwrite it
until it closes.

Work arrives as jobs on a queue (a scan of folders, a file changed or deleted) and
one daemon thread runs them in order, so nothing here blocks the event loop and a
request never waits: it reads whatever the index holds so far. ``Progress`` hears
how a scan goes (the server turns it into ``$/progress``); nothing here knows LSP.
"""

from __future__ import annotations

import contextlib
import logging
import os
import queue
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING, Any, Protocol

from .. import checkpoint
from .daemon import giving_way
from ..workspace_index import FileSummary, WorkspaceIndex, summarize

if TYPE_CHECKING:
    from concurrent.futures import ProcessPoolExecutor

logger = logging.getLogger(__name__)

# Without a configured limit (max-file-size = 0) a file this big is still not indexed: an unopened
# 200 MB log that happens to match the globs must not cost the server a minute and a gigabyte.
HARD_LIMIT_BYTES = 64 * 1024 * 1024
# A workspace folder that is a home folder or a monorepo of docs must not take all the memory:
# beyond this many backlog files (some 150 MiB of summaries at 50 tasks each) the rest are left out.
MAX_FILES = 10_000
# A scan of at least this many files parses them in worker processes, one per core (two at most):
# parsing is pure Python, so threads would take turns, and the server's own thread would wait
# on them too. Fewer files are not worth starting the processes for.
PROCESS_MIN_FILES = 64
# ... and so does a scan of fewer, bigger files, this many bytes in all (some half a second of
# parsing): a worker's memory goes back to the system when the scan ends, where the server's
# parse of a 2.4 MB backlog it does not open left 120 MiB more resident than its summary needs
# (the model's freed arenas stay the process's), and 1.9 s of its CPU became 0.26 s of unpickling.
PROCESS_MIN_BYTES = 1024 * 1024
MAX_PROCESSES = 2
# An edited open document is summarised again once its edits pause this long (patched from its
# last summary: the edited blocks are read again, and the others' entries joined by slicing).
LIVE_DELAY_SECONDS = 0.3
# Files per job (sent to a process, or read here): fewer round trips, and one progress report
# per job, since a report per file would flood a slow client.
FILES_PER_JOB = 16


class Progress(Protocol):
    def begin(self, total: int) -> None: ...

    def report(self, done: int, total: int) -> None: ...

    def end(self, indexed: int) -> None: ...


class _Silent:
    def begin(self, total: int) -> None:
        pass

    def report(self, done: int, total: int) -> None:
        pass

    def end(self, indexed: int) -> None:
        pass


# facts_inputs(path) -> (settings, project) for the cross-file rules' facts of a file (on this
# provider's thread); facts_read([(path, FileFacts, stat_key)], more) hears them, before the index
# does; ``more``: a scan goes on, and more facts come (the cross-file findings can wait for them).
FactsInputs = Callable[[str], "tuple[Any, str | None]"]
FactsRead = Callable[[list[tuple[str, Any, tuple[int, int]]], bool], None]


class IndexProvider:
    """Keeps ``index`` filled and current; see the module docstring.

    ``loaded_for(path)`` answers the ``LoadedConfig`` governing a path (``ConfigLoader.for_path``);
    ``uri_of(path)`` the URI the editor uses for it. With ``facts_inputs`` and ``facts_read``,
    the cross-file rules' facts of each file are computed from the same parse as its summary (in
    the worker processes too), so that an unopened file is read and parsed once.
    """

    def __init__(
        self,
        index: WorkspaceIndex,
        loaded_for: Callable[[str], Any],
        uri_of: Callable[[str], str],
        *,
        on_change: Callable[[], None] | None = None,
        use_git: Callable[[], bool] = lambda: True,
        facts_inputs: FactsInputs | None = None,
        facts_read: FactsRead | None = None,
        server_busy: Callable[[], bool] | None = None,
    ):
        self.index = index
        # Whether the server's own work (a check, a request) is under way: a summary on this
        # provider's thread waits for it at its checkpoints (``daemon.giving_way``).
        self._server_busy = server_busy
        self._facts_inputs = facts_inputs
        self._facts_read = facts_read
        self._loaded_for = loaded_for
        self._uri_of = uri_of
        self._on_change = on_change
        self._use_git = use_git  # False in an untrusted workspace: no git process, the walk reads .gitignore
        self._open: dict[str, int] = {}  # URI of an open document -> the revision indexed (-1: none yet)
        self._edited: dict[str, tuple[int, Any, str | None]] = {}  # URI -> its newest parse, to summarise
        self._edited_at = 0.0
        self._open_lock = threading.Lock()
        self._jobs: queue.SimpleQueue[tuple[str, Any] | None] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._stopped = threading.Event()
        self.scans_finished = 0  # for tests and the benchmark: how many scans have ended
        self.use_processes = True  # a large scan parses in worker processes (``PROCESS_MIN_FILES``, ``PROCESS_MIN_BYTES``)

    # --- asking for work (any thread) -----------------------------------------------------------

    def scan(self, folders: Iterable[str], progress: Progress | None = None) -> None:
        """Index every backlog file below ``folders`` (the workspace folders), in the background."""
        self._post("scan", (tuple(folders), progress or _Silent()))

    def file_changed(self, path: str) -> None:
        """A file was created or changed on disk (``workspace/didChangeWatchedFiles``)."""
        self._post("file", path)

    def file_deleted(self, path: str) -> None:
        """A file, or a folder with every file below it, was deleted."""
        self._post("deleted", path)

    def document_parsed(self, uri: str, revision: int, backlog: Any, path: str | None = None) -> None:
        """An open document's live text, parsed: its summary replaces the disk's (once per revision).

        Runs on the caller's thread (an analysis worker, or a request that parsed it).
        """
        with self._open_lock:
            if self._open.get(uri) == revision:
                return
        summary = _summarize(backlog, previous=self.index.get(uri))  # patched from the last one
        if summary is None:
            return
        with self._open_lock:
            if uri in self._open and self._open[uri] > revision:
                return  # a newer revision was indexed meanwhile
            self._open[uri] = revision
        self.index.update(uri, summary, path, live=True)
        self._changed()

    def document_opened(self, uri: str) -> None:
        """The editor opened a document: from now on its live text counts, so a scan does not read
        (and parse, a second time) the disk's copy; its summary comes with its first check."""
        with self._open_lock:
            self._open.setdefault(uri, -1)

    def document_edited(self, uri: str, revision: int, backlog: Any, path: str | None = None) -> None:
        """An open document was parsed again after an edit: summarised on this provider's thread
        once the edits pause (``LIVE_DELAY_SECONDS``), not on every keystroke's parse. A request
        that needs the newest summary at once asks ``document_parsed``."""
        with self._open_lock:
            if self._open.get(uri) == revision:
                return
            self._open.setdefault(uri, -1)  # open from now on: the disk's text no longer counts
            first = not self._edited
            self._edited[uri] = (revision, backlog, path)
            self._edited_at = time.monotonic()
        if first:
            self._post("edited", None)

    def document_closed(self, uri: str, path: str | None) -> None:
        """The editor closed a document: the disk's text counts again (or it leaves, if not a backlog)."""
        with self._open_lock:
            self._open.pop(uri, None)
            self._edited.pop(uri, None)
        if path is not None:
            self._post("file", path)
        else:
            self.index.remove(uri)

    def stop(self) -> None:
        self._stopped.set()
        self._jobs.put(None)

    # --- the thread -----------------------------------------------------------------------------

    def _post(self, kind: str, value: Any) -> None:
        if self._stopped.is_set():
            return
        self._jobs.put((kind, value))
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="backlog-ls workspace index", daemon=True)
            self._thread.start()

    def _run(self) -> None:
        while not self._stopped.is_set():
            job = self._jobs.get()
            if job is None:
                return
            kind, value = job
            try:
                if kind == "scan":
                    self._scan(*value)
                elif kind == "file":
                    self._refresh(value)
                elif kind == "deleted":
                    self._delete(value)
                elif kind == "edited":
                    self._summarize_edited()
            except Exception:  # a provider never takes the server down
                logger.exception("Indexing the workspace failed on %s %s", kind, value)
            job = value = None  # a job's model is not kept while the thread waits for the next (``retired``)

    def _summarize_edited(self) -> None:
        while not self._stopped.is_set():
            with self._open_lock:
                quiet = time.monotonic() - self._edited_at
            if quiet >= LIVE_DELAY_SECONDS:
                break
            self._stopped.wait(LIVE_DELAY_SECONDS - quiet)
        with self._open_lock:
            edited, self._edited = self._edited, {}
        with checkpoint.hooked(giving_way(self._server_busy)) if self._server_busy is not None else contextlib.nullcontext():
            for uri, (revision, backlog, path) in edited.items():
                self.document_parsed(uri, revision, backlog, path)


    def _scan(self, folders: tuple[str, ...], progress: Progress) -> None:
        from .backlog_files import backlog_paths

        try:
            found = backlog_paths(folders, self._loaded_for, use_git=self._use_git(), limit=MAX_FILES)
        except Exception:  # the scan ends (and says so) rather than leave the client's progress open
            logger.exception("Could not list the backlog files of %s", ", ".join(folders))
            found = []
        # Open documents are indexed from their live text: their copies on disk are not read.
        to_read = [path for path in found if not self._is_open(self._uri_of(path))]
        progress.begin(len(to_read))
        indexed = 0
        try:
            jobs = [self._job(path) for path in to_read]
            for done, results in self._summaries(jobs):
                if self._stopped.is_set():
                    return
                self._take_facts(results, more=True)
                for path, summary, _ in results:
                    uri = self._uri_of(path)
                    if summary is not None and not self._is_open(uri):  # the editor's text wins
                        self.index.update(uri, summary, path)
                        indexed += 1
                progress.report(done, len(to_read))
                self._changed()
            self._forget_missing(folders, {self._uri_of(path) for path in found})
        finally:
            self._take_facts([], more=False)
            progress.end(indexed)
            self.scans_finished += 1
            self._changed()

    def _forget_missing(self, folders: tuple[str, ...], found: set[str]) -> None:
        """After a new scan (settings changed): files below the folders that are no longer backlogs go."""
        prefixes = tuple(self._uri_of(folder).rstrip("/") + "/" for folder in folders)
        for uri, _ in self.index.files():
            if uri.startswith(prefixes) and uri not in found and not self._is_open(uri):
                self.index.remove(uri)

    def _job(self, path: str) -> FileJob:
        """What reading one file takes: its size limit, and its facts' settings and project."""
        inputs = None
        if self._facts_inputs is not None and self._facts_read is not None:
            try:
                inputs = self._facts_inputs(path)
            except Exception:  # the facts provider reads the file itself then
                logger.exception("No cross-file settings for %s", path)
        return path, _limit(self._loaded_for(path)), inputs

    def _take_facts(self, results: list[FileRead], *, more: bool = False) -> None:
        facts = [(path, found[0], found[1]) for path, _, found in results if found is not None and not self._is_open(self._uri_of(path))]
        if (facts or not more) and self._facts_read is not None:
            try:
                self._facts_read(facts, more)
            except Exception:
                logger.exception("The cross-file facts could not be taken")

    def _summaries(self, files: list[FileJob]) -> Iterator[tuple[int, list[FileRead]]]:
        """The summaries of the files, a batch at a time, with how many files are done so far."""
        jobs = [files[start : start + FILES_PER_JOB] for start in range(0, len(files), FILES_PER_JOB)]
        pool = _process_pool(len(files), _total_size(files) if len(files) < PROCESS_MIN_FILES else 0) if self.use_processes else None
        done = 0
        if pool is not None:
            try:
                with pool:
                    futures = [pool.submit(read_files, job) for job in jobs]
                    for future in _as_completed(futures):
                        if self._stopped.is_set():
                            pool.shutdown(wait=False, cancel_futures=True)
                            return
                        results = future.result()
                        done += len(results)
                        yield done, results
                return
            except Exception:  # a broken pool (no /dev/shm, a killed worker): this thread reads the rest
                logger.warning("Indexing in worker processes failed; indexing in the server instead", exc_info=True)
                jobs = [files[done:]]
        for job in jobs:
            for start in range(0, len(job), FILES_PER_JOB):
                results = read_files(job[start : start + FILES_PER_JOB])
                done += len(results)
                yield done, results

    def _refresh(self, path: str) -> None:
        from . import project_files as files

        loaded = self._loaded_for(path)
        if not os.path.isfile(path) or not files.Selections(lambda _: loaded).keep(path, os.path.dirname(path)):
            if self.index.remove(self._uri_of(path)):
                self._changed()
            return
        if self._index_file(path, loaded):
            self._changed()

    def _delete(self, path: str) -> None:
        uri = self._uri_of(path)
        below = uri.rstrip("/") + "/"
        removed = False
        for indexed, _ in self.index.files():
            if (indexed == uri or indexed.startswith(below)) and not self._is_open(indexed):
                removed = self.index.remove(indexed) or removed
        if removed:
            self._changed()

    def _index_file(self, path: str, loaded: Any) -> bool:
        """Read, parse and summarise one file; True when the index took it."""
        uri = self._uri_of(path)
        if self._is_open(uri):
            return False  # the editor's text wins
        results = read_files([self._job(path)])
        summary = results[0][1]
        if summary is None or self._is_open(uri):
            return False
        self._take_facts(results)
        self.index.update(uri, summary, path)
        return True

    def _is_open(self, uri: str) -> bool:
        with self._open_lock:
            return uri in self._open

    def _changed(self) -> None:
        if self._on_change is not None:
            try:
                self._on_change()
            except Exception:
                logger.exception("A workspace index listener failed")


def _as_completed(futures: list) -> Iterator:
    from concurrent.futures import as_completed

    return as_completed(futures)


def _limit(loaded: Any) -> int:
    return getattr(loaded.settings, "max_file_size", 0) if loaded is not None else 0


# (path, max-file-size, (settings, project) of its cross-file facts or None)
FileJob = tuple[str, int, Any]
# (path, its summary or None, (its FileFacts, the stat_key they were read at) or None)
FileRead = tuple[str, "FileSummary | None", Any]


def read_files(jobs: list[FileJob]) -> list[FileRead]:
    """Each file read and parsed once, for its summary and its cross-file facts: the job a worker
    process runs."""
    return [read_file(*job) for job in jobs]


def read_file(path: str, max_file_size: int = 0, facts_inputs: Any = None) -> FileRead:
    stat = stat_key(path)  # before reading: a change while it is read is read again
    backlog = read_backlog(path, max_file_size)
    if backlog is None:
        return path, None, None
    summary = _summarize(backlog, live=False)
    facts = None
    if facts_inputs is not None and stat is not None:
        from ..rules.across_files import facts_of

        try:
            facts = (facts_of(backlog, path, facts_inputs[1], facts_inputs[0]), stat)
        except Exception:
            logger.exception("could not take the cross-file facts of %s", path)
    return path, summary, facts


def stat_key(path: str) -> tuple[int, int] | None:
    """What tells a file's new text from the one read before: its modification time and size."""
    try:
        stat = os.stat(path)
    except (OSError, ValueError):
        return None
    return stat.st_mtime_ns, stat.st_size


def _total_size(jobs: list[FileJob]) -> int:
    total = 0
    for path, _, _ in jobs:
        with contextlib.suppress(OSError, ValueError):
            total += os.stat(path).st_size
    return total


def _process_pool(files: int, size: int = 0) -> ProcessPoolExecutor | None:
    """Worker processes for a scan of ``files`` files of ``size`` bytes in all, or None: the scan
    is read on the provider's thread (``PROCESS_MIN_FILES``, ``PROCESS_MIN_BYTES``)."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    workers = min(MAX_PROCESSES, cores)
    if (files < PROCESS_MIN_FILES and size < PROCESS_MIN_BYTES) or workers < 2:
        return None
    # Imported only now: most sessions never start a pool, and a folder of a few files was indexed
    # while its first document was checked, importing multiprocessing and pickle for nothing.
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    from ..parse import tune_garbage_collector

    try:
        if "forkserver" in multiprocessing.get_all_start_methods():
            # A clean process to fork workers from, with the parser already imported; never a fork of
            # the server itself, whose threads may hold locks the child would inherit held.
            context = multiprocessing.get_context("forkserver")
            context.set_forkserver_preload(
                ["backlog_ls.providers.workspace_index", "backlog_ls.parse.blocks", "backlog_ls.rules.across_files"]
            )
        else:
            context = multiprocessing.get_context("spawn")
        # Each worker's collector tuned as the server's: a fifth of a worker's CPU otherwise.
        return ProcessPoolExecutor(max_workers=workers, mp_context=context, initializer=tune_garbage_collector)
    except Exception:
        logger.warning("Could not start worker processes for indexing", exc_info=True)
        return None


def read_summary(path: str, max_file_size: int = 0) -> FileSummary | None:
    """The summary of a backlog file on disk; None when it cannot or must not be read."""
    backlog = read_backlog(path, max_file_size)
    return _summarize(backlog, live=False) if backlog is not None else None


def read_backlog(path: str, max_file_size: int = 0) -> Any:
    """A backlog file on disk, parsed; None when it cannot or must not be read (the cross-file
    rules read unopened files with it too)."""
    from .project_files import BinaryFile, decode_document
    from .workspace_paths import RefusedPath, read_regular_file

    limit = min(max_file_size, HARD_LIMIT_BYTES) if max_file_size > 0 else HARD_LIMIT_BYTES
    try:
        # Regular files only, non-blocking: a backlog named like one may be a FIFO or /dev/zero.
        data = read_regular_file(path, limit)
        text = decode_document(path, data).text
    except (OSError, ValueError, RefusedPath, BinaryFile) as error:
        logger.info("not reading %s: %s", path, error)
        return None
    from ..parse import parse

    try:
        return parse(text)
    except Exception:
        logger.exception("could not parse %s", path)
        return None


def _summarize(backlog: Any, live: bool = True, previous: FileSummary | None = None) -> FileSummary | None:
    try:
        return summarize(backlog, live=live, previous=previous)
    except Exception:
        logger.exception("could not summarise a backlog for the workspace index")
        return None
