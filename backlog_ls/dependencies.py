"""Dependencies between tasks: what each task waits for, and whether it is still waiting.

A domain room, pure: a parsed document (plus, when there are any, the tracker's cached issues
and a lookup into the other files of the workspace) in, plain values out. The rules
(``rules/blocked_task_done.py``, ``dependency_cycle.py``, ``unknown_blocker.py``), hover,
definition and ``backlog-ls report --next`` all read the one ``graph`` built here.

Who waits. The parser finds what a text says it waits for (``model.Blocker``: "blocked by
#12", "depends on Task 3.1", "⛔ abc123"). The words belong to the task they are written in;
in a plain bullet below a task ("- Depends on: Task 1.1") to that task; in a paragraph or
bullet directly under a heading written as a task ("### Task 2.1: Parser", then
"**Depends on:** Task 1.2") to the heading task.

What it waits for. A task ID names the task that starts with it (``lead_task_id``, or a
heading task's ID); an Obsidian id names the task that carries ``🆔`` with it; an issue names
the task in this file that references it, else the issue itself in the tracker's cache.
What none of these names may be found in another file of the workspace (``elsewhere``: the
workspace index's lookup, when the server has one); else it is unknown.

The tracker adds what it knows: a task whose issue GitHub records as blocked by other issues
waits for them too (``origin == "tracker"``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from functools import cached_property
from typing import Any

import attrs

from .config import Settings
from .features.progress import CANCELLED_STATE, DONE_STATE, IN_PROGRESS_STATE, OPEN_STATE, StateReader
from .memo import MISSING, BlockMemo
from .model import Backlog, Block, Blocker, IssueRef, Item, Span
from .rules.common import lead_task_id

TEXT = "text"  # written in the document
TRACKER = "tracker"  # recorded on the tracker (GitHub's blocked-by)

STATE_WORDS = {DONE_STATE: "done", OPEN_STATE: "open", IN_PROGRESS_STATE: "in progress", CANCELLED_STATE: "cancelled"}


@attrs.frozen(eq=False)
class Node:
    """A task that can wait or be waited for: a list task, or a heading written as a task."""

    line: int
    name: str
    state: str  # a progress state: done, open, in_progress, cancelled
    span: Span  # its name: the task's first line of text, or the heading's title
    item: Item | None = None
    heading: Heading | None = None

    @property
    def is_done(self) -> bool:
        return self.state == DONE_STATE

    @property
    def is_open(self) -> bool:
        return self.state in (OPEN_STATE, IN_PROGRESS_STATE)


@attrs.frozen
class ElsewhereTask:
    """A task in another file, as the workspace index knows it."""

    path: str  # as the user should read it
    line: int
    name: str
    state: str  # a progress state
    span: Span | None = None
    uri: str | None = None  # for the editor to go to


# The workspace index's answer for a name this file does not hold: ("task", "Task 3.1") or
# ("id", "abc123") -> the task elsewhere, or None.
Elsewhere = Callable[[str, str], "ElsewhereTask | None"]


_LOOKUPS: dict[tuple, Elsewhere] = {}


def elsewhere_in(index: Any, uri: str, settings: Settings | None = None) -> Elsewhere:
    """The workspace index's answer for a task ID this file (``uri``) does not hold: the first task
    of another file that the ID names (``index.task_definitions``, ``index.path_of``).

    One lookup per index state, file and settings, so that the graph made with it is remembered
    (``graph`` compares the lookup by identity) until the index changes (``index.generation``).
    Obsidian ids are not in the index: they are found in their own file only.
    """
    key = (id(index), getattr(index, "generation", None), uri, id(settings))
    found = _LOOKUPS.get(key)
    if found is not None:
        return found
    states = StateReader.of_settings(settings)

    def lookup(kind: str, name: str) -> ElsewhereTask | None:
        if kind != "task":
            return None
        for hit in index.task_definitions(name):
            if hit.uri == uri:
                continue
            entry = hit.entry
            path = index.path_of(hit.uri) or hit.uri
            line = entry.text_span.start_line
            return ElsewhereTask(path, line, entry.text, states.of_box(entry.state), entry.text_span, hit.uri)
        return None

    if len(_LOOKUPS) > 256:
        _LOOKUPS.clear()
    _LOOKUPS[key] = lookup
    return lookup


@attrs.frozen(eq=False)
class Dependency:
    """``task`` waits for what ``blocker`` names: ``target`` in this file, ``elsewhere``, or ``issue``."""

    task: Node
    blocker: Blocker | None  # as written; None when the tracker recorded it
    label: str  # "Task 3.1", "#12", "abc123"
    origin: str = TEXT
    target: Node | None = None
    elsewhere: ElsewhereTask | None = None
    issue: Any = None  # a tracker.TrackerIssue from the cache
    issue_number: int | None = None

    @property
    def known(self) -> bool:
        return self.target is not None or self.elsewhere is not None or self.issue is not None

    @property
    def state(self) -> str | None:
        """The blocker's progress state; None when it is unknown."""
        if self.target is not None:
            return self.target.state
        if self.elsewhere is not None:
            return self.elsewhere.state
        if self.issue is not None:
            if getattr(self.issue, "is_open", False):
                return OPEN_STATE
            return DONE_STATE
        return None

    @property
    def is_open(self) -> bool:
        return self.state in (OPEN_STATE, IN_PROGRESS_STATE)

    @property
    def span(self) -> Span:
        """Where the dependency is written (the blocker's name), or the task for one the tracker records."""
        return self.blocker.span if self.blocker is not None else self.task.span


class Graph:
    """A document's tasks (``nodes``, in document order) and what each waits for."""

    def __init__(self, nodes: Callable[[], list[Node]] | list[Node], dependencies: tuple[Dependency, ...]):
        self._nodes = nodes
        self.dependencies = dependencies

    @cached_property
    def nodes(self) -> tuple[Node, ...]:
        # Made on demand: a document without dependencies needs its tasks only for "ready to start".
        return tuple(self._nodes() if callable(self._nodes) else self._nodes)

    def of(self, task: Node) -> list[Dependency]:
        return [dependency for dependency in self.dependencies if dependency.task is task]

    def at_line(self, line: int) -> list[Dependency]:
        """The dependencies of the task that starts on ``line``."""
        return [dependency for dependency in self.dependencies if dependency.task.line == line]

    def ready(self) -> list[Node]:
        """The open tasks, in document order, whose blockers are all done or cancelled: ready to start.

        A blocker that names nothing known keeps its task waiting: nobody can say it is done.
        """
        waiting = {id(d.task) for d in self.dependencies if d.state is None or d.is_open}
        return [node for node in self.nodes if node.is_open and id(node) not in waiting]

    def cycles(self) -> list[list[Dependency]]:
        """Each cycle of tasks that wait for one another in this file, as the dependencies that close it."""
        return _cycles(self)


def graph(
    backlog: Backlog,
    settings: Settings | None = None,
    *,
    tracker: Any = None,
    elsewhere: Elsewhere | None = None,
) -> Graph:
    """The dependencies of one document; made once per parsed snapshot, settings, tracker and lookup."""
    key = (settings, tracker, elsewhere)
    token = _tracker_token(tracker)
    cached = backlog.__dict__.get("_dependencies")
    if cached is not None and all(a is b for a, b in zip(cached[0], key)) and cached[1] == token:
        return cached[2]
    result = _build(backlog, settings, tracker, elsewhere)
    backlog.__dict__["_dependencies"] = (key, token, result)
    return result


def _tracker_token(tracker: Any) -> Any:
    """What changes when the tracker's cached data does (a refresh keeps the same source object)."""
    if tracker is None:
        return None
    from .features.issues import source_token

    try:
        return source_token(tracker)
    except Exception:  # noqa: BLE001
        return object()  # never equal: build again


def _build(backlog: Backlog, settings: Settings | None, tracker: Any, elsewhere: Elsewhere | None) -> Graph:
    blocked = _blocked_issues(tracker)
    if not blocked and not any(_may_wait(block) for block in backlog.blocks):
        # Most documents: no word of any dependency and none on the tracker; nothing to resolve,
        # and the tasks are read only if someone asks for them (``report --next``), not per keystroke.
        # The blocks and lines, not the Backlog: the graph is kept in the Backlog's own cache, and a
        # cycle through it would leave every old snapshot to the cyclic collector.
        blocks, lines = backlog.blocks, backlog.lines
        return Graph(lambda: [node for block in blocks for node in _part(block, lines, settings).nodes], ())
    parts = [_part(block, backlog.lines, settings) for block in backlog.blocks]
    written: list[tuple[Node, Blocker]] = []
    heading_task: Node | None = None  # the innermost section's heading, when it is a task
    for block, part in zip(backlog.blocks, parts):
        if block.heading is not None:
            heading_task = part.nodes[0] if block.heading.task_state is not None else None
        for owner, blocker in part.written:
            owner = owner or heading_task
            if owner is not None:
                written.append((owner, blocker))

    def nodes() -> list[Node]:
        return [node for part in parts for node in part.nodes]

    if not written and not blocked:
        return Graph(nodes, ())
    names = _Names(parts, written, bool(blocked))
    dependencies = [_resolve(task, blocker, names, tracker, elsewhere) for task, blocker in written]
    every = nodes()
    if blocked:
        dependencies.extend(_tracker_dependencies(every, names, tracker, blocked))
    return Graph(every, tuple(dependencies))


def _blocked_issues(tracker: Any) -> frozenset[int]:
    """The numbers of the cached issues the tracker records as blocked by others."""
    if tracker is None:
        return frozenset()
    try:
        return frozenset(issue.number for issue in tracker.all() if getattr(issue, "blocked_by", None))
    except Exception:  # noqa: BLE001 - a broken source must not break a rule
        return frozenset()


@attrs.frozen(eq=False)
class _BlockPart:
    """One block's share of the graph: its tasks, what names them, and what they say they wait for.

    Remembered per block (``memo.BlockMemo``, keyed by the settings, as block rules are): after a
    keystroke only the re-parsed blocks are read again, the rest is joined from what is remembered.
    """

    nodes: tuple[Node, ...] = ()
    # Each written blocker with the task it belongs to; None: the heading task above the block.
    written: tuple[tuple[Node | None, Blocker], ...] = ()
    # What names a task of the block, the first one of each name: "task 3.1" (a task ID), "abc123"
    # (an Obsidian "🆔 abc123"), 12 (an issue the task references as its own).
    task_names: Mapping[str, Node] = attrs.field(factory=dict)
    id_names: Mapping[str, Node] = attrs.field(factory=dict)
    issue_names: Mapping[int, Node] = attrs.field(factory=dict)


_NOTHING = _BlockPart()
_PARTS = BlockMemo()
# Whether a block writes any blocker that ``_read_part`` would keep: where it sits does not matter,
# so an Enter above a block does not read it again.
_MAY_WAIT = BlockMemo(across_moves=True)


def _may_wait(block: Block) -> bool:
    value = _MAY_WAIT.peek(block)
    if value is MISSING:
        heading = block.heading
        if heading is not None:
            value = heading.task_state is not None and bool(heading.refs.blockers)
        else:
            value = bool(block.refs.blockers) or any(item.refs.blockers for item, _ in block.walk)
        _MAY_WAIT.put(block, value)
    return value


def _part(block: Block, lines, settings: Settings | None) -> _BlockPart:
    value = _PARTS.peek(block, settings)
    if value is MISSING:
        value = _PARTS.put(block, _read_part(block, lines, StateReader.of_settings(settings)), settings)
    return value


def _read_part(block: Block, lines, states: StateReader) -> _BlockPart:
    heading = block.heading
    nodes: list[Node] = []
    written: list[tuple[Node | None, Blocker]] = []
    names: tuple[list, list, list] = ([], [], [])
    if heading is not None:
        if heading.task_state is None:
            return _NOTHING
        state = DONE_STATE if heading.is_checked else OPEN_STATE
        node = Node(heading.span.start_line, heading.title.strip(), state, heading.title_span, heading=heading)
        nodes.append(node)
        written.extend((node, blocker) for blocker in heading.refs.blockers)
        _name(node, heading.task_id, heading.refs, names)
    elif block.refs.blockers:
        written.extend((None, blocker) for blocker in block.refs.blockers)
    if block.has_items:
        owners: dict[int, Node | None] = {}
        for item, parent in block.walk:
            if item.checkbox is not None:
                owner = Node(item.line, item.first_line_text.strip(), states.of(item), _first_line(item, lines), item=item)
                nodes.append(owner)
                if item.refs:
                    _name(owner, lead_task_id(item, lines), item.refs, names)
            else:
                owner = owners.get(id(parent)) if parent is not None else None
            if item.children:
                owners[id(item)] = owner
            if item.refs.blockers:
                written.extend((owner, blocker) for blocker in item.refs.blockers)
    if not nodes and not written:
        return _NOTHING
    return _BlockPart(tuple(nodes), tuple(written), *(_first_wins(pairs) for pairs in names))


def _first_wins(pairs: list) -> dict:
    return dict(reversed(pairs)) if pairs else {}


def _name(node: Node, task_id, refs, names: tuple[list, list, list]) -> None:
    if task_id is not None:
        names[0].append((task_key(task_id.text), node))
    names[1].extend((named.name, node) for named in refs.dependency_ids)
    waits_for = {id(blocker.issue) for blocker in refs.blockers if blocker.issue is not None}
    names[2].extend((ref.number, node) for ref in refs.issues if id(ref) not in waits_for and ref.owner is None)


def _first_line(item: Item, lines) -> Span:
    span = item.text_span
    if span.end_line == span.start_line:
        return span
    return Span(span.start_line, span.start_col, span.start_line, len(lines[span.start_line].rstrip()))


def task_key(name: str) -> str:
    """One spelling of a task ID: "Task  3.1" and "task 3.1" alike; "T-10" as "t10"."""
    words = name.lower().split()
    joined = " ".join(words)
    return joined.replace("-", "") if len(words) == 1 else joined


class _Names:
    """What names each task of the document (the first task of a name wins), from the blocks' parts.

    Only the names some blocker uses are looked up. A few are looked up block by block (one
    dictionary lookup per block and name); many, by joining the blocks' names once.
    """

    def __init__(self, parts: Sequence[_BlockPart], written: Iterable[tuple[Node, Blocker]], tracker_issues: bool):
        wanted: dict[str, set] = {"task": set(), "id": set(), "issue": set()}
        for _, blocker in written:
            if blocker.kind == "issue":
                if blocker.issue is not None:
                    wanted["issue"].add(blocker.issue.number)
            else:
                wanted[blocker.kind].add(task_key(blocker.name) if blocker.kind == "task" else blocker.name)
        self.tasks = self._join(parts, "task_names", wanted["task"])
        self.ids = self._join(parts, "id_names", wanted["id"])
        self.issues = self._join(parts, "issue_names", wanted["issue"], every=tracker_issues)

    @staticmethod
    def _join(parts: Sequence[_BlockPart], field: str, wanted: set, every: bool = False) -> dict:
        if not wanted and not every:
            return {}
        named = [getattr(part, field) for part in parts if getattr(part, field)]
        if every or len(wanted) * len(named) > sum(len(names) for names in named):
            joined: dict = {}
            for names in reversed(named):  # later blocks first, so that the first task of a name is kept
                joined.update(names)
            return joined
        found: dict = {}
        for names in named:
            for key in wanted.intersection(names) if len(names) > len(wanted) else (k for k in names if k in wanted):
                found.setdefault(key, names[key])
        return found

    def issue_task(self, number: int, besides: Node) -> Node | None:
        found = self.issues.get(number)
        return None if found is besides else found


def _resolve(task: Node, blocker: Blocker, names: _Names, tracker: Any, elsewhere: Elsewhere | None) -> Dependency:
    label = blocker.name
    if blocker.kind == "issue":
        ref = blocker.issue
        number = ref.number if ref is not None else None
        target = names.issue_task(number, task) if ref is not None and ref.owner is None else None
        if target is not None:
            return Dependency(task, blocker, label, target=target, issue_number=number)
        return Dependency(task, blocker, label, issue=_issue(tracker, ref), issue_number=number)
    key = task_key(label) if blocker.kind == "task" else label
    target = (names.tasks if blocker.kind == "task" else names.ids).get(key)
    if target is not None:
        return Dependency(task, blocker, label, target=target)
    found = None
    if elsewhere is not None:
        try:
            found = elsewhere(blocker.kind, label)
        except Exception:  # noqa: BLE001 - the workspace index is a guest here: never fail a rule on it
            found = None
    return Dependency(task, blocker, label, elsewhere=found)


def _issue(tracker: Any, ref: IssueRef | None) -> Any:
    if tracker is None or ref is None:
        return None
    from .features.issues import lookup

    try:
        return lookup(tracker, ref)
    except Exception:  # noqa: BLE001 - a broken source must not break a rule
        return None


def _tracker_dependencies(nodes: Iterable[Node], names: _Names, tracker: Any, blocked: frozenset[int]) -> Iterator[Dependency]:
    """What the tracker records: a task whose issue is blocked by other issues waits for them."""
    from .features.issues import lookup, tracker_refs

    for node in nodes:
        refs = node.item.refs if node.item is not None else node.heading.refs
        if not any(ref.number in blocked for ref in refs.issues):
            continue
        waits_for = {id(blocker.issue) for blocker in refs.blockers if blocker.issue is not None}
        for ref in tracker_refs(refs, tracker):
            if id(ref) in waits_for:
                continue
            try:
                issue = lookup(tracker, ref)
            except Exception:  # noqa: BLE001
                issue = None
            for number in getattr(issue, "blocked_by", None) or ():
                target = names.issue_task(number, node)
                blocking = None
                if target is None:
                    try:
                        blocking = tracker.get(number)
                    except Exception:  # noqa: BLE001
                        blocking = None
                yield Dependency(node, None, f"#{number}", TRACKER, target=target, issue=blocking, issue_number=number)


def _cycles(found: Graph) -> list[list[Dependency]]:
    """Strongly connected groups of tasks (Tarjan's algorithm, without recursion), each as the
    dependencies among its members, the first written one first; a task that waits for itself too."""
    edges: dict[int, list[Dependency]] = {}
    for dependency in found.dependencies:
        if dependency.target is not None:
            edges.setdefault(id(dependency.task), []).append(dependency)
    index: dict[int, int] = {}
    low: dict[int, int] = {}
    on_stack: set[int] = set()
    stack: list[Node] = []
    groups: list[list[Node]] = []
    counter = 0
    for root in found.nodes:
        if id(root) in index or id(root) not in edges:
            continue
        work: list[tuple[Node, int]] = [(root, 0)]
        while work:
            node, position = work.pop()
            key = id(node)
            if position == 0:
                index[key] = low[key] = counter
                counter += 1
                stack.append(node)
                on_stack.add(key)
            outgoing = edges.get(key, [])
            if position < len(outgoing):
                work.append((node, position + 1))
                target = outgoing[position].target
                if id(target) not in index:
                    work.append((target, 0))
                elif id(target) in on_stack:
                    low[key] = min(low[key], index[id(target)])
                continue
            if work:
                parent = work[-1][0]
                low[id(parent)] = min(low[id(parent)], low[key])
            if low[key] == index[key]:
                group = []
                while True:
                    member = stack.pop()
                    on_stack.discard(id(member))
                    group.append(member)
                    if member is node:
                        break
                groups.append(group)
    cycles = []
    for group in groups:
        members = {id(node) for node in group}
        inside = [
            dependency
            for node in group
            for dependency in edges.get(id(node), [])
            if id(dependency.target) in members
        ]
        if len(group) > 1 or inside:
            inside.sort(key=lambda dependency: dependency.span)
            cycles.append(inside)
    cycles.sort(key=lambda dependencies: dependencies[0].span)
    return cycles


def describe(dependency: Dependency) -> str:
    """The blocker in words, for hovers and messages: "Task 3.1 Parser (line 12, open)", "#12 Importer (open)"."""
    state = dependency.state
    if dependency.target is not None:
        target = dependency.target
        return f"{_named(dependency.label, target.name)} (line {target.line + 1}, {STATE_WORDS[state]})"
    if dependency.elsewhere is not None:
        where = dependency.elsewhere
        return f"{_named(dependency.label, where.name)} ({where.path}:{where.line + 1}, {STATE_WORDS.get(where.state, where.state)})"
    if dependency.issue is not None:
        word = "open" if state == OPEN_STATE else "closed"
        return f"{_named(dependency.label, getattr(dependency.issue, 'title', ''))} ({word})"
    return f"{dependency.label} (unknown)"


_MARKUP = str.maketrans("", "", "*_`")


def _named(label: str, name: str, limit: int = 60) -> str:
    """"Task 3.1 Parser": the label, then the name without its markup, unless the name holds the label."""
    name = " ".join(name.translate(_MARKUP).split())
    if len(name) > limit:
        name = name[: limit - 1].rstrip() + "…"
    if not name:
        return label
    return name if label.lower() in name.lower() else f"{label} {name}"
