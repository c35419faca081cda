"""The cross-file rules' view of the workspace: every backlog's ``FileFacts``, and what the rules find in them.

A domain room beside ``workspace_index`` (navigation's view): pure state, no IO, no LSP.
``providers/workspace_facts.py`` fills it from disk for unopened files; the server sets
an open document's facts from its live text each time it is checked.

The cross-file findings are computed again whenever a file's facts change, and
``update`` answers which files' findings changed with it: a keystroke that moves a task
down a line changes the related information of the findings pointing at it, and only
those files are shown again. Facts that come back equal (most keystrokes touch no task
ID or issue) change nothing.
"""

from __future__ import annotations

import threading
from collections.abc import Collection, Iterable

from .rules import Finding
from .rules.across_files import FileFacts, check_across


class FactsTable:
    """Facts by absolute path; ``findings(path)`` the cross-file findings in that file. Thread-safe."""

    def __init__(self) -> None:
        self._facts: dict[str, FileFacts] = {}
        self._found: dict[str, tuple[Finding, ...]] = {}
        self._lock = threading.Lock()
        self.generation = 0  # moves on whenever some file's cross-file findings change

    def update(self, facts: Iterable[FileFacts] = (), removed: Iterable[str] = ()) -> set[str]:
        """Take new facts (and drop those of ``removed`` paths): the paths whose findings changed."""
        with self._lock:
            taken = []
            for value in facts:
                # Stored even when equal: an open document's newest facts are what its next are patched from.
                old, self._facts[value.path] = self._facts.get(value.path), value
                taken.append((old, value))
            dropped = [self._facts.pop(path, None) is not None for path in removed]
            if not self._found and not _shared(self._facts.values()):
                # No findings before, none now: nothing to compare (an open document's facts after
                # an Enter hold moved entries, made only when read: ``patching.Moved``).
                return set()
            if not any(dropped) and all(old == value for old, value in taken):
                return set()
            found = _findings_across(self._facts.values())
            moved = {path for path in found.keys() | self._found.keys() if found.get(path, ()) != self._found.get(path, ())}
            self._found = found
            if moved:
                self.generation += 1
            return moved

    def findings(self, path: str | None) -> tuple[Finding, ...]:
        if path is None:
            return ()
        with self._lock:
            return self._found.get(path, ())

    def facts(self, path: str) -> FileFacts | None:
        with self._lock:
            return self._facts.get(path)

    def paths(self) -> list[str]:
        with self._lock:
            return list(self._facts)

    def __len__(self) -> int:
        return len(self._facts)


def _findings_across(files: Collection[FileFacts]) -> dict[str, tuple[Finding, ...]]:
    """``check_across``'s findings, by path. A cross-file finding names two backlogs of a project
    (a file without one shares nothing): in a workspace of one backlog there are none, and the
    rules are not run through its thousands of tasks after every keystroke."""
    if not _shared(files):
        return {}
    return {path: tuple(findings) for path, findings in check_across(files).items()}


def _shared(files: Iterable[FileFacts]) -> bool:
    """Whether two backlogs of a project are among ``files``: what a cross-file finding takes."""
    return sum(1 for facts in files if facts.project is not None) >= 2
