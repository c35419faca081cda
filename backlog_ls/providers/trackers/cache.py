"""The on-disk issue cache: one SQLite database per repository, in the user's cache folder.

``platformdirs.user_cache_dir("backlog-ls")/issues/`` (so ``XDG_CACHE_HOME`` moves it on Linux;
``BACKLOG_LS_CACHE_DIR`` or an explicit directory overrides it). The file name is a hash of
kind, host and owner/name; the file is created 0600 in a 0700 folder. Tables:

- ``issues(number PRIMARY KEY, data)``: the TrackerIssue fields as a JSON array;
- ``meta(key PRIMARY KEY, value)``: schema, repository, etag, fetched_at, since, full_at, complete.

Every write is one transaction. A file that is not a database, is damaged or has another
schema is moved aside (``*.broken-TIMESTAMP``) and rebuilt empty; when even that fails the
cache logs and answers empty: it never raises. A file another window holds locked is waited
for (``LOCK_TIMEOUT_SECONDS``) and, if it stays locked, left alone: this refresh is not
written (or, reading, memory starts empty) and the next one tries again. Nothing follows a
symbolic link planted in the folder: a cache file, journal or folder that is a link (or not a
regular file) is refused, with a warning, and never written through. No token is ever written here.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import sqlite3
import stat
import time
from collections.abc import Iterable
from datetime import datetime

import attrs
import platformdirs

from ...tracker import Repository, TrackerIssue

log = logging.getLogger(__name__)

SCHEMA = "1"
LOCK_TIMEOUT_SECONDS = 5.0
_SIDE_FILES = ("-journal", "-wal", "-shm")
_BUSY_CODES = (5, 6)  # SQLITE_BUSY, SQLITE_LOCKED


class UnsafeCache(OSError):
    """The cache path is a symbolic link or not a regular file: refused, never followed."""


def _is_busy(problem: Exception) -> bool:
    code = getattr(problem, "sqlite_errorcode", None)
    return code in _BUSY_CODES or (code is None and "locked" in str(problem))


def default_cache_dir() -> str:
    configured = os.environ.get("BACKLOG_LS_CACHE_DIR")
    if configured:
        return os.path.join(configured, "issues")
    return os.path.join(platformdirs.user_cache_dir("backlog-ls", appauthor=False), "issues")


def cache_path(repository: Repository, directory: str | None = None) -> str:
    identity = f"{repository.kind}\n{repository.host.lower()}\n{repository.owner.lower()}/{repository.name.lower()}\n{repository.api_url or ''}"
    digest = hashlib.sha256(identity.encode("utf-8")).hexdigest()[:24]
    return os.path.join(directory or default_cache_dir(), f"{digest}.sqlite3")


@attrs.frozen
class CacheMeta:
    etag: str | None = None
    fetched_at: datetime | None = None  # the last successful refresh (a 304 counts)
    since: datetime | None = None  # newest updated_at seen: the next incremental request's `since`
    full_at: datetime | None = None  # the last complete (non-incremental) fetch
    complete: bool = False  # the cache holds every issue of the repository


def _time(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _parse_time(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def encode_issue(issue: TrackerIssue) -> str:
    return json.dumps(
        [
            issue.number,
            issue.title,
            issue.state,
            issue.url,
            issue.is_pull,
            issue.merged,
            issue.draft,
            issue.labels,
            issue.assignees,
            issue.milestone,
            issue.body,
            _time(issue.created_at),
            _time(issue.updated_at),
            _time(issue.closed_at),
            *_keyed_fields(issue),
        ],
        ensure_ascii=False,
        separators=(",", ":"),
    )


def _keyed_fields(issue: TrackerIssue) -> list:
    """Jira and Linear fields, appended only when present: rows of other trackers keep their shape."""
    if issue.key is None and issue.status is None and issue.priority is None and not issue.fix_versions and not (
        issue.sub_issues_total or issue.blocked_by
    ):
        return []
    return [
        {
            "key": issue.key, "status": issue.status, "priority": issue.priority, "fix_versions": list(issue.fix_versions),
            "sub_issues": [issue.sub_issues_closed, issue.sub_issues_total], "blocked_by": list(issue.blocked_by),
        }
    ]


def _keyed(extra: list) -> dict:
    found = extra[0] if extra and isinstance(extra[0], dict) else {}
    versions = found.get("fix_versions")
    return {
        "key": found.get("key") if isinstance(found.get("key"), str) else None,
        "status": found.get("status") if isinstance(found.get("status"), str) else None,
        "priority": found.get("priority") if isinstance(found.get("priority"), str) else None,
        "fix_versions": tuple(v for v in versions if isinstance(v, str)) if isinstance(versions, list) else (),
        **_relations(found),
    }


def _relations(found: dict) -> dict:
    sub = found.get("sub_issues")
    blocked = found.get("blocked_by")
    counts = sub if isinstance(sub, list) and len(sub) == 2 and all(isinstance(n, int) for n in sub) else [0, 0]
    return {
        "sub_issues_closed": counts[0],
        "sub_issues_total": counts[1],
        "blocked_by": tuple(n for n in blocked if isinstance(n, int)) if isinstance(blocked, list) else (),
    }


def _decode_rows(rows: list) -> dict[int, TrackerIssue]:
    parse = datetime.fromisoformat
    issues: dict[int, TrackerIssue] = {}
    for n, title, state, url, pull, merged, draft, labels, assignees, milestone, body, created, updated, closed, *extra in rows:
        issues[n] = TrackerIssue(
            n,
            title,
            state,
            url,
            pull,
            merged,
            draft,
            tuple(labels),
            tuple(assignees),
            milestone,
            body,
            parse(created) if created else None,
            parse(updated) if updated else None,
            parse(closed) if closed else None,
            **_keyed(extra),
        )
    return issues


class IssueCache:
    """One repository's cache file. Blocking IO: the service calls it off the event loop."""

    def __init__(self, path: str, repository: Repository | None = None):
        self.path = path
        self.identity = f"{repository.kind}:{repository.host}/{repository.slug}" if repository else ""
        self.disabled = False

    @classmethod
    def for_repository(cls, repository: Repository, directory: str | None = None) -> IssueCache:
        return cls(cache_path(repository, directory), repository)

    # --- reading ----------------------------------------------------------------------------------

    def load(self) -> tuple[dict[int, TrackerIssue], CacheMeta]:
        """Everything cached; empty when there is no cache yet or it had to be rebuilt."""
        if not os.path.lexists(self.path):
            return {}, CacheMeta()
        try:
            return self._load()
        except sqlite3.Error as problem:
            if _is_busy(problem):
                log.warning("The issue cache %s is locked by another process; starting from the tracker", self.path)
            else:
                self._rebuild(problem)
            return {}, CacheMeta()
        except (ValueError, TypeError) as problem:
            self._rebuild(problem)
            return {}, CacheMeta()
        except OSError as problem:
            log.warning("Cannot read the issue cache %s: %s", self.path, problem)
            return {}, CacheMeta()

    def _load(self) -> tuple[dict[int, TrackerIssue], CacheMeta]:
        with self._connect() as connection:
            meta = dict(connection.execute("SELECT key, value FROM meta").fetchall())
            if meta.get("schema") != SCHEMA:
                raise ValueError(f"schema {meta.get('schema')!r}, expected {SCHEMA}")
            (blob,) = connection.execute("SELECT '[' || coalesce(group_concat(data, ','), '') || ']' FROM issues").fetchone()
        issues = _decode_rows(json.loads(blob))
        return issues, CacheMeta(
            etag=meta.get("etag") or None,
            fetched_at=_parse_time(meta.get("fetched_at")),
            since=_parse_time(meta.get("since")),
            full_at=_parse_time(meta.get("full_at")),
            complete=meta.get("complete") == "1",
        )

    # --- writing ----------------------------------------------------------------------------------

    def save(
        self,
        meta: CacheMeta,
        issues: Iterable[TrackerIssue] = (),
        *,
        replace: bool = False,
        everything: Iterable[TrackerIssue] | None = None,
    ) -> bool:
        """Write ``issues`` (all of them when ``replace``, else added or updated) and ``meta`` in one
        transaction. ``everything``: the whole set, written instead when the file had to be rebuilt.
        False when the cache could not be written (logged)."""
        issues = list(issues)
        for attempt in (1, 2):
            try:
                self._save(meta, issues, replace)
                return True
            except sqlite3.Error as problem:
                if _is_busy(problem):
                    log.warning("The issue cache %s stayed locked by another process; not written this time", self.path)
                    break
                if attempt == 2 or not self._rebuild(problem):
                    break
                if not replace:  # the rebuilt file holds nothing: write it all, or forget the cursor
                    if everything is not None:
                        issues, replace = list(everything), True
                    else:
                        meta = attrs.evolve(meta, etag=None, since=None, complete=False)
            except OSError as problem:
                log.warning("Cannot write the issue cache %s: %s", self.path, problem)
                break
        return False

    def _save(self, meta: CacheMeta, issues: list[TrackerIssue], replace: bool) -> None:
        with self._connect() as connection:
            try:
                connection.execute("BEGIN IMMEDIATE")
                if replace:
                    connection.execute("DELETE FROM issues")
                connection.executemany(
                    "INSERT OR REPLACE INTO issues(number, data) VALUES (?, ?)",
                    ((issue.number, encode_issue(issue)) for issue in issues),
                )
                values = {
                    "schema": SCHEMA,
                    "repository": self.identity,
                    "etag": meta.etag or "",
                    "fetched_at": _time(meta.fetched_at) or "",
                    "since": _time(meta.since) or "",
                    "full_at": _time(meta.full_at) or "",
                    "complete": "1" if meta.complete else "0",
                }
                connection.executemany("INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)", values.items())
                connection.execute("COMMIT")
            except BaseException:
                if connection.in_transaction:
                    connection.execute("ROLLBACK")
                raise

    # --- the file ---------------------------------------------------------------------------------

    def _refuse_links(self) -> None:
        """Raise UnsafeCache when the folder, the file or a journal beside it is a symbolic link."""
        directory = os.path.dirname(self.path)
        if os.path.islink(directory):
            raise UnsafeCache(f"the cache folder {directory} is a symbolic link; not used")
        for path in (self.path, *(self.path + suffix for suffix in _SIDE_FILES)):
            try:
                info = os.lstat(path)
            except FileNotFoundError:
                continue
            if not stat.S_ISREG(info.st_mode):
                raise UnsafeCache(f"{path} is {'a symbolic link' if stat.S_ISLNK(info.st_mode) else 'not a regular file'}; not used")

    def _connect(self) -> _Connection:
        directory = os.path.dirname(self.path)
        os.makedirs(directory, mode=0o700, exist_ok=True)
        self._refuse_links()
        # Create the file ourselves, so that it is never readable by others, not even for a moment;
        # O_NOFOLLOW: a link planted since the check above is refused too.
        try:
            descriptor = os.open(self.path, os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0), 0o600)
        except OSError as problem:
            raise UnsafeCache(f"{self.path} cannot be opened safely: {problem.strerror}") from None
        try:
            if os.name == "posix":
                os.fchmod(descriptor, 0o600)
        finally:
            os.close(descriptor)
        connection = sqlite3.connect(self.path, timeout=LOCK_TIMEOUT_SECONDS, isolation_level=None)
        try:
            connection.execute("CREATE TABLE IF NOT EXISTS issues(number INTEGER PRIMARY KEY, data TEXT NOT NULL)")
            connection.execute("CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT NOT NULL)")
            schema = connection.execute("SELECT value FROM meta WHERE key = 'schema'").fetchone()
            if schema is None:
                connection.execute("INSERT OR IGNORE INTO meta(key, value) VALUES ('schema', ?)", (SCHEMA,))
        except BaseException:
            connection.close()
            raise
        return _Connection(connection)

    def _rebuild(self, problem: Exception) -> bool:
        """Move a broken file aside; True when a fresh one can be made."""
        aside = f"{self.path}.broken-{int(time.time())}"
        log.warning("The issue cache %s cannot be used (%s); moving it to %s and rebuilding", self.path, problem, aside)
        try:
            os.replace(self.path, aside)
            for suffix in _SIDE_FILES:
                if os.path.exists(self.path + suffix):
                    os.replace(self.path + suffix, aside + suffix)
        except OSError as error:
            log.warning("Could not move the issue cache aside: %s", error)
            try:
                os.unlink(self.path)
            except OSError:
                return False
        return True


class _Connection:
    """``with`` that closes (sqlite3's own context manager only commits)."""

    def __init__(self, connection: sqlite3.Connection):
        self.connection = connection

    def __enter__(self) -> sqlite3.Connection:
        return self.connection

    def __exit__(self, *exc: object) -> None:
        self.connection.close()
