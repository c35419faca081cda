"""backlog_ls.fixes: applying fixes to text, the core shared by `check --fix` and the server's fix-all."""

from __future__ import annotations

import re

import pytest

from backlog_ls.fixes import (
    MAX_PASSES,
    apply_fixes,
    dominant_newline,
    fix_all,
    safe_fix,
)
from backlog_ls.model import Span
from backlog_ls.rules import Edit, Finding, Fix


def edit(line: int, start: int, end: int, new_text: str, end_line: int | None = None) -> Edit:
    return Edit(Span(line, start, line if end_line is None else end_line, end), new_text)


def fix(*edits: Edit, safe: bool = True, preferred: bool = False, title: str = "fix") -> Fix:
    return Fix(title, tuple(edits), safe=safe, preferred=preferred)


def finding(*fixes: Fix, span: Span = Span(0, 0, 0, 1)) -> Finding:
    return Finding("fake", "BL900", "warning", span, "message", tuple(fixes))


# --- apply_fixes ----------------------------------------------------------------------------------


def test_edits_of_several_fixes_apply_at_their_own_positions():
    text = "- [ x] a\n- [] b\n"

    result = apply_fixes(text, [fix(edit(0, 2, 6, "[x]")), fix(edit(1, 2, 4, "[ ]"))])

    assert result.text == "- [x] a\n- [ ] b\n"
    assert len(result.applied) == 2 and result.skipped == ()


def test_overlapping_fix_is_skipped_and_the_first_wins():
    first = fix(edit(0, 0, 4, "AB"))
    second = fix(edit(0, 2, 6, "CD"))

    result = apply_fixes("abcdefg", [first, second])

    assert result.text == "ABefg"
    assert result.applied == (first,)
    assert result.skipped == (second,)


def test_adjacent_edits_do_not_conflict():
    result = apply_fixes("abcdef", [fix(edit(0, 0, 3, "X")), fix(edit(0, 3, 6, "Y"))])

    assert result.text == "XY"


def test_two_insertions_at_one_point_conflict_because_their_order_is_unknown():
    result = apply_fixes("ab", [fix(edit(0, 1, 1, "1")), fix(edit(0, 1, 1, "2"))])

    assert result.text == "a1b"
    assert len(result.skipped) == 1


def test_an_insertion_at_the_start_of_a_replacement_lands_before_it():
    result = apply_fixes("abcdef", [fix(edit(0, 2, 4, "XY")), fix(edit(0, 2, 2, "<"))])

    assert result.text == "ab<XYef"


def test_a_fix_whose_own_edits_overlap_is_not_applied():
    broken = fix(edit(0, 0, 3, "x"), edit(0, 2, 4, "y"))

    result = apply_fixes("abcdef", [broken])

    assert (result.text, result.skipped) == ("abcdef", (broken,))


def test_a_fix_with_several_edits_is_applied_whole():
    result = apply_fixes("a b c\nd e f\n", [fix(edit(0, 0, 1, "A"), edit(1, 2, 3, "E"))])

    assert result.text == "A b c\nd E f\n"


def test_multi_line_edit_and_crlf_outside_it_kept():
    text = "one\r\ntwo\r\nthree\r\n"

    result = apply_fixes(text, [fix(edit(0, 1, 2, "N", end_line=1))])

    assert result.text == "oNo\r\nthree\r\n"


def test_inserted_line_breaks_take_the_documents_line_ending():
    text = "a\r\nb\r\n"

    result = apply_fixes(text, [fix(edit(1, 1, 1, "\nc"))])

    assert result.text == "a\r\nb\r\nc\r\n"


def test_every_byte_outside_the_edit_is_kept():
    text = "\x00mixed\r\nends\rhere\n\u2028 and \x85 \x0c not line ends\n- [ x] 😀 z\n"

    result = apply_fixes(text, [fix(edit(4, 2, 6, "[x]"))])

    assert result.text == text.replace("[ x]", "[x]")


def test_positions_past_the_end_are_clamped():
    result = apply_fixes("ab\n", [fix(edit(0, 5, 9, "!"))])

    assert result.text == "ab!\n"


@pytest.mark.parametrize(
    ("text", "newline"),
    [("a\nb\r\nc\r\n", "\r\n"), ("a\rb\n", "\r"), ("no ending", "\n"), ("a\r\nb\n", "\r\n")],
)
def test_dominant_newline(text, newline):
    assert dominant_newline(text) == newline


# --- safe_fix -------------------------------------------------------------------------------------


def test_safe_fix_prefers_the_preferred_safe_fix_and_ignores_unsafe_ones():
    unsafe = fix(edit(0, 0, 1, "u"), safe=False, preferred=True)
    plain = fix(edit(0, 0, 1, "p"))
    preferred = fix(edit(0, 0, 1, "q"), preferred=True)

    assert safe_fix(finding(unsafe, plain, preferred)) is preferred
    assert safe_fix(finding(unsafe, plain)) is plain
    assert safe_fix(finding(unsafe)) is None


# --- fix_all ----------------------------------------------------------------------------------------


def double_letters(text: str) -> list[Finding]:
    """Every "aa", overlapping ones included; the fix makes it one "a"."""
    found = []
    for line_number, line in enumerate(text.split("\n")):
        for match in re.finditer(r"(?=aa)", line):
            start = match.start()
            found.append(finding(fix(edit(line_number, start, start + 2, "a")), span=Span(line_number, start, line_number, start + 2)))
    return found


def test_fix_all_repeats_passes_until_no_overlapping_fix_is_left():
    result = fix_all("baaaab\n", double_letters)

    assert result.text == "bab\n"
    assert result.remaining == ()
    assert [item.pass_number for item in result.fixed] == [0, 0, 1]
    assert result.passes == 2


def test_fix_all_stops_after_max_passes():
    def always(text: str) -> list[Finding]:
        return [finding(fix(edit(0, 0, 0, "+")))]

    result = fix_all("x", always)

    assert result.text == "+" * MAX_PASSES + "x"
    assert result.passes == MAX_PASSES
    assert len(result.remaining) == 1


def test_fix_all_stops_when_a_fix_changes_nothing():
    calls = []

    def idle(text: str) -> list[Finding]:
        calls.append(text)
        return [finding(fix(edit(0, 0, 1, "x")))]

    result = fix_all("x", idle)

    assert (result.text, result.fixed, len(calls)) == ("x", (), 1)


def test_fix_all_leaves_unsafe_fixes_alone():
    def unsafe_only(text: str) -> list[Finding]:
        return [finding(fix(edit(0, 0, 1, "y"), safe=False))]

    result = fix_all("x", unsafe_only)

    assert (result.text, len(result.remaining), result.changed) == ("x", 1, False)
