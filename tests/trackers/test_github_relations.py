"""GitHub sub-issues and blocked-by against the local fake: read with the listing, cached, bounded."""

from __future__ import annotations

from backlog_ls.providers.trackers import make_provider
from backlog_ls.providers.trackers.service import IssueService
from backlog_ls.tracker import Repository
from backlog_ls.tracker.settings import IssuesSettings

from .fake_apis import FakeTracker


async def test_sub_issue_counts_come_with_the_listing_and_blockers_are_asked_for(tmp_path):
    with FakeTracker("github") as fake:
        for number in (4, 9, 10, 21, 22, 23):
            fake.add(number)
        fake.add(22, state="closed", closed="2024-02-01T00:00:00Z")
        fake.sub_issues[10] = [21, 22, 23]
        fake.blockers[10] = [4, 9]
        repository = Repository("github", "octo", "repo", "127.0.0.1", fake.api_url)
        result = await make_provider(repository, None).list_issues()
        ten = next(issue for issue in result.issues if issue.number == 10)
        assert (ten.sub_issues_closed, ten.sub_issues_total, ten.blocked_by) == (1, 3, (4, 9))
        lookups = [r.path for r in fake.requests if r.path.endswith("blocked_by")]
        assert lookups == ["/api/v3/repos/octo/repo/issues/10/dependencies/blocked_by"]  # only the issue that has blockers
        # Cached with the rest.
        settings = IssuesSettings(provider="github", repo="octo/repo", url=fake.api_url)
        service = IssueService(settings, None, str(tmp_path), {}, repository=repository, use_gh=False)
        await service.refresh()
        again = IssueService(settings, None, str(tmp_path), {}, repository=repository, use_gh=False)
        assert (again.get(10).sub_issues_total, again.get(10).blocked_by) == (3, (4, 9))


async def test_a_failed_blocker_lookup_keeps_the_listing():
    with FakeTracker("github") as fake:
        fake.add(10)
        fake.add(4)
        fake.blockers[10] = [4]
        fake.relation_status = 502
        result = await make_provider(Repository("github", "octo", "repo", "127.0.0.1", fake.api_url), None).list_issues()
        assert sorted(issue.number for issue in result.issues) == [4, 10]
        assert next(issue for issue in result.issues if issue.number == 10).blocked_by == ()
        assert [r.path for r in fake.requests if r.path.endswith("blocked_by")] == ["/api/v3/repos/octo/repo/issues/10/dependencies/blocked_by"]
