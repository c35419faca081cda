"""Navigation over the workspace index: definition, references, highlights, rename, workspace symbols.

Pure: a ``WorkspaceIndex`` and the summary of the document under the cursor in,
plain values out (``Place``: a URI, a span and the lines that convert it for the client).

- A task ID ("Task 2.3", "T10", a heading task's ID): its definition is the task it
  names, in any file; its references are that name and every mention in the workspace.
- An issue (``#12``, ``Issue #12``, ``owner/repo#12``, an issue URL): its definition is
  the task that names it as its own; its references every citation across the workspace.
- Rename works on task IDs only: every occurrence of the same task follows (a file that
  names its own task with a shared ID keeps it: ``task_occurrences``); when only the
  number changes, only the digits are rewritten.
- A link to a heading (``[x](other.md#heading)``, ``[x](#heading)``): its definition is that
  heading; a heading's references are every link to it in the workspace, as marksman does.
- Workspace symbols: every section and task, found by words, ID or issue number.
"""

from __future__ import annotations

import os
import re
from collections.abc import Collection, Iterable, Mapping, Sequence

from urllib.parse import unquote

import attrs

from ..model import Span
from ..rules import Edit
from ..workspace_index import ISSUE, TASK, FileSummary, Hit, LinkEntry, Mention, SectionEntry, TaskEntry, WorkspaceIndex, task_key


@attrs.frozen
class Place:
    """A range in a file, with the lines ``convert`` reads to put it in the client's units."""

    uri: str
    span: Span
    lines: Sequence[str] = attrs.field(eq=False, repr=False)


@attrs.frozen
class Highlight:
    span: Span
    is_name: bool  # the task's own ID (or the issue a task names), not a mention


@attrs.frozen
class WorkspaceSymbol:
    name: str
    kind: str  # "section" | "task"
    detail: str | None  # a task's state ("open", "done", "in progress"), a section's level
    container: str | None  # the section holding a task
    place: Place


class RenameRefused(ValueError):
    """A rename that cannot be done; the message says why, for the user."""


def symbol_at(summary: FileSummary, line: int, column: int) -> Mention | None:
    """The task ID or issue reference at the cursor, or None."""
    return summary.mention_at(line, column)


def task_occurrences(index: WorkspaceIndex, task_id: str, uri: str | None) -> list[Hit]:
    """The occurrences of ``task_id`` that mean the task it means in the file ``uri``.

    Files may share an ID for different tasks (two specs each with their "T10"): a file that
    names a task with the ID means its own task; a file that does not means the one task
    named elsewhere. When several files name one and ``uri`` names none, nothing tells which
    is meant: every occurrence counts.
    """
    hits = index.task_mentions(task_id)
    namers = {hit.uri for hit in hits if hit.entry.defines}  # type: ignore[union-attr]
    if uri in namers:
        home = uri
    elif len(namers) == 1:
        home = next(iter(namers))
    else:
        return hits
    return [hit for hit in hits if hit.uri == home or hit.uri not in namers]


def definition(index: WorkspaceIndex, mention: Mention, uri: str | None = None) -> list[Place]:
    """Where the task (or the task naming the issue) is: its ID's span, or its first line.
    A task ID that the file ``uri`` names itself goes to that task only."""
    if mention.kind == TASK:
        hits = index.task_definitions(mention.text)
        if any(hit.uri == uri for hit in hits):
            hits = [hit for hit in hits if hit.uri == uri]
    else:
        hits = index.issue_tasks(mention.key)  # type: ignore[arg-type]
    places = []
    for hit in hits:
        task: TaskEntry = hit.entry  # type: ignore[assignment]
        span = task.id_span if mention.kind == TASK and task.id_span is not None else task.text_span
        places.append(Place(hit.uri, span, hit.summary.span_lines))
    return places


def references(
    index: WorkspaceIndex,
    mention: Mention,
    include_declaration: bool = True,
    uri: str | None = None,
) -> list[Place]:
    """Every occurrence of the issue, or of the task ID meaning the same task as in ``uri``
    (``task_occurrences``), in the workspace, by file; names only when asked."""
    if mention.kind == TASK:
        hits = task_occurrences(index, mention.text, uri)
    else:
        hits = index.issue_mentions(mention.key)  # type: ignore[arg-type]
    return [
        Place(hit.uri, hit.entry.span, hit.summary.span_lines)
        for hit in hits
        if include_declaration or not hit.entry.defines  # type: ignore[union-attr]
    ]


def highlights(summary: FileSummary, mention: Mention) -> list[Highlight]:
    """The occurrences of the symbol in this one file."""
    found = summary.task_mentions(mention.key) if mention.kind == TASK else summary.issue_mentions(mention.key)  # type: ignore[arg-type]
    return [Highlight(other.span, other.defines) for other in found]


# --- headings and the links to them (as marksman) --------------------------------------------------

_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:")


def link_at(summary: FileSummary, line: int, column: int) -> LinkEntry | None:
    return next((link for link in summary.links if link.span.contains(line, column)), None)


def section_at(summary: FileSummary, line: int) -> SectionEntry | None:
    """The section whose heading is on ``line``."""
    return next((s for s in summary.sections if s.heading_span.start_line <= line <= s.heading_span.end_line), None)


def _target(link: LinkEntry, path: str | None) -> tuple[str | None, str] | None:
    """(the file a link points at, None for this file; its fragment) for a relative link, else None."""
    target = link.target.strip()
    if not target or target.startswith(("/", "//")) or _SCHEME.match(target):
        return None
    written, _, fragment = target.partition("#")
    written = unquote(written.split("?", 1)[0].strip())
    if not written:
        return None, unquote(fragment)
    if path is None:
        return None
    return os.path.normpath(os.path.join(os.path.dirname(path), written)), unquote(fragment)


def link_definition(index: WorkspaceIndex, path: str | None, link: LinkEntry, uri: str) -> Place | None:
    """Where a link to a backlog goes: the heading its fragment names, or the file's start."""
    target = _target(link, path)
    if target is None:
        return None
    target_path, fragment = target
    target_uri = uri if target_path is None else _uri_of_path(index, target_path)
    summary = index.get(target_uri) if target_uri is not None else None
    if summary is None:
        return None
    anchor = fragment.lower().removeprefix("user-content-")
    section = next((s for s in summary.sections if s.anchor == anchor), None) if anchor else None
    span = section.heading_span if section is not None else Span(0, 0, 0, 0)
    return Place(target_uri, span, summary.span_lines)  # type: ignore[arg-type]


def heading_references(index: WorkspaceIndex, uri: str, section: SectionEntry, include_declaration: bool = True) -> list[Place]:
    """The heading itself and every link in the workspace to it (``other.md#anchor``, ``#anchor``)."""
    path = index.path_of(uri)
    found = [Place(uri, section.heading_span, index.get(uri).span_lines)] if include_declaration else []  # type: ignore[union-attr]
    for other_uri, summary in index.files():
        other_path = index.path_of(other_uri)
        for link in summary.links:
            target = _target(link, other_path)
            if target is None or target[1].lower().removeprefix("user-content-") != section.anchor:
                continue
            if (target[0] is None and other_uri == uri) or (target[0] is not None and path is not None and target[0] == path):
                found.append(Place(other_uri, link.span, summary.span_lines))
    return found


def _uri_of_path(index: WorkspaceIndex, path: str) -> str | None:
    return next((uri for uri, _ in index.files() if index.path_of(uri) == path), None)


# --- rename ---------------------------------------------------------------------------------------

_ID_NUMBER = re.compile(r"(?P<word>.*?)(?P<number>\d+(?:\.\d+)*[a-z]?)$", re.S)
_WHOLE_TASK_ID = re.compile(r"(?:Task[ \t]+\d+(?:\.\d+)*[a-z]?|T-?\d{1,4}(?:\.\d+)*|[A-Z][A-Z0-9_]{1,9}-\d{1,4}(?:\.\d{1,4})+)")


def prepare_rename(summary: FileSummary, line: int, column: int) -> Mention | None:
    """The task ID that a rename at the cursor would rename; None for anything else."""
    mention = summary.mention_at(line, column)
    return mention if mention is not None and mention.kind == TASK else None


def new_task_id(old: str, new_name: str) -> str:
    """The task ID a rename to ``new_name`` gives: a whole ID ("Task 2.7", "T12"), or a bare number
    that keeps the old word ("2.7" for "Task 2.3"). RenameRefused when it is neither."""
    new_name = new_name.strip()
    if _WHOLE_TASK_ID.fullmatch(new_name):
        return new_name
    old_parts = _ID_NUMBER.match(old)
    if old_parts is not None and re.fullmatch(r"\d+(?:\.\d+)*[a-z]?", new_name):
        return old_parts.group("word") + new_name
    raise RenameRefused(f"'{new_name}' is not a task ID: write it as 'Task 2.7', 'T12', 'CORE-01.2' or a number such as '2.7'.")


def rename_edits(index: WorkspaceIndex, mention: Mention, new_name: str, uri: str | None = None) -> dict[str, list[Edit]]:
    """Every occurrence of the task ID (meaning the task it means in ``uri``), in every file,
    rewritten: the edits by URI.

    When the new ID keeps the word ("Task 2.3" to "Task 2.7"), only the digits change;
    otherwise ("Task 2.3" to "T5") the whole occurrence is replaced.
    """
    if mention.kind != TASK:
        raise RenameRefused("Only task IDs can be renamed.")
    new_id = new_task_id(mention.text, new_name)
    new_parts = _ID_NUMBER.match(new_id)
    assert new_parts is not None
    if task_key(new_id) == mention.key:
        return {}
    edits: dict[str, list[Edit]] = {}
    for hit in task_occurrences(index, mention.text, uri):
        occurrence: Mention = hit.entry  # type: ignore[assignment]
        edits.setdefault(hit.uri, []).append(_renamed(occurrence, new_id, new_parts))
    return edits


def renumber_edits(
    index: WorkspaceIndex,
    renumbered: Mapping[str, str],
    already: Mapping[str, Collection[Span]] = {},
    uri: str | None = None,
) -> dict[str, list[Edit]]:
    """The occurrences that follow a renumbering in ``uri`` (old ID -> new ID), by URI, in order.

    The IDs change together, so "Task 3.1" -> "Task 3.2" and "Task 3.2" -> "Task 3.1" swap
    rather than merge. Occurrences at a span of ``already`` (by URI: the renumbering's own
    edits of the tasks' names) are left to it; so are those meaning another file's task of
    the same ID (``task_occurrences``).
    """
    edits: dict[str, list[Edit]] = {}
    for old, new in renumbered.items():
        new_parts = _ID_NUMBER.match(new)
        if task_key(old) == task_key(new) or new_parts is None:
            continue
        hits = task_occurrences(index, old, uri)
        others = [hit for hit in hits if hit.entry.defines and hit.entry.span not in already.get(hit.uri, ())]  # type: ignore[union-attr]
        if others:
            # The ID also names a task the renumbering leaves as it is (a duplicate "Task 6.1"):
            # that task keeps its name, and a mention may mean either, so it stays as written.
            continue
        for hit in hits:
            occurrence: Mention = hit.entry  # type: ignore[assignment]
            if occurrence.span in already.get(hit.uri, ()):
                continue
            edits.setdefault(hit.uri, []).append(_renamed(occurrence, new, new_parts))
    for found in edits.values():
        found.sort(key=lambda edit: edit.span)
    return edits


def renamed_ids(summary: FileSummary, lines: Sequence[str], edits: Iterable[Edit]) -> tuple[dict[str, str], set[Span]]:
    """What a renumbering's edits do to task names: old ID -> new ID, and the names they rewrite.

    "Renumber tasks in section" and "Renumber phases" edit the digits of task names; an
    edit inside a task's own ID ("Task 3.2" with "2" -> "1") renames it to "Task 3.1".
    """
    renamed: dict[str, str] = {}
    names: set[Span] = set()
    for edit in edits:
        span = edit.span
        name = next(
            (m for m in summary.mentions if m.kind == TASK and m.defines and m.span.encloses(span) and span.start_line == span.end_line),
            None,
        )
        if name is None:
            continue
        line = lines[span.start_line]
        new_text = line[name.span.start_col : span.start_col] + edit.new_text + line[span.end_col : name.span.end_col]
        renamed.setdefault(name.text, new_text)
        names.add(name.span)
    return renamed, names


def following_edits(index: WorkspaceIndex, uri: str, lines: Sequence[str], edits: Iterable[Edit]) -> dict[str, list[Edit]]:
    """The edits elsewhere (this file's mentions too) that keep mentions pointing at the tasks a
    renumbering in ``uri`` renames; empty when it renames none or the file is not indexed."""
    summary = index.get(uri)
    if summary is None:
        return {}
    edits = list(edits)
    renamed, names = renamed_ids(summary, lines, edits)
    if not renamed:
        return {}
    found = renumber_edits(index, renamed, {uri: names}, uri)
    if found.get(uri):
        # The renumbering already rewrote this file's mentions (features/renumber.py): not twice.
        found[uri] = [edit for edit in found[uri] if not any(_overlap(edit.span, own.span) for own in edits)]
    return found


def _overlap(a: Span, b: Span) -> bool:
    return (a.start_line, a.start_col) < (b.end_line, b.end_col) and (b.start_line, b.start_col) < (a.end_line, a.end_col)


def _renamed(occurrence: Mention, new_id: str, new_parts: re.Match[str]) -> Edit:
    span = occurrence.span
    old_parts = _ID_NUMBER.match(occurrence.text)
    if (
        old_parts is not None
        and span.start_line == span.end_line
        and old_parts.group("word").casefold() == new_parts.group("word").casefold()
    ):
        number = old_parts.group("number")
        return Edit(span._replace(start_col=span.end_col - len(number)), new_parts.group("number"))
    return Edit(span, new_id)


# --- workspace symbols ----------------------------------------------------------------------------


def workspace_symbols(
    index: WorkspaceIndex,
    query: str,
    state_name: Mapping[str, str] | None = None,
    limit: int = 256,
) -> list[WorkspaceSymbol]:
    """Sections and tasks of the whole workspace matching ``query``, best first, each with its state."""
    found = []
    for hit in index.symbols(query, limit):
        entry = hit.entry
        place_lines = hit.summary.span_lines
        if isinstance(entry, SectionEntry):
            found.append(WorkspaceSymbol(entry.title, "section", None, None, Place(hit.uri, entry.title_span, place_lines)))
        else:
            state = _state(entry, state_name)
            found.append(
                WorkspaceSymbol(
                    f"{entry.text} ({state})",
                    "task",
                    state,
                    entry.section,
                    Place(hit.uri, entry.text_span, place_lines),
                )
            )
    return found


def _state(task: TaskEntry, state_name: Mapping[str, str] | None) -> str:
    if task.state in ("x", "X"):
        return "done"
    if task.state in (" ", "\t"):
        return "open"
    meaning = (state_name or {}).get(task.state)
    return meaning or f"[{task.state}]"


__all__ = [
    "Highlight",
    "ISSUE",
    "Place",
    "RenameRefused",
    "TASK",
    "WorkspaceSymbol",
    "definition",
    "heading_references",
    "link_at",
    "link_definition",
    "section_at",
    "highlights",
    "new_task_id",
    "prepare_rename",
    "references",
    "rename_edits",
    "renumber_edits",
    "renamed_ids",
    "following_edits",
    "symbol_at",
    "task_occurrences",
    "workspace_symbols",
]
