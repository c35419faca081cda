"""Workspace symbol search: sections and tasks found by the words of their text, their ID or issue number.

An inverted index of words: each file's entries are split into words ("Task 2.3 (#12):
Parse" -> task, 2.3, #12, parse), and each distinct word of the workspace knows the
files holding it. A query word is looked up in that vocabulary, not in every entry:
it matches a word exactly (best), at its start, inside it, or as its letters in order
(fuzzy: "prsr" finds "parser"; not for numbers, "3.2" is not "3.1 ... 2"). An entry
must match every query word; its score adds the best match of each, a large bonus when
a query word is the entry's own task number or issue, and a small one for a short name.

Thread safety is the index's: ``add`` and ``remove`` run under its lock.
"""

from __future__ import annotations

import heapq
import re
import sys
from array import array
from .summary import FileSummary, SectionEntry, TaskEntry

Entry = TaskEntry | SectionEntry

_WORD = re.compile(r"#?\w+(?:\.\w+)*")
_ID_TAIL = re.compile(r"[\s-]")

EXACT, PREFIX, INSIDE, FUZZY = 30.0, 20.0, 10.0, 1.0
OWN_ID = 100.0  # the query names the task's own ID ("2.3", "T10")
OWN_ISSUE = 50.0  # ... or an issue the task names as its own ("#12", "12")


def entries_of(summary: FileSummary) -> list[Entry]:
    """What a file offers as symbols: its sections and tasks, a heading task once (as the task)."""
    heading_tasks = {task.span.start_line for task in summary.tasks if task.is_heading}
    found: list[Entry] = [s for s in summary.sections if s.heading_span.start_line not in heading_tasks]
    found.extend(summary.tasks)
    return found


class _FileWords:
    """One file's entries and their words, kept small: words are shared strings across files,
    positions tuples, the length bonus an array of floats."""

    __slots__ = ("summary", "entries", "words", "bonus", "own_ids", "own_issues")

    def __init__(
        self,
        summary: FileSummary,
        known: dict[str, tuple[str, ...]] | None = None,
        seen: dict[str, tuple[str, ...]] | None = None,
    ):
        self.summary = summary
        self.entries = entries_of(summary)
        words: dict[str, list[int]] = {}  # word -> positions in ``entries``
        self.bonus = array("f")  # of each entry: shorter names first, sections before tasks
        self.own_ids: dict[int, str] = {}  # entry -> its own task number ("2.3", "10" for T10)
        self.own_issues: dict[int, tuple[str, ...]] = {}  # entry -> the numbers of its own issues
        # The words of each text: ``known`` from the file's last read (after an edit, only the edited
        # entries' are found again), ``seen`` told this read's.
        known = known or {}
        for position, entry in enumerate(self.entries):
            text = entry.title if isinstance(entry, SectionEntry) else entry.text
            found = known.get(text)
            if found is None:
                found = tuple(sys.intern(word) for word in set(_WORD.findall(text.casefold())))
            if seen is not None:
                seen[text] = found
            for word in found:
                positions = words.get(word)
                if positions is None:
                    words[word] = [position]
                else:
                    positions.append(position)
            self.bonus.append(1.0 / (1 + len(text)) + (0.5 if isinstance(entry, SectionEntry) else 0.0))
            if isinstance(entry, TaskEntry):
                if entry.task_id is not None:
                    # "Task 2.3" -> 2.3, "T10" -> 10, "CORE-01.1" -> 01.1 (the query "CORE-01.1" is "core", "01.1")
                    self.own_ids[position] = _ID_TAIL.split(entry.task_id)[-1].casefold().lstrip("t-")
                if entry.issues:
                    self.own_issues[position] = tuple(str(issue.number) for issue in entry.issues)
        self.words = {word: tuple(positions) for word, positions in words.items()}


class SymbolSearch:
    """The words of every file. A file given to ``add`` is read on the next ``search`` (``_flush``):
    an open document summarised again after each pause in typing costs nothing until someone
    searches, and then only that file is read again (the words of its unchanged texts reused)."""

    def __init__(self) -> None:
        self._files: dict[str, _FileWords] = {}
        # word -> URIs holding it. Lists, not sets: most words are in a few files, and a set costs
        # four times the memory; removing one file is then linear in a word's files, still small.
        self._word_files: dict[str, list[str]] = {}
        self._matches: dict[str, list[tuple[str, float]]] = {}  # query word -> vocabulary words, score
        self._pending: dict[str, FileSummary] = {}  # URI -> its newest summary, not read yet
        self._known: dict[str, dict[str, tuple[str, ...]]] = {}  # URI -> its texts' words, for the next read

    def add(self, uri: str, summary: FileSummary, *, later: bool = False) -> None:
        """Take a file's summary; ``later`` (an open document being edited): read its words on the
        next search, not now, and keep the words of its texts for the read after that."""
        if later:
            self._pending[uri] = summary
            return
        self._pending.pop(uri, None)
        self._known.pop(uri, None)
        self._read(uri, summary)

    def remove(self, uri: str) -> None:
        """Forget ``uri``."""
        self._pending.pop(uri, None)
        self._known.pop(uri, None)
        self._drop(uri)

    def _read(self, uri: str, summary: FileSummary, known=None, seen=None) -> None:
        self._drop(uri)
        words = self._files[uri] = _FileWords(summary, known, seen)
        for word in words.words:
            self._word_files.setdefault(word, []).append(uri)
        self._matches.clear()

    def _flush(self) -> None:
        pending, self._pending = self._pending, {}
        for uri, summary in pending.items():
            # Only the texts the file holds now are kept: a long session of edits piles up nothing.
            seen: dict[str, tuple[str, ...]] = {}
            self._read(uri, summary, self._known.get(uri), seen)
            self._known[uri] = seen

    def _drop(self, uri: str) -> None:
        old = self._files.pop(uri, None)
        if old is None:
            return
        for word in old.words:
            uris = self._word_files.get(word)
            if uris is not None:
                uris.remove(uri)
                if not uris:
                    del self._word_files[word]
        self._matches.clear()

    def _vocabulary_matches(self, token: str) -> list[tuple[str, float]]:
        cached = self._matches.get(token)
        if cached is not None:
            return cached
        vocabulary = list(self._word_files)
        found = [(word, EXACT if word == token else PREFIX if word.startswith(token) else INSIDE) for word in vocabulary if token in word]
        if not found and not any(char.isdigit() for char in token):
            fuzzy = re.compile(r"\w*?".join(re.escape(char) for char in token))
            found = [(word, FUZZY) for word in vocabulary if fuzzy.search(word)]
        if len(self._matches) > 256:
            self._matches.clear()
        self._matches[token] = found
        return found

    def search(self, query: str, limit: int) -> list[tuple[float, str, Entry, FileSummary]]:
        if self._pending:
            self._flush()
        tokens = [token for token in dict.fromkeys(_WORD.findall(query.casefold()))]
        if not tokens:
            return self._everything(limit) if not query.strip() else []
        matches = {token: self._vocabulary_matches(token) for token in tokens}
        word_files = self._word_files
        # The rarest word first: the others then only narrow what it found.
        cost = {token: sum(len(word_files.get(word, ())) for word, _ in found) for token, found in matches.items()}
        scores: dict[tuple[str, int], float] | None = None
        for token in sorted(tokens, key=cost.__getitem__):
            if scores is None:
                scores = self._postings(matches[token])
            elif len(scores) < cost[token]:
                scores = self._narrowed(scores, matches[token])
            else:
                here = self._postings(matches[token])
                scores = {key: value + here[key] for key, value in scores.items() if key in here}
            if not scores:
                return []
        assert scores is not None
        files = self._files
        # Of equal scores, files in URI order and entries in document order (negated for nlargest).
        rank = {uri: -order for order, uri in enumerate(sorted(files))}
        if any(char.isdigit() for token in tokens for char in token):
            self._add_own_bonus(scores, tokens)
        ranked = [
            (score + files[uri].bonus[position], rank[uri], -position, uri, position)
            for (uri, position), score in scores.items()
        ]
        return [
            (score, uri, files[uri].entries[position], files[uri].summary)
            for score, _, _, uri, position in heapq.nlargest(limit, ranked)
        ]

    def _postings(self, matches: list[tuple[str, float]]) -> dict[tuple[str, int], float]:
        """Every entry holding one of the words, with the best word's score."""
        found: dict[tuple[str, int], float] = {}
        files = self._files
        for word, score in sorted(matches, key=lambda match: match[1]):  # a better score overwrites
            keys = [(uri, position) for uri in self._word_files.get(word, ()) for position in files[uri].words[word]]
            found.update(dict.fromkeys(keys, score))
        return found

    def _narrowed(self, scores: dict[tuple[str, int], float], matches: list[tuple[str, float]]) -> dict[tuple[str, int], float]:
        """The entries of ``scores`` that also hold one of the words, their scores added: by reading
        the few entries, not the words' many postings."""
        best = dict(matches)
        files = self._files
        narrowed = {}
        for key, value in scores.items():
            entry = files[key[0]].entries[key[1]]
            text = (entry.title if isinstance(entry, SectionEntry) else entry.text).casefold()
            score = max((best.get(word, 0.0) for word in _WORD.findall(text)), default=0.0)
            if score:
                narrowed[key] = value + score
        return narrowed

    def _add_own_bonus(self, scores: dict[tuple[str, int], float], tokens: list[str]) -> None:
        """A query naming a task's own ID or issue puts that task first."""
        as_ids = {token.lstrip("t-") for token in tokens}
        as_issues = {token.lstrip("#") for token in tokens}
        files = self._files
        for key in scores:
            words = files[key[0]]
            if words.own_ids.get(key[1]) in as_ids:
                scores[key] += OWN_ID
            elif not as_issues.isdisjoint(words.own_issues.get(key[1], ())):
                scores[key] += OWN_ISSUE

    def _everything(self, limit: int) -> list[tuple[float, str, Entry, FileSummary]]:
        if self._pending:
            self._flush()
        found = []
        for uri in sorted(self._files):
            words = self._files[uri]
            for entry in words.entries:
                if len(found) >= limit:
                    return found
                found.append((0.0, uri, entry, words.summary))
        return found

