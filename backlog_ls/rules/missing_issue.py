"""missing-issue (BL101): a task names no issue where the backlog's own convention asks for one.

Many backlogs tie every task to a tracker issue ("**Task 1.1 (Issue #1):**") and
write a placeholder such as ``(#TBD)`` until the issue is filed. A task with
neither, among tasks that all have one, has most likely been forgotten.

The ``require`` option says which tasks need a reference. ``"auto"`` (the default)
follows the file itself: a section whose top-level tasks mostly (more than half,
and at least two) name an issue or a placeholder expects it of the rest; in any
other section the document decides, when more than half of all its top-level
tasks name one, or when its own Definition of Done (a heading with "Definition
of Done" or "DoD") asks for an issue. A section where none of three or more tasks
names an issue keeps its own convention (an "Ideas" list), unless the Definition
of Done asks for issues. A backlog that never names an issue on a task gets no
finding at all; and when only finished tasks name one (pull requests noted on
completion), open tasks are left alone. ``"checked"`` requires a reference on every
ticked task, ``"always"`` on every top-level task, ``"never"`` turns the rule off.

A Jira or Linear key (``ABC-12``) of a configured project names an issue as ``#12`` does;
a word merely shaped like one (``UTF-8``, ``SHA-1``) never does.

Only top-level tasks are considered, those not nested under another task:
subtasks usually share their parent's issue, and one named by any subtask or
note below a task counts for that task. Tasks in a Definition of Done are
criteria, not work, and are never flagged. The fix (not applied by ``--fix``)
inserts a placeholder written the way the file writes its issues: ``(Issue #TBD)``
inside the bold title of a file that writes "**Task 1.1 (Issue #1):**", the
file's own placeholder form when it has one, ``(#TBD)`` at the end of the line
otherwise.

Bad:

    ## Phase 3: Clients
    - [x] **Task 3.1 (Issue #11):** Implement the `ph` client.
    - [x] **Task 3.2 (Issue #12):** Implement the `mdb` client.
    - [ ] **Task 3.3:** Implement the web client.

Good:

    ## Phase 3: Clients
    - [x] **Task 3.1 (Issue #11):** Implement the `ph` client.
    - [x] **Task 3.2 (Issue #12):** Implement the `mdb` client.
    - [ ] **Task 3.3 (Issue #TBD):** Implement the web client.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import attrs

from . import WARNING, Context, Edit, Finding, Fix, Rule
from ..features.issues import tracker_projects
from ..tracker.settings import configured_projects
from .common import Group, TaskIndex, first_line_span, task_index

REQUIRE_VALUES = ("auto", "always", "checked", "never")


@attrs.frozen
class MissingIssueOptions:
    require: str = attrs.field(default="auto", validator=attrs.validators.in_(REQUIRE_VALUES))


# Words in a Definition of Done that ask for a tracker issue ("the GitHub issue is closed",
# "each task links its issue"), not those about problems ("all critical issues resolved").
_DOD_ASKS_FOR_ISSUE = re.compile(
    r"\b(?:github|gitlab|gitea|forgejo|jira|tracker|tracking|linked|an|the|its|each|every|its own|"
    r"corresponding|related|open|opened|closed?)[ \t]+issue\b"
    r"|\bissues?[ \t]+(?:(?:is|are|was|were|gets?|must[ \t]+be|has[ \t]+been|have[ \t]+been|should[ \t]+be)[ \t]+)?"
    r"(?:closed|linked|created|filed|opened|referenced|numbers?|references?|ids?|links?)\b",
    re.IGNORECASE,
)


def _dod_asks_for_issues(index: TaskIndex) -> bool:
    lines = index.backlog.lines
    for group in index.groups:
        if group.dod:
            for line in lines[group.start_line + 1 : group.end_line + 1]:
                if "ssue" in line and _DOD_ASKS_FOR_ISSUE.search(line):
                    return True
    return False


def _expects(with_ref: int, total: int) -> bool:
    return with_ref >= 2 and with_ref * 2 > total


def _check(context: Context) -> Iterator[Finding]:
    require = context.options(RULE).require
    if require == "never":
        return
    index = task_index(context.backlog)
    groups = [group for group in index.groups if group.facts and not group.dod and any(group.counts)]
    projects = _projects(context)
    if require == "auto":
        yield from _auto(index, groups, projects)
        return
    if require == "checked":
        message = (
            "Finished task has no issue reference; "
            'this project requires one on every finished task (require = "checked").'
        )
        for group in groups:
            for task in group.missing_naming(projects, index.backlog.lines):
                if task.is_checked:
                    yield _finding(index, task, message)
    else:
        message = 'Task has no issue reference; this project requires one on every task (require = "always").'
        for group in groups:
            for task in group.missing_naming(projects, index.backlog.lines):
                yield _finding(index, task, message)


def _projects(context: Context) -> frozenset[str]:
    """The Jira / Linear projects whose keys name a task's issue: configured, or known to the tracker."""
    return configured_projects(context.settings.issues) | tracker_projects(context.tracker)


def _auto(index: TaskIndex, groups: list[Group], projects: frozenset[str]) -> Iterator[Finding]:
    open_total = open_with = checked_total = checked_with = 0
    for group in groups:
        counts = group.counts_naming(projects, index.backlog.lines)
        open_total += counts[0]
        open_with += counts[1]
        checked_total += counts[2]
        checked_with += counts[3]
    if open_with + checked_with == 0:
        return  # this backlog does not name issues on its tasks
    # When no open task names an issue while finished ones do (pull requests noted on
    # completion), the convention is about finished tasks only.
    checked_only = open_with == 0 and open_total >= 2 and checked_with > 0
    if checked_only:
        total, with_ref = checked_total, checked_with
    else:
        total, with_ref = open_total + checked_total, open_with + checked_with
    dod = None  # read only when a section cannot decide for itself
    for group in groups:
        group_open, group_open_with, group_checked, group_checked_with = group.counts_naming(projects, index.backlog.lines)
        if checked_only:
            section_total, section_with = group_checked, group_checked_with
        else:
            section_total, section_with = group_open + group_checked, group_open_with + group_checked_with
        if section_with == section_total:
            continue
        if _expects(section_with, section_total):
            if group.heading is None:
                reason = "the other tasks before the first heading name one."
            else:
                reason = f"the other tasks in '{group.title}' name one."
        else:
            if dod is None:
                dod = _dod_asks_for_issues(index)
            if section_with == 0 and section_total >= 3 and not dod:
                continue  # a section with its own convention: none of its tasks names an issue
            if _expects(with_ref, total):
                reason = "most tasks in this backlog name one."
            elif dod:
                reason = "the Definition of Done asks for one."
            else:
                continue
        if checked_only:
            message = f"Finished task has no issue reference; {reason.replace('tasks', 'finished tasks', 1)}"
        else:
            message = f"Task has no issue reference; {reason}"
        for task in group.missing_naming(projects, index.backlog.lines):
            if task.is_checked or not checked_only:
                yield _finding(index, task, message)


def _finding(index: TaskIndex, task, message: str) -> Finding:
    lines = index.backlog.lines
    style = index.placeholder_style
    span, text = style.edit_for(task, lines)
    fix = Fix(f"Insert a placeholder: '{style.written}'", (Edit(span, text),), safe=False, preferred=True)
    return RULE.finding(first_line_span(task, lines), message, (fix,))


RULE = Rule(
    name="missing-issue",
    code="BL101",
    severity=WARNING,
    summary="A task names no issue where the file's own convention (or `require`) asks for one.",
    check=_check,
    options=MissingIssueOptions,
)
