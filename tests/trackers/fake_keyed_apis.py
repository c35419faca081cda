"""Local stand-ins for Jira Cloud (REST v3), Jira Server / Data Center (REST v2) and Linear (GraphQL), on 127.0.0.1.

``FakeJira("cloud" | "server")`` answers what backlog-ls asks of Jira:

- Cloud: ``GET /rest/api/3/search/jql?jql=...&maxResults=N[&nextPageToken=T]`` -> ``{issues, nextPageToken?, isLast}``;
- Server: ``GET /rest/api/2/search?jql=...&startAt=N&maxResults=N`` -> ``{startAt, maxResults, total, issues}``;
- ``GET /rest/api/{v}/issue/KEY``, ``POST /rest/api/{v}/issue`` (-> ``{id, key, self}``),
  ``GET`` / ``POST /rest/api/{v}/issue/KEY/transitions``.

The JQL understood is what the provider sends: ``project = "ABC"`` and ``updated >= "yyyy-MM-dd HH:mm"``.
``FakeLinear()`` answers ``POST /graphql``: the ``issues`` query (``filter.team.key.eq``,
``filter.updatedAt.gte``, ``after`` cursors), ``issue(id)``, ``teams``, ``workflowStates``,
``issueCreate`` and ``issueUpdate``.

Behaviour per test, as in ``fake_apis.FakeTracker``: ``fail = (status, headers, body)``, ``stall``
(seconds before answering), ``malformed`` (a body that is not JSON), ``token`` (requests without it
get 401), ``per_page`` (cap the page size). Every request is in ``requests`` (``Recorded``).
"""

from __future__ import annotations

import base64
import json
import re
import threading
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from .fake_apis import Recorded

CATEGORIES = {"To Do": "new", "In Progress": "indeterminate", "Done": "done"}


class _FakeServer:
    kind = "fake"

    def __init__(self) -> None:
        self.requests: list[Recorded] = []
        self.fail: tuple[int, dict[str, str], str] | None = None
        self.stall = 0.0
        self.malformed = False
        self.token: str | None = None
        self.per_page: int | None = None
        self._stopping = threading.Event()
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.02,), name=f"fake-{self.kind}", daemon=True)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stall = 0
        self._stopping.set()
        self._server.shutdown()
        self._server.server_close()

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                fake._receive(self, "GET")

            def do_POST(self) -> None:
                fake._receive(self, "POST")

            def do_PUT(self) -> None:
                fake._receive(self, "PUT")

        return Handler

    def send(self, handler: BaseHTTPRequestHandler, status: int, body: Any = None, headers: dict[str, str] | None = None) -> None:
        data = b"" if body is None else (body.encode() if isinstance(body, str) else json.dumps(body).encode())
        try:
            handler.send_response(status)
            handler.send_header("Content-Type", "application/json")
            handler.send_header("Content-Length", str(len(data)))
            for key, value in (headers or {}).items():
                handler.send_header(key, value)
            handler.end_headers()
            if data:
                handler.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            pass

    def _receive(self, handler: BaseHTTPRequestHandler, method: str) -> None:
        parts = urlsplit(handler.path)
        query = {key: values[-1] for key, values in parse_qs(parts.query).items()}
        headers = {key.lower(): value for key, value in handler.headers.items()}
        body: Any = None
        length = int(headers.get("content-length") or 0)
        raw_body = handler.rfile.read(length) if length else b""
        if raw_body:
            try:
                body = json.loads(raw_body)
            except ValueError:
                body = raw_body
        raw = handler.raw_requestline + bytes(handler.headers) + raw_body
        self.requests.append(Recorded(method, unquote(parts.path), query, headers, body, raw))
        if self.stall:
            self._stopping.wait(self.stall)
        if self.fail is not None:
            status, fail_headers, fail_body = self.fail
            return self.send(handler, status, fail_body, fail_headers)
        if self.token is not None and headers.get("authorization") != self.expected_authorization():
            return self.unauthorised(handler)
        if self.malformed:
            return self.send(handler, 200, '{"issues": [{"key": "ABC-1", ')
        return self.serve(handler, method, unquote(parts.path), query, body)

    def expected_authorization(self) -> str:
        raise NotImplementedError

    def unauthorised(self, handler: BaseHTTPRequestHandler) -> None:
        self.send(handler, 401, {"errorMessages": ["You are not authenticated."]})

    def serve(self, handler, method: str, path: str, query: dict[str, str], body: Any) -> None:
        raise NotImplementedError


def _jira_time(moment: str) -> str:
    return moment.replace("Z", ".000+0000")


class FakeJira(_FakeServer):
    kind = "jira"

    def __init__(self, flavour: str = "cloud", email: str = "dev@example.test") -> None:
        self.flavour = flavour
        self.email = email
        self.issues: list[dict[str, Any]] = []
        self.transitions = [
            {"id": "11", "name": "To Do", "to": {"name": "To Do", "statusCategory": {"key": "new"}}},
            {"id": "21", "name": "In Progress", "to": {"name": "In Progress", "statusCategory": {"key": "indeterminate"}}},
            {"id": "31", "name": "Done", "to": {"name": "Done", "statusCategory": {"key": "done"}}},
        ]
        super().__init__()

    @property
    def version(self) -> str:
        return "3" if self.flavour == "cloud" else "2"

    @property
    def url(self) -> str:
        return self.base

    def expected_authorization(self) -> str:
        if self.flavour == "cloud":
            return "Basic " + base64.b64encode(f"{self.email}:{self.token}".encode()).decode()
        return f"Bearer {self.token}"

    def add(
        self,
        key: str,
        summary: str | None = None,
        *,
        status: str = "To Do",
        updated: str = "2024-01-01T00:00:00Z",
        assignee: str | None = None,
        priority: str | None = None,
        labels: tuple[str, ...] = (),
        fix_versions: tuple[str, ...] = (),
        description: Any = None,
    ) -> dict[str, Any]:
        fields: dict[str, Any] = {
            "summary": summary if summary is not None else f"Issue {key}",
            "status": {"name": status, "statusCategory": {"key": CATEGORIES.get(status, "indeterminate"), "name": status}},
            "assignee": {"displayName": assignee} if assignee else None,
            "priority": {"name": priority} if priority else None,
            "labels": list(labels),
            "fixVersions": [{"name": name} for name in fix_versions],
            "description": description,
            "created": _jira_time("2023-12-01T00:00:00Z"),
            "updated": _jira_time(updated),
            "resolutiondate": _jira_time(updated) if status == "Done" else None,
            "issuetype": {"name": "Task"},
        }
        item = {"id": str(10000 + len(self.issues)), "key": key, "self": f"{self.base}/rest/api/{self.version}/issue/{key}", "fields": fields}
        with self._lock:
            self.issues = [issue for issue in self.issues if issue["key"] != key] + [item]
        return item

    def by_key(self, key: str) -> dict[str, Any] | None:
        return next((issue for issue in self.issues if issue["key"] == key), None)

    def serve(self, handler, method: str, path: str, query: dict[str, str], body: Any) -> None:
        rest = f"/rest/api/{self.version}"
        if method == "GET" and path == (f"{rest}/search/jql" if self.flavour == "cloud" else f"{rest}/search"):
            return self._search(handler, query)
        match = re.fullmatch(rf"{rest}/issue/([A-Z][A-Z0-9_]*-\d+)(/transitions)?", path)
        if match is not None:
            issue = self.by_key(match.group(1))
            if issue is None:
                return self.send(handler, 404, {"errorMessages": ["Issue does not exist or you do not have permission to see it."]})
            if match.group(2) is None and method == "GET":
                return self.send(handler, 200, issue)
            if match.group(2) and method == "GET":
                return self.send(handler, 200, {"transitions": self.transitions})
            if match.group(2) and method == "POST":
                wanted = (body or {}).get("transition", {}).get("id") if isinstance(body, dict) else None
                chosen = next((t for t in self.transitions if t["id"] == wanted), None)
                if chosen is None:
                    return self.send(handler, 400, {"errorMessages": ["Transition id is not valid."]})
                now = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
                self.add(issue["key"], issue["fields"]["summary"], status=chosen["to"]["name"], updated=now)
                return self.send(handler, 204)
        if method == "POST" and path == f"{rest}/issue":
            return self._create(handler, body)
        return self.send(handler, 404, {"errorMessages": ["Not found"]})

    def _search(self, handler, query: dict[str, str]) -> None:
        jql = query.get("jql", "")
        project = re.search(r'project = "([^"]+)"', jql)
        since = re.search(r'updated >= "([^"]+)"', jql)
        with self._lock:
            items = [i for i in self.issues if project is None or i["key"].startswith(project.group(1) + "-")]
        if since is not None:
            moment = datetime.strptime(since.group(1), "%Y-%m-%d %H:%M").replace(tzinfo=timezone.utc)
            items = [i for i in items if datetime.fromisoformat(i["fields"]["updated"]) >= moment]
        items.sort(key=lambda i: i["fields"]["updated"])
        size = int(query.get("maxResults", 50))
        if self.per_page:
            size = min(size, self.per_page)
        if self.flavour == "cloud":
            token = query.get("nextPageToken")
            start = int(base64.b64decode(token).decode()) if token else 0
            chunk = items[start : start + size]
            answer: dict[str, Any] = {"issues": chunk, "isLast": start + size >= len(items)}
            if start + size < len(items):
                answer["nextPageToken"] = base64.b64encode(str(start + size).encode()).decode()
            return self.send(handler, 200, answer)
        start = int(query.get("startAt", 0))
        chunk = items[start : start + size]
        return self.send(handler, 200, {"startAt": start, "maxResults": size, "total": len(items), "issues": chunk})

    def _create(self, handler, body: Any) -> None:
        fields = body.get("fields") if isinstance(body, dict) else None
        if not isinstance(fields, dict) or not fields.get("summary") or not isinstance(fields.get("project"), dict):
            return self.send(handler, 400, {"errors": {"summary": "You must specify a summary of the issue."}})
        project = fields["project"]["key"]
        numbers = [int(i["key"].split("-")[1]) for i in self.issues if i["key"].startswith(project + "-")]
        key = f"{project}-{max(numbers, default=0) + 1}"
        now = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
        item = self.add(key, fields["summary"], updated=now, description=fields.get("description"))
        return self.send(handler, 201, {"id": item["id"], "key": key, "self": item["self"]})


LINEAR_STATES = {"Backlog": "backlog", "Todo": "unstarted", "In Progress": "started", "Done": "completed", "Canceled": "canceled"}


class FakeLinear(_FakeServer):
    kind = "linear"

    def __init__(self, team: str = "ENG") -> None:
        self.team = team
        self.nodes: list[dict[str, Any]] = []
        super().__init__()

    @property
    def url(self) -> str:
        return f"{self.base}/graphql"

    def expected_authorization(self) -> str:
        return str(self.token)

    def unauthorised(self, handler) -> None:
        self.send(handler, 400, {"errors": [{"message": "Authentication required, not authenticated", "extensions": {"code": "AUTHENTICATION_ERROR"}}]})

    def add(self, number: int, title: str | None = None, *, state: str = "Todo", updated: str = "2024-01-01T00:00:00.000Z",
            assignee: str | None = None, labels: tuple[str, ...] = (), description: str = "", team: str | None = None) -> dict[str, Any]:
        team = team or self.team
        node = {
            "identifier": f"{team}-{number}", "number": number, "title": title or f"Issue {team}-{number}",
            "url": f"https://linear.app/acme/issue/{team}-{number}", "description": description,
            "priorityLabel": "High", "createdAt": "2023-12-01T00:00:00.000Z", "updatedAt": updated,
            "completedAt": updated if LINEAR_STATES[state] == "completed" else None,
            "canceledAt": updated if LINEAR_STATES[state] == "canceled" else None,
            "state": {"name": state, "type": LINEAR_STATES[state]},
            "assignee": {"name": assignee, "displayName": assignee} if assignee else None,
            "labels": {"nodes": [{"name": name} for name in labels]}, "team": {"key": team}, "projectMilestone": None,
        }
        with self._lock:
            self.nodes = [n for n in self.nodes if n["identifier"] != node["identifier"]] + [node]
        return node

    def serve(self, handler, method: str, path: str, query: dict[str, str], body: Any) -> None:
        if method != "POST" or path != "/graphql" or not isinstance(body, dict):
            return self.send(handler, 404, {"errors": [{"message": "Not found"}]})
        text = str(body.get("query", ""))
        variables = body.get("variables") or {}
        if "issueCreate" in text:
            value = variables["input"]
            numbers = [n["number"] for n in self.nodes]
            node = self.add(max(numbers, default=0) + 1, value["title"], description=value.get("description", ""))
            return self.send(handler, 200, {"data": {"issueCreate": {"success": True, "issue": node}}})
        if "issueUpdate" in text:
            node = next((n for n in self.nodes if n["identifier"] == variables.get("id")), None)
            state = next((name for name in LINEAR_STATES if f"state-{name}" == variables.get("input", {}).get("stateId")), None)
            if node is None or state is None:
                return self.send(handler, 200, {"data": None, "errors": [{"message": "Entity not found"}]})
            node = self.add(node["number"], node["title"], state=state, updated=datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.000Z"))
            return self.send(handler, 200, {"data": {"issueUpdate": {"success": True, "issue": node}}})
        if "workflowStates" in text:
            states = [{"id": f"state-{name}", "name": name, "type": kind} for name, kind in LINEAR_STATES.items()]
            return self.send(handler, 200, {"data": {"workflowStates": {"nodes": states}}})
        if "teams(" in text:
            nodes = [{"id": "team-1", "key": self.team}] if variables.get("key") == self.team else []
            return self.send(handler, 200, {"data": {"teams": {"nodes": nodes}}})
        if "issue(id" in text:
            node = next((n for n in self.nodes if n["identifier"] == variables.get("id")), None)
            if node is None:
                return self.send(handler, 200, {"data": None, "errors": [{"message": "Entity not found: Issue"}]})
            return self.send(handler, 200, {"data": {"issue": node}})
        if "issues(" in text:
            return self._issues(handler, variables)
        return self.send(handler, 400, {"errors": [{"message": "Cannot query field"}]})

    def _issues(self, handler, variables: dict[str, Any]) -> None:
        filter_ = variables.get("filter") or {}
        team = (((filter_.get("team") or {}).get("key") or {}).get("eq"))
        since = ((filter_.get("updatedAt") or {}).get("gte"))
        with self._lock:
            nodes = [n for n in self.nodes if team is None or n["team"]["key"] == team]
        if since:
            moment = datetime.fromisoformat(since.replace("Z", "+00:00"))
            nodes = [n for n in nodes if datetime.fromisoformat(n["updatedAt"].replace("Z", "+00:00")) >= moment]
        size = self.per_page or 50
        after = variables.get("after")
        start = int(after.split("-")[1]) if after else 0
        chunk = nodes[start : start + size]
        more = start + size < len(nodes)
        info = {"hasNextPage": more, "endCursor": f"cursor-{start + size}" if chunk else None}
        return self.send(handler, 200, {"data": {"issues": {"nodes": chunk, "pageInfo": info}}})
