"""Move task to section (pure): before/after texts."""

from __future__ import annotations

from backlog_ls.features.edits import apply_edits
from backlog_ls.features.move import (
    move_actions,
    nearest_targets,
    offers_command,
    task_to_move,
)
from backlog_ls.parse import parse


def _move(text: str, line: int, target: str, newline: str = "\n") -> str:
    actions = {action.title: action for action in move_actions(parse(text), line, newline)}
    return apply_edits(text, actions[f"Move task to '{target}'"].edits)


DOC = "# P\n\n## A\n- [ ] a 😀\n  - [ ] a1\n  more 解析\n- [ ] b\n\n## B\n\n- [ ] c\n\n## C\nprose\n"


def test_one_action_per_other_section():
    # Not the title above the sections ('P') nor a section holding no tasks ('C').
    assert [a.title for a in move_actions(parse(DOC), 4)] == ["Move task to 'B'"]
    assert move_actions(parse(DOC), 2) == [] and move_actions(parse(DOC), 13) == []  # heading, prose


def test_moves_the_whole_tree_to_the_end_of_the_last_list():
    assert _move(DOC, 3, "B") == "# P\n\n## A\n- [ ] b\n\n## B\n\n- [ ] c\n- [ ] a 😀\n  - [ ] a1\n  more 解析\n\n## C\nprose\n"


def _move_into(text: str, line: int, title: str) -> str:
    """Moved by the edit itself, into a section the actions do not offer (no tasks there yet)."""
    from backlog_ls.features.move import all_sections, move_edits

    backlog = parse(text)
    (section,) = [s for s in all_sections(backlog) if s.title == title]
    return apply_edits(text, move_edits(backlog, task_to_move(backlog, line), section))


def test_section_without_a_list_gets_one_after_its_content():
    assert _move_into(DOC, 3, "C") == "# P\n\n## A\n- [ ] b\n\n## B\n\n- [ ] c\n\n## C\nprose\n\n- [ ] a 😀\n  - [ ] a1\n  more 解析\n"
    # The parent section: before its first subsection.
    assert _move_into(DOC, 6, "P") == "# P\n\n- [ ] b\n\n## A\n- [ ] a 😀\n  - [ ] a1\n  more 解析\n\n## B\n\n- [ ] c\n\n## C\nprose\n"


def test_no_stray_blank_line_behind():
    # The only item of a list, between blank lines: one blank line goes with it.
    assert _move(DOC, 10, "A") == "# P\n\n## A\n- [ ] a 😀\n  - [ ] a1\n  more 解析\n- [ ] b\n- [ ] c\n\n## B\n\n## C\nprose\n"
    # The last item of the document.
    text = "## A\n- [ ] a\n\n## B\n\n- [ ] b\n"
    assert _move(text, 5, "A") == "## A\n- [ ] a\n- [ ] b\n\n## B\n"
    # No final newline.
    text = "## A\n- [ ] a\n\n## B\n\n- [ ] b"
    assert _move(text, 5, "A") == "## A\n- [ ] a\n- [ ] b\n\n## B"


def test_reindents_only_when_the_indent_differs():
    text = "## A\n- [ ] a\n  - [ ] nested\n    - [x] deeper\n\n## B\n* [ ] b\n"
    assert _move(text, 2, "B") == "## A\n- [ ] a\n\n## B\n* [ ] b\n- [ ] nested\n  - [x] deeper\n"
    same = text.replace("* [ ] b", "  * [ ] b")  # the same indent: the text moves unchanged
    assert _move(same, 2, "B") == "## A\n- [ ] a\n\n## B\n  * [ ] b\n  - [ ] nested\n    - [x] deeper\n"
    assert _move(same, 6, "A") == "## A\n- [ ] a\n  - [ ] nested\n    - [x] deeper\n* [ ] b\n\n## B\n"


def test_crlf():
    text = "## A\r\n- [ ] a\r\n\r\n## B\r\n- [ ] b 😀\r\n"
    assert _move(text, 1, "B", "\r\n") == "## A\r\n\r\n## B\r\n- [ ] b 😀\r\n- [ ] a\r\n"


def test_many_sections_offer_the_command_instead():
    text = "".join(f"## S{n}\n- [ ] t{n}\n\n" for n in range(30))
    backlog = parse(text)
    assert move_actions(backlog, 1) == [] and offers_command(backlog, 1)
    assert not offers_command(parse(DOC), 3)
    task = task_to_move(backlog, 31)  # t10
    chosen = nearest_targets(backlog, task)
    assert len(chosen) == 20 and [s.title for s in chosen][:3] == ["S0", "S1", "S2"]
    assert "S10" not in [s.title for s in chosen]


def test_the_definition_of_done_is_no_target_even_with_checkbox_criteria():
    text = "# Plan\n\n## Definition of Done\n- [ ] Tests pass\n- [ ] Docs updated\n\n## Phase 1\n- [ ] a\n## Phase 2\n- [ ] b\n"
    assert [a.title for a in move_actions(parse(text), 7)] == ["Move task to 'Phase 2'"]
    many = text + "".join(f"## S{n}\n- [ ] t{n}\n" for n in range(30))
    backlog = parse(many)
    assert offers_command(backlog, 7)
    names = [s.title for s in nearest_targets(backlog, task_to_move(backlog, 7), limit=100)]
    assert "Definition of Done" not in names and "Plan" not in names and "Phase 2" in names


from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from backlog_ls.features import move as move_features  # noqa: E402

from .test_item_at import SECTION_PIECES  # noqa: E402


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(SECTION_PIECES + ["## Definition of Done\n", "- [x] done\n"]), min_size=1, max_size=50).map("".join))
def test_whether_a_task_has_a_target_is_what_the_list_of_targets_says(text):
    # The command is offered on a big document when a target exists: found without the section tree.
    backlog = parse(text)
    for line in range(len(backlog.lines)):
        task = move_features.task_to_move(backlog, line)
        if task is not None:
            assert move_features._has_target(backlog, task) == bool(move_features.targets(backlog, task)), (line, text)
