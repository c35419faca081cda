from __future__ import annotations

from backlog_ls.rules import empty_task

from .fixture import assert_findings, findings_for, fixed


def test_empty_tasks_open_done_numbered_quoted():
    assert_findings(
        """
        # Backlog
        - [x] Write the parser
        - [ ]
        ^^^^^ BL202 warning: Empty task: '- [ ]' has no text.
        - [x]   
        ^^^^^ BL202 warning: Empty task: '- [x]' has no text.
        1. [ ]
        ^^^^^^ BL202 warning: Empty task: '1. [ ]' has no text.
        > - [ ]
          ^^^^^ BL202 warning: Empty task: '- [ ]' has no text.
        - [ ] Write the checker
          - [ ]
          ^^^^^ BL202 warning: Empty task: '- [ ]' has no text.
        """,
        rule="empty-task",
    )


def test_not_empty():
    assert_findings(
        """
        - [ ] text
        - [ ]
          the text on the next line
        - plain bullet
        -
        - [ ] <!-- todo -->
        ```
        - [ ]
        ```
        """,
        rule="empty-task",
    )


def test_empty_with_subtasks_has_no_delete_fix():
    found = assert_findings(
        """
        - [ ]
        ^^^^^ BL202 warning: Empty task: '- [ ]' has no text.
          - [ ] sub-task
        """,
        rule="BL202",
    )
    assert found[0].fixes == ()


def test_delete_fix_is_offered_but_not_safe():
    found = findings_for("- [x] a\n- [ ]\n- [ ] b\n", rule="BL202")
    assert [(fix.title, fix.safe) for fix in found[0].fixes] == [("Delete the empty task", False)]
    assert not found[0].fixable
    assert fixed("- [x] a\n- [ ]\n- [ ] b\n", rule="BL202") == "- [x] a\n- [ ] b\n"
    # Blank lines around it: one goes with it.
    assert fixed("- [x] a\n\n- [ ]\n\n- [ ] b\n", rule="BL202") == "- [x] a\n\n- [ ] b\n"
    # The last line, with and without a final line break.
    assert fixed("- [x] a\n- [ ]", rule="BL202") == "- [x] a"
    assert fixed("- [x] a\n- [ ]\n", rule="BL202") == "- [x] a\n"
    assert fixed("- [ ]", rule="BL202") == ""


def test_docstring_shows_bad_and_good():
    doc = empty_task.__doc__
    assert doc.startswith("empty-task (BL202): ")
    assert "\nBad:\n" in doc and "\nGood:\n" in doc


def test_a_list_of_one_empty_box_is_a_template_slot():
    from .fixture import findings_for

    assert findings_for("# TODO\n\n## Now\n\n- [ ]\n\n## Next\n\n- [ ]\n", rule="BL202") == []
    assert [f.code for f in findings_for("## Now\n\n- [ ] a\n- [ ]\n", rule="BL202")] == ["BL202"]
