"""After any series of keystrokes within lines, the task index built from the last one
(``rules.common.TaskIndex`` from ``previous``: its facts, marks, flat lists and groups patched
where the blocks changed, a long list's facts spliced) equals one built afresh, and so do the
findings (the block rules' entries, ``BlockValues`` and ``long_list_values`` patched from the last
document's too).

Edits that keep the line count take the patched path; Enter and joined lines are mixed in,
so that the index is also built afresh in between and patched again after.
"""

from __future__ import annotations

import sys

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from backlog_ls.config import Settings
from backlog_ls.memo import LineageMemo
from backlog_ls.parse import parse_lines, reparse
from backlog_ls import rules
from backlog_ls.rules import check, common
from backlog_ls.text import TextLines

from . import budget
from .edits import apply_edit, backlog_lines
from .test_findings_after_edits import ITEM_LINES, OTHER_BLOCKS

# Typed within a line: they turn lines into headings (finished ones too) or tasks and back, change markers
# and indents, name issues and task IDs.
TYPED = ["x", "# ", "## ", "## Completed ", "Status: done ", "* ", " ", "1) ", "### Definition of Done ", "- ", "- [ ] ", "[x] ", "#12 ", "(#TBD) ", "Task 2.1 ", "see #3 ", ""]
JOINED = [name for name in common._JOINED]
PARSER_COMPLAINS = ("typo", "question", "undeclared", "malformed", "glued", "no space")
WELL_FORMED = [line for line in ITEM_LINES if not any(word in line for word in PARSER_COMPLAINS)]


@st.composite
def document_and_keystrokes(draw):
    # Long lists (edited item by item) come with other blocks rare and no item the parser complains about.
    long_lists = draw(st.booleans())
    count = draw(st.integers(10, 80))
    lines = backlog_lines(draw, count, WELL_FORMED if long_lists else ITEM_LINES, OTHER_BLOCKS, rarity=80 if long_lists else 6)
    edits = []
    for _ in range(draw(st.integers(1, 10))):
        moves_lines = draw(st.integers(0, 5)) == 0
        text = draw(st.sampled_from(["\n", "\n\n", "\n- [ ] new"])) if moves_lines else draw(st.sampled_from(TYPED))
        edits.append((draw(st.floats(0, 1)), draw(st.floats(0, 1)), 0, text))
    return "\n".join(lines) + "\n", edits


def _facts(facts: common.BlockFacts) -> list:
    return [getattr(facts, name) for name in (*common._SIZES, "missing_keys")]


def _index_values(index: common.TaskIndex) -> list:
    groups = index.groups
    where = {id(group): position for position, group in enumerate(groups)}
    return [
        [_facts(facts) for facts in index.facts],
        index.fact_lines,
        [(block.start_line, position) for block, position in index.marks],
        [getattr(index, name) for name in JOINED],
        [
            (group.heading, group.level, group.start_line, group.end_line, group.dod, where.get(id(group.parent)),
             [_facts(facts) for facts in group.facts], group.counts)
            for group in groups
        ],
    ]


def _fresh(lines) -> tuple[common.TaskIndex, list]:
    """The index and findings of a fresh parse, leaving what is kept of the last document as it was
    (the last index and long list, the last run of open-in-finished-section, the block rules' entries,
    each ``BlockValues``' and long list memo's last blocks): the next keystroke is patched from those,
    as in a server."""
    kept = _kept()
    backlog = parse_lines(list(lines))
    try:
        return common.TaskIndex(backlog), check(backlog, Settings())
    finally:
        for owner, name, value in kept:
            setattr(owner, name, value)


def _kept() -> list[tuple[object, str, object]]:
    found: list[tuple[object, str, object]] = [(rules._BUNDLES, "_last", rules._BUNDLES._last)]
    for module_name, module in list(sys.modules.items()):
        if module_name.startswith("backlog_ls."):
            found += [(module, name, getattr(module, name)) for name in ("_last", "_last_list") if hasattr(module, name)]
            for value in vars(module).values():
                if isinstance(value, common.BlockValues):
                    found.append((value, "_last", value._last))
                elif isinstance(value, LineageMemo):
                    found.append((value, "last_list", value.last_list))
    return found


@settings(max_examples=budget.count(fast=150, soak=3_000), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(document_and_keystrokes())
def test_task_index_after_keystrokes_equals_a_fresh_one(case):
    text, edits = case
    document = TextLines.from_text(text)
    backlog = parse_lines(document.lines)
    _index_values(common.task_index(backlog))  # every flat list and the groups built: the next index patches them
    for edit in edits:
        backlog = apply_edit(document, backlog, *edit)
        found = check(backlog, Settings())
        index = common.task_index(backlog)
        fresh_index, fresh_found = _fresh(document.lines)
        assert _index_values(index) == _index_values(fresh_index), repr(document.text)
        assert found == fresh_found, repr(document.text)
    budget.report("task index after keystrokes", edits=len(edits))


def test_the_block_rules_entries_kept_for_other_settings_are_not_reused():
    from backlog_ls.config import from_toml

    text = "# Plan\n\n- [ ] a\n- [c] typo\n- [x]glued\n\n## H\n\n- [ ] b\n  - [x] done\n"
    backlog = parse_lines(TextLines.from_text(text).lines)
    check(backlog, Settings())
    quieter = from_toml('[rules]\nmalformed-task = "off"\n', ".backlog-ls.toml")[0]
    assert check(backlog, quieter) == check(parse_lines(TextLines.from_text(text).lines), quieter)
    assert check(backlog, Settings()) == check(parse_lines(TextLines.from_text(text).lines), Settings())


def _typed(text: str, line: int, column: int, end_column: int, new_text: str) -> tuple[list, list]:
    """The findings after typing over ``line`` from ``column`` to ``end_column`` with every cache warm, and afresh."""
    document = TextLines.from_text(text)
    backlog = parse_lines(document.lines)
    check(backlog, Settings())
    backlog = reparse(backlog, document.lines, *document.replace((line, column), (line, end_column), new_text))
    return check(backlog, Settings()), check(parse_lines(list(document.lines)), Settings())


def test_a_task_ticked_in_a_finished_section_changes_its_finding():
    kept, fresh = _typed("# Plan\n\n## Completed\n\n- [ ] a\n- [ ] b\n\n## Next\n\n- [ ] c\n", 4, 3, 4, "x")
    assert kept == fresh and any(finding.code == "BL303" for finding in fresh)


def test_a_status_line_typed_into_prose_marks_its_section_finished():
    kept, fresh = _typed("# Plan\n\n## Phase 1\n\nSome prose.\n\n- [ ] a\n", 4, 0, 0, "Status: done. ")
    assert kept == fresh and any(finding.code == "BL303" for finding in fresh)
