"""The reference scanner's shortcuts find exactly what its full passes find."""

from __future__ import annotations

import random
import re

import pytest

from backlog_ls.parse import inline, parse

from .conftest import shared_files
from .robustness.budget import count, report

_PIECES = [
    "#12", "#7", "#TBD", "#TODO", "#N", "#n", "#?", "#???", "#NN", "#12a", "#3:x", "#ff00aa", "#123456",
    "Issue", "Issues", "ISSUE", "PR", "PRs", "Pull Request", "pull requests", "Pull", "MR", "Bug", "Fixes",
    "fixed", "Closes", "resolve", "Refs", "see", "Ticket", "x", "a1", " ", " ", "  ", "\t", "&", "/", ".",
    "-", "owner/repo", "o.r/x-y", "GH-", "GH-4", "ABC-12", "UTF-8", "T12", "T-3", "Task 1.2", "Task 3a",
    "RFC 1234", "RFC-7", "blocked by", "Depends on", "after", "needs", "requires", "waiting for",
    "\u0130", "\u212a", "\u017f", "bloc\u212aed by", "**", "__", "`", "``", "[x](y)", "[#5](http://h/o/r/issues/5)",
    "<b>", "<!-- #9 -->", "https://github.com/o/r/issues/3", ":", "colour", "✅", "🆔 ab1", "⛔ cd, ef",
]


def _text(generator: random.Random) -> str:
    return "".join(generator.choice(_PIECES) for _ in range(generator.randint(1, 14)))


def _matches(pattern: re.Pattern[str], text: str) -> list[tuple[int, int, str]]:
    return [(match.start(), match.end(), match.group("word") or "") for match in pattern.finditer(text)]


def _shortcut_matches(text: str) -> tuple[list[tuple[int, int, str]], ...]:
    return tuple([(start, match.end(), word) for start, match, word in found] for found in inline._after_words(text))


def test_words_before_a_hash_are_found_as_the_whole_pattern_finds_them():
    generator = random.Random(5)
    texts = count(fast=4000, soak=200_000)
    found = 0
    for _ in range(texts):
        text = _text(generator)
        expected = _matches(inline._HASH, text)
        assert _shortcut_matches(text) == (expected, _matches(inline._PLACEHOLDER, text)), text
        found += len(expected)
    report("issue words before '#'", texts=texts, matches=found)
    assert found > texts // 8


# The task ID pattern as first written, with its look behind in front.
_TASK_ID_AS_WRITTEN = re.compile(
    r"(?<![\w.])(?P<text>Task[ \t]+(?P<number>\d+(?:\.\d+)*[a-z]?)|T-?(?P<short>\d{1,4}(?:\.\d+)*))(?![\w]|\.\d)"
)


def test_task_ids_are_found_as_the_pattern_first_written_finds_them():
    generator = random.Random(3)
    pieces = _PIECES + ["T", "T1", "T-", "Task", "Tasks 2", "xT4", ".T5", "T1.2.3", "Task 4b", "T12345", "T1.2a"]
    found = 0
    for _ in range(count(fast=4000, soak=200_000)):
        text = "".join(generator.choice(pieces) for _ in range(generator.randint(1, 10)))
        expected = [(m.span(), m.group("text", "number", "short")) for m in _TASK_ID_AS_WRITTEN.finditer(text)]
        assert [(m.span(), m.group("text", "number", "short")) for m in inline._TASK_ID.finditer(text)] == expected, text
        found += len(expected)
    assert found > 200


def _scan_without_shortcuts(segments, **options):
    saved = inline._ANY_REFERENCE_HINT, inline._QUALIFIED_HINT, inline._KEY_HINT, inline._may_name_blockers
    everything = re.compile("")
    try:
        inline._ANY_REFERENCE_HINT = inline._QUALIFIED_HINT = inline._KEY_HINT = everything
        inline._may_name_blockers = lambda masked: True
        return inline.scan(segments, **options)
    finally:
        inline._ANY_REFERENCE_HINT, inline._QUALIFIED_HINT, inline._KEY_HINT, inline._may_name_blockers = saved


def test_random_texts_scan_the_same_with_and_without_shortcuts():
    generator = random.Random(11)
    texts = count(fast=3000, soak=100_000)
    named = 0
    for _ in range(texts):
        segments = [(line, generator.randint(0, 4), _text(generator)) for line in range(generator.randint(1, 3))]
        bold_title = generator.random() < 0.5
        fast = inline.scan(segments, bold_title=bold_title)
        assert fast == _scan_without_shortcuts(segments, bold_title=bold_title), segments
        named += fast is not inline.NO_REFERENCES
    report("scan shortcuts", texts=texts, with_references=named)
    assert named > texts // 2


@pytest.mark.parametrize("text", ["Add a regression fixture", "Update the changelog", "ordinary words only"])
def test_a_text_that_names_nothing_is_answered_at_once(text):
    assert inline._ANY_REFERENCE_HINT.search(text) is None
    assert inline.scan([(0, 0, text)], bold_title=True) is inline.NO_REFERENCES


@pytest.mark.shared("corpus", "corpus2")
def test_real_backlogs_scan_the_same():
    scanned = 0
    for path in shared_files("corpus") + shared_files("corpus2"):
        backlog = parse(path.read_text(encoding="utf-8", errors="replace"))
        for number, line in enumerate(backlog.lines):
            if line.strip():
                segments = [(number, 0, line)]
                assert inline.scan(segments, bold_title=True) == _scan_without_shortcuts(segments, bold_title=True), line
                scanned += 1
    assert scanned > 10_000


def test_a_bold_title_is_found_as_the_pattern_finds_it():
    generator = random.Random(7)
    pieces = ["**", "__", "*", "_", "a", "Task 1.1", ":", " ", "\n", "***", "x**y", "\t"]
    found = 0
    texts = count(fast=20_000, soak=500_000)
    for _ in range(texts):
        text = "".join(generator.choice(pieces) for _ in range(generator.randint(0, 8)))
        match = inline._BOLD_TITLE.match(text)
        assert inline._bold_title(text) == (match.group("title") if match else None), repr(text)
        found += match is not None
    report("bold titles", texts=texts, titles=found)
    assert found > texts // 25


@pytest.mark.parametrize("line", ["", "Colour #fff", "bac\u212aground", "fi\u017f", "\u0130", "Gr\u0131ey", "stroke: 1", "a bg b", "BGx", "border"])
def test_colour_words_are_found_as_the_pattern_finds_them(line):
    assert inline._has_colour_words(line) == (inline._COLOUR_WORDS.search(line) is not None)


def test_colour_words_in_random_lines_are_found_as_the_pattern_finds_them():
    generator = random.Random(9)
    pieces = ["colour", "COLOR", "Fill", "fill", "refill", "bg", "BG", "hex", "Hexagon", "gray", "GREY", "css", " ", "x", ":",
              "\u212a", "\u017f", "\u0130", "\u0131", "ba", "ckground", "✅", "_", "-"]
    for _ in range(count(fast=20_000, soak=500_000)):
        line = "".join(generator.choice(pieces) for _ in range(generator.randint(0, 6)))
        assert inline._has_colour_words(line) == (inline._COLOUR_WORDS.search(line) is not None), repr(line)


def _code_spans_masked_by_width(text: str) -> str:
    """Code spans masked as CommonMark pairs backtick runs: each with the next run of its width."""
    runs = [(match.start(), match.end()) for match in re.finditer("`+", text)]
    chars = list(text)
    index = 0
    while index < len(runs):
        start, end = runs[index]
        closing = next((later for later in range(index + 1, len(runs)) if runs[later][1] - runs[later][0] == end - start), None)
        if closing is None:
            index += 1
            continue
        chars[start : runs[closing][1]] = ["\n" if ch == "\n" else " " for ch in chars[start : runs[closing][1]]]
        index = closing + 1
    return "".join(chars)


def test_code_spans_are_masked_as_backtick_runs_pair():
    generator = random.Random(13)
    pieces = ["`", "``", "```", "a", "#12", " ", "\n", "x y", "`#3`"]
    for _ in range(count(fast=20_000, soak=500_000)):
        text = "".join(generator.choice(pieces) for _ in range(generator.randint(0, 10)))
        chars = list(text)
        inline._mask_code_spans(text, chars)
        assert "".join(chars) == _code_spans_masked_by_width(text), repr(text)


def test_the_blocker_words_hint_misses_no_blocker_phrase():
    generator = random.Random(17)
    pieces = ["blocked by", "BLOCKED ON", "Depends on", "after", "AFTER", "needs", "Requires", "waiting for", " ", "x",
              "\u212a", "\u017f", "\u0130", "\u0131", "bloc\u212aed by", "depend\u017f on", "wa\u0130ting for", "wa\u0131ting on", "✅"]
    hinted = 0
    for _ in range(count(fast=20_000, soak=500_000)):
        text = "".join(generator.choice(pieces) for _ in range(generator.randint(0, 5)))
        if inline._DEPENDS.search(text) is not None:
            assert inline._may_name_blockers(text), repr(text)
            hinted += 1
    assert hinted > 1000


_STATE_PIECES = [
    "Deferred", "DEFERRED to Phase 4a", "postponed", "Postpone", "TODO phase", "TODO: Phase 2", "(phase 3)", "(Phase two)",
    "(future)", "(optional)", "(later)", "(maybe later)", "future enhancement", "Future Enhancements", "not available yet",
    "pending sprint 121", "Pending release", "pending", "(N/A - no path)", "N/A: gone", "n/a", "N/A", "not applicable",
    "Not Applicable", "applicable", "~~", "~~Port it~~", "Task 1.2", "**Task 3.1 (#11):**", "Ship", "x", " ", "\t", "(", ")",
    "-", ":", "–", "\u0130", "\u0131", "\u017f", "\u212a", "po\u017ftponed", "N/\u0130", "later\u0307", "ph\u0130se 2",
]


def test_a_task_s_state_words_are_found_as_the_patterns_alone_find_them():
    from backlog_ls import states
    from backlog_ls.model import Item, NO_REFERENCES, Span

    def by_the_patterns_alone(text: str) -> str:
        if "~~" in text and states._STRUCK.fullmatch(text) or states._CANCELLED_IN_WORDS.search(text):
            return states.CANCELLED
        return states.DEFERRED if states._DEFERRED_IN_WORDS.search(text) else states.OPEN

    generator = random.Random(11)
    kinds = {" ": states.OPEN}
    found = set()
    for _ in range(count(fast=6000, soak=300_000)):
        text = "".join(generator.choice(_STATE_PIECES) for _ in range(generator.randint(1, 8)))
        task = Item(Span(0, 0, 0, 1), "-", Span(0, 0, 0, 1), 0, " ", Span(0, 2, 0, 5), text, Span(0, 6, 0, 6), NO_REFERENCES)
        kind = states.task_kind(task, kinds)
        assert kind == by_the_patterns_alone(text), text
        found.add(kind)
    assert found == {states.OPEN, states.CANCELLED, states.DEFERRED}
    report("task states compared with the patterns", texts=count(fast=6000, soak=300_000))
