"""The outline, the folds and the document links, remembered per section, are byte for byte those of a fresh parse.

A section's answer is remembered while none of its blocks changed and moved by its line
numbers after an Enter above it (``features.regions``). Documents of many nested sections
get random keystrokes (a character, Enter, Backspace joining two lines, a heading made
or its level changed, a blank line, a whole pasted section, one didChange holding many):
the texts sent must equal, to the byte, the JSON of the same answers built as values from
a fresh parse of the same text, in UTF-16 or UTF-8 (one per server, as negotiated: the
remembered JSON is per encoding), with and without the client's ``rangeLimit`` on folds.
"""

from __future__ import annotations

import json
import random
import time

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from backlog_ls import convert
from backlog_ls.config import Settings
from backlog_ls.features import block_links, folding, symbols
from backlog_ls.features import issues as issue_features
from backlog_ls.features import links as link_features
from backlog_ls.features import rfc as rfc_features
from backlog_ls.parse import parse_lines
from backlog_ls.workspace import Document

from . import budget

SETTINGS = Settings(states={"~": "cancelled", "+": "in review"})
PATH = "/tmp/plan/BACKLOG.md"

# Blocks of a sectioned backlog: headings at four levels (one written as a task), task lists
# with subtasks, prose citing RFCs and issues, links to files and to this document's headings,
# code and HTML that fold.
BLOCKS = [
    "# Plan\n", "## Phase 1: core\n", "## Phase 2: more\n", "### 2.1 Parser\n", "#### Notes\n", "### [x] Task 3 done\n",
    "- [ ] a #12\n  - [x] b\n  - [~] c\n", "- [x] see RFC 2378\n- [+] review [plan](docs/plan.md)\n",
    "- plain\n  - [ ] under a bullet\n", "Prose with RFC 9110 and [top](#plan) and [p2](#phase-2-more).\n",
    "```\ncode\n\nmore\n```\n", "<!--\nnote\n-->\n", "> quoted [x](other.md#goals)\n", "😀 看 wide text [w](./w%20x.md)\n",
    "[ref]: docs/ref.md\n",
]
sectioned = st.lists(st.sampled_from(BLOCKS), min_size=3, max_size=40).map("\n".join)
ENCODINGS = st.sampled_from(["utf-16", "utf-8"])
KEYS = ["x", "\n", "\n\n", "", "#", "## New\n", "### Sub\n- [ ] t\n", "- [ ] t", "😀", "[x] ", "RFC 1 "]


def _guard(what, compute, fallback):
    return compute()


def _sources(backlog):
    return [rfc_features.rfc_link_source(backlog, None, PATH), issue_features.issue_link_source(None)]


def _sent(backlog, encoding: str = "utf-16") -> list[str]:
    """The texts the server sends (one encoding per server, as negotiated): outline, folds whole
    and cut, links."""
    lines = backlog.lines
    found = block_links.block_links(backlog, _sources(backlog), _guard)
    return [
        convert.outline_json(symbols.outline(backlog, SETTINGS), lines, encoding),
        convert.fold_entries_json(folding.fold_entries(backlog)),
        *(convert.fold_entries_json(folding.fold_entries(backlog), limit) for limit in (0, 1, 3, 8)),
        convert.block_links_json(found, lines, encoding),
        repr(link_features.file_document_links(backlog, PATH, None)),
    ]


def _compact(value) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=True)


def _built_afresh(text_lines: list[str], encoding: str = "utf-16") -> list[str]:
    """The same answers from a fresh parse, built as values and encoded by json.dumps."""
    backlog = parse_lines(text_lines)
    lines = backlog.lines
    links = block_links.document_links(block_links.block_links(backlog, _sources(backlog), _guard))
    folds = folding.folding_ranges(backlog)
    return [
        _compact(convert.document_symbols_json(symbols.document_symbols(backlog, SETTINGS), lines, encoding)),
        _compact(convert.folding_ranges_json(folds)),
        *(_compact(convert.folding_ranges_json(folds, limit)) for limit in (0, 1, 3, 8)),
        _compact(convert.document_links_json(links, lines, encoding)),
        repr(link_features.file_document_links(backlog, PATH, None)),
    ]


def _edit(document: Document, rng: random.Random, key: str) -> None:
    lines = document.text.lines
    line = rng.randrange(len(lines))
    if key == "" and line + 1 < len(lines):
        document.apply_change((line, len(lines[line])), (line + 1, 0), "")  # Backspace joins two lines
    elif key == "#":
        document.apply_change((line, 0), (line, 0), "#")  # a heading one level deeper, or a new one
    else:
        column = rng.randint(0, len(lines[line]))
        document.apply_change((line, column), (line, column), key)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(sectioned, st.randoms(use_true_random=False), st.lists(st.sampled_from(KEYS), min_size=1, max_size=10), ENCODINGS)
def test_section_answers_after_keystrokes_are_those_of_a_fresh_parse(text, rng, keys, encoding):
    document = Document("file://" + PATH, text, 1)
    _sent(document.backlog, encoding)  # the memories are warm, as after the first requests
    for key in keys:
        _edit(document, rng, key)
        assert _sent(document.backlog, encoding) == _built_afresh(list(document.text.lines), encoding), repr(document.source)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(sectioned, st.randoms(use_true_random=False), st.lists(st.sampled_from(KEYS), min_size=2, max_size=20), ENCODINGS)
def test_one_change_with_many_edits_in_sections(text, rng, keys, encoding):
    document = Document("file://" + PATH, text, 1)
    _sent(document.backlog, encoding)
    for key in keys:
        _edit(document, rng, key)  # one didChange: parsed once, after all of them
    assert _sent(document.backlog, encoding) == _built_afresh(list(document.text.lines), encoding)


def test_enter_above_many_sections_and_undo():
    # Enter and Backspace at the top, in the middle and at the end of a backlog of 60 sections,
    # typing in between: every section below moves, then moves back.
    rng = random.Random(11)
    sections = "\n".join(f"## Phase {n}\n\n### {n}.1 Part\n\n- [ ] task {n} RFC {n + 1}\n  - [x] sub [s](#phase-{n})\n" for n in range(60))
    document = Document("file://" + PATH, "# Plan\n\n" + sections, 1)
    _sent(document.backlog)
    deadline = time.monotonic() + budget.seconds(60, 600)
    edits = 0
    for _ in range(budget.count(fast=30, soak=600)):
        if time.monotonic() > deadline:
            break
        line = rng.choice([0, 1, len(document.text.lines) // 2, len(document.text.lines) - 2])
        document.apply_change((line, 0), (line, 0), "\n")
        assert _sent(document.backlog) == _built_afresh(list(document.text.lines))
        document.apply_change((line, 0), (line + 1, 0), "")
        _edit(document, rng, rng.choice(["x", "#", "\n"]))
        assert _sent(document.backlog) == _built_afresh(list(document.text.lines))
        edits += 3
    budget.report("section answers after Enter and undo", edits=edits)


def test_a_heading_made_deeper_joins_the_section_above():
    # "## B" made "### B": section A, whose blocks did not change, now holds B.
    document = Document("file://" + PATH, "# Plan\n\n## A\n\n- [ ] a\n\n## B\n\n- [ ] b\n\n## C\n", 1)
    _sent(document.backlog)
    document.apply_change((6, 0), (6, 0), "#")
    assert _sent(document.backlog) == _built_afresh(list(document.text.lines))
    assert [child["name"] for child in json.loads(_sent(document.backlog)[0])[0]["children"][0]["children"]] == ["a", "B"]
    document.apply_change((6, 0), (6, 1), "")  # and back: B leaves A again
    assert _sent(document.backlog) == _built_afresh(list(document.text.lines))


def test_blank_lines_added_and_taken_between_blocks_of_a_section():
    # Enter on a blank line between two blocks moves the second and not the first.
    text = "# Plan\n\n## A\n\n- [ ] a\n  - [ ] a1\n\n```\ncode\n\n```\n\n<!--\nnote\n-->\n\n- [ ] z RFC 2378\n\n## B\n"
    document = Document("file://" + PATH, text, 1)
    _sent(document.backlog)
    for line in (6, 3, 11, 1):
        document.apply_change((line, 0), (line, 0), "\n")
        assert _sent(document.backlog) == _built_afresh(list(document.text.lines))
    for line in (1, 11, 3, 6):
        document.apply_change((line, 0), (line + 1, 0), "")
        assert _sent(document.backlog) == _built_afresh(list(document.text.lines))
