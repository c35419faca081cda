"""Closing and reopening an issue on each tracker, against local fakes: the request each sends, and every refusal."""

from __future__ import annotations

import pytest

from backlog_ls.providers.trackers import AUTH, BAD_RESPONSE, TrackerError, make_provider
from backlog_ls.providers.trackers.service import READ_ONLY_EXPORT, IssueService
from backlog_ls.tracker import CLOSED, OPEN, Repository
from backlog_ls.tracker.settings import IssuesSettings

from .fake_apis import FakeTracker
from .fake_keyed_apis import FakeJira, FakeLinear

SECRET = "s3cr3t-t0ken-value"


@pytest.mark.parametrize(
    ("kind", "method", "close_body", "reopen_body"),
    [
        ("github", "PATCH", {"state": "closed", "state_reason": "not_planned"}, {"state": "open", "state_reason": "reopened"}),
        ("gitlab", "PUT", {"state_event": "close"}, {"state_event": "reopen"}),
        ("gitea", "PATCH", {"state": "closed"}, {"state": "open"}),
    ],
)
async def test_close_and_reopen_send_what_each_api_documents(kind, method, close_body, reopen_body):
    with FakeTracker(kind) as fake:
        fake.add(12, "Login")
        provider = make_provider(Repository(kind, fake.owner, fake.name, "127.0.0.1", fake.api_url), SECRET)
        closed = await provider.set_state(12, True, "not_planned")
        assert (closed.number, closed.state) == (12, CLOSED)
        reopened = await provider.set_state(12, False)
        assert reopened.state == OPEN
        changes = [r for r in fake.requests if r.method == method]
        assert [r.body for r in changes] == [close_body, reopen_body]
        path = f"/api/v4/projects/octo%2Frepo/issues/12" if kind == "gitlab" else f"{fake.api_url.split(str(fake.port))[1]}/repos/octo/repo/issues/12"
        assert changes[0].path == path


async def test_a_403_says_the_token_was_refused_and_no_token_says_where_to_put_one():
    with FakeTracker("github") as fake:
        fake.add(12)
        fake.fail = (403, {}, '{"message": "Resource not accessible by personal access token"}')
        provider = make_provider(Repository("github", "octo", "repo", "127.0.0.1", fake.api_url), SECRET)
        with pytest.raises(TrackerError) as caught:
            await provider.set_state(12, True)
        assert caught.value.kind == AUTH and caught.value.status == 403
        assert "Resource not accessible by personal access token" in str(caught.value) and SECRET not in str(caught.value)
    with pytest.raises(TrackerError) as caught:
        await make_provider(Repository("github", "octo", "repo"), None).set_state(12, True)
    assert caught.value.kind == AUTH


async def test_the_service_updates_its_cache_and_a_json_export_is_read_only(tmp_path):
    with FakeTracker("github") as fake:
        fake.add(12)
        settings = IssuesSettings(provider="github", repo="octo/repo", url=fake.api_url, trusted_hosts=("127.0.0.1",))
        repository = Repository("github", "octo", "repo", "127.0.0.1", fake.api_url)
        service = IssueService(settings, None, str(tmp_path), {"GH_ENTERPRISE_TOKEN": SECRET}, repository=repository, use_gh=False)
        await service.refresh()
        assert service.get(12).is_open
        await service.set_state(12, True)
        assert service.get(12).state == CLOSED
        again = IssueService(settings, None, str(tmp_path), {}, repository=repository, use_gh=False)
        assert again.get(12).state == CLOSED  # the cache holds the change
        with pytest.raises(TrackerError) as caught:
            await again.set_state(12, False)
        assert caught.value.kind == AUTH and "needs a token" in str(caught.value)
    (tmp_path / "issues.json").write_text('[{"number": 12, "title": "x", "state": "OPEN"}]', encoding="utf-8")
    export = IssueService(IssuesSettings(provider="json", file="issues.json"), str(tmp_path), str(tmp_path), {})
    with pytest.raises(TrackerError) as caught:
        await export.set_state(12, True)
    assert str(caught.value) == READ_ONLY_EXPORT


async def test_jira_closes_through_the_workflow_transition_to_done():
    for flavour in ("cloud", "server"):
        with FakeJira(flavour, "dev@example.test") as jira:
            jira.token = SECRET
            jira.add("ABC-12", status="In Progress")
            token = f"dev@example.test:{SECRET}" if flavour == "cloud" else SECRET
            provider = make_provider(Repository("jira", "127.0.0.1", "ABC", "127.0.0.1", jira.url, flavour), token)
            issue = await provider.set_state(12, True)
            assert (issue.key, issue.state, issue.status) == ("ABC-12", CLOSED, "Done")
            posted = [r for r in jira.requests if r.method == "POST"]
            assert [(r.path, r.body) for r in posted] == [(f"/rest/api/{jira.version}/issue/ABC-12/transitions", {"transition": {"id": "31"}})]
            reopened = await provider.set_state(12, False)
            assert reopened.status == "To Do"
            jira.transitions = [t for t in jira.transitions if t["id"] != "31"]
            with pytest.raises(TrackerError) as caught:
                await provider.set_state(12, True)
            assert caught.value.kind == BAD_RESPONSE and "no transition to Done" in str(caught.value)


async def test_linear_moves_the_issue_to_a_completed_state():
    with FakeLinear("ENG") as linear:
        linear.token = "lin_api_secret"
        linear.add(42, state="In Progress")
        provider = make_provider(Repository("linear", "linear", "ENG", "127.0.0.1", linear.url), "lin_api_secret")
        issue = await provider.set_state(42, True)
        assert (issue.key, issue.state, issue.status) == ("ENG-42", CLOSED, "Done")
        update = next(r for r in linear.requests if "issueUpdate" in r.body["query"])
        assert update.body["variables"] == {"id": "ENG-42", "input": {"stateId": "state-Done"}}
        assert (await provider.set_state(42, False)).status == "Todo"
