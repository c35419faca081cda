"""Issue tracker providers (IO): everything that talks to a tracker, keeps its cache or looks up a token.

The pure side is ``tracker/`` (issue values, settings, the credential policy, routing, ADF);
nothing here decides policy, it applies it. The modules:

- ``__init__`` (this module): ``TrackerProvider``, the HTTP base every tracker shares (bounded
  requests, error mapping to ``TrackerError``, pagination by ``Link``), ``make_provider``.
- ``github``, ``gitlab``, ``gitea``: the numbered trackers (``#12``); GitHub's sub-issues and
  blocked-by too. ``jira`` (Cloud REST v3, Server / Data Center REST v2) and ``linear``
  (GraphQL): the keyed trackers (``ABC-12``), one provider per project or team.
  ``json_export``: an exported issues file (read-only).
- ``transport``: the token only to the API's own origin, a total deadline and a size cap.
- ``tokens``: where a token comes from (the environment, ``gh auth token``), after
  ``tracker/credentials.py`` said one may go there.
- ``cache``: the SQLite cache per repository or project (never a token in it).
- ``service``: ``IssueService``, the ``IssueSource`` of one repository or project: cache,
  incremental refresh, create, close / reopen, sub-issues; it never raises.
- ``sources``: ``TrackerSources``, several services behind one ``IssueSource`` as
  ``tracker/routing.py`` planned; ``change_issue_state`` for write-back.
- ``background``: a service built off the event loop and kept refreshing; "Refresh issues" within a deadline.
- ``git_remote``: the repository from ``git remote`` (or ``.git/config`` read as text).

One small interface (``TrackerProvider``):

- ``await list_issues(since, etag) -> FetchResult``: every issue and pull request updated since
  ``since`` (all when None), following pagination; with ``etag`` a conditional request, and
  ``FetchResult.not_modified`` when the tracker says nothing changed.
- ``await create_issue(title, body) -> TrackerIssue``
- ``await get(number) -> TrackerIssue | None``
- ``await set_state(number, closed, reason) -> TrackerIssue``: close or reopen (GitHub: ``state`` and
  ``state_reason``; GitLab: ``state_event``; Gitea: ``state``; Jira: a transition; Linear: ``stateId``).
  ``state_reversible`` says whether the opposite call undoes it (False for Jira: a workflow may
  have no transition back).

A provider raises nothing but ``TrackerError`` (kind: auth, not_found, rate_limited,
unavailable, bad_response). Messages never hold the token: it only ever travels in a
request header, and every message is scrubbed of it anyway. The token goes only to the
configured API's own scheme, host and port, over https (plain http only to this machine);
a pagination link to another server is refused; redirects are not followed. Every request
has a total deadline and a size cap on its answer (``transport.py``). ``IssueService``
(``service.py``) is what the rest of backlog-ls uses: it keeps the cache and never raises.
"""

from __future__ import annotations

import email.utils
import json
import logging
import re
import time
from collections.abc import Mapping
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

import attrs

from ...tracker import CLOSED, OPEN, Repository, TrackerIssue
from .transport import (
    DEFAULT_DEADLINE_SECONDS,
    MAX_RESPONSE_BYTES,
    DeadlineExceeded,
    ResponseTooLarge,
    fetch_bounded,
    log_once,
    origin,
    origin_text,
    token_refusal,
)

if TYPE_CHECKING:  # imported where a request is made (see ``transport``)
    import httpx

log = logging.getLogger(__name__)

AUTH = "auth"
NOT_FOUND = "not_found"
RATE_LIMITED = "rate_limited"
UNAVAILABLE = "unavailable"
BAD_RESPONSE = "bad_response"

DEFAULT_TIMEOUT_SECONDS = 10.0  # each step of a request (read, write); connecting gets half
MAX_PAGES = 200  # 20,000 issues at 100 a page: a runaway Link chain stops here
USER_AGENT = "backlog-ls"


class TrackerError(Exception):
    """A tracker request failed. ``retry_at`` (UTC) is when a rate-limited request may be retried."""

    def __init__(self, kind: str, message: str, *, status: int | None = None, retry_at: datetime | None = None):
        super().__init__(message)
        self.kind = kind
        self.message = message
        self.status = status
        self.retry_at = retry_at

    def __str__(self) -> str:
        return self.message

    def __repr__(self) -> str:
        return f"TrackerError({self.kind!r}, {self.message!r})"


@attrs.frozen
class RateLimit:
    remaining: int | None = None
    limit: int | None = None
    reset_at: datetime | None = None


@attrs.frozen
class FetchResult:
    issues: list[TrackerIssue] = attrs.Factory(list)
    etag: str | None = None
    not_modified: bool = False
    rate: RateLimit | None = None
    total: int | None = None  # how many issues the tracker says the listing holds (X-Total, X-Total-Count)


def parse_time(value: Any) -> datetime | None:
    if not value or not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)


def iso(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _names(items: Any, *keys: str) -> tuple[str, ...]:
    """Label or user names from a list of strings or of objects (``{name}``, ``{login}``, ``{username}``)."""
    if not isinstance(items, list):
        return ()
    names = []
    for item in items:
        if isinstance(item, str):
            names.append(item)
        elif isinstance(item, Mapping):
            for key in keys:
                value = item.get(key)
                if isinstance(value, str):
                    names.append(value)
                    break
    return tuple(names)


def issue_from_json(item: Any) -> TrackerIssue:
    """A ``TrackerIssue`` from any of the shapes we read: GitHub REST, ``gh --json``, GitLab, Gitea.

    Raises ValueError (or KeyError/TypeError) when the item is not an issue.
    """
    if not isinstance(item, Mapping):
        raise ValueError("an issue must be an object")
    number = item.get("iid") if "iid" in item else item.get("number")
    if isinstance(number, bool) or not isinstance(number, int):
        raise ValueError("an issue needs a number")
    title = item.get("title")
    if not isinstance(title, str):
        raise ValueError(f"issue {number} has no title")
    state = str(item.get("state") or "").lower()
    pull = item.get("pull_request")
    is_pull = isinstance(pull, Mapping) or bool(item.get("isPullRequest"))
    merged = False
    draft = bool(item.get("draft") or item.get("isDraft") or item.get("work_in_progress"))
    if isinstance(pull, Mapping):
        merged = bool(pull.get("merged_at") or pull.get("merged"))
        draft = draft or bool(pull.get("draft"))
    if state == "merged":
        merged, is_pull = True, True
    milestone = item.get("milestone")
    if isinstance(milestone, Mapping):
        milestone = milestone.get("title")
    body = item.get("body")
    if body is None:
        body = item.get("description")
    sub = item.get("sub_issues_summary") if isinstance(item.get("sub_issues_summary"), Mapping) else {}
    return TrackerIssue(
        number=number,
        title=title,
        state=OPEN if state in ("open", "opened") else CLOSED,
        url=str(item.get("html_url") or item.get("web_url") or item.get("url") or ""),
        is_pull=is_pull,
        merged=merged,
        draft=draft,
        labels=_names(item.get("labels"), "name"),
        assignees=_names(item.get("assignees"), "login", "username", "name"),
        milestone=milestone if isinstance(milestone, str) else None,
        body=body if isinstance(body, str) else "",
        created_at=parse_time(item.get("created_at") or item.get("createdAt")),
        updated_at=parse_time(item.get("updated_at") or item.get("updatedAt")),
        closed_at=parse_time(item.get("closed_at") or item.get("closedAt")),
        sub_issues_total=json_count(sub, "total") or 0,
        sub_issues_closed=json_count(sub, "completed") or 0,
    )


def blocked_by_count(item: Any) -> int:
    """GitHub's ``issue_dependencies_summary.total_blocked_by`` of an issue as listed (0 when absent)."""
    summary = item.get("issue_dependencies_summary") if isinstance(item, Mapping) else None
    return json_count(summary, "total_blocked_by") or json_count(summary, "blocked_by") or 0


_LINK = re.compile(r'<([^>]+)>\s*;\s*rel="?([^";]+)"?')


def next_link(response: httpx.Response) -> str | None:
    for url, rels in _LINK.findall(response.headers.get("link", "")):
        if "next" in rels.split():
            return url
    return None


def _header_int(headers: httpx.Headers, *names: str) -> int | None:
    for name in names:
        value = headers.get(name)
        if value is not None:
            try:
                return int(float(value))
            except ValueError:
                continue
    return None


def header_count(response: httpx.Response, name: str) -> int | None:
    value = response.headers.get(name, "").strip()
    return int(value) if value.isdigit() else None


def json_count(data: Any, key: str) -> int | None:
    count = data.get(key) if isinstance(data, Mapping) else None
    return count if isinstance(count, int) and not isinstance(count, bool) and count >= 0 else None


def rate_limit(headers: httpx.Headers) -> RateLimit | None:
    remaining = _header_int(headers, "x-ratelimit-remaining", "ratelimit-remaining")
    if remaining is None:
        return None
    reset = _header_int(headers, "x-ratelimit-reset", "ratelimit-reset")
    return RateLimit(
        remaining=remaining,
        limit=_header_int(headers, "x-ratelimit-limit", "ratelimit-limit"),
        reset_at=datetime.fromtimestamp(reset, timezone.utc) if reset is not None else None,
    )


def _retry_at(headers: httpx.Headers) -> datetime | None:
    retry_after = headers.get("retry-after")
    if retry_after:
        try:
            return datetime.fromtimestamp(time.time() + max(0.0, float(retry_after)), timezone.utc)
        except ValueError:
            try:
                return email.utils.parsedate_to_datetime(retry_after)
            except (TypeError, ValueError):
                pass
    rate = rate_limit(headers)
    if rate is not None and rate.remaining == 0 and rate.reset_at is not None:
        return rate.reset_at
    return None


class TrackerProvider:
    """The shared HTTP machinery; subclasses say where things are and how to read them."""

    kind = "tracker"
    label = "the tracker"
    issue_type = "Task"  # what a keyed tracker (Jira) files
    state_reversible = True  # reopening undoes closing (and back)
    CLOSE_REASONS: tuple[str, ...] = ()  # the ways the tracker tells closed issues apart (GitHub: completed, not_planned)

    def __init__(
        self,
        repository: Repository,
        token: str | None = None,
        *,
        api_url: str | None = None,
        timeout: httpx.Timeout | float | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        deadline: float | None = None,
        max_bytes: int = MAX_RESPONSE_BYTES,
    ):
        import httpx

        self.repository = repository
        self._token = token or None
        self.api_url = (api_url or repository.api_url or self.default_api(repository)).rstrip("/")
        if timeout is None:
            timeout = httpx.Timeout(DEFAULT_TIMEOUT_SECONDS, connect=DEFAULT_TIMEOUT_SECONDS / 2)
        self.timeout = timeout if isinstance(timeout, httpx.Timeout) else httpx.Timeout(timeout)
        # The whole exchange, body included. A bare number of seconds is both the timeout of each
        # step (connect, each read) and the deadline of the whole.
        if deadline is None:
            deadline = DEFAULT_DEADLINE_SECONDS if isinstance(timeout, httpx.Timeout) else float(timeout)
        self.deadline = deadline
        self.max_bytes = max_bytes
        self._transport = transport
        self._withheld: str | None = None  # why the token was not sent, when it was not

    def __repr__(self) -> str:  # never the token
        return f"{type(self).__name__}({self.repository.slug} at {self.api_url})"

    # --- what subclasses provide -----------------------------------------------------------------

    @staticmethod
    def default_api(repository: Repository) -> str:
        raise NotImplementedError

    def auth_headers(self, token: str) -> dict[str, str]:
        raise NotImplementedError

    def base_headers(self) -> dict[str, str]:
        return {"Accept": "application/json"}

    def list_request(self, since: datetime | None) -> tuple[str, dict[str, Any]]:
        raise NotImplementedError

    def issue_url(self, number: int) -> str:
        raise NotImplementedError

    def state_request(self, number: int, closed: bool, reason: str | None) -> tuple[str, str, dict[str, Any]]:
        """(method, url, body) that closes or reopens issue ``number``."""
        raise NotImplementedError

    def create_request(self, title: str, body: str) -> tuple[str, dict[str, Any]]:
        raise NotImplementedError

    def next_page(self, response: httpx.Response, url: str, params: dict[str, Any], items: list) -> tuple[str, dict[str, Any]] | None:
        link = next_link(response)
        return (link, {}) if link else None

    def parse_item(self, item: Any) -> TrackerIssue:
        return issue_from_json(item)

    def page_items(self, data: Any) -> Any:
        """The issues in one page's JSON (GitHub, GitLab, Gitea: the page is the list)."""
        return data

    def listing_total(self, response: httpx.Response) -> int | None:
        """How many issues the whole listing holds, when the tracker says so in a header."""
        return None

    def repository_url(self) -> str | None:
        """Where the repository itself is described (for ``open_issue_count``); None: nowhere we read."""
        return None

    def open_count_of(self, data: Any) -> int | None:
        """The open issues the repository's description counts (GitHub: issues and pull requests)."""
        return json_count(data, "open_issues_count")

    # --- the interface ----------------------------------------------------------------------------

    async def list_issues(self, since: datetime | None = None, etag: str | None = None) -> FetchResult:
        url, params = self.list_request(since)
        issues: list[TrackerIssue] = []
        first_etag: str | None = None
        rate: RateLimit | None = None
        total: int | None = None
        async with self._client() as client:
            for page in range(MAX_PAGES):
                headers = {"If-None-Match": etag} if etag and page == 0 else {}
                response = await self._send(client, "GET", url, params=params or None, headers=headers)
                rate = rate_limit(response.headers) or rate
                if response.status_code == 304 and page == 0:
                    return FetchResult([], etag, True, rate)
                self._raise_for(response)
                if page == 0:
                    first_etag = response.headers.get("etag")
                    total = self.listing_total(response)
                items = self.page_items(self._json(response))
                if not isinstance(items, list):
                    raise TrackerError(BAD_RESPONSE, f"{self.label} answered {self._where(url)} with something other than a list of issues")
                for item in items:
                    try:
                        issues.append(self.parse_item(item))
                    except (ValueError, KeyError, TypeError) as problem:
                        raise TrackerError(BAD_RESPONSE, f"{self.label} sent an issue that cannot be read: {problem}") from None
                following = self.next_page(response, url, params, items)
                if following is None:
                    break
                url, params = following
                self._refuse_other_origin(url)
            else:
                log.warning("Stopped after %d pages of issues from %s", MAX_PAGES, self._where(url))
        return FetchResult(issues, first_etag, False, rate, total)

    async def open_issue_count(self) -> int | None:
        """The repository's own count of open issues (a second opinion on a listing); None when unknown."""
        url = self.repository_url()
        if url is None:
            return None
        try:
            async with self._client() as client:
                response = await self._send(client, "GET", url)
            self._raise_for(response)
            return self.open_count_of(self._json(response))
        except TrackerError as error:
            log.info("Could not ask %s how many issues are open: %s", self.label, error.message)
            return None

    def _refuse_other_origin(self, url: str) -> None:
        """A next-page link to another server is not followed: it would get the token, or our trust."""
        import httpx

        try:
            same = origin(url) == origin(self.api_url)
        except (httpx.InvalidURL, TypeError, ValueError):
            same = False
        if same:
            return
        try:
            elsewhere = origin_text(url)
        except (httpx.InvalidURL, TypeError, ValueError):
            elsewhere = "an address that cannot be read"
        message = f"{self.label} sent a next-page link to {elsewhere}, not {origin_text(self.api_url)}; not followed, the cached issues are kept"
        raise TrackerError(BAD_RESPONSE, self.scrub(message))  # the refresh logs it (once while it lasts)

    async def _post_new_issue(self, title: str, body: str) -> Any:
        """POST the new issue (``create_request``); the tracker's JSON answer."""
        if not self._token:
            raise TrackerError(AUTH, f"creating an issue on {self.label} needs a token")
        url, payload = self.create_request(title, body)
        async with self._client() as client:
            response = await self._send(client, "POST", url, json=payload)
        self._raise_for(response)
        return self._json(response)

    async def create_issue(self, title: str, body: str) -> TrackerIssue:
        answer = await self._post_new_issue(title, body)
        try:
            return self.parse_item(answer)
        except (ValueError, KeyError, TypeError) as problem:
            raise TrackerError(BAD_RESPONSE, f"{self.label} answered the new issue with something unreadable: {problem}") from None

    async def set_state(self, number: int, closed: bool, reason: str | None = None) -> TrackerIssue:
        """Close (``closed``) or reopen issue ``number``; the issue as the tracker now describes it."""
        if not self._token:
            raise TrackerError(AUTH, f"changing an issue on {self.label} needs a token")
        method, url, payload = self.state_request(number, closed, reason)
        async with self._client() as client:
            response = await self._send(client, method, url, json=payload)
        self._raise_for(response)
        try:
            return self.parse_item(self._json(response))
        except (ValueError, KeyError, TypeError) as problem:
            raise TrackerError(BAD_RESPONSE, f"{self.label} answered the change with something unreadable: {problem}") from None

    async def get(self, number: int) -> TrackerIssue | None:
        async with self._client() as client:
            response = await self._send(client, "GET", self.issue_url(number))
        if response.status_code in (404, 410):
            return None
        self._raise_for(response)
        try:
            return self.parse_item(self._json(response))
        except (ValueError, KeyError, TypeError) as problem:
            raise TrackerError(BAD_RESPONSE, f"{self.label} sent issue {number} in a shape that cannot be read: {problem}") from None

    # --- plumbing ---------------------------------------------------------------------------------

    def _client(self) -> httpx.AsyncClient:
        import httpx

        headers = {"User-Agent": USER_AGENT, **self.base_headers()}
        host = httpx.URL(self.api_url).host
        loopback = host in ("127.0.0.1", "localhost", "::1")
        return httpx.AsyncClient(
            headers=headers,  # never the token: ``_send`` adds it to each request that may carry it
            timeout=self.timeout,
            transport=self._transport,
            follow_redirects=False,  # a redirect to another host must not carry the token
            trust_env=not loopback,  # proxies from the environment, except for this machine
        )

    def _credentials_for(self, url: httpx.URL) -> dict[str, str]:
        if not self._token:
            return {}
        refusal = token_refusal(url, self.api_url)
        if refusal is not None:
            self._withheld = refusal
            log_once("Not sending the token for %s: %s", self.label, self.scrub(refusal))
            return {}
        return self.auth_headers(self._token)

    async def _send(self, client: httpx.AsyncClient, method: str, url: str, **options: Any) -> httpx.Response:
        import httpx

        headers = options.pop("headers", None) or {}
        try:
            request = client.build_request(method, url, **options)
            request.headers.update({**headers, **self._credentials_for(request.url)})
            return await fetch_bounded(client, request, deadline=self.deadline, max_bytes=self.max_bytes)
        except (httpx.TimeoutException, DeadlineExceeded) as problem:
            detail = f"; {problem}" if isinstance(problem, DeadlineExceeded) else ""
            raise TrackerError(UNAVAILABLE, f"{self.label} did not answer in time ({self._where(url)}{detail})") from None
        except ResponseTooLarge as problem:
            raise TrackerError(BAD_RESPONSE, f"{self.label} sent too much: {problem} ({self._where(url)}); refused") from None
        except httpx.HTTPError as problem:
            raise TrackerError(UNAVAILABLE, self.scrub(f"cannot reach {self.label} ({self._where(url)}): {type(problem).__name__}: {problem}")) from None
        except Exception as problem:  # anything else from the transport is still "unavailable"  # noqa: BLE001
            raise TrackerError(UNAVAILABLE, self.scrub(f"cannot reach {self.label}: {type(problem).__name__}: {problem}")) from None

    @property
    def scope(self) -> str:
        """What the issues belong to, for messages: "repository octo/repo"; Jira: "project ABC"."""
        return f"repository {self.repository.slug}"

    def _raise_for(self, response: httpx.Response) -> None:
        status = response.status_code
        if 200 <= status < 300:
            return
        where = self._where(str(response.request.url)) if response.request else self.api_url
        detail = self._error_detail(response)
        retry_at = _retry_at(response.headers)
        rate = rate_limit(response.headers)
        if status == 429 or (status == 403 and (retry_at is not None or (rate is not None and rate.remaining == 0))):
            when = f"; retry after {iso(retry_at)}" if retry_at else ""
            raise TrackerError(RATE_LIMITED, f"{self.label} rate limit reached{when}", status=status, retry_at=retry_at)
        if status in (401, 403):
            hint = (
                f"the token was not sent: {self._withheld}"
                if self._withheld
                # 401: the credentials are wrong or expired; 403: they are right but may not do this.
                else ("the token was rejected" if status == 401 else "the token lacks permission") if self._token
                else "a token is needed"
            )
            raise TrackerError(AUTH, self.scrub(f"{self.label} refused access to {self.scope} ({status}: {hint}){detail}"), status=status)
        if status in (404, 410):
            hint = "" if self._token else " (a private repository needs a token)"
            raise TrackerError(NOT_FOUND, self.scrub(f"{self.label} has no {self.scope} at {where}{hint}"), status=status)
        if status >= 500 or status == 408:
            raise TrackerError(UNAVAILABLE, self.scrub(f"{self.label} is unavailable ({status}){detail}"), status=status, retry_at=retry_at)
        if 300 <= status < 400:
            raise TrackerError(BAD_RESPONSE, f"{self.label} redirected {where} (status {status}); set [issues] url to the API address", status=status)
        raise TrackerError(BAD_RESPONSE, self.scrub(f"{self.label} answered {status}{detail}"), status=status)

    def _error_detail(self, response: httpx.Response) -> str:
        try:
            data = response.json()
        except Exception:  # noqa: BLE001
            return ""
        message = data.get("message") or data.get("error") if isinstance(data, Mapping) else None
        return f": {str(message)[:200]}" if message else ""

    def _json(self, response: httpx.Response) -> Any:
        try:
            return json.loads(response.content)
        except (ValueError, UnicodeDecodeError) as problem:
            raise TrackerError(BAD_RESPONSE, f"{self.label} answered with something that is not JSON ({problem})") from None

    def _where(self, url: str) -> str:
        import httpx

        return self.scrub(str(httpx.URL(url).copy_with(query=None)))

    def scrub(self, text: str) -> str:
        return text.replace(self._token, "***") if self._token else text


def make_provider(
    repository: Repository,
    token: str | None = None,
    *,
    api_url: str | None = None,
    timeout: httpx.Timeout | float | None = None,
    transport: httpx.AsyncBaseTransport | None = None,
    deadline: float | None = None,
    issue_type: str | None = None,
) -> TrackerProvider:
    """The provider for ``repository.kind`` (github, gitlab, gitea, jira, linear); ValueError for any other kind."""
    from .gitea import GiteaProvider
    from .github import GitHubProvider
    from .gitlab import GitLabProvider
    from .jira import JiraProvider
    from .linear import LinearProvider

    classes: dict[str, type[TrackerProvider]] = {
        "github": GitHubProvider, "gitlab": GitLabProvider, "gitea": GiteaProvider, "jira": JiraProvider, "linear": LinearProvider,
    }
    try:
        cls = classes[repository.kind]
    except KeyError:
        raise ValueError(f"no HTTP provider for {repository.kind!r}") from None
    provider = cls(repository, token, api_url=api_url, timeout=timeout, transport=transport, deadline=deadline)
    if issue_type:
        provider.issue_type = issue_type
    return provider


__all__ = [
    "AUTH",
    "BAD_RESPONSE",
    "NOT_FOUND",
    "RATE_LIMITED",
    "UNAVAILABLE",
    "FetchResult",
    "RateLimit",
    "TrackerError",
    "TrackerProvider",
    "issue_from_json",
    "make_provider",
]
