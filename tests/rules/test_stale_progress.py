from __future__ import annotations

import pytest

from backlog_ls.parse import parse
from backlog_ls.rules import check
from backlog_ls.rules.stale_progress import RULE

from .fixture import assert_findings, findings_for, fixed


def test_a_stale_completed_line_at_the_top_summarises_the_document():
    text = "# Plan\n\n**Completed**: 79 (63.7%)\n\n## A\n- [x] one\n- [x] two\n- [ ] three\n\n## B\n- [ ] four\n- [-] dropped\n"
    (found,) = findings_for(text, rule="BL310")
    assert (found.span, found.message) == (
        (2, 2, 2, 25),
        "The stated progress 'Completed**: 79 (63.7%)' is stale: 2 of 4 tasks are done (50%).",
    )
    assert fixed(text, rule="BL310") == text.replace("79 (63.7%)", "2 (50.0%)")


@pytest.mark.parametrize(
    ("stated", "true"),
    [
        ("Progress: 1/4", "Progress: 2/3"),
        ("2 of 5 done", "2 of 3 done"),
        ("✅ 3/3", "✅ 2/3"),
        ("- **Done:** 1 (10%)", "- **Done:** 2 (67%)"),
    ],
)
def test_each_stated_form_in_a_section_is_fixed_in_its_own_form(stated, true):
    text = f"# Plan\n\n## Parser\n\n{stated}\n\n- [x] Lexer\n- [x] Grammar\n- [ ] Errors\n- [-] Cancelled, left out\n"
    assert [f.code for f in findings_for(text, rule="BL310")] == ["BL310"]
    after = fixed(text, rule="BL310")
    assert after == text.replace(stated, true)
    assert findings_for(after, rule="BL310") == []


def test_org_cookies_on_headings_and_parent_tasks_and_empty_ones_asking_to_be_filled():
    found = assert_findings(
        """
        ## Parser [1/3]
                  ^^^^^ BL310 warning: The stated progress '[1/3]' is stale: 3 of 4 tasks are done (75%).
        - [x] Lexer
        - [x] Grammar
        - [ ] Errors [/]
                     ^^^ BL310 warning: The progress cookie '[/]' is empty: 1 of 2 tasks are done (50%).
          - [x] tokens
          - [ ] messages
        - [x] Ship [50%]
                   ^^^^^ BL310 warning: The stated progress '[50%]' is stale: 1 of 1 task is done (100%).
          - [x] build
        """,
        rule="stale-progress",
    )
    assert all(f.fixable for f in found)


def test_true_figures_dates_and_scopes_without_tasks_are_left_alone():
    assert findings_for("# Plan\n\nProgress: 1/2\n\n- [x] a\n- [ ] b\n", rule="BL310") == []
    assert findings_for("# Plan\n\n- **Completed:** 2026-02-18\n- [x] a\n", rule="BL310") == []
    assert findings_for("# Notes\n\nProgress: 3/9 chapters\n", rule="BL310") == []
    assert findings_for("```\nProgress: 1/9\n```\n- [x] a\n", rule="BL310") == []


def test_fix_all_is_a_fixed_point():
    from backlog_ls.fixes import fix_all

    text = "# Plan [0%]\n\nProgress: 0/1\n\n- [x] a [/]\n  - [x] b\n"

    def findings(current):
        return check(parse(current), rules=[RULE])

    once = fix_all(text, findings).text
    assert once == "# Plan [100%]\n\nProgress: 2/2\n\n- [x] a [1/1]\n  - [x] b\n"
    assert fix_all(once, findings).text == once



def test_the_search_for_a_figure_starts_after_indentation_and_quote_markers():
    # No figure starts on them; a quote thousands of levels deep (an unreadable block, kept as a
    # paragraph) was searched from its first ">" on every line, a second of every check.
    from backlog_ls.rules.stale_progress import _figure_start, _states_figure

    assert _figure_start(">>>  > Progress: 1/3") == 7
    assert _figure_start("  - [ ] 2 of 5 done") == 2
    assert _states_figure(">" * 4_000 + " Progress: 1/3")
    assert not _states_figure(">" * 4_000 + " - [ ] level 4000")
