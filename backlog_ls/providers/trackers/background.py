"""An ``IssueSource`` for a long-running process: the ``IssueService`` is built off the event
loop and then kept refreshing in the background, so no request ever waits for it.

Building a service runs ``git remote get-url origin`` and reads the sqlite cache (tens of
milliseconds, seconds when git hangs): that happens in a worker thread. Until it is
ready the source simply knows nothing; when it is ready, and whenever a refresh changed
the data, ``on_change`` is called on the event loop.

Nothing here holds up the process's exit: blocking work runs in daemon threads and
``close()`` cancels the refresh loop. ``refresh_sources`` is what "Refresh issues" answers:
``{"refreshed": true}`` or ``{"refreshed": false, "reason": ...}``, within the sources'
deadline however the tracker behaves.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any

from ...tracker import Repository, TrackerIssue
from ...tracker.settings import IssuesSettings
from ..daemon import in_daemon_thread
from . import TrackerError
from .service import IssueService, RefreshResult

# A source that is still being built (git, the cache) gets this long before the command answers.
STARTING_SECONDS = 10.0

log = logging.getLogger(__name__)


class BackgroundIssues:
    def __init__(
        self,
        settings: IssuesSettings,
        root: str | None,
        on_change: Callable[[], None],
        loop: asyncio.AbstractEventLoop,
        on_status: Callable[[], None] | None = None,
        **service_options: Any,
    ):
        self.settings = settings
        self.root = root
        self.on_change = on_change
        # Called on the loop whenever ``state``/``status`` may read differently (built, refresh start and end).
        self.on_status = on_status or (lambda: None)
        self.service: IssueService | None = None
        self._failed = False
        self.version = 0  # bumped whenever the data may have changed: rule caches key on it
        self._loop = loop
        self._task: asyncio.Task | None = None
        self._closed = False
        self._ready = loop.create_task(self._start(service_options))

    async def _start(self, service_options: dict[str, Any]) -> None:
        try:
            service = await in_daemon_thread(IssueService, self.settings, self.root, **service_options)
        except Exception:
            log.exception("The issue tracker could not be set up; issue features stay off")
            self._failed = True
            self.on_status()
            return
        if self._closed:
            return
        self.service = service
        service.on_status = self.on_status
        self.on_status()
        if service.repository is not None or next(iter(service.all()), None) is not None:
            self._changed()  # cached data to show; with no repository and nothing cached, nothing changed
        self._task = self._loop.create_task(service.run(lambda _result: self._changed()))

    def _changed(self) -> None:
        self.version += 1
        self.on_change()

    async def ready(self) -> None:
        """Wait until the service is built (tests, and commands that need it)."""
        await asyncio.shield(self._ready)

    def close(self) -> None:
        self._closed = True
        for task in (self._task, self._ready):
            if task is not None and not task.done():
                task.cancel()

    # --- IssueSource: answered from memory, at once ------------------------------------------

    @property
    def repository(self) -> Repository | None:
        return self.service.repository if self.service is not None else None

    @property
    def fetched_at(self) -> datetime | None:
        return self.service.fetched_at if self.service is not None else None

    @property
    def stale(self) -> bool:
        return self.service.stale if self.service is not None else False

    @property
    def state(self) -> str:
        """``starting`` until the service is built, then the service's own state."""
        if self.service is None:
            return "warning" if self._failed else "starting"
        return self.service.state

    @property
    def status(self) -> str:
        if self.service is None:
            return "the issue tracker could not be set up (see the log)" if self._failed else "issues: starting"
        return self.service.status

    @property
    def issue_count(self) -> int:  # not __len__: an empty source must stay truthy
        return len(self.service) if self.service is not None else 0

    def get(self, number: int, owner: str | None = None, name: str | None = None) -> TrackerIssue | None:
        return self.service.get(number, owner, name) if self.service is not None else None

    def all(self) -> Iterable[TrackerIssue]:
        return self.service.all() if self.service is not None else ()

    def knows(self, owner: str | None = None, name: str | None = None) -> bool:
        return self.service.knows(owner, name) if self.service is not None else False

    # --- what commands may do -----------------------------------------------------------------

    @property
    def deadline(self) -> float:
        """Seconds a refresh command may wait for this source: building it, then one refresh."""
        refresh = self.service.deadline if self.service is not None else IssueService.deadline_for(self.settings)
        return STARTING_SECONDS + 2 * refresh  # the background refresh in flight, then this one

    async def refresh(self, force: bool = True) -> RefreshResult | None:
        await self.ready()
        if self.service is None:
            return None
        result = await self.service.refresh(force=force)
        if result.changed:
            self._changed()
        return result

    @property
    def can_create(self) -> bool:
        """The service's answer; while it is being built, yes unless building it failed."""
        return self.service.can_create if self.service is not None else not self._failed

    async def create_issue(self, title: str, body: str) -> TrackerIssue:
        await self.ready()
        if self.service is None:
            raise TrackerError("unavailable", "the issue tracker is not set up")
        issue = await self.service.create_issue(title, body)
        self._changed()
        return issue


    async def set_state(self, number: int, closed: bool, reason: str | None = None) -> TrackerIssue:
        await self.ready()
        if self.service is None:
            raise TrackerError("unavailable", "the issue tracker is not set up")
        issue = await self.service.set_state(number, closed, reason)
        self._changed()
        return issue

    async def create_sub_issues(self, parent: int, new: list[tuple[str, str]]) -> list[TrackerIssue]:
        await self.ready()
        if self.service is None:
            raise TrackerError("unavailable", "the issue tracker is not set up")
        try:
            return await self.service.create_sub_issues(parent, new)
        finally:
            self._changed()

    @property
    def can_file_sub_issues(self) -> bool:
        return self.service is not None and self.service.kind == "github"

    @property
    def state_reversible(self) -> bool:
        return self.service.state_reversible if self.service is not None else self.settings.provider != "jira"

    @property
    def close_reasons(self) -> tuple[str, ...]:
        return self.service.close_reasons if self.service is not None else ()


async def refresh_sources(sources: list[Any]) -> dict[str, Any]:
    """Refresh every source at once; ``{"refreshed": True}``, or False with the reason, within their deadline."""

    async def one(source: Any) -> str | None:
        deadline = float(getattr(source, "deadline", STARTING_SECONDS))
        try:
            result = await asyncio.wait_for(source.refresh(), deadline)
        except asyncio.TimeoutError:
            return f"no answer within {deadline:g} s"
        except Exception as error:  # a source's bug is a failed refresh, not a failed command
            log.warning("Refreshing issues failed", exc_info=True)
            return str(error) or type(error).__name__
        if result is None:
            return "the issue tracker could not be set up (see the log)"
        error = getattr(result, "error", None)
        return None if error is None else str(error)

    reasons = [reason for reason in await asyncio.gather(*(one(source) for source in sources)) if reason]
    return {"refreshed": False, "reason": "; ".join(reasons)} if reasons else {"refreshed": True}
