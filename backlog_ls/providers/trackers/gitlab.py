"""GitLab (gitlab.com and self-managed), REST v4.

``GET {api}/projects/{url-encoded owner/name}/issues?state=all&per_page=100[&updated_after=...]``;
the issue's ``iid`` is its number, ``web_url`` its address, ``opened``/``closed`` its state.
Pagination by ``X-Next-Page`` (or a Link header); the token goes in ``PRIVATE-TOKEN``.
Merge requests live elsewhere in GitLab and are not fetched.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from urllib.parse import quote

import httpx

from ...tracker import Repository
from . import TrackerProvider, header_count, iso, next_link


def gitlab_api(host: str) -> str:
    return f"https://{host}/api/v4"


class GitLabProvider(TrackerProvider):
    kind = "gitlab"

    @property
    def label(self) -> str:  # type: ignore[override]
        return "GitLab" if self.repository.host == "gitlab.com" else f"GitLab ({self.repository.host})"

    @staticmethod
    def default_api(repository: Repository) -> str:
        return gitlab_api(repository.host)

    def auth_headers(self, token: str) -> dict[str, str]:
        return {"PRIVATE-TOKEN": token}

    def _project_url(self) -> str:
        return f"{self.api_url}/projects/{quote(self.repository.slug, safe='')}"

    def list_request(self, since: datetime | None) -> tuple[str, dict[str, Any]]:
        params: dict[str, Any] = {"state": "all", "per_page": 100, "order_by": "updated_at"}
        if since is not None:
            params["updated_after"] = iso(since)
        return f"{self._project_url()}/issues", params

    def next_page(self, response: httpx.Response, url: str, params: dict[str, Any], items: list) -> tuple[str, dict[str, Any]] | None:
        following = response.headers.get("x-next-page", "").strip()
        if following.isdigit():
            return url, {**params, "page": int(following)}
        link = next_link(response)
        return (link, {}) if link else None

    def listing_total(self, response: httpx.Response) -> int | None:
        return header_count(response, "x-total")  # absent above 10,000 issues

    def repository_url(self) -> str | None:
        return self._project_url()

    def issue_url(self, number: int) -> str:
        return f"{self._project_url()}/issues/{number}"

    def state_request(self, number: int, closed: bool, reason: str | None) -> tuple[str, str, dict[str, Any]]:
        return "PUT", self.issue_url(number), {"state_event": "close" if closed else "reopen"}

    def create_request(self, title: str, body: str) -> tuple[str, dict[str, Any]]:
        return f"{self._project_url()}/issues", {"title": title, "description": body}
