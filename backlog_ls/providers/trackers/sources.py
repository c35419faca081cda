"""Several issue sources behind one ``IssueSource``: numbered issues (``#12``) from one, keys (``ABC-12``) from others.

Which source answers what is decided in ``tracker/routing.py`` (pure; ``source_plan``,
``keyed_repositories`` and ``is_composite`` are re-exported here); this module builds and
drives the services. A Jira site or a Linear workspace is one source per configured project
(team): each has its own cache and refresh, like a GitHub repository. ``TrackerSources``
routes each reference to its source: ``get``/``knows`` (numbered references) to the numbered
source, ``get_key``/``knows_project`` to the project's own. Rules, hover and completion see one
source; the status bar sees every part (``parts``).

Which source files "Create issue from task": the numbered one when there is one, else the first
project's.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from ...tracker import Repository, TrackerIssue
from ...tracker.routing import is_composite, keyed_repositories, source_plan
from ...tracker.settings import IssuesSettings
from . import TrackerError

log = logging.getLogger(__name__)

__all__ = ["TrackerSources", "change_issue_state", "is_composite", "keyed_repositories", "source_plan", "tracker_services"]


class TrackerSources:
    """One ``IssueSource`` over a numbered source (or None) and keyed sources by project key."""

    def __init__(self, numbered: Any = None, keyed: Mapping[str, Any] | None = None):
        self.numbered = numbered
        self.keyed: dict[str, Any] = dict(keyed or {})

    # --- routing ------------------------------------------------------------------------------

    @property
    def projects(self) -> frozenset[str]:
        """The keys (``ABC``) whose ``ABC-12`` are issues: only these, never ``UTF-8``."""
        return frozenset(self.keyed)

    @property
    def parts(self) -> list[Any]:
        return [part for part in (self.numbered, *self.keyed.values()) if part is not None]

    @property
    def repository(self) -> Repository | None:
        return getattr(self.numbered, "repository", None)

    def get(self, number: int, owner: str | None = None, name: str | None = None) -> TrackerIssue | None:
        return self.numbered.get(number, owner, name) if self.numbered is not None else None

    def all(self) -> Iterable[TrackerIssue]:
        return self.numbered.all() if self.numbered is not None else ()

    def knows(self, owner: str | None = None, name: str | None = None) -> bool:
        return bool(self.numbered.knows(owner, name)) if self.numbered is not None else False

    def get_key(self, project: str, number: int) -> TrackerIssue | None:
        source = self.keyed.get(project)
        return source.get(number) if source is not None else None

    def all_in(self, project: str) -> Iterable[TrackerIssue]:
        source = self.keyed.get(project)
        return source.all() if source is not None else ()

    def knows_project(self, project: str) -> bool:
        source = self.keyed.get(project)
        return bool(source.knows()) if source is not None else False

    def source_for(self, project: str | None) -> Any:
        return self.keyed.get(project) if project is not None else self.numbered

    # --- state --------------------------------------------------------------------------------

    @property
    def version(self) -> tuple:
        return tuple((getattr(part, "version", None), getattr(part, "fetched_at", None)) for part in self.parts)

    @property
    def fetched_at(self) -> datetime | None:
        moments = [part.fetched_at for part in self.parts]
        return None if any(moment is None for moment in moments) or not moments else min(moments)

    @property
    def stale(self) -> bool:
        return any(getattr(part, "stale", False) for part in self.parts)

    @property
    def state(self) -> str:
        from ...features.status import tracker_status

        return tracker_status(self.parts).state

    @property
    def status(self) -> str:
        return "\n".join(dict.fromkeys(str(part.status) for part in self.parts))

    @property
    def issue_count(self) -> int:
        return sum(getattr(part, "issue_count", None) or len(list(part.all())) for part in self.parts)

    @property
    def deadline(self) -> float:
        return max((float(getattr(part, "deadline", 10.0)) for part in self.parts), default=10.0)

    async def ready(self) -> None:
        for part in self.parts:
            ready = getattr(part, "ready", None)
            if ready is not None:
                await ready()

    async def refresh(self, force: bool = False) -> Any:
        """Every part at once, each incrementally unless ``force`` (as ``IssueService.refresh``); the first
        failure's result (or the last success)."""
        results = await asyncio.gather(*(part.refresh(force=force) for part in self.parts))
        failed = [result for result in results if result is None or getattr(result, "error", None) is not None]
        return failed[0] if failed else (results[-1] if results else None)

    async def run(self, on_change: Any = None) -> None:
        await asyncio.gather(*(part.run(on_change) for part in self.parts))

    def close(self) -> None:
        for part in self.parts:
            close = getattr(part, "close", None)
            if close is not None:
                close()

    # --- changing issues -----------------------------------------------------------------------

    async def set_state(self, number: int, closed: bool, reason: str | None = None, project: str | None = None) -> TrackerIssue:
        source = self.source_for(project)
        if source is None or not hasattr(source, "set_state"):
            where = f"project {project}" if project else "numbered issues"
            raise TrackerError("not_found", f"no tracker for {where} can change issues")
        return await source.set_state(number, closed, reason)

    def state_reversible_for(self, project: str | None) -> bool:
        return bool(getattr(self.source_for(project), "state_reversible", True))

    def close_reasons_for(self, project: str | None) -> tuple[str, ...]:
        return tuple(getattr(self.source_for(project), "close_reasons", ()) or ())

    # --- filing issues ------------------------------------------------------------------------

    @property
    def can_file_sub_issues(self) -> bool:
        return bool(getattr(self.numbered, "can_file_sub_issues", False))

    async def create_sub_issues(self, parent: int, new: list[tuple[str, str]]) -> list[TrackerIssue]:
        if not self.can_file_sub_issues:
            raise TrackerError("not_found", "sub-issues are GitHub's: no GitHub source answers #12 references")
        return await self.numbered.create_sub_issues(parent, new)

    @property
    def _creator(self) -> Any:
        if self.numbered is not None and getattr(self.numbered, "can_create", False):
            return self.numbered
        return next(iter(self.keyed.values()), None)

    @property
    def can_create(self) -> bool:
        creator = self._creator
        return creator is not None and bool(getattr(creator, "can_create", False))

    async def create_issue(self, title: str, body: str) -> TrackerIssue:
        creator = self._creator
        if creator is None or not hasattr(creator, "create_issue"):
            raise TrackerError("not_found", "no tracker to file the issue in")
        return await creator.create_issue(title, body)


def tracker_services(settings: IssuesSettings, root: str | None, **options: Any) -> TrackerSources:
    """A ``TrackerSources`` of ``IssueService``s, as ``source_plan`` says (blocking: git and the caches are read)."""
    from .service import IssueService

    numbered, keyed, problems = source_plan(settings)
    for problem in problems:
        log.warning("%s", problem)
    return TrackerSources(
        IssueService(numbered, root, **options) if numbered is not None else None,
        {repository.name: IssueService(one, root, repository=repository, **options) for one, repository in keyed},
    )


async def change_issue_state(source: Any, project: str | None, number: int, closed: bool, reason: str | None = None) -> TrackerIssue:
    """Close or reopen an issue through whichever source holds it; TrackerError says why it cannot."""
    if isinstance(source, TrackerSources):
        return await source.set_state(number, closed, reason, project=project)
    if project is None and hasattr(source, "set_state"):
        return await source.set_state(number, closed, reason)
    raise TrackerError("auth", "the issue source is read-only (an exported file, or no tracker): change the issue on the tracker")
