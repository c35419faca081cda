"""The workspace index's data model: what a file's summary holds and what the lookups find."""

from __future__ import annotations

import pytest

from backlog_ls.model import Span
from backlog_ls.parse import parse
from backlog_ls.workspace_index import ISSUE, TASK, IssueKey, SectionEntry, TaskEntry, WorkspaceIndex, summarize, task_key

ROADMAP = """\
# Roadmap

## Phase 2: Parser

- [ ] **Task 2.3 (#12):** Parse the tables 🚀
  - [x] T10 Tokenizer, see #14
- [x] Task 2.4: After Task 2.3, ship it (owner/repo#12)

### Task 2.5: Heading task ✅

Prose mentions Task 2.3 and https://github.com/owner/repo/issues/12, see [the plan](plans/next.md#phase-3).
"""

NEXT = """\
# Next

## Phase 3: Later

- [ ] Task 3.1: Depends on Task 2.3 and T10 (Issue #12)
- [ ] Task 3.2: Unrelated (#99)
"""

ARCHIVE = """\
# Archive

- [x] Task 1.1: Old work, cf. #12
"""


def _index(**files: str) -> WorkspaceIndex:
    index = WorkspaceIndex()
    for name, text in files.items():
        index.update(f"file:///w/{name}.md", summarize(parse(text)), f"/w/{name}.md")
    return index


def _texts(hits) -> list[tuple[str, str]]:
    return [(hit.uri.rsplit("/", 1)[-1], getattr(hit.entry, "text", None) or hit.entry.title) for hit in hits]


def test_a_summary_holds_sections_with_anchors_and_ranges():
    summary = summarize(parse(ROADMAP))
    assert [(s.title, s.level, s.anchor, s.number) for s in summary.sections] == [
        ("Roadmap", 1, "roadmap", None),
        ("Phase 2: Parser", 2, "phase-2-parser", "2"),
        ("Task 2.5: Heading task ✅", 3, "task-25-heading-task-", "2.5"),
    ]
    phase = summary.sections[1]
    assert phase.heading_span == Span(2, 0, 2, 18)
    assert phase.title_span == Span(2, 3, 2, 18)
    assert phase.span.start_line == 2 and phase.span.end_line == 10


def test_a_summary_holds_tasks_with_their_id_state_issues_and_section():
    summary = summarize(parse(ROADMAP))
    assert [(t.task_id, t.state, t.is_heading, t.issues, t.section) for t in summary.tasks] == [
        ("Task 2.3", " ", False, (IssueKey(12),), "Phase 2: Parser"),
        ("T10", "x", False, (), "Phase 2: Parser"),  # "see #14" is a mention, not its issue
        ("Task 2.4", "x", False, (IssueKey(12, "owner/repo"),), "Phase 2: Parser"),
        ("Task 2.5", "x", True, (), "Phase 2: Parser"),
    ]
    first = summary.tasks[0]
    assert first.text == "Task 2.3 (#12): Parse the tables 🚀"  # rendered: no bold markers
    assert first.id_span == Span(4, 8, 4, 16)
    assert first.span == Span(4, 0, 5, 30)  # the item with its subtask
    assert first.key == "task 2.3"


def test_mentions_tell_a_task_name_from_a_mention():
    summary = summarize(parse(ROADMAP))
    task_23 = list(summary.task_mentions("task 2.3"))
    assert [(m.span, m.defines) for m in task_23] == [
        (Span(4, 8, 4, 16), True),
        (Span(6, 22, 6, 30), False),
        (Span(10, 15, 10, 23), False),
    ]
    issue_12 = list(summary.issue_mentions(IssueKey(12)))
    assert [(m.text, m.defines) for m in issue_12] == [
        ("#12", True),
        ("owner/repo#12", True),
        ("https://github.com/owner/repo/issues/12", False),
    ]
    assert {m.kind for m in summary.mentions} == {TASK, ISSUE}


def test_links_and_non_ascii_lines_are_kept_and_nothing_else():
    summary = summarize(parse(ROADMAP))
    assert [(link.text, link.target) for link in summary.links] == [("the plan", "plans/next.md#phase-3")]
    assert sorted(summary.lines) == [4, 8]  # the two lines with an emoji or a check mark
    lines = summary.span_lines
    assert len(lines) == len(ROADMAP.split("\n"))  # the empty line after the last newline too
    assert lines[4] == ROADMAP.splitlines()[4]
    assert lines[0].strip() == ""  # an ASCII line: its columns are the same in every encoding


def test_mention_at_finds_the_reference_under_the_cursor():
    summary = summarize(parse(ROADMAP))
    assert summary.mention_at(6, 25).text == "Task 2.3"
    assert summary.mention_at(6, 30).text == "Task 2.3"  # just after it
    assert summary.mention_at(4, 19).key == IssueKey(12)
    assert summary.mention_at(0, 2) is None


def test_task_key_joins_spellings():
    assert task_key("Task  2.3") == task_key("task 2.3") == "task 2.3"


@pytest.mark.parametrize(
    ("one", "other", "same"),
    [
        (IssueKey(12), IssueKey(12, "owner/repo"), True),
        (IssueKey(12, "a/b"), IssueKey(12, "c/d"), False),
        (IssueKey(12), IssueKey(13), False),
        (IssueKey(12, project="ABC"), IssueKey(12), False),
    ],
)
def test_issue_keys_match_when_nothing_written_tells_them_apart(one, other, same):
    assert one.matches(other) is same
    assert other.matches(one) is same


def test_definitions_and_mentions_of_a_task_id_across_files():
    index = _index(roadmap=ROADMAP, next=NEXT, archive=ARCHIVE)
    assert _texts(index.task_definitions("Task 2.3")) == [("roadmap.md", "Task 2.3 (#12): Parse the tables 🚀")]
    mentions = index.task_mentions("task 2.3")
    assert [(hit.uri.rsplit("/", 1)[-1], hit.entry.span.start_line, hit.entry.defines) for hit in mentions] == [
        ("next.md", 4, False),
        ("roadmap.md", 4, True),
        ("roadmap.md", 6, False),
        ("roadmap.md", 10, False),
    ]
    assert [hit.uri for hit in index.task_mentions("T10")] == ["file:///w/next.md", "file:///w/roadmap.md"]


def test_every_reference_to_an_issue_across_files():
    index = _index(roadmap=ROADMAP, next=NEXT, archive=ARCHIVE)
    hits = index.issue_mentions(IssueKey(12))
    assert [(hit.uri.rsplit("/", 1)[-1], hit.entry.text) for hit in hits] == [
        ("archive.md", "#12"),
        ("next.md", "Issue #12"),
        ("roadmap.md", "#12"),
        ("roadmap.md", "owner/repo#12"),
        ("roadmap.md", "https://github.com/owner/repo/issues/12"),
    ]
    # The tasks naming it as their own: not the archive's, which only compares with it.
    assert [t for _, t in _texts(index.issue_tasks(IssueKey(12)))] == [
        "Task 3.1: Depends on Task 2.3 and T10 (Issue #12)",
        "Task 2.3 (#12): Parse the tables 🚀",
        "Task 2.4: After Task 2.3, ship it (owner/repo#12)",
    ]
    assert len(index.issue_mentions(IssueKey(12, "other/repo"))) == 3  # the unqualified ones only


def test_update_replaces_a_file_and_remove_forgets_it():
    index = _index(roadmap=ROADMAP, next=NEXT)
    generation = index.generation
    index.update("file:///w/next.md", summarize(parse("# Next\n\n- [ ] Task 3.1: Nothing cited\n")))
    assert index.generation > generation
    assert [hit.uri for hit in index.task_mentions("Task 2.3")] == ["file:///w/roadmap.md"] * 3
    assert [hit.uri for hit in index.issue_mentions(IssueKey(12))] == ["file:///w/roadmap.md"] * 3
    assert index.remove("file:///w/roadmap.md") is True
    assert index.task_mentions("Task 2.3") == []
    assert index.remove("file:///w/roadmap.md") is False
    assert len(index) == 1 and "file:///w/next.md" in index
    assert index.path_of("file:///w/next.md") is None


def test_symbols_match_words_ids_and_issue_numbers_best_first():
    index = _index(roadmap=ROADMAP, next=NEXT, archive=ARCHIVE)

    def names(query: str) -> list[str]:
        return [getattr(hit.entry, "text", None) or hit.entry.title for hit in index.symbols(query)]

    assert names("2.3")[0] == "Task 2.3 (#12): Parse the tables 🚀"  # the task, before those mentioning it
    assert names("task 3.2") == ["Task 3.2: Unrelated (#99)"]
    assert names("99") == ["Task 3.2: Unrelated (#99)"]
    assert names("#12")[:2] == ["Task 2.3 (#12): Parse the tables 🚀", "Task 3.1: Depends on Task 2.3 and T10 (Issue #12)"]
    assert names("parser") == ["Phase 2: Parser"]
    assert names("prsr") == ["Phase 2: Parser"]  # fuzzy: its letters in order
    assert names("tokenizer") == ["T10 Tokenizer, see #14"]
    assert names("no such words") == []
    # A heading task is one symbol, the task, not also a section.
    hits = index.symbols("heading task")
    assert [type(hit.entry) for hit in hits] == [TaskEntry]
    assert any(isinstance(hit.entry, SectionEntry) for hit in index.symbols("roadmap"))


def test_an_empty_query_lists_everything_up_to_the_limit():
    index = _index(roadmap=ROADMAP, next=NEXT, archive=ARCHIVE)
    assert len(index.symbols("")) == 3 + 4 - 1 + 2 + 2 + 1 + 1  # sections (less the heading task) and tasks
    assert len(index.symbols("", limit=3)) == 3
