"""List items, checkboxes and blocks in the shapes real backlogs use, and inputs that must not break the parser."""

from __future__ import annotations

import time

from backlog_ls.parse import parse


def tasks(text: str):
    return list(parse(text).tasks())


def test_checkbox_states_markers_and_spans():
    text = "- [ ] open\n* [x] done\n+ [X] Done\n1. [~] doing\n2) [-] dropped\n- [!] urgent\n- [/] half\n"
    found = tasks(text)
    assert [(t.marker, t.checkbox, t.text) for t in found] == [
        ("-", " ", "open"),
        ("*", "x", "done"),
        ("+", "X", "Done"),
        ("1.", "~", "doing"),
        ("2)", "-", "dropped"),
        ("-", "!", "urgent"),
        ("-", "/", "half"),
    ]
    lines = text.split("\n")
    for task in found:
        box = task.checkbox_span
        assert lines[box.start_line][box.start_col : box.end_col] == f"[{task.checkbox}]"


def test_plain_bullets_and_letter_brackets_are_not_tasks():
    backlog = parse("- plain\n- [a] option a\n- [WIP] thing\n- [link](x.md)\n")
    assert [item.checkbox for item, _ in backlog.walk_items()] == [None, None, None, None]


def test_multi_line_task_body():
    backlog = parse("- [ ] first line\n  second line #4\n  - [x] child\n")
    (task, child) = list(backlog.tasks())
    assert task.text == "first line\nsecond line #4"
    assert task.text_span == (0, 6, 1, 16)
    assert [(ref.number, ref.span.start_line) for ref in task.refs.issues] == [(4, 1)]
    assert task.children == (child,)
    assert task.span == (0, 0, 2, 13)


def test_tab_indentation_and_loose_lists():
    backlog = parse("- [ ] parent\n\n\t- [x] tabbed child\n\n- [ ] second\n")
    first, second = backlog.items
    assert [child.text for child in first.children] == ["tabbed child"]
    assert first.children[0].indent == 1
    assert first.loose and second.loose
    assert first.span.end_line == 2


def test_tasks_in_block_quotes():
    backlog = parse("> - [ ] quoted\n>   - [x] nested quoted\n")
    (task,) = backlog.items
    assert (task.quote_depth, task.text, task.checkbox_span) == (1, "quoted", (0, 4, 0, 7))
    assert task.children[0].text == "nested quoted"


def test_same_line_nested_list():
    backlog = parse("- - [ ] inner\n")
    (outer,) = backlog.items
    assert outer.checkbox is None
    (inner,) = outer.children
    assert (inner.checkbox, inner.marker_span, inner.text) == (" ", (0, 2, 0, 3), "inner")


def test_sections_nest_by_level_and_hold_their_items():
    backlog = parse("- [ ] before\n# A\n- [ ] a1\n## A.1\n- [ ] a11\n# B\n- [x] b1\n")
    assert [item.text for item in backlog.preamble_items] == ["before"]
    a, b = backlog.sections
    assert [i.text for i in a.items] == ["a1"]
    assert [s.title for s in a.children] == ["A.1"]
    assert [i.text for i in a.children[0].items] == ["a11"]
    assert a.span == (1, 0, 4, 9)
    assert [t.text for t in b.tasks()] == ["b1"]
    assert backlog.section_at(4).title == "A.1"


def test_crlf_lone_cr_and_bom():
    backlog = parse("\ufeff# Title\r\n- [ ] one #1\r- [x] two\r\n")
    assert [h.title for h in backlog.headings] == ["Title"]
    assert backlog.headings[0].title_span == (0, 3, 0, 8)
    assert [(t.text, t.line) for t in backlog.tasks()] == [("one #1", 1), ("two", 2)]


def test_unicode_line_separators_do_not_split_lines():
    backlog = parse("- [ ] a\u2028b\x0cc #5\n- [x] next\n")
    first, second = backlog.tasks()
    assert first.refs.issues[0].span == (0, 12, 0, 14)
    assert second.line == 1


def test_cjk_and_emoji_columns():
    backlog = parse("- [ ] 看板 🚧 (#7)\n")
    (task,) = backlog.tasks()
    assert task.refs.issues[0].span == (0, 12, 0, 14)


def test_malformed_checkboxes_are_problems():
    backlog = parse("- [ x] a\n- []\n- [x]text\n-[ ] glued\n")
    assert [(p.code, p.span, p.replacement) for p in backlog.problems] == [
        ("checkbox-malformed", (0, 2, 0, 6), "[x]"),
        ("checkbox-malformed", (1, 2, 1, 4), "[ ]"),
        ("checkbox-missing-space", (2, 2, 2, 5), "[x] "),
        ("checkbox-missing-space", (3, 0, 3, 4), "- [ ]"),
    ]


def test_glued_checkbox_inside_code_is_not_a_problem():
    assert parse("- item\n  ```\n  -[ ] code\n  ```\n").problems == ()


def test_binary_garbage_gives_a_model():
    garbage = bytes(range(256)).decode("latin-1") * 40
    backlog = parse(garbage + "\n- [ ] after\x00 #3\n")
    assert [t.text for t in backlog.tasks()][-1] == "after\x00 #3"


def test_deep_nesting_gives_a_model_with_a_problem():
    deep = "".join("  " * depth + "- [ ] level\n" for depth in range(500))
    quotes = ">" * 500 + " - [ ] deep quote\n"
    backlog = parse(deep + "\n" + quotes + "\nAfter\n=====\n- [ ] fine\n")
    # A setext heading after the failed block: mistletoe's setext switch was restored.
    assert backlog.headings[-1].title == "After"
    assert backlog.sections[-1].items[0].text == "fine"
    assert all(problem.code == "unparsable-block" for problem in backlog.problems)


def test_unterminated_fence_runs_to_the_end():
    backlog = parse("# A\n```\n- [ ] not a task\n# not a heading\n")
    assert [h.title for h in backlog.headings] == ["A"]
    assert list(backlog.tasks()) == []
    assert backlog.blocks[-1].kind == "code"


def test_ten_megabyte_file_parses():
    line = "- [ ] **Task 1.1 (Issue #12):** do the thing with `code` and [a link](x.md)\n"
    text = "# Big\n" + line * (10_000_000 // len(line))
    start = time.perf_counter()
    backlog = parse(text)
    assert sum(1 for _ in backlog.tasks()) == 10_000_000 // len(line)
    assert time.perf_counter() - start < 120  # a hang guard, not a speed target (see benchmarks/)


def test_one_huge_line_parses():
    backlog = parse("- [ ] " + "word #1 " * 200_000 + "\n")
    (task,) = backlog.tasks()
    assert len(task.refs.issues) == 200_000
