"""GitHub and GitHub Enterprise Server, REST v3.

``GET {api}/repos/{owner}/{repo}/issues?state=all&per_page=100[&since=...]`` with Link-header
pagination; pull requests come in the same list (items with a ``pull_request`` key) and are
kept with ``is_pull=True``. ``api`` is https://api.github.com, or ``[issues] url`` (Enterprise:
https://HOST/api/v3). A conditional request (If-None-Match) that answers 304 costs no rate limit.

Sub-issues and dependencies: each listed issue carries ``sub_issues_summary`` (total, completed),
read as it comes; an issue whose ``issue_dependencies_summary`` counts blockers has them asked
for (``GET .../issues/{n}/dependencies/blocked_by``), at most ``MAX_BLOCKER_LOOKUPS`` a refresh.
A failed lookup leaves that issue's blockers unknown; it never fails the refresh.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import datetime
from typing import Any
from urllib.parse import quote

import attrs

from ...tracker import Repository, TrackerIssue
from . import FetchResult, TrackerError, TrackerProvider, blocked_by_count, issue_from_json, iso

API_VERSION = "2022-11-28"
MAX_BLOCKER_LOOKUPS = 50
log = logging.getLogger(__name__)


def github_api(host: str) -> str:
    if host.lower() in ("github.com", "www.github.com", "api.github.com"):
        return "https://api.github.com"
    return f"https://{host}/api/v3"


class GitHubProvider(TrackerProvider):
    kind = "github"

    @property
    def label(self) -> str:  # type: ignore[override]
        return "GitHub" if self.api_url == "https://api.github.com" else f"GitHub ({self.repository.host})"

    @staticmethod
    def default_api(repository: Repository) -> str:
        return github_api(repository.host)

    def base_headers(self) -> dict[str, str]:
        return {"Accept": "application/vnd.github+json", "X-GitHub-Api-Version": API_VERSION}

    def auth_headers(self, token: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {token}"}

    def _repo_url(self) -> str:
        return f"{self.api_url}/repos/{quote(self.repository.owner, safe='')}/{quote(self.repository.name, safe='')}"

    def list_request(self, since: datetime | None) -> tuple[str, dict[str, Any]]:
        params: dict[str, Any] = {"state": "all", "per_page": 100}
        if since is not None:
            params["since"] = iso(since)
        return f"{self._repo_url()}/issues", params

    def repository_url(self) -> str | None:
        return self._repo_url()

    def issue_url(self, number: int) -> str:
        return f"{self._repo_url()}/issues/{number}"

    CLOSE_REASONS = ("completed", "not_planned")

    def state_request(self, number: int, closed: bool, reason: str | None) -> tuple[str, str, dict[str, Any]]:
        if closed:
            return "PATCH", self.issue_url(number), {"state": "closed", "state_reason": reason if reason in self.CLOSE_REASONS else "completed"}
        return "PATCH", self.issue_url(number), {"state": "open", "state_reason": "reopened"}

    def create_request(self, title: str, body: str) -> tuple[str, dict[str, Any]]:
        return f"{self._repo_url()}/issues", {"title": title, "body": body}

    def parse_item(self, item: Any) -> TrackerIssue:
        issue = issue_from_json(item)
        listing = getattr(self, "_blocked_numbers", None)  # set while a listing runs
        if listing is not None and blocked_by_count(item):
            listing.append(issue.number)
        return issue

    async def list_issues(self, since: datetime | None = None, etag: str | None = None) -> FetchResult:
        self._blocked_numbers: list[int] | None = []
        try:
            result = await super().list_issues(since, etag)
        finally:
            blocked, self._blocked_numbers = self._blocked_numbers or [], None
        if not blocked:
            return result
        blockers: dict[int, tuple[int, ...]] = {}
        for number in blocked[:MAX_BLOCKER_LOOKUPS]:
            try:
                blockers[number] = await self.blocked_by(number)
            except TrackerError as error:
                log.info("Could not read what blocks #%d: %s", number, error.message)
        if len(blocked) > MAX_BLOCKER_LOOKUPS:
            log.info("Read the blockers of %d issues of %d; the rest next refresh", MAX_BLOCKER_LOOKUPS, len(blocked))
        issues = [attrs.evolve(issue, blocked_by=blockers[issue.number]) if issue.number in blockers else issue for issue in result.issues]
        return attrs.evolve(result, issues=issues)

    async def create_sub_issue(self, parent: int, title: str, body: str) -> TrackerIssue:
        """File an issue and make it a sub-issue of ``parent`` (``POST .../issues/{parent}/sub_issues``,
        which takes the new issue's id, not its number). The issue is filed even when linking fails."""
        if not self._token:
            raise TrackerError("auth", f"creating an issue on {self.label} needs a token")
        url, payload = self.create_request(title, body)
        async with self._client() as client:
            response = await self._send(client, "POST", url, json=payload)
            self._raise_for(response)
            created = self._json(response)
            try:
                issue = self.parse_item(created)
            except (ValueError, KeyError, TypeError) as problem:
                raise TrackerError("bad_response", f"{self.label} answered the new issue with something unreadable: {problem}") from None
            identifier = created.get("id") if isinstance(created, Mapping) else None
            if not isinstance(identifier, int) or isinstance(identifier, bool):
                raise TrackerError("bad_response", f"{self.label} did not say the id of #{issue.number}: it is filed, not linked to #{parent}")
            linked = await self._send(client, "POST", f"{self.issue_url(parent)}/sub_issues", json={"sub_issue_id": identifier})
        if not 200 <= linked.status_code < 300:
            try:
                self._raise_for(linked)
            except TrackerError as error:
                raise TrackerError(error.kind, f"#{issue.number} is filed but not linked to #{parent}: {error.message}", status=error.status) from None
        return issue

    async def blocked_by(self, number: int) -> tuple[int, ...]:
        """The numbers of this repository's issues that block issue ``number``."""
        async with self._client() as client:
            response = await self._send(client, "GET", f"{self.issue_url(number)}/dependencies/blocked_by", params={"per_page": 100})
        self._raise_for(response)
        items = self._json(response)
        if not isinstance(items, list):
            raise TrackerError("bad_response", f"{self.label} answered the blockers of #{number} with something other than a list")
        mine = f"/{self.repository.owner}/{self.repository.name}/".lower()
        return tuple(
            item["number"]
            for item in items
            if isinstance(item, Mapping) and isinstance(item.get("number"), int) and mine in str(item.get("html_url", "")).lower()
        )
