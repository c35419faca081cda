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
    """A summary, its path, and its mentions and tasks by key (built when the summary is stored,
    on the indexing thread, so that the first lookup on the loop finds them ready; for an open
    document being edited, on the first lookup, since most of its summaries are never looked up)."""

    __slots__ = ("summary", "path", "keys", "_mentions", "_tasks")

    def __init__(self, summary: FileSummary, path: str | None, live: bool = False):
        self.summary = summary
        self.path = path
        self.keys = _keys(summary)  # the task keys and issue numbers the file mentions
        self._mentions: dict[str | int, list[Mention]] | None = None  # task key or issue number ->
        self._tasks: dict[str | int, list[TaskEntry]] | None = None  # ... tasks named by it / naming it
        if not live:
            self.mentions("")
            self.tasks("")

    def mentions(self, key: str | int) -> list[Mention]:
        if self._mentions is None:
            table: dict[str | int, list[Mention]] = {}
            for mention in self.summary.mentions:
                found = mention.key if mention.kind == TASK else mention.key.number  # type: ignore[union-attr]
                table.setdefault(found, []).append(mention)
            self._mentions = table
        return self._mentions.get(key, [])

    def tasks(self, key: str | int) -> list[TaskEntry]:
        if self._tasks is None:
            table: dict[str | int, list[TaskEntry]] = {}
            for task in self.summary.tasks:
                if task.key is not None:
                    table.setdefault(task.key, []).append(task)
                for number in {issue.number for issue in task.issues}:
                    table.setdefault(number, []).append(task)
            self._tasks = table
        return self._tasks.get(key, [])


def _keys(summary: FileSummary) -> tuple[tuple, tuple]:
    if summary.base is not None:  # a live summary counts them as it is patched
        tasks, issues = summary.base.key_counts
        return tuple(tasks), tuple(issues)
    tasks, issues = set(), set()
    for mention in summary.mentions:
        if mention.kind == TASK:
            tasks.add(mention.key)
        elif mention.kind == ISSUE:
            issues.add(mention.key.number)  # type: ignore[union-attr]
    return tuple(tasks), tuple(issues)  # tuples: a set costs four times the memory


def _changed_keys(old: FileSummary, new: FileSummary) -> tuple[tuple[tuple, tuple], tuple[tuple, tuple]] | None:
    """The keys that came and went from ``old`` to ``new``, when ``new`` was patched from ``old``
    (``summarize(previous=...)`` counted them); else None."""
    changes = new.base.key_changes if new.base is not None else None
    if changes is None or old.base is None or changes[0]() is not old.base:
        return None
    return changes[1], changes[2]


def _keys_compared(old: tuple[tuple, tuple], new: tuple[tuple, tuple]) -> tuple[tuple[tuple, tuple], tuple[tuple, tuple]]:
    """The task keys and issue numbers in ``new`` and not in ``old``, and those gone."""
    added, gone = [], []
    for before, after in zip(old, new):
        before, after = set(before), set(after)
        added.append(tuple(after - before))
        gone.append(tuple(before - after))
    return (added[0], added[1]), (gone[0], gone[1])


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

    def update(self, uri: str, summary: FileSummary, path: str | None = None, *, live: bool = False) -> None:
        """Store (or replace) the summary of ``uri``. ``live``: an open document's, replaced again at
        the next pause in typing: its lookup tables and words are built when first asked for."""
        record = _Record(summary, path, live)
        with self._lock:
            old = self._records.get(uri)
            if old is None:
                self._map(uri, record.keys)
            else:  # only the keys that came or went: an edit changes few of a file's thousands
                added, gone = _changed_keys(old.summary, summary) or _keys_compared(old.keys, record.keys)
                self._unmap(uri, gone)
                self._map(uri, added)
            self._records[uri] = record
            self._search.add(uri, summary, later=live)
            self.generation += 1

    def remove(self, uri: str) -> bool:
        """Forget ``uri`` (deleted, or no longer a backlog); True when it was indexed."""
        with self._lock:
            old = self._records.pop(uri, None)
            if old is None:
                return False
            self._unmap(uri, old.keys)
            self._search.remove(uri)
            self.generation += 1
            return True

    def _map(self, uri: str, keys: tuple[tuple, tuple]) -> None:
        # Lists of URIs, not sets: most keys are in one or two files, and a set costs four times
        # the memory of a short list.
        tasks, issues = keys
        for key in tasks:
            self._task_files.setdefault(key, []).append(uri)
        for number in issues:
            self._issue_files.setdefault(number, []).append(uri)

    def _unmap(self, uri: str, keys: tuple[tuple, tuple]) -> None:
        for table, found in zip((self._task_files, self._issue_files), keys):
            for key in found:
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

    def _records_of(self, uris: Iterable[str]) -> Iterator[tuple[str, _Record]]:
        records = self._records
        for uri in sorted(uris):
            record = records.get(uri)
            if record is not None:
                yield uri, record

    def task_definitions(self, task_id: str) -> list[Hit]:
        """The tasks named by ``task_id`` ("Task 2.3", any spelling), in every file."""
        key = task_key(task_id)
        return [
            Hit(uri, task, record.summary)
            for uri, record in self._records_of(self._task_files.get(key, ()))
            for task in record.tasks(key)
            if task.key == key
        ]

    def task_mentions(self, task_id: str) -> list[Hit]:
        """Every occurrence of ``task_id``: the names of the tasks (``defines``) and the mentions."""
        key = task_key(task_id)
        return [
            Hit(uri, mention, record.summary)
            for uri, record in self._records_of(self._task_files.get(key, ()))
            for mention in record.mentions(key)
        ]

    def issue_mentions(self, issue: IssueKey) -> list[Hit]:
        """Every reference to ``issue`` (``#12``, ``Issue #12``, ``owner/repo#12``, its URL) in every file."""
        return [
            Hit(uri, mention, record.summary)
            for uri, record in self._records_of(self._issue_files.get(issue.number, ()))
            for mention in record.mentions(issue.number)
            if issue.matches(mention.key)  # type: ignore[arg-type]
        ]

    def issue_tasks(self, issue: IssueKey) -> list[Hit]:
        """The tasks that name ``issue`` as their own (not those that only mention it)."""
        return [
            Hit(uri, task, record.summary)
            for uri, record in self._records_of(self._issue_files.get(issue.number, ()))
            for task in record.tasks(issue.number)
            if any(issue.matches(own) for own in task.issues)
        ]

    def symbols(self, query: str, limit: int = 256) -> list[SymbolHit]:
        """Sections and tasks whose words, task ID or issue number match ``query``, best first
        (``search.py`` says how); an empty query lists everything, in file order, up to ``limit``."""
        with self._lock:  # the vocabulary must not change under the search
            found = self._search.search(query, limit)
        return [SymbolHit(score, uri, entry, summary) for score, uri, entry, summary in found]
