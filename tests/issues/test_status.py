"""The status bar line: the trackers' state, worst first, with each source's own line as the tooltip."""

from __future__ import annotations

from types import SimpleNamespace

from backlog_ls.features.status import tracker_status


def source(state: str, status: str, count: int = 0) -> SimpleNamespace:
    return SimpleNamespace(state=state, status=status, issue_count=count)


def test_no_tracker_is_off_and_says_where_to_configure_one():
    status = tracker_status([None])
    assert (status.state, status.text) == ("off", "issues off")
    assert "[issues] in .backlog-ls.toml" in status.detail


def test_a_ready_tracker_shows_its_issue_count():
    status = tracker_status([source("ready", "1 issue in octo/repo, refreshed 2 min ago", 1)])
    assert status.as_params() == {"state": "ready", "text": "1 issue", "detail": "1 issue in octo/repo, refreshed 2 min ago"}


def test_a_failing_tracker_outranks_a_ready_one_and_both_lines_are_in_the_tooltip():
    status = tracker_status(
        [source("ready", "3 issues from issues.json", 3), source("warning", "offline: using cache from 1 h ago (5 issues)", 5)]
    )
    assert status.state == "warning"
    assert status.text == "8 issues (stale)"
    assert status.detail == "3 issues from issues.json\noffline: using cache from 1 h ago (5 issues)"


def test_loading_and_refreshing_are_shown_as_such():
    assert tracker_status([source("starting", "issues: starting")]).text == "issues: loading"
    assert tracker_status([source("refreshing", "octo/repo: not refreshed yet")]).text == "issues: refreshing"


def test_a_source_without_a_state_such_as_an_in_memory_one_counts_as_ready():
    status = tracker_status([SimpleNamespace(status="2 issues")])
    assert status.state == "ready"
