"""The issue numbers a document cites (completion's "cited" items, a hover's "cited in"), merged
from runs of blocks remembered between keystrokes, are those of reading the document in order.

``features.issues.referenced_issues`` keeps the merged numbers of runs of blocks (and of the items
of a long list) from one keystroke to the next and reads again only the edited run. Documents of
short and long lists, headings and prose citing issues get random keystrokes; after each, the
numbers and their texts must equal those of a plain walk over the document in order (the first
task citing a number gives its text; a heading or a paragraph cites it without one).
"""

from __future__ import annotations

import random

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from backlog_ls.features import issues as issue_features
from backlog_ls.model import LONG_LIST_ITEMS
from backlog_ls.parse import parse_lines
from backlog_ls.workspace import Document

from . import budget


def _in_order(backlog) -> dict[int, str]:
    """The oracle: every unqualified issue number cited, with the first citing task's text."""
    texted: dict[int, str] = {}
    cited: set[int] = set()
    for block in backlog.blocks:
        for refs in (block.heading.refs if block.heading is not None else None, block.refs):
            for ref in refs.issues if refs else ():
                if ref.owner is None and not ref.url:
                    cited.add(ref.number)
        for item, _parent in block.walk:
            for ref in item.refs.issues if item.refs else ():
                if ref.owner is None and not ref.url:
                    cited.add(ref.number)
                    text = " ".join(item.first_line_text.split())[:80]
                    if text:
                        texted.setdefault(ref.number, text)
    return {number: texted.get(number, "") for number in cited}


def _long_list(seed: int) -> str:
    rng = random.Random(seed)
    return "".join(
        f"- [{rng.choice(' x')}] task {n} (Issue #{rng.randint(1, 40)})\n" + ("  - [ ] sub #%d\n" % rng.randint(1, 40) if n % 5 == 0 else "")
        for n in range(LONG_LIST_ITEMS + rng.randint(0, 30))
    )


BLOCKS = [
    "# Plan #3\n", "## Phase 1 (#7)\n", "- [ ] a #12\n  - [x] b #13\n", "- [x] see #12 again\n- [ ] #", "- [ ] other/repo#5 and GH-9\n",
    "Prose citing #21 and [x](https://github.com/o/r/issues/4).\n", "- plain #30\n", "```\n#99 in code\n```\n",
]
documents = st.lists(st.one_of(st.sampled_from(BLOCKS), st.integers(0, 5).map(_long_list)), min_size=2, max_size=14).map("\n".join)
KEYS = ["x", "\n", "\n\n", "", "#", " #1", "4", "- [ ] new #8\n", "(Issue #40)", "## H #2\n"]


def _edit(document: Document, rng: random.Random, key: str) -> None:
    lines = document.text.lines
    line = rng.randrange(len(lines))
    if key == "" and line + 1 < len(lines):
        document.apply_change((line, len(lines[line])), (line + 1, 0), "")  # Backspace joins two lines
    else:
        column = rng.randint(0, len(lines[line]))
        document.apply_change((line, column), (line, column), key)


def _cited(backlog) -> dict[int, str]:
    found = issue_features.referenced_issues(backlog)
    assert found.numbers() == sorted(found)
    return dict(found)


@settings(max_examples=budget.count(80, 1500), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(documents, st.randoms(use_true_random=False), st.lists(st.sampled_from(KEYS), min_size=1, max_size=12))
def test_cited_numbers_after_keystrokes_are_those_of_reading_the_document_in_order(text, rng, keys):
    # Runs of about two blocks (and items), not 32: these short documents then have many.
    run_end, issue_features._RUN_END = issue_features._RUN_END, 1
    try:
        _keystrokes(text, rng, keys)
    finally:
        issue_features._RUN_END = run_end


def _keystrokes(text, rng, keys) -> None:
    document = Document("file:///tmp/plan/BACKLOG.md", text, 1)
    assert _cited(document.backlog) == _in_order(document.backlog)  # the runs are remembered
    for key in keys:
        _edit(document, rng, key)
        backlog = document.backlog
        assert _cited(backlog) == _in_order(backlog), repr(document.source)
    fresh = parse_lines(list(document.text.lines))
    assert _cited(fresh) == _cited(document.backlog)


def test_a_number_cited_earlier_by_an_edit_takes_that_task_s_text():
    document = Document("file:///tmp/plan/BACKLOG.md", "# Plan\n\n" + _long_list(1) + "\n## Later\n\n- [ ] later #77\n", 1)
    assert _cited(document.backlog)[77] == "later #77"
    document.apply_change((2, 0), (2, 0), "- [ ] first #77\n")  # a task above every other
    assert _cited(document.backlog)[77] == "first #77"
    document.apply_change((2, 0), (3, 0), "")
    assert _cited(document.backlog)[77] == "later #77"
