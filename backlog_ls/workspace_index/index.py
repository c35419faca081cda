"""The workspace index: a ``FileSummary`` per backlog file, and the lookups navigation needs.

One writer at a time (the provider's thread, or the loop after an edit) replaces a
file's summary with ``update``; readers on any thread see either the old or the new
summary of a file, never half of one. Lookups go through reverse maps (task ID ->
files, issue number -> files), so a references request looks only at the files that
hold the key, whatever the size of the workspace.

Results are ``Hit`` values: a URI with one entry of that file's summary (and the
summary itself, whose ``span_lines`` convert its spans for the client).
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator

import attrs

from .search import SymbolSearch
from .summary import ISSUE, TASK, FileSummary, IssueKey, Mention, SectionEntry, TaskEntry, task_key


@attrs.frozen
class Hit:
    """One entry of one file: a ``TaskEntry``, ``SectionEntry`` or ``Mention``."""

    uri: str
    entry: TaskEntry | SectionEntry | Mention
    summary: FileSummary = attrs.field(eq=False, repr=False)


@attrs.frozen
class SymbolHit:
    """A workspace symbol match: ``score`` higher is better."""

    score: float
    uri: str
    entry: TaskEntry | SectionEntry
    summary: FileSummary = attrs.field(eq=False, repr=False)


class _Record:
    __slots__ = ("summary", "path")

    def __init__(self, summary: FileSummary, path: str | None):
        self.summary = summary
        self.path = path


class WorkspaceIndex:
    """Summaries by URI, with lookups by task ID, issue and words; safe across threads."""

    def __init__(self) -> None:
        self._records: dict[str, _Record] = {}
        self._task_files: dict[str, list[str]] = {}  # task key -> URIs mentioning or defining it
        self._issue_files: dict[int, list[str]] = {}  # issue number -> URIs mentioning it
        self._search = SymbolSearch()
        self._lock = threading.Lock()
        self.generation = 0  # moves on with every change: a cache of derived answers can compare it

    # --- filling -------------------------------------------------------------------------------

    def update(self, uri: str, summary: FileSummary, path: str | None = None) -> None:
        """Store (or replace) the summary of ``uri``."""
        record = _Record(summary, path)
        with self._lock:
            old = self._records.get(uri)
            if old is not None:
                self._unmap(uri, old.summary)
            self._records[uri] = record
            self._map(uri, summary)
            self._search.add(uri, summary)
            self.generation += 1

    def remove(self, uri: str) -> bool:
        """Forget ``uri`` (deleted, or no longer a backlog); True when it was indexed."""
        with self._lock:
            old = self._records.pop(uri, None)
            if old is None:
                return False
            self._unmap(uri, old.summary)
            self._search.remove(uri)
            self.generation += 1
            return True

    @staticmethod
    def _keys(summary: FileSummary) -> tuple[set, set]:
        tasks, issues = set(), set()
        for mention in summary.mentions:
            if mention.kind == TASK:
                tasks.add(mention.key)
            elif mention.kind == ISSUE:
                issues.add(mention.key.number)  # type: ignore[union-attr]
        return tasks, issues

    def _map(self, uri: str, summary: FileSummary) -> None:
        # Lists of URIs, not sets: most keys are in one or two files, and a set costs four times
        # the memory of a short list.
        tasks, issues = self._keys(summary)
        for key in tasks:
            self._task_files.setdefault(key, []).append(uri)
        for number in issues:
            self._issue_files.setdefault(number, []).append(uri)

    def _unmap(self, uri: str, summary: FileSummary) -> None:
        tasks, issues = self._keys(summary)
        for table, keys in ((self._task_files, tasks), (self._issue_files, issues)):
            for key in keys:
                uris = table.get(key)
                if uris is not None and uri in uris:
                    uris.remove(uri)
                    if not uris:
                        del table[key]

    # --- reading -------------------------------------------------------------------------------

    def __len__(self) -> int:
        return len(self._records)

    def __contains__(self, uri: object) -> bool:
        return uri in self._records

    def get(self, uri: str) -> FileSummary | None:
        record = self._records.get(uri)
        return record.summary if record is not None else None

    def path_of(self, uri: str) -> str | None:
        record = self._records.get(uri)
        return record.path if record is not None else None

    def files(self) -> list[tuple[str, FileSummary]]:
        """Every indexed file, sorted by URI (a stable order for results)."""
        records = dict(self._records)
        return [(uri, records[uri].summary) for uri in sorted(records)]

    def _summaries(self, uris: Iterable[str]) -> Iterator[tuple[str, FileSummary]]:
        records = self._records
        for uri in sorted(uris):
            record = records.get(uri)
            if record is not None:
                yield uri, record.summary

    def task_definitions(self, task_id: str) -> list[Hit]:
        """The tasks named by ``task_id`` ("Task 2.3", any spelling), in every file."""
        key = task_key(task_id)
        return [
            Hit(uri, task, summary)
            for uri, summary in self._summaries(self._task_files.get(key, ()))
            for task in summary.tasks
            if task.key == key
        ]

    def task_mentions(self, task_id: str) -> list[Hit]:
        """Every occurrence of ``task_id``: the names of the tasks (``defines``) and the mentions."""
        key = task_key(task_id)
        return [
            Hit(uri, mention, summary)
            for uri, summary in self._summaries(self._task_files.get(key, ()))
            for mention in summary.task_mentions(key)
        ]

    def issue_mentions(self, issue: IssueKey) -> list[Hit]:
        """Every reference to ``issue`` (``#12``, ``Issue #12``, ``owner/repo#12``, its URL) in every file."""
        return [
            Hit(uri, mention, summary)
            for uri, summary in self._summaries(self._issue_files.get(issue.number, ()))
            for mention in summary.issue_mentions(issue)
        ]

    def issue_tasks(self, issue: IssueKey) -> list[Hit]:
        """The tasks that name ``issue`` as their own (not those that only mention it)."""
        return [
            Hit(uri, task, summary)
            for uri, summary in self._summaries(self._issue_files.get(issue.number, ()))
            for task in summary.tasks
            if any(issue.matches(own) for own in task.issues)
        ]

    def symbols(self, query: str, limit: int = 256) -> list[SymbolHit]:
        """Sections and tasks whose words, task ID or issue number match ``query``, best first
        (``search.py`` says how); an empty query lists everything, in file order, up to ``limit``."""
        with self._lock:  # the vocabulary must not change under the search
            found = self._search.search(query, limit)
        return [SymbolHit(score, uri, entry, summary) for score, uri, entry, summary in found]
