"""Jira Cloud (REST v3) and Jira Server / Data Center (REST v2): the issues of one project.

- Cloud: ``GET {site}/rest/api/3/search/jql?jql=...&fields=...&maxResults=100[&nextPageToken=...]``,
  paged by ``nextPageToken`` (the older ``/search`` with ``startAt`` is gone from Cloud); basic
  auth with the account email and an API token (``JIRA_EMAIL``, ``JIRA_API_TOKEN``).
- Server / Data Center: ``GET {site}/rest/api/2/search?jql=...&startAt=N&maxResults=100``, paged
  by ``startAt`` against ``total``; a personal access token (``JIRA_PAT``) as Bearer.

The JQL is ``project = "ABC" [AND updated >= "yyyy-MM-dd HH:mm"] ORDER BY updated ASC``. JQL
dates have minutes and are read in the Jira user's own time zone, which we do not know: an
incremental refresh asks from a day before the newest change seen (merging is idempotent).

An issue's status category (``new`` To Do, ``indeterminate`` In Progress, ``done``) gives open
or closed; its status name, assignee, fix versions, priority and labels are kept for the hover,
and its description (Cloud: Atlassian Document Format) as Markdown. ``ABC-12`` is number 12 of
the project's ``Repository`` (``name`` "ABC"); an issue moved to another project is left out.
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Mapping
from datetime import datetime, timedelta, timezone
from typing import Any
from urllib.parse import quote

import httpx

from ...tracker import CLOSED, OPEN, Repository, TrackerIssue
from ...tracker.adf import adf_to_markdown, markdown_to_adf
from ...tracker.routing import jira_flavour
from . import AUTH, BAD_RESPONSE, TrackerError, TrackerProvider, parse_time

PAGE_SIZE = 100
FIELDS = "summary,status,assignee,fixVersions,priority,labels,description,created,updated,resolutiondate,issuetype"
JQL_MARGIN = timedelta(days=1)  # JQL dates are in the Jira user's time zone: ask from a day earlier
_KEY = re.compile(r"^(?P<project>[A-Z][A-Z0-9_]*)-(?P<number>\d+)$")


def jql_time(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M")


def _quoted(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _name(value: Any, *keys: str) -> str | None:
    if isinstance(value, Mapping):
        for key in keys:
            found = value.get(key)
            if isinstance(found, str) and found:
                return found
    return None


def jira_issue(item: Any, site: str, project: str | None = None) -> TrackerIssue:
    """A ``TrackerIssue`` from a Jira issue (v2 or v3); ValueError when it is not one."""
    if not isinstance(item, Mapping):
        raise ValueError("an issue must be an object")
    key = item.get("key")
    match = _KEY.match(key) if isinstance(key, str) else None
    if match is None:
        raise ValueError("a Jira issue needs a key such as ABC-12")
    if project is not None and match.group("project") != project:
        raise LookupError(f"{key} is not in project {project}")
    fields = item.get("fields")
    if not isinstance(fields, Mapping):
        raise ValueError(f"{key} has no fields")
    summary = fields.get("summary")
    if not isinstance(summary, str):
        raise ValueError(f"{key} has no summary")
    status = fields.get("status") if isinstance(fields.get("status"), Mapping) else {}
    category = status.get("statusCategory") if isinstance(status.get("statusCategory"), Mapping) else {}
    done = str(category.get("key") or "").lower() == "done"
    labels = fields.get("labels")
    versions = fields.get("fixVersions")
    assignee = _name(fields.get("assignee"), "displayName", "name", "emailAddress")
    return TrackerIssue(
        number=int(match.group("number")),
        title=summary,
        state=CLOSED if done else OPEN,
        url=f"{site.rstrip('/')}/browse/{key}",
        labels=tuple(label for label in labels if isinstance(label, str)) if isinstance(labels, list) else (),
        assignees=(assignee,) if assignee else (),
        body=adf_to_markdown(fields.get("description")),
        created_at=parse_time(fields.get("created")),
        updated_at=parse_time(fields.get("updated")),
        closed_at=parse_time(fields.get("resolutiondate")) if done else None,
        key=key,
        status=_name(status, "name"),
        priority=_name(fields.get("priority"), "name"),
        fix_versions=tuple(name for version in versions if (name := _name(version, "name"))) if isinstance(versions, list) else (),
    )


def transition_for(transitions: Any, closed: bool) -> Mapping[str, Any] | None:
    """The transition that closes (to the Done category) or reopens (To Do first, else In Progress)."""
    if not isinstance(transitions, list):
        return None
    wanted = ("done",) if closed else ("new", "indeterminate")
    for category in wanted:
        for transition in transitions:
            target = transition.get("to") if isinstance(transition, Mapping) else None
            found = target.get("statusCategory") if isinstance(target, Mapping) else None
            if isinstance(found, Mapping) and found.get("key") == category and isinstance(transition.get("id"), str):
                return transition
    return None


class JiraProvider(TrackerProvider):
    kind = "jira"
    state_reversible = False  # a workflow may have no transition back from Done

    def __init__(self, repository: Repository, token: str | None = None, **options: Any):
        super().__init__(repository, token, **options)
        self.flavour = jira_flavour(repository.flavour or None, httpx.URL(self.api_url).host)

    @property
    def label(self) -> str:  # type: ignore[override]
        return f"Jira ({self.repository.host})"

    @property
    def scope(self) -> str:  # type: ignore[override]
        return f"project {self.repository.name}"

    @staticmethod
    def default_api(repository: Repository) -> str:
        return f"https://{repository.host}"

    @property
    def _rest(self) -> str:
        return f"{self.api_url}/rest/api/{'3' if self.flavour == 'cloud' else '2'}"

    def auth_headers(self, token: str) -> dict[str, str]:
        if self.flavour == "cloud":  # "email:api-token"
            return {"Authorization": "Basic " + base64.b64encode(token.encode("utf-8")).decode("ascii")}
        return {"Authorization": f"Bearer {token}"}

    def scrub(self, text: str) -> str:
        if not self._token:
            return text
        secrets = [self._token, base64.b64encode(self._token.encode("utf-8")).decode("ascii")]
        secrets += [part for part in self._token.split(":", 1)[1:] if part]  # the API token alone
        for secret in secrets:
            text = text.replace(secret, "***")
        return text

    def _jql(self, since: datetime | None) -> str:
        jql = f"project = {_quoted(self.repository.name)}"
        if since is not None:
            jql += f' AND updated >= "{jql_time(since - JQL_MARGIN)}"'
        return jql + " ORDER BY updated ASC"

    def list_request(self, since: datetime | None) -> tuple[str, dict[str, Any]]:
        params: dict[str, Any] = {"jql": self._jql(since), "fields": FIELDS, "maxResults": PAGE_SIZE}
        if self.flavour == "cloud":
            return f"{self._rest}/search/jql", params
        return f"{self._rest}/search", {**params, "startAt": 0}

    def page_items(self, data: Any) -> Any:
        if not isinstance(data, Mapping) or not isinstance(data.get("issues"), list):
            return None  # not a search result: the listing reports it
        # An issue moved to another project answers under its new key: it is that project's now.
        project = f"{self.repository.name}-"
        return [item for item in data["issues"] if not (isinstance(item, Mapping) and isinstance(item.get("key"), str) and not item["key"].startswith(project))]

    def parse_item(self, item: Any) -> TrackerIssue:
        return jira_issue(item, self.api_url)

    def next_page(self, response: httpx.Response, url: str, params: dict[str, Any], items: list) -> tuple[str, dict[str, Any]] | None:
        data = self._json(response)
        if self.flavour == "cloud":
            token = data.get("nextPageToken") if isinstance(data, Mapping) else None
            if data.get("isLast") is True or not isinstance(token, str) or not token or token == params.get("nextPageToken"):
                return None  # the last page, or a token that would ask for the same page again
            return url, {**params, "nextPageToken": token}
        issues = data.get("issues") if isinstance(data, Mapping) else None
        start, total = data.get("startAt"), data.get("total")
        if not isinstance(issues, list) or not issues or not isinstance(start, int) or not isinstance(total, int):
            return None
        following = start + len(issues)
        return (url, {**params, "startAt": following}) if following < total else None

    def listing_total(self, response: httpx.Response) -> int | None:
        if self.flavour == "cloud":
            return None  # search/jql sends no total
        try:
            total = json.loads(response.content).get("total")
        except (ValueError, AttributeError):
            return None
        return total if isinstance(total, int) and not isinstance(total, bool) else None

    def issue_url(self, number: int) -> str:
        return f"{self._rest}/issue/{quote(self.repository.name, safe='')}-{number}"

    def create_request(self, title: str, body: str) -> tuple[str, dict[str, Any]]:
        fields = {
            "project": {"key": self.repository.name},
            "summary": title,
            "issuetype": {"name": self.issue_type},
            "description": markdown_to_adf(body) if self.flavour == "cloud" else body,
        }
        return f"{self._rest}/issue", {"fields": fields}

    async def create_issue(self, title: str, body: str) -> TrackerIssue:
        """POST the issue (Jira answers its key only), then read it back."""
        created = await self._post_new_issue(title, body)
        key = created.get("key") if isinstance(created, Mapping) else None
        match = _KEY.match(key) if isinstance(key, str) else None
        if match is None:
            raise TrackerError(BAD_RESPONSE, f"{self.label} did not say the new issue's key")
        issue = await self.get(int(match.group("number")))
        return issue or TrackerIssue(int(match.group("number")), title, OPEN, f"{self.api_url}/browse/{key}", key=key)

    async def set_state(self, number: int, closed: bool, reason: str | None = None) -> TrackerIssue:
        """Close or reopen through the issue's workflow: the first transition to the wanted status category."""
        if not self._token:
            raise TrackerError(AUTH, f"changing an issue on {self.label} needs a token")
        url = f"{self.issue_url(number)}/transitions"
        async with self._client() as client:
            response = await self._send(client, "GET", url)
            self._raise_for(response)
            data = self._json(response)
            chosen = transition_for(data.get("transitions") if isinstance(data, Mapping) else None, closed)
            key = f"{self.repository.name}-{number}"
            if chosen is None:
                goal = "Done" if closed else "To Do or In Progress"
                raise TrackerError(BAD_RESPONSE, f"the workflow of {key} has no transition to {goal} from where it is")
            response = await self._send(client, "POST", url, json={"transition": {"id": chosen["id"]}})
            self._raise_for(response)
        issue = await self.get(number)
        if issue is None:
            raise TrackerError(BAD_RESPONSE, f"{self.label} no longer shows {self.repository.name}-{number}")
        return issue

    def _error_detail(self, response: httpx.Response) -> str:
        try:
            data = response.json()
        except Exception:  # noqa: BLE001
            return ""
        if isinstance(data, Mapping):
            messages = data.get("errorMessages")
            if isinstance(messages, list) and messages:
                return f": {str(messages[0])[:200]}"
            errors = data.get("errors")
            if isinstance(errors, Mapping) and errors:
                field, message = next(iter(errors.items()))
                return f": {str(field)[:40]}: {str(message)[:200]}"
        return super()._error_detail(response)
