"""Navigation over the index (features/navigation.py): what each request finds, text by text."""

from __future__ import annotations

import pytest

from backlog_ls.features import navigation
from backlog_ls.parse import parse
from backlog_ls.workspace_index import WorkspaceIndex, summarize

FILES = {
    "ROADMAP.md": "# Roadmap\n\n## Phase 2: Parser\n\n- [ ] **Task 2.3 (#12):** Parse tables\n- [ ] Task 2.4: After Task 2.3\n",
    "plans/next.md": "# Next\n\n- [ ] Task 3.1: Depends on Task 2.3 (Issue #12)\n- [~] T10 Tokenizer\n",
    "ARCHIVE.md": "# Archive\n\n### Task 1.1: Old ✅\n\nSee Task 2.3 and owner/repo#12.\n",
}


def _workspace() -> tuple[WorkspaceIndex, dict[str, str]]:
    index = WorkspaceIndex()
    for name, text in FILES.items():
        index.update(f"file:///w/{name}", summarize(parse(text)))
    return index, {f"file:///w/{name}": text for name, text in FILES.items()}


def _text(texts: dict[str, str], place) -> tuple[str, str]:
    line = texts[place.uri].split("\n")[place.span.start_line]
    return place.uri.removeprefix("file:///w/"), line[place.span.start_col : place.span.end_col]


def _at(index: WorkspaceIndex, name: str, line: int, column: int):
    return navigation.symbol_at(index.get(f"file:///w/{name}"), line, column)


def _apply(text: str, edits) -> str:
    lines = text.split("\n")
    for edit in sorted(edits, key=lambda e: e.span, reverse=True):
        span = edit.span
        line = lines[span.start_line]
        lines[span.start_line] = line[: span.start_col] + edit.new_text + line[span.end_col :]
    return "\n".join(lines)


def test_definition_of_a_mention_in_another_file_is_the_task():
    index, texts = _workspace()
    mention = _at(index, "plans/next.md", 2, 30)  # "Task 2.3"
    assert mention.text == "Task 2.3"
    assert [_text(texts, p) for p in navigation.definition(index, mention)] == [("ROADMAP.md", "Task 2.3")]


def test_definition_of_an_issue_is_the_task_naming_it():
    index, texts = _workspace()
    mention = _at(index, "ARCHIVE.md", 4, 25)  # owner/repo#12, in prose
    found = [_text(texts, p) for p in navigation.definition(index, mention)]
    assert found == [("ROADMAP.md", "**Task 2.3 (#12):** Parse tables"), ("plans/next.md", "Task 3.1: Depends on Task 2.3 (Issue #12)")]


def test_references_of_an_issue_across_files():
    index, texts = _workspace()
    mention = _at(index, "ROADMAP.md", 4, 19)
    assert [_text(texts, p) for p in navigation.references(index, mention)] == [
        ("ARCHIVE.md", "owner/repo#12"),
        ("ROADMAP.md", "#12"),
        ("plans/next.md", "Issue #12"),
    ]


def test_references_of_a_task_id_with_and_without_its_name():
    index, texts = _workspace()
    mention = _at(index, "ROADMAP.md", 5, 25)
    every = [_text(texts, p) for p in navigation.references(index, mention)]
    assert every == [("ARCHIVE.md", "Task 2.3"), ("ROADMAP.md", "Task 2.3"), ("ROADMAP.md", "Task 2.3"), ("plans/next.md", "Task 2.3")]
    assert len(navigation.references(index, mention, include_declaration=False)) == 3


def test_highlights_mark_the_name_and_the_mentions_in_the_file():
    index, _ = _workspace()
    summary = index.get("file:///w/ROADMAP.md")
    found = navigation.highlights(summary, _at(index, "ROADMAP.md", 4, 10))
    assert [(h.span.start_line, h.is_name) for h in found] == [(4, True), (5, False)]


def test_rename_a_task_id_rewrites_every_file():
    index, texts = _workspace()
    mention = navigation.prepare_rename(index.get("file:///w/ROADMAP.md"), 4, 10)
    assert mention.text == "Task 2.3"
    edits = navigation.rename_edits(index, mention, "Task 2.7")
    after = {uri.removeprefix("file:///w/"): _apply(texts[uri], found) for uri, found in edits.items()}
    assert after == {
        "ROADMAP.md": "# Roadmap\n\n## Phase 2: Parser\n\n- [ ] **Task 2.7 (#12):** Parse tables\n- [ ] Task 2.4: After Task 2.7\n",
        "plans/next.md": "# Next\n\n- [ ] Task 3.1: Depends on Task 2.7 (Issue #12)\n- [~] T10 Tokenizer\n",
        "ARCHIVE.md": "# Archive\n\n### Task 1.1: Old ✅\n\nSee Task 2.7 and owner/repo#12.\n",
    }
    # A bare number keeps the word; another word replaces the whole ID.
    assert navigation.new_task_id("Task 2.3", "2.7") == "Task 2.7"
    t_edits = navigation.rename_edits(index, mention, "T5")
    assert _apply(texts["file:///w/plans/next.md"], t_edits["file:///w/plans/next.md"]).split("\n")[2] == "- [ ] Task 3.1: Depends on T5 (Issue #12)"


@pytest.mark.parametrize("new_name", ["", "Parser", "Task", "2.3 beta", "#12"])
def test_rename_refuses_what_is_not_a_task_id(new_name):
    index, _ = _workspace()
    mention = _at(index, "ROADMAP.md", 4, 10)
    with pytest.raises(navigation.RenameRefused, match="is not a task ID"):
        navigation.rename_edits(index, mention, new_name)


def test_prepare_rename_refuses_an_issue_and_plain_text():
    index, _ = _workspace()
    summary = index.get("file:///w/ROADMAP.md")
    assert navigation.prepare_rename(summary, 4, 19) is None  # #12
    assert navigation.prepare_rename(summary, 4, 30) is None  # "Parse tables"
    with pytest.raises(navigation.RenameRefused):
        navigation.rename_edits(index, navigation.symbol_at(summary, 4, 19), "#13")


def test_renumbering_moves_mentions_in_other_files_and_swaps():
    index, texts = _workspace()
    roadmap_uri = "file:///w/ROADMAP.md"
    names = {m.span for m in index.get(roadmap_uri).mentions if m.defines and m.kind == "task"}
    edits = navigation.renumber_edits(index, {"Task 2.3": "Task 2.4", "Task 2.4": "Task 2.3"}, {roadmap_uri: names})
    roadmap = _apply(texts[roadmap_uri], edits[roadmap_uri])
    # The names are the renumbering's own edits; the mention follows.
    assert roadmap.split("\n")[4:6] == ["- [ ] **Task 2.3 (#12):** Parse tables", "- [ ] Task 2.4: After Task 2.4"]
    assert "Depends on Task 2.4" in _apply(texts["file:///w/plans/next.md"], edits["file:///w/plans/next.md"])


def _renumbered(text: str, other: str, line: int) -> tuple[dict, str, str]:
    """The section renumbering at ``line`` of plan.md with the edits that follow it: (old ID ->
    new ID, plan.md after, other.md after)."""
    from backlog_ls.features import renumber

    index = WorkspaceIndex()
    backlog = parse(text)
    index.update("file:///w/plan.md", summarize(backlog))
    index.update("file:///w/other.md", summarize(parse(other)))
    (action,) = renumber.renumber_actions(backlog, line)
    renamed, _ = navigation.renamed_ids(index.get("file:///w/plan.md"), backlog.lines, action.edits)
    following = navigation.following_edits(index, "file:///w/plan.md", backlog.lines, action.edits)
    plan = _apply(text, list(action.edits) + following.get("file:///w/plan.md", []))
    return renamed, plan, _apply(other, following.get("file:///w/other.md", []))


def test_the_renumber_action_is_followed_in_every_file():
    text = "# Plan\n\n## Phase 2: Parser\n\n- [ ] Task 2.5: First\n- [ ] Task 2.3: After Task 2.5\n"
    other = "# Other\n\n- [ ] Task 9.1: Wait for Task 2.3 and Task 2.5\n"
    renamed, plan, other_after = _renumbered(text, other, 2)
    assert renamed == {"Task 2.5": "Task 2.1", "Task 2.3": "Task 2.2"}
    assert plan == "# Plan\n\n## Phase 2: Parser\n\n- [ ] Task 2.1: First\n- [ ] Task 2.2: After Task 2.1\n"
    assert other_after == "# Other\n\n- [ ] Task 9.1: Wait for Task 2.2 and Task 2.1\n"


def test_workspace_symbols_name_the_state_and_the_section():
    index, texts = _workspace()
    found = navigation.workspace_symbols(index, "tokenizer", {"~": "in progress"})
    assert [(s.name, s.kind, s.detail, s.container) for s in found] == [("T10 Tokenizer (in progress)", "task", "in progress", "Next")]
    assert _text(texts, found[0].place) == ("plans/next.md", "T10 Tokenizer")
    by_id = navigation.workspace_symbols(index, "2.3")
    assert by_id[0].name == "Task 2.3 (#12): Parse tables (open)"
    heading_task = navigation.workspace_symbols(index, "old")
    assert [(s.name, s.kind) for s in heading_task] == [("Task 1.1: Old ✅ (done)", "task")]


def test_a_link_goes_to_the_heading_and_a_heading_lists_the_links_to_it():
    index = WorkspaceIndex()
    texts = {
        "/w/ROADMAP.md": "# Roadmap\n\n## Phase 2: Parser\n\nSee [the plan](docs/next.md#later-work) and [below](#phase-2-parser).\n",
        "/w/docs/next.md": "# Next\n\n## Later work\n\n- [ ] Task 3.1 ([back](../ROADMAP.md#phase-2-parser))\n",
    }
    for path, text in texts.items():
        index.update("file://" + path, summarize(parse(text)), path)
    roadmap = index.get("file:///w/ROADMAP.md")
    link = navigation.link_at(roadmap, 4, 8)
    place = navigation.link_definition(index, "/w/ROADMAP.md", link, "file:///w/ROADMAP.md")
    assert (place.uri, place.span.start_line) == ("file:///w/docs/next.md", 2)
    section = navigation.section_at(roadmap, 2)
    found = navigation.heading_references(index, "file:///w/ROADMAP.md", section)
    assert [(p.uri, texts[p.uri[7:]].split("\n")[p.span.start_line][p.span.start_col : p.span.end_col]) for p in found] == [
        ("file:///w/ROADMAP.md", "## Phase 2: Parser"),
        ("file:///w/ROADMAP.md", "[below](#phase-2-parser)"),
        ("file:///w/docs/next.md", "[back](../ROADMAP.md#phase-2-parser)"),
    ]
    assert navigation.link_definition(index, "/w/ROADMAP.md", navigation.link_at(roadmap, 4, 50), "file:///w/ROADMAP.md").span.start_line == 2


def test_a_file_naming_its_own_task_with_a_shared_id_keeps_it():
    index = WorkspaceIndex()
    texts = {
        "specs/a/tasks.md": "- [ ] T10 Search index\n- [ ] T11 After T10\n",
        "specs/b/tasks.md": "- [ ] T10 Billing\n- [ ] T12 After T10\n",
        "ROADMAP.md": "- [ ] Task 1.1: Ship T10 of spec a\n",
    }
    for name, text in texts.items():
        index.update(f"file:///w/{name}", summarize(parse(text)))
    a = "file:///w/specs/a/tasks.md"
    mention = navigation.symbol_at(index.get(a), 1, 17)
    # From spec a, T10 is spec a's task: spec b's T10 and its mention are another task. The
    # roadmap names no T10 of its own: its mention follows (it cannot say which it means).
    assert [p.uri for p in navigation.definition(index, mention, a)] == [a]
    assert {p.uri for p in navigation.references(index, mention, uri=a)} == {a, "file:///w/ROADMAP.md"}
    assert sorted(navigation.rename_edits(index, mention, "T20", a)) == ["file:///w/ROADMAP.md", a]
    # From the roadmap, which names no T10, nothing tells which is meant: both.
    roadmap_mention = navigation.symbol_at(index.get("file:///w/ROADMAP.md"), 0, 22)
    assert len(navigation.definition(index, roadmap_mention, "file:///w/ROADMAP.md")) == 2


PROJECT_IDS = {
    "ROADMAP.md": "# Roadmap\n\n- [ ] **CORE-01.1 (PROJ-123):** Parse the roadmap\n- [ ] CORE-01.2: After CORE-01.1\n",
    "plans/next.md": "# Next\n\n- [ ] Ship it, depends on CORE-01.1 and PROJ-123\n",
}


def test_a_dotted_project_task_id_is_defined_referenced_and_renamed_across_files():
    index = WorkspaceIndex()
    for name, text in PROJECT_IDS.items():
        index.update(f"file:///w/{name}", summarize(parse(text)))
    texts = {f"file:///w/{name}": text for name, text in PROJECT_IDS.items()}
    mention = _at(index, "plans/next.md", 2, 30)
    assert mention.text == "CORE-01.1"
    assert [_text(texts, p) for p in navigation.definition(index, mention)] == [("ROADMAP.md", "CORE-01.1")]
    assert [_text(texts, p) for p in navigation.references(index, mention)] == [
        ("ROADMAP.md", "CORE-01.1"),
        ("ROADMAP.md", "CORE-01.1"),
        ("plans/next.md", "CORE-01.1"),
    ]
    edits = navigation.rename_edits(index, mention, "CORE-02.1")
    assert _apply(PROJECT_IDS["ROADMAP.md"], edits["file:///w/ROADMAP.md"]).split("\n")[2:4] == [
        "- [ ] **CORE-02.1 (PROJ-123):** Parse the roadmap",
        "- [ ] CORE-01.2: After CORE-02.1",
    ]
    assert _apply(PROJECT_IDS["plans/next.md"], edits["file:///w/plans/next.md"]).split("\n")[2] == (
        "- [ ] Ship it, depends on CORE-02.1 and PROJ-123"
    )
    # Its ID puts the task first among the symbols (the mention after it holds the same words).
    assert [s.name for s in navigation.workspace_symbols(index, "CORE-01.1")][:1] == ["CORE-01.1 (PROJ-123): Parse the roadmap (open)"]
    # The Jira key beside it is no task ID: nothing to go to, nothing to rename.
    assert _at(index, "plans/next.md", 2, 44) is None
    assert navigation.prepare_rename(index.get("file:///w/ROADMAP.md"), 2, 22) is None


def test_renumbering_a_duplicated_id_leaves_the_other_task_and_the_ambiguous_mentions_alone():
    # "Task 6.1" names two tasks: renumbering makes the second "Task 6.2". The first keeps its
    # name (it used to be renamed too, both ending as 6.2), and a mention of "Task 6.1" could
    # mean either: it is left as written.
    text = "# Plan\n\n## Phase 6: Ship\n\n- [ ] Task 6.1: First\n- [ ] Task 6.1: Second\n- [ ] Task 6.3: After Task 6.1\n"
    other = "# Other\n\n- [ ] Task 9.1: Wait for Task 6.1 and Task 6.3\n"
    _, plan, other_after = _renumbered(text, other, 4)
    assert plan == "# Plan\n\n## Phase 6: Ship\n\n- [ ] Task 6.1: First\n- [ ] Task 6.2: Second\n- [ ] Task 6.3: After Task 6.1\n"
    assert other_after == other
