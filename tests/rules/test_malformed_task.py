from __future__ import annotations

import pytest

from .fixture import assert_findings, findings_for, fixed


def test_malformed_checkboxes_with_fixes():
    assert_findings(
        """
        - [ x] space before the x
          ^^^^ BL201 error: '[ x]' is not a checkbox: write '[x]'.
        - []
          ^^ BL201 error: An empty checkbox: write '[ ]'.
        - [x]text
          ^^^ BL201 error: '[x]' needs a space before the task text.
        -[ ] glued to the marker
        ^^^^ BL201 error: '-[ ]' is not a task: a space must follow the list marker.
        - [x] fine
        - [X] fine too
        """,
        rule="malformed-task",
    )
    assert fixed("- [ x] a\n", rule="BL201") == "- [x] a\n"
    assert fixed("- []\n", rule="BL201") == "- [ ]\n"
    assert fixed("- [x]text\n", rule="BL201") == "- [x] text\n"
    assert fixed("-[ ] glued\n", rule="BL201") == "- [ ] glued\n"


def test_unknown_state_unless_declared():
    assert_findings(
        """
        - [*] starred
          ^^^ BL201 warning: Unknown checkbox state '[*]': use '[ ]' or '[x]', or declare it in the configuration (states = { "*" = "..." }).
        """,
        rule="malformed-task",
    )
    assert_findings("- [*] starred\n", rule="malformed-task", config='states = { "*" = "starred" }')


@pytest.mark.parametrize("state", ["~", "-", "/", ">", "<", "!", "?", "→", "_"])
def test_the_alternate_states_in_wide_use_give_no_warning(state):
    assert findings_for(f"- [{state}] a deliberate state\n  - [x] done\n", rule="malformed-task") == []


def test_a_mark_that_looks_like_a_mistyped_x_is_a_warning_with_the_fix_x():
    found = assert_findings(
        """
        - [c] checked
          ^^^ BL201 warning: '[c]' looks like a mistyped '[x]': GitHub shows it as text, not as a ticked box.
        - [v] ticked
          ^^^ BL201 warning: '[v]' looks like a mistyped '[x]': GitHub shows it as text, not as a ticked box.
        - [×] crossed
          ^^^ BL201 warning: '[×]' looks like a mistyped '[x]': GitHub shows it as text, not as a ticked box.
        - [c]ompile is not a box
        """,
        rule="malformed-task",
    )
    assert [(fix.title, fix.safe, fix.preferred) for f in found for fix in f.fixes] == [("Write '[x]'", True, True)] * 3
    assert fixed("- [c] checked\n", rule="BL201") == "- [x] checked\n"
    assert findings_for("- [v] verified\n", rule="malformed-task", config='states = { "v" = "verified" }') == []


def test_severity_from_configuration_and_off():
    found = assert_findings(
        """
        - []
          ^^ BL201 warning: An empty checkbox: write '[ ]'.
        """,
        rule="malformed-task",
        config='[rules]\nmalformed-task = "warning"',
    )
    assert found[0].fixable
    assert_findings("- []\n", rule="malformed-task", config='[rules]\nmalformed-task = "off"')


def test_suppression_comments():
    assert_findings(
        """
        <!-- backlog-ls-disable-next-line -->
        - []
        - []
          ^^ BL201 error: An empty checkbox: write '[ ]'.
        <!-- backlog-ls-disable malformed-task -->
        - []
        - [ x]
        <!-- backlog-ls-enable malformed-task -->
        - []
          ^^ BL201 error: An empty checkbox: write '[ ]'.
        - [] <!-- backlog-ls-disable-line BL201 -->
        """,
        rule="malformed-task",
    )
    assert_findings("<!-- backlog-ls-disable-file malformed-task -->\n- []\n", rule="malformed-task")
    assert_findings("```\n<!-- backlog-ls-disable-file -->\n```\n- []\n  ^^ BL201 error: An empty checkbox: write '[ ]'.\n", rule="BL201")


def test_select_and_ignore():
    assert_findings("- []\n", rule="malformed-task", ignore=["BL2"])
    assert_findings("- []\n", rule="malformed-task", select=["missing-issue"])
