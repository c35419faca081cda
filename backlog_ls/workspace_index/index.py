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

import heapq
import re
import threading
from collections.abc import Iterable, Iterator

import attrs

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
    """A summary with what searching it needs, computed once when it is stored."""

    __slots__ = ("summary", "path", "searchable", "haystack")

    def __init__(self, summary: FileSummary, path: str | None):
        self.summary = summary
        self.path = path
        self.searchable: list[tuple[str, TaskEntry | SectionEntry]] = []
        # A heading written as a task is listed once, as the task.
        heading_tasks = {task.span.start_line for task in summary.tasks if task.is_heading}
        for section in summary.sections:
            if section.heading_span.start_line not in heading_tasks:
                self.searchable.append((section.title.casefold(), section))
        for task in summary.tasks:
            words = task.text.casefold()
            if task.issues:
                words += " " + " ".join(issue.label.casefold() for issue in task.issues)
            self.searchable.append((words, task))
        self.haystack = "\n".join(words for words, _ in self.searchable)


class WorkspaceIndex:
    """Summaries by URI, with lookups by task ID, issue and words; safe across threads."""

    def __init__(self) -> None:
        self._records: dict[str, _Record] = {}
        self._task_files: dict[str, set[str]] = {}  # task key -> URIs mentioning or defining it
        self._issue_files: dict[int, set[str]] = {}  # issue number -> URIs mentioning it
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
            self.generation += 1

    def remove(self, uri: str) -> bool:
        """Forget ``uri`` (deleted, or no longer a backlog); True when it was indexed."""
        with self._lock:
            old = self._records.pop(uri, None)
            if old is None:
                return False
            self._unmap(uri, old.summary)
            self.generation += 1
            return True

    def _map(self, uri: str, summary: FileSummary) -> None:
        for mention in summary.mentions:
            if mention.kind == TASK:
                self._task_files.setdefault(mention.key, set()).add(uri)  # type: ignore[arg-type]
            elif mention.kind == ISSUE:
                self._issue_files.setdefault(mention.key.number, set()).add(uri)  # type: ignore[union-attr]

    def _unmap(self, uri: str, summary: FileSummary) -> None:
        for mention in summary.mentions:
            table: dict = self._task_files if mention.kind == TASK else self._issue_files
            key = mention.key if mention.kind == TASK else mention.key.number  # type: ignore[union-attr]
            uris = table.get(key)
            if uris is not None:
                uris.discard(uri)
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
        """Sections and tasks whose words, task ID or issue number match ``query``, best first.

        Every word of the query must match: as a word of the entry (best), the start of
        one, inside one, or as its letters in order (fuzzy, "prsr" finds "parser").
        An empty query lists everything, in file order.
        """
        tokens = query.casefold().split()
        records = dict(self._records)
        found: list[tuple[float, int, str, TaskEntry | SectionEntry, FileSummary]] = []
        if not tokens:
            for uri in sorted(records):
                record = records[uri]
                for _, entry in record.searchable:
                    found.append((0.0, len(found), uri, entry, record.summary))
                    if len(found) >= limit:
                        return [SymbolHit(0.0, u, e, s) for _, _, u, e, s in found]
            return [SymbolHit(0.0, u, e, s) for _, _, u, e, s in found]
        patterns = [_token_pattern(token) for token in tokens]
        order = 0
        for uri in sorted(records):
            record = records[uri]
            haystack = record.haystack
            if not all(token in haystack if pattern is None else pattern.search(haystack) for pattern, token in patterns):
                continue
            for words, entry in record.searchable:
                score = _score(words, entry, patterns)
                if score > 0:
                    order += 1
                    found.append((score, -order, uri, entry, record.summary))
        best = heapq.nlargest(limit, found, key=lambda hit: (hit[0], hit[1]))
        return [SymbolHit(score, uri, entry, summary) for score, _, uri, entry, summary in best]


def _token_pattern(token: str) -> tuple[re.Pattern[str] | None, str]:
    """A regular expression finding ``token``'s characters in order (the loosest match), and the token.

    A token with a digit is a number ("3.2", "#12") and matches only as written: "3.2" is not
    in "3.1 ... 2.3"."""
    if any(char.isdigit() for char in token):
        return None, token
    return re.compile(".*?".join(re.escape(char) for char in token)), token


def _score(words: str, entry: TaskEntry | SectionEntry, patterns: list[tuple[re.Pattern[str] | None, str]]) -> float:
    total = 0.0
    task_number = None
    issue_numbers: tuple[str, ...] = ()
    if isinstance(entry, TaskEntry):
        if entry.task_id is not None:
            task_number = entry.task_id.split()[-1].casefold().lstrip("t-")
        issue_numbers = tuple(str(issue.number) for issue in entry.issues)
    for pattern, token in patterns:
        at = words.find(token)
        if task_number is not None and token.lstrip("t-") == task_number:
            score = 100.0
        elif token.lstrip("#") in issue_numbers:
            score = 50.0
        elif at >= 0:
            start = at == 0 or not words[at - 1].isalnum()
            end = at + len(token) == len(words) or not words[at + len(token)].isalnum()
            score = 10.0 + (10.0 if start else 0.0) + (10.0 if start and end else 0.0)
        elif pattern is not None and pattern.search(words) is not None:
            score = 1.0
        else:
            return 0.0
        total += score
    # Of equal matches, the shorter (more specific) name first; sections a little before tasks.
    return total + 1.0 / (1 + len(words)) + (0.5 if isinstance(entry, SectionEntry) else 0.0)
