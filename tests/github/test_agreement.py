"""backlog-ls reads Markdown as GitHub does: the differential harness against cmark-gfm."""

from __future__ import annotations

import os

import pytest

pytest.importorskip("cmarkgfm")

from hypothesis import given, settings  # noqa: E402

from ..conftest import shared_files  # noqa: E402
from ..robustness.budget import SOAK, count  # noqa: E402
from .agreement import REPORT, SPEC_REASONS, render_report, spec_examples  # noqa: E402
from .documents import documents, loose_lists  # noqa: E402
from .oracle import compare, github_reading  # noqa: E402


def test_the_oracle_reads_what_github_renders():
    text = (
        "---\ntitle: x\n---\n"  # 0-2: YAML front matter, which GitHub strips
        "# Plan\n"  # 3
        "- [ ] open\n"  # 4
        "  - [X] done\n"  # 5
        "- [~] not a GFM task\n"  # 6
        "\n"
        "```bash\n"  # 8
        "- [ ] in code\n"  # 9
        "```\n"  # 10
        "> - [x] quoted\n"  # 11
        "\n"
        "<div>\nraw\n</div>\n"  # 13-15
        "\n"
        "Setext *title*\n===\n"  # 17-18
    )
    reading = github_reading(text)
    assert reading.front_matter == {0, 1, 2}
    assert reading.tasks == {4: False, 5: True, 11: True}
    assert reading.nesting == {4: None, 5: 4, 6: None, 11: None}
    assert reading.quote_depth[11] == 1
    assert reading.code == {8, 9, 10}
    assert reading.html == {13, 14, 15}
    assert reading.headings == ((3, 1, "Plan"), (17, 1, "Setext title"))
    assert reading.quotes == ((11, 11),)


def test_a_disagreement_is_described_line_by_line():
    # "- [ ]" at the end of its line is no task for cmark-gfm; the model counts it.
    found = compare("- [ ]\n")
    assert found["tasks"] in ([], ["line 1: backlog-ls False, GitHub '-'"])


@pytest.mark.shared("corpus", "corpus2", "examples", "data")
def test_the_committed_agreement_report_is_current():
    report = render_report()
    if os.environ.get("UPDATE_SNAPSHOTS"):
        REPORT.write_text(report, encoding="utf-8")
    assert REPORT.read_text(encoding="utf-8") == report


@pytest.mark.shared("corpus", "corpus2", "examples")
@pytest.mark.parametrize(
    "path", shared_files("corpus") + shared_files("corpus2") + shared_files("examples"), ids=lambda path: path.name
)
def test_every_real_backlog_is_read_as_github_reads_it(path):
    text = path.read_bytes().decode("utf-8", errors="replace")
    assert {aspect: found for aspect, found in compare(text).items() if found} == {}


@pytest.mark.shared("data")
def test_every_spec_example_agrees_or_its_difference_is_explained():
    unexplained = {}
    for example in spec_examples():
        found = {aspect: found for aspect, found in compare(example["markdown"]).items() if found}
        if found and example["example"] not in SPEC_REASONS:
            unexplained[example["example"]] = found
    assert unexplained == {}


# Derandomized in the suite (the same 150 documents every run, so CI never fails on a document
# nobody saw); with BACKLOG_LS_SOAK=1, 3,000 fresh ones. Known to differ still, found by the soak:
# "  1. task\n      - task\n    - task\n" (GitHub reads the last line as a lazy continuation
# of the nested item's paragraph; backlog-ls as an item), and "- task\n  ***\n\n- task\n" (a blank
# line after a thematic break or an HTML block that ends an item: cmark-gfm does not count it, and
# shows the list tight; backlog-ls reads it loose, as CommonMark's text has it).
@settings(max_examples=count(150, 3000), deadline=None, derandomize=not SOAK)
@given(documents(tabs=False, quotes=False, inline_html=False))
def test_generated_documents_are_read_as_github_reads_them(text):
    # Lists, tasks, fences with and without info strings, headings, HTML blocks, indented code and
    # lazy lines. Tabs, block quotes and inline HTML after a list item still differ at times: the
    # report counts how often (tests/github/agreement.md, "generated documents").
    assert {aspect: found for aspect, found in compare(text).items() if found} == {}


@pytest.mark.shared("corpus", "corpus2", "examples")
def test_no_finding_lands_on_a_line_github_renders_as_code():
    from backlog_ls.parse import parse
    from backlog_ls.rules import check

    on_code = []
    for path in shared_files("corpus") + shared_files("corpus2") + shared_files("examples"):
        text = path.read_bytes().decode("utf-8", errors="replace")
        code_lines = github_reading(text).code
        for finding in check(parse(text)):
            # unclosed-fence speaks of its own fence line, which is code.
            if finding.span.start_line in code_lines and finding.code != "BL205":
                on_code.append((path.name, finding.code, finding.span.start_line + 1))
    assert on_code == []


@settings(max_examples=count(150, 3000), deadline=None, derandomize=not SOAK)
@given(loose_lists())
def test_loose_and_tight_lists_are_read_as_github_reads_them(text):
    # Blank lines between items and inside them, second paragraphs, subtasks, lazy lines: where
    # each item sits, and whether its list is loose.
    assert {aspect: found for aspect, found in compare(text).items() if found} == {}
