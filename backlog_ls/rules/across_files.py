"""Rules across files: what one backlog says that another contradicts.

A backlog spans files (a ROADMAP.md, docs/plans/*.md, an ARCHIVE.md), and three of the
per-file rules have a cross-file half, under the same name and code, so one setting and
one suppression comment govern both:

- duplicate-issue (BL103): one issue claimed by a task in one file and by another task
  in another file of the same project;
- duplicate-task-id (BL104): one task ID naming two tasks in two files that share an ID
  namespace: ``[rules.duplicate-task-id] scope`` says which do: ``"folder"`` (the
  default: the files of one folder, as spec kits keep ``specs/001-x/tasks.md`` and
  ``specs/002-y/tasks.md`` numbered each from T001), ``"workspace"`` (every file of
  the project) or ``"file"`` (never across files);
- broken-link (BL401): a link named by a task ID (``[Task 2.3](plan.md)``) to a backlog
  that defines no such task (links to headings are checked by the per-file half).

Files share nothing unless they belong to one known project (a git work tree, the folder
of a configuration file, an editor's workspace folder): the files of an unknown folder
are as likely to come from different repositories, whose "#12" and "Task 1.1" are others.
A task copied with the same words (an ARCHIVE.md, a checklist over the plan) is the task
again, not a duplicate. Each finding goes to the later file (by path) and points at the
first with related information.

Pure: the rules take ``FileFacts``, small summaries built from a parsed backlog by
``facts_of`` (what an unopened file keeps in the workspace index), never the files.
"""

from __future__ import annotations

import bisect
import functools
import itertools
import os
import threading
from collections import OrderedDict
from operator import attrgetter
from typing import Any
from collections.abc import Callable, Collection, Iterable, Iterator

import attrs

from .. import checkpoint
from ..config import OFF, Settings
from ..memo import MISSING, BlockMemo
from ..pickling import by_fields
from ..model import LONG_LIST_ITEMS, Backlog, Block, Span
from ..patching import edited_blocks, edited_items, entries_on, spliced
from ..states import CANCELLED, state_kinds, task_kind
from . import Finding, Related, Rule, selected
from . import broken_link, duplicate_issue, duplicate_task_id
from .common import normal_text, task_index, task_label

DEFAULT_SCOPE = duplicate_task_id.DEFAULT_SCOPE


@by_fields
@attrs.frozen
class NamedId:
    """A task ID naming a task (or a heading task), with that task's words."""

    text: str  # "Task 2.3"
    span: Span
    line_text: str  # the line it is on: related information in another file needs its columns
    words: str


@by_fields
@attrs.frozen
class ClaimedIssue:
    """An issue a task claims as its own (``duplicate_issue.names_its_issue``)."""

    key: tuple
    name: str  # "Issue #12"
    span: Span
    line_text: str
    label: str  # how a message names the task: "Task 1.1"
    words: str


@by_fields
@attrs.frozen
class TaskLink:
    """A link whose text is a task ID: ``[Task 2.3](plan.md)``."""

    task_id: str
    path: str  # the target file, absolute
    shown: str  # the target as the user wrote it (decoded)
    span: Span  # of the target
    line_text: str = ""


@by_fields
@attrs.frozen
class FileFacts:
    """What the cross-file rules need of one file; see the module docstring."""

    path: str  # absolute
    project: str | None  # the folder the file shares issues and IDs in; None: no project known
    ids: tuple[NamedId, ...] = ()
    issues: tuple[ClaimedIssue, ...] = ()
    task_links: tuple[TaskLink, ...] = ()
    id_scope: str = DEFAULT_SCOPE
    defined: frozenset[str] = frozenset()  # every task ID naming a task here, suppressed or not
    severities: tuple[tuple[str, str], ...] = ()  # rule name -> the severity configured for this file
    # An open document's: what its next facts are patched from (``facts_of(live=True, previous=...)``).
    base: Any = attrs.field(default=None, eq=False, repr=False)

    @property
    def id_namespace(self) -> tuple | None:
        if self.project is None or self.id_scope == "file":
            return None
        if self.id_scope == "workspace":
            return (self.project,)
        return (self.project, os.path.dirname(self.path))

    def line_texts(self) -> dict[int, str]:
        """The text of every line a cross-file finding in this file can be on."""
        return {use.span.start_line: use.line_text for use in itertools.chain(self.ids, self.issues, self.task_links)}

    def severity(self, rule: Rule) -> str:
        return dict(self.severities).get(rule.name) or rule.severity


def _wanted(rule: Rule, settings: Settings, select, ignore) -> bool:
    return settings.rule(rule.name).severity != OFF and selected(rule, select, ignore)


def facts_of(
    backlog: Backlog,
    path: str,
    project: str | None,
    settings: Settings | None = None,
    *,
    select: Collection[str] | None = None,
    ignore: Collection[str] | None = None,
    live: bool = False,
    previous: FileFacts | None = None,
) -> FileFacts:
    """The facts of one parsed file (its suppressions, settings, ``--select`` and ``--ignore`` applied).

    A file of no project, or over ``max-file-size``, shares nothing (no facts). ``live`` (an open
    document, checked after each edit): the facts keep what it takes to patch them, and with the
    ``previous`` facts of an earlier text of the same document, taken with the same inputs, only
    the edited blocks' uses are read again (``_uses_patched``); the result equals facts of the whole text."""
    from .suppress import Suppressions

    settings = settings or Settings()
    path = os.path.abspath(path)
    if project is None or _over_limit(backlog, settings.max_file_size):
        return FileFacts(path, None)  # no project; or too large for more than its parse problems
    suppressions = Suppressions.of(backlog)

    def shown(rule: Rule) -> Callable[[int], bool] | None:
        if not _wanted(rule, settings, select, ignore) or suppressions.whole_file(rule.name, rule.code):
            return None
        if not suppressions.ranges:
            return _EVERY_LINE
        return lambda line: not suppressions.hides(rule.name, line, rule.code)

    home = duplicate_issue.home_repository(settings)
    folder = os.path.dirname(path)
    kinds = tuple(sorted(state_kinds(settings).items()))  # hashable: part of the blocks' memo key
    claims = (home, kinds)
    uses = None
    if live and previous is not None and previous.base is not None and previous.base.inputs == (claims, folder):
        uses = _uses_patched(previous.base, backlog, claims, folder)
    if uses is None:
        uses = _all_uses(backlog, claims, folder)
    keep_id, keep_issue, keep_link = (shown(rule) for rule in (duplicate_task_id.RULE, duplicate_issue.RULE, broken_link.RULE))
    severities = tuple(
        (rule.name, severity)
        for rule in (duplicate_issue.RULE, duplicate_task_id.RULE, broken_link.RULE)
        if (severity := settings.rule(rule.name).severity) is not None
    )
    scope = settings.rule(duplicate_task_id.RULE.name).options.get("scope", DEFAULT_SCOPE)
    return FileFacts(
        path,
        project,
        ids=_kept(uses.ids, keep_id),
        issues=_kept(uses.issues, keep_issue),
        task_links=_kept(uses.list_links + uses.heading_links, keep_link),
        id_scope=scope,
        defined=uses.defined,
        severities=severities,
        base=uses if live else None,
    )


def _EVERY_LINE(line: int) -> bool:
    return True


def _kept(uses: tuple, keep: Callable[[int], bool] | None) -> tuple:
    if keep is None:
        return ()
    return uses if keep is _EVERY_LINE else tuple(use for use in uses if keep(use.span.start_line))


@attrs.frozen(eq=False)
class _AllUses:
    """Every use of one text before the suppressions and settings choose (``facts_of``), with what
    patching them after an edit takes: the blocks they were read from, and the inputs they depend on."""

    blocks: tuple[Block, ...]
    line_count: int
    inputs: tuple  # (claims, folder)
    ids: tuple[NamedId, ...]  # sorted by span
    issues: tuple[ClaimedIssue, ...]
    list_links: tuple[TaskLink, ...]  # the list blocks'
    heading_links: tuple[TaskLink, ...]  # ... then the headings'
    defined: frozenset[str]


def _all_uses(backlog: Backlog, claims: tuple, folder: str) -> _AllUses:
    lines = backlog.lines
    all_ids: list[NamedId] = []
    all_issues: list[ClaimedIssue] = []
    all_links: list[TaskLink] = []
    heading_links: list[TaskLink] = []
    list_blocks = [block for block in backlog.blocks if block.heading is None and block.has_items]  # as TaskIndex has them
    for position, (block, block_facts) in enumerate(zip(list_blocks, task_index(backlog).facts)):
        if not position & 3:
            checkpoint.reached()  # a check may stop here; background work gives way (``providers.daemon``)
        ids, issues, links = _block_uses(block, block_facts, lines, claims, folder)
        all_ids.extend(ids)
        all_issues.extend(issues)
        all_links.extend(links)
    for heading in backlog.headings:
        if heading.task_id is not None:
            all_ids.append(_heading_id(heading, lines))
            heading_links.extend(_task_links(heading.refs, folder, lines))
    all_ids.sort(key=lambda named: named.span)
    return _AllUses(
        backlog.blocks, len(lines), (claims, folder), tuple(all_ids), tuple(all_issues), tuple(all_links), tuple(heading_links),
        frozenset(named.text for named in all_ids),
    )


def _heading_id(heading, lines) -> NamedId:
    return NamedId(heading.task_id.text, heading.task_id.span, lines[heading.task_id.span.start_line], duplicate_task_id.heading_words(heading))


def _uses_patched(base: _AllUses, backlog: Backlog, claims: tuple, folder: str) -> _AllUses | None:
    """``base`` brought up to ``backlog``'s text: the uses of the blocks the edit left alone kept
    (moved with them), those of the edited list blocks read again; None when a heading is among
    the edited blocks (its task ID and links are read with all the others then)."""
    lines = backlog.lines
    before, after, first, old_last, delta, _ = edited_blocks(base.blocks, backlog.blocks, base.line_count, len(lines))
    old_middle = base.blocks[before : len(base.blocks) - after]
    middle = backlog.blocks[before : len(backlog.blocks) - after]
    if any(block.heading is not None for block in itertools.chain(old_middle, middle)):
        return None
    index = task_index(backlog)
    ids: list[NamedId] = []
    issues: list[ClaimedIssue] = []
    links: list[TaskLink] = []
    inner = edited_items(old_middle, middle, delta)
    if inner is not None:  # within one long list: the uses of the edited items' tasks alone
        first, old_last, _ = inner
        found = _window_uses(index.block_facts(middle[0]), first, old_last + delta, lines, claims, folder)
        ids.extend(found[0])
        issues.extend(found[1])
        links.extend(found[2])
    for block in middle if inner is None else ():
        if block.has_items:
            found = _block_uses(block, index.block_facts(block), lines, claims, folder)
            ids.extend(found[0])
            issues.extend(found[1])
            links.extend(found[2])
    new_ids = spliced(base.ids, first, old_last, tuple(ids), delta, _moved_id)
    old_texts = [named.text for named in entries_on(base.ids, first, old_last)]
    defined = base.defined
    if old_texts != [named.text for named in ids]:  # an ID came or went: the names counted again
        defined = frozenset(named.text for named in new_ids)
    return _AllUses(
        backlog.blocks,
        len(lines),
        base.inputs,
        new_ids,
        spliced(base.issues, first, old_last, tuple(issues), delta, _moved_issue),
        spliced(base.list_links, first, old_last, tuple(links), delta, _moved_link),
        spliced(base.heading_links, first, old_last, (), delta, _moved_link),
        defined,
    )


def _over_limit(backlog: Backlog, limit: int) -> bool:
    """Whether the text is over ``max-file-size`` (this runs after every keystroke: see ``size_limit.size_over``)."""
    from .. import size_limit

    return size_limit.backlog_size_over(backlog, limit) is not None


_Uses = tuple[tuple[NamedId, ...], tuple[ClaimedIssue, ...], tuple[TaskLink, ...]]
# A block's uses by its text, at line 0: a line inserted above moves every later block (new objects,
# the same text), whose uses are then shifted instead of read again.
_BY_TEXT: OrderedDict[tuple, _Uses] = OrderedDict()
_BY_TEXT_SIZE = 32_768  # a block, or a task of a long list, each
_by_text_lock = threading.Lock()
# ... and by the block's lineage, with the line it was read at: while the block lives, moved or not.
_MOVED = BlockMemo(across_moves=True)
# A long list's last few texts (each holds thousands of uses): (the line it was read at, its uses).
_LONG_BY_TEXT: OrderedDict[tuple, tuple[int, _Uses]] = OrderedDict()
_LONG_BY_TEXT_SIZE = 4


def _block_uses(block, block_facts, lines, claims: tuple, folder: str) -> _Uses:
    """One list block's task IDs, claimed issues and task-ID links, remembered while the block lives
    (``common.BlockFacts.memo``), and by its text: after a keystroke only the edited block is read again."""
    key = ("across-files", claims, folder)
    found = block_facts.memo.get(key)
    if found is not None:
        return found
    start = block.start_line
    moved = _MOVED.peek(block, key)  # the same block moved by whole lines (an Enter above it)
    if moved is not MISSING:
        found = block_facts.memo[key] = moved[1] if moved[0] == start else _shifted(moved[1], start - moved[0])
        _MOVED.put(block, (start, found), key)
        return found
    if _is_long(block_facts):  # remembered task by task, and the last few texts whole (an Enter undone)
        text_key = (tuple(lines[start : block.end_line + 1]), claims, folder)
        with _by_text_lock:
            seen = _LONG_BY_TEXT.get(text_key)
        if seen is not None:
            found = seen[1] if seen[0] == start else _shifted(seen[1], start - seen[0])
        else:
            found = _read_block_uses(block_facts, lines, claims, folder)
            with _by_text_lock:
                _LONG_BY_TEXT[text_key] = (start, found)
                while len(_LONG_BY_TEXT) > _LONG_BY_TEXT_SIZE:
                    _LONG_BY_TEXT.popitem(last=False)
        block_facts.memo[key] = found
        _MOVED.put(block, (start, found), key)
        return found
    text_key = (tuple(lines[start : block.end_line + 1]), claims, folder)
    with _by_text_lock:
        at_zero = _BY_TEXT.get(text_key)
        if at_zero is not None:
            _BY_TEXT.move_to_end(text_key)
    if at_zero is not None:
        found = block_facts.memo[key] = _shifted(at_zero, start)
        return found
    found = block_facts.memo[key] = _read_block_uses(block_facts, lines, claims, folder)
    _MOVED.put(block, (start, found), key)
    with _by_text_lock:
        _BY_TEXT[text_key] = _shifted(found, -start)
        while len(_BY_TEXT) > _BY_TEXT_SIZE:
            _BY_TEXT.popitem(last=False)
    return found


def _shifted(uses: _Uses, delta: int) -> _Uses:
    if delta == 0:
        return uses
    ids, issues, links = uses
    return (
        tuple([_moved_id(u, delta) for u in ids]),
        tuple([_moved_issue(u, delta) for u in issues]),
        tuple([_moved_link(u, delta) for u in links]),
    )


# Built directly, not with attrs.evolve: thousands of them after an Enter.
def _moved_id(u: NamedId, delta: int) -> NamedId:
    return NamedId(u.text, u.span.shifted(delta), u.line_text, u.words)


def _moved_issue(u: ClaimedIssue, delta: int) -> ClaimedIssue:
    return ClaimedIssue(u.key, u.name, u.span.shifted(delta), u.line_text, u.label, u.words)


def _moved_link(u: TaskLink, delta: int) -> TaskLink:
    return TaskLink(u.task_id, u.path, u.shown, u.span.shifted(delta), u.line_text)


# A long list (a backlog of one list; ``LONG_LIST_ITEMS`` counted in tasks) is read task by task:
# an edit reads one task again.
_TASK_USES = BlockMemo()  # a task's uses while the task lives (the tasks an edit did not touch)


def _is_long(block_facts) -> bool:
    return len(block_facts.id_tasks) + len(block_facts.issue_tasks) >= LONG_LIST_ITEMS


def _read_block_uses(block_facts, lines, claims: tuple, folder: str) -> _Uses:
    if not _is_long(block_facts):
        return _read_uses(block_facts.id_tasks, block_facts.issue_tasks, lines, claims, folder)
    with_id = {id(task) for task in block_facts.id_tasks}
    with_issue = {id(task) for task in block_facts.issue_tasks}
    tasks = {id(task): task for task in (*block_facts.id_tasks, *block_facts.issue_tasks)}
    ids: list[NamedId] = []
    issues: list[ClaimedIssue] = []
    links: list[TaskLink] = []
    for task in sorted(tasks.values(), key=lambda task: task.span.start_line):
        found = _TASK_USES.peek(task, (claims, folder))
        if found is MISSING:
            found = _task_uses(task, id(task) in with_id, id(task) in with_issue, lines, claims, folder)
            _TASK_USES.put(task, found, (claims, folder))
        ids.extend(found[0])
        issues.extend(found[1])
        links.extend(found[2])
    return tuple(ids), tuple(issues), tuple(links)


def _window_uses(block_facts, first: int, last: int, lines, claims: tuple, folder: str) -> _Uses:
    """The uses of a list block's tasks on lines ``first``..``last`` (its tasks are in document order)."""

    def within(tasks: list) -> list:
        low = bisect.bisect_left(tasks, first, key=_task_line)
        return tasks[low : bisect.bisect_right(tasks, last, key=_task_line, lo=low)]

    return _read_uses(within(block_facts.id_tasks), within(block_facts.issue_tasks), lines, claims, folder)


def _task_line(task) -> int:
    return task.span.start_line


def _task_uses(task, has_id: bool, has_issue: bool, lines, claims: tuple, folder: str) -> _Uses:
    """One task's uses: by its text, as a block's (``_BY_TEXT``), moved to where the task is now."""
    start = task.span.start_line
    text_key = ("task", tuple(lines[start : task.span.end_line + 1]), has_id, has_issue, claims, folder)
    with _by_text_lock:
        seen = _BY_TEXT.get(text_key)
        if seen is not None:
            _BY_TEXT.move_to_end(text_key)
    if seen is not None:  # (the line it was read at, its uses)
        return seen[1] if seen[0] == start else _shifted(seen[1], start - seen[0])
    found = _read_uses((task,) if has_id else (), (task,) if has_issue else (), lines, claims, folder)
    with _by_text_lock:
        _BY_TEXT[text_key] = (start, found)
        while len(_BY_TEXT) > _BY_TEXT_SIZE:
            _BY_TEXT.popitem(last=False)
    return found


def _read_uses(id_tasks, issue_tasks, lines, claims: tuple, folder: str) -> _Uses:
    home, kinds = claims[0], dict(claims[1])  # the project's repository; what each checkbox means
    ids = []
    links: list[TaskLink] = []
    for task in id_tasks:
        task_id = duplicate_task_id.naming_id(task, lines)
        if task_id is not None:
            ids.append(NamedId(task_id.text, task_id.span, lines[task_id.span.start_line], normal_text(task)))
        if task.refs.links:
            links.extend(_task_links(task.refs, folder, lines))
    issues = []
    for task in issue_tasks:
        if task_kind(task, kinds) == CANCELLED:
            continue  # a cancelled task claims no issue any more (as in the per-file rule)
        for ref in task.refs.issues:
            if duplicate_issue.names_its_issue(task, ref, lines):
                line = ref.span.start_line
                name = duplicate_issue.issue_name(ref)
                key_of = duplicate_issue.issue_key(ref, home)
                issues.append(ClaimedIssue(key_of, name, ref.span, lines[line], task_label(task, lines), normal_text(task)))
    return tuple(ids), tuple(issues), tuple(links)


def _task_links(refs, folder: str, lines) -> Iterator[TaskLink]:
    if not refs.links or not refs.task_ids:
        return
    for link in refs.links:
        inside = [task_id for task_id in refs.task_ids if _within(task_id.span, link.text_span)]
        if len(inside) != 1 or link.text.strip(" *_`") != inside[0].text:
            continue
        parsed = broken_link.parse_target(link.target)
        if parsed is None:
            continue
        written, shown, fragment, _ = parsed
        if written and not fragment:  # with a fragment, the heading it names is what is checked
            line = link.target_span.start_line
            yield TaskLink(inside[0].text, broken_link.resolve(folder, shown), shown, link.target_span, lines[line])


def _within(inner: Span, outer: Span) -> bool:
    return (outer.start_line, outer.start_col) <= (inner.start_line, inner.start_col) and (
        inner.end_line,
        inner.end_col,
    ) <= (outer.end_line, outer.end_col)


# --- the checks ----------------------------------------------------------------------------------


def check_across(files: Iterable[FileFacts]) -> dict[str, list[Finding]]:
    """Every cross-file finding, by the absolute path of the file it is in (sorted by position)."""
    ordered = sorted(files, key=lambda facts: facts.path)
    found: dict[str, list[Finding]] = {}
    for facts, finding in itertools.chain(_duplicates(ordered), _task_links_checked(ordered)):
        found.setdefault(facts.path, []).append(finding)
    for findings in found.values():
        findings.sort(key=lambda finding: (finding.span, finding.code))
    return found


@functools.lru_cache(maxsize=4096)
def _where(other: str, here: str) -> str:
    """Another file named as seen from this one: "ROADMAP.md", "../plans/a.md"."""
    return os.path.relpath(other, os.path.dirname(here)).replace(os.sep, "/")


def _later_uses(ordered: list[FileFacts], namespace_of, uses_of, key_of) -> Iterator[tuple[FileFacts, Any, FileFacts, Any]]:
    """(file, use, first file, first use) for the first use of each key in every file after the first
    of its namespace, unless it has the words of an earlier use (the same task again: an archive, a
    checklist over the plan). Repeats inside one file are the per-file rule's."""
    first: dict[tuple, tuple[FileFacts, Any, set[str]]] = {}  # (namespace, key) -> first file, use, words seen
    for facts in ordered:
        namespace = namespace_of(facts)
        if namespace is None:
            continue
        reported: set = set()
        for use in uses_of(facts):
            key = key_of(use)
            entry = first.setdefault((namespace, key), (facts, use, {use.words}))
            other, original, words = entry
            if other is facts or key in reported:
                continue
            reported.add(key)
            if use.words not in words:
                words.add(use.words)
                yield facts, use, other, original


def _id_words(named: NamedId, original: NamedId, where: str, line: int) -> tuple[str, str]:
    return f"Task ID '{named.text}' is also used by the task on line {line} of {where}.", f"{named.text} is named here first."


def _issue_words(claim: ClaimedIssue, original: ClaimedIssue, where: str, line: int) -> tuple[str, str]:
    return (
        f"{claim.name} is also referenced by '{original.label}' on line {line} of {where}.",
        f"'{original.label}' names {claim.name} here.",
    )


# rule, the namespace a file shares it in, the uses in a file, what makes two uses one, the words
_DUPLICATES = (
    (duplicate_task_id.RULE, attrgetter("id_namespace"), attrgetter("ids"), attrgetter("text"), _id_words),
    (duplicate_issue.RULE, attrgetter("project"), attrgetter("issues"), attrgetter("key"), _issue_words),
)


def _duplicates(ordered: list[FileFacts]) -> Iterator[tuple[FileFacts, Finding]]:
    for rule, namespace_of, uses_of, key_of, words in _DUPLICATES:
        for facts, use, other, original in _later_uses(ordered, namespace_of, uses_of, key_of):
            message, related_message = words(use, original, _where(other.path, facts.path), original.span.start_line + 1)
            related = Related(original.span, related_message, other.path, original.line_text)
            yield facts, rule.finding(use.span, message, severity=facts.severity(rule), related=(related,))


def _task_links_checked(ordered: list[FileFacts]) -> Iterator[tuple[FileFacts, Finding]]:
    rule = broken_link.RULE
    by_path = {facts.path: facts for facts in ordered}
    for facts in ordered:
        for link in facts.task_links:
            target = by_path.get(link.path)
            if target is None or target is facts or target.project is None:
                continue  # not a backlog this run knows: its tasks are unknown
            if link.task_id in target.defined:
                continue
            message = f"No task '{link.task_id}' in '{link.shown}'."
            yield facts, rule.finding(link.span, message, severity=facts.severity(rule))
