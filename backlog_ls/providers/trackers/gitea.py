"""Gitea, Forgejo and Codeberg, API v1.

``GET {api}/repos/{owner}/{repo}/issues?state=all&type=all&limit=50&page=N[&since=...]``
(api: https://HOST/api/v1); pull requests carry a ``pull_request`` key. Pagination by the
Link header when the server sends one, else page after page until an empty one.
The token goes in ``Authorization: token ...``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from urllib.parse import quote

import httpx

from ...tracker import Repository
from . import TrackerProvider, header_count, iso, json_count, next_link

PAGE_SIZE = 50


def gitea_api(host: str) -> str:
    return f"https://{host}/api/v1"


class GiteaProvider(TrackerProvider):
    kind = "gitea"

    @property
    def label(self) -> str:  # type: ignore[override]
        return "Codeberg" if self.repository.host == "codeberg.org" else f"Gitea ({self.repository.host})"

    @staticmethod
    def default_api(repository: Repository) -> str:
        return gitea_api(repository.host)

    def auth_headers(self, token: str) -> dict[str, str]:
        return {"Authorization": f"token {token}"}

    def _repo_url(self) -> str:
        return f"{self.api_url}/repos/{quote(self.repository.owner, safe='')}/{quote(self.repository.name, safe='')}"

    def list_request(self, since: datetime | None) -> tuple[str, dict[str, Any]]:
        params: dict[str, Any] = {"state": "all", "type": "all", "limit": PAGE_SIZE, "page": 1}
        if since is not None:
            params["since"] = iso(since)
        return f"{self._repo_url()}/issues", params

    def next_page(self, response: httpx.Response, url: str, params: dict[str, Any], items: list) -> tuple[str, dict[str, Any]] | None:
        if "link" in response.headers:
            link = next_link(response)
            return (link, {}) if link else None
        if not items:  # servers may cap ``limit`` below ours, so a short page is not the last one
            return None
        return url, {**params, "page": int(params.get("page", 1)) + 1}

    def listing_total(self, response: httpx.Response) -> int | None:
        return header_count(response, "x-total-count")

    def repository_url(self) -> str | None:
        return self._repo_url()

    def open_count_of(self, data: Any) -> int | None:  # the listing holds issues and pull requests
        issues, pulls = json_count(data, "open_issues_count"), json_count(data, "open_pr_counter")
        return None if issues is None else issues + (pulls or 0)

    def issue_url(self, number: int) -> str:
        return f"{self._repo_url()}/issues/{number}"

    def state_request(self, number: int, closed: bool, reason: str | None) -> tuple[str, str, dict[str, Any]]:
        return "PATCH", self.issue_url(number), {"state": "closed" if closed else "open"}

    def create_request(self, title: str, body: str) -> tuple[str, dict[str, Any]]:
        return f"{self._repo_url()}/issues", {"title": title, "body": body}
