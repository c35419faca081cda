from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from backlog_ls.parse import parse
from backlog_ls.rules import inconsistent_marker

from .fixture import apply_fix, assert_findings, findings_for, fixed


def test_bullet_changes_inside_one_visual_list():
    assert_findings(
        """
        ## Phase 1
        - [x] Parse the backlog
        * [ ] Check the links
        ^ BL203 hint: Marker '*' differs from this list's first marker '-': GitHub ends the list here and starts another.
        * [ ] Publish diagnostics
        ^ BL203 hint: Marker '*' differs from this list's first marker '-'.
        + [ ] Ship
        ^ BL203 hint: Marker '+' differs from this list's first marker '-': GitHub ends the list here and starts another.
        """,
        rule="inconsistent-marker",
    )


def test_nested_siblings_and_quotes():
    assert_findings(
        """
        - [ ] parent
          - [ ] child one
          * [ ] child two
          ^ BL203 hint: Marker '*' differs from this list's first marker '-': GitHub ends the list here and starts another.
        > * quoted
        > - quoted too
          ^ BL203 hint: Marker '-' differs from this list's first marker '*': GitHub ends the list here and starts another.
        """,
        rule="inconsistent-marker",
    )


def test_ordered_delimiters():
    assert_findings(
        """
        1. one
        2) two
        ^^ BL203 hint: Marker '2)' ends in ')' but this list's first item ends in '.': GitHub ends the list here and starts another.
        3) three
        ^^ BL203 hint: Marker '3)' ends in ')' but this list's first item ends in '.'.
        """,
        rule="inconsistent-marker",
    )
    assert fixed("1. one\n2) two\n", rule="BL203") == "1. one\n2. two\n"


def test_separate_lists_are_left_alone():
    assert_findings(
        """
        - one list

        * a second list after a blank line

        1. numbered
        - a bullet after a numbered list is another kind of list

        - [ ] above a paragraph

        Some text.
        * [ ] below it

        ### A heading parts lists too
        - [ ] under it
        """,
        rule="inconsistent-marker",
    )
    # A blank line with the same marker keeps Markdown's list going: still one list.
    assert_findings(
        """
        - a
        * b
        ^ BL203 hint: Marker '*' differs from this list's first marker '-': GitHub ends the list here and starts another.

        * c
        ^ BL203 hint: Marker '*' differs from this list's first marker '-'.
        """,
        rule="inconsistent-marker",
    )


def test_fix_uses_the_first_marker_and_joins_the_list():
    text = "- [x] a\n* [ ] b\n  * [ ] nested keeps its own\n* [ ] c\n"
    found = findings_for(text, rule="BL203")
    assert [f.span.start_line for f in found] == [1, 3]
    assert all(f.fixable and f.fixes[0].preferred for f in found)
    assert found[0].fixes[0].title == "Use '-' like the first item"
    result = text
    for finding in reversed(found):
        result = apply_fix(result, finding.fixes[0])
    assert result == "- [x] a\n- [ ] b\n  * [ ] nested keeps its own\n- [ ] c\n"
    after = parse(result)
    assert len([block for block in after.blocks if block.kind == "list"]) == 1
    assert findings_for(result, rule="BL203") == []


def test_no_fix_that_would_make_a_thematic_break_or_touch_an_empty_item():
    found = findings_for("- a\n* - -\n", rule="BL203")
    assert [f.fixes for f in found] == [()]
    found = findings_for("- a\n*\n- b\n", rule="BL203")
    assert all(f.fixes == () for f in found)


def test_docstring_shows_bad_and_good():
    doc = inconsistent_marker.__doc__
    assert doc.startswith("inconsistent-marker (BL203): ")
    assert "\nBad:\n" in doc and "\nGood:\n" in doc


def test_block_memo_reuses_values_and_forgets_dead_blocks():
    import weakref

    from backlog_ls.rules.common import BlockValues

    class Value(list):  # a list that a weak reference can follow
        pass

    calls = []
    memo = BlockValues(lambda block, lines: calls.append(block.start_line) or Value([block.kind]))
    backlog = parse("# A\n\n- a\n\ntext\n")
    assert [value for _, value in memo.each(backlog.blocks, backlog.lines)] == [["heading"], ["list"], ["paragraph"]]
    values = [weakref.ref(value) for _, value in memo.each(backlog.blocks, backlog.lines)]
    assert [ref() for ref in values] == [["heading"], ["list"], ["paragraph"]]
    assert calls == [0, 2, 4]
    newer = parse("# B\n")
    memo.each(newer.blocks, newer.lines)  # the newest document's blocks are kept, to patch its values after an edit
    del backlog
    assert [ref() for ref in values] == [None, None, None]  # gone with their blocks


def test_a_dot_step_line_is_folded_into_the_item_above_as_github_does_and_is_not_a_marker():
    # ". Step:" is no list marker: GitHub continues the item above with it (a lazy line).
    from backlog_ls.parse import parse

    text = "1. [ ] First\n. Step: second\n"
    assert findings_for(text) == []
    (task,) = parse(text).tasks()
    assert task.text == "First\n. Step: second"


@settings(max_examples=100, deadline=None)
@given(st.lists(st.sampled_from(["- [ ] a", "* [ ] b", "  - [ ] c", "  * [ ] d", "   - [ ] e", "    - [x] f", "1. g", "1) h"]), min_size=30, max_size=80))
def test_a_long_lists_groups_found_item_by_item_are_those_of_the_whole_list(lines):
    # A long list's groups below its top-level items come from each item alone (remembered per item).
    from backlog_ls.memo import LineageMemo
    from backlog_ls.model import LONG_LIST_ITEMS

    for block in parse("- [ ] first\n" + "\n".join(lines) + "\n").blocks:
        for holds in (lambda group: not inconsistent_marker._one_marker(group), lambda group: len(group) > 2):
            expected = sorted(tuple(item.span for item in group) for group in inconsistent_marker.sibling_groups((block,)) if holds(group))
            found = inconsistent_marker.groups_where(block, holds, LineageMemo())
            assert sorted(tuple(item.span for item in group) for group in found) == expected
            assert len(block.items) < LONG_LIST_ITEMS or inconsistent_marker.groups_where(block, holds, LineageMemo()) == found
