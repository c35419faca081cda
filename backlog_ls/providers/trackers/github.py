"""GitHub and GitHub Enterprise Server, REST v3.

``GET {api}/repos/{owner}/{repo}/issues?state=all&per_page=100[&since=...]`` with Link-header
pagination; pull requests come in the same list (items with a ``pull_request`` key) and are
kept with ``is_pull=True``. ``api`` is https://api.github.com, or ``[issues] url`` (Enterprise:
https://HOST/api/v3). A conditional request (If-None-Match) that answers 304 costs no rate limit.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from urllib.parse import quote

from ...tracker import Repository
from . import TrackerProvider, iso

API_VERSION = "2022-11-28"


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
