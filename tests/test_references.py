"""What the scanner takes for a reference, and what it must leave alone."""

from __future__ import annotations

import pytest

from backlog_ls.parse import parse


def refs_of(line: str):
    backlog = parse(f"- [ ] {line}\n")
    (task,) = list(backlog.tasks())
    return task.refs


def issue_numbers(line: str) -> list[int]:
    return [ref.number for ref in refs_of(line).issues]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Fix login (#12)", [(12, "hash", "#12")]),
        ("Task 2.3 (Issue #9): x", [(9, "word", "Issue #9")]),
        ("see GH-45 for details", [(45, "gh", "GH-45")]),
        ("blocked on vlang/v#27675", [(27675, "qualified", "vlang/v#27675")]),
        ("PR #77 merged", [(77, "word", "PR #77")]),
        ("https://github.com/owner/repo/issues/5", [(5, "url", "https://github.com/owner/repo/issues/5")]),
        ("https://gitlab.com/group/sub/proj/-/merge_requests/8.", [(8, "url", "https://gitlab.com/group/sub/proj/-/merge_requests/8")]),
        ("https://codeberg.org/o/r/pulls/3", [(3, "url", "https://codeberg.org/o/r/pulls/3")]),
        ("[#31](https://github.com/o/r/issues/31)", [(31, "link", "#31")]),
        ("after the post-#27680-merge rebase", [(27680, "hash", "#27680")]),
    ],
)
def test_issue_references(text, expected):
    assert [(ref.number, ref.style, ref.text) for ref in refs_of(text).issues] == expected


def test_url_reference_knows_its_repository_and_kind():
    (ref,) = refs_of("https://github.com/owner/repo/pull/5").issues
    assert (ref.host, ref.owner, ref.repo, ref.is_pull) == ("github.com", "owner", "repo", True)
    (ref,) = refs_of("https://gitlab.example.com/a/b/c/-/issues/9").issues
    assert (ref.owner, ref.repo, ref.is_pull) == ("a/b", "c", False)


def test_link_text_reference_keeps_the_url():
    (ref,) = refs_of("[#31](https://github.com/o/r/issues/31)").issues
    assert ref.url == "https://github.com/o/r/issues/31"


@pytest.mark.parametrize(
    "text",
    [
        "colour `#123` in code",
        "``#12 in double ticks``",
        "jump to [done](#done) or [12](#12)",
        "<!-- #45 hidden --> visible",
        '<span style="color: #123">x</span>',
        "dark backgrounds (#0f172a slate-900), borders (#334155 slate-700)",
        "--bg: #0d1117 and --text: #e6edf3",
        "tags #priority:high #in-progress #blocked",
        "AES-256 and SHA-1 and ISO-8601",
        "C#12 and F#3 are languages",
        "HTML entity &#123; is not an issue",
        "anchor https://example.com/page#123 is not an issue",
        "an image ![#5](pic.png#5)",
    ],
)
def test_not_issue_references(text):
    assert issue_numbers(text) == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Task 17.1 (#TBD): Design", ["#TBD"]),
        ("(Issue #TBD)", ["Issue #TBD"]),
        ("#TODO and #? and #XXX and #n", ["#TODO", "#?", "#XXX", "#n"]),
        ("`#TBD` in code", []),
        ("#TBDs are words", []),
        ("#todo is a tag", []),
    ],
)
def test_placeholders(text, expected):
    assert [placeholder.text for placeholder in refs_of(text).placeholders] == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("**Task 2.3 (Issue #9):** x", ["2.3"]),
        ("T10: wire it", ["10"]),
        ("depends on T-4 and Task 12", ["4", "12"]),
        ("RFC 2378 says", []),
    ],
)
def test_task_ids(text, expected):
    assert [task_id.number for task_id in refs_of(text).task_ids] == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("**CORE-01.1:** Parse the roadmap", [("CORE-01.1", "01.1")]),
        ("REQ-3.1 - Clone the repo, after REQ-1.2", [("REQ-3.1", "3.1"), ("REQ-1.2", "1.2")]),
        ("Task II-1.1: Database schema", [("II-1.1", "1.1")]),
        ("Ship it (PROJ-123)", []),  # a Jira key: an issue of a configured project, never a task ID
        ("AGPL-3.0-or-later, TLS-1.2-era ciphers", []),  # names joined on by a dash
        ("Move to GPT-4.1, require TLS-1.3 and HTTP-1.1", []),  # versioned names, never task IDs
        ("see docs/CORE-01.1 and #AB-1.2 and x.CORE-1.2", []),
    ],
)
def test_dotted_project_task_ids(text, expected):
    assert [(task_id.text, task_id.number) for task_id in refs_of(text).task_ids] == expected


def test_a_jira_key_stays_an_issue_key_beside_a_dotted_task_id():
    refs = refs_of("**CORE-01.1 (PROJ-123):** Parse the roadmap")
    assert [key.text for key in refs.keys] == ["PROJ-123"]
    assert [task_id.text for task_id in refs.task_ids] == ["CORE-01.1"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("base RFC 2378 (Ph) parser", [(2378, "ietf")]),
        ("RFC-0093 design", [(93, "project")]),
        ("per RFC #3519", [(3519, "ietf")]),
        ("[design](docs/rfcs/0026-configuration-hierarchy.md)", [(26, "project")]),
        ("[rust](https://github.com/rust-lang/rfcs/blob/master/text/2094-nll.md)", [(2094, "project")]),
        ("`RFC 1234` in code", []),
    ],
)
def test_rfc_references(text, expected):
    assert [(rfc.number, rfc.kind) for rfc in refs_of(text).rfcs] == expected


def test_reference_spans_are_code_points_after_emoji():
    backlog = parse("- [ ] 🚀 ship (#12) ✅\n")
    (task,) = list(backlog.tasks())
    (ref,) = task.refs.issues
    assert backlog.lines[0][ref.span.start_col : ref.span.end_col] == "#12"
    assert ref.span.start_col == 14


def test_code_span_across_lines_hides_references():
    backlog = parse("- [ ] start `code\n  #12 still code` then #13\n")
    (task,) = list(backlog.tasks())
    assert [(ref.number, ref.span.start_line) for ref in task.refs.issues] == [(13, 1)]


def test_links_are_recorded_with_spans():
    backlog = parse("- [ ] read [the RFC](docs/rfcs/0001-x.md \"title\") now\n")
    (task,) = list(backlog.tasks())
    (link,) = task.refs.links
    line = backlog.lines[0]
    assert (link.text, link.target) == ("the RFC", "docs/rfcs/0001-x.md")
    assert line[link.span.start_col : link.span.end_col] == '[the RFC](docs/rfcs/0001-x.md "title")'
    assert line[link.target_span.start_col : link.target_span.end_col] == "docs/rfcs/0001-x.md"


def test_bold_lead_title():
    assert refs_of("**Merge Binaries**: Refactor it").title == "Merge Binaries"
    assert refs_of("**Task 1.1 (Issue #1):** Init").title == "Task 1.1 (Issue #1)"
    assert refs_of("plain **bold later**").title is None


def test_heading_references_and_numbers():
    backlog = parse("# Phase 99e: Fix #12\n\n## 0.1\n\nEpoch 2\n=======\n\n### Task 1.5 done ###\n")
    headings = backlog.headings
    assert [(h.level, h.title, h.number) for h in headings] == [
        (1, "Phase 99e: Fix #12", "99e"),
        (2, "0.1", "0.1"),
        (1, "Epoch 2", "2"),
        (3, "Task 1.5 done", "1.5"),
    ]
    assert [ref.number for ref in headings[0].refs.issues] == [12]
    assert headings[2].setext


def test_front_matter_and_code_hide_references():
    text = "---\ntitle: Plan #12\n---\n\n```\n- [ ] not a task #13\n```\n\n    - [ ] indented code #14\n\n- [ ] real #15\n"
    backlog = parse(text)
    assert backlog.blocks[0].kind == "front-matter"
    assert [task.text for task in backlog.tasks()] == ["real #15"]
    assert [ref.number for refs in backlog.references() for ref in refs.issues] == [15]


def test_html_comment_block_hides_headings_and_tasks():
    backlog = parse("<!--\n# Not a heading\n- [ ] not a task #3\n-->\n\n# Real\n")
    assert [h.title for h in backlog.headings] == ["Real"]
    assert list(backlog.tasks()) == []
