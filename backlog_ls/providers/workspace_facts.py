"""Unopened backlogs for the cross-file rules and for ``workspace/diagnostic``, read from disk.

The workspace index (``providers/workspace_index.py``) decides which files are backlogs;
``sync(paths)`` is told its list after each change, and a daemon thread reads every file
that is new or changed on disk (by modification time and size), parses it, keeps its
``FileFacts`` in the ``FactsTable`` and drops the model. An open document's facts come
from its live text instead (``document_checked``); the disk does not overwrite them until
it closes.

``unopened_findings`` answers a workspace diagnostic pull: every unopened file's findings,
from the same rules as an open one's (``check``, given by the server), kept per file while
its text and the settings stay the same. It blocks: the server runs it on a thread.

Files are read as the index reads them (``workspace_index.read_backlog``): regular files only,
never more than the file's ``max-file-size`` (or 64 MiB), never a FIFO or a device.
"""

from __future__ import annotations

import contextlib
import logging
import os
import threading
from collections.abc import Callable, Collection, Iterable, Sequence
from typing import Any

import attrs

from .. import checkpoint
from ..rules import Finding
from ..rules.across_files import FileFacts, facts_of
from ..workspace_facts import FactsTable
from .daemon import Worker, giving_way
from .workspace_index import read_backlog, stat_key

logger = logging.getLogger(__name__)


# settings_for(path) -> (the file's Settings, its project folder or None)
SettingsFor = Callable[[str], tuple[Any, "str | None"]]
# check(path, backlog, settings) -> the per-file rules' findings
Check = Callable[[str, Any, Any], list[Finding]]


@attrs.frozen
class FileReport:
    """One unopened file's findings, with the lines they touch (for the client's columns)."""

    path: str
    result_id: str
    findings: tuple[Finding, ...]
    lines: Any  # a Sequence[str] where the findings' lines are the file's


class _KeptLines(Sequence[str]):
    """The lines findings touch; the rest read as empty (they are never asked for)."""

    def __init__(self, kept: dict[int, str], count: int):
        self.kept, self._count = kept, count

    def __len__(self) -> int:
        return self._count

    def __getitem__(self, index):  # type: ignore[override]
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(self._count))]
        return self.kept.get(index, "")


def _live(facts: FileFacts | None) -> bool:
    """Whether ``facts`` were read from an open document's text (a later check patches them)."""
    return facts is not None and facts.base is not None


class FactsProvider:
    def __init__(
        self,
        table: FactsTable,
        settings_for: SettingsFor,
        on_change: Callable[[set[str]], None] | None = None,
        server_busy: Callable[[], bool] | None = None,
    ):
        self.table = table
        self._server_busy = server_busy  # the first facts of an opened document wait for this (``checkpoint``)
        self._first_facts: dict[str, Callable[[], FileFacts]] = {}  # path -> how to read its newest text's
        self._settings_for = settings_for
        self._on_change = on_change
        self._known: dict[str, tuple[int, int]] = {}  # path -> (mtime, size) its facts were read at
        self._open: set[str] = set()
        self._lock = threading.Lock()
        self._worker = Worker("backlog-ls workspace facts", self._run)
        self._stopped = self._worker.stopped
        self._reports: dict[str, tuple[tuple, FileReport]] = {}  # path -> (key, report)
        self._taken: dict[str, FileFacts] = {}  # facts read by the workspace index, for the table
        self.syncs_finished = 0  # for tests: how many syncs have ended

    # --- asking (any thread) ------------------------------------------------------------------

    def sync(self, paths: Iterable[str]) -> None:
        """The backlog files of the workspace are ``paths`` now: read the new and changed ones."""
        self._post("sync", tuple(paths))

    def sync_with(self, listing: Callable[[], Iterable[str]]) -> None:
        """``sync(listing())``, the listing made on the provider's thread (it may walk the disk)."""
        self._post("list", listing)

    def document_checked(self, path: str, facts: FileFacts, quiet: Collection[str] = ()) -> None:
        """An open document's facts, from its live text (on the thread that checked it); listeners
        hear of changed findings except in ``quiet`` files (the document being checked shows its own)."""
        with self._lock:
            self._open.add(path)
        self._changed(self.table.update([facts]) - set(quiet))

    def first_facts_later(self, path: str, read: Callable[[], FileFacts]) -> None:
        """An opened document's first facts from its live text, ``read()`` on this provider's
        thread once the server is not busy (0.5 s at 20,000 tasks: not part of its first check).
        Listeners then hear of its changed findings; its next check patches these facts. The
        newest ``read`` of a path wins; none is read once the document has live facts."""
        with self._lock:
            self._open.add(path)
            first = path not in self._first_facts
            self._first_facts[path] = read
        if first:
            self._post("first", path)

    def _read_first_facts(self, path: str) -> None:
        with self._lock:
            read = self._first_facts.pop(path, None)
        if read is None or not self._is_open(path) or _live(self.table.facts(path)):
            return
        with checkpoint.hooked(giving_way(self._server_busy)) if self._server_busy is not None else contextlib.nullcontext():
            facts = read()
        with self._lock:  # not over newer facts of a check, nor for a document closed meanwhile
            if path not in self._open or _live(self.table.facts(path)):
                return
        self._changed(self.table.update([facts]))

    def facts_read(self, batch: list[tuple[str, FileFacts, tuple[int, int]]], more: bool = False) -> None:
        """Unopened files' facts, read with their summaries by the workspace index (path, facts, the
        ``stat_key`` they were read at): a sync then finds them current and reads them no more.
        The table takes them on this provider's thread once no ``more`` are coming (the cross-file
        findings of the whole workspace are computed again with every update of the table)."""
        with self._lock:
            for _, facts, stat in batch:
                if facts.path not in self._open:  # (the facts' path is absolute, as the table's)
                    self._known[facts.path] = stat
                    self._taken[facts.path] = facts
        if not more:
            self._post("take", None)

    def _take(self) -> None:
        with self._lock:
            taken, self._taken = self._taken, {}
            facts = [value for path, value in taken.items() if path not in self._open]
        if facts:
            self._changed(self.table.update(facts))

    def document_opened(self, path: str) -> None:
        """The editor opened a document: its facts come from its live text when it is checked, never
        from the disk's copy (which would be read and parsed a second time)."""
        with self._lock:
            self._open.add(path)

    def file_changed(self, path: str) -> None:
        """A file was created, changed or deleted on disk."""
        self._post("sync_one", path)

    def document_closed(self, path: str) -> None:
        with self._lock:
            self._open.discard(path)
            self._first_facts.pop(path, None)
            self._known.pop(path, None)
        self._post("sync_one", path)

    def stop(self) -> None:
        self._worker.stop()

    # --- the thread ----------------------------------------------------------------------------

    def _post(self, kind: str, value: Any) -> None:
        self._worker.post((kind, value))

    def _run(self, job: tuple[str, Any]) -> None:
        kind, value = job
        try:
            if kind == "sync":
                self._sync(value)
            elif kind == "list":
                self._sync(tuple(value()))
            elif kind == "take":
                self._take()
            elif kind == "first":
                self._read_first_facts(value)
            else:
                self._sync_one(value)
        finally:
            if kind in ("sync", "list"):
                self.syncs_finished += 1

    def _is_open(self, path: str) -> bool:
        with self._lock:
            return path in self._open

    def _sync(self, paths: tuple[str, ...]) -> None:
        wanted = set(paths)
        with self._lock:
            gone = [path for path in self._known if path not in wanted and path not in self._open]
            for path in gone:
                del self._known[path]
        self._changed(self.table.update(removed=gone))
        # The table takes the whole sync at once: the cross-file findings are computed again with
        # every update, so updating per file would cost the square of the workspace's size.
        batch: list[FileFacts] = []
        for path in paths:
            if self._stopped.is_set():
                return
            facts = self._read_if_changed(path)
            if facts is not None:
                batch.append(facts)
        self._changed(self.table.update(batch))

    def _sync_one(self, path: str) -> None:
        facts = self._read_if_changed(path)
        if facts is not None:
            self._changed(self.table.update([facts]))
        elif not os.path.isfile(path):
            self._changed(self.table.update(removed=[path]))

    def _read_if_changed(self, path: str) -> FileFacts | None:
        if self._is_open(path):
            return None
        key = stat_key(path)
        if key is None or self._known.get(path) == key:
            return None
        settings, project = self._settings_for(path)
        backlog = read_backlog(path, getattr(settings, "max_file_size", 0))
        if backlog is None or self._is_open(path):
            return None
        facts = facts_of(backlog, path, project, settings)
        with self._lock:
            self._known[path] = key
        return facts

    def _changed(self, paths: set[str]) -> None:
        if paths and self._on_change is not None:
            try:
                self._on_change(paths)
            except Exception:
                logger.exception("A workspace facts listener failed")

    # --- workspace diagnostics -----------------------------------------------------------------

    def unopened_findings(self, paths: Iterable[str], check: Check, generation: int) -> list[FileReport]:
        """Every unopened file's findings (its own and the cross-file ones); see the module docstring.

        ``generation`` names the settings the findings depend on: another one checks again.
        """
        reports = []
        for path in paths:
            if self._is_open(path) or self._stopped.is_set():
                continue
            report = self._report(path, check, generation)
            if report is not None:
                reports.append(report)
        return reports

    def _report(self, path: str, check: Check, generation: int) -> FileReport | None:
        stat = stat_key(path)
        if stat is None:
            return None
        across = self.table.findings(path)
        key = (stat, generation)
        cached = self._reports.get(path)
        if cached is not None and cached[0] == key:
            own = cached[1]
        else:
            settings, _ = self._settings_for(path)
            backlog = read_backlog(path, getattr(settings, "max_file_size", 0))
            if backlog is None:
                return None
            try:
                found = tuple(check(path, backlog, settings))
            except Exception:
                logger.exception("Could not check %s", path)
                return None
            own = FileReport(path, f"{stat[0]}.{stat[1]}.{generation}", found, _lines_of(found, backlog.lines))
            self._reports[path] = (key, own)
        if not across:
            return own
        facts = self.table.facts(path)
        lines = _KeptLines({**(facts.line_texts() if facts else {}), **own.lines.kept}, len(own.lines))
        findings = tuple(sorted((*own.findings, *across), key=lambda finding: (finding.span, finding.code)))
        return FileReport(path, f"{own.result_id}.{self.table.generation}", findings, lines)


def _lines_of(findings: Iterable[Finding], source: Sequence[str]) -> _KeptLines:
    """The lines ``findings`` touch, from ``source``."""
    kept: dict[int, str] = {}
    for finding in findings:
        numbers = {finding.span.start_line, finding.span.end_line}
        for fix in finding.fixes:
            for edit in fix.edits:
                numbers.update((edit.span.start_line, edit.span.end_line))
        for other in finding.related:
            if other.path is None:
                numbers.update((other.span.start_line, other.span.end_line))
        for number in numbers:
            if 0 <= number < len(source) and number not in kept:
                kept[number] = source[number]
    return _KeptLines(kept, len(source))
