"""Issue trackers as plain values and pure decisions: what an issue is, where a token may go, who answers a reference.

Pure: no network, no disk, no environment read here (callers pass ``environ``). Everything that
talks to a tracker, reads the cache or runs git lives in ``providers/trackers/`` (IO); rules,
hover, completion and links only ever see an ``IssueSource``, which answers from what is cached,
at once, and never waits for the network.

- ``__init__`` (this module): ``TrackerIssue`` (one issue as the tracker last described it; Jira
  and Linear keys, GitHub sub-issue counts and blockers included), ``Repository`` (where issues
  live: a GitHub repository, a Jira project, a Linear team), the ``IssueSource`` protocol, and
  ``MemoryIssues`` (a source over a list, for tests and the exported-JSON provider).
- ``settings``: the ``[issues]`` table (and ``[[issues.sources]]``) structured, every problem
  named by its key; ``configured_projects`` for rules that need only the project keys.
- ``credentials``: the policy of where a token may go (public hosts, hosts the user named,
  https unless loopback, a trusted workspace); ``token_refusal`` says why not.
- ``routing``: which source answers ``#12`` and which ``ABC-12`` (``source_plan``), one
  ``Repository`` per Jira project or Linear team.
- ``adf``: Atlassian Document Format (Jira Cloud's rich text) to Markdown and back, bounded.

The other side, ``providers/trackers/``: the HTTP providers, the SQLite cache, token lookup,
the background refresh and ``IssueService`` / ``TrackerSources`` (the ``IssueSource``s the server
and ``check`` use). The editor-facing logic built on these values is in ``features/issues.py``
and ``features/write_back.py`` (pure too), the drift rules in ``rules/``.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Protocol

import attrs

OPEN = "open"
CLOSED = "closed"


@attrs.frozen
class TrackerIssue:
    """One issue or pull/merge request as the tracker last described it."""

    number: int
    title: str
    state: str  # OPEN or CLOSED
    url: str = ""
    is_pull: bool = False
    merged: bool = False  # pull requests: merged (closed and merged)
    draft: bool = False  # pull requests: draft
    labels: tuple[str, ...] = ()
    assignees: tuple[str, ...] = ()
    milestone: str | None = None
    body: str = ""
    created_at: datetime | None = None
    updated_at: datetime | None = None
    closed_at: datetime | None = None
    # Jira and Linear: the key ("ABC-123"; ``number`` is 123), the workflow status as the tracker
    # names it ("In Progress"), the priority and the fix versions.
    key: str | None = None
    status: str | None = None
    priority: str | None = None
    fix_versions: tuple[str, ...] = ()
    # GitHub: how many sub-issues the issue has and how many are closed, and the issues it is blocked by.
    sub_issues_total: int = 0
    sub_issues_closed: int = 0
    blocked_by: tuple[int, ...] = ()

    @property
    def is_open(self) -> bool:
        return self.state == OPEN

    @property
    def name(self) -> str:
        """How the issue is written: ``ABC-123`` for a keyed tracker, else ``#123``."""
        return self.key or f"#{self.number}"


@attrs.frozen
class Repository:
    """Where issues live: ``kind`` is github, gitlab, gitea, json, jira or linear; ``owner``/``name`` as in URLs.

    Jira and Linear: one ``Repository`` per project (team), ``name`` its key ("ABC") and
    ``owner`` the site's host (Linear: "linear").
    """

    kind: str
    owner: str
    name: str
    host: str = "github.com"
    api_url: str | None = None  # the API base for Enterprise and self-hosted trackers
    flavour: str = ""  # jira: "cloud" (REST v3, email + API token) or "server" (REST v2, personal access token)

    @property
    def slug(self) -> str:
        return f"{self.owner}/{self.name}"


class IssueSource(Protocol):
    """Cached tracker data, answered without waiting.

    ``repository`` is the repository unqualified references (``#12``) point at, or None
    when none is known. ``get`` answers for that repository when ``owner``/``name`` are None.
    ``fetched_at`` is when the cached data was last refreshed (None: never);
    ``stale`` is True when that is older than the configured refresh period.
    """

    repository: Repository | None
    fetched_at: datetime | None

    @property
    def stale(self) -> bool: ...

    def get(self, number: int, owner: str | None = None, name: str | None = None) -> TrackerIssue | None: ...

    def all(self) -> Iterable[TrackerIssue]: ...

    def knows(self, owner: str | None = None, name: str | None = None) -> bool:
        """True when the cache holds a complete list for that repository, so a missing number is really missing."""
        ...


@attrs.define
class MemoryIssues:
    """An ``IssueSource`` over a list: for tests, and for the exported-JSON provider."""

    issues: list[TrackerIssue] = attrs.Factory(list)
    repository: Repository | None = None
    fetched_at: datetime | None = None
    is_stale: bool = False
    complete: bool = True

    @property
    def stale(self) -> bool:
        return self.is_stale

    def get(self, number: int, owner: str | None = None, name: str | None = None) -> TrackerIssue | None:
        if owner is not None and self.repository is not None and (owner, name) != (
            self.repository.owner,
            self.repository.name,
        ):
            return None
        return next((issue for issue in self.issues if issue.number == number), None)

    def all(self) -> Iterable[TrackerIssue]:
        return iter(self.issues)

    def knows(self, owner: str | None = None, name: str | None = None) -> bool:
        if owner is not None and self.repository is not None and (owner, name) != (
            self.repository.owner,
            self.repository.name,
        ):
            return False
        return self.complete
