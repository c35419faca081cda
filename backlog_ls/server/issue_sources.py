"""The issue tracker behind one configuration's ``[issues]`` table."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Any

from ..config import Settings

logger = logging.getLogger(__name__)


def issue_source_for(
    settings: Settings,
    root: str | None,
    on_change: Callable[[], None],
    on_status: Callable[[], None],
    *,
    workspace_trusted: bool = True,
) -> Any:
    """The ``IssueSource`` for one configuration's ``[issues]`` table (provider "auto" when absent).

    The service is built in a worker thread and refreshes in the background
    (``providers/trackers/background.py``): it answers ``get``/``all``/``knows`` from memory at
    once, and calls ``on_change`` (re-check open documents, ask pull clients to refresh)
    whenever its data changed. Problems in ``[issues]`` are logged; the defaults apply.
    In a workspace the client does not trust, the service uses no network and no credentials.
    """
    from ..providers.trackers.background import BackgroundIssues
    from ..tracker.settings import from_settings

    issues, errors = from_settings(settings, source="[issues]")
    for error in errors:
        logger.warning("%s", error)
    if issues.provider == "none":
        return None
    loop = asyncio.get_running_loop()
    from ..providers.trackers.sources import TrackerSources, is_composite, source_plan

    if is_composite(issues):  # Jira, Linear (a source per project), or several [[issues.sources]]: behind one
        numbered, keyed, problems = source_plan(issues)
        for problem in problems:
            logger.warning("%s", problem)

        def background(one: Any, **options: Any) -> BackgroundIssues:
            return BackgroundIssues(one, root, on_change, loop, on_status=on_status, workspace_trusted=workspace_trusted, **options)

        return TrackerSources(
            background(numbered) if numbered is not None else None,
            {repository.name: background(one, repository=repository) for one, repository in keyed},
        )
    return BackgroundIssues(issues, root, on_change, loop, on_status=on_status, workspace_trusted=workspace_trusted)
