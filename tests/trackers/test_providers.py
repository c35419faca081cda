"""Each HTTP provider against a local fake of its API: the happy path and every failure."""

from __future__ import annotations

from datetime import datetime, timezone

import httpx
import pytest

from backlog_ls.providers.trackers import TrackerError, make_provider
from backlog_ls.tracker import CLOSED, OPEN, Repository

from .fake_apis import FakeTracker

KINDS = ["github", "gitlab", "gitea"]
SECRET = "s3cr3t-t0ken-value"


@pytest.fixture(params=KINDS)
def fake(request):
    with FakeTracker(request.param) as tracker:
        yield tracker


def provider(fake: FakeTracker, token: str | None = SECRET, **options):
    repository = Repository(fake.kind, fake.owner, fake.name, "127.0.0.1", fake.api_url)
    return make_provider(repository, token, **options)


async def test_lists_every_page_and_reads_every_field(fake):
    for number in range(1, 251):
        fake.add(number)
    fake.add(7, "Closed one", state="closed", closed="2024-02-01T00:00:00Z", labels=("bug", "ui"), assignees=("ana",), milestone="v1", body="Details")
    if fake.kind != "gitlab":
        fake.add(8, "Merged PR", pull=True, merged=True, state="closed", closed="2024-02-02T00:00:00Z")
        fake.add(9, "Draft PR", pull=True, draft=True)
    result = await provider(fake).list_issues()
    numbers = sorted(issue.number for issue in result.issues)
    assert numbers == list(range(1, 251))
    pages = len(fake.list_requests())
    assert pages == (5 if fake.kind == "gitea" else 3)
    by_number = {issue.number: issue for issue in result.issues}
    seven = by_number[7]
    assert (seven.title, seven.state, seven.labels, seven.assignees, seven.milestone, seven.body) == (
        "Closed one", CLOSED, ("bug", "ui"), ("ana",), "v1", "Details"
    )
    assert seven.closed_at == datetime(2024, 2, 1, tzinfo=timezone.utc)
    assert seven.url.endswith("/7")
    assert by_number[1].state == OPEN and not by_number[1].is_pull
    if fake.kind != "gitlab":
        assert by_number[8].is_pull and by_number[8].merged and not by_number[8].draft
        assert by_number[9].is_pull and by_number[9].draft and not by_number[9].merged
    assert result.etag and not result.not_modified
    assert result.rate is not None and result.rate.remaining == 4999


async def test_sends_the_api_headers(fake):
    fake.add(1)
    await provider(fake).list_issues()
    headers = fake.requests[0].headers
    if fake.kind == "github":
        assert headers["accept"] == "application/vnd.github+json"
        assert headers["x-github-api-version"] == "2022-11-28"
        assert headers["authorization"] == f"Bearer {SECRET}"
        assert fake.requests[0].query == {"state": "all", "per_page": "100"}
    elif fake.kind == "gitlab":
        assert headers["private-token"] == SECRET
        assert "authorization" not in headers
        assert fake.requests[0].path.endswith("/projects/octo%2Frepo/issues")
    else:
        assert headers["authorization"] == f"token {SECRET}"
        assert fake.requests[0].query["type"] == "all" and fake.requests[0].query["limit"] == "50"


async def test_no_token_sends_no_authorization(fake):
    fake.add(1)
    await provider(fake, token=None).list_issues()
    headers = fake.requests[0].headers
    assert "authorization" not in headers and "private-token" not in headers


async def test_conditional_request_answers_not_modified(fake):
    fake.add(1)
    first = await provider(fake).list_issues()
    second = await provider(fake).list_issues(None, first.etag)
    assert second.not_modified and second.issues == [] and second.etag == first.etag
    assert fake.requests[-1].headers["if-none-match"] == first.etag
    fake.add(2)
    third = await provider(fake).list_issues(None, first.etag)
    assert not third.not_modified and len(third.issues) == 2


async def test_since_asks_only_for_updates(fake):
    fake.add(1, updated="2024-01-01T00:00:00Z")
    fake.add(2, updated="2024-03-01T00:00:00Z")
    result = await provider(fake).list_issues(datetime(2024, 2, 1, tzinfo=timezone.utc))
    assert [issue.number for issue in result.issues] == [2]
    key = "updated_after" if fake.kind == "gitlab" else "since"
    assert fake.requests[0].query[key] == "2024-02-01T00:00:00Z"


@pytest.mark.parametrize(
    ("status", "headers", "kind"),
    [
        (401, {}, "auth"),
        (403, {}, "auth"),
        (404, {}, "not_found"),
        (500, {}, "unavailable"),
        (503, {}, "unavailable"),
        (422, {}, "bad_response"),
        (403, {"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": "1900000000"}, "rate_limited"),
        (429, {"Retry-After": "120"}, "rate_limited"),
    ],
)
async def test_failures_become_typed_errors(fake, status, headers, kind):
    fake.fail = (status, headers, {"message": f"failure with {SECRET} echoed"})
    with pytest.raises(TrackerError) as caught:
        await provider(fake).list_issues()
    assert caught.value.kind == kind
    assert caught.value.status == status
    assert SECRET not in str(caught.value) and SECRET not in repr(caught.value)
    if headers.get("X-RateLimit-Reset"):
        assert caught.value.retry_at == datetime.fromtimestamp(1900000000, timezone.utc)
        assert "retry after 2030-03-17" in caught.value.message
    if headers.get("Retry-After"):
        delay = (caught.value.retry_at - datetime.now(timezone.utc)).total_seconds()
        assert 100 < delay <= 121


async def test_private_repository_without_token_is_an_auth_error(fake):
    fake.token = SECRET
    fake.add(1)
    with pytest.raises(TrackerError) as caught:
        await provider(fake, token=None).list_issues()
    assert caught.value.kind == "auth" and "a token is needed" in caught.value.message
    assert len((await provider(fake).list_issues()).issues) == 1


async def test_a_stalled_server_times_out(fake):
    fake.stall = 1.0
    with pytest.raises(TrackerError) as caught:
        await provider(fake, timeout=httpx.Timeout(0.2, connect=0.2)).list_issues()
    assert caught.value.kind == "unavailable"
    assert "did not answer in time" in caught.value.message


async def test_malformed_json_is_a_bad_response(fake):
    fake.malformed = True
    with pytest.raises(TrackerError) as caught:
        await provider(fake).list_issues()
    assert caught.value.kind == "bad_response" and "not JSON" in caught.value.message


async def test_nothing_listening_is_unavailable():
    repository = Repository("github", "octo", "repo", "127.0.0.1", "http://127.0.0.1:9/api/v3")
    with pytest.raises(TrackerError) as caught:
        await make_provider(repository, SECRET, timeout=1.0).list_issues()
    assert caught.value.kind == "unavailable"
    assert SECRET not in str(caught.value)


async def test_create_issue_posts_title_and_body(fake):
    fake.add(4)
    issue = await provider(fake).create_issue("New task", "From the backlog")
    assert (issue.number, issue.title, issue.body, issue.state) == (5, "New task", "From the backlog", OPEN)
    post = fake.requests[-1]
    assert post.method == "POST" and post.path.endswith("/issues")
    assert post.body == ({"title": "New task", "description": "From the backlog"} if fake.kind == "gitlab" else {"title": "New task", "body": "From the backlog"})


async def test_create_issue_without_token_is_refused_locally(fake):
    with pytest.raises(TrackerError) as caught:
        await provider(fake, token=None).create_issue("x", "y")
    assert caught.value.kind == "auth" and fake.requests == []


async def test_get_one_issue(fake):
    fake.add(3, "Third")
    assert (await provider(fake).get(3)).title == "Third"
    assert await provider(fake).get(99) is None


async def test_gitea_without_link_headers_pages_until_empty():
    with FakeTracker("gitea") as fake:
        fake.gitea_link = False
        fake.per_page = 20  # the server caps the page below what we ask
        for number in range(1, 46):
            fake.add(number)
        result = await provider(fake).list_issues()
        assert len(result.issues) == 45
        assert [r.query["page"] for r in fake.list_requests()] == ["1", "2", "3", "4"]


async def test_gitlab_follows_x_next_page():
    with FakeTracker("gitlab") as fake:
        fake.per_page = 10
        for number in range(1, 26):
            fake.add(number)
        result = await provider(fake).list_issues()
        assert len(result.issues) == 25
        assert [r.query.get("page", "1") for r in fake.list_requests()] == ["1", "2", "3"]


def test_repr_hides_the_token():
    repository = Repository("github", "octo", "repo")
    assert SECRET not in repr(make_provider(repository, SECRET))
