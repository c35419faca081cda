"""Issue completion's answer, as it is computed for speed, is the answer of a fresh computation.

The server writes a completion list as JSON text itself (``convert.completion_list_text``) rather
than through lsprotocol and cattrs, and issue completion remembers what does not change between
keystrokes: the document's insert style (``insert_format``), the cited numbers the tracker does not
know (``CitedIssues.numbers_not_in``), and one span shared by the items of an answer. Here the text
is compared with what pygls would send for the same items, and the answers after random edits and
tracker refreshes with those of a fresh parse and a fresh tracker, byte for byte.
"""

from __future__ import annotations

import json
import random
from datetime import datetime, timedelta, timezone

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lsprotocol import types
from pygls.protocol import default_converter

from backlog_ls import convert
from backlog_ls.features import issues as issue_features
from backlog_ls.features.completion import REFERENCE, TEXT, CompletionItem, CompletionRequest, CompletionResult, complete
from backlog_ls.features.issues import IssueContext, referenced_issues
from backlog_ls.model import Span
from backlog_ls.parse import parse_lines
from backlog_ls.rules import Edit
from backlog_ls.tracker import MemoryIssues, Repository, TrackerIssue
from backlog_ls.workspace import Document

from ..robustness import budget
from ..robustness.test_cited_issues_after_edits import _edit  # one random keystroke

_KINDS = {REFERENCE: types.CompletionItemKind.Reference, TEXT: types.CompletionItemKind.Text, "file": types.CompletionItemKind.File}


def _as_pygls_sends(result: CompletionResult, lines: list[str], encoding: str) -> dict:
    """The oracle: the same answer as lsprotocol objects, unstructured by pygls's own converter."""

    def range_of(span: Span) -> types.Range:
        start = convert.column_of(lines, span.start_line, span.start_col, encoding)
        end = convert.column_of(lines, span.end_line, span.end_col, encoding)
        return types.Range(types.Position(span.start_line, start), types.Position(span.end_line, end))

    items = [
        types.CompletionItem(
            label=item.label,
            kind=_KINDS.get(item.kind, types.CompletionItemKind.Text),
            detail=item.detail,
            documentation=types.MarkupContent(kind=types.MarkupKind.Markdown, value=item.documentation) if item.documentation else None,
            filter_text=item.filter_text,
            sort_text=item.sort_text,
            insert_text=item.new_text,
            text_edit=types.TextEdit(range=range_of(item.span), new_text=item.new_text),
            additional_text_edits=[types.TextEdit(range=range_of(edit.span), new_text=edit.new_text) for edit in item.additional] or None,
        )
        for item in result.items
    ]
    answer = types.CompletionList(is_incomplete=bool(result.incomplete), items=items)
    return json.loads(json.dumps(default_converter().unstructure(answer)))


TEXTS = ["", "a", "Fix \"login\" \\ timeout", "naïve café", "emoji 🎉 in it", "tab\tand\nnewline", "</script>", "\u2028", "\x00\x1f"]


def _random_item(rng: random.Random, lines: list[str]) -> CompletionItem:
    line = rng.randrange(len(lines))
    width = len(lines[line])
    start = rng.randint(0, width)
    end = rng.randint(start, width + 2)  # a span may end past the line (a client's stale position)
    maybe = lambda: rng.choice([None, rng.choice(TEXTS)])  # noqa: E731
    additional = tuple(Edit(Span.on_line(line, start, start), rng.choice(TEXTS)) for _ in range(rng.randint(0, 2)))
    return CompletionItem(
        label=rng.choice(TEXTS) or "#1",
        new_text=rng.choice(TEXTS),
        span=Span.on_line(line, start, end),
        kind=rng.choice([REFERENCE, TEXT, "file", "unknown"]),
        detail=maybe(),
        documentation=maybe(),
        filter_text=maybe(),
        sort_text=maybe(),
        additional=additional,
    )


def test_the_completion_text_is_what_pygls_would_send_for_the_same_items():
    rng = random.Random(17)
    lines = ["- [ ] Fix #", "- [ ] naïve 🎉 #1", "", "\t- 漢字 #12 é"]
    for _ in range(budget.count(300, 20_000)):
        result = CompletionResult(tuple(_random_item(rng, lines) for _ in range(rng.randint(0, 6))), rng.random() < 0.5)
        for encoding in ("utf-16", "utf-8", "utf-32"):
            text = convert.completion_list_text(result, lines, encoding)
            assert text.isascii()
            assert json.loads(text) == _as_pygls_sends(result, lines, encoding), result


# --- after edits and tracker refreshes ----------------------------------------------------------------

NOW = datetime(2026, 12, 1, tzinfo=timezone.utc)
REPO = Repository("github", "octo", "repo")


def _issues(rng: random.Random) -> list[TrackerIssue]:
    numbers = rng.sample(range(1, 60), rng.randint(0, 25))
    return [
        TrackerIssue(
            number,
            rng.choice(["Fix login", "Storage engine", "Docs", "Make #4 work", "ünïcode 🎉"]),
            rng.choice(["open", "closed"]),
            url=f"https://github.com/octo/repo/issues/{number}",
            body=rng.choice(["", "Body\n\ntext"]),
            updated_at=NOW - timedelta(hours=rng.randrange(500)),
        )
        for number in numbers
    ]


BLOCKS = [
    "# Plan #3\n", "- [ ] a (Issue #12)\n  - [x] b (Issue #13)\n", "- [x] see #12 again\n", "- [ ] GH-9 and GH-40\n",
    "- [ ] a [#7](https://github.com/octo/repo/issues/7)\n", "Prose citing #21.\n", "- plain #30\n", "```\n#99 in code\n```\n",
]
documents = st.lists(st.sampled_from(BLOCKS), min_size=1, max_size=10).map("\n".join)
KEYS = ["x", "\n", "", " #", " #1", "4", "- [ ] new #8\n", "(Issue #40)", "Issue #", " GH-", " [#", "- [ ] [#5](u)\n"]
SETTINGS = [{}, {"insert-format": "Issue #{number}"}, {"insert-format": "{url}"}]


def _answers(backlog, source, issue_settings) -> list[str]:
    """The completion answer at the end of every line that holds a "#" or "GH-"."""
    context = IssueContext(source, referenced_issues(backlog), issue_settings)
    found = []
    for line, text in enumerate(backlog.lines):
        for column in sorted({text.rfind("#") + 1, text.rfind("GH-") + 3, len(text)} - {0, 2}):
            result = complete(CompletionRequest(backlog, line, column, issues=context, trigger="#"))
            found.append(convert.completion_list_text(result, backlog.lines, "utf-16") if result is not None else "null")
    return found


@settings(max_examples=budget.count(60, 1500), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(documents, st.randoms(use_true_random=False), st.lists(st.sampled_from(KEYS), min_size=1, max_size=10))
def test_completion_after_edits_and_refreshes_is_that_of_a_fresh_parse_and_tracker(text, rng, keys):
    document = Document("file:///tmp/plan/BACKLOG.md", text, 1)
    source = MemoryIssues(_issues(rng), REPO)
    issue_settings = rng.choice(SETTINGS)
    for key in keys:
        if rng.random() < 0.8:
            _edit(document, rng, key)
        if rng.random() < 0.3:  # the tracker's data changed: a refresh, with or without an edit
            source.issues = _issues(rng)
            issue_features.issues_changed()
        backlog = document.backlog
        remembered = _answers(backlog, source, issue_settings)
        assert _answers(backlog, source, issue_settings) == remembered  # asked again, nothing changed
        fresh_source = MemoryIssues(list(source.issues), REPO)
        assert remembered == _answers(parse_lines(list(document.text.lines)), fresh_source, issue_settings), document.source


# --- prepared ahead ---------------------------------------------------------------------------------


def test_a_completion_prepared_ahead_reads_no_block_and_builds_no_index(monkeypatch):
    # The server prepares it on a thread when a check is delivered (``BacklogServer._deliver``).
    rng = random.Random(3)
    backlog = parse_lines(["# Plan", "", *(f"- [ ] task {n} (Issue #{n % 70})" for n in range(300)), "- [ ] new #"])
    source = MemoryIssues(_issues(rng), REPO)
    issue_features.prepare_completion(backlog, source)
    read = []
    monkeypatch.setattr(issue_features, "_read_referenced", lambda block: read.append(block))
    monkeypatch.setattr(issue_features.IssueIndex, "__init__", lambda self, issues: read.append(issues))
    last = len(backlog.lines) - 1
    context = IssueContext(source, referenced_issues(backlog), {})
    result = complete(CompletionRequest(backlog, last, len(backlog.lines[last]), issues=context, trigger="#"))
    assert read == [] and result is not None
    assert [item.label for item in result.items][:3] == [f"#{issue.number}" for issue in issue_features.issue_index(source).ordered[:3]]


async def test_the_server_prepares_a_first_check_at_once_and_later_ones_once_the_edits_pause(monkeypatch):
    import asyncio

    from backlog_ls.server import core

    prepared = []
    monkeypatch.setattr(core.issue_features, "prepare_completion", lambda backlog, source: prepared.append(backlog))
    monkeypatch.setattr(core, "PREPARE_COMPLETION_DELAY_SECONDS", 0.01)
    server = core.BacklogServer()
    document = server.documents.open("file:///tmp/plan/BACKLOG.md", "- [ ] a (Issue #1)\n", 1)

    async def until(count: int) -> None:
        while len(prepared) < count:
            await asyncio.sleep(0.005)

    server._prepare_issue_completion(document)  # its first check: nothing is ready yet
    await asyncio.wait_for(until(1), 10)
    server._prepare_issue_completion(document)  # a later check, whose text is edited before the pause ends
    document.apply_change((0, 3), (0, 3), "x")
    server._prepare_issue_completion(document)  # the edit's check
    await asyncio.wait_for(until(2), 10)
    await asyncio.sleep(0.05)
    assert prepared == [prepared[0], document.backlog]
