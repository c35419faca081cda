"""The workspace index: every backlog of the workspace, summarised, for navigation and cross-file rules.

A domain room beside ``workspace.py`` (which holds the open documents' full models):
pure values and lookups, no IO and no LSP. ``providers/workspace_index.py`` fills it
from disk and from open documents; ``features/navigation.py`` answers from it.

API (positions are code points, as in the model):

- ``summarize(backlog, live=True) -> FileSummary``: what is kept of one file (built block by block,
  each block's part remembered across edits and moves when ``live``: an open document's):
  ``sections`` (``SectionEntry``: title, level, anchor, span, heading_span, title_span, number),
  ``tasks`` (``TaskEntry``: text, state, span, text_span, is_heading, task_id, id_span, issues,
  section; ``key`` is the normalised ID), ``mentions`` (``Mention``: kind ``TASK`` | ``ISSUE``,
  key, span, text, defines), ``links`` (``LinkEntry``), ``html_anchors``, ``anchors`` (all);
  ``span_lines`` is the ``lines`` argument ``convert`` needs to turn its spans into client ranges;
  ``mention_at(line, column)``, ``task_mentions(key)``, ``issue_mentions(issue_key)``, ``task_named(key)``.
- ``task_key("Task  2.3") == "task 2.3"``; ``IssueKey(number, repo, project)`` with ``matches``;
  ``issue_key(model.IssueRef)``.
- ``WorkspaceIndex``: ``update(uri, summary, path=None)`` replaces one file's summary, ``remove(uri)``,
  ``get(uri)``, ``path_of(uri)``, ``files()``, ``len``/``in``, ``generation`` (moves on with each change);
  lookups return ``Hit(uri, entry, summary)``: ``task_definitions(task_id)``, ``task_mentions(task_id)``
  (definitions included, ``entry.defines`` tells them apart), ``issue_mentions(IssueKey)``,
  ``issue_tasks(IssueKey)`` (tasks naming the issue as their own); ``symbols(query, limit)`` ->
  ``SymbolHit(score, uri, entry, summary)`` best first, fuzzy over words, task IDs and issue numbers.

Memory: a summary holds tuples of small frozen values and only the non-ASCII lines that
carry an entry; no model, no text.
"""

from .index import Hit, SymbolHit, WorkspaceIndex
from .summary import (
    ISSUE,
    TASK,
    FileSummary,
    IssueKey,
    LinkEntry,
    Mention,
    SectionEntry,
    SparseLines,
    TaskEntry,
    issue_key,
    summarize,
    task_key,
)

__all__ = [
    "ISSUE",
    "TASK",
    "FileSummary",
    "Hit",
    "IssueKey",
    "LinkEntry",
    "Mention",
    "SectionEntry",
    "SparseLines",
    "SymbolHit",
    "TaskEntry",
    "WorkspaceIndex",
    "issue_key",
    "summarize",
    "task_key",
]
