from __future__ import annotations

from .fixture import assert_findings, findings_for


def test_said_once_per_file_at_info_level_naming_what_each_state_is_read_as():
    found = assert_findings(
        """
        # Plan
        - [x] Write the parser
        - [~] Write the checker
          ^^^ BL206 info: GitHub shows [~], [-] as text, not as a checkbox (3 tasks in this file); backlog-ls reads [~] as in progress, [-] as cancelled.
        - [-] Port to Windows
        - [~] Write the docs
        """,
        rule="alternate-state",
    )
    assert [(r.span.start_line, r.message) for r in found[0].related] == [(3, "First [-] here.")]


def test_declared_meanings_are_the_ones_named():
    (found,) = findings_for("- [~] review\n", rule="BL206", config='states = { "~" = "in review" }')
    assert found.message.endswith("backlog-ls reads [~] as in review.")


def test_nothing_for_plain_boxes_or_unknown_states_and_switchable_off():
    assert findings_for("- [ ] a\n- [x] b\n- [*] c\n", rule="BL206") == []
    assert findings_for("- [~] a\n", rule="BL206", config='[rules]\nalternate-state = "off"') == []


def test_kiros_optional_task_mark_is_said_once_and_is_no_malformed_box():
    text = "# Tasks\n- [-] 1. Build the form\n  - [ ]* 1.1 Write unit tests\n- [ ] 2. Save it\n- [ ]* 2.1 Write property tests\n"
    assert [f.code for f in findings_for(text)] == ["BL206"]
    (found,) = findings_for(text, rule="BL206")
    assert found.message == (
        "GitHub shows [-] as text, not as a checkbox (1 task in this file); backlog-ls reads [-] as cancelled. "
        "GitHub shows [ ]* (Kiro's optional task) as text, not as a checkbox (2 lines in this file); "
        "backlog-ls, like GitHub, does not count them as tasks."
    )
    assert [(r.span.start_line, r.span.start_col, r.message) for r in found.related] == [(2, 4, "First optional task here.")]


def test_a_glued_box_without_the_optional_mark_stays_malformed():
    assert [f.code for f in findings_for("- [ ]*bold* task\n- [ ]x\n")] == ["BL201", "BL201"]
