"""What the workspace index keeps of one backlog file: its ``FileSummary``.

A summary is built from a parsed ``Backlog`` (``summarize``) and holds only what
navigation and cross-file rules need: the sections (heading, anchor, ranges),
the tasks (ID, state, the issues they cite, ranges), every mention of a task ID
and of an issue, and the links. The full model is dropped, so an unopened file
costs a few small tuples. Everything is a frozen value in code points, like the model.

Spans are converted to the client's encoding without the file's text: only the
lines that hold an entry and are not plain ASCII are kept (``lines``), which is
all ``convert`` needs (an ASCII line's columns are the same in every encoding).
"""

from __future__ import annotations

import sys
import threading
from collections import OrderedDict
from collections.abc import Iterator, Sequence

import attrs

from ..anchors import heading_anchors, heading_text, html_anchors
from ..memo import MISSING, BlockMemo
from ..model import LONG_LIST_ITEMS, Backlog, Block, IssueRef, Item, Link, Span, TaskId
from ..rules.common import is_mention, lead_task_id

TASK = "task"
ISSUE = "issue"


def task_key(text: str) -> str:
    """The key two spellings of one task ID share: "Task 2.3", "task  2.3" -> "task 2.3"."""
    return " ".join(text.split()).casefold()


@attrs.frozen
class IssueKey:
    """An issue as the index compares them: its number, and the repository or project when written.

    ``#12`` (no repository) matches ``owner/repo#12``: inside one project they usually
    name the same issue, and a reference that says less is not a different issue.
    """

    number: int
    repo: str | None = None  # "owner/repo", lower case, from owner/repo#12 or an issue URL
    project: str | None = None  # a Jira or Linear key's project: "ABC" in ABC-12

    def matches(self, other: IssueKey) -> bool:
        if self.number != other.number or self.project != other.project:
            return False
        return self.repo is None or other.repo is None or self.repo == other.repo

    @property
    def label(self) -> str:
        if self.project is not None:
            return f"{self.project}-{self.number}"
        return f"{self.repo}#{self.number}" if self.repo else f"#{self.number}"


def issue_key(ref: IssueRef) -> IssueKey:
    repo = f"{ref.owner}/{ref.repo}".lower() if ref.owner and ref.repo else None
    return IssueKey(ref.number, repo, ref.project)


@attrs.frozen
class SectionEntry:
    """A heading: ``span`` is the whole section, ``heading_span`` the heading line, ``title_span`` its text."""

    title: str  # as rendered: no Markdown ("**Phase 1**: Set-up" -> "Phase 1: Set-up")
    level: int
    anchor: str  # GitHub's slug, with -1, -2 for repeats
    span: Span
    heading_span: Span
    title_span: Span
    number: str | None  # "3" in "Phase 3: ..."


@attrs.frozen
class TaskEntry:
    """A task: a list item with a checkbox, or a heading written as one ("### Task 1.1: Parser ✅").

    ``state`` is the checkbox character as written ("x", " ", "~" ...), "x" or " " for a
    heading task. ``task_id`` is the ID that names the task (the one it starts with), with
    its span ``id_span``; ``issues`` the issues its own text names (not those it mentions,
    "see #12"). ``section`` is the title of the section holding it, None before any heading.
    """

    text: str  # the first line of its text as rendered: "**Task 2.3:** Parse" -> "Task 2.3: Parse"
    state: str
    span: Span  # the whole item (children included) or the heading line
    text_span: Span  # its text: what a symbol selects
    is_heading: bool
    task_id: str | None = None
    id_span: Span | None = None
    issues: tuple[IssueKey, ...] = ()
    section: str | None = None

    @property
    def key(self) -> str | None:
        return task_key(self.task_id) if self.task_id is not None else None


@attrs.frozen
class Mention:
    """One occurrence of a task ID or an issue reference anywhere in the file.

    ``kind`` is ``TASK`` or ``ISSUE``; ``key`` is ``task_key(text)`` for a task ID and
    an ``IssueKey`` for an issue. ``defines`` is True for the ID a task starts with (its
    name) and for an issue a task names as its own; False for a mention ("after Task 2.3",
    "see #12") or any reference in prose.
    """

    kind: str
    key: str | IssueKey
    span: Span
    text: str
    defines: bool = False


@attrs.frozen
class LinkEntry:
    """A Markdown link or image, as ``model.Link``: for cross-file checks and file renames."""

    span: Span
    text: str
    target: str
    target_span: Span
    is_image: bool = False


def _as_link(link: Link) -> LinkEntry:
    return LinkEntry(link.span, link.text, link.target, link.target_span, link.is_image)


@attrs.frozen
class FileSummary:
    """What the index keeps of one file; see the module docstring.

    ``lines`` maps a line number to its text for the non-ASCII lines holding an entry;
    ``span_lines`` wraps it as the ``lines`` argument ``convert`` takes.
    ``html_anchors`` are the ``<a name>`` / ``id`` anchors, beside the sections' slugs.
    """

    sections: tuple[SectionEntry, ...] = ()
    tasks: tuple[TaskEntry, ...] = ()
    mentions: tuple[Mention, ...] = ()
    links: tuple[LinkEntry, ...] = ()
    html_anchors: tuple[str, ...] = ()
    lines: dict[int, str] = attrs.field(factory=dict, eq=False)
    line_count: int = 0

    @property
    def span_lines(self) -> SparseLines:
        return SparseLines(self.lines, self.line_count)

    @property
    def anchors(self) -> frozenset[str]:
        return frozenset(section.anchor for section in self.sections) | frozenset(self.html_anchors)

    def task_mentions(self, key: str) -> Iterator[Mention]:
        return (m for m in self.mentions if m.kind == TASK and m.key == key)

    def issue_mentions(self, key: IssueKey) -> Iterator[Mention]:
        return (m for m in self.mentions if m.kind == ISSUE and key.matches(m.key))  # type: ignore[arg-type]

    def mention_at(self, line: int, column: int) -> Mention | None:
        """The task ID or issue reference under the cursor (or just after it)."""
        return next((m for m in self.mentions if m.span.contains(line, column)), None)

    def task_named(self, key: str) -> TaskEntry | None:
        return next((task for task in self.tasks if task.key == key), None)


_ASCII_LINE = " " * 65_536


class SparseLines(Sequence[str]):
    """The lines ``convert`` reads to turn a span into client columns, from a summary.

    A line the summary did not keep is ASCII (or holds no entry): its columns are the
    same in every encoding, which a line of spaces gives.
    """

    def __init__(self, kept: dict[int, str], count: int):
        self._kept = kept
        self._count = count

    def __len__(self) -> int:
        return self._count

    def __getitem__(self, index):  # type: ignore[override]
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(self._count))]
        return self._kept.get(index, _ASCII_LINE)


# --- building one ---------------------------------------------------------------------------------


def summarize(backlog: Backlog, *, live: bool = True) -> FileSummary:
    """The summary of a parsed backlog; pure and never raises on a well-formed model.

    Built block by block: each block's entries are remembered (``_BlockPart``) while the block
    lives, and across moves by whole lines, so after an edit only the edited block is read
    again (an Enter above the others only moves their entries down). Not ``live`` (a file read
    from disk, whose model is dropped at once): nothing is remembered.
    """
    lines = backlog.lines
    sections = tuple(_sections(backlog))
    tasks: list[TaskEntry] = []
    mentions: list[Mention] = []
    links: list[LinkEntry] = []
    kept: dict[int, str] = {}
    section: str | None = None
    titles = iter(section.title for section in sections)
    for block in backlog.blocks:
        if block.heading is None and not block.items and not block.refs:
            continue  # a blank line, a code block: nothing to keep
        part = _block_part(block, lines, section) if live else _read_block(block, lines, section, live=False)
        tasks.extend(part.tasks)
        mentions.extend(part.mentions)
        links.extend(part.links)
        kept.update(part.kept)
        if block.heading is not None:
            section = next(titles, None)
    for span in _spans(sections, (), (), ()):
        for line in {span.start_line, span.end_line}:
            if line < len(lines) and line not in kept and not lines[line].isascii():
                kept[line] = lines[line]
    return FileSummary(
        sections=sections,
        tasks=tuple(tasks),
        mentions=tuple(mentions),
        links=tuple(links),
        html_anchors=tuple(html_anchors(lines)) if any("<" in line for line in lines) else (),
        lines=kept,
        line_count=len(lines),
    )


@attrs.frozen
class _BlockPart:
    """One block's tasks, mentions, links and kept lines, for the block starting at ``start`` under
    the section titled ``section``."""

    start: int
    section: str | None
    tasks: tuple[TaskEntry, ...]
    mentions: tuple[Mention, ...]
    links: tuple[LinkEntry, ...]
    kept: dict[int, str]


# Keyed by the block's lineage: a block moved by whole lines has the same text, so its part only moves.
_PARTS = BlockMemo(across_moves=True)


def _block_part(block: Block, lines, section: str | None) -> _BlockPart:
    part = _PARTS.peek(block)
    if part is MISSING:
        part = _read_block(block, lines, section)
    elif part.start != block.start_line or part.section != section:
        part = _moved(part, block.start_line, section)
    else:
        return part
    return _PARTS.put(block, part)


def _moved(part: _BlockPart, start: int, section: str | None) -> _BlockPart:
    delta = start - part.start

    def move(span: Span) -> Span:
        return Span(span.start_line + delta, span.start_col, span.end_line + delta, span.end_col) if delta else span

    tasks = tuple(
        TaskEntry(
            task.text,
            task.state,
            move(task.span),
            move(task.text_span),
            task.is_heading,
            task.task_id,
            move(task.id_span) if task.id_span is not None else None,
            task.issues,
            section,
        )
        for task in part.tasks
    )
    if not delta:
        return _BlockPart(start, section, tasks, part.mentions, part.links, part.kept)
    mentions = tuple(Mention(m.kind, m.key, move(m.span), m.text, m.defines) for m in part.mentions)
    links = tuple(LinkEntry(move(k.span), k.text, k.target, move(k.target_span), k.is_image) for k in part.links)
    kept = {line + delta: text for line, text in part.kept.items()}
    return _BlockPart(start, section, tasks, mentions, links, kept)


def _read_block(block: Block, lines, section: str | None, *, live: bool = True) -> _BlockPart:
    """The entries of one block; ``section`` is the title of the section holding it (None before any)."""
    tasks: list[TaskEntry] = []
    mentions: list[Mention] = []
    links: list[LinkEntry] = []
    kept: dict[int, str] = {}
    heading = block.heading
    if heading is not None:
        refs = heading.refs
        defined = heading.task_id
        named_issues = _named(refs.issues, lines) if heading.is_task else ()
        if heading.is_task:
            tasks.append(
                TaskEntry(
                    text=heading_text(heading.title.split("\n", 1)[0]),
                    state=heading.task_state or " ",
                    span=heading.span,
                    text_span=heading.title_span,
                    is_heading=True,
                    task_id=sys.intern(defined.text) if defined else None,
                    id_span=defined.span if defined else None,
                    issues=tuple(_shared_key(issue_key(ref)) for ref in named_issues),
                    section=section,
                )
            )
        _add_mentions(mentions, links, refs, defined, named_issues)
    if block.refs:
        _add_mentions(mentions, links, block.refs, None, ())
    by_item = live and len(block.items) >= LONG_LIST_ITEMS
    if not by_item:
        _read_items(block.walk, lines, section, tasks, mentions, links)
    _keep_lines(kept, lines, tasks, mentions, links)
    if by_item:
        # A long list (a backlog of one list) is read item by item: an edit reads one item again.
        for item in block.items:
            part = _item_part(item, lines, section)
            tasks.extend(part.tasks)
            mentions.extend(part.mentions)
            links.extend(part.links)
            kept.update(part.kept)
    return _BlockPart(block.start_line, section, tuple(tasks), tuple(mentions), tuple(links), kept)


# The parts of a long list's items by their text and section (the block is a new object after
# every edit of the list): most recently used last, bounded.
_ITEMS: OrderedDict[tuple, _BlockPart] = OrderedDict()
_ITEMS_SIZE = 32_768
_items_lock = threading.Lock()


# ... and by the item itself, while it lives: the items before an edit are the same objects.
_LIVE_ITEMS = BlockMemo()


def _item_part(item: Item, lines, section: str | None) -> _BlockPart:
    part = _LIVE_ITEMS.peek(item)  # type: ignore[arg-type]
    if part is not MISSING and part.section == section:
        return part
    return _LIVE_ITEMS.put(item, _item_part_by_text(item, lines, section))  # type: ignore[arg-type]


def _item_part_by_text(item: Item, lines, section: str | None) -> _BlockPart:
    span = item.span
    key = (tuple(lines[span.start_line : span.end_line + 1]), section)
    with _items_lock:
        part = _ITEMS.get(key)
        if part is not None:
            _ITEMS.move_to_end(key)
    if part is not None:
        if part.start == span.start_line:
            return part
        part = _moved(part, span.start_line, section)
    else:
        tasks: list[TaskEntry] = []
        mentions: list[Mention] = []
        links: list[LinkEntry] = []
        pairs = [(item, None)]
        pairs.extend((child, parent) for child, parent in _descendants(item))
        _read_items(pairs, lines, section, tasks, mentions, links)
        kept: dict[int, str] = {}
        _keep_lines(kept, lines, tasks, mentions, links)
        part = _BlockPart(span.start_line, section, tuple(tasks), tuple(mentions), tuple(links), kept)
    with _items_lock:
        _ITEMS[key] = part
        while len(_ITEMS) > _ITEMS_SIZE:
            _ITEMS.popitem(last=False)
    return part


def _descendants(item: Item) -> Iterator[tuple[Item, Item]]:
    """An item's children and theirs, depth first (as ``Block.walk`` orders them)."""
    stack = [(child, item) for child in reversed(item.children)]
    while stack:
        child, parent = stack.pop()
        yield child, parent
        stack.extend((grandchild, child) for grandchild in reversed(child.children))


def _read_items(pairs, lines, section: str | None, tasks: list, mentions: list, links: list) -> None:
    for item, _parent in pairs:
        refs = item.refs
        if item.checkbox is None:
            if refs:
                _add_mentions(mentions, links, refs, None, ())
            continue
        defined = lead_task_id(item, lines) if refs.task_ids else None
        named_issues = _named(refs.issues, lines)
        tasks.append(
            TaskEntry(
                text=heading_text(item.first_line_text),
                state=item.checkbox,
                span=item.span,
                text_span=_first_line_span(item),
                is_heading=False,
                task_id=sys.intern(defined.text) if defined else None,
                id_span=defined.span if defined else None,
                issues=tuple(_shared_key(issue_key(ref)) for ref in named_issues),
                section=section,
            )
        )
        if refs:
            _add_mentions(mentions, links, refs, defined, named_issues)


def _keep_lines(kept: dict[int, str], lines, tasks, mentions, links) -> None:
    """The non-ASCII lines the entries' spans start or end on (``FileSummary.lines``)."""
    for span in _spans((), tasks, mentions, links):
        for line in {span.start_line, span.end_line}:
            if line < len(lines) and line not in kept and not lines[line].isascii():
                kept[line] = lines[line]


def _named(refs: tuple[IssueRef, ...], lines) -> tuple[IssueRef, ...]:
    return tuple(ref for ref in refs if not is_mention(ref, lines)) if refs else ()


def _first_line_span(item: Item) -> Span:
    span = item.text_span
    if span.end_line == span.start_line:
        return span
    return Span.on_line(span.start_line, span.start_col, span.start_col + len(item.first_line_text))


def _add_mentions(
    mentions: list[Mention],
    links: list[LinkEntry],
    refs,
    defined: TaskId | None,
    named_issues: tuple[IssueRef, ...],
) -> None:
    # Task IDs and keys repeat across a workspace ("Task 2.3" in many places): one string each.
    for task_id in refs.task_ids:
        text = sys.intern(task_id.text)
        mentions.append(Mention(TASK, sys.intern(task_key(text)), task_id.span, text, task_id is defined))
    for ref in refs.issues:
        mentions.append(Mention(ISSUE, _shared_key(issue_key(ref)), ref.span, ref.text, any(ref is named for named in named_issues)))
    links.extend(_as_link(link) for link in refs.links)


_SHARED_KEYS: dict[IssueKey, IssueKey] = {}


def _shared_key(key: IssueKey) -> IssueKey:
    """One ``IssueKey`` object per issue, however many times the workspace cites it (bounded)."""
    shared = _SHARED_KEYS.get(key)
    if shared is None:
        if len(_SHARED_KEYS) >= 65_536:
            _SHARED_KEYS.clear()
        shared = _SHARED_KEYS[key] = key
    return shared


def _sections(backlog: Backlog) -> Iterator[SectionEntry]:
    """Every section, in document order, with GitHub's anchors (as the broken-link rule reads them)."""
    by_line = {section.heading.span.start_line: section for root in backlog.sections for section in root.walk()}
    for heading, anchor in heading_anchors(backlog.headings):
        section = by_line.get(heading.span.start_line)
        yield SectionEntry(
            title=heading_text(heading.title),
            level=heading.level,
            anchor=anchor,
            span=section.span if section is not None else heading.span,
            heading_span=heading.span,
            title_span=heading.title_span,
            number=heading.number,
        )


def _spans(sections, tasks, mentions, links) -> Iterator[Span]:
    for section in sections:
        yield section.span
        yield section.title_span
    for task in tasks:
        yield task.span
        yield task.text_span
    for mention in mentions:
        yield mention.span
    for link in links:
        yield link.span
        yield link.target_span

