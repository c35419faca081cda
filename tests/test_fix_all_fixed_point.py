"""Fix-all is a fixed point (applying it twice equals applying it once), and the edits the
editor's fix-all sends (``fixes.text_edits`` of the text ``fix_all`` made) give exactly the text
``check --fix`` writes; on every shared backlog and on generated ones."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from backlog_ls.features.edits import apply_edits
from backlog_ls.fixes import fix_all, text_edits
from backlog_ls.parse import parse
from backlog_ls.providers.files import DiskFiles
from backlog_ls.rules import check

from .conftest import shared_files
from .edits.strategies import backlogs

SHARED = shared_files("examples") + shared_files("corpus") + shared_files("corpus2")


def _finder(path=None):
    files = DiskFiles()
    return lambda text: check(parse(text), path=None if path is None else str(path), files=files)


def _assert_fixed_point_and_same_edits(text: str, find) -> int:
    once = fix_all(text, find)
    twice = fix_all(once.text, find)
    assert twice.text == once.text and twice.fixed == ()
    assert apply_edits(text, text_edits(text, once.text)) == once.text
    return len(once.fixed)


@pytest.mark.shared("examples", "corpus", "corpus2")
def test_on_every_shared_backlog_fix_all_is_a_fixed_point_and_its_edits_give_its_text():
    fixed = {}
    for path in SHARED:
        text = path.read_bytes().decode("utf-8", errors="replace")
        if count := _assert_fixed_point_and_same_edits(text, _finder(path)):
            fixed[path.name] = count
    assert len(fixed) >= 4, fixed  # files that had something to fix (one needs four passes)


@settings(max_examples=150, deadline=None)
@given(backlogs())
def test_on_generated_backlogs_fix_all_is_a_fixed_point_and_its_edits_give_its_text(text):
    _assert_fixed_point_and_same_edits(text, _finder())


_LINE = st.sampled_from(["", "a", "- [ ] task", "  - [x] b 😀", "解析", "x y"])


@given(st.lists(_LINE, max_size=8), st.lists(_LINE, max_size=8), st.sampled_from(["\n", "\r\n"]), st.booleans())
def test_text_edits_turn_one_text_into_the_other(before, after, newline, trailing):
    end = newline if trailing else ""
    old, new = newline.join(before) + end, newline.join(after) + end
    edits = text_edits(old, new)
    assert apply_edits(old, edits) == new
    assert (edits == []) == (old == new)


def test_text_edits_are_small():
    old = "# Plan\n- [ ]b\n" + "- [ ] a\n" * 50 + "- [ ] c\n\n\n- [x] d\n"
    new = "# Plan\n- [ ] b\n" + "- [ ] a\n" * 50 + "- [ ] c\n- [x] d\n"
    assert [(tuple(e.span), e.new_text) for e in text_edits(old, new)] == [((1, 5, 1, 5), " "), ((53, 0, 55, 0), "")]
