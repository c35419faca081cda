"""After any series of edits, the workspace index's summary of the open document, patched from the
summary of an earlier text (``summarize(previous=...)``), equals a summary of the whole text; and
so do the cross-file rules' facts of it (``facts_of(live=True, previous=...)``).

The server summarizes an edited document once the edits pause, so a patch may cover several
edits at once: typing, Enter, deleted lines, pasted headings, task IDs, issue references, links,
HTML anchors and non-ASCII lines (whose text the summary keeps), in spread lists and in one long
list (``model.LONG_LIST_ITEMS``), whose items are patched one by one.
"""

from __future__ import annotations

import attrs
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from backlog_ls.parse import parse_lines
from backlog_ls.rules.across_files import facts_of
from backlog_ls.text import TextLines
from backlog_ls.workspace_index import WorkspaceIndex, summarize
from backlog_ls.workspace_index.summary import _key_counts

from . import budget
from .edits import apply_edit, backlog_lines

ITEM_LINES = [
    "- [ ] Task {n}.1: open (#{n})",
    "- [x] **Task {n}.2:** done, see Task {n}.1",
    "  - [ ] T{n} subtask naming owner/repo#{n}",
    "  - [x] done subtask {n} ✅",
    "    - [ ] deep, after [Task {n}.1](plan.md)",
    "- plain {n} mentions #{n} and Issue #7",
    "  continued {n} — é",
    "- [ ] ship ABC-{n} <a name=\"anchor-{n}\"></a>",
    "- [~] in progress {n} [a link](other-{n}.md#top)",
    "- [ ] 🚀 launch {n} (PR #{n})",
]
OTHER_BLOCKS = [
    "", "", "## Section {n}", "### Task {n}.9: a heading task ✅", "## Phase {n}: Ünïcode", "Some prose {n} about #{n}.",
    "```", "code {n} - [ ] not a task", "> - [ ] quoted {n}", "---", "<span id=\"s{n}\">here</span>",
    "Setext {n}", "[a link](nowhere-{n}.md) in prose, Task {n}.4", "<!-- backlog-ls-disable-next-line duplicate-task-id -->",
]
EDITS = [
    "x", "é", "#", " #12", "Task 3.1 ", "\n", "\n", "\n\n", "\n- [ ] new task #5", "\n  - [ ] new subtask T9",
    "\n## Pasted heading\n", "## ", "[x](y.md)", "<a name=\"z\">", "[ ] ", "```\n", "\n---\n", "",
]


@st.composite
def document_and_edits(draw):
    long_list = draw(st.booleans())
    count = draw(st.integers(30, 90) if long_list else st.integers(10, 70))
    lines = backlog_lines(draw, count, ITEM_LINES, OTHER_BLOCKS, rarity=59 if long_list else 5)
    edits = []
    for _ in range(draw(st.integers(1, 10))):
        # where (line, column fractions), how many lines the range spans, the text, summarize after it
        edits.append((draw(st.floats(0, 1)), draw(st.floats(0, 1)), draw(st.integers(0, 2)), draw(st.sampled_from(EDITS)), draw(st.booleans())))
    return "\n".join(lines) + "\n", edits


def _fields(summary):
    return {field.name: getattr(summary, field.name) for field in attrs.fields(type(summary)) if field.name != "base"}


@settings(max_examples=budget.count(fast=200, soak=5_000), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(document_and_edits())
def test_a_patched_summary_equals_a_summary_of_the_whole_text(case):
    text, edits = case
    document = TextLines.from_text(text)
    backlog = parse_lines(document.lines)
    summary = summarize(backlog)
    index = WorkspaceIndex()
    index.update("file:///w/plan.md", summary, live=True)
    for *edit, now in edits:
        backlog = apply_edit(document, backlog, *edit)
        if not now:
            continue  # edits pile up until the typing pauses
        summary = summarize(backlog, previous=summary)
        fresh = summarize(parse_lines(list(document.lines)), live=False)
        assert _fields(summary) == _fields(fresh), repr(document.text)
        assert summary.base.key_counts == _key_counts(fresh.mentions)
        index.update("file:///w/plan.md", summary, live=True)
        # The index's reverse maps follow: every key the file mentions finds it, and no other.
        tasks, issues = _key_counts(fresh.mentions)
        assert {key for key in index._task_files} == set(tasks)
        assert {number for number in index._issue_files} == set(issues)
    budget.report("index summary after edits", edits=len(edits))


@settings(max_examples=budget.count(fast=150, soak=4_000), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(document_and_edits())
def test_patched_cross_file_facts_equal_those_of_the_whole_text(case):
    text, edits = case
    document = TextLines.from_text(text)
    backlog = parse_lines(document.lines)
    where = ("/w/docs/plan.md", "/w")
    facts = facts_of(backlog, *where, live=True)
    for *edit, now in edits:
        backlog = apply_edit(document, backlog, *edit)
        if not now:
            continue  # checked after the edits pause (or several edits in one change)
        facts = facts_of(backlog, *where, live=True, previous=facts)
        fresh = facts_of(parse_lines(list(document.lines)), *where)
        assert facts == fresh, repr(document.text)
    budget.report("cross-file facts after edits", edits=len(edits))
