from __future__ import annotations

from .fixture import assert_findings, findings_for, fixed

RULE = "parent-not-done"


def test_all_subtasks_done_parent_open_with_fix():
    annotated = """
        - [ ] Validate the configuration
          ^^^ BL302 hint: All 2 subtasks are done, but this task is not ticked.
          - [x] Parse the file
          - [X] Report unknown keys
        """
    found = assert_findings(annotated, rule=RULE)
    assert [(fix.title, fix.safe, fix.preferred) for fix in found[0].fixes] == [("Tick this task", False, True)]
    assert not found[0].fixable
    assert fixed(annotated, rule=RULE) == (
        "- [x] Validate the configuration\n  - [x] Parse the file\n  - [X] Report unknown keys\n"
    )


def test_only_subtask_any_depth_and_through_plain_bullets():
    assert_findings(
        """
        - [ ] one subtask
          ^^^ BL302 hint: Its only subtask is done, but this task is not ticked.
          - [x] the one
        - [ ] Release
          ^^^ BL302 hint: All 3 subtasks are done, but this task is not ticked.
          - Packaging
            - [x] Build wheels
            - [x] Publish
              - [x] Sign the tag
        """,
        rule=RULE,
    )


def test_quoted_ordered_and_tab_indented():
    annotated = """
        > - [ ] quoted
            ^^^ BL302 hint: Its only subtask is done, but this task is not ticked.
        >   - [x] quoted child
        1. [ ] ordered
           ^^^ BL302 hint: Its only subtask is done, but this task is not ticked.
           1. [x] ordered child
        - [ ] tabbed
          ^^^ BL302 hint: Its only subtask is done, but this task is not ticked.
        \t- [x] tabbed child
        """
    assert_findings(annotated, rule=RULE)
    assert fixed(annotated, rule=RULE, finding_index=0).startswith("> - [x] quoted\n")


def test_no_hint_without_task_descendants_or_with_open_ones():
    assert_findings(
        """
        - [ ] no children
        - [ ] only notes below
          - a plain note
          - another note
        - [ ] one open subtask left
          - [x] done
          - [ ] open
        - [ ] an open grandchild
          - [x] done
            - [ ] open below a ticked one
        - [x] already ticked
          - [x] done
        - plain bullet over done tasks
          - [x] done
        """,
        rule=RULE,
    )


def test_states():
    config = 'states = { "~" = "in-progress", "-" = "cancelled" }'
    assert_findings(
        """
        - [ ] done and cancelled
          ^^^ BL302 hint: All 2 subtasks are done or cancelled, but this task is not ticked.
          - [x] done
          - [-] cancelled
        - [ ] only cancelled: nothing was done here
          - [-] cancelled
        - [~] in progress parent
          ^^^ BL302 hint: Its only subtask is done, but this task is not ticked.
          - [x] done
        - [-] cancelled parent
          - [x] done
        - [ ] an in-progress subtask is not done
          - [x] done
          - [~] started
        """,
        rule=RULE,
        config=config,
    )


def test_is_a_hint_and_can_be_turned_off():
    text = "- [ ] parent\n  - [x] child\n"
    assert [f.severity for f in findings_for(text, rule=RULE)] == ["hint"]
    assert findings_for(text, rule=RULE, config='[rules]\nparent-not-done = "off"') == []
