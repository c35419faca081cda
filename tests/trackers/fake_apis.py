"""Local stand-ins for the GitHub, GitLab and Gitea issue APIs, on 127.0.0.1, for tests.

``FakeTracker(kind)`` runs a threaded ``http.server`` on a free port and answers like the real
API does for what backlog-ls asks: the issue list (pagination with Link / X-Next-Page headers,
``since`` / ``updated_after`` filtering, ETag and 304 on If-None-Match, rate-limit headers),
one issue, and POST to create one. Behaviour is set per test through attributes:

- ``fail = (status, headers, body)``: every request answers that (401, 404, 500, rate limit ...);
- ``stall = seconds``: sleep before answering (client timeouts);
- ``malformed = True``: a body that is not JSON;
- ``token = "..."``: requests without that token get 401 (like a private repository);
- ``per_page``: cap the page size (default: what the client asks);
- ``gitea_link = False``: Gitea without Link headers (page until empty);
- ``fault``: how the server misbehaves on every request (``FAULTS``): ``"reset"`` closes the
  connection with a TCP reset instead of answering; ``"empty"`` answers 200 with no body;
  ``"trickle"`` promises a large body and sends one byte every ``trickle_interval`` seconds;
  ``"endless"`` sends a JSON array that never ends (at full speed, until the client hangs up, or
  ``ENDLESS_SECONDS`` / ``ENDLESS_BYTES``); ``"redirect"`` answers 302 to ``elsewhere``;
  ``"link-elsewhere"`` answers the first page with a ``Link: rel="next"`` to ``elsewhere``.
- ``elsewhere``: the base URL (another ``FakeTracker``) those last two point at;
- ``unlisted``: issue numbers left out of the listing but still counted (totals, the repository).
- GitHub sub-issues and dependencies: ``sub_issues[n]`` / ``blockers[n]`` (issue numbers) give issue
  ``n`` its ``sub_issues_summary`` and ``issue_dependencies_summary`` in every answer, and answer
  ``GET .../issues/{n}/sub_issues`` and ``GET .../issues/{n}/dependencies/blocked_by`` (or
  ``relation_status``: those two answer that status); ``POST .../issues/{n}/sub_issues`` with
  ``sub_issue_id`` (the issue's id) links one.

Every request is recorded in ``requests`` (method, path, query, headers, body, and ``raw``: the
request line, header and body bytes exactly as they arrived). ``GET /repos/{owner}/{name}`` (GitLab:
``/projects/{id}``) describes the repository with ``open_issues_count``.
"""

from __future__ import annotations

import hashlib
import json
import threading
import time
from datetime import datetime, timezone
import socket
import struct
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, quote, unquote, urlencode, urlsplit

import attrs


FAULTS = ("reset", "empty", "trickle", "endless", "redirect", "link-elsewhere")
ENDLESS_SECONDS = 30.0  # every loop here is bounded: the endless answer stops after this ...
ENDLESS_BYTES = 4 * 1024**3  # ... or this much, if the client never hangs up


@attrs.define
class Recorded:
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: Any = None
    raw: bytes = b""


def api_issue(
    kind: str,
    number: int,
    title: str | None = None,
    *,
    state: str = "open",
    updated: str = "2024-01-01T00:00:00Z",
    created: str = "2023-12-01T00:00:00Z",
    closed: str | None = None,
    labels: tuple[str, ...] = (),
    assignees: tuple[str, ...] = (),
    milestone: str | None = None,
    body: str = "",
    pull: bool = False,
    merged: bool = False,
    draft: bool = False,
    host: str = "example.test",
    slug: str = "octo/repo",
) -> dict[str, Any]:
    """An issue as ``kind``'s API would send it."""
    title = title if title is not None else f"Issue {number}"
    if kind == "gitlab":
        return {
            "id": 1000 + number,
            "iid": number,
            "project_id": 7,
            "title": title,
            "description": body,
            "state": "opened" if state == "open" else "closed",
            "labels": list(labels),
            "assignees": [{"username": name, "id": i} for i, name in enumerate(assignees)],
            "milestone": {"title": milestone, "id": 3} if milestone else None,
            "web_url": f"https://{host}/{slug}/-/issues/{number}",
            "created_at": created,
            "updated_at": updated,
            "closed_at": closed,
        }
    item: dict[str, Any] = {
        "id": 1000 + number,
        "number": number,
        "title": title,
        "body": body,
        "state": state,
        "labels": [{"name": name, "color": "ededed"} for name in labels],
        "assignees": [{"login": name, "id": i} for i, name in enumerate(assignees)],
        "milestone": {"title": milestone, "number": 1} if milestone else None,
        "html_url": f"https://{host}/{slug}/{'pull' if pull and kind == 'github' else 'pulls' if pull else 'issues'}/{number}",
        "created_at": created,
        "updated_at": updated,
        "closed_at": closed,
    }
    if pull:
        if kind == "github":
            item["pull_request"] = {"url": "...", "merged_at": closed if merged else None}
            item["draft"] = draft
        else:
            item["pull_request"] = {"merged": merged, "merged_at": closed if merged else None, "draft": draft}
    return item


def _updated(item: dict[str, Any]) -> datetime:
    return datetime.fromisoformat(item["updated_at"].replace("Z", "+00:00"))


class FakeTracker:
    def __init__(self, kind: str = "github", owner: str = "octo", name: str = "repo", issues: list[dict] | None = None):
        self.kind = kind
        self.owner = owner
        self.name = name
        self.issues: list[dict[str, Any]] = list(issues or [])
        self.requests: list[Recorded] = []
        self.fail: tuple[int, dict[str, str], str] | None = None
        self.stall = 0.0
        self.malformed = False
        self.token: str | None = None
        self.per_page: int | None = None
        self.gitea_link = True
        self.rate_remaining = 4999
        self.fault: str | None = None
        self.unlisted: set[int] = set()
        self.sub_issues: dict[int, list[int]] = {}
        self.blockers: dict[int, list[int]] = {}
        self.relation_status: int | None = None  # answer sub_issues / blocked_by with this status instead
        self.elsewhere: str | None = None
        self.trickle_interval = 0.1
        self.sent_bytes = 0  # body bytes written by the endless and trickle faults
        self._stopping = threading.Event()
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.02,), name=f"fake-{kind}", daemon=True)

    # --- set-up -----------------------------------------------------------------------------------

    def __enter__(self) -> FakeTracker:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stall = 0
        self._stopping.set()  # wakes a stalled or trickling answer
        self._server.shutdown()
        self._server.server_close()

    @property
    def port(self) -> int:
        return self._server.server_address[1]

    @property
    def api_url(self) -> str:
        base = f"http://127.0.0.1:{self.port}"
        return {"github": base + "/api/v3", "gitlab": base + "/api/v4", "gitea": base + "/api/v1"}[self.kind]

    def add(self, number: int, title: str | None = None, **fields: Any) -> dict[str, Any]:
        item = api_issue(self.kind, number, title, slug=f"{self.owner}/{self.name}", **fields)
        with self._lock:
            self.issues = [i for i in self.issues if self._number(i) != number] + [item]
        return item

    def _number(self, item: dict[str, Any]) -> int:
        return item["iid"] if self.kind == "gitlab" else item["number"]

    def list_requests(self) -> list[Recorded]:
        return [r for r in self.requests if r.method == "GET" and r.path.endswith("/issues")]

    # --- the server -------------------------------------------------------------------------------

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        tracker = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:  # quiet
                pass

            def do_GET(self) -> None:
                tracker._serve(self, "GET")

            def do_POST(self) -> None:
                tracker._serve(self, "POST")

            def do_PATCH(self) -> None:
                tracker._serve(self, "PATCH")

            def do_PUT(self) -> None:
                tracker._serve(self, "PUT")

        return Handler

    def _send(self, handler: BaseHTTPRequestHandler, status: int, body: Any = None, headers: dict[str, str] | None = None) -> None:
        data = b"" if body is None else (body.encode() if isinstance(body, str) else json.dumps(body).encode())
        try:
            handler.send_response(status)
            handler.send_header("Content-Type", "application/json")
            handler.send_header("Content-Length", str(len(data)))
            handler.send_header("X-RateLimit-Limit", "5000")
            for key, value in (headers or {}).items():
                handler.send_header(key, value)
            handler.end_headers()
            if data and status != 304:
                handler.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            pass

    def _authorised(self, headers: dict[str, str]) -> bool:
        if self.token is None:
            return True
        expected = {
            "github": ("authorization", f"Bearer {self.token}"),
            "gitlab": ("private-token", self.token),
            "gitea": ("authorization", f"token {self.token}"),
        }[self.kind]
        return headers.get(expected[0]) == expected[1]

    def _serve(self, handler: BaseHTTPRequestHandler, method: str) -> None:
        parts = urlsplit(handler.path)
        query = {key: values[-1] for key, values in parse_qs(parts.query).items()}
        headers = {key.lower(): value for key, value in handler.headers.items()}
        body = None
        length = int(headers.get("content-length") or 0)
        raw_body = handler.rfile.read(length) if length else b""
        if raw_body:
            try:
                body = json.loads(raw_body)
            except ValueError:
                body = raw_body
        raw = handler.raw_requestline + bytes(handler.headers) + raw_body
        self.requests.append(Recorded(method, unquote(parts.path) if self.kind != "gitlab" else parts.path, query, headers, body, raw))
        if self.stall:
            self._stopping.wait(self.stall)
        if self.fault is not None and self.fault != "link-elsewhere":
            return self._misbehave(handler, self.fault, parts)
        if self.fail is not None:
            status, fail_headers, fail_body = self.fail
            return self._send(handler, status, fail_body, fail_headers)
        if not self._authorised(headers):
            return self._send(handler, 401, {"message": "Bad credentials"})
        if self.malformed:
            return self._send(handler, 200, "[{\"number\": 1, \"title\": ")
        prefix = urlsplit(self.api_url).path
        slug = f"{self.owner}/{self.name}"
        repo_path = f"{prefix}/projects/{quote(slug, safe='')}" if self.kind == "gitlab" else f"{prefix}/repos/{slug}"
        path = parts.path if self.kind == "gitlab" else unquote(parts.path)
        if path == f"{repo_path}/issues":
            if method == "GET":
                return self._list(handler, query, headers)
            return self._create(handler, body)
        if path == repo_path and method == "GET":
            with self._lock:
                still_open = sum(1 for item in self.issues if item["state"] in ("open", "opened"))
            return self._send(handler, 200, {"full_name": slug, "open_issues_count": still_open})
        relation = path[len(f"{repo_path}/issues/"):].split("/", 1) if path.startswith(f"{repo_path}/issues/") else []
        if self.kind == "github" and method == "POST" and len(relation) == 2 and relation[1] == "sub_issues":
            child = next((i for i in self.issues if isinstance(body, dict) and i["id"] == body.get("sub_issue_id")), None)
            parent = next((i for i in self.issues if str(self._number(i)) == relation[0]), None)
            if child is None or parent is None:
                return self._send(handler, 422, {"message": "Validation Failed"})
            self.sub_issues.setdefault(self._number(parent), []).append(self._number(child))
            return self._send(handler, 201, self._related(parent))
        if self.kind == "github" and method == "GET" and len(relation) == 2 and relation[1] in ("sub_issues", "dependencies/blocked_by"):
            if self.relation_status is not None:
                return self._send(handler, self.relation_status, {"message": "Server Error"})
            table = self.sub_issues if relation[1] == "sub_issues" else self.blockers
            numbers = table.get(int(relation[0]), []) if relation[0].isdigit() else []
            return self._send(handler, 200, [self._related(i) for i in self.issues if self._number(i) in numbers])
        if path.startswith(f"{repo_path}/issues/") and method in ("PATCH", "PUT"):
            return self._change_state(handler, path.rsplit("/", 1)[1], body)
        if path.startswith(f"{repo_path}/issues/") and method == "GET":
            number = path.rsplit("/", 1)[1]
            for item in self.issues:
                if str(self._number(item)) == number:
                    return self._send(handler, 200, item)
        return self._send(handler, 404, {"message": "Not Found"})

    def _related(self, item: dict[str, Any]) -> dict[str, Any]:
        """The issue with its sub-issue and dependency summaries, as GitHub sends them."""
        if self.kind != "github":
            return item
        number = self._number(item)
        subs = [i for i in self.issues if self._number(i) in self.sub_issues.get(number, [])]
        closed = sum(1 for i in subs if i["state"] == "closed")
        blockers = len(self.blockers.get(number, []))
        return {
            **item,
            "sub_issues_summary": {"total": len(subs), "completed": closed, "percent_completed": 100 * closed // len(subs) if subs else 0},
            "issue_dependencies_summary": {"blocked_by": blockers, "total_blocked_by": blockers, "blocking": 0, "total_blocking": 0},
        }

    def _rate_headers(self) -> dict[str, str]:
        return {"X-RateLimit-Remaining": str(self.rate_remaining), "X-RateLimit-Reset": str(int(time.time()) + 3600)}

    def _list(self, handler: BaseHTTPRequestHandler, query: dict[str, str], headers: dict[str, str]) -> None:
        with self._lock:
            items = sorted(self.issues, key=self._number, reverse=True)
        since = query.get("updated_after" if self.kind == "gitlab" else "since")
        if since:
            moment = datetime.fromisoformat(since.replace("Z", "+00:00"))
            items = [item for item in items if _updated(item) >= moment]
        counted = len(items)
        items = [item for item in items if self._number(item) not in self.unlisted]
        size_key = "limit" if self.kind == "gitea" else "per_page"
        size = int(query.get(size_key, 30))
        if self.per_page:
            size = min(size, self.per_page)
        page = int(query.get("page", 1))
        chunk = [self._related(item) for item in items[(page - 1) * size : page * size]]
        last = max(1, -(-len(items) // size))
        # The ETag covers the whole answer to this query, as GitHub's does for its page.
        tag = '"' + hashlib.sha1(json.dumps([query, chunk], sort_keys=True).encode()).hexdigest() + '"'
        extra = {"ETag": tag, **self._rate_headers()}
        if headers.get("if-none-match") == tag:
            return self._send(handler, 304, None, extra)
        base = f"{self.api_url}{urlsplit(handler.path).path[len(urlsplit(self.api_url).path):]}"
        links = []
        if page < last:
            links.append(f'<{base}?{urlencode({**query, "page": page + 1})}>; rel="next"')
            links.append(f'<{base}?{urlencode({**query, "page": last})}>; rel="last"')
        if page > 1:
            links.append(f'<{base}?{urlencode({**query, "page": page - 1})}>; rel="prev"')
        if self.kind == "gitlab":
            extra["X-Next-Page"] = str(page + 1) if page < last else ""
            extra["X-Page"] = str(page)
            extra["X-Total"] = str(counted)
        if links and (self.kind != "gitea" or self.gitea_link):
            extra["Link"] = ", ".join(links)
        if self.fault == "link-elsewhere" and page == 1:
            extra["Link"] = f'<{self.elsewhere}{urlsplit(handler.path).path[len(urlsplit(self.api_url).path):]}?page=2>; rel="next"'
            extra.pop("X-Next-Page", None)
        if self.kind == "gitea" and self.gitea_link:
            extra["X-Total-Count"] = str(counted)
        return self._send(handler, 200, chunk, extra)

    def _misbehave(self, handler: BaseHTTPRequestHandler, fault: str, parts: Any) -> None:
        connection = handler.connection
        try:
            if fault == "reset":  # SO_LINGER 0: close() sends RST, not FIN
                connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                handler.close_connection = True
                connection.close()
                return
            if fault == "empty":
                return self._send(handler, 200, None)
            if fault == "redirect":
                handler.close_connection = True
                return self._send(handler, 302, {}, {"Location": f"{self.elsewhere}{parts.path}?{parts.query}"})
            handler.close_connection = True
            handler.send_response(200)
            handler.send_header("Content-Type", "application/json")
            if fault == "trickle":
                handler.send_header("Content-Length", "1000000")
            handler.end_headers()
            handler.wfile.write(b"[")
            started = time.monotonic()
            item = json.dumps(api_issue(self.kind, 1, "x" * 1000)).encode() + b","
            chunk = item * 64
            while time.monotonic() - started < ENDLESS_SECONDS and self.sent_bytes < ENDLESS_BYTES:
                if fault == "trickle":
                    if self._stopping.wait(self.trickle_interval):
                        return
                    handler.wfile.write(b" ")
                    handler.wfile.flush()
                    self.sent_bytes += 1
                else:
                    handler.wfile.write(chunk)
                    self.sent_bytes += len(chunk)
                if self._stopping.is_set():
                    return
        except (BrokenPipeError, ConnectionResetError, OSError):
            pass

    def _change_state(self, handler: BaseHTTPRequestHandler, number: str, body: Any) -> None:
        """PATCH (GitHub: state, state_reason; Gitea: state) or PUT (GitLab: state_event) one issue."""
        item = next((i for i in self.issues if str(self._number(i)) == number), None)
        if item is None or not isinstance(body, dict):
            return self._send(handler, 404, {"message": "Not Found"})
        if self.kind == "gitlab":
            wanted = {"close": "closed", "reopen": "open"}.get(body.get("state_event"))
        else:
            wanted = body.get("state") if body.get("state") in ("open", "closed") else None
        if wanted is None:
            return self._send(handler, 422, {"message": "Validation Failed"})
        now = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
        closed = wanted == "closed"
        changed = self.add(
            int(number), item["title"], state=wanted, updated=now, closed=now if closed else None,
            labels=tuple(label["name"] for label in item.get("labels", [])), body=item.get("body") or item.get("description") or "",
        )
        if self.kind == "github" and "state_reason" in body:
            changed["state_reason"] = body["state_reason"]
        return self._send(handler, 200, changed)

    def _create(self, handler: BaseHTTPRequestHandler, body: Any) -> None:
        if not isinstance(body, dict) or not body.get("title"):
            return self._send(handler, 422, {"message": "Validation Failed"})
        number = max((self._number(item) for item in self.issues), default=0) + 1
        now = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
        text = body.get("description" if self.kind == "gitlab" else "body") or ""
        item = self.add(number, body["title"], body=text, updated=now, created=now)
        return self._send(handler, 201, item)
