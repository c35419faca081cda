"""The outline, the folds, the document links and the progress hints, remembered per section, are byte for byte those of a fresh parse.

A section's answer is remembered while none of its blocks changed and moved by its line
numbers after an Enter above it (``features.regions``); what follows from each block (its
progress tally, its file links) is taken over from the snapshot before for the blocks it
shares with this one (``regions.Change``). Documents of many nested sections
get random keystrokes (a character, Enter, Backspace joining two lines, a heading made
or its level changed, a blank line, a whole pasted section, one didChange holding many):
the texts sent must equal, to the byte, the JSON of the same answers built as values from
a fresh parse of the same text, in UTF-16 or UTF-8 (one per server, as negotiated: the
remembered JSON is per encoding), with and without the client's ``rangeLimit`` on folds.
The progress figures (their running totals patched from the snapshot before's) are compared
with a walk over the fresh parse's blocks that adds up each section's tasks as it goes (the
way they were counted before they were patched).
"""

from __future__ import annotations

import json
import random
import time

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from backlog_ls import convert
from backlog_ls.config import Settings
from backlog_ls.features import block_links, folding, progress, regions, symbols
from backlog_ls.features import issues as issue_features
from backlog_ls.features import links as link_features
from backlog_ls.features import rfc as rfc_features
from backlog_ls.parse import parse_lines, reparse
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
    and cut, links (as the documentLink answer joins them), progress hints (all, and the lines in view)."""
    lines = backlog.lines
    sources = _sources(backlog)
    found = block_links.block_links(backlog, sources, _guard)
    files = link_features.file_document_links(backlog, PATH, None)
    untaken = link_features.file_document_links(backlog, PATH, None, sources[0])  # as the server asks
    return [
        convert.outline_json(symbols.outline(backlog, SETTINGS), lines, encoding),
        convert.fold_entries_json(folding.fold_entries(backlog)),
        *(convert.fold_entries_json(folding.fold_entries(backlog), limit) for limit in (0, 1, 3, 8)),
        convert.block_links_json(found, lines, encoding),
        repr(files),
        convert.links_answer_json(found, untaken, lines, encoding),
        *_progress_sent(backlog, progress.marks, progress.progress(backlog, SETTINGS).sections, progress.progress(backlog, SETTINGS).whole),
    ]


def _progress_sent(backlog, marks, sections, whole) -> list[str]:
    last = len(backlog.lines) - 1
    views = [(0, None), (last // 3, last // 3 + 6), (last // 2, last // 2), (max(0, last - 4), last + 30)]
    return [repr(marks(backlog, SETTINGS, first, end)) for first, end in views] + [repr(sorted(dict(sections).items())), repr(whole)]


def _compact(value) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=True)


def _figures_walked(backlog) -> tuple[dict, progress.Counts]:
    """Each section's figure by adding up the blocks' tallies in one walk, a stack of open sections
    (a heading task counts in the sections above it)."""
    sections, whole, stack = {}, progress.NOTHING, []

    def close(level: int) -> None:
        while stack and stack[-1][0] >= level:
            _, line, figure = stack.pop()
            sections[line] = figure
            if stack:
                stack[-1][2] = stack[-1][2].plus(figure)

    for block in backlog.blocks:
        counts = progress.block_tally(block, SETTINGS).counts
        whole = whole.plus(counts)
        if block.heading is not None:
            close(block.heading.level)
            if stack:
                stack[-1][2] = stack[-1][2].plus(counts)
            stack.append([block.heading.level, block.heading.span.start_line, progress.NOTHING])
        elif stack:
            stack[-1][2] = stack[-1][2].plus(counts)
    close(0)
    return sections, whole


def _marks_walked(backlog, settings, first=0, last=None):
    """The progress marks of first..last from the walked figures and every heading of the document."""
    sections, _ = _figures_walked(backlog)
    last = len(backlog.lines) - 1 if last is None else last
    found = []
    for heading in backlog.headings:
        line = heading.title_span.end_line if heading.setext else heading.span.start_line
        figure = sections.get(heading.span.start_line)
        if first <= line <= last and figure.total:
            found.append(progress._mark(backlog.lines, line, progress.section_label(figure), "section"))
    for task, figure in progress.progress(backlog, settings).parents_between(first, last):
        found.append(progress._mark(backlog.lines, task.text_span.start_line, progress.task_label(figure), "task"))
    return sorted(found, key=lambda mark: (mark.line, mark.column))


def _built_afresh(text_lines: list[str], encoding: str = "utf-16") -> list[str]:
    """The same answers from a fresh parse, built as values and encoded by json.dumps."""
    backlog = parse_lines(text_lines)
    lines = backlog.lines
    links = block_links.document_links(block_links.block_links(backlog, _sources(backlog), _guard))
    files = link_features.file_document_links(backlog, PATH, None)
    spans = {link.span for link in links}
    folds = folding.folding_ranges(backlog)
    return [
        _compact(convert.document_symbols_json(symbols.document_symbols(backlog, SETTINGS), lines, encoding)),
        _compact(convert.folding_ranges_json(folds)),
        *(_compact(convert.folding_ranges_json(folds, limit)) for limit in (0, 1, 3, 8)),
        _compact(convert.document_links_json(links, lines, encoding)),
        repr(files),
        _compact(convert.document_links_json(links + [link for link in files if link.span not in spans], lines, encoding)),
        *_progress_sent(backlog, _marks_walked, *_figures_walked(backlog)),
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
    _typed_and_compared(text, rng, keys, encoding)


# Enter (alone, twice, with a character) and Backspace joining two lines: the blocks below move up and down.
ENTER_KEYS = ["\n", "\n", "\n\n", "", "", "x\n"]


@settings(max_examples=budget.count(fast=30, soak=600), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(BLOCKS), min_size=30, max_size=120).map("\n".join), st.randoms(use_true_random=False),
       st.lists(st.sampled_from(ENTER_KEYS), min_size=4, max_size=14), ENCODINGS)
def test_section_answers_after_enters_in_long_documents_are_those_of_a_fresh_parse(text, rng, keys, encoding):
    _typed_and_compared(text, rng, keys, encoding)


def _typed_and_compared(text: str, rng: random.Random, keys: list[str], encoding: str) -> None:
    document = Document("file://" + PATH, text, 1)
    _sent(document.backlog, encoding)  # the memories are warm, as after the first requests
    for key in keys:
        _edit(document, rng, key)
        assert _sent(document.backlog, encoding) == _built_afresh(list(document.text.lines), encoding), repr(document.source)


# Many sibling sections: a section walked again takes those its edit did not touch from the walk of
# the snapshot before (``regions.Regions.subsections``, from eight subsections on).
FLAT_BLOCKS = ["## Phase\n", "## Phase\n", "### Part\n", "- [ ] a #3\n  - [x] b [p](#phase-1)\n", "Prose RFC 9110.\n", "```\ncode\n\n```\n"]
many_sections = st.lists(st.sampled_from(FLAT_BLOCKS), min_size=16, max_size=80).map(lambda blocks: "# Plan\n\n" + "\n".join(blocks))


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(many_sections, st.randoms(use_true_random=False), st.lists(st.sampled_from(KEYS), min_size=1, max_size=10), ENCODINGS)
def test_many_sibling_sections_after_keystrokes_are_those_of_a_fresh_parse(text, rng, keys, encoding):
    _typed_and_compared(text, rng, keys, encoding)


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


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(sectioned, st.randoms(use_true_random=False), st.lists(st.sampled_from(KEYS), min_size=2, max_size=12))
def test_two_documents_of_one_text_edited_in_turn(text, rng, keys):
    # The same text open twice (two files), edited in turn: each snapshot is patched from its own
    # document's last one (``regions.Change``), never from the other's.
    documents = [Document("file://" + PATH, text, 1), Document("file:///tmp/other/BACKLOG.md", text, 1)]
    for document in documents:
        _sent(document.backlog)
    for turn, key in enumerate(keys):
        document = documents[turn % 2]
        _edit(document, rng, key)
        assert _sent(document.backlog) == _built_afresh(list(document.text.lines))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(sectioned, st.randoms(use_true_random=False), st.sampled_from(KEYS), st.sampled_from(KEYS))
def test_two_snapshots_made_from_one(text, rng, first_key, second_key):
    # Two edits of the same snapshot (a preview of an edit beside the document's own next one): the
    # second is compared with the first, whose blocks it shares only in part.
    document = Document("file://" + PATH, text, 1)
    old = document.backlog
    _sent(old)
    _edit(document, rng, first_key)
    assert _sent(document.backlog) == _built_afresh(list(document.text.lines))
    lines = list(old.lines)
    line = rng.randrange(len(lines))
    column = rng.randint(0, len(lines[line]))
    edited = (lines[line][:column] + second_key + lines[line][column:]).split("\n")
    other = reparse(old, tuple(lines[:line] + edited + lines[line + 1 :]), line, line, line + len(edited) - 1)
    assert _sent(other) == _built_afresh(list(other.lines))
    assert _sent(document.backlog) == _built_afresh(list(document.text.lines))


# Headings whose anchors repeat ("notes", "notes-1", "notes-2" by their order) and links to them: a
# link's line comes from the headings' anchors, which are taken over from the snapshot before while
# its headings are the same blocks, each anchor's line moved with its heading's block (``links._own_heading_lines``).
REPEATED_HEADINGS = ["## Notes\n", "### notes\n", "# Notes!\n", "- [ ] t [n](#notes-1) [m](#notes)\n", "Text [n2](#notes-2).\n", "- [x] done\n"]


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(REPEATED_HEADINGS), min_size=2, max_size=20).map("\n".join), st.randoms(use_true_random=False), st.lists(st.sampled_from(KEYS), min_size=1, max_size=10))
def test_links_to_repeated_headings_after_keystrokes_are_those_of_a_fresh_parse(text, rng, keys):
    _file_links_typed_and_compared(text, rng, keys)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(REPEATED_HEADINGS), min_size=10, max_size=40).map("\n".join), st.randoms(use_true_random=False),
       st.lists(st.sampled_from(ENTER_KEYS), min_size=2, max_size=10))
def test_links_to_repeated_headings_after_enters_are_those_of_a_fresh_parse(text, rng, keys):
    # The headings moved by whole lines keep their anchors, and a link to one follows its line.
    _file_links_typed_and_compared(text, rng, keys)


def _file_links_typed_and_compared(text: str, rng: random.Random, keys: list[str]) -> None:
    document = Document("file://" + PATH, text, 1)
    link_features.file_document_links(document.backlog, PATH, None)
    for key in keys:
        _edit(document, rng, key)
        fresh = link_features.file_document_links(parse_lines(list(document.text.lines)), PATH, None)
        assert link_features.file_document_links(document.backlog, PATH, None) == fresh, repr(document.source)


def test_a_link_to_a_heading_below_an_enter_names_the_heading_s_new_line():
    document = Document("file://" + PATH, "# Plan\n\n- [ ] see [notes](#notes)\n\n## Notes\n\ntext\n", 1)
    assert [link.target for link in link_features.file_document_links(document.backlog, PATH, None)] == ["file://" + PATH + "#L5"]
    document.apply_change((2, 0), (2, 0), "\n")
    assert [link.target for link in link_features.file_document_links(document.backlog, PATH, None)] == ["file://" + PATH + "#L6"]


def test_a_keystroke_among_many_sections_looks_up_only_the_sections_around_it(monkeypatch):
    # The top-level section changes at every keystroke inside it: its 200 subsections are taken from
    # the walk of the snapshot before (``Regions.subsections``), not looked up one by one.
    sections = "\n".join(f"## Phase {n}\n\n- [ ] task {n} RFC {n + 1} [s](#phase-{n})\n  - [x] sub\n" for n in range(200))
    document = Document("file://" + PATH, "# Plan\n\n" + sections, 1)
    _sent(document.backlog)
    looked_up = []
    find = regions.Regions.find
    monkeypatch.setattr(regions.Regions, "find", lambda self, index, position, *rest: looked_up.append(position) or find(self, index, position, *rest))
    middle = len(document.text.lines) // 2
    for start, end, text in [((middle, 2), (middle, 2), "x"), ((middle, 0), (middle, 0), "\n"), ((middle, 0), (middle + 1, 0), ""), ((3, 0), (3, 0), "\n")]:
        document.apply_change(start, end, text)
        looked_up.clear()
        backlog = document.backlog
        symbols.outline(backlog, SETTINGS), folding.fold_entries(backlog), block_links.block_links(backlog, _sources(backlog), _guard)
        assert len(looked_up) < 20, looked_up
        assert _sent(backlog) == _built_afresh(list(document.text.lines))


def test_file_links_where_an_rfc_link_is_are_left_out_after_enters():
    """The documentLink answer gives a relative link to an RFC once, as the RFC's link: the file
    links found block by block (and run by run in a long list) leave out those an RFC link has,
    after Enters moved them too, as spelling out every link and comparing their spans does."""
    items = "".join(f"- [ ] Task 2.{n} (#{n}), see [RFC](docs/rfcs/000{n % 3}-x.md) and [plan](docs/plan.md)\n" for n in range(40))
    text = (
        "Intro, see [the RFC](docs/rfcs/0001-x.md).\n\n# Plan\n\n## Phase 1\n\n- [ ] Task 1.1 (#1), RFC 9110 [p](#plan)\n\n"
        "### Deeper\n\nSee [spec](docs/rfcs/0002-x.md) and [notes](notes.md) and #4.\n\n## Phase 2\n\n" + items + "\n# Later\n\n- [ ] (#9)\n"
    )
    document = Document("file:///plan/BACKLOG.md", text, 1)
    rng = random.Random(7)
    for round_ in range(8):
        if round_:
            line = rng.randrange(len(document.text.lines))
            document.apply_change((line, 0), (line, 0), "\n")  # every later block moves
        backlog = document.backlog
        sources = _sources(backlog)
        spans = {link.span for link in block_links.document_links(block_links.block_links(backlog, sources, _guard))}
        every = link_features.file_document_links(backlog, PATH, None)
        left = link_features.file_document_links(backlog, PATH, None, sources[0])
        assert left == [link for link in every if link.span not in spans]
        assert len(left) < len(every) and any(link.target.endswith("docs/plan.md") for link in left)
