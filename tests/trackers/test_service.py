"""IssueService: refresh into the cache, serve from it offline, never leak the token."""

from __future__ import annotations

import asyncio
import json
import logging
import os
import stat
from datetime import datetime, timedelta, timezone

import pytest

from backlog_ls.providers.trackers.cache import IssueCache, cache_path
from backlog_ls.providers.trackers.service import IssueService
from backlog_ls.tracker import Repository
from backlog_ls.tracker.settings import IssuesSettings

from .fake_apis import FakeTracker

SECRET = "ghp_TOPSECRETvalue0123456789"


def make(fake: FakeTracker, cache_dir, environ=None, **options) -> IssueService:
    repository = Repository(fake.kind, fake.owner, fake.name, "127.0.0.1", fake.api_url)
    environ = {"GH_ENTERPRISE_TOKEN": SECRET, "GITLAB_TOKEN": SECRET, "GITEA_TOKEN": SECRET} if environ is None else environ
    # The user named the fake's host (trusted-hosts in the user configuration): its token may go there.
    settings = IssuesSettings(trusted_hosts=("127.0.0.1",))
    return IssueService(settings, None, str(cache_dir), environ, repository=repository, use_gh=False, **options)


@pytest.fixture(params=["github", "gitlab", "gitea"])
def fake(request):
    with FakeTracker(request.param) as tracker:
        for number in range(1, 6):
            tracker.add(number, updated=f"2024-01-0{number}T00:00:00Z")
        yield tracker


async def test_refresh_fills_memory_and_cache(fake, tmp_path):
    service = make(fake, tmp_path)
    assert service.fetched_at is None and service.stale and not service.knows()
    assert service.can_create  # a repository on a tracker: "Create issue from task" may be offered as working
    result = await service.refresh()
    assert (result.changed, result.error, result.count) == (True, None, 5)
    assert service.get(3).title == "Issue 3"
    assert service.get(3, "OCTO", "Repo") is not None  # owners and names ignore case
    assert service.get(3, "other", "repo") is None
    assert sorted(issue.number for issue in service.all()) == [1, 2, 3, 4, 5]
    assert service.knows() and service.knows("octo", "repo") and not service.knows("other", "repo")
    assert not service.stale
    assert service.status == "5 issues in octo/repo, refreshed just now"
    # A new service (a restart) answers from the cache with no request at all.
    requests = len(fake.requests)
    again = make(fake, tmp_path)
    assert again.get(5).title == "Issue 5" and again.knows() and again.fetched_at == service.fetched_at
    assert len(fake.requests) == requests


async def test_incremental_refresh_is_conditional(fake, tmp_path):
    service = make(fake, tmp_path)
    await service.refresh()
    unchanged = await service.refresh()  # since=newest: one item back, unchanged
    assert not unchanged.changed
    assert fake.requests[-1].query["updated_after" if fake.kind == "gitlab" else "since"] == "2024-01-05T00:00:00Z"
    not_modified = await service.refresh()
    assert not not_modified.changed and not_modified.error is None
    assert "if-none-match" in fake.requests[-1].headers
    fake.add(6, "New one", updated="2024-02-01T00:00:00Z")
    fake.add(2, "Renamed", updated="2024-02-01T00:00:00Z")
    changed = await service.refresh()
    assert changed.changed and changed.count == 6
    assert service.get(2).title == "Renamed" and service.get(6).title == "New one"
    assert make(fake, tmp_path).get(2).title == "Renamed"  # and the cache has it


async def test_force_refresh_drops_deleted_issues(fake, tmp_path):
    service = make(fake, tmp_path)
    await service.refresh()
    fake.issues = fake.issues[1:]
    result = await service.refresh(force=True)
    assert result.changed and service.get(1) is None and result.count == 4
    assert "if-none-match" not in fake.list_requests()[-1].headers


async def test_offline_keeps_serving_the_cache(fake, tmp_path):
    service = make(fake, tmp_path)
    await service.refresh()
    fake.fail = (503, {}, "down")
    result = await service.refresh()
    assert result.error.kind == "unavailable" and not result.changed
    assert service.get(4) is not None
    assert service.status.startswith("offline: using cache from just now (5 issues)")
    # restart while the tracker is down
    restarted = make(fake, tmp_path)
    assert restarted.get(4) is not None
    assert (await restarted.refresh()).error.kind == "unavailable"
    assert len(list(restarted.all())) == 5


async def test_restart_with_the_tracker_gone(tmp_path):
    with FakeTracker("github") as fake:
        fake.add(1)
        await make(fake, tmp_path).refresh()
    # the server is shut down: connection refused
    service = make(fake, tmp_path, timeout=1.0)
    result = await service.refresh()
    assert result.error.kind == "unavailable" and service.get(1) is not None


async def test_rate_limit_is_honoured(tmp_path):
    with FakeTracker("github") as fake:
        fake.add(1)
        reset = int((datetime.now(timezone.utc) + timedelta(minutes=30)).timestamp())
        fake.fail = (403, {"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": str(reset)}, {"message": "API rate limit exceeded"})
        service = make(fake, tmp_path)
        result = await service.refresh()
        assert result.error.kind == "rate_limited"
        assert service.retry_at == datetime.fromtimestamp(reset, timezone.utc)
        assert service.status.startswith("rate limited until ")
        assert 1700 < service.next_delay() < 1810
        fake.fail = None
        before = len(fake.requests)
        again = await service.refresh()
        assert again.error.kind == "rate_limited" and len(fake.requests) == before  # no request before the reset


async def test_one_refresh_at_a_time(tmp_path):
    with FakeTracker("github") as fake:
        fake.add(1)
        fake.stall = 0.2
        service = make(fake, tmp_path)
        results = await asyncio.gather(service.refresh(), service.refresh(), service.refresh())
        assert [r.changed for r in results] == [True, False, False]
        starts = [r for r in fake.requests]
        assert len(starts) == 3  # one after the other, each conditional on the last


async def test_create_issue_updates_cache(fake, tmp_path):
    service = make(fake, tmp_path)
    await service.refresh()
    issue = await service.create_issue("Write docs", "Details")
    assert issue.number == 6 and service.get(6) == issue
    assert make(fake, tmp_path).get(6) == issue


async def test_create_issue_without_token_says_where_to_put_one(tmp_path):
    with FakeTracker("gitlab") as fake:
        service = make(fake, tmp_path, environ={})
        with pytest.raises(Exception) as caught:
            await service.create_issue("x", "y")
        assert caught.value.kind == "auth" and "GITLAB_TOKEN" in caught.value.message
        assert fake.requests == []


async def test_no_token_status_and_auth_error(tmp_path):
    with FakeTracker("gitea") as fake:
        fake.add(1)
        service = make(fake, tmp_path, environ={})
        await service.refresh()
        assert service.status == "1 issue in octo/repo, refreshed just now (no token: public issues only; set GITEA_TOKEN)"
        fake.token = "needed"
        await service.refresh(force=True)
        assert service.status == "no token: set GITEA_TOKEN (1 issue cached)"


async def test_stale_after_the_refresh_period(tmp_path):
    with FakeTracker("github") as fake:
        fake.add(1)
        now = [datetime(2024, 5, 1, 12, 0, tzinfo=timezone.utc)]
        service = make(fake, tmp_path, clock=lambda: now[0])
        await service.refresh()
        assert not service.stale
        now[0] += timedelta(minutes=11)
        assert service.stale
        assert service.status == "1 issue in octo/repo, refreshed 11 min ago"


async def test_token_never_leaks(tmp_path, caplog):
    caplog.set_level(logging.DEBUG)
    with FakeTracker("github") as fake:
        fake.add(1, body="some text")
        service = make(fake, tmp_path)
        await service.refresh()
        assert fake.requests[0].headers["authorization"] == f"Bearer {SECRET}"
        errors = []
        for failure in [(401, {}, {"message": f"Bad credentials {SECRET}"}), (500, {}, SECRET), (404, {}, {"error": SECRET})]:
            fake.fail = failure
            result = await service.refresh(force=True)
            errors.append(result.error)
        fake.fail = None
        fake.malformed = True
        errors.append((await service.refresh(force=True)).error)
        fake.malformed = False
        fake.stall = 0.5
        slow = make(fake, tmp_path, timeout=0.1)
        errors.append((await slow.refresh(force=True)).error)
        fake.stall = 0
    assert all(error is not None for error in errors)
    for error in errors:
        assert SECRET not in str(error) and SECRET not in repr(error) and SECRET not in error.message
    assert SECRET not in service.status and SECRET not in repr(service._token)
    for record in caplog.records:
        assert SECRET not in record.getMessage()
        assert SECRET not in str(record.args)
        assert SECRET not in (record.exc_text or "")
    for name in os.listdir(tmp_path):
        with open(os.path.join(tmp_path, name), "rb") as handle:
            assert SECRET.encode() not in handle.read()


async def test_cache_file_is_private(fake, tmp_path):
    service = make(fake, tmp_path)
    await service.refresh()
    path = cache_path(service.repository, str(tmp_path))
    assert os.path.exists(path)
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600


async def test_corrupt_cache_is_moved_aside_and_rebuilt(fake, tmp_path):
    service = make(fake, tmp_path)
    await service.refresh()
    path = cache_path(service.repository, str(tmp_path))
    with open(path, "wb") as handle:
        handle.write(b"this is not a database at all" * 100)
    broken = make(fake, tmp_path)
    assert list(broken.all()) == [] and not broken.knows()
    assert any(".broken-" in name for name in os.listdir(tmp_path))
    result = await broken.refresh()
    assert result.count == 5 and make(fake, tmp_path).get(1) is not None


def test_cache_with_other_schema_or_truncated_is_rebuilt(tmp_path):
    repository = Repository("github", "octo", "repo")
    cache = IssueCache.for_repository(repository, str(tmp_path))
    from backlog_ls.providers.trackers.cache import CacheMeta
    from backlog_ls.tracker import TrackerIssue

    assert cache.save(CacheMeta(complete=True), [TrackerIssue(1, "one", "open")], replace=True)
    assert cache.load()[0][1].title == "one"
    with open(cache.path, "r+b") as handle:  # damage the middle of the file
        handle.seek(100)
        handle.write(b"\xff" * 3000)
    issues, meta = cache.load()
    assert issues == {} and not meta.complete
    assert cache.save(CacheMeta(), [TrackerIssue(2, "two", "open")])
    assert list(cache.load()[0]) == [2]


async def test_a_cache_locked_by_another_window_is_waited_for(fake, tmp_path):
    import sqlite3
    import threading

    service = make(fake, tmp_path)
    await service.refresh()
    path = cache_path(service.repository, str(tmp_path))
    holder = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    holder.execute("BEGIN EXCLUSIVE")
    release = threading.Timer(0.3, holder.close)  # the other window finishes its write
    release.start()
    try:
        fake.add(9, updated="2024-06-01T00:00:00Z")
        result = await service.refresh()
        assert result.changed and result.error is None and service.get(9) is not None
    finally:
        release.join()
    restarted = make(fake, tmp_path)
    assert sorted(issue.number for issue in restarted.all()) == [1, 2, 3, 4, 5, 9]
    assert os.listdir(tmp_path) == [os.path.basename(path)]  # nothing moved aside


async def test_a_cache_that_stays_locked_is_left_alone_and_written_later(fake, tmp_path, monkeypatch, caplog):
    import sqlite3

    from backlog_ls.providers.trackers import cache as cache_module

    monkeypatch.setattr(cache_module, "LOCK_TIMEOUT_SECONDS", 0.1)
    service = make(fake, tmp_path)
    await service.refresh()
    path = cache_path(service.repository, str(tmp_path))
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        fake.add(9, updated="2024-06-01T00:00:00Z")
        result = await service.refresh()  # writing meets the lock: memory has it, the file waits
        assert result.changed and service.get(9) is not None
        assert list(make(fake, tmp_path).all()) == []  # a window starting now reads nothing, and moves nothing
    finally:
        holder.close()
    assert os.listdir(tmp_path) == [os.path.basename(path)]
    assert "locked by another process" in caplog.text
    assert sorted(issue.number for issue in make(fake, tmp_path).all()) == [1, 2, 3, 4, 5]  # the old cache, intact
    fake.add(10, updated="2024-07-01T00:00:00Z")
    await service.refresh()
    assert sorted(issue.number for issue in make(fake, tmp_path).all()) == [1, 2, 3, 4, 5, 9, 10]


async def test_provider_none_never_fetches(tmp_path):
    service = IssueService(IssuesSettings(provider="none"), str(tmp_path), str(tmp_path), {})
    assert service.repository is None and list(service.all()) == [] and not service.knows() and not service.stale
    assert not service.can_create
    assert await service.refresh() == type(await service.refresh())(False, None, 0)
    assert service.status == "issues: off"
    await service.run()  # returns at once


async def test_no_repository_is_reported(tmp_path):
    service = IssueService(IssuesSettings(), str(tmp_path), str(tmp_path), {}, use_gh=False)
    assert service.repository is None and not service.can_create
    result = await service.refresh()
    assert result.error.kind == "not_found"
    assert service.status.startswith("no repository")


async def test_json_provider_rereads_on_change(tmp_path):
    export = tmp_path / "issues.json"
    export.write_text(json.dumps([{"number": 1, "title": "One", "state": "OPEN", "labels": [{"name": "bug"}], "assignees": [{"login": "ana"}], "body": "", "url": "https://github.com/o/r/issues/1", "updatedAt": "2024-01-01T00:00:00Z"}]))
    settings = IssuesSettings(provider="json", file="issues.json", repo="o/r")
    service = IssueService(settings, str(tmp_path), str(tmp_path / "cache"), {})
    assert service.get(1).labels == ("bug",) and service.get(1).assignees == ("ana",)
    assert service.knows() and service.knows("o", "r") and service.repository.slug == "o/r"
    assert not service.can_create  # an export file is read-only
    assert not (await service.refresh()).changed
    export.write_text(json.dumps([{"number": 1, "title": "One", "state": "CLOSED"}, {"number": 2, "title": "Two", "state": "OPEN"}]))
    os.utime(export, (1_900_000_000, 1_900_000_000))
    result = await service.refresh()
    assert result.changed and result.count == 2 and not service.get(1).is_open
    assert service.status == "2 issues from issues.json"
    export.write_text("{broken")
    os.utime(export, (1_900_000_100, 1_900_000_100))
    broken = await service.refresh()
    assert broken.error.kind == "bad_response" and "not valid JSON" in broken.error.message
    assert service.get(2) is not None  # the last good data stays
    assert service.status.startswith("issues file: ")
    assert not os.path.exists(tmp_path / "cache")


async def test_state_for_the_status_bar_goes_refreshing_then_ready_then_warning_when_the_tracker_is_down(fake, tmp_path):
    service = make(fake, tmp_path)
    seen: list[tuple[str, str]] = []
    service.on_status = lambda: seen.append((service.state, service.status))
    await service.refresh()
    assert [state for state, _ in seen] == ["refreshing", "ready"]
    assert seen[-1][1].startswith("5 issues in ")
    fake.fail = (503, {}, "down")
    await service.refresh()
    assert [state for state, _ in seen[2:]] == ["refreshing", "warning"]
    assert seen[-1][1].startswith("offline: using cache from just now (5 issues)")


async def test_an_untrusted_workspace_uses_the_cache_and_nothing_else(tmp_path):
    with FakeTracker("github") as fake:
        fake.add(1)
        await make(fake, tmp_path).refresh()
        fake.requests.clear()
        untrusted = make(fake, tmp_path, workspace_trusted=False)
        assert untrusted.get(1).title == "Issue 1"  # from the cache
        result = await untrusted.refresh(force=True)
        assert result.error is not None and "not trusted" in result.error.message
        with pytest.raises(Exception) as caught:
            await untrusted.create_issue("x", "y")
        assert "not trusted" in str(caught.value)
        assert fake.requests == []
        assert untrusted.status.startswith("workspace not trusted (no network, no token): 1 issue in octo/repo, cache from")
