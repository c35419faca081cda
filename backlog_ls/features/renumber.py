""""Renumber tasks in section": the section's task IDs become K.1 ... K.n in document order.

Pure: a backlog and a line in, an action out. K is the section's heading number
("## Phase 3: ..." -> 3). The leading IDs of the section's own top-level tasks with a
dotted number ("Task 3.2", "T3.2") are rewritten, keeping their word. A number that a
task outside them holds (a bug list's "Task 6.1" in another section) is skipped, so
renumbering never makes two tasks share an ID. Every mention of a renumbered ID in the
document follows ("after Task 3.2", a repeated checklist's copy, a subtask's "Task 3.2.1"),
unless two of the section's tasks shared that ID, when a mention cannot tell which one
it meant. Offered on the heading and on those tasks' lines, when at least one ID changes.

``renumbering`` gives the mapping (old number -> new number) and ``mention_edits`` the
edits of the mentions, so that mentions in other files can follow the same mapping.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Collection, Iterable, Iterator, Mapping
from itertools import chain

from ..memo import BlockMemo
from ..model import Backlog, Block, Heading, Item, References, Section, Span, TaskId
from ..rules import Edit
from ..rules.common import lead_task_id
from .edits import REWRITE, Action, SectionHere, own_lines, section_here


def _numbered(section: Section | SectionHere, backlog: Backlog) -> list[tuple[object, TaskId]]:
    found = []
    for item in section.items:
        if not item.is_task:
            continue
        task_id = lead_task_id(item, backlog.lines)
        if task_id is not None and "." in task_id.number:
            found.append((item, task_id))
    return found


def _number_span(task_id: TaskId) -> Span:
    span = task_id.span
    return span._replace(start_col=span.end_col - len(task_id.number))


def follow(number: str, mapping: Mapping[str, str]) -> str | None:
    """``number`` after renumbering: its own new number, or its parent's ("3.5.1" when 3.5 -> 3.2: "3.2.1")."""
    if number in mapping:
        return mapping[number]
    head, dot, tail = number.rpartition(".")
    while dot:
        if head in mapping:
            return mapping[head] + number[len(head) :]
        head, dot, _ = head.rpartition(".")
    return None


def _held_numbers(backlog: Backlog) -> Counter:
    """How many IDs name a task, by number: list tasks' leading IDs and tasks written as headings.

    Made once per parsed snapshot from what each block holds (remembered across moves: an ID's
    number does not depend on where its block sits) and, in a list, each top-level item's tree
    (a long list's unedited items are the same objects after a keystroke).
    """
    cached = backlog.__dict__.get("_held_numbers")
    if cached is None:
        lines = backlog.lines
        held = (_HELD.get(block, lambda block=block: _block_numbers(block, lines)) for block in backlog.blocks)
        cached = backlog.__dict__["_held_numbers"] = Counter(chain.from_iterable(held))
    return cached


_HELD = BlockMemo(across_moves=True)  # block -> the numbers of the task IDs it holds
_TREE_HELD = BlockMemo()  # top-level item -> the numbers of its tree's tasks' leading IDs


def _block_numbers(block: Block, lines) -> tuple[str, ...]:
    if block.heading is not None:
        return (block.heading.task_id.number,) if block.heading.task_id is not None else ()
    trees = (_TREE_HELD.get(item, lambda item=item: _tree_numbers(item, lines)) for item in block.items)  # type: ignore[arg-type]
    return tuple(chain.from_iterable(trees))


def _tree_numbers(item: Item, lines) -> tuple[str, ...]:
    ids = (lead_task_id(task, lines) for task in item.walk() if task.is_task)
    return tuple(task_id.number for task_id in ids if task_id is not None)


def renumbering(backlog: Backlog, section: Section | SectionHere) -> tuple[dict[str, str], list[Edit]]:
    """The section's renumbering: (old number -> new number for each ID a mention can follow,
    the edits of the section's own leading IDs). Empty when no ID changes."""
    numbered = _numbered(section, backlog)
    if not numbered or not section.number:
        return {}, []
    if all(task_id.number == f"{section.number}.{index}" for index, (_, task_id) in enumerate(numbered, start=1)):
        # Already K.1 ... K.n: each wanted number is one of these unambiguous IDs, which no other
        # task can take from it, so nothing changes. (Asked on every keystroke on a task line:
        # this spares the count of every ID of the document.)
        return {}, []
    olds = Counter(task_id.number for _, task_id in numbered)
    unambiguous = {number for number, count in olds.items() if count == 1}
    identity = {number: number for number in unambiguous}
    held = _held_numbers(backlog)

    def taken(number: str) -> bool:
        """Whether a task that keeps its ID holds ``number``: a new number must not be one of these.
        (The section's renumbered IDs are among the held ones: held more often than by them.)"""
        return held.get(number, 0) > olds.get(number, 0) and follow(number, identity) is None

    mapping: dict[str, str] = {}
    edits: list[Edit] = []
    index = 0
    for _, task_id in numbered:
        index += 1
        while taken(f"{section.number}.{index}"):
            index += 1
        wanted = f"{section.number}.{index}"
        if task_id.number in unambiguous:
            mapping[task_id.number] = wanted
        if task_id.number != wanted:
            edits.append(Edit(_number_span(task_id), wanted))
    if not edits:
        return {}, []
    return {old: new for old, new in mapping.items() if old != new}, edits


def mention_edits(backlog: Backlog, mapping: Mapping[str, str], skip: Iterable[Span] = ()) -> list[Edit]:
    """Edits that make every task ID in ``backlog`` follow ``mapping`` (old number -> new number),
    except the IDs at the spans in ``skip`` (those already rewritten)."""
    if not mapping:
        return []
    skipped = set(skip)
    edits = []
    wanted = mapping.keys()
    for refs in _references_following(backlog, wanted):
        for task_id in refs.task_ids:
            new = follow(task_id.number, mapping)
            if new is None or new == task_id.number:
                continue
            span = _number_span(task_id)
            if span not in skipped:
                edits.append(Edit(span, new))
    return edits


def _references_following(backlog: Backlog, numbers: Collection[str]) -> Iterator[References]:
    """``backlog.references()``, in its order, without the blocks (and a list's top-level trees)
    that mention no ID ``follow`` can map from ``numbers``: those are known from what each block
    mentions, remembered, so a renumbering reads the few blocks its IDs are mentioned in."""
    for block in backlog.blocks:
        if _MENTIONED.get(block, lambda block=block: _block_prefixes(block)).isdisjoint(numbers):
            continue
        if not _prefixes(_own_task_ids(block)).isdisjoint(numbers):
            if block.heading is not None:
                yield block.heading.refs
            if block.refs:
                yield block.refs
        for item in block.items:
            if not _tree_prefixes(item).isdisjoint(numbers):
                yield from (node.refs for node in item.walk() if node.refs)


def _block_prefixes(block: Block) -> frozenset[str]:
    return _prefixes(_own_task_ids(block)).union(*(_tree_prefixes(item) for item in block.items))


def _tree_prefixes(item: Item) -> frozenset[str]:
    return _TREE_MENTIONED.get(item, lambda: _prefixes(chain.from_iterable(node.refs.task_ids for node in item.walk())))


def _own_task_ids(block: Block) -> tuple[TaskId, ...]:
    """The task IDs of a block's heading and prose (not of its list items)."""
    return (block.heading.refs.task_ids if block.heading is not None else ()) + block.refs.task_ids


_MENTIONED = BlockMemo(across_moves=True)  # block -> every prefix of the numbers it mentions
_TREE_MENTIONED = BlockMemo()  # top-level item -> every prefix of the numbers its tree mentions


def _prefixes(task_ids: Iterable[TaskId]) -> frozenset[str]:
    """Each number and its parents' ("3.5.1": 3.5.1, 3.5, 3): what ``follow`` can map from."""
    found = set()
    for task_id in task_ids:
        head, dot = task_id.number, "."
        while dot:
            found.add(head)
            head, dot, _ = head.rpartition(".")
    return frozenset(found)


def renumber_actions(backlog: Backlog, line: int) -> list[Action]:
    section = section_here(backlog, line)
    if section is None or not section.number:
        return []
    numbered = _numbered(section, backlog)
    on_heading = section.heading.span.start_line <= line <= section.heading.span.end_line
    if not numbered or not (on_heading or any(line in own_lines(item) for item, _ in numbered)):
        return []
    mapping, edits = renumbering(backlog, section)
    if not edits:
        return []
    mentions = mention_edits(backlog, mapping, skip=[edit.span for edit in edits])
    title = f"Renumber tasks in section {section.number} ({len(edits)} IDs change)"
    if mentions:
        title = title[:-1] + f", {len(mentions)} mention{'s' if len(mentions) != 1 else ''} follow)"
    return [Action(title, tuple(sorted(edits + mentions, key=lambda edit: tuple(edit.span))), REWRITE)]


# --- "Renumber phases" ---------------------------------------------------------------------------
#
# Offered (never applied by fix-all or formatting: some plans keep phases out of order on
# purpose) on a heading with a "Phase N" style number: every heading of the same level
# whose title starts with the same word and a plain number ("Phase 7", "**Stage 2**")
# becomes 1..n in document order, and the leading dotted task IDs of the tasks under each
# (its subsections included) that start with the old number follow ("Task 7.2" under the
# phase that becomes 8 -> "Task 8.2"). Edits cover the digits only.

_PHASE = re.compile(r"^[^\w]*(?P<word>[A-Za-z]+)[ \t]*[-#]?[ \t]*(?P<number>\d+)(?![\w]|\.\d)")


def _phase_number(heading: Heading, lines) -> tuple[str, Span] | None:
    """The heading's word (lowercase) and the span of its number's digits."""
    if heading.number is None or not heading.number.isdigit():
        return None
    span = heading.title_span
    text = lines[span.start_line][span.start_col : span.end_col if span.end_line == span.start_line else None]
    match = _PHASE.match(text.replace("*", " ").replace("_", " "))
    if match is None or match.group("number") != heading.number:
        return None
    start = span.start_col + match.start("number")
    return match.group("word").lower(), Span.on_line(span.start_line, start, start + len(heading.number))


def _sections_by_heading(backlog: Backlog) -> dict[int, Section]:
    return {section.heading.span.start_line: section for root in backlog.sections for section in root.walk()}


def renumber_phases_actions(backlog: Backlog, line: int) -> list[Action]:
    lines = backlog.lines
    block = backlog.block_at(line)  # a heading is a block of its own: no walk over every heading
    here = block.heading if block is not None else None
    if here is not None and not here.span.start_line <= line <= here.span.end_line:
        here = None
    found = _phase_number(here, lines) if here is not None else None
    if found is None:
        return []
    word = found[0]
    phases = [
        (heading, numbered)
        for heading in backlog.headings
        if heading.level == here.level and (numbered := _phase_number(heading, lines)) is not None and numbered[0] == word
    ]
    # The section tree reads every block's items: built only when a phase's number changes, not
    # on each keystroke on a heading of phases already in order (90 ms at 20,000 tasks).
    sections: dict[int, Section] | None = None
    edits = []
    changed = 0
    for index, (heading, (_, span)) in enumerate(phases, start=1):
        old, new = heading.number, str(index)
        if old == new:
            continue
        changed += 1
        edits.append(Edit(span, new))
        if sections is None:
            sections = _sections_by_heading(backlog)
        section = sections.get(heading.span.start_line)
        if section is None:
            continue
        for inner in section.walk():
            for task in inner.tasks():
                task_id = lead_task_id(task, lines)
                if task_id is None or "." not in task_id.number:
                    continue
                first = task_id.number.split(".", 1)[0]
                if first != old:
                    continue
                start = task_id.span.end_col - len(task_id.number)
                edits.append(Edit(Span.on_line(task_id.span.start_line, start, start + len(first)), new))
    if not changed:
        return []
    title = f"Renumber phases 1..{len(phases)} ({changed} heading{'s' if changed != 1 else ''} change)"
    return [Action(title, tuple(edits), REWRITE)]
