"""Linear, GraphQL at https://api.linear.app/graphql: the issues of one team (``ENG-42``).

``POST {api}`` with ``issues(first: 100, after: CURSOR, filter: {team: {key: {eq: "ENG"}},
updatedAt: {gte: SINCE}})``, paged by ``pageInfo.endCursor`` while ``hasNextPage``; the API key
(``LINEAR_API_KEY``) goes as it is in ``Authorization`` (a personal API key takes no "Bearer").

The state type says open or closed: ``backlog``, ``unstarted``, ``triage`` and ``started`` are
open, ``completed`` and ``canceled`` closed (the state's name, "In Review", is kept for the
hover). GraphQL answers errors with ``errors`` (often with HTTP 200, or 400): an
authentication error is ``auth``, ``RATELIMITED`` a rate limit, anything else a bad answer.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from datetime import datetime
from typing import Any

import httpx

from ...tracker import CLOSED, OPEN, Repository, TrackerIssue
from ...tracker.routing import LINEAR_API
from . import (
    AUTH,
    BAD_RESPONSE,
    MAX_PAGES,
    NOT_FOUND,
    RATE_LIMITED,
    UNAVAILABLE,
    FetchResult,
    TrackerError,
    TrackerProvider,
    _retry_at as retry_time,
    iso,
    parse_time,
)

log = logging.getLogger(__name__)

API = LINEAR_API
PAGE_SIZE = 100
CLOSED_TYPES = ("completed", "canceled")
_KEY = re.compile(r"^(?P<team>[A-Z][A-Z0-9_]*)-(?P<number>\d+)$")

ISSUE_FIELDS = """
  identifier number title url description priorityLabel createdAt updatedAt completedAt canceledAt
  state { name type } assignee { name displayName } labels { nodes { name } } team { key }
  projectMilestone { name }
"""
LIST_QUERY = (
    "query Issues($filter: IssueFilter, $after: String) {\n"
    f"  issues(first: {PAGE_SIZE}, after: $after, filter: $filter, orderBy: updatedAt) {{\n"
    f"    nodes {{ {ISSUE_FIELDS} }}\n"
    "    pageInfo { hasNextPage endCursor }\n  }\n}"
)
GET_QUERY = f"query Issue($id: String!) {{ issue(id: $id) {{ {ISSUE_FIELDS} }} }}"
STATES_QUERY = (
    "query States($team: String!) { workflowStates(filter: {team: {key: {eq: $team}}}) { nodes { id name type position } } }"
)
UPDATE_MUTATION = (
    "mutation Update($id: String!, $input: IssueUpdateInput!) { issueUpdate(id: $id, input: $input) { success issue { "
    f"{ISSUE_FIELDS} }} }} }}"
)
TEAM_QUERY = 'query Team($key: String!) { teams(filter: {key: {eq: $key}}) { nodes { id key } } }'
CREATE_MUTATION = (
    "mutation Create($input: IssueCreateInput!) { issueCreate(input: $input) { success issue { "
    f"{ISSUE_FIELDS} }} }} }}"
)


def linear_issue(node: Any) -> TrackerIssue:
    if not isinstance(node, Mapping):
        raise ValueError("an issue must be an object")
    identifier = node.get("identifier")
    match = _KEY.match(identifier) if isinstance(identifier, str) else None
    if match is None:
        raise ValueError("a Linear issue needs an identifier such as ENG-42")
    title = node.get("title")
    if not isinstance(title, str):
        raise ValueError(f"{identifier} has no title")
    state = node.get("state") if isinstance(node.get("state"), Mapping) else {}
    closed = str(state.get("type") or "").lower() in CLOSED_TYPES
    assignee = node.get("assignee") if isinstance(node.get("assignee"), Mapping) else {}
    who = assignee.get("displayName") or assignee.get("name")
    labels = (node.get("labels") or {}).get("nodes") if isinstance(node.get("labels"), Mapping) else None
    milestone = node.get("projectMilestone") if isinstance(node.get("projectMilestone"), Mapping) else {}
    priority = node.get("priorityLabel")
    return TrackerIssue(
        number=int(match.group("number")),
        title=title,
        state=CLOSED if closed else OPEN,
        url=node.get("url") if isinstance(node.get("url"), str) else "",
        labels=tuple(label["name"] for label in labels if isinstance(label, Mapping) and isinstance(label.get("name"), str)) if isinstance(labels, list) else (),
        assignees=(who,) if isinstance(who, str) and who else (),
        milestone=milestone.get("name") if isinstance(milestone.get("name"), str) else None,
        body=node.get("description") if isinstance(node.get("description"), str) else "",
        created_at=parse_time(node.get("createdAt")),
        updated_at=parse_time(node.get("updatedAt")),
        closed_at=parse_time(node.get("completedAt") or node.get("canceledAt")) if closed else None,
        key=identifier,
        status=state.get("name") if isinstance(state.get("name"), str) else None,
        priority=priority if isinstance(priority, str) and priority != "No priority" else None,
    )


class LinearProvider(TrackerProvider):
    kind = "linear"
    label = "Linear"

    @staticmethod
    def default_api(repository: Repository) -> str:
        return API

    def auth_headers(self, token: str) -> dict[str, str]:
        return {"Authorization": token}

    def base_headers(self) -> dict[str, str]:
        return {"Accept": "application/json", "Content-Type": "application/json"}

    async def graphql(self, query: str, variables: Mapping[str, Any]) -> Mapping[str, Any]:
        """One GraphQL request: its ``data``, or TrackerError."""
        async with self._client() as client:
            response = await self._send(client, "POST", self.api_url, json={"query": query, "variables": dict(variables)})
        try:
            data = self._json(response) if response.content else None
        except TrackerError:
            self._raise_for(response)  # a proxy's 502 page is the tracker being down, not a bad answer
            raise
        errors = data.get("errors") if isinstance(data, Mapping) else None
        if isinstance(errors, list) and errors:
            self._raise_graphql(errors, response)
        self._raise_for(response)
        found = data.get("data") if isinstance(data, Mapping) else None
        if not isinstance(found, Mapping):
            raise TrackerError(BAD_RESPONSE, f"{self.label} answered without data")
        return found

    def _raise_graphql(self, errors: list, response: httpx.Response) -> None:
        status = response.status_code
        first = errors[0] if isinstance(errors[0], Mapping) else {}
        extensions = first.get("extensions") if isinstance(first.get("extensions"), Mapping) else {}
        code = str(extensions.get("code") or extensions.get("type") or "").upper()
        message = self.scrub(str(first.get("message") or "an error")[:200])
        if code == "RATELIMITED" or status == 429:
            retry_at = retry_time(response.headers)
            when = f"; retry after {iso(retry_at)}" if retry_at else ""
            raise TrackerError(RATE_LIMITED, f"{self.label} rate limit reached{when}", status=status, retry_at=retry_at)
        if "AUTHENTICATION" in code or code == "FORBIDDEN" or status in (401, 403):
            forbidden = code == "FORBIDDEN" or status == 403  # the key is good but may not do this
            rejected = "the API key lacks permission" if forbidden else "the API key was rejected"
            hint = f"the token was not sent: {self._withheld}" if self._withheld else rejected if self._token else "an API key is needed (LINEAR_API_KEY)"
            raise TrackerError(AUTH, f"{self.label} refused access to team {self.repository.name} ({hint}): {message}", status=status)
        if status >= 500:
            raise TrackerError(UNAVAILABLE, f"{self.label} is unavailable ({status})", status=status)
        raise TrackerError(BAD_RESPONSE, f"{self.label} answered an error: {message}", status=status)

    async def list_issues(self, since: datetime | None = None, etag: str | None = None) -> FetchResult:
        filter_: dict[str, Any] = {"team": {"key": {"eq": self.repository.name}}}
        if since is not None:
            filter_["updatedAt"] = {"gte": iso(since)}
        issues: list[TrackerIssue] = []
        after: str | None = None
        for _page in range(MAX_PAGES):
            data = await self.graphql(LIST_QUERY, {"filter": filter_, "after": after})
            connection = data.get("issues")
            nodes = connection.get("nodes") if isinstance(connection, Mapping) else None
            if not isinstance(nodes, list):
                raise TrackerError(BAD_RESPONSE, f"{self.label} answered with something other than a list of issues")
            for node in nodes:
                try:
                    issue = linear_issue(node)
                except (ValueError, KeyError, TypeError) as problem:
                    raise TrackerError(BAD_RESPONSE, f"{self.label} sent an issue that cannot be read: {problem}") from None
                if issue.key and issue.key.startswith(f"{self.repository.name}-"):
                    issues.append(issue)
            info = connection.get("pageInfo") if isinstance(connection.get("pageInfo"), Mapping) else {}
            cursor = info.get("endCursor")
            if info.get("hasNextPage") is not True or not isinstance(cursor, str) or not cursor or cursor == after:
                break
            after = cursor
        else:
            log.warning("Stopped after %d pages of issues from %s", MAX_PAGES, self.label)
        return FetchResult(issues)

    async def get(self, number: int) -> TrackerIssue | None:
        try:
            data = await self.graphql(GET_QUERY, {"id": f"{self.repository.name}-{number}"})
        except TrackerError as error:
            if error.kind == BAD_RESPONSE and "not found" in error.message.lower():
                return None
            raise
        node = data.get("issue")
        if node is None:
            return None
        try:
            return linear_issue(node)
        except (ValueError, KeyError, TypeError) as problem:
            raise TrackerError(BAD_RESPONSE, f"{self.label} sent an issue that cannot be read: {problem}") from None

    async def set_state(self, number: int, closed: bool, reason: str | None = None) -> TrackerIssue:
        """Move the issue to the team's first ``completed`` state (closing) or ``unstarted`` one (reopening)."""
        if not self._token:
            raise TrackerError(AUTH, f"changing an issue on {self.label} needs an API key (LINEAR_API_KEY)")
        states = (await self.graphql(STATES_QUERY, {"team": self.repository.name})).get("workflowStates")
        nodes = states.get("nodes") if isinstance(states, Mapping) else None
        wanted = ("completed",) if closed else ("unstarted", "started", "backlog")
        chosen = next(
            (node for kind in wanted for node in nodes or () if isinstance(node, Mapping) and node.get("type") == kind and isinstance(node.get("id"), str)),
            None,
        )
        if chosen is None:
            raise TrackerError(BAD_RESPONSE, f"team {self.repository.name} has no {'completed' if closed else 'unstarted'} state")
        key = f"{self.repository.name}-{number}"
        data = await self.graphql(UPDATE_MUTATION, {"id": key, "input": {"stateId": chosen["id"]}})
        updated = data.get("issueUpdate")
        if not isinstance(updated, Mapping) or updated.get("success") is not True:
            raise TrackerError(BAD_RESPONSE, f"{self.label} did not change {key}")
        try:
            return linear_issue(updated.get("issue"))
        except (ValueError, KeyError, TypeError) as problem:
            raise TrackerError(BAD_RESPONSE, f"{self.label} answered the change with something unreadable: {problem}") from None

    async def create_issue(self, title: str, body: str) -> TrackerIssue:
        if not self._token:
            raise TrackerError(AUTH, f"creating an issue on {self.label} needs an API key (LINEAR_API_KEY)")
        teams = (await self.graphql(TEAM_QUERY, {"key": self.repository.name})).get("teams")
        nodes = teams.get("nodes") if isinstance(teams, Mapping) else None
        team = next((node for node in nodes or () if isinstance(node, Mapping) and isinstance(node.get("id"), str)), None)
        if team is None:
            raise TrackerError(NOT_FOUND, f"{self.label} has no team {self.repository.name}")
        data = await self.graphql(CREATE_MUTATION, {"input": {"teamId": team["id"], "title": title, "description": body}})
        created = data.get("issueCreate")
        if not isinstance(created, Mapping) or created.get("success") is not True:
            raise TrackerError(BAD_RESPONSE, f"{self.label} did not create the issue")
        try:
            return linear_issue(created.get("issue"))
        except (ValueError, KeyError, TypeError) as problem:
            raise TrackerError(BAD_RESPONSE, f"{self.label} answered the new issue with something unreadable: {problem}") from None
