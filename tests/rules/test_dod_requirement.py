from __future__ import annotations

import textwrap

from backlog_ls.config import DodRequirement, DodSettings, Settings, from_toml
from backlog_ls.parse import parse
from backlog_ls.rules import check, rule_by_name_or_code

from .fixture import apply_fix, split_annotations

RULE = "dod-requirement"

PR = """
[[dod.require]]
pattern = 'https://github\\.com/.+/pull/\\d+'
message = "Link the pull request."
"""


def settings_from(toml: str, expected_errors: tuple[str, ...] = ()) -> Settings:
    """Settings from a .backlog-ls.toml text, with exactly the configuration errors expected."""
    settings, errors = from_toml(textwrap.dedent(toml), ".backlog-ls.toml")
    assert [str(error) for error in errors] == list(expected_errors)
    return settings


def findings(text: str, toml: str | Settings, expected_errors: tuple[str, ...] = ()):
    settings = toml if isinstance(toml, Settings) else settings_from(toml, expected_errors)
    return check(parse(text), settings, rules=[rule_by_name_or_code(RULE)])


def assert_dod(annotated: str, toml: str | Settings, expected_errors: tuple[str, ...] = ()):
    text, expected = split_annotations(annotated)
    found = findings(text, toml, expected_errors)
    actual = [(f.code, f.severity, f.span, f.message) for f in found]
    assert actual == sorted(expected, key=lambda e: (e[2], e[0])), "\n".join(
        ["findings differ; actual:"] + [f"  {a}" for a in actual] + ["expected:"] + [f"  {e}" for e in expected]
    )
    return found


def test_ticked_task_without_a_pull_request_link():
    annotated = """
        ## Phase 1

        - [x] Parse queries (https://github.com/acme/pharos/pull/41)
        - [x] Format results
          ^^^ BL304 warning: Definition of Done: Link the pull request.
        - [ ] Not ticked, not checked
        - [X] Linked in a note below
          - PR: https://github.com/acme/pharos/pull/42
        - [x] Linked in a later paragraph

          Merged in https://github.com/acme/pharos/pull/43 after review.
        """
    found = assert_dod(annotated, PR)
    assert [(fix.title, fix.safe) for fix in found[0].fixes] == [("Untick this task", False)]
    text, _ = split_annotations(annotated)
    assert "- [ ] Format results\n" in apply_fix(text, found[0].fixes[0])


def test_subtasks_are_covered_by_an_enclosing_item():
    assert_dod(
        """
        - [x] Ship the parser (https://github.com/acme/pharos/pull/7)
          - [x] write tests
          - [x] docs
        - Sprint 3, merged in https://github.com/acme/pharos/pull/8
          - [x] covered by the plain bullet above
        - [x] Parent linked in a note
          - PR: https://github.com/acme/pharos/pull/9
          - [x] step one, covered by its parent
        - [x] Parent without a link: a link in its subtree counts
          - [x] child with its own link https://github.com/acme/pharos/pull/10
          - [x] child without, covered by its parent
        - [ ] An open parent
          - [x] child with its own link https://github.com/acme/pharos/pull/11
          - [x] child without
            ^^^ BL304 warning: Definition of Done: Link the pull request.
        - [x] Nobody links anything
          ^^^ BL304 warning: Definition of Done: Link the pull request.
          - [x] nor here
            ^^^ BL304 warning: Definition of Done: Link the pull request.
        """,
        PR,
    )


def test_quoted_ordered_and_tab_indented_tasks():
    assert_dod(
        """
        > - [x] quoted
            ^^^ BL304 warning: Definition of Done: Link the pull request.
        1. [x] ordered
           ^^^ BL304 warning: Definition of Done: Link the pull request.
        - [ ] open parent
        \t- [x] tab-indented
        \t  ^^^ BL304 warning: Definition of Done: Link the pull request.
        """,
        PR,
    )


def test_sections_globs_match_any_enclosing_heading_case_insensitively():
    toml = """
        [[dod.require]]
        pattern = '#\\d+'
        message = "Name the issue."
        sections = ["phase *", "*Bugs*"]

        [[dod.require]]
        pattern = '(?i)\\btests?\\b'
        message = "Say how it was tested."
        sections = ["Phase 2*"]
        """
    assert_dod(
        """
        # Backlog

        - [x] preamble-ish, under the title only: no section matches

        ## Phase 1: Core

        ### Storage

        - [x] nested section, issue #12
        - [x] no issue here
          ^^^ BL304 warning: Definition of Done: Name the issue.

        ## PHASE 2: Query

        - [x] issue #13 with tests
        - [x] issue #14 only
          ^^^ BL304 warning: Definition of Done: Say how it was tested.
        - [x] nothing
          ^^^ BL304 warning: Definition of Done: Name the issue.
          ^^^ BL304 warning: Definition of Done: Say how it was tested.

        ## Known bugs

        - [x] a bug without an issue
          ^^^ BL304 warning: Definition of Done: Name the issue.

        ## Notes

        - [x] not checked at all
        """,
        toml,
    )


def test_requirement_without_sections_applies_everywhere_including_before_the_first_heading():
    assert_dod(
        """
        - [x] before any heading
          ^^^ BL304 warning: Definition of Done: Link the pull request.

        ## Anything

        - [x] under a heading
          ^^^ BL304 warning: Definition of Done: Link the pull request.
        """,
        PR,
    )


def test_an_invalid_pattern_is_a_configuration_error_and_the_rest_applies():
    toml = """
        [[dod.require]]
        pattern = '(unclosed'
        message = "Never shown."

        [[dod.require]]
        pattern = 'reviewed'
        message = "Say who reviewed it."
        """
    annotated = """
        - [x] merged
          ^^^ BL304 warning: Definition of Done: Say who reviewed it.
        - [x] reviewed by Ana
        """
    assert_dod(
        annotated,
        toml,
        expected_errors=(
            ".backlog-ls.toml:3: dod.require[0].pattern: not a regular expression: "
            "missing ), unterminated subpattern at position 0",
        ),
    )
    # Settings made in code skip the validation; the rule still skips the bad pattern.
    settings = Settings(
        dod=DodSettings([DodRequirement("(unclosed", "Never shown."), DodRequirement("reviewed", "Say who reviewed it.")])
    )
    assert_dod(annotated, settings)


def test_custom_done_state_is_checked_and_other_states_are_not():
    toml = 'states = { "+" = "done", "~" = "in-progress", "-" = "cancelled" }\n' + PR
    assert_dod(
        """
        - [+] done by another name
          ^^^ BL304 warning: Definition of Done: Link the pull request.
        - [~] in progress
        - [-] cancelled
        - [ ] open
        """,
        toml,
    )


def test_no_requirements_no_findings():
    assert [f for f in check(parse("- [x] anything\n")) if f.rule == RULE] == []


def test_dod_configuration_is_read_by_config():
    settings, errors = from_toml(textwrap.dedent(PR), ".backlog-ls.toml")
    assert errors == []
    assert settings.dod.require == [DodRequirement("https://github\\.com/.+/pull/\\d+", "Link the pull request.")]
