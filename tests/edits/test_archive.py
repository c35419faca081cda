"""Archive done tasks (pure)."""

from __future__ import annotations

from backlog_ls.features.archive import archive_actions
from backlog_ls.features.edits import apply_edits
from backlog_ls.parse import parse


def _archive(text: str, line: int, newline: str = "\n") -> str:
    (action,) = archive_actions(parse(text), line, newline)
    return apply_edits(text, action.edits)


def test_creates_the_archive_at_the_end():
    before = "# P\n\n## A\n- [x] a\n  - [x] a1\n- [ ] b\n  - [x] b1\n- [x] c\n- [x] d\n"
    assert _archive(before, 2) == "# P\n\n## A\n- [ ] b\n  - [x] b1\n\n## Archive\n\n- [x] a\n  - [x] a1\n- [x] c\n- [x] d\n"


def test_appends_to_an_existing_archive_and_keeps_order():
    before = "# P\n\n## A\n- [x] a\n- [ ] b\n- [X] c 😀\n\n## Archive\n- [x] old\n\n## Later\n- [ ] z\n"
    after = "# P\n\n## A\n- [ ] b\n\n## Archive\n- [x] old\n- [x] a\n- [X] c 😀\n\n## Later\n- [ ] z\n"
    assert _archive(before, 2) == after


def test_no_final_newline_and_crlf():
    assert _archive("## A\r\n- [ ] b\r\n- [x] 解析", 0, "\r\n") == "## A\r\n- [ ] b\r\n\r\n## Archive\r\n\r\n- [x] 解析"


def test_not_offered():
    backlog = parse("## A\n- [x] a\n  - [ ] open below\n- [ ] b\n\n## Archive\n- [x] old\n")
    assert archive_actions(backlog, 0) == []  # the only ticked tree has an open subtask
    assert archive_actions(backlog, 1) == []  # not on the heading
    assert archive_actions(backlog, 5) == []  # the archive itself
