"""``backlog-ls report``: each backlog's progress, per file and per section, for people and CI.

Pure: parsed documents in, text out. The figures are the editor's (``features.progress``:
cancelled tasks left out of the total, in progress apart from open), the tasks ready to
start are ``dependencies.Graph.ready``, and what changed since a revision compares the
tasks of the old text with the new (``changes_since``). Three formats: ``text`` for a
terminal, ``json`` for scripts (``done``, ``open``, ``in_progress``, ``cancelled``,
``total`` per file and section), ``markdown`` for a pull request comment or
``$GITHUB_STEP_SUMMARY``. ``report.py`` is ``check``'s output; this is the report's.

Lines shown to users are 1-based.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from typing import Any, TextIO

import attrs

from .config import Settings
from .dependencies import Node, graph
from .features.progress import NOTHING, Counts, progress
from .model import Backlog, Section

TICKED = "ticked"
UNTICKED = "unticked"
ADDED = "added"
REMOVED = "removed"
CHANGE_KINDS = (TICKED, UNTICKED, ADDED, REMOVED)


@attrs.frozen
class SectionProgress:
    title: str
    level: int
    depth: int  # how deep in the heading tree, 0 at the top
    line: int  # 0-based
    counts: Counts


@attrs.frozen
class ReadyTask:
    line: int  # 0-based
    text: str
    section: str | None


@attrs.frozen
class Change:
    kind: str  # TICKED, UNTICKED, ADDED, REMOVED
    text: str
    line: int  # 0-based; in the old text for a removed task
    state: str  # the task's progress state now (before, for a removed one)


@attrs.frozen
class FileProgress:
    path: str
    counts: Counts
    sections: tuple[SectionProgress, ...]
    ready: tuple[ReadyTask, ...] | None = None  # None: not asked for (--next)
    changes: tuple[Change, ...] | None = None  # None: not asked for (--since)


def file_progress(
    path: str,
    backlog: Backlog,
    settings: Settings | None = None,
    *,
    tracker: Any = None,
    ready: bool = False,
    before: Backlog | None = None,
    since: bool = False,
) -> FileProgress:
    """The progress of one document; with ``ready`` its tasks ready to start, with ``since`` what
    changed from ``before`` (None: the file is new since then)."""
    found = progress(backlog, settings)
    sections = tuple(_sections(backlog.sections, found.sections, 0))
    ready_tasks = None
    if ready:
        ready_tasks = tuple(_ready(backlog, graph(backlog, settings, tracker=tracker).ready()))
    changes = tuple(changes_since(before, backlog, settings)) if since else None
    return FileProgress(path, found.whole, sections, ready_tasks, changes)


def _sections(sections: Iterable[Section], figures, depth: int):
    for section in sections:
        figure = figures.get(section.heading.span.start_line, NOTHING)
        if figure.total or figure.cancelled:
            title = " ".join(section.title.split()) or "(untitled section)"
            yield SectionProgress(title, section.heading.level, depth, section.heading.span.start_line, figure)
            yield from _sections(section.children, figures, depth + 1)
        # A section without tasks is left out, and so are its subsections (they have none either).


def _ready(backlog: Backlog, nodes: Iterable[Node]):
    for node in nodes:
        section = backlog.section_at(node.line)
        # A heading task's own section is itself: name the one above it.
        if section is not None and node.heading is not None and section.heading is node.heading:
            section = backlog.section_at(node.line - 1) if node.line > 0 else None
        yield ReadyTask(node.line, " ".join(node.name.split()), None if section is None else " ".join(section.title.split()))


def changes_since(before: Backlog | None, after: Backlog, settings: Settings | None = None) -> list[Change]:
    """The tasks ticked (or unticked), added and removed from ``before`` to ``after``, in the new file's order
    (removed ones last, in the old file's order). A task is the same task when its text is the same; a
    task whose text was edited reads as removed and added."""
    new_nodes = graph(after, settings).nodes
    old_nodes = graph(before, settings).nodes if before is not None else ()
    waiting: dict[str, list[Node]] = {}
    for node in old_nodes:
        waiting.setdefault(_key(node), []).append(node)
    changes: list[Change] = []
    for node in new_nodes:
        earlier = waiting.get(_key(node))
        if not earlier:
            changes.append(Change(ADDED, _text(node), node.line, node.state))
            continue
        old = earlier.pop(0)
        if node.is_done and not old.is_done:
            changes.append(Change(TICKED, _text(node), node.line, node.state))
        elif old.is_done and not node.is_done:
            changes.append(Change(UNTICKED, _text(node), node.line, node.state))
    removed = sorted((node for nodes in waiting.values() for node in nodes), key=lambda node: node.line)
    changes.extend(Change(REMOVED, _text(node), node.line, node.state) for node in removed)
    return changes


def _key(node: Node) -> str:
    return " ".join(node.name.split()).casefold()


def _text(node: Node) -> str:
    return " ".join(node.name.split())


def total(results: Iterable[FileProgress]) -> Counts:
    found = NOTHING
    for result in results:
        found = found.plus(result.counts)
    return found


# --- text ------------------------------------------------------------------------------------------

BAR_WIDTH = 20


def bar(counts: Counts, width: int = BAR_WIDTH, full: str = "#", empty: str = "-") -> str:
    filled = (2 * width * counts.done + counts.total) // (2 * counts.total) if counts.total else 0
    return full * filled + empty * (width - filled)


def _figure(counts: Counts) -> str:
    return f"{counts.done}/{counts.total} · {counts.percent}%"


def _states(counts: Counts) -> str:
    return f"done {counts.done}, open {counts.open}, in progress {counts.in_progress}, cancelled {counts.cancelled}"


def write_text(results: Sequence[FileProgress], stream: TextIO, since: str | None = None) -> None:
    for index, result in enumerate(results):
        if index:
            stream.write("\n")
        rows = [(result.path, result.counts)] + [("  " * (s.depth + 1) + _clip(s.title), s.counts) for s in result.sections]
        width = max(len(name) for name, _ in rows)
        figures = max(len(_figure(counts)) for _, counts in rows)
        for number, (name, counts) in enumerate(rows):
            line = f"{name.ljust(width)}  {_figure(counts).rjust(figures)}  [{bar(counts)}]"
            stream.write((f"{line}  {_states(counts)}" if number == 0 else line) + "\n")
        if result.ready is not None:
            stream.write(f"  ready to start ({len(result.ready)}):\n")
            for task in result.ready:
                where = f"  ({task.section})" if task.section else ""
                stream.write(f"    {result.path}:{task.line + 1}: {task.text}{where}\n")
        if result.changes is not None:
            stream.write(f"  since {since}: {_change_summary(result.changes)}\n")
            for change in result.changes:
                stream.write(f"    {result.path}:{change.line + 1}: {change.kind}: {change.text}\n")
    if len(results) > 1:
        counts = total(results)
        stream.write(f"\n{len(results)} files  {_figure(counts)}  [{bar(counts)}]  {_states(counts)}\n")


def _clip(title: str, limit: int = 60) -> str:
    return title if len(title) <= limit else title[: limit - 1].rstrip() + "…"


def _change_summary(changes: Sequence[Change]) -> str:
    counted = [(kind, sum(change.kind == kind for change in changes)) for kind in CHANGE_KINDS]
    parts = [f"{number} {kind}" for kind, number in counted if number]
    return ", ".join(parts) if parts else "no task changed"


# --- JSON ------------------------------------------------------------------------------------------


def _counts_json(counts: Counts) -> dict[str, int]:
    return {**counts.as_dict(), "percent": counts.percent}


def as_json(results: Sequence[FileProgress], since: str | None = None) -> dict[str, Any]:
    files = []
    for result in results:
        entry: dict[str, Any] = {"path": result.path, **_counts_json(result.counts)}
        entry["sections"] = [
            {"title": s.title, "level": s.level, "depth": s.depth, "line": s.line + 1, **_counts_json(s.counts)}
            for s in result.sections
        ]
        if result.ready is not None:
            entry["next"] = [{"line": t.line + 1, "text": t.text, "section": t.section} for t in result.ready]
        if result.changes is not None:
            entry["since"] = {
                kind: [{"line": c.line + 1, "text": c.text, "state": c.state} for c in result.changes if c.kind == kind]
                for kind in CHANGE_KINDS
            }
        files.append(entry)
    document: dict[str, Any] = {"files": files, "total": _counts_json(total(results))}
    if since is not None:
        document["since"] = since
    return document


def write_json(results: Sequence[FileProgress], stream: TextIO, since: str | None = None) -> None:
    json.dump(as_json(results, since), stream, indent=2, ensure_ascii=False)
    stream.write("\n")


# --- Markdown --------------------------------------------------------------------------------------

_MARKS = {TICKED: "✅", UNTICKED: "↩️", ADDED: "➕", REMOVED: "➖"}


def _cell(text: str) -> str:
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")


def write_markdown(results: Sequence[FileProgress], stream: TextIO, since: str | None = None) -> None:
    write = stream.write
    write("## Backlog progress\n\n")
    if not results:
        write("No backlog files.\n")
    if len(results) > 1:
        counts = total(results)
        write(f"**{counts.done}/{counts.total} done ({counts.percent}%)** in {len(results)} files.\n\n")
    for result in results:
        counts = result.counts
        write(f"### {_cell(result.path)}: {counts.done}/{counts.total} done ({counts.percent}%)\n\n")
        write("| Section | Progress | Done | Open | In progress | Cancelled |\n")
        write("| --- | --- | ---: | ---: | ---: | ---: |\n")
        for section in result.sections:
            indent = "&emsp;" * section.depth
            figures = section.counts
            write(
                f"| {indent}{_cell(section.title)} | `{bar(figures, 10, '█', '░')}` {figures.percent}% "
                f"| {figures.done} | {figures.open} | {figures.in_progress} | {figures.cancelled} |\n"
            )
        write(f"| **All** | `{bar(counts, 10, '█', '░')}` {counts.percent}% | {counts.done} | {counts.open} "
              f"| {counts.in_progress} | {counts.cancelled} |\n\n")
        if result.ready is not None:
            write(f"#### Ready to start ({len(result.ready)})\n\n")
            for task in result.ready:
                where = f", {task.section}" if task.section else ""
                write(f"- {_cell(task.text)} (line {task.line + 1}{_cell(where)})\n")
            write("\n" if result.ready else "Nothing is ready to start.\n\n")
        if result.changes is not None:
            write(f"#### Since `{since}`: {_change_summary(result.changes)}\n\n")
            for change in result.changes:
                write(f"- {_MARKS[change.kind]} {change.kind}: {_cell(change.text)} (line {change.line + 1})\n")
            if result.changes:
                write("\n")


FORMATS: dict[str, Callable[..., None]] = {"text": write_text, "json": write_json, "markdown": write_markdown}
