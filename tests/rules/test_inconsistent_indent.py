from __future__ import annotations

from backlog_ls.parse import parse
from backlog_ls.rules import inconsistent_indent

from .fixture import apply_fix, assert_findings, findings_for, fixed


def _shape(text: str) -> list:
    def item(node):
        return (node.marker, node.checkbox, node.text, node.loose, tuple(item(child) for child in node.children))

    return [(block.kind, tuple(item(node) for node in block.items)) for block in parse(text).blocks]


def _fix_all(text: str) -> str:
    """Apply the first fix of every finding, one at a time, re-checking after each."""
    for _ in range(50):
        found = [f for f in findings_for(text, rule="BL204") if f.fixes]
        if not found:
            return text
        text = apply_fix(text, found[0].fixes[0])
    raise AssertionError("fixes do not converge")


def test_one_space_among_unindented_siblings():
    # As in a real backlog: " - [x]" is still a sibling for Markdown (up to 3 spaces are allowed).
    assert_findings(
        """
        ## Phase 2
        - [x] Add unit tests
         - [x] Add agent loop APIs
        ^^ BL204 hint: Indented by 1 space, but the first item of this list is not indented. GitHub shows it beside 'Add unit tests', not nested under it.
        - [ ] Ship
        """,
        rule="inconsistent-indent",
    )


def test_a_one_space_item_right_after_an_item_is_nested_under_it_safely():
    text = "- [x] a\n - [x] b\n - [ ] c\n   more of c\n- [ ] d\n"
    found = findings_for(text, rule="BL204")
    assert [[(fix.title, fix.safe, fix.preferred) for fix in f.fixes] for f in found] == [
        [("Nest the 2 items under 'a'", True, True), ("Remove the indentation", False, False)]
    ] * 2
    nested = "- [x] a\n  - [x] b\n  - [ ] c\n    more of c\n- [ ] d\n"
    assert fixed(text, rule="BL204") == nested
    assert fixed(text, rule="BL204", finding_index=1) == nested
    assert fixed(text, rule="BL204", fix_index=1) == "- [x] a\n- [x] b\n - [ ] c\n   more of c\n- [ ] d\n"
    assert findings_for(nested, rule="BL204") == []


def test_after_a_blank_line_the_intent_is_unclear_and_neither_fix_is_safe():
    (found,) = findings_for("- [ ] a\n\n - [ ] b\n", rule="BL204")
    assert [(fix.title, fix.safe, fix.preferred) for fix in found.fixes] == [
        ("Nest under 'a'", False, False),
        ("Remove the indentation", False, False),
    ]


def test_a_one_space_child_goes_to_its_parents_content_column():
    assert fixed("-   [ ] a\n - [ ] b\n", rule="BL204") == "-   [ ] a\n    - [ ] b\n"
    assert fixed("- [ ] a\n - [ ] b\n", rule="BL204") == "- [ ] a\n  - [ ] b\n"


def test_nested_siblings_at_two_and_three_spaces():
    assert_findings(
        """
        - parent
          - child at two
           - child at three
        ^^^^ BL204 hint: Indented by 3 spaces, but the first item of this list by 2 spaces.
        """,
        rule="inconsistent-indent",
    )


def test_less_indented_than_the_first_item():
    assert_findings(
        """
          - first
        - second
        ^ BL204 hint: Not indented, but the first item of this list is indented by 2 spaces.
        """,
        rule="inconsistent-indent",
    )
    assert fixed("  - first\n- second\n  - child\n", rule="BL204") == "  - first\n  - second\n    - child\n"


def test_tab_where_the_first_item_has_spaces():
    assert_findings(
        "- a\n    - b\n\t- c\n^^ BL204 hint: Indented by a tab, but the first item of this list by 4 spaces.\n",
        rule="inconsistent-indent",
    )
    # Same column: only the indentation characters change.
    assert fixed("- a\n    - b\n\t- c\n", rule="BL204") == "- a\n    - b\n    - c\n"


def test_fix_moves_the_whole_subtree_and_keeps_meaning():
    text = (
        "## Phase 3\n"
        "- [x] Server\n"
        "- [x] Tests\n"
        " - [x] Schedule form\n"
        " - Global Chat\n"
        "    - [x] LLM-backed\n"
        "    - [ ] MCP tool connectors\n"
        "      continued line of the sub-task\n"
        "\n"
        "## Phase 4\n"
    )
    found = findings_for(text, rule="BL204")
    assert [(f.span, f.fixable) for f in found] == [((3, 0, 3, 2), True), ((4, 0, 4, 2), True)]
    assert apply_fix(text, found[1].fixes[-1]) == (
        "## Phase 3\n"
        "- [x] Server\n"
        "- [x] Tests\n"
        " - [x] Schedule form\n"
        "- Global Chat\n"
        "   - [x] LLM-backed\n"
        "   - [ ] MCP tool connectors\n"
        "     continued line of the sub-task\n"
        "\n"
        "## Phase 4\n"
    )
    # The preferred fix nests the one-space items under "Tests", as their author meant.
    nested = text.replace(" - [x] Schedule", "  - [x] Schedule").replace(" - Global", "  - Global")
    nested = nested.replace("    - [", "     - [").replace("      continued", "       continued")
    assert _fix_all(text) == nested


def test_no_fix_when_a_neighbour_would_change_its_place():
    # Moving " - b" left would make "  - c" its child.
    found = findings_for("- a\n - b\n  - c\n", rule="BL204")
    assert [(f.span.start_line, [fix.title for fix in f.fixes]) for f in found] == [
        (1, ["Nest under 'a'"]),  # only nesting, which keeps "  - c" under "- a"
        (2, ["Remove the indentation"]),
    ]
    # Moving " - b" left would pull the paragraph into it.
    found = findings_for("- a\n - b\n\n  para\n", rule="BL204")
    assert [f.fixes for f in found] == [()]
    # Moving "- b" right would make it a child of "- a" (whose text starts at column 2);
    # "- a" itself can move (its neighbour above starts its text at column 5).
    found = findings_for("   - first\n- a\n- b\n", rule="BL204")
    assert [(f.span.start_line, bool(f.fixes)) for f in found] == [(1, True), (2, False)]
    # Inside a block quote the fix is not offered.
    found = findings_for("> - a\n>  - b\n", rule="BL204")
    assert [(f.span, f.fixes) for f in found] == [((1, 2, 1, 4), ())]


def test_fixes_never_change_the_parse():
    samples = [
        "- a\n - b\n   - b1\n   lazy\n- c\n",
        "1. one\n 2. two\n    - sub\n",
        "- a\n   - b\n  - c\n    code?\n",
        "  - a\n- b\n  ```\n  code\n  ```\n- c\n",
        "- a\n  - x\n   - y\n     - z\n  - w\n",
    ]
    for text in samples:
        for finding in findings_for(text, rule="BL204"):
            for fix in finding.fixes:
                if fix.title.startswith("Nest under"):
                    continue  # nesting changes the parse on purpose (see test_a_one_space_item_...)
                assert _shape(apply_fix(text, fix)) == _shape(text), (text, fix)


def test_consistent_lists_and_right_aligned_numbers():
    assert_findings(
        """
        - a
          - b
          - c
            - d
        - e
         9. nine
        10. ten
        11. eleven

           - a list after a blank line and another kind
        """,
        rule="inconsistent-indent",
    )


def test_docstring_shows_bad_and_good():
    doc = inconsistent_indent.__doc__
    assert doc.startswith("inconsistent-indent (BL204): ")
    assert "\nBad:\n" in doc and "\nGood:\n" in doc


def test_lists_split_by_a_marker_change_are_compared_with_the_first_item_of_all():
    assert_findings(
        """
        - a
        - b
         * c
        ^^ BL204 hint: Indented by 1 space, but the first item of this list is not indented.
         * d
        ^^ BL204 hint: Indented by 1 space, but the first item of this list is not indented.
        """,
        rule="inconsistent-indent",
    )


def test_findings_follow_edits_of_a_remembered_document():
    # Rules remember per-block results; an edit must still be seen, and untouched blocks reused.
    from backlog_ls.parse import reparse
    from backlog_ls.rules import check

    text = "# A\n\n- a\n - b\n\n# B\n\n- c\n- d\n"
    before = parse(text)
    assert [f.span.start_line for f in check(before, rules=[inconsistent_indent.RULE])] == [3]
    lines = list(before.lines)
    lines[8] = " - d"
    after = reparse(before, lines, 8, 8, 8)
    assert after.blocks[1] is before.blocks[1]  # the first list was not read again
    assert [f.span.start_line for f in check(after, rules=[inconsistent_indent.RULE])] == [3, 8]
