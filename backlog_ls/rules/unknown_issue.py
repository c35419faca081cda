"""unknown-issue (BL307): a reference to an issue number the tracker does not have.

``#1234`` where the repository has no issue or pull request 1234: a typo, a number
from another repository, or an issue that was deleted or transferred. References in
tasks, headings and prose are all checked, ``owner/repo#12`` and issue URLs against
their own repository.

The rule only speaks when the tracker's cache holds the complete list of that
repository's issues (``knows``): before the first refresh, or for a repository the
cache does not cover, a missing number proves nothing and nothing is reported.

Bad:

    - [ ] Fix the login timeout (#4200)

Good:

    - [ ] Fix the login timeout (#42)
"""

from __future__ import annotations

from collections.abc import Iterator

from ..features.issues import block_references, lookup, ref_repository, same_repository, tracker_refs
from ..model import Block
from . import WARNING, Context, Finding, Rule
from ._tracker import TrackerMemo, tracker_findings

_MEMO = TrackerMemo()


def _check_block(context: Context, block: Block) -> Iterator[Finding]:
    tracker = context.tracker
    known: dict[tuple, bool] = {}
    for refs in block_references(block):
        for ref in tracker_refs(refs, tracker):
            if ref.project is not None:
                key = ("key", ref.project)
                if key not in known:
                    known[key] = _knows_project(tracker, ref.project)
                if known[key] and lookup(tracker, ref) is None:
                    yield RULE.finding(ref.span, f"Issue {ref.key} does not exist in project {ref.project}: the tracker has no such key.")
                continue
            owner, repo = ref_repository(ref)
            if owner is not None and same_repository(tracker, owner, repo):
                owner = repo = None
            key = (owner, repo)
            if key not in known:
                try:
                    known[key] = bool(tracker.knows(owner, repo))
                except Exception:  # noqa: BLE001 - a broken source must not break a hover, completion or rule
                    known[key] = False
            if not known[key] or tracker.get(ref.number, owner, repo) is not None:
                continue
            repository = getattr(tracker, "repository", None)
            where = f"{owner}/{repo}" if owner is not None else (repository.slug if repository is not None else "the tracker")
            kind = "Pull request" if ref.is_pull else "Issue"
            yield RULE.finding(ref.span, f"{kind} #{ref.number} does not exist in {where}: the tracker has no such number.")


def _knows_project(tracker, project: str) -> bool:
    try:
        return bool(tracker.knows_project(project))
    except Exception:  # noqa: BLE001 - a source without projects, or a broken one, knows nothing
        return False


def _check(context: Context) -> Iterator[Finding]:
    return tracker_findings(_MEMO, context, _check_block)


RULE = Rule(
    name="unknown-issue",
    code="BL307",
    severity=WARNING,
    summary="A reference to an issue number the tracker (with a complete cached list) does not have.",
    check=_check,
)
