"""duplicate-issue (BL103): one issue named by two different tasks.

Each task should have an issue of its own; two tasks naming the same one usually
means a copy-and-paste slip or a number typed wrong. Every later reference is
reported, naming the task that has it first.

What counts as the same issue: the same number written without a repository
(``#12``, ``Issue #12``, ``GH-12``), or the same number in the same repository
(``owner/repo#12`` and a tracker URL of that repository). A qualified reference
to another repository is another issue. When the configuration names the
project's own repository (``[issues] repo = "owner/repo"``), references to it
are the same as unqualified ones.

Only references in task text count, not those in headings, prose or plain
bullets, and only on a task's first line: the lines below it tend to cite other
work (a tracking issue, a review). A task and its own subtasks (or any task above
or below it) may share an issue. Pull requests are left out (one pull request
often finishes several tasks), and so are mentions such as "see #12", "depends
on #12" or "blocked by #12" (``common.is_mention``, the one definition every rule uses).
A cancelled task (``[-]``, struck through) claims no issue any more.
A task repeated with the same text (a goal carried over to next week) is the same
task, and "#1", "#2" numbering the items of a list (Backlog.md's acceptance
criteria) are numbers, not issues.

Bad:

    - [x] **Task 3.1 (Issue #11):** Implement the `ph` client.
    - [x] **Task 3.2 (Issue #11):** Implement the `mdb` client.

Good:

    - [x] **Task 3.1 (Issue #11):** Implement the `ph` client.
    - [x] **Task 3.2 (Issue #12):** Implement the `mdb` client.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from typing import Any

from ..config import Settings
from ..model import IssueRef
from ..states import CANCELLED, state_kinds, task_kind
from . import WARNING, Context, Finding, Rule
from .common import is_mention, normal_text, numbers_its_item, task_index, task_label

_ZERO_LED = re.compile(r"#0\d")


def issue_key(ref: IssueRef, home: tuple[str, str] | None) -> tuple:
    """What makes two references the same issue (see the module docstring)."""
    if ref.owner and ref.repo:
        owner, repo = ref.owner.lower(), ref.repo.lower()
        kind = "mr" if ref.url and "/merge_requests/" in ref.url else ""
        if (owner, repo) != home or kind:
            return (owner, repo, ref.number, kind)
    return (None, None, ref.number, "")


def home_repository(settings: Settings) -> tuple[str, str] | None:
    """The project's own repository (``[issues] repo = "owner/repo"``): its refs equal unqualified ones."""
    value = settings.issues.get("repo")
    if isinstance(value, str) and value.count("/") >= 1:
        owner, _, repo = value.strip().rstrip("/").rpartition("/")
        return owner.lower(), repo.lower()
    return None


def issue_name(ref: IssueRef) -> str:
    if ref.owner and ref.repo:
        return f"Issue {ref.owner}/{ref.repo}#{ref.number}"
    return f"Issue #{ref.number}"


def _self_and_ancestors(task, parents: dict[int, Any]) -> Iterator[Any]:
    while task is not None:
        yield task
        task = parents.get(id(task))


def names_its_issue(task, ref: IssueRef, lines) -> bool:
    """Whether ``ref`` is an issue ``task`` claims as its own (what this rule compares), not a mention or a pull request."""
    return (
        not ref.is_pull
        and ref.span.start_line == task.text_span.start_line
        and not _ZERO_LED.search(ref.text)  # "#000000" is a colour, never an issue
        and not is_mention(ref, lines)
        and not numbers_its_item(task, ref, lines)
    )


def _check(context: Context) -> Iterator[Finding]:
    lines = context.backlog.lines
    index = task_index(context.backlog)
    # Equal issues have equal numbers: when no number repeats (the usual case), nothing else is needed,
    # not even the tasks (after an Enter, those below it are read again only when asked for).
    numbers = index.issue_numbers
    if len(set(numbers)) == len(numbers):
        return
    tasks = index.issue_tasks  # document order
    repeated = {number for number, count in Counter(numbers).items() if count > 1}
    home = home_repository(context.settings)
    parents = context.parents
    seen: dict[tuple, list] = {}  # key -> [(task, ref)] in document order
    kinds = state_kinds(context.settings)
    for task in tasks:
        if task_kind(task, kinds) == CANCELLED:
            continue  # a cancelled task claims no issue any more
        for ref in task.refs.issues:
            if ref.number in repeated and names_its_issue(task, ref, lines):
                seen.setdefault(issue_key(ref, home), []).append((task, ref))
    for owners in seen.values():
        if len(owners) < 2:
            continue
        first_task, first_ref = owners[0]
        earlier: set[int] = set()  # id() of the tasks above that name it
        texts: set[str] = set()  # what they say (a task repeated word for word is that task again)
        for task, ref in owners:
            # Tasks come in document order, a parent before its subtasks: a task above that is
            # related to this one is this task or one it lies in. A set and the parent chain, not
            # a comparison with every task above (20,000 tasks naming one issue took minutes).
            related = any(id(other) in earlier for other in _self_and_ancestors(task, parents))
            earlier.add(id(task))
            text = normal_text(task)
            repeated = text in texts
            texts.add(text)
            if related or task is first_task or repeated:
                continue  # shared with a task above it (or named twice by the same task), or a task repeated
            message = (
                f"{issue_name(ref)} is also referenced by '{task_label(first_task, lines)}' "
                f"on line {first_ref.span.start_line + 1}."
            )
            yield RULE.finding(ref.span, message)


RULE = Rule(
    name="duplicate-issue",
    code="BL103",
    severity=WARNING,
    summary="The same issue is named by two different tasks.",
    check=_check,
)
