"""What the issue and task-ID rules share: one index of the tasks, grouped by section.

Rules run on every keystroke, and five of them (missing-issue, placeholder-issue,
duplicate-issue, duplicate-task-id, task-id-mismatch) need the same facts: which
tasks sit directly under which heading, which of them are top-level, which carry
issue references, placeholders or task IDs. ``task_index(backlog)`` gathers them
once per document, and keeps the result for the last document it saw, so the
rules of one ``check`` share it.

It is built from per-block facts. A block's facts depend on the block alone, and
an edit leaves every block it does not touch the very same object (see
``parse.reparse``), so after a keystroke only the edited block is walked again;
the rest is list concatenation. Anything only a finding needs (the document's
placeholder style, labels for messages) is computed when a finding is made.

The registry skips this module: it holds no rule.
"""

from __future__ import annotations

import bisect
import re
import threading
import weakref
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from functools import cached_property
from itertools import chain
from operator import attrgetter, itemgetter
from typing import Any

import attrs

from ..memo import MISSING, BlockMemo, BlockValues, LineageMemo  # noqa: F401 (BlockValues: the rules take it from here)
from ..model import (
    NO_REFERENCES,
    Backlog,
    Block,
    Heading,
    IssueRef,
    Item,
    Placeholder,
    Span,
    TaskId,
    LONG_LIST_ITEMS,
    lineage_of,
    walk_items,
)
from ..patching import moved_from_bottom, moved_items_from_bottom, same_from_bottom, same_from_top
from ..parse.shift import shift_issue

# --- which references name a task's issue -------------------------------------------------------

_MENTION_WORDS = {"see", "ref", "refs"}
# Text right before a reference that makes it a mention of another task's issue.
_MENTION_BEFORE = re.compile(
    r"(?:\b(?:depends|depending|dependent|blocked|blocks|blocking|after|follows?|follow-?ups?|part|split|"
    r"duplicates?|dup(?:e|licate)?|related|relates|supersedes|superseded|replaces|replaced|requires|"
    r"needs|waits?|waiting|like|cf|see|also|unblocks|prerequisites?|deps?|dependencies|"
    # Where the work landed ("Landed with #6934", "box ticked by #6936"): the pull request, not the task's issue.
    r"landed|merged|shipped|fixed|closed|ticked|resolved|implemented|dropped|via|by|from|"
    # The change a note was found in ("Added 2026-08-03 (WS3 sandbox merge, #7065)").
    r"merge)"
    r"(?:[ \t]+(?:on|by|of|to|from|for|in|with|as|via))?|\bcf\.)[ \t:*_]*$",
    re.IGNORECASE,
)
# A task names its issue in its title ("**Task 3.1 (#11):** ...", "Port the parser (#12)"); a reference
# further into a line than any title reaches is part of the prose that follows.
_PROSE_COLUMN = 160
_TRAILING_REFS = re.compile(r"(?:#\d+|[\w.-]+/[\w.-]+#\d+|[,;&/]|\band\b|\bor\b|[ \t])+$")
_TRAILING_REF_ENDS = frozenset("0123456789,;&/dr \t")  # the characters a match of _TRAILING_REFS can end with


def is_mention(ref: IssueRef, lines) -> bool:
    """Whether a reference points at another task's issue ("See #1658", "related to #12", "cf. #12",
    "depends on #12") or at where the work landed ("Landed with #6934", "merged in #12") rather than
    naming this task's issue; or is struck through ("~~Gate: #6696 lands~~"), withdrawn by its author.
    The one definition every rule uses."""
    if ref.prefix.lower() in _MENTION_WORDS:
        return True
    if ref.span.start_col > _PROSE_COLUMN:
        return True  # deep in a long line of prose: a citation of other work, not the task's own issue
    line = lines[ref.span.start_line]
    if line.count("~~", 0, ref.span.start_col) % 2 and "~~" in line[ref.span.end_col :]:
        return True
    before = line[max(0, ref.span.start_col - 60) : ref.span.start_col]
    # Both patterns end in "$", so re tries them from every column of the 60: asking first whether
    # the last character can end a match (mostly the "(" of "(#12)": it cannot) spares nearly all.
    if before and before[-1] in _TRAILING_REF_ENDS:
        before = _TRAILING_REFS.sub("", before)
    last = before.rstrip(" \t:*_")[-1:]  # a mention's word ends in a letter, "cf." in its dot
    return (last.isalpha() or last == ".") and _MENTION_BEFORE.search(before) is not None



def named_issues(refs: Iterable[IssueRef], lines) -> list[IssueRef]:
    """The references that name the task's own issue: every one that is not a mention."""
    return [ref for ref in refs if not is_mention(ref, lines)]


# --- repeated tasks ---------------------------------------------------------------------------------

_MARKUP = re.compile(r"[*_`~]+")


def same_text(first: Item, other: Item) -> bool:
    """Whether two tasks say the same thing, markup, spacing, case and a final stop aside: a task
    repeated (a checklist tracking the tasks again, a goal carried over to next week) is a
    reference to the first, not a second task."""
    return normal_text(first) == normal_text(other)


def normal_text(task: Item) -> str:
    """A task's first line as ``same_text`` compares it."""
    return normal_words(task.first_line_text)


def normal_words(text: str) -> str:
    """Text as ``same_text`` compares it: markup, spacing, case and a final stop aside."""
    return " ".join(_MARKUP.sub("", text).split()).casefold().rstrip(".")


# A list numbering its items "#1", "#2", ... (Backlog.md's acceptance criteria): numbers, not issues.
_NUMBERED_ITEM = re.compile(r"[ \t>]*(?:[-*+]|\d+[.)])[ \t]+\[.\][ \t]+#(\d+)\b")


def numbers_its_item(task: Item, ref: IssueRef, lines) -> bool:
    """Whether a "#N" leading the task's text numbers it in its list (the item above leads with
    "#N-1", or below with "#2" for "#1") rather than naming issue N."""
    if ref.style != "hash" or ref.span.start_col != task.text_span.start_col:
        return False
    line = ref.span.start_line
    if ref.number == 1:
        neighbour, wanted = line + 1, 2
    else:
        neighbour, wanted = line - 1, ref.number - 1
    while 0 <= neighbour < len(lines) and not _NUMBERED_ITEM.match(lines[neighbour]) and lines[neighbour].startswith((" ", "\t")):
        neighbour += 1 if ref.number == 1 else -1  # continuation lines and sub-items between
    match = _NUMBERED_ITEM.match(lines[neighbour]) if 0 <= neighbour < len(lines) else None
    return match is not None and int(match.group(1)) == wanted


# --- the index -----------------------------------------------------------------------------------

_DOD_TITLE = re.compile(r"definition[ \t]+of[ \t]+done|\bDoD\b", re.IGNORECASE)


def is_dod_title(title: str) -> bool:
    """Whether a heading titles a Definition of Done (its boxes are criteria, not tasks)."""
    return bool(_DOD_TITLE.search(title))

_CHECKED = frozenset("xX")
_EMPTY: tuple = ()


class BlockFacts:
    """What one list block holds for these rules; depends on the block only, so it is cached."""

    __slots__ = (
        "tops",
        "missing",
        "id_tasks",
        "id_texts",
        "id_numbers",
        "placeholder_items",
        "issue_tasks",
        "issue_numbers",
        "open_total",
        "open_with",
        "checked_total",
        "checked_with",
        "missing_keys",
        "memo",
        "bullet_placeholders",
        # Of the block the facts were read from, as a task index holds them (``TaskIndex.block_facts``):
        # a rule may keep what it derives from them per lineage, moved with the block (``memo.PlacedMemo``).
        "lineage",
        "start_line",
    )

    def __init__(self, items: tuple[Item, ...], lines):
        # ``lines`` are the document's, read here and not kept: a block kept across an edit keeps its
        # place, so its lines are the same too.
        # What a rule derives from this block alone (its findings, say), by a key of the rule's
        # choosing: it lives as long as the block, so an edit elsewhere costs a lookup.
        self.memo: dict = {}
        no_refs = NO_REFERENCES
        empty = _EMPTY
        self.tops: list[Item] = []  # tasks with no task above them
        self.missing: list[Item] = []  # those of them naming no issue or placeholder, themselves or below
        # For each of ``missing``: the key-shaped words it holds (ABC-12, UTF-8), itself or below.
        # Which are issues depends on the settings, not the block: ``Group.counts_naming`` decides,
        # and only reads them when a Jira or Linear project is configured.
        self.missing_keys: list[tuple[IssueRef, ...]] = []
        self.id_tasks: list[Item] = []  # tasks (nested too) whose own text holds a task ID
        self.id_texts: list[str] = []  # the first task ID of each ("Task 2.3") ...
        self.id_numbers: list[str] = []  # ... and its number ("2.3")
        self.placeholder_items: list[Item] = []  # list items (tasks or not) holding a placeholder
        self.issue_tasks: list[Item] = []  # tasks (nested too) whose own text names an issue
        self.issue_numbers: list[int] = []  # the number of every issue those name
        open_total = open_with = checked_total = checked_with = 0
        tops = items
        for item in items:
            if item.checkbox is None:
                tops = self._tasks_under_bullets(items)
                break
        self.bullet_placeholders = len(self.placeholder_items)
        for item in tops:
            has = self._task(item, item.refs, lines)
            keys = item.refs.keys
            children = item.children
            if children:
                # Everything below a top-level task, depth first in document order.
                stack = list(reversed(children))
                while stack:
                    child = stack.pop()
                    refs = child.refs
                    if refs is not no_refs:
                        if refs.keys is not empty and refs.keys:
                            keys += refs.keys
                        if child.checkbox is not None:
                            if self._task(child, refs, lines):
                                has = True
                        elif (refs.placeholders is not empty and refs.placeholders) or (
                            refs.issues is not empty and named_issues(refs.issues, lines)
                        ):
                            # A note below the task: "  - Issue: #12" names the task's issue.
                            has = True
                            if refs.placeholders:
                                self.placeholder_items.append(child)
                    if child.children:
                        stack.extend(reversed(child.children))
            self.tops.append(item)
            if item.checkbox in _CHECKED:
                checked_total += 1
                checked_with += has
            else:
                open_total += 1
                open_with += has
            if not has:
                self.missing.append(item)
                self.missing_keys.append(keys)
        self.open_total, self.open_with = open_total, open_with
        self.checked_total, self.checked_with = checked_total, checked_with

    def _task(self, task: Item, refs, lines) -> bool:
        """Note what one task's own text holds; True when it names an issue or a placeholder."""
        if refs is NO_REFERENCES:
            return False
        has = False
        # ``x is not empty`` first: it reads a pointer only, the truth test reads the tuple too.
        found = refs.placeholders
        if found is not _EMPTY and found:
            self.placeholder_items.append(task)
            has = True
        found = refs.issues
        if found is not _EMPTY and found:
            self.issue_tasks.append(task)
            self.issue_numbers.extend(ref.number for ref in found)
            # "See #1658" points at another issue: it does not name this task's.
            if named_issues(found, lines):
                has = True
        found = refs.task_ids
        if found is not _EMPTY and found:
            self.id_tasks.append(task)
            self.id_texts.append(found[0].text)
            self.id_numbers.append(found[0].number)
        return has

    def _tasks_under_bullets(self, items: tuple[Item, ...]) -> list[Item]:
        """The top-level tasks of a list with plain bullets: a plain bullet labels the tasks below it
        ("- Global Chat" over "  - [x] ..."), so those are top-level too. The bullets' own
        placeholders are noted on the way."""
        found: list[Item] = []
        stack = list(reversed(items))
        while stack:
            item = stack.pop()
            if item.checkbox is not None:
                found.append(item)
                continue
            if item.refs is not NO_REFERENCES and item.refs.placeholders:
                self.placeholder_items.append(item)
            stack.extend(reversed(item.children))
        return found


def named_by_key(facts: BlockFacts, projects: frozenset[str], lines) -> tuple[bool, ...]:
    """For each of ``facts.missing``: whether it names a key of ``projects`` as its own issue (not
    "blocked by ABC-3"). Kept with the block, per set of projects: a keystroke elsewhere reads it back."""
    memo_key = ("named-by-key", projects)
    found = facts.memo.get(memo_key)
    if found is None:
        found = tuple(
            bool(keys) and any(key.project in projects and not is_mention(key, lines) for key in keys) for keys in facts.missing_keys
        )
        facts.memo[memo_key] = found
    return found


_FACTS = BlockMemo()  # list block -> BlockFacts
_MOVABLE_FACTS = LineageMemo()  # lineage of a list block or a top-level item -> _MovableFacts
_ITEM_LISTS = ("tops", "missing", "id_tasks", "placeholder_items", "issue_tasks")
_AT_PLACEHOLDERS = _ITEM_LISTS.index("placeholder_items")
# The columns of ``_MovableFacts.sizes``: the item lists (of placeholders, those of tasks), then these.
_SIZES = (*_ITEM_LISTS, "bullet_placeholders", "missing_keys", "id_texts", "id_numbers", "issue_numbers",
          "open_total", "open_with", "checked_total", "checked_with")


class _MovableFacts:
    """A ``BlockFacts`` with its items as positions in the walk of the block (or item) it was read
    from: a copy moved by whole lines (Enter above it) has the same walk, so its facts are these
    items of its own walk, not read again. Keeps no item alive."""

    __slots__ = ("start_line", "positions", "missing_keys", "values", "sizes")

    def __init__(self, facts: BlockFacts, nodes: list[Item], start_line: int):
        where = {id(node): position for position, node in enumerate(nodes)}
        self.start_line = start_line
        self.positions = _shared(tuple(_shared(tuple([where[id(item)] for item in getattr(facts, name)])) for name in _ITEM_LISTS))
        self.missing_keys = _shared(tuple(facts.missing_keys))
        self.values = _shared(
            (_shared(tuple(facts.id_texts)), _shared(tuple(facts.id_numbers)), _shared(tuple(facts.issue_numbers)),
             facts.bullet_placeholders, facts.open_total, facts.open_with, facts.checked_total, facts.checked_with)
        )
        # How many entries it adds to each list of a long list's facts, and its counts (``_SIZES``).
        bullets = facts.bullet_placeholders
        self.sizes = _shared(
            (*(len(positions) for positions in self.positions[:_AT_PLACEHOLDERS]), len(self.positions[_AT_PLACEHOLDERS]) - bullets,
             *(len(positions) for positions in self.positions[_AT_PLACEHOLDERS + 1 :]), bullets, len(self.missing_keys),
             len(facts.id_texts), len(facts.id_numbers), len(facts.issue_numbers),
             facts.open_total, facts.open_with, facts.checked_total, facts.checked_with),
            longest=len(_SIZES),
        )

    def facts(self, nodes: list[Item], start_line: int) -> BlockFacts:
        facts = BlockFacts.__new__(BlockFacts)
        facts.memo = {}
        for name, positions in zip(_ITEM_LISTS, self.positions):
            setattr(facts, name, [nodes[position] for position in positions])
        facts.missing_keys = self.moved_keys(start_line)
        (facts.id_texts, facts.id_numbers, facts.issue_numbers, facts.bullet_placeholders, facts.open_total, facts.open_with,
         facts.checked_total, facts.checked_with) = ([*value] if isinstance(value, tuple) else value for value in self.values)
        return facts

    def moved_keys(self, start_line: int) -> list[tuple[IssueRef, ...]]:
        """``missing_keys`` of the copy that starts at ``start_line``."""
        delta = start_line - self.start_line
        return [tuple([shift_issue(key, delta) for key in keys]) if keys and delta else keys for keys in self.missing_keys]


_SHARED: dict = {}  # the few shapes most items' facts take ((), (0,), a plain task's counts), one copy each


def _shared(value: tuple, longest: int = 8) -> tuple:
    if len(value) > longest or len(_SHARED) > 4096:
        return value
    try:
        return _SHARED.setdefault(value, value)
    except TypeError:  # unhashable: not shared
        return value


def _movable(owner: Block | Item, nodes: Callable[[], list[Item]], start_line: int, read: Callable[[], BlockFacts]) -> BlockFacts:
    """The facts of a block or item: moved from a copy of it read before, else read now."""
    lineage = owner.lineage if isinstance(owner, Block) else lineage_of(owner)
    movable = _MOVABLE_FACTS.peek(lineage)
    if movable is not MISSING:
        return movable.facts(nodes(), start_line)
    facts = read()
    _MOVABLE_FACTS.put(lineage, _MovableFacts(facts, nodes(), start_line))
    return facts


def _block_facts(block: Block, lines) -> BlockFacts:
    items = block.items
    if len(items) < LONG_LIST_ITEMS:  # else item by item, each item's facts kept: an edit reads one
        return _movable(block, lambda: [item for item, _ in block.walk], block.start_line, lambda: BlockFacts(items, lines))
    last = _last_list  # read once: another thread may replace it
    if last is not None:
        facts = _spliced(last, items, lines)
        if facts is not None:
            return facts
    movables = _item_movables(items, lines)
    facts = _list_facts(list(zip(items, movables)))
    _remember_list(items, movables, facts)
    return facts


def _item_movables(items, lines) -> list[_MovableFacts]:
    peek, put = _MOVABLE_FACTS.peek, _MOVABLE_FACTS.put
    movables = []
    for item in items:
        lineage = lineage_of(item)
        movable = peek(lineage)
        if movable is MISSING:
            movable = put(lineage, _MovableFacts(BlockFacts((item,), lines), list(item.walk()), item.span.start_line))
        movables.append(movable)
    return movables


# The last long list read: (its items, their facts, the list's facts). A keystroke in a long list
# leaves every item but one the very same object, so the next list's facts are these, with the
# facts of the few new items spliced in where the old ones were (a new line moves the items
# below: new objects, read again).
_last_list: tuple[tuple[Item, ...], list[_MovableFacts], BlockFacts] | None = None


def _remember_list(items: tuple[Item, ...], movables: list[_MovableFacts], facts: BlockFacts) -> None:
    global _last_list
    _last_list = (items, movables, facts)


def column_sums(movables: list[_MovableFacts]) -> list[int]:
    """The sums of ``_MovableFacts.sizes`` over ``movables``, column by column."""
    if not movables:
        return [0] * len(_SIZES)
    return [sum(column) for column in zip(*map(attrgetter("sizes"), movables))]


def _spliced(last, items: tuple[Item, ...], lines) -> BlockFacts | None:
    """The facts of the long list of ``items`` from those of the last one read, when most items are the same."""
    old_items, old_movables, old = last
    new_count, old_count = len(items), len(old_items)
    before = same_from_top(old_items, items)  # items the same at the start ...
    after = same_from_bottom(old_items[before:], items[before:])  # ... and at the end
    moved = not after and before < min(old_count, new_count)
    if moved:  # or copies of the last ones moved by whole lines (an Enter above them)
        delta = items[-1].span.start_line - old_items[-1].span.start_line
        after = moved_items_from_bottom(old_items[before:], items[before:], delta)
    if (before + after) * 2 < new_count:
        return None
    middle_items = items[before : new_count - after]
    middle_movables = _item_movables(middle_items, lines)
    middle = _list_facts(list(zip(middle_items, middle_movables)))
    head, tail = old_movables[:before], old_movables[old_count - after :]
    if (moved and after) or not _items_read(old):
        facts = _lazy_list(old, old_movables, before, after, middle, items, head + middle_movables + tail)
        _remember_list(items, head + middle_movables + tail, facts)
        return facts
    gone = column_sums(old_movables[before : old_count - after])
    # Each item's entries lie on its lines, and the items kept are the same objects on the same
    # lines: the replaced items' entries in each list of items are those on the lines between.
    first = old_items[before].span.start_line if before < old_count else old_items[-1].span.end_line + 1
    below = old_items[old_count - after].span.start_line if after else old_items[-1].span.end_line + 1

    def on_lines(old_list: list) -> tuple[int, int]:
        start = bisect.bisect_left(old_list, first, key=_item_line)
        return start, bisect.bisect_left(old_list, below, lo=start, key=_item_line)

    facts = BlockFacts.__new__(BlockFacts)
    facts.memo = {}
    for name in ("tops", "missing", "id_tasks", "issue_tasks"):
        start, end = on_lines(getattr(old, name))
        setattr(facts, name, getattr(old, name)[:start] + getattr(middle, name) + getattr(old, name)[end:])
        if name == "missing":
            facts.missing_keys = old.missing_keys[:start] + middle.missing_keys + old.missing_keys[end:]
        elif name == "id_tasks":  # a task ID's text and number for each
            facts.id_texts = old.id_texts[:start] + middle.id_texts + old.id_texts[end:]
            facts.id_numbers = old.id_numbers[:start] + middle.id_numbers + old.id_numbers[end:]
    # Issue numbers, several per task, by count: over the shorter side, in C.
    numbers = _SIZES.index("issue_numbers")
    if len(head) <= len(tail):
        start = sum(map(itemgetter(numbers), map(attrgetter("sizes"), head)))
        end = start + gone[numbers]
    else:
        end = len(old.issue_numbers) - sum(map(itemgetter(numbers), map(attrgetter("sizes"), tail)))
        start = end - gone[numbers]
    facts.issue_numbers = old.issue_numbers[:start] + middle.issue_numbers + old.issue_numbers[end:]
    for column, name in enumerate(_SIZES):
        if name.endswith(("_total", "_with")):
            setattr(facts, name, getattr(old, name) - gone[column] + getattr(middle, name))
    # The placeholders of plain bullets come first, those of tasks after (see ``BlockFacts``).
    spliced = []
    for old_part, middle_part in (
        (old.placeholder_items[: old.bullet_placeholders], middle.placeholder_items[: middle.bullet_placeholders]),
        (old.placeholder_items[old.bullet_placeholders :], middle.placeholder_items[middle.bullet_placeholders :]),
    ):
        start, end = on_lines(old_part)
        spliced.append(old_part[:start] + middle_part + old_part[end:])
    bullets, others = spliced
    facts.placeholder_items = bullets + others
    facts.bullet_placeholders = len(bullets)
    _remember_list(items, head + middle_movables + tail, facts)
    return facts


def _list_facts(parts: list[tuple[Item, _MovableFacts]]) -> BlockFacts:
    """The facts of a long list from those of its top-level items, each read alone: as if read whole."""
    facts = BlockFacts.__new__(BlockFacts)
    facts.memo = {}
    walks: dict[int, list[Item]] = {}

    def items_at(item: Item, positions: tuple[int, ...]) -> list[Item]:
        if positions == (0,):
            return [item]  # the item itself: most of a list
        nodes = walks.get(id(item))
        if nodes is None:
            nodes = walks[id(item)] = list(item.walk())
        return [nodes[position] for position in positions]

    placeholders = _ITEM_LISTS.index("placeholder_items")
    for index, name in enumerate(_ITEM_LISTS):
        if index == placeholders:
            continue
        found: list[Item] = []
        for item, movable in parts:
            positions = movable.positions[index]
            if positions:
                found.extend(items_at(item, positions))
        setattr(facts, name, found)
    # The placeholders of plain bullets come first, those of tasks after (see ``BlockFacts``).
    bullets, others = [], []
    for item, movable in parts:
        positions, count = movable.positions[placeholders], movable.values[3]
        if positions:
            bullets.extend(items_at(item, positions[:count]))
            others.extend(items_at(item, positions[count:]))
    facts.placeholder_items = bullets + others
    facts.bullet_placeholders = len(bullets)
    facts.missing_keys = []
    for item, movable in parts:
        if movable.missing_keys:
            facts.missing_keys.extend(movable.moved_keys(item.span.start_line))
    values = [movable.values for _, movable in parts]
    facts.id_texts = list(chain.from_iterable(value[0] for value in values))
    facts.id_numbers = list(chain.from_iterable(value[1] for value in values))
    facts.issue_numbers = list(chain.from_iterable(value[2] for value in values))
    facts.open_total, facts.open_with, facts.checked_total, facts.checked_with = (
        sum(value[position] for value in values) for position in (4, 5, 6, 7)
    )
    return facts


# The facts that hold items (or spans): a moved block's are read from it only when asked for.
_ITEMS_READ_WHEN_ASKED = frozenset((*_ITEM_LISTS, "missing_keys"))


class _LazyFacts(BlockFacts):
    """Facts whose counts and values that hold no place (task IDs' texts and numbers, issue numbers)
    are known without reading the items: those of a copy of a block moved by whole lines (an Enter
    above it) are the block's it was copied from, the same text; those of a long list are the last
    list's with the items an edit replaced spliced out, even when it moved the items below. Its
    items, and the keys (they hold spans), are read the first time one of them is asked for. Keeps
    nothing of the block or list it was made from."""

    __slots__ = ("_items", "_lines", "_movables")

    @classmethod
    def moved(cls, old: BlockFacts, block: Block, lines) -> _LazyFacts:
        facts = cls.__new__(cls)
        facts.memo = {}
        facts.lineage, facts.start_line = block.lineage, block.start_line
        facts.id_texts, facts.id_numbers, facts.issue_numbers = old.id_texts, old.id_numbers, old.issue_numbers
        facts.bullet_placeholders = old.bullet_placeholders
        facts.open_total, facts.open_with = old.open_total, old.open_with
        facts.checked_total, facts.checked_with = old.checked_total, old.checked_with
        # The block, weakly (it holds these facts), not its items: reading them would move a moved block's
        # items (``Block.items``), which nothing may ask for after this Enter.
        facts._items, facts._lines, facts._movables = weakref.ref(block), lines, None
        return facts

    @property
    def items_read(self) -> bool:
        return self._items is None

    def __getattr__(self, name: str) -> Any:
        # Called only for a slot not set yet: the items' lists, read all at once.
        if name not in _ITEMS_READ_WHEN_ASKED:
            raise AttributeError(name)
        items, lines, movables = self._items, self._lines, self._movables
        if isinstance(items, weakref.ref):  # a moved block's: its items, moved now
            items = items().items
        if movables is not None:
            read = _list_facts(list(zip(items, movables)))
        elif len(items) < LONG_LIST_ITEMS:
            movable = _MOVABLE_FACTS.peek(self.lineage)  # the block's items by their places in its walk
            if movable is MISSING:
                read = BlockFacts(items, lines)
            else:
                read = movable.facts([item for item, _ in walk_items(items)], self.start_line)
        else:
            read = _list_facts(list(zip(items, _item_movables(items, lines))))
        for field in _ITEMS_READ_WHEN_ASKED:
            setattr(self, field, getattr(read, field))
        self._items = self._lines = self._movables = None
        return getattr(read, name)


def _items_read(facts: BlockFacts) -> bool:
    return not isinstance(facts, _LazyFacts) or facts.items_read


def _lazy_list(old: BlockFacts, old_movables: list[_MovableFacts], before: int, after: int, middle: BlockFacts,
               items: tuple[Item, ...], movables: list[_MovableFacts]) -> _LazyFacts:
    """The facts of a long list from the last one's (``old``, of ``old_movables``' items) with the items
    between the first ``before`` and the last ``after`` replaced by those read in ``middle``: counted, not
    looked up by line, so that the items of neither need be read."""
    facts = _LazyFacts.__new__(_LazyFacts)
    facts.memo = {}
    head, tail = old_movables[:before], old_movables[len(old_movables) - after :]
    gone = column_sums(old_movables[before : len(old_movables) - after])
    for name in _PLACELESS:
        column = _SIZES.index(name)
        old_list = getattr(old, name)
        if len(head) <= len(tail):  # the entries before the replaced ones, counted over the shorter side
            start = sum(map(itemgetter(column), map(attrgetter("sizes"), head)))
        else:
            start = len(old_list) - sum(map(itemgetter(column), map(attrgetter("sizes"), tail))) - gone[column]
        setattr(facts, name, old_list[:start] + getattr(middle, name) + old_list[start + gone[column] :])
    for column, name in enumerate(_SIZES):
        if name.endswith(("_total", "_with")) or name == "bullet_placeholders":
            setattr(facts, name, getattr(old, name) - gone[column] + getattr(middle, name))
    facts._items, facts._lines, facts._movables = items, None, movables
    return facts


_GROUPS = BlockMemo()  # heading block -> Group (checked against its neighbours before reuse)


class Group:
    """The tasks directly under one heading (not under its subheadings), or before the first heading."""

    __slots__ = ("heading", "parent", "level", "start_line", "end_line", "dod", "facts", "_numbered", "__dict__")

    def __init__(
        self,
        heading: Heading | None,
        parent: Group | None,
        start_line: int,
        end_line: int,
        dod: bool,
        facts: list[BlockFacts],
    ):
        self.heading = heading
        self.parent = parent  # the group of the enclosing heading
        self.level = heading.level if heading is not None else 0
        self.start_line = start_line
        self.end_line = end_line  # inclusive
        self.dod = dod  # under a "Definition of Done" heading
        self.facts = facts  # of its list blocks
        self._numbered: tuple[tuple[Heading, int | None], ...] | None = None

    @cached_property
    def counts(self) -> tuple[int, int, int, int]:
        """Top-level tasks: (open, open naming an issue, finished, finished naming an issue)."""
        if len(self.facts) == 1:
            f = self.facts[0]
            return f.open_total, f.open_with, f.checked_total, f.checked_with
        return (
            sum(f.open_total for f in self.facts),
            sum(f.open_with for f in self.facts),
            sum(f.checked_total for f in self.facts),
            sum(f.checked_with for f in self.facts),
        )

    def counts_naming(self, projects: frozenset[str], lines) -> tuple[int, int, int, int]:
        """``counts``, where a task naming a key of one of ``projects`` (Jira, Linear) names an issue too."""
        open_total, open_with, checked_total, checked_with = self.counts
        if projects:
            for f in self.facts:
                for task, named in zip(f.missing, named_by_key(f, projects, lines)):
                    if named:
                        if task.checkbox in _CHECKED:
                            checked_with += 1
                        else:
                            open_with += 1
        return open_total, open_with, checked_total, checked_with

    def missing_naming(self, projects: frozenset[str], lines) -> list[Item]:
        """``missing``, less the tasks that name a key of one of ``projects``."""
        if not projects:
            return self.missing
        return [task for f in self.facts for task, named in zip(f.missing, named_by_key(f, projects, lines)) if not named]

    @property
    def top_tasks(self) -> list[Item]:
        """The tasks that have no task above them, in order."""
        return [task for f in self.facts for task in f.tops]

    @property
    def missing(self) -> list[Item]:
        """The top tasks that name neither an issue nor a placeholder (themselves or below them)."""
        return [task for f in self.facts for task in f.missing]

    @property
    def title(self) -> str:
        return display_title(self.heading) if self.heading is not None else ""

    @cached_property
    def prefixes(self) -> tuple[str, ...]:
        """The phase prefixes a task ID of this section may start with: ("8.",) under "Phase 8"."""
        return tuple(sorted({f"{phase}." for _heading, phase in self.numbered if phase is not None}))

    @property
    def numbered(self) -> tuple[tuple[Heading, int | None], ...]:
        """The enclosing headings that carry a number, innermost first, each with its first number."""
        numbered = self._numbered
        if numbered is None:
            above = self.parent.numbered if self.parent is not None else ()
            heading = self.heading
            if heading is not None and heading.number:
                numbered = ((heading, leading_number(heading.number)), *above)
            else:
                numbered = above
            self._numbered = numbered
        return numbered


# The flat lists of a TaskIndex: its attribute -> (the field of each block's facts joined, the list of
# items it has an entry per: its entries lie where theirs do; None for issue numbers, several per task).
_JOINED = {
    "top_tasks": ("tops", "top_tasks"),
    "missing": ("missing", "missing"),
    "id_tasks": ("id_tasks", "id_tasks"),
    "id_texts": ("id_texts", "id_tasks"),
    "id_numbers": ("id_numbers", "id_tasks"),
    "placeholder_items": ("placeholder_items", "placeholder_items"),
    "issue_tasks": ("issue_tasks", "issue_tasks"),
    "issue_numbers": ("issue_numbers", None),
}


def _joined(name: str):
    """A lazily built flat list: one field of every block's facts, in document order."""
    field = attrgetter(_JOINED[name][0])

    def build(self: TaskIndex) -> list:
        return list(chain.from_iterable(map(field, self.facts)))

    build.__name__ = name
    return cached_property(build)


def _mark_line(mark: tuple[Block, int]) -> int:
    return mark[0].start_line


class TaskIndex:
    """The tasks of one document for these rules; see the module docstring.

    Building it looks at each block once and takes its facts from the cache; the flat
    lists below and the groups are put together only when a rule asks for them.

    Built from the ``previous`` index (the last document checked) when the edit between them
    moved no line (a keystroke within a line): the blocks before and after the edit are the same
    objects, so their facts, marks, flat lists and groups are the previous index's, and only
    the blocks between are looked at.
    """

    def __init__(self, backlog: Backlog, previous: TaskIndex | None = None):
        self.backlog = backlog
        # As it was when this index was built: the next is built from this one, and a caller may
        # edit a list of lines in place that its backlogs share (as tests do).
        self.line_count = len(backlog.lines)
        self.facts: list[BlockFacts] = []  # of every list block, in order
        self.fact_lines: list[int] = []  # the first line of each of their blocks
        # (heading block, position in ``facts`` of the first list block after it)
        self.marks: list[tuple[Block, int]] = []
        # The previous index's groups with where the marks changed, until ``groups`` is built.
        self._groups_base: tuple[list[Group], int, int, int] | None = None
        if previous is None:
            self._read(backlog.blocks, 0)
        else:
            self._splice(previous)

    def _read(self, blocks: Iterable[Block], first_fact: int) -> None:
        """Add the facts and marks of ``blocks``, numbering facts from ``first_fact``."""
        facts, fact_lines, marks = self.facts, self.fact_lines, self.marks
        add_facts, add_line, add_mark = facts.append, fact_lines.append, marks.append
        peek, put = _FACTS.peek, _FACTS.put
        lines = self.backlog.lines
        for block in blocks:
            if block.heading is not None:
                add_mark((block, first_fact + len(facts)))
            elif block.has_items:
                found = peek(block)
                add_facts(put(block, _placed(_block_facts(block, lines), block)) if found is MISSING else found)
                add_line(block.start_line)

    def _read_moved(self, blocks: Sequence[Block], old_facts: Iterable[BlockFacts], first_fact: int) -> None:
        """Add the facts and marks of ``blocks``, copies moved by whole lines of the blocks whose facts
        are ``old_facts`` (in order), numbering facts from ``first_fact``."""
        facts, fact_lines, marks = self.facts, self.fact_lines, self.marks
        add_facts, add_line, add_mark = facts.append, fact_lines.append, marks.append
        peek, put = _FACTS.peek, _FACTS.put
        lines = self.backlog.lines
        old = iter(old_facts)
        for block in blocks:
            if block.heading is not None:
                add_mark((block, first_fact + len(facts)))
            elif block.has_items:
                copied_from = next(old)
                found = peek(block)
                add_facts(put(block, _LazyFacts.moved(copied_from, block, lines)) if found is MISSING else found)
                add_line(block.start_line)

    def _splice(self, previous: TaskIndex) -> None:
        """Take the facts of the unedited blocks (the same objects) from ``previous``, and those of the
        blocks an edit moved by whole lines (copies: ``_LazyFacts.moved``); read the others."""
        old_blocks, blocks = previous.backlog.blocks, self.backlog.blocks
        delta = self.line_count - previous.line_count
        before = same_from_top(old_blocks, blocks)
        if delta:
            self._splice_moved(previous, before, moved_from_bottom(old_blocks[before:], blocks[before:], delta))
            return
        after = same_from_bottom(old_blocks[before:], blocks[before:])
        old_facts, old_marks = previous.facts, previous.marks
        # The edited blocks' facts and marks: between the last unedited block above and the first below.
        edited_line = old_blocks[before].start_line if before < len(old_blocks) else previous.line_count
        below_line = old_blocks[len(old_blocks) - after].start_line if after else previous.line_count
        low = bisect.bisect_left(previous.fact_lines, edited_line)
        old_high = bisect.bisect_left(previous.fact_lines, below_line, lo=low)
        marks_low = bisect.bisect_left(old_marks, edited_line, key=_mark_line)
        old_marks_high = bisect.bisect_left(old_marks, below_line, lo=marks_low, key=_mark_line)
        self._read(blocks[before : len(blocks) - after], low)
        middle, middle_lines, middle_marks = self.facts, self.fact_lines, self.marks
        high = low + len(middle)
        shift = high - old_high
        below_marks = old_marks[old_marks_high:]
        if shift:
            below_marks = [(block, position + shift) for block, position in below_marks]
        self.facts = old_facts[:low] + middle + old_facts[old_high:]
        self.fact_lines = previous.fact_lines[:low] + middle_lines + previous.fact_lines[old_high:]
        self.marks = old_marks[:marks_low] + middle_marks + below_marks
        built = previous.__dict__
        for name, (field, items_name) in _JOINED.items():
            old_list = built.get(name)
            if old_list is None:
                continue
            old_items = built.get(items_name) if items_name is not None else None
            if old_items is not None:
                # Each block's items lie on its lines: the edited blocks' entries are found by line.
                start = bisect.bisect_left(old_items, edited_line, key=_item_line)
                end = bisect.bisect_left(old_items, below_line, lo=start, key=_item_line)
            else:
                start, end = _entries_of(old_list, old_facts, low, old_high, attrgetter(field))
            self.__dict__[name] = old_list[:start] + list(chain.from_iterable(map(attrgetter(field), middle))) + old_list[end:]
        old_groups = built.get("groups")
        if old_groups is not None:
            self._groups_base = (old_groups, marks_low, old_marks_high, marks_low + len(middle_marks))

    def _splice_moved(self, previous: TaskIndex, before: int, after: int) -> None:
        """As ``_splice``, after an edit that moved the ``after`` blocks below it by whole lines."""
        old_blocks, blocks = previous.backlog.blocks, self.backlog.blocks
        old_facts, old_lines, old_marks = previous.facts, previous.fact_lines, previous.marks
        edited_line = old_blocks[before].start_line if before < len(old_blocks) else previous.line_count
        below_line = old_blocks[len(old_blocks) - after].start_line if after else previous.line_count
        low = bisect.bisect_left(old_lines, edited_line)
        old_high = bisect.bisect_left(old_lines, below_line, lo=low)
        marks_low = bisect.bisect_left(old_marks, edited_line, key=_mark_line)
        self.facts, self.fact_lines, self.marks = old_facts[:low], old_lines[:low], old_marks[:marks_low]
        self._read(blocks[before : len(blocks) - after], 0)
        middle = self.facts[low:]
        self._read_moved(blocks[len(blocks) - after :], old_facts[old_high:], 0)
        # The values that hold no place are the previous index's, less the edited blocks', plus the new ones.
        built = previous.__dict__
        for name in _PLACELESS:
            old_list = built.get(name)
            if old_list is not None:
                start, end = _entries_of(old_list, old_facts, low, old_high, attrgetter(_JOINED[name][0]))
                self.__dict__[name] = old_list[:start] + list(chain.from_iterable(map(attrgetter(_JOINED[name][0]), middle))) + old_list[end:]

    def block_facts(self, block: Block) -> BlockFacts:
        """The facts of one list block of the backlog (as ``facts`` holds them)."""
        found = _FACTS.peek(block)
        return _FACTS.put(block, _placed(_block_facts(block, self.backlog.lines), block)) if found is MISSING else found

    top_tasks = _joined("top_tasks")
    missing = _joined("missing")
    id_tasks = _joined("id_tasks")
    id_texts = _joined("id_texts")
    id_numbers = _joined("id_numbers")
    placeholder_items = _joined("placeholder_items")
    issue_tasks = _joined("issue_tasks")
    issue_numbers = _joined("issue_numbers")

    @cached_property
    def groups(self) -> list[Group]:
        """The tasks by heading, the text before the first heading first."""
        base, self._groups_base = self._groups_base, None
        facts = self.facts
        last_line = len(self.backlog.lines) - 1
        marks = self.marks
        count = len(marks)
        # ``groups[k + 1]`` is the group of mark k. After a keystroke the previous index's groups
        # above the edited blocks are these (their sections end above it too), and so are those
        # below from the first one found unchanged: its enclosing groups are then unchanged too.
        marks_low = base[1] if base is not None else 0
        if marks_low:
            first_mark = marks_low - 1
            groups = base[0][:marks_low]
            open_groups = _enclosing(groups[-1]) if first_mark else []  # the enclosing headings' groups, outermost first
        else:
            first_mark = 0
            first_facts = marks[0][1] if marks else len(facts)
            first_line = marks[0][0].start_line - 1 if marks else last_line
            groups = [Group(None, None, 0, first_line, False, facts[:first_facts])]
            open_groups = []
        peek_group = _GROUPS.peek
        for position in range(first_mark, count):
            block, start = marks[position]
            heading = block.heading
            level = heading.level
            while open_groups and open_groups[-1].level >= level:
                open_groups.pop()
            parent = open_groups[-1] if open_groups else None
            if position + 1 < count:
                next_block, end = marks[position + 1]
                end_line = next_block.start_line - 1
            else:
                end, end_line = len(facts), last_line
            # An unchanged section keeps the group built last time: a keystroke changes one.
            group = peek_group(block)
            if group is not MISSING:
                if group.parent is parent and group.end_line == end_line and group.facts == facts[start:end]:
                    groups.append(group)
                    if base is not None and position >= base[3]:
                        old_groups, _, old_marks_high, marks_high = base
                        old_position = position - marks_high + old_marks_high + 1
                        if old_groups[old_position] is group:
                            groups.extend(old_groups[old_position + 1 :])
                            break
                    open_groups.append(group)
                    continue
            title = heading.title
            dod = (parent is not None and parent.dod) or (
                ("one" in title or "ONE" in title or "oD" in title or "OD" in title or "od" in title)
                and bool(_DOD_TITLE.search(title))
            )
            group = Group(heading, parent, block.start_line, end_line, dod, facts[start:end])
            _GROUPS.put(block, group)
            groups.append(group)
            open_groups.append(group)
        return groups

    @cached_property
    def placeholder_style(self) -> PlaceholderStyle:
        return _placeholder_style(self)


def _placed(facts: BlockFacts, block: Block) -> BlockFacts:
    facts.lineage, facts.start_line = block.lineage, block.start_line
    return facts


# The flat lists of values that hold no place (not items, not spans): those of the blocks an Enter moved are theirs.
_PLACELESS = ("id_texts", "id_numbers", "issue_numbers")


def _enclosing(group: Group) -> list[Group]:
    """``group`` and the groups of the headings it lies under, outermost first."""
    chain_up = []
    while group is not None:
        chain_up.append(group)
        group = group.parent
    return chain_up[::-1]


def _entries_of(joined: list, facts: list[BlockFacts], low: int, high: int, field) -> tuple[int, int]:
    """Where the entries of ``facts[low:high]`` lie in ``joined``, one field of ``facts`` joined:
    counted (in C) over the shorter side."""

    def size(some: list[BlockFacts]) -> int:
        return sum(map(len, map(field, some)))

    if low <= len(facts) - high:
        start = size(facts[:low])
        return start, start + size(facts[low:high])
    end = len(joined) - size(facts[high:])
    return end - size(facts[low:high]), end


def _item_line(item: Item) -> int:
    return item.span.start_line


_lock = threading.Lock()
_last: tuple[Backlog, TaskIndex] | None = None


def task_index(backlog: Backlog) -> TaskIndex:
    """The index of ``backlog``; the last one built is kept, so the rules of one check share it,
    and the next one is built from it."""
    global _last
    last = _last
    if last is not None and last[0] is backlog:
        return last[1]
    index = TaskIndex(backlog, last[1] if last is not None else None)
    with _lock:
        _last = (backlog, index)
    return index


# --- task IDs --------------------------------------------------------------------------------------


_LEAD_NOISE = " \t*_[(~"
_LEADING_DIGITS = re.compile(r"\d+")


def lead_task_id(task: Item, lines) -> TaskId | None:
    """The task ID that names ``task``: the first one, when only markup comes before it on the first line.

    "**Task 2.3 (Issue #9):** ..." and "Task 2.3: ..." lead with one; in "Port the
    parser, depends on Task 3.1" the ID is a mention, not the task's name.
    """
    ids = task.refs.task_ids
    if not ids:
        return None
    first = ids[0]
    span = task.text_span
    if first.span.start_line != span.start_line:
        return None
    before = lines[span.start_line][span.start_col : first.span.start_col]
    return first if not before.strip(_LEAD_NOISE) else None


def leading_number(number: str) -> int | None:
    """The first component of a dotted number: "7.2" -> 7, "1C" -> 1, "99e" -> 99."""
    match = _LEADING_DIGITS.match(number)
    return int(match.group()) if match else None


_LAST_COMPONENT = re.compile(r"\d+")


class TakenNumbers:
    """The task numbers in use, by prefix, to hand out the next free one.

    "6.5" is number 5 of prefix "6"; "12" number 12 of no prefix. A number with a
    letter ("6.5a") counts for none. Kept as the highest per prefix, so renumbering
    every one of 20,000 duplicate IDs stays linear (a scan of all numbers for each
    took 248 s).
    """

    def __init__(self, numbers: Iterable[str]):
        self._highest: dict[tuple[str, str], int] = {}
        for number in numbers:
            self.add(number)

    @classmethod
    def of_document(cls, backlog: Backlog) -> TakenNumbers:
        """The numbers of every task ID in ``backlog``'s headings, prose and list items (all of
        ``backlog.references()``), kept per block on its lineage and per top-level item of a long
        list: a keystroke reads one block (or item) again, where reading every reference of a
        20,000-task backlog took 20 ms of each code action asked at a compound task."""
        taken = cls(())
        peek, put = _BLOCK_NUMBERS.peek, _BLOCK_NUMBERS.put
        for block in backlog.blocks:
            found = peek(block)
            if found is MISSING:
                found = put(block, _block_taken_numbers(block))
            taken.add_highest(found)
        return taken

    def highest(self) -> tuple[tuple[tuple[str, str], int], ...]:
        """The highest number taken per prefix: ((prefix, dot), number)s."""
        return tuple(self._highest.items())

    def add_highest(self, highest: Iterable[tuple[tuple[str, str], int]]) -> None:
        """Take the numbers of another ``highest()``, as if each of its numbers were added."""
        known = self._highest
        for key, value in highest:
            if value > known.get(key, 0):
                known[key] = value

    def add(self, number: str) -> None:
        prefix, dot, last = number.rpartition(".")
        if _LAST_COMPONENT.fullmatch(last):
            key = (prefix, dot)
            value = int(last)
            if value > self._highest.get(key, 0):
                self._highest[key] = value

    def renumber(self, task_id: TaskId) -> str | None:
        """The ID after the highest taken number with the same prefix ("Task 6.3" with 6.5 taken -> "Task 6.6"),
        which is then taken too; None when no number shares the prefix."""
        number = task_id.number
        prefix, dot, _ = number.rpartition(".")
        highest = self._highest.get((prefix, dot), 0)
        if highest == 0:
            return None
        last = number.rpartition(".")[2]
        width = len(last) if last.startswith("0") else 0  # "T007" is followed by "T148", "T09" by "T10"
        new_number = f"{prefix}{dot}{highest + 1:0{width}d}"
        self.add(new_number)
        word = task_id.text[: len(task_id.text) - len(number)]
        return f"{word}{new_number}"


def _block_taken_numbers(block: Block) -> tuple[tuple[tuple[str, str], int], ...]:
    """``TakenNumbers.highest`` of one block's task IDs (its heading's, its prose's, its items' trees')."""
    taken = TakenNumbers(task_id.number for task_id in (block.heading.refs.task_ids if block.heading is not None else ()))
    for task_id in block.refs.task_ids:
        taken.add(task_id.number)
    if block.item_count >= LONG_LIST_ITEMS:  # a new block at each keystroke in it: item by item
        peek, put = _ITEM_NUMBERS.peek, _ITEM_NUMBERS.put
        for item in block.items:
            lineage = lineage_of(item)
            found = peek(lineage)
            if found is MISSING:
                found = put(lineage, _tree_numbers(item).highest())
            taken.add_highest(found)
    else:
        for item in block.items:
            for task_id in _tree_task_ids(item):
                taken.add(task_id.number)
    return taken.highest()


def _tree_numbers(item: Item) -> TakenNumbers:
    return TakenNumbers(task_id.number for task_id in _tree_task_ids(item))


def _tree_task_ids(item: Item) -> Iterable[TaskId]:
    return chain.from_iterable(node.refs.task_ids for node in item.walk() if node.refs)


# Numbers only, never the blocks or items: kept on lineages, across moves.
_BLOCK_NUMBERS = BlockMemo(across_moves=True)  # block -> ``_block_taken_numbers``
_ITEM_NUMBERS = LineageMemo()  # a long list's top-level item -> ``TakenNumbers.highest`` of its tree


# --- labels for messages ---------------------------------------------------------------------------


def display_title(heading: Heading) -> str:
    title = " ".join(heading.title.replace("**", "").replace("__", "").split())
    return title if len(title) <= 60 else title[:59] + "…"


def task_label(task: Item, lines) -> str:
    """How a message names a task: its leading ID, else its bold title, else the start of its text."""
    task_id = lead_task_id(task, lines)
    if task_id is not None:
        return task_id.text
    text = task.refs.title or task.first_line_text.replace("**", "").replace("__", "").strip()
    text = " ".join(text.split())
    return text if len(text) <= 40 else text[:39] + "…"


def first_line_span(task: Item, lines) -> Span:
    """The first line of a task's text, or its checkbox when it has no text."""
    span = task.text_span
    line = lines[span.start_line]
    end = len(line.rstrip())
    if end <= span.start_col:
        return task.checkbox_span or span
    return Span(span.start_line, span.start_col, span.start_line, end)


# --- how the document writes issue numbers ---------------------------------------------------------

_WORDS_KEPT = {"issue", "issues", "bug", "ticket"}
_CLOSING = {"(": ")", "[": "]"}


@attrs.frozen
class PlaceholderStyle:
    """Where and how the document writes an issue on a task, to insert a placeholder the same way."""

    token: str = "#TBD"  # "#TBD", "Issue #TBD"
    placement: str = "end"  # "title" (inside the bold lead title), "lead" (before the text), "end"
    opening: str = "("
    closing: str = ")"
    separator: str = " "  # after a leading reference: "#24: Consolidate" -> ": "

    @property
    def written(self) -> str:
        """The placeholder as inserted: "(Issue #TBD)", "#TBD"."""
        return f"{self.opening}{self.token}{self.closing}"

    def edit_for(self, task: Item, lines) -> tuple[Span, str]:
        """Where to insert the placeholder in ``task`` and the text to insert."""
        wrapped = self.written
        title_span = task.refs.title_span
        if self.placement == "title" and title_span is not None:
            at = (title_span.end_line, title_span.end_col)
            return Span(*at, *at), f" {wrapped}"
        span = task.text_span
        line = lines[span.start_line]
        if self.placement == "lead" and len(line.rstrip()) > span.start_col:
            at = (span.start_line, span.start_col)
            return Span(*at, *at), f"{wrapped}{self.separator}"
        end = max(len(line.rstrip()), span.start_col)
        at = (span.start_line, end)
        return Span(*at, *at), f" {wrapped}" if end > 0 and not line[:end].endswith(" ") else wrapped


def _sample(task: Item, lines) -> tuple[str, bool, tuple[str, str, str, str]] | None:
    """How one task writes its first issue reference: (token, is placeholder, (placement, open, close, sep))."""
    refs = task.refs
    first_line = task.text_span.start_line
    candidates: list[IssueRef | Placeholder] = [r for r in named_issues(refs.issues, lines) if r.span.start_line == first_line]
    candidates += [p for p in refs.placeholders if p.span.start_line == first_line]
    if not candidates:
        return None
    ref = min(candidates, key=lambda r: r.span)
    if isinstance(ref, Placeholder):
        token, is_placeholder = ref.text, True
    else:
        word = ref.prefix if ref.style == "word" and ref.prefix.lower() in _WORDS_KEPT else ""
        token, is_placeholder = (f"{word} #TBD" if word else "#TBD"), False
    line = lines[first_line]
    start, end = ref.span.start_col, ref.span.end_col
    opening = line[start - 1] if start > 0 and line[start - 1] in _CLOSING else ""
    closing = ""
    if opening:
        close_at = line.find(_CLOSING[opening], end)
        closing = _CLOSING[opening] if close_at >= 0 else ""
        after = close_at + 1 if close_at >= 0 else end
    else:
        after = end
    outer_start = start - len(opening)
    title_span = refs.title_span
    if title_span is not None and title_span.encloses(ref.span):
        return token, is_placeholder, ("title", opening, closing, " ")
    if not line[task.text_span.start_col : outer_start].strip(" \t*_"):
        rest = line[after:]
        separator = rest[: len(rest) - len(rest.lstrip(" \t:-–—|"))] or " "
        return token, is_placeholder, ("lead", opening, closing, separator)
    return token, is_placeholder, ("end", opening, closing, " ")


def _placeholder_style(index: TaskIndex) -> PlaceholderStyle:
    """The style most top tasks write their first issue reference in (a missing task writes none).

    Tallied per block and kept on its lineage (a sample depends on the task's own line alone), a
    long list's per top task: a keystroke, or an Enter that moves every block below, tallies one
    block again, where sampling every task of a 20,000-task backlog took 160 ms of each code
    action asked at a task without an issue. The document's totals are those of the last call
    with the blocks between its unchanged first and last ones counted again (``_STYLE_TOTALS``):
    adding up 2,000 blocks' tallies was still 6 ms of such a code action at 20,000 tasks."""
    lines, facts = index.backlog.lines, index.facts
    lineages = [block_facts.lineage for block_facts in facts]
    tokens, placeholder_tokens, shapes = _spliced_totals(
        _STYLE_TOTALS, lineages, lambda low, high: [_tally_of(block_facts, lines) for block_facts in facts[low:high]]
    )
    if not shapes:
        return PlaceholderStyle()
    # The document's own placeholders show best how it writes an issue not filed yet.
    token = _most_common(placeholder_tokens or tokens)
    shape = _most_common(shapes)
    if token is None or shape is None:  # a tie: settled as a tally in document order settles it
        tokens, placeholder_tokens, shapes = _fresh_totals(index)
        token = (placeholder_tokens or tokens).most_common(1)[0][0]
        shape = shapes.most_common(1)[0][0]
    placement, opening, closing, separator = shape
    return PlaceholderStyle(token, placement, opening, closing, separator)


def _tally_of(facts: BlockFacts, lines) -> tuple:
    tally = _STYLE_TALLIES.peek(facts.lineage)
    if tally is MISSING:
        tally = _STYLE_TALLIES.put(facts.lineage, _style_tally(facts.tops, lines))
    return tally


def _added(tallies: Iterable[tuple], totals: tuple[Counter, ...] | None = None, sign: int = 1) -> tuple[Counter, ...]:
    """``totals`` (new counters, or copies) with each tally's counts added (``sign`` -1: taken away),
    in order: counted from nothing, the first key to reach a count comes first, as ties fall."""
    counters = tuple(Counter(totals[n]) for n in range(3)) if totals is not None else (Counter(), Counter(), Counter())
    for tally in tallies:
        for counter, counted in zip(counters, tally):
            for key, count in counted:
                counter[key] += sign * count
    if sign < 0:
        for counter in counters:
            for key in [key for key, count in counter.items() if count <= 0]:
                del counter[key]
    return counters


def _spliced_totals(
    last_call: list, lineages: list, tallies_between: Callable[[int, int], list[tuple]]
) -> tuple[Counter, ...]:
    """The totals of the tallies of the parts named by ``lineages`` (a part of the same lineage has
    the same tally): those of the last call (``last_call[0]``: its lineages, tallies and totals)
    with the parts between its unchanged first and last ones counted again, taken by
    ``tallies_between(low, high)``; all of them the first time. Keeps this call's in ``last_call``."""
    last = last_call[0]  # read once: another thread may replace it
    if last is None:
        tallies = tallies_between(0, len(lineages))
        totals = _added(tallies)
    else:
        old_lineages, old_tallies, old_totals = last
        before = same_from_top(old_lineages, lineages)
        after = same_from_bottom(old_lineages[before:], lineages[before:])
        middle = tallies_between(before, len(lineages) - after)
        tallies = old_tallies[:before] + middle + old_tallies[len(old_tallies) - after :]
        totals = _added(middle, _added(old_tallies[before : len(old_tallies) - after], old_totals, -1))
    last_call[0] = (lineages, tallies, totals)
    return totals


def _most_common(counter: Counter) -> Any:
    """The key with the highest count, or None when several share it (the order decides those)."""
    top = max(counter.values())
    found = [key for key, count in counter.items() if count == top]
    return found[0] if len(found) == 1 else None


# The last document's (block lineages, their tallies, the totals): ``_placeholder_style``.
_STYLE_TOTALS: list[tuple[list, list, tuple[Counter, ...]] | None] = [None]


def _style_tally(tasks: Sequence[Item], lines) -> tuple[tuple[tuple[Any, int], ...], ...]:
    """How the top tasks of one block write their issues: (tokens, placeholder tokens, shapes), each
    (key, count)s, keys in the order the tasks first write them; a long list's counts only
    (``_long_list_tally``)."""
    if len(tasks) >= LONG_LIST_ITEMS:  # a long list is a new block at each keystroke in it
        return _long_list_tally(tasks, lines)
    return _as_pairs(_added(_as_tally(_sample(task, lines)) for task in tasks))


def _long_list_tally(tasks: Sequence[Item], lines) -> tuple[tuple[tuple[Any, int], ...], ...]:
    """``_style_tally`` of a long list: its last call's counts with the tasks between its unchanged
    first and last ones counted again (their samples kept per task: a sample reads the task's own
    line alone, so a task an Enter moved has its sample). The keys are not in the tasks' order: a
    tie is settled by ``_fresh_totals``, which counts a long list task by task."""
    lineages = list(map(_ITEM_LINEAGE, tasks))  # in C: 20,000 calls of ``lineage_of`` were 5 ms
    if None in lineages:  # a task never copied has none yet
        lineages = [lineage if lineage is not None else lineage_of(task) for lineage, task in zip(lineages, tasks)]
    totals = _spliced_totals(
        _LONG_LIST_STYLE, lineages, lambda low, high: [_as_tally(_kept_sample(task, lines)) for task in tasks[low:high]]
    )
    return _as_pairs(totals)


def _fresh_totals(index: TaskIndex) -> tuple[Counter, ...]:
    """The document's totals counted in document order, a long list task by task: how a tie falls."""
    lines = index.backlog.lines

    def parts() -> Iterator[tuple]:
        for facts in index.facts:
            if len(facts.tops) >= LONG_LIST_ITEMS:
                yield from (_as_tally(_kept_sample(task, lines)) for task in facts.tops)
            else:
                yield _tally_of(facts, lines)

    return _added(parts())


def _kept_sample(task: Item, lines) -> Any:
    lineage = lineage_of(task)
    sample = _STYLE_SAMPLES.peek(lineage)
    if sample is MISSING:
        sample = _STYLE_SAMPLES.put(lineage, _sample(task, lines))
    return sample


_NO_TALLY: tuple = ((), (), ())


def _as_tally(sample: Any) -> tuple:
    """One task's sample as a tally of its own."""
    if sample is None:
        return _NO_TALLY
    token, is_placeholder, shape = sample
    return ((), ((token, 1),), ((shape, 1),)) if is_placeholder else (((token, 1),), (), ((shape, 1),))


def _as_pairs(totals: tuple[Counter, ...]) -> tuple[tuple[tuple[Any, int], ...], ...]:
    return tuple(tuple(counter.items()) for counter in totals)


_ITEM_LINEAGE = attrgetter("lineage")
# The last long list tallied: (its tasks' lineages, their tallies, the totals).
_LONG_LIST_STYLE: list[tuple[list, list, tuple[Counter, ...]] | None] = [None]


# The samples and tallies hold strings only, never the items: kept on lineages (``memo.LineageMemo``).
_STYLE_TALLIES = LineageMemo()  # block lineage -> ``_style_tally`` of its top tasks
_STYLE_SAMPLES = LineageMemo()  # a long list's top task's lineage -> ``_sample`` of it
