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
on #12" or "blocked by #12".

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

from ..model import IssueRef
from . import WARNING, Context, Finding, Rule
from .common import task_index, task_label

_MENTION_WORDS = {"see", "ref", "refs"}
# Text right before a reference that makes it a mention of another task's issue.
_MENTION_BEFORE = re.compile(
    r"(?:\b(?:depends|depending|dependent|blocked|blocks|blocking|after|follows?|follow-?ups?|part|split|"
    r"duplicates?|dup(?:e|licate)?|related|relates|supersedes|superseded|replaces|replaced|requires|"
    r"needs|waits?|waiting|like|cf|see|also|unblocks|prerequisites?|deps?|dependencies)"
    r"(?:[ \t]+(?:on|by|of|to|from|for|in|with))?|\bcf\.)[ \t:]*$",
    re.IGNORECASE,
)
_ZERO_LED = re.compile(r"#0\d")
_TRAILING_REFS = re.compile(r"(?:#\d+|[\w.-]+/[\w.-]+#\d+|[,;&/]|\band\b|\bor\b|[ \t])+$")


def _key(ref: IssueRef, home: tuple[str, str] | None) -> tuple:
    if ref.owner and ref.repo:
        owner, repo = ref.owner.lower(), ref.repo.lower()
        kind = "mr" if ref.url and "/merge_requests/" in ref.url else ""
        if (owner, repo) != home or kind:
            return (owner, repo, ref.number, kind)
    return (None, None, ref.number, "")


def _home(context: Context) -> tuple[str, str] | None:
    """The project's own repository (``[issues] repo = "owner/repo"``): its refs equal unqualified ones."""
    value = context.settings.issues.get("repo")
    if isinstance(value, str) and value.count("/") >= 1:
        owner, _, repo = value.strip().rstrip("/").rpartition("/")
        return owner.lower(), repo.lower()
    return None


def _is_mention(ref: IssueRef, lines) -> bool:
    if ref.prefix.lower() in _MENTION_WORDS:
        return True
    line = lines[ref.span.start_line]
    before = line[max(0, ref.span.start_col - 60) : ref.span.start_col]
    before = _TRAILING_REFS.sub("", before)
    return bool(_MENTION_BEFORE.search(before))


def _name(ref: IssueRef) -> str:
    if ref.owner and ref.repo:
        return f"Issue {ref.owner}/{ref.repo}#{ref.number}"
    return f"Issue #{ref.number}"


def _self_and_ancestors(task, parents: dict[int, Any]) -> Iterator[Any]:
    while task is not None:
        yield task
        task = parents.get(id(task))


def _check(context: Context) -> Iterator[Finding]:
    lines = context.backlog.lines
    index = task_index(context.backlog)
    tasks = index.issue_tasks  # document order
    # Equal issues have equal numbers: when no number repeats (the usual case), nothing else is needed.
    numbers = index.issue_numbers
    if len(set(numbers)) == len(numbers):
        return
    repeated = {number for number, count in Counter(numbers).items() if count > 1}
    home = _home(context)
    parents = context.parents
    seen: dict[tuple, list] = {}  # key -> [(task, ref)] in document order
    for task in tasks:
        first_line = task.text_span.start_line
        for ref in task.refs.issues:
            if (
                ref.number in repeated
                and not ref.is_pull
                and ref.span.start_line == first_line
                and not _ZERO_LED.search(ref.text)  # "#000000" is a colour, never an issue
            ):
                seen.setdefault(_key(ref, home), []).append((task, ref))
    for uses in seen.values():
        if len(uses) < 2:
            continue
        owners = [(task, ref) for task, ref in uses if not _is_mention(ref, lines)]
        if len(owners) < 2:
            continue
        first_task, first_ref = owners[0]
        earlier: set[int] = set()  # id() of the tasks above that name it
        for task, ref in owners:
            # Tasks come in document order, a parent before its subtasks: a task above that is
            # related to this one is this task or one it lies in. A set and the parent chain, not
            # a comparison with every task above (20,000 tasks naming one issue took minutes).
            related = any(id(other) in earlier for other in _self_and_ancestors(task, parents))
            earlier.add(id(task))
            if related or task is first_task:
                continue  # shared with a task above it (or named twice by the same task)
            message = (
                f"{_name(ref)} is also referenced by '{task_label(first_task, lines)}' "
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
