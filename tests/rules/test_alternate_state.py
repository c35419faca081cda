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
