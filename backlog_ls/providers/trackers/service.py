"""``IssueService``: the ``IssueSource`` the language server and the checker read, kept fresh in the background.

- Built from ``IssuesSettings`` and the workspace root. Construction reads the SQLite cache
  (10,000 issues in a few tens of milliseconds) and asks git for the remote (a subprocess, 3 s
  at worst): build it off the event loop (``await IssueService.open(...)`` does).
- ``get`` / ``all`` / ``knows`` / ``stale`` / ``status`` answer from memory, at once.
- ``await refresh()`` fetches what changed since the last refresh (a conditional, incremental
  request), updates the cache and memory, and never raises: the result carries the error.
  One refresh runs at a time; a rate limit is honoured (no request before it resets).
  A full fetch runs when the cache is incomplete, once a day (issues deleted or moved on
  the tracker drop out) or with ``force=True``. Each request must end within ``[issues]
  timeout``, a whole refresh within ``deadline`` seconds. A full listing that shrinks to
  nothing, or to less than half of what is cached, is suspect: the cache is kept (and the
  status says why) unless the tracker's own count of the repository's issues confirms it.
- ``await create_issue(title, body)`` creates an issue on the tracker and caches it; it raises
  ``TrackerError`` (the command shows its message).
- ``await run(on_change)``: the background loop for the server (refresh every ``[issues] refresh``;
  the json provider checks its file's mtime every few seconds).

Provider ``none``: empty, never fetches. Provider ``json``: the file (relative to the
configuration root; it must stay in the workspace and be a regular file of at most 16 MiB) is
the whole truth, re-read when its mtime changes.

A token goes only where ``tracker/credentials.py`` allows (``tokens.resolve_token``); without one
the tracker is still asked, which works for public repositories. ``workspace_trusted=False`` (the
editor does not trust the workspace): no network, no token, not even git; the cache still answers.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
import os
from collections.abc import Awaitable, Callable, Iterable, Mapping
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING

import attrs

from ...tracker import Repository, TrackerIssue
from ...tracker.settings import IssuesSettings
from ..daemon import in_daemon_thread
from . import (
    AUTH,
    BAD_RESPONSE,
    NOT_FOUND,
    RATE_LIMITED,
    UNAVAILABLE,
    FetchResult,
    TrackerError,
    TrackerProvider,
    make_provider,
)
from .cache import CacheMeta, IssueCache
from .git_remote import detect_repository, parse_remote, remote_from_git_config, remote_url
from .json_export import read_export
from ...tracker.credentials import UNTRUSTED_WORKSPACE
from ..workspace_paths import workspace_of
from .tokens import Token, refusal_for, resolve_token, where_to_put_one

if TYPE_CHECKING:  # imported where a request is made (see ``transport``)
    import httpx

log = logging.getLogger(__name__)

READ_ONLY_EXPORT = "the issues come from an exported file, which is read-only: change the issue on the tracker, then export again"
FULL_REFRESH_EVERY = timedelta(days=1)
JSON_POLL_SECONDS = 2.0
UNAVAILABLE_BACKOFF_SECONDS = 60.0
# A whole refresh (every page) may take this many request timeouts before it is given up.
REFRESH_DEADLINE_TIMEOUTS = 4
# A full listing is suspect when it drops to nothing, or below this share of a cache of at least
# SUSPECT_MIN_CACHED issues: trackers answer `200 []` while they re-index or misbehave.
SUSPECT_SHARE = 0.5
SUSPECT_MIN_CACHED = 10


@attrs.frozen
class RefreshResult:
    changed: bool
    error: TrackerError | None = None
    count: int = 0


def _now() -> datetime:
    return datetime.now(timezone.utc)


def _ago(moment: datetime, now: datetime) -> str:
    seconds = max(0, int((now - moment).total_seconds()))
    if seconds < 60:
        return "just now"
    if seconds < 3600:
        return f"{seconds // 60} min ago"
    if seconds < 86400:
        return f"{seconds // 3600} h ago"
    return f"{seconds // 86400} d ago"


class IssueService:
    """An ``IssueSource`` over the cache, plus the refresh that fills it. See the module docstring."""

    def __init__(
        self,
        settings: IssuesSettings,
        root: str | None,
        cache_dir: str | None = None,
        environ: Mapping[str, str] = os.environ,
        *,
        repository: Repository | None = None,
        remote: str | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        timeout: httpx.Timeout | float | None = None,
        use_gh: bool = True,
        clock: Callable[[], datetime] = _now,
        workspace_trusted: bool = True,
    ):
        self.settings = settings
        self.workspace_trusted = workspace_trusted
        self._refusal: str | None = None  # why no token may go to the repository's API
        self.root = root
        self.environ = environ
        self._transport = transport
        self._timeout = timeout if timeout is not None else settings.timeout
        self._use_gh = use_gh
        self._clock = clock
        self._lock = asyncio.Lock()
        self._issues: dict[int, TrackerIssue] = {}
        self._meta = CacheMeta()
        self._cache: IssueCache | None = None
        self._token: Token | None = None
        self._token_checked = False
        self._json_path: str | None = None
        self._json_mtime: float | None = None
        self.last_error: TrackerError | None = None
        self.retry_at: datetime | None = None
        self.refreshing = False
        # Called on the event loop when a refresh starts and when it ends (a status bar's cue),
        # whether or not the data changed.
        self.on_status: Callable[[], None] | None = None
        self.kind = settings.provider
        self.repository: Repository | None = None
        self.fetched_at: datetime | None = None

        if settings.provider == "none":
            return
        if settings.provider == "json":
            self.repository = repository or self._json_repository(remote)
            self._json_path = os.path.join(root or os.getcwd(), settings.file or "issues.json")
            self._load_json()
            return
        try:
            self.repository = (
                repository
                if repository is not None
                else detect_repository(settings, root, remote=remote, run_git=workspace_trusted)
            )
        except Exception:  # never raise out of construction
            log.exception("Could not work out the repository")
            self.repository = None
        if self.repository is None:
            return
        self.kind = self.repository.kind
        self._cache = IssueCache.for_repository(self.repository, cache_dir)
        self._issues, self._meta = self._cache.load()
        self.fetched_at = self._meta.fetched_at
        self._refusal = refusal_for(
            self.repository, environ, trusted_hosts=settings.trusted_hosts, workspace_trusted=workspace_trusted
        )
        if self._refusal is not None:
            self._token_checked = True  # none may go there: nothing to look up, gh is not asked
            return
        found = self._resolve_token(use_gh=False)
        if found is not None or settings.token_env:
            self._token, self._token_checked = found, True

    def _resolve_token(self, *, use_gh: bool) -> Token | None:
        assert self.repository is not None
        return resolve_token(
            self.repository,
            self.settings.token_env,
            self.environ,
            use_gh=use_gh,
            trusted_hosts=self.settings.trusted_hosts,
            workspace_trusted=self.workspace_trusted,
        )

    def _token_hint(self) -> str:
        """Why there is no token, or where to put one."""
        assert self.repository is not None
        return self._refusal or where_to_put_one(self.repository, self.settings.token_env)

    @classmethod
    async def open(cls, settings: IssuesSettings, root: str | None, cache_dir: str | None = None, **options) -> IssueService:
        """Construct on a worker thread (git and SQLite are blocking IO)."""
        return await in_daemon_thread(lambda: cls(settings, root, cache_dir, **options))

    # --- IssueSource ------------------------------------------------------------------------------

    @property
    def stale(self) -> bool:
        if self.settings.provider in ("none", "json") or self.repository is None:
            return False
        if self.fetched_at is None:
            return True
        return self._clock() - self.fetched_at > timedelta(seconds=self.settings.refresh)

    def _same_repository(self, owner: str | None, name: str | None) -> bool:
        if owner is None:
            return True
        repository = self.repository
        if repository is None:
            return False
        return owner.casefold() == repository.owner.casefold() and (name or "").casefold() == repository.name.casefold()

    def get(self, number: int, owner: str | None = None, name: str | None = None) -> TrackerIssue | None:
        if not self._same_repository(owner, name):
            return None
        return self._issues.get(number)

    def all(self) -> Iterable[TrackerIssue]:
        return self._issues.values()  # the dict is replaced, never changed in place: safe to iterate

    def knows(self, owner: str | None = None, name: str | None = None) -> bool:
        if self.settings.provider == "none" or not self._same_repository(owner, name):
            return False
        if self.settings.provider == "json":
            return self._json_mtime is not None
        return self._meta.complete and self.fetched_at is not None

    def __len__(self) -> int:
        return len(self._issues)

    # --- status -----------------------------------------------------------------------------------

    @property
    def token_source(self) -> str | None:
        return self._token.source if self._token else None

    @property
    def state(self) -> str:
        """``off`` (no tracker to ask), ``refreshing``, ``warning`` (the last refresh failed) or ``ready``."""
        if self.settings.provider == "none" or (self.repository is None and self.settings.provider != "json"):
            return "off"
        if self.refreshing:
            return "refreshing"
        if self.last_error is not None:
            return "warning"
        return "ready"

    @property
    def status(self) -> str:
        """One line for a status bar."""
        now = self._clock()
        count = len(self._issues)
        noun = "issue" if count == 1 else "issues"
        if self.settings.provider == "none":
            return "issues: off"
        if self.settings.provider == "json":
            if self.last_error is not None:
                return f"issues file: {self.last_error.message}"
            return f"{count} {noun} from {os.path.basename(self._json_path or '')}"
        if self.repository is None:
            return "no repository: set [issues] repo, or add a git remote named origin"
        where = self.repository.slug
        error = self.last_error
        cached = f"cache from {_ago(self.fetched_at, now)}" if self.fetched_at else "no cache yet"
        if not self.workspace_trusted:
            return f"workspace not trusted (no network, no token): {count} {noun} in {where}, {cached}"
        if error is not None:
            if error.kind == RATE_LIMITED:
                until = f" until {self.retry_at.astimezone().strftime('%H:%M')}" if self.retry_at else ""
                return f"rate limited{until}: using {cached} ({count} {noun})"
            if error.kind == AUTH:
                if self._token is None:
                    return f"no token: {self._token_hint()} ({count} {noun} cached)"
                return f"token from {self._token.source} refused by {where}: using {cached}"
            if error.kind == NOT_FOUND:
                return f"{where} not found: {error.message}"
            if error.kind == UNAVAILABLE:
                return f"offline: using {cached} ({count} {noun})"
            return f"{where}: {error.message}; using {cached}"
        if self.fetched_at is None:
            return f"{where}: not refreshed yet"
        suffix = ""
        if self._token_checked and self._token is None:
            suffix = f" (no token: public issues only; {self._token_hint()})"
        return f"{count} {noun} in {where}, refreshed {_ago(self.fetched_at, now)}{suffix}"

    # --- refresh ----------------------------------------------------------------------------------

    @property
    def deadline(self) -> float:
        """Seconds a whole refresh may take (every page of the listing) before it is given up."""
        timeout = self._timeout
        per_request = getattr(timeout, "read", timeout)  # an httpx.Timeout, or seconds
        return REFRESH_DEADLINE_TIMEOUTS * float(per_request or self.settings.timeout)

    @staticmethod
    def deadline_for(settings: IssuesSettings) -> float:
        """``deadline`` of a service built from ``settings`` (before it is built)."""
        return REFRESH_DEADLINE_TIMEOUTS * settings.timeout

    async def refresh(self, force: bool = False) -> RefreshResult:
        """Bring the cache up to date. Never raises; one at a time; gives up after ``deadline`` seconds."""
        # Re-reading an export is a local stat every few seconds: not worth a status bar flicker.
        announce = self.settings.provider != "json"
        async with self._lock:
            if announce:
                self._set_refreshing(True)
            try:
                return await asyncio.wait_for(self._refresh(force), self.deadline)
            except asyncio.TimeoutError:
                error = TrackerError(UNAVAILABLE, f"the refresh did not finish within {self.deadline:g} s; using the cache")
                self._failed(error)
                return RefreshResult(False, error, len(self._issues))
            except Exception as problem:  # a bug must not kill the server's refresh loop
                log.exception("The issue refresh failed")
                error = TrackerError("bad_response", f"the refresh failed: {type(problem).__name__}")
                self.last_error = error
                return RefreshResult(False, error, len(self._issues))
            finally:
                if announce:
                    self._set_refreshing(False)

    def _set_refreshing(self, refreshing: bool) -> None:
        self.refreshing = refreshing
        if self.on_status is not None:
            try:
                self.on_status()
            except Exception:
                log.exception("The status callback failed")

    def _failed(self, error: TrackerError) -> None:
        """Remember why the refresh failed; log it once while the same failure lasts."""
        if self.last_error is None or self.last_error.message != error.message:
            where = self.repository.slug if self.repository is not None else "the tracker"
            log.warning("Could not refresh issues of %s: %s", where, error.message)
        self.last_error = error

    async def _refresh(self, force: bool) -> RefreshResult:
        if self.settings.provider == "none":
            return RefreshResult(False, None, 0)
        if self.settings.provider == "json":
            return await self._refresh_json(force)
        repository = self.repository
        if repository is None or self._cache is None:
            return RefreshResult(False, TrackerError(NOT_FOUND, "no repository: set [issues] repo, or add a git remote"), 0)
        if not self.workspace_trusted:
            self.last_error = TrackerError(AUTH, UNTRUSTED_WORKSPACE)
            return RefreshResult(False, self.last_error, len(self._issues))
        now = self._clock()
        if self.retry_at is not None and now < self.retry_at:
            return RefreshResult(False, self.last_error, len(self._issues))
        await self._look_up_token()
        provider = make_provider(
            repository, self._token.value if self._token else None, transport=self._transport, timeout=self._timeout,
            issue_type=self.settings.issue_type
        )
        meta = self._meta
        full = force or not meta.complete or meta.full_at is None or now - meta.full_at > FULL_REFRESH_EVERY
        since = None if full else meta.since
        etag = meta.etag if not force else None
        try:
            result = await provider.list_issues(since, etag)
        except TrackerError as error:
            self._failed(error)
            if error.kind == RATE_LIMITED:
                self.retry_at = error.retry_at or now + timedelta(seconds=self.settings.refresh)
            elif error.kind == UNAVAILABLE and error.retry_at is not None:
                self.retry_at = error.retry_at
            return RefreshResult(False, error, len(self._issues))
        old = self._issues
        if since is None and not result.not_modified:
            doubt = await _doubt_about_listing(provider, result, len(old))
            if doubt is not None:
                error = TrackerError(BAD_RESPONSE, doubt)
                self._failed(error)
                return RefreshResult(False, error, len(old))
        self.last_error = None
        self.retry_at = None
        if result.rate is not None and result.rate.remaining == 0 and result.rate.reset_at is not None:
            self.retry_at = result.rate.reset_at
        if result.not_modified:
            self._meta = attrs.evolve(meta, fetched_at=now, full_at=now if full else meta.full_at)
            self.fetched_at = now
            await in_daemon_thread(self._cache.save, self._meta)
            return RefreshResult(False, None, len(self._issues))
        if since is None:
            issues = {issue.number: issue for issue in result.issues}
            changed = issues != old
        else:
            issues = dict(old)
            issues.update((issue.number, issue) for issue in result.issues)
            changed = any(old.get(issue.number) != issue for issue in result.issues)
        newest = max((issue.updated_at for issue in result.issues if issue.updated_at is not None), default=None)
        if meta.since is not None and since is not None and (newest is None or newest < meta.since):
            newest = meta.since
        self._meta = CacheMeta(
            etag=result.etag, fetched_at=now, since=newest, full_at=now if since is None else meta.full_at, complete=True
        )
        self._issues = issues
        self.fetched_at = now
        if since is None:
            await in_daemon_thread(self._cache.save, self._meta, issues.values(), replace=True)
        else:
            await in_daemon_thread(self._cache.save, self._meta, result.issues, everything=list(issues.values()))
        log.info("Refreshed %d issues of %s (%d in the answer)", len(issues), repository.slug, len(result.issues))
        return RefreshResult(changed, None, len(issues))

    @property
    def can_create(self) -> bool:
        """Whether there is a tracker to file an issue in (whether the token allows it, only the tracker says)."""
        return self.settings.provider not in ("none", "json") and self.repository is not None and self._cache is not None

    async def create_issue(self, title: str, body: str) -> TrackerIssue:
        """Create the issue on the tracker and cache it. Raises TrackerError (its message is for the user)."""
        repository = self.repository
        if not self.can_create or repository is None:
            raise TrackerError(NOT_FOUND, "no GitHub, GitLab or Gitea repository to create the issue in")
        provider = await self._writing_provider(repository, "creating an issue")
        issue = await provider.create_issue(title, body)
        await self._remember(issue)
        return issue

    async def set_state(self, number: int, closed: bool, reason: str | None = None) -> TrackerIssue:
        """Close or reopen issue ``number`` on the tracker and cache what it answers. Raises TrackerError."""
        if self.settings.provider == "json":
            raise TrackerError(AUTH, READ_ONLY_EXPORT)
        repository = self.repository
        if not self.can_create or repository is None or self._cache is None:
            raise TrackerError(NOT_FOUND, "no tracker is configured to change the issue in")
        if not self.workspace_trusted:
            raise TrackerError(AUTH, UNTRUSTED_WORKSPACE)
        provider = await self._writing_provider(repository, "changing an issue")
        issue = await provider.set_state(number, closed, reason)
        await self._remember(issue)
        return issue

    async def create_sub_issues(self, parent: int, new: list[tuple[str, str]]) -> list[TrackerIssue]:
        """GitHub: file each (title, body) as a sub-issue of ``parent``; cache them and the parent's new count.

        Stops at the first failure: the error says what was filed (``TrackerError.created`` holds it).
        """
        if self.kind != "github" or self.repository is None or self._cache is None:
            raise TrackerError(NOT_FOUND, "sub-issues are GitHub's: this tracker has none")
        provider = await self._writing_provider(self.repository, "creating issues")
        created: list[TrackerIssue] = []
        failure: TrackerError | None = None
        for title, body in new:
            try:
                created.append(await provider.create_sub_issue(parent, title, body))  # type: ignore[attr-defined]
            except TrackerError as error:
                failure = error
                break
        async with self._lock:
            issues = dict(self._issues)
            issues.update((issue.number, issue) for issue in created)
            if parent in issues and created:
                old = issues[parent]
                issues[parent] = attrs.evolve(old, sub_issues_total=old.sub_issues_total + len(created))
            self._issues = issues
            changed = [issues[number] for number in [parent, *(issue.number for issue in created)] if number in issues]
            await in_daemon_thread(self._cache.save, self._meta, changed, everything=list(issues.values()))
        if failure is not None:
            failure.created = created  # type: ignore[attr-defined]
            raise failure
        return created

    async def _look_up_token(self) -> None:
        """Find the token once (the environment, or ``gh auth token``: a process, so on a thread)."""
        if not self._token_checked:
            self._token = await in_daemon_thread(self._resolve_token, use_gh=self._use_gh)
            self._token_checked = True

    async def _writing_provider(self, repository: Repository, doing: str) -> TrackerProvider:
        """A provider that may change the tracker; TrackerError (AUTH) when there is no token for it."""
        async with self._lock:
            await self._look_up_token()
        if self._token is None:
            raise TrackerError(AUTH, f"{doing} needs a token: {self._token_hint()}")
        return make_provider(
            repository, self._token.value, transport=self._transport, timeout=self._timeout,
            issue_type=self.settings.issue_type,
        )

    async def _remember(self, issue: TrackerIssue) -> None:
        """Cache what the tracker answered for one issue it changed or created."""
        async with self._lock:
            issues = {**self._issues, issue.number: issue}
            self._issues = issues
            await in_daemon_thread(self._cache.save, self._meta, [issue], everything=list(issues.values()))

    @property
    def state_reversible(self) -> bool:
        """Whether reopening undoes closing on this tracker (Jira: not always)."""
        return self.kind != "jira"

    @property
    def close_reasons(self) -> tuple[str, ...]:
        return ("completed", "not_planned") if self.kind == "github" else ()

    # --- the json provider ------------------------------------------------------------------------

    def _json_repository(self, remote: str | None) -> Repository | None:
        owner_name = self.settings.owner_name
        if owner_name is None:
            if remote is None:
                remote = remote_url(self.root) if self.workspace_trusted else remote_from_git_config(self.root)
            found = parse_remote(remote or "")
            if found is None:
                return None
            owner_name = (found.owner, found.name)
            return Repository("json", owner_name[0], owner_name[1], found.host)
        return Repository("json", owner_name[0], owner_name[1])

    def _load_json(self) -> bool:
        """Read the export (blocking). True when the issues changed."""
        assert self._json_path is not None
        try:
            export = read_export(self._json_path, workspace_of(self.root or os.path.dirname(self._json_path)))
        except TrackerError as error:
            self.last_error = error
            log.warning("%s", error.message)
            return False
        self.last_error = None
        if self.repository is None:
            self.repository = _repository_of_urls(export.issues)
        changed = {issue.number: issue for issue in export.issues}
        different = changed != self._issues
        self._issues = changed
        self._json_mtime = export.mtime
        self.fetched_at = datetime.fromtimestamp(export.mtime, timezone.utc)
        return different

    async def _refresh_json(self, force: bool) -> RefreshResult:
        assert self._json_path is not None
        try:
            mtime = (await in_daemon_thread(os.stat, self._json_path)).st_mtime
        except OSError:
            mtime = None
        if not force and mtime == self._json_mtime and mtime is not None:
            return RefreshResult(False, None, len(self._issues))
        changed = await in_daemon_thread(self._load_json)
        return RefreshResult(changed, self.last_error, len(self._issues))

    # --- the background loop ----------------------------------------------------------------------

    def next_delay(self) -> float:
        """Seconds until the next refresh is worth trying."""
        if self.settings.provider == "json":
            return JSON_POLL_SECONDS
        delay = self.settings.refresh
        if self.retry_at is not None:
            delay = max(1.0, (self.retry_at - self._clock()).total_seconds() + 1.0)
        elif self.last_error is not None and self.last_error.kind == UNAVAILABLE:
            delay = min(delay, UNAVAILABLE_BACKOFF_SECONDS)
        return delay

    async def run(self, on_change: Callable[[RefreshResult], Awaitable[None] | None] | None = None) -> None:
        """Refresh now and then forever (until cancelled); ``on_change`` after each refresh that changed something."""
        if self.settings.provider == "none" or (self.repository is None and self.settings.provider != "json"):
            return
        while True:
            result = await self.refresh()
            if result.changed and on_change is not None:
                try:
                    outcome = on_change(result)
                    if inspect.isawaitable(outcome):
                        await outcome
                except Exception:
                    log.exception("The issue refresh callback failed")
            await asyncio.sleep(self.next_delay())


async def _doubt_about_listing(provider: TrackerProvider, result: FetchResult, cached: int) -> str | None:
    """Why a full listing should not replace ``cached`` issues; None when it may.

    A listing that shrinks to nothing, or to less than half of a sizeable cache, is taken
    only when a second signal agrees: the total the tracker sent with the listing, else the
    repository's own count of open issues compared with the open ones listed.
    """
    listed = len(result.issues)
    if cached == 0 or not (listed == 0 or (cached >= SUSPECT_MIN_CACHED and listed < cached * SUSPECT_SHARE)):
        return None
    if result.total is not None:
        if result.total == listed:
            return None
        second = f"its own total says {result.total}"
    else:
        open_count = await provider.open_issue_count()
        open_listed = sum(1 for issue in result.issues if issue.is_open)
        if open_count is not None and open_count == open_listed:
            return None
        second = (
            "the repository's own issue count could not be read to confirm it"
            if open_count is None
            else f"the repository counts {open_count} open, the listing {open_listed}"
        )
    noun = "issue" if listed == 1 else "issues"
    return f"{provider.label} listed {listed} {noun} where the cache holds {cached}, and {second}; the cache is kept"


def _repository_of_urls(issues) -> Repository | None:
    """An export names no repository, but its issues' URLs do (``gh issue list --json url``)."""
    from ...parse.inline import tracker_url

    for issue in issues:
        parts = tracker_url(issue.url) if issue.url else None
        if parts is not None:
            return Repository("json", parts["owner"], parts["repo"], parts["host"])
    return None
