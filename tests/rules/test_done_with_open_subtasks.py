from __future__ import annotations

from .fixture import assert_findings, findings_for, fixed, split_annotations

RULE = "done-with-open-subtasks"


def test_ticked_task_over_open_subtasks_with_both_fixes():
    annotated = """
        ## Phase 1: Config

        - [x] Validate the configuration
          ^^^ BL301 error: Task is ticked but 2 of its 3 subtasks are open (line 5: 'Report unknown keys').
          - [x] Parse the file
          - [ ] Report unknown keys
          - [ ] Point at the line
        - [x] Unrelated and fine
        """
    found = assert_findings(annotated, rule=RULE)
    assert [fix.title for fix in found[0].fixes] == ["Untick this task", "Tick all subtasks"]
    assert not found[0].fixable  # neither is applied by --fix: a human decides
    assert fixed(annotated, rule=RULE, fix_index=0) == (
        "## Phase 1: Config\n\n"
        "- [ ] Validate the configuration\n"
        "  - [x] Parse the file\n"
        "  - [ ] Report unknown keys\n"
        "  - [ ] Point at the line\n"
        "- [x] Unrelated and fine\n"
    )
    assert fixed(annotated, rule=RULE, fix_index=1) == (
        "## Phase 1: Config\n\n"
        "- [x] Validate the configuration\n"
        "  - [x] Parse the file\n"
        "  - [x] Report unknown keys\n"
        "  - [x] Point at the line\n"
        "- [x] Unrelated and fine\n"
    )


def test_message_counts():
    assert_findings(
        """
        - [x] one subtask
          ^^^ BL301 error: Task is ticked but its subtask is open (line 2: 'only one').
          - [ ] only one
        - [X] two subtasks, both open
          ^^^ BL301 error: Task is ticked but both of its subtasks are open (line 4: 'first').
          - [ ] first
          - [ ] second
        - [x] three subtasks, all open
          ^^^ BL301 error: Task is ticked but all 3 of its subtasks are open (line 7: 'a').
          - [ ] a
          - [ ] b
          - [ ] c
        - [x] one of four open
          ^^^ BL301 error: Task is ticked but 1 of its 4 subtasks is open (line 14: 'd, with a rather long text that goes on and on an…').
          - [x] a
          - [x] b
          - [x] c
          - [ ] d, with a rather long text that goes on and on and on
        """,
        rule=RULE,
    )


def test_any_depth_and_through_plain_bullets():
    annotated = """
        - [x] Release 1.0
          - Packaging
            - [x] Build wheels
            - [x] Publish
              ^^^ BL301 error: Task is ticked but its subtask is open (line 5: 'Sign the tag').
              - [ ] Sign the tag
        """
    assert_findings(annotated, rule=RULE)
    # One open task, one finding: at the nearest ticked task, the ticked ones above as related lines.
    text = "- [x] A\n  - [x] B\n    - [ ] C\n"
    (found,) = findings_for(text, rule=RULE)
    assert (found.span.start_line, found.message) == (1, "Task is ticked but its subtask is open (line 3: 'C').")
    assert [(r.span.start_line, r.message) for r in found.related] == [(0, "Ticked above it too: 'A'.")]
    # Once B is unticked, A is the nearest ticked task of C (nothing is lost).
    (found,) = findings_for(fixed(text, rule=RULE), rule=RULE)
    assert (found.span.start_line, found.message) == (0, "Task is ticked but both of its subtasks are open (line 2: 'B').")
    # A ticked task above with an open subtask of its own is reported for that one.
    found = findings_for("- [x] A\n  - [ ] D\n  - [x] B\n    - [ ] C\n", rule=RULE)
    assert [(f.span.start_line, f.message) for f in found] == [
        (0, "Task is ticked but 2 of its 3 subtasks are open (line 2: 'D')."),
        (2, "Task is ticked but its subtask is open (line 4: 'C')."),
    ]
    text, _ = split_annotations(annotated)
    assert fixed(annotated, rule=RULE, fix_index=1) == text.replace("- [ ] Sign", "- [x] Sign")


def test_block_quote():
    # An annotation line holds only white space before its carets, even under a quoted line.
    annotated = """
        > - [x] quoted task
            ^^^ BL301 error: Task is ticked but its subtask is open (line 2: 'quoted subtask').
        >   - [ ] quoted subtask
        """
    assert_findings(annotated, rule=RULE)
    assert fixed(annotated, rule=RULE, fix_index=1) == "> - [x] quoted task\n>   - [x] quoted subtask\n"
    assert fixed(annotated, rule=RULE, fix_index=0) == "> - [ ] quoted task\n>   - [ ] quoted subtask\n"


def test_ordered_lists():
    annotated = """
        1. [x] ordered task
           ^^^ BL301 error: Task is ticked but its subtask is open (line 2: 'ordered subtask').
           1. [ ] ordered subtask
        2) [x] closing parenthesis
           ^^^ BL301 error: Task is ticked but its subtask is open (line 4: 'bullet under a number').
           - [ ] bullet under a number
        """
    assert_findings(annotated, rule=RULE)
    assert fixed(annotated, rule=RULE, fix_index=1).split("\n")[1] == "   1. [x] ordered subtask"


def test_tab_indentation():
    annotated = """
        - [x] tab-indented parent
          ^^^ BL301 error: Task is ticked but its subtask is open (line 2: 'tab-indented child').
        \t- [ ] tab-indented child
        """
    assert_findings(annotated, rule=RULE)
    assert fixed(annotated, rule=RULE, fix_index=1) == "- [x] tab-indented parent\n\t- [x] tab-indented child\n"


def test_states_cancelled_subtasks_are_not_open_other_states_are():
    text = "- [x] parent\n  - [-] dropped idea\n  - [x] done\n"
    assert findings_for(text, rule=RULE, config='states = { "-" = "cancelled" }') == []
    for meaning in ("canceled", "dropped", "wontfix", "skipped", "Won't fix"):
        assert findings_for(text, rule=RULE, config=f'states = {{ "-" = "{meaning}" }}') == [], meaning
    assert_findings(
        """
        - [x] parent
          ^^^ BL301 error: Task is ticked but 1 of its 2 subtasks is open (line 2: 'started').
          - [~] started
          - [-] dropped
        """,
        rule=RULE,
        config='states = { "~" = "in-progress", "-" = "cancelled" }',
    )
    # An undeclared state is not done: the subtask counts as open (BL201 reports the state itself).
    assert_findings(
        """
        - [x] parent
          ^^^ BL301 error: Task is ticked but its subtask is open (line 2: 'what is this').
          - [?] what is this
        """,
        rule=RULE,
    )
    # A parent in a custom done state is ticked too.
    assert_findings(
        """
        - [+] verified parent
          ^^^ BL301 error: Task is ticked but its subtask is open (line 2: 'child').
          - [ ] child
        """,
        rule=RULE,
        config='states = { "+" = "done" }',
    )


def test_no_finding_when_consistent():
    assert_findings(
        """
        - [ ] open parent
          - [ ] open child
        - [x] done parent
          - [x] done child
          - a plain note
        - [x] no children
        - plain bullet
          - [ ] open task under a plain bullet
        """,
        rule=RULE,
    )


def test_suppression_and_severity():
    text = "- [x] parent\n  - [ ] child\n"
    assert findings_for("<!-- backlog-ls-disable-next-line BL301 -->\n" + text, rule=RULE) == []
    found = findings_for(text, rule=RULE, config='[rules]\ndone-with-open-subtasks = "warning"')
    assert [f.severity for f in found] == ["warning"]


def test_a_cancelled_subtask_by_default_does_not_keep_its_parent_open():
    from .fixture import findings_for

    assert findings_for("- [x] Ship\n  - [x] Build\n  - [-] Port to Windows\n", rule="BL301") == []
    assert [f.code for f in findings_for("- [x] Ship\n  - [/] Build\n", rule="BL301")] == ["BL301"]


def test_a_subtask_struck_through_whole_is_cancelled():
    from .fixture import findings_for

    assert findings_for("- [x] Ship\n  - [x] Build\n  - [ ] ~~Port to Windows~~\n", rule="BL301") == []
    assert [f.code for f in findings_for("- [x] Ship\n  - [ ] ~~Port~~ to Windows\n", rule="BL301")] == ["BL301"]


def test_a_deferred_subtask_in_state_or_in_words_does_not_keep_its_parent_open():
    from .fixture import findings_for

    text = (
        "- [x] Ship\n"
        "  - [>] Port to Windows\n"
        "  - [ ] Add search - **DEFERRED to Phase 4a**\n"
        "  - [ ] `ClipObserver` class (TODO: Phase 5f)\n"
        "  - [ ] Hammerspoon (Optional - Future Enhancement)\n"
    )
    assert findings_for(text, rule="BL301") == []
    assert [f.code for f in findings_for("- [x] Ship\n  - [ ] Port the later parts\n", rule="BL301")] == ["BL301"]


def test_the_subtasks_of_a_deferred_or_cancelled_subtask_go_with_it():
    from .fixture import findings_for

    text = "- [x] Observers\n  - [x] Track\n  - [ ] Clip (TODO: Phase 5f)\n    - [ ] trigger\n  - [-] Scene\n    - [ ] name\n"
    assert findings_for(text, rule="BL301") == []
