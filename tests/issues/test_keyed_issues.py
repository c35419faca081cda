"""Jira and Linear keys (ABC-12) in the editor and the rules, as pure functions over in-memory sources.

Only keys of the configured projects are issues: UTF-8, AES-256, RFC-2378, ISO-8601 and SHA-1
are never hovered, completed, linked or reported.
"""

from __future__ import annotations

from datetime import datetime, timezone

from backlog_ls.features import hover
from backlog_ls.features.completion import CompletionRequest, complete
from backlog_ls.features.issues import IssueContext, issue_document_links, new_issue_for, new_reference_text
from backlog_ls.parse import parse
from backlog_ls.providers.trackers.sources import TrackerSources
from backlog_ls.tracker import CLOSED, OPEN, MemoryIssues, Repository, TrackerIssue

from ..rules.fixture import findings_for, split_annotations

SITE = "https://acme.atlassian.net"
ABC = [
    TrackerIssue(12, "Login times out", OPEN, url=f"{SITE}/browse/ABC-12", labels=("auth",), assignees=("Ana Lima",),
                 body="Users are **logged out** after `timeout_ms`", key="ABC-12", status="In Progress", priority="High",
                 fix_versions=("1.2",), updated_at=datetime(2024, 5, 1, tzinfo=timezone.utc)),
    TrackerIssue(13, "Shipped thing", CLOSED, url=f"{SITE}/browse/ABC-13", key="ABC-13", status="Done"),
    TrackerIssue(14, "Backlog item", OPEN, url=f"{SITE}/browse/ABC-14", key="ABC-14", status="To Do",
                 updated_at=datetime(2024, 6, 1, tzinfo=timezone.utc)),
]
ENG = [TrackerIssue(42, "Importer", OPEN, key="ENG-42", status="Started")]


def sources() -> TrackerSources:
    def project(name: str, issues: list[TrackerIssue]) -> MemoryIssues:
        return MemoryIssues(list(issues), Repository("jira", "acme.atlassian.net", name, "acme.atlassian.net", SITE, "cloud"))

    return TrackerSources(None, {"ABC": project("ABC", ABC), "ENG": project("ENG", ENG)})


NOT_ISSUES = "Use UTF-8, AES-256, RFC-2378, ISO-8601 and SHA-1"


def hover_at(text: str, needle: str, offset: int = 1) -> str | None:
    backlog = parse(text)
    for line, content in enumerate(text.split("\n")):
        if needle in content:
            found = hover.hover(backlog, line, content.index(needle) + offset, issues=sources())
            return found.markdown if found is not None else None
    raise AssertionError(needle)


def test_hover_on_a_key_shows_summary_status_assignee_fix_version_priority_labels_and_description():
    text = "- [ ] Fix the login (ABC-12)\n"
    assert hover_at(text, "ABC-12") == (
        "**Issue ABC-12**: Login times out\n\n"
        "**In Progress** · `auth` · Ana Lima · Fix version: 1.2 · Priority: High\n\n"
        "Users are **logged out** after `timeout_ms`\n\n"
        f"[{SITE}/browse/ABC-12]({SITE}/browse/ABC-12)"
    )


def test_hover_on_an_unknown_key_of_a_configured_project():
    assert hover_at("- [ ] Something ABC-99\n", "ABC-99") == (
        "**Issue ABC-99**\n\nThe tracker has no issue ABC-99 in project ABC."
    )


def test_words_shaped_like_keys_are_not_issues():
    text = f"- [ ] {NOT_ISSUES} (XYZ-1)\n"
    for word in ("UTF-8", "AES-256", "RFC-2378", "ISO-8601", "SHA-1", "XYZ-1"):
        found = hover_at(text, word)
        assert found is None or "Issue" not in found, (word, found)
    assert issue_document_links(parse(text), sources()) == []


def test_completion_after_a_project_key_and_dash_lists_its_issues():
    text = "- [ ] Fix it ABC-"
    backlog = parse(text)
    result = complete(CompletionRequest(backlog, 0, len(text), issues=IssueContext(sources(), {}, {})))
    assert [item.label for item in result.items] == ["ABC-14", "ABC-12", "ABC-13"]
    first = result.items[0]
    assert (first.new_text, first.span.start_col, first.span.end_col, first.detail) == ("14", len(text), len(text), "Backlog item")
    typed = "- [ ] Fix it ABC-1"
    narrowed = complete(CompletionRequest(parse(typed), 0, len(typed), issues=IssueContext(sources(), {}, {})))
    assert [item.label for item in narrowed.items] == ["ABC-14", "ABC-12", "ABC-13"]
    for other in ("- [ ] Use UTF-", "- [ ] Use SHA-", "- [ ] `ABC-"):
        found = complete(CompletionRequest(parse(other), 0, len(other), issues=IssueContext(sources(), {}, {})))
        assert found is None or not any(item.label.startswith(("UTF", "SHA", "ABC")) for item in found.items), other


def test_drift_rules_for_keys():
    annotated = f"""
        - [x] Ticked while open (ABC-12)
                                 ^^^^^^ BL305 warning: Task is ticked but its issue ABC-12 is still open: 'Login times out'.
        - [ ] Open while done ABC-13
                              ^^^^^^ BL306 hint: Issue ABC-13 is done but the task is still open.
        - [ ] Typo ABC-1212
                   ^^^^^^^^ BL307 warning: Issue ABC-1212 does not exist in project ABC: the tracker has no such key.
        - [x] Linear done ENG-42
                          ^^^^^^ BL305 warning: Task is ticked but its issue ENG-42 is still open: 'Importer'.
        - [x] {NOT_ISSUES} OPS-1
    """
    text, expected = split_annotations(annotated)
    found = [
        (f.code, f.severity, f.span, f.message)
        for f in findings_for(text, tracker=sources())
        if f.code in ("BL305", "BL306", "BL307")
    ]
    assert found == sorted(expected, key=lambda e: (e[2], e[0]))


def test_create_issue_from_a_task_writes_the_key():
    text = "- [ ] Write the importer\n- [ ] Has a key ABC-12\n- [ ] Mentions UTF-8 only\n"
    settings = {"provider": "jira", "projects": ["ABC"]}
    backlog = parse(text)
    new = new_issue_for(backlog, 0, settings)
    assert new is not None and new.title == "Write the importer"
    assert new_issue_for(backlog, 1, settings) is None  # it names its issue already
    assert new_issue_for(backlog, 2, settings) is not None  # UTF-8 is not an issue
    created = TrackerIssue(15, "Write the importer", OPEN, key="ABC-15")
    inserted = new_reference_text(new, created, sources(), backlog)
    line = text.split("\n")[0]
    assert line[: new.span.start_col] + inserted + line[new.span.end_col :] == "- [ ] Write the importer (ABC-15)"
