"""Issue hover, completion, document links and the inserted form, as pure functions over MemoryIssues."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from backlog_ls.features import hover
from backlog_ls.features.completion import CompletionRequest, complete
from backlog_ls.features.issues import (
    IssueContext,
    body_excerpt,
    insert_format,
    issue_url,
    issue_document_links,
    new_issue_for,
    new_reference_text,
)
from backlog_ls.parse import parse
from backlog_ls.tracker import CLOSED, OPEN, MemoryIssues, Repository, TrackerIssue

REPO = Repository("github", "acme", "app")


def _at(year: int, month: int, day: int) -> datetime:
    return datetime(year, month, day, tzinfo=timezone.utc)


ISSUES = [
    TrackerIssue(
        12,
        "Fix login timeout",
        OPEN,
        url="https://github.com/acme/app/issues/12",
        labels=("bug", "auth"),
        assignees=("alice",),
        milestone="v1.0",
        body="The login form times out after **5 s**.\n\nSteps:\n1. open\n2. wait",
        updated_at=_at(2024, 5, 1),
    ),
    TrackerIssue(13, "Storage engine", OPEN, url="https://github.com/acme/app/issues/13", updated_at=_at(2024, 6, 1)),
    TrackerIssue(
        7, "Old crash", CLOSED, url="https://github.com/acme/app/issues/7", closed_at=_at(2024, 3, 2), updated_at=_at(2024, 3, 2)
    ),
    TrackerIssue(
        8, "Older bug", CLOSED, url="https://github.com/acme/app/issues/8", closed_at=_at(2023, 1, 1), updated_at=_at(2024, 7, 1)
    ),
    TrackerIssue(
        20, "Merge storage", CLOSED, url="https://github.com/acme/app/pull/20", is_pull=True, merged=True, closed_at=_at(2024, 4, 4)
    ),
    TrackerIssue(21, "WIP: cache", OPEN, url="https://github.com/acme/app/pull/21", is_pull=True, draft=True),
]


def source(**kwargs) -> MemoryIssues:
    return MemoryIssues(list(ISSUES), REPO, fetched_at=_at(2024, 8, 1), **kwargs)


def hover_text(text: str, needle: str, tracker=None, offset: int = 1) -> str | None:
    backlog = parse(text)
    for line, content in enumerate(text.split("\n")):
        if needle in content:
            found = hover.hover(backlog, line, content.index(needle) + offset, issues=tracker)
            return found.markdown if found is not None else None
    raise AssertionError(needle)


# --- hover ------------------------------------------------------------------------------------------------


def test_hover_on_each_reference_style_shows_the_issue():
    text = (
        "- [ ] Fix it (Issue #12)\n- [ ] and #12\n- [ ] and GH-12\n- [ ] and acme/app#12\n"
        "- [ ] and https://github.com/acme/app/issues/12\n- [ ] and [#12](https://github.com/acme/app/issues/12)\n"
    )
    for needle in ("Issue #12", "and #12", "GH-12", "acme/app#12", "https://github", "[#12]"):
        markdown = hover_text(text, needle, source(), offset=len(needle) - 1)
        assert markdown is not None, needle
        assert "**Issue #12**: Fix login timeout" in markdown, (needle, markdown)
        assert "**Open** · `bug` `auth` · @alice · Milestone: v1.0" in markdown
        assert "The login form times out after **5 s**." in markdown
        assert "[https://github.com/acme/app/issues/12](https://github.com/acme/app/issues/12)" in markdown
        assert "As of" not in markdown


def test_hover_states_closed_merged_draft_and_stale():
    text = "- [ ] #7 #20 #21\n"
    assert "**Closed on 2024-03-02**" in hover_text(text, "#7", source())
    merged = hover_text(text, "#20", source())
    assert "**Pull request #20**: Merge storage" in merged and "**Merged on 2024-04-04**" in merged
    assert "**Draft**" in hover_text(text, "#21", source())
    stale = hover_text(text, "#7", source(is_stale=True))
    assert "_As of 2024-08-01 00:00 UTC: the cached tracker data may be out of date._" in stale


def test_hover_on_an_unknown_number():
    text = "- [ ] #99 other/repo#3\n"
    assert "The tracker acme/app has no issue or pull request with this number." in hover_text(text, "#99", source())
    never = MemoryIssues([], REPO, complete=False)
    assert "No tracker data is cached yet" in hover_text(text, "#99", never)
    assert "No tracker data is cached for other/repo." in hover_text(text, "other/repo#3", source(), offset=3)
    assert "No issue tracker is configured" in hover_text(text, "#99", None)


def test_hover_on_a_placeholder_names_the_actions():
    markdown = hover_text("- [ ] Write docs (Issue #TBD)\n", "#TBD", source())
    assert "is a placeholder: the issue for this task is not filed yet" in markdown
    assert "**Create issue from task**" in markdown and "**Add issue reference**" in markdown


class _Filing(MemoryIssues):
    """A source that files issues, when it has a tracker to file them in."""

    def __init__(self, can_create: bool):
        super().__init__(ISSUES, REPO)
        self.can_create = can_create

    async def create_issue(self, title: str, body: str) -> TrackerIssue:
        raise AssertionError("a hover never files an issue")


def test_the_placeholder_hover_promises_create_issue_only_where_it_can_work():
    text = "- [ ] Write docs (Issue #TBD)\n"
    needs = "(once a tracker that can file issues is configured)"
    assert needs not in hover_text(text, "#TBD", _Filing(can_create=True))
    for source_without_a_tracker in (_Filing(can_create=False), source(), None):
        markdown = hover_text(text, "#TBD", source_without_a_tracker)
        assert f"**Create issue from task**: files an issue from this task and writes its number here {needs}" in markdown


def test_body_excerpt_is_capped_and_closes_a_cut_fence():
    body = "\n".join(["intro", "```", *[f"line {n}" for n in range(20)]])
    excerpt = body_excerpt(body)
    assert excerpt.count("\n") <= 12 and excerpt.endswith("```\n\n…")
    assert len(body_excerpt("x" * 5000)) <= 610


# --- completion -------------------------------------------------------------------------------------------


def items_at(text: str, tracker="default", settings=None, referenced=None):
    """Completion items at the end of ``text``'s last line."""
    backlog = parse(text)
    line = len(backlog.lines) - 1
    column = len(backlog.lines[line])
    context = IssueContext(source() if tracker == "default" else tracker, referenced or {}, settings or {})
    result = complete(CompletionRequest(backlog, line, column, issues=context))
    return result


def accepted(text: str, item) -> str:
    """The last line of ``text`` after the client applies ``item``: its edit and the additional ones."""
    line = text.split("\n")[-1]
    for edit in sorted((item, *item.additional), key=lambda edit: edit.span.start_col, reverse=True):
        line = line[: edit.span.start_col] + edit.new_text + line[edit.span.end_col :]
    return line


def test_hash_lists_open_issues_first_then_recently_closed():
    result = items_at("- [ ] Fix it #")
    labels = [item.label for item in result.items]
    assert labels == ["#13", "#12", "#21", "#20", "#7", "#8"]  # open by update; closed by closing date
    assert [item.sort_text for item in result.items] == sorted(item.sort_text for item in result.items)
    item = result.items[1]
    # The typed "#" stays; the item writes the number after it, and its filter text starts as that does.
    assert (item.detail, item.filter_text, item.new_text) == ("Fix login timeout", "12 Fix login timeout", "12")
    assert item.span.start_col == item.span.end_col == len("- [ ] Fix it #") and item.additional == ()
    assert accepted("- [ ] Fix it #", item) == "- [ ] Fix it #12"
    assert "**Open** · `bug` `auth`" in item.documentation and "times out" in item.documentation
    assert result.incomplete is False


def test_title_words_filter_and_the_range_covers_what_follows_the_hash():
    result = items_at("- [ ] Fix it #login")
    (item,) = result.items
    assert item.label == "#12" and item.filter_text == "12 Fix login timeout"
    assert (item.span.start_col, item.span.end_col) == (len("- [ ] Fix it #"), len("- [ ] Fix it #login"))
    assert accepted("- [ ] Fix it #login", item) == "- [ ] Fix it #12"
    assert [i.label for i in items_at("See #1").items] == ["#13", "#12"]


def test_no_completion_at_a_heading_or_in_code():
    assert items_at("#") is None
    assert items_at("  #") is None
    assert items_at("- [ ] run `foo #") is None
    assert items_at("```\n- [ ] #") is None
    assert items_at("- [ ] run `foo` #") is not None


def first_accepted(text: str, **context) -> str:
    return accepted(text, items_at(text, **context).items[0])


def test_inserted_form_follows_the_document_style():
    words = "- [ ] a (Issue #7)\n- [ ] b (Issue #8)\n- [ ] c (#"
    assert first_accepted(words) == "- [ ] c (Issue #13"
    assert first_accepted("- [ ] a (Issue #7)\n- [ ] c (Issue #") == "- [ ] c (Issue #13"  # the word is there
    link = "- [ ] a [#7](https://github.com/acme/app/issues/7)\n- [ ] c #"
    assert first_accepted(link) == "- [ ] c [#13](https://github.com/acme/app/issues/13)"
    gh = items_at("- [ ] a GH-7\n- [ ] c GH-1")
    assert [i.new_text for i in gh.items] == ["13", "12"] and gh.items[0].filter_text == "13 Storage engine"
    assert (gh.items[0].span.start_col, gh.items[0].label) == (len("- [ ] c GH-"), "GH-13")
    assert accepted("- [ ] c GH-1", gh.items[0]) == "- [ ] c GH-13"
    qualified = items_at("- [ ] c acme/app#1")
    assert [accepted("- [ ] c acme/app#1", i) for i in qualified.items] == ["- [ ] c acme/app#13", "- [ ] c acme/app#12"]
    assert items_at("- [ ] c other/repo#1") is None
    assert first_accepted("- [ ] c #", settings={"insert-format": "Issue #{number}"}) == "- [ ] c Issue #13"
    # A form without "#number" in it replaces the typed "#" itself.
    gh_form = items_at("- [ ] c #", settings={"insert-format": "GH-{number}"}).items[0]
    assert (gh_form.span.start_col, gh_form.new_text, gh_form.filter_text) == (len("- [ ] c "), "GH-13", "#13 Storage engine")
    assert accepted("- [ ] c #", gh_form) == "- [ ] c GH-13"


def test_the_main_edit_is_one_word_that_continues_the_typed_text():
    """What clients insert as a word (Neovim's built-in completion, Vim's complete()) is the main edit's
    text from the start of its range: it holds no space, and what goes before the "#" is a separate edit."""
    text = "- [ ] a (Issue #7)\n- [ ] b (Issue #8)\n- [ ] c (#1"
    for item in items_at(text).items:
        assert " " not in item.new_text and item.new_text.startswith("1"), item
        assert (item.span.start_col, item.span.end_col) == (len("- [ ] c (#"), len("- [ ] c (#1"))
        (before,) = item.additional
        assert (before.span.start_col, before.span.end_col, before.new_text) == (len("- [ ] c ("), len("- [ ] c ("), "Issue ")
        assert item.filter_text.startswith(item.new_text)


def test_numbers_cited_in_open_documents_are_offered_without_tracker_data():
    result = items_at("- [ ] c #", tracker=None, referenced={5: "Write the docs", 12: ""})
    assert [(i.label, i.detail) for i in result.items] == [("#5", "Write the docs"), ("#12", "Cited in the backlog")]
    assert [i.label for i in items_at("- [ ] c #docs", tracker=None, referenced={5: "Write the docs"}).items] == ["#5"]
    with_tracker = items_at("- [ ] c #", referenced={12: "x", 40: "y"})
    assert [i.label for i in with_tracker.items][-1] == "#40" and [i.label for i in with_tracker.items].count("#12") == 1


def test_insert_format_detection():
    assert insert_format(parse("- [ ] x\n")) == "#{number}"
    assert insert_format(parse("- [ ] x (Issue #1)\n- [ ] y #2\n- [ ] z (Issue #3)\n")) == "Issue #{number}"


def _style_as_read_from_the_whole_document(backlog) -> str:
    """The document's style as ``insert_format`` once found it: every reference, in order, until
    STYLE_SAMPLES issues (the oracle of the remembered tally)."""
    from collections import Counter

    from backlog_ls.features.issues import STYLE_SAMPLES, _reference_form

    styles, seen = Counter(), 0
    for refs in backlog.references():
        for ref in refs.issues:
            seen += 1
            styles[_reference_form(ref)] += 1
        if seen >= STYLE_SAMPLES:
            break
    return styles.most_common(1)[0][0] if styles else "#{number}"


@pytest.mark.shared("corpus", "corpus2", "examples")
def test_the_remembered_document_style_is_the_one_read_from_the_whole_document():
    from ..conftest import SHARED

    files = [path for folder in ("corpus", "corpus2", "examples") for path in sorted((SHARED / folder).iterdir()) if path.suffix in (".md", ".txt")]
    assert len(files) > 60
    for path in files:
        backlog = parse(path.read_text(encoding="utf-8", errors="replace"))
        assert insert_format(backlog) == _style_as_read_from_the_whole_document(backlog), path.name


def test_the_document_style_follows_edits_in_a_long_list_and_above_it():
    from backlog_ls.workspace import Document

    # 250 tasks in one list, the first 199 naming "Issue #n", then plain "#n": the first 200
    # references decide, so the 200th's form (and an Enter above it) is what tips it.
    lines = ["# Plan", ""] + [f"- [ ] Task {n} (Issue #{n})" for n in range(199)] + [f"- [ ] Task {n} #{n}" for n in range(199, 250)]
    document = Document("file:///plan/BACKLOG.md", "\n".join(lines) + "\n", 1, "/plan/BACKLOG.md")
    assert insert_format(document.backlog) == "Issue #{number}"
    for line in range(2, 110):  # Issue #n -> #n on the first 108 tasks: the plain form wins, 109 to 91
        text = document.backlog.lines[line]
        start = text.index("Issue #")
        document.apply_change((line, start), (line, start + len("Issue ")), "")
    assert insert_format(document.backlog) == _style_as_read_from_the_whole_document(document.backlog) == "#{number}"
    document.apply_change((0, 6), (0, 6), "\n\n(see Issue #1, Issue #2)")  # prose above the list
    assert insert_format(document.backlog) == _style_as_read_from_the_whole_document(document.backlog)


# --- links ------------------------------------------------------------------------------------------------


def test_document_links_for_every_reference_with_a_known_url():
    text = "- [ ] #12 GH-99 other/lib#4 https://gitlab.com/g/p/-/issues/5\n"
    links = issue_document_links(parse(text), source())
    assert [(link.span.start_col, link.target) for link in links] == [
        (6, "https://github.com/acme/app/issues/12"),
        (10, "https://github.com/acme/app/issues/99"),
        (16, "https://github.com/other/lib/issues/4"),
        (28, "https://gitlab.com/g/p/-/issues/5"),
    ]
    assert links[0].tooltip == "Issue #12: Fix login timeout"
    assert [link.target for link in issue_document_links(parse("- [ ] #12\n"), None)] == []


def test_a_link_on_a_custom_api_url_keeps_its_scheme_and_port():
    local = Repository("github", "octo", "repo", "127.0.0.1", "http://127.0.0.1:18765/api/v3")
    assert issue_url(local, 13) == "http://127.0.0.1:18765/octo/repo/issues/13"
    gitlab = Repository("gitlab", "g/sub", "p", "git.corp", "https://git.corp:8443/api/v4")
    assert issue_url(gitlab, 5, pull=True) == "https://git.corp:8443/g/sub/p/-/merge_requests/5"
    # Without a custom URL, or with the public API host, the web pages are https on the host.
    assert issue_url(Repository("github", "octo", "repo"), 1) == "https://github.com/octo/repo/issues/1"
    public = Repository("github", "octo", "repo", "github.com", "https://api.github.com")
    assert issue_url(public, 1) == "https://github.com/octo/repo/issues/1"
    links = issue_document_links(parse("- [ ] #7\n"), MemoryIssues([], local))
    assert [link.target for link in links] == ["http://127.0.0.1:18765/octo/repo/issues/7"]


# --- create issue from task ---------------------------------------------------------------------------------


def test_new_issue_replaces_a_placeholder_or_inserts_in_the_document_style():
    text = "## Phase 1\n- [ ] **Task 1.1 (Issue #1):** one\n- [ ] **Task 1.2 (Issue #TBD):** Write the docs\n- [ ] **Task 1.3:** Ship it\n"
    backlog = parse(text)
    created = TrackerIssue(42, "x", OPEN, url="https://github.com/acme/app/issues/42")
    placeholder = new_issue_for(backlog, 2)
    assert placeholder.title == "Write the docs" and placeholder.replaces_placeholder
    line = backlog.lines[2]
    assert line[placeholder.span.start_col : placeholder.span.end_col] == "#TBD"
    assert new_reference_text(placeholder, created, source(), backlog) == "#42"
    missing = new_issue_for(backlog, 3)
    assert missing.title == "Ship it" and not missing.replaces_placeholder
    inserted = new_reference_text(missing, created, source(), backlog)
    line = backlog.lines[3]
    assert line[: missing.span.start_col] + inserted + line[missing.span.end_col :] == "- [ ] **Task 1.3 (Issue #42):** Ship it"
    assert new_issue_for(backlog, 1) is None  # already names an issue


def test_new_issue_is_offered_for_the_task_that_starts_on_the_line_in_a_long_nested_list():
    tasks = [f"- [ ] Task {n} (#{n})" for n in range(1, 41)]
    tasks[29:30] = ["- [ ] Parent (#30)", "  continued here", "  - [ ] Write the nested docs", "  - Note #TBD"]
    backlog = parse("# Plan\n" + "\n".join(tasks) + "\n")
    child = backlog.lines.index("  - [ ] Write the nested docs")
    assert new_issue_for(backlog, child).title == "Write the nested docs"
    assert new_issue_for(backlog, child - 1) is None  # the parent's continuation line starts no task
    assert new_issue_for(backlog, child + 1) is None  # a plain note is no task
    assert new_issue_for(backlog, child - 2) is None  # the parent names #30
