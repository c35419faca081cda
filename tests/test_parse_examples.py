"""The parser on the three backlogs the product was conceived from."""

from __future__ import annotations

from backlog_ls.parse import parse


def _task(backlog, needle):
    return next(task for task in backlog.tasks() if needle in task.text)


def test_000_phases_are_sections_with_numbers(example_text):
    backlog = parse(example_text("000_d75c51bba9a042cf"))
    (top,) = backlog.sections
    assert top.title == "Pharos Project Backlog"
    titles = [section.title for section in top.children]
    assert titles[0] == "Definition of Done (DoD)"
    assert "Phase 2: Core Server (`pharos`) MVP" in titles
    numbers = {section.title.split(":")[0]: section.number for section in top.children}
    assert numbers["Phase 14"] == "14"
    assert numbers["Phase 19"] == "19"
    assert numbers["Bug Tracker & Unplanned Work"] is None
    assert len(titles) == 21


def test_000_task_2_3_references_issue_9(example_text):
    backlog = parse(example_text("000_d75c51bba9a042cf"))
    task = _task(backlog, "Task 2.3")
    assert task.checkbox == "x"
    assert [(ref.number, ref.text, ref.style) for ref in task.refs.issues] == [(9, "Issue #9", "word")]
    assert [task_id.number for task_id in task.refs.task_ids] == ["2.3"]
    assert task.refs.title == "Task 2.3 (Issue #9)"
    line = backlog.lines[task.line]
    ref = task.refs.issues[0].span
    assert line[ref.start_col : ref.end_col] == "Issue #9"
    assert line[task.checkbox_span.start_col : task.checkbox_span.end_col] == "[x]"


def test_000_task_14_8_carries_a_placeholder(example_text):
    backlog = parse(example_text("000_d75c51bba9a042cf"))
    task = _task(backlog, "Task 14.8")
    assert task.checkbox == " "
    assert [placeholder.text for placeholder in task.refs.placeholders] == ["#TBD"]
    assert task.refs.issues == ()
    all_placeholders = [p for task in backlog.tasks() for p in task.refs.placeholders]
    assert len(all_placeholders) == 13


def test_000_definition_of_done_is_a_section_with_its_criteria(example_text):
    backlog = parse(example_text("000_d75c51bba9a042cf"))
    dod = backlog.sections[0].children[0]
    assert dod.title == "Definition of Done (DoD)"
    assert [item.marker for item in dod.items] == ["1.", "2.", "3.", "4.", "5.", "6."]
    assert dod.items[0].refs.title == "Local Verification:"[:-1]
    assert not any(item.is_task for item in dod.items)


def test_000_ietf_rfc_reference(example_text):
    backlog = parse(example_text("000_d75c51bba9a042cf"))
    task = _task(backlog, "Task 2.1")
    assert [(rfc.number, rfc.kind, rfc.text) for rfc in task.refs.rfcs] == [(2378, "ietf", "RFC 2378")]


def test_001_tasks_nest_under_a_plain_bullet(example_text):
    backlog = parse(example_text("001_5af4e7fbacbd400f"))
    chat = next(item for item, _ in backlog.walk_items() if item.text == "Global Chat" and item.children)
    assert chat.checkbox is None
    assert [(child.checkbox, child.text[:26]) for child in chat.children] == [
        ("x", "LLM-backed, org-aware resp"),
        ("x", "Chat can initiate tasks vi"),
        (" ", "MCP tool connectors for as"),
        ("x", "Guardrails and simple syst"),
    ]
    # The bullet sits one space in, its tasks four columns further.
    assert chat.indent == 1
    assert {child.indent for child in chat.children} == {4}
    assert not any(task.refs.issues or task.refs.placeholders for task in backlog.tasks())


def test_001_subtasks_belong_to_their_parent(example_text):
    backlog = parse(example_text("001_5af4e7fbacbd400f"))
    parent = next(task for task in backlog.tasks() if task.text.startswith("Go agent binary builds"))
    assert [child.text.split(":")[0] for child in parent.children] == [
        "MCP context",
        "Spec-Kit task run stub",
        "Radicle PR stub",
    ]
    assert parent.span.end_line == parent.children[-1].span.end_line


def test_002_links_to_project_rfcs(example_text):
    backlog = parse(example_text("002_1b7ec6140be80cd5"))
    rfcs = {(rfc.number, rfc.target) for refs in backlog.references() for rfc in refs.rfcs if rfc.kind == "project"}
    assert (26, "../rfcs/0026-configuration-hierarchy.md") in rfcs
    assert (28, "../rfcs/0028-extensibility.md") in rfcs
    link = next(
        link
        for refs in backlog.references()
        for link in refs.links
        if link.target == "../rfcs/0026-configuration-hierarchy.md"
    )
    assert link.span.start_line == 261
    line = backlog.lines[link.span.start_line]
    assert line[link.text_span.start_col : link.text_span.end_col] == "docs/rfcs/0026-configuration-hierarchy.md"
    assert line[link.target_span.start_col : link.target_span.end_col] == link.target
