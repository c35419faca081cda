from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from backlog_ls.config import from_toml
from backlog_ls.parse import parse, parse_lines, reparse
from backlog_ls.rules import (
    check,
    duplicate_issue,
    duplicate_task_id,
    placeholder_issue,
    task_id_mismatch,
)
from backlog_ls.rules.missing_issue import RULE
from backlog_ls.text import TextLines

from ..conftest import shared_files
from .fixture import assert_findings, findings_for, fixed


def test_a_task_without_issue_among_tasks_that_name_one():
    found = assert_findings(
        """
        ## Phase 3: Clients
        - [x] **Task 3.1 (Issue #11):** Implement the `ph` client.
        - [x] **Task 3.2 (Issue #12):** Implement the `mdb` client.
        - [ ] **Task 3.3:** Implement the web client.
              ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^ BL101 warning: Task has no issue reference; the other tasks in 'Phase 3: Clients' name one.
          - [ ] Subtasks share their parent's issue
        """,
        rule="missing-issue",
    )
    (fix,) = found[0].fixes
    assert fix.title == "Insert a placeholder: '(Issue #TBD)'"
    assert fix.preferred and not fix.safe  # adds content: offered, never applied by --fix


def test_the_fix_writes_the_placeholder_inside_the_bold_title_as_the_file_does():
    text = (
        "## Phase 3: Clients\n"
        "- [x] **Task 3.1 (Issue #11):** Implement the `ph` client.\n"
        "- [x] **Task 3.2 (Issue #12):** Implement the `mdb` client.\n"
        "- [ ] **Task 3.3:** Implement the web client.\n"
    )
    assert fixed(text, rule="BL101") == text.replace("**Task 3.3:**", "**Task 3.3 (Issue #TBD):**")


def test_the_fix_uses_the_files_own_placeholder_form():
    text = (
        "## Phase 17\n"
        "- [x] **Task 17.1 (Issue #61):** Design the sandbox.\n"
        "- [ ] **Task 17.2 (#TBD):** Write the Makefile.\n"
        "- [ ] **Task 17.3 (#TBD):** Update the site.\n"
        "- [ ] **Task 17.4:** Write the guide.\n"
    )
    assert fixed(text, rule="BL101") == text.replace("**Task 17.4:**", "**Task 17.4 (#TBD):**")


def test_the_fix_appends_at_the_end_of_the_first_line_when_the_file_does():
    text = (
        "- [x] Parse the backlog (#12)\n"
        "- [x] Publish diagnostics (#13)\n"
        "- [ ] Offer quick fixes\n"
        "  for every rule\n"
    )
    assert fixed(text, rule="BL101") == text.replace("Offer quick fixes\n", "Offer quick fixes (#TBD)\n")


def test_the_fix_leads_the_text_when_the_file_starts_tasks_with_the_issue():
    text = (
        "- [x] #24: Consolidate state management\n"
        "- [x] #20: WebSocket connection manager\n"
        "- [ ] Voice quality testing\n"
    )
    assert fixed(text, rule="BL101") == text.replace("- [ ] Voice", "- [ ] #TBD: Voice")


def test_an_issue_named_below_a_task_counts_for_the_task():
    assert_findings(
        """
        - [x] Parse the backlog (#12)
        - [x] Publish diagnostics (#13)
        - [ ] Offer quick fixes
          - [ ] for every rule (#14)
        - [ ] Hover over issues
          - Tracked in #15
        """,
        rule="missing-issue",
    )


def test_the_document_decides_for_a_section_that_cannot():
    assert_findings(
        """
        ## Phase 1
        - [x] Parse (#1)
        - [x] Check (#2)
        - [x] Report (#3)
        ## Phase 2
        - [ ] Serve (#4)
        - [ ] Hover
              ^^^^^ BL101 warning: Task has no issue reference; most tasks in this backlog name one.
        """,
        rule="missing-issue",
    )


def test_a_section_where_no_task_names_an_issue_keeps_its_own_convention():
    assert_findings(
        """
        ## Phase 1
        - [x] Parse (#1)
        - [x] Check (#2)
        - [x] Report (#3)
        - [x] Serve (#4)
        ## Ideas
        - [ ] A web view
        - [ ] A mobile app
        - [ ] Plugins
        """,
        rule="missing-issue",
    )


def test_a_definition_of_done_that_asks_for_issues():
    assert_findings(
        """
        ## Definition of Done
        - [ ] Tests pass
        - [ ] The GitHub issue is closed with a summary
        ## Phase 1
        - [x] Parse the backlog (#1)
        - [ ] Check it (#2)
        ## Phase 2
        - [ ] Serve it
              ^^^^^^^^ BL101 warning: Task has no issue reference; the Definition of Done asks for one.
        - [ ] Hover
              ^^^^^ BL101 warning: Task has no issue reference; the Definition of Done asks for one.
        - [ ] Complete
              ^^^^^^^^ BL101 warning: Task has no issue reference; the Definition of Done asks for one.
        """,
        rule="missing-issue",
    )


def test_a_definition_of_done_about_problems_does_not_ask_for_issues():
    assert_findings(
        """
        ## DoD
        - [ ] All critical issues resolved
        - [ ] No known issues
        ## Phase 1
        - [x] Parse the backlog (#1)
        - [ ] Check it
        - [ ] Serve it
        """,
        rule="missing-issue",
    )


def test_when_only_finished_tasks_name_one_open_tasks_are_left_alone():
    assert_findings(
        """
        ## Done
        - [x] Parse the backlog (#101)
        - [x] Check it (#102)
        - [x] Serve it
              ^^^^^^^^ BL101 warning: Finished task has no issue reference; the other finished tasks in 'Done' name one.
        ## Next
        - [ ] Hover
        - [ ] Completion
        """,
        rule="missing-issue",
    )


def test_a_backlog_that_never_names_an_issue_gets_nothing():
    assert_findings(
        """
        ## Phase 1
        - [x] Parse the backlog
        - [ ] Check it
        - [ ] Colour the headings #ff8800 like the logo (#fff background)
        - [ ] Tag it #frontend #ux, see [the notes](#notes)
        - [ ] Encrypt with AES-256 and hash with SHA-256
        """,
        rule="missing-issue",
    )


@pytest.mark.parametrize(
    "require, expected",
    [
        (
            "always",
            """
            - [x] Parse the backlog
                  ^^^^^^^^^^^^^^^^^ BL101 warning: Task has no issue reference; this project requires one on every task (require = "always").
              - [x] Subtasks are never asked
            - [ ] Check it
                  ^^^^^^^^ BL101 warning: Task has no issue reference; this project requires one on every task (require = "always").
            - [ ] Serve it (#3)
            """,
        ),
        (
            "checked",
            """
            - [x] Parse the backlog
                  ^^^^^^^^^^^^^^^^^ BL101 warning: Finished task has no issue reference; this project requires one on every finished task (require = "checked").
              - [x] Subtasks are never asked
            - [ ] Check it
            - [ ] Serve it (#3)
            """,
        ),
        (
            "never",
            """
            - [x] Parse the backlog
              - [x] Subtasks are never asked
            - [ ] Check it
            - [ ] Serve it (#3)
            """,
        ),
    ],
)
def test_the_require_option(require, expected):
    assert_findings(expected, rule="missing-issue", config=f'[rules.missing-issue]\nrequire = "{require}"\n')


def test_a_task_without_text_is_reported_on_its_checkbox():
    assert_findings(
        """
        - [ ]
          ^^^ BL101 warning: Task has no issue reference; this project requires one on every task (require = "always").
        """,
        rule="missing-issue",
        config='[rules.missing-issue]\nrequire = "always"\n',
    )
    assert fixed("- [ ]\n", rule="BL101", config='[rules.missing-issue]\nrequire = "always"\n') == "- [ ] (#TBD)\n"


def test_a_wrong_require_value_is_a_configuration_error():
    settings, errors = from_toml('[rules.missing-issue]\nrequire = "sometimes"\n', ".backlog-ls.toml")
    assert [error.key for error in errors] == ["rules.missing-issue.require"]
    assert "require" not in settings.rule("missing-issue").options


def test_tasks_of_the_definition_of_done_are_criteria_not_work():
    assert_findings(
        """
        ## Definition of Done
        - [ ] Tests pass
        - [ ] Docs updated
        ## Phase 1
        - [x] Parse (#1)
        """,
        rule="missing-issue",
        config='[rules.missing-issue]\nrequire = "always"\n',
    )


# --- the real backlogs -----------------------------------------------------------------------------


def test_nothing_on_the_example_that_names_an_issue_on_every_task(example_text):
    assert findings_for(example_text("000_d75c51bba9a042cf"), rule="missing-issue") == []


def test_nothing_on_the_example_that_never_names_an_issue(example_text):
    assert findings_for(example_text("001_5af4e7fbacbd400f"), rule="missing-issue") == []


def _names_issues_on_tasks(text: str) -> bool:
    return any(task.refs.issues or task.refs.placeholders for task in parse(text).tasks())


CORPUS = shared_files("corpus") + shared_files("examples")


@pytest.mark.shared("corpus", "examples")
def test_no_finding_in_any_real_backlog_that_never_names_an_issue():
    quiet = [path for path in CORPUS if not _names_issues_on_tasks(path.read_text(encoding="utf-8"))]
    assert len(quiet) > 40
    for path in quiet:
        assert check(parse(path.read_text(encoding="utf-8")), rules=[RULE]) == [], path.name


@pytest.mark.shared("corpus", "examples")
def test_findings_on_the_corpus_are_the_ones_checked_by_eye():
    found = {}
    for path in CORPUS:
        for finding in check(parse(path.read_text(encoding="utf-8")), rules=[RULE]):
            found.setdefault(path.name, []).append(finding.span.start_line + 1)
    # Concord-Voice: "Remaining for Alpha" names an issue on four of six tasks.
    assert found == {"06-Concord-Voice--Concord-Voice--ROADMAP.md": [381, 383]}


# --- after edits ------------------------------------------------------------------------------------
# The five issue and task-ID rules share an index built from per-block facts that outlive a
# keystroke (rules/common.py). Whatever the edits, their findings must be those of a fresh parse.

ISSUE_RULES = [RULE, placeholder_issue.RULE, duplicate_issue.RULE, duplicate_task_id.RULE, task_id_mismatch.RULE]
PIECES = [
    "## Phase 2: x\n", "### 2.1 Sub\n", "## Ideas\n", "## Definition of Done\n", "the GitHub issue is closed\n",
    "- [ ] ", "- [x] ", "  - [ ] ", "- ", "**Task 2.3 (Issue #5):** ", "**Task 2.3:** ", "Task 3.1 ", "T12 ",
    "(#12) ", "(#TBD) ", "#5 ", "depends on #5 ", "PR #7 ", "a/b#5 ", "text ", "\n", "\n\n", "> ", "```\n",
    "\nA paragraph between lists.\n\n",
]
lines_of_tasks = st.lists(st.sampled_from(PIECES + ["- [x] t (#3)\n", "- [ ] u\n"] * 4), min_size=10, max_size=80)


@st.composite
def document_and_edits(draw):
    text = "".join(draw(lines_of_tasks))
    edits = []
    for _ in range(draw(st.integers(1, 5))):
        new_text = "".join(draw(st.lists(st.sampled_from(PIECES), max_size=3)))
        edits.append((draw(st.floats(0, 1)), draw(st.floats(0, 1)), new_text))
    return text, edits


def _findings(backlog):
    return [(f.code, f.severity, f.span, f.message, f.fixes) for f in check(backlog, rules=ISSUE_RULES)]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(document_and_edits())
def test_findings_after_edits_equal_those_of_a_fresh_parse(case):
    text, edits = case
    document = TextLines.from_text(text)
    backlog = parse_lines(document.lines)
    _findings(backlog)
    for start_fraction, end_fraction, new_text in edits:
        lines = document.lines
        start_line = int(start_fraction * (len(lines) - 1) + 0.5)
        end_line = min(len(lines) - 1, start_line + int(end_fraction * 3))
        start = (start_line, int(start_fraction * len(lines[start_line])))
        end = (end_line, int(end_fraction * len(lines[end_line])))
        first, old_last, new_last = document.replace(start, end, new_text)
        backlog = reparse(backlog, document.lines, first, old_last, new_last)
        assert _findings(backlog) == _findings(parse_lines(list(document.lines))), repr(document.text)


def test_an_edit_far_below_a_heading_updates_its_section():
    # The heading block is not read again (reparse starts two blocks above the edit), so its
    # section must notice that one of its list blocks changed.
    text = "## Phase 1\n\n- [x] a (#1)\n\np\n\n- [x] b (#2)\n\np\n\n- [ ] c\n\np\n\n- [ ] d (#4)\n"
    document = TextLines.from_text(text)
    backlog = parse_lines(document.lines)
    assert [f.span.start_line for f in check(backlog, rules=[RULE])] == [10]
    first, old_last, new_last = document.replace((14, 7), (14, 12), "")  # "- [ ] d (#4)" -> "- [ ] d"
    edited = reparse(backlog, document.lines, first, old_last, new_last)
    assert edited.blocks[0] is backlog.blocks[0]
    assert check(edited, rules=[RULE]) == check(parse_lines(list(document.lines)), rules=[RULE]) == []


@pytest.mark.parametrize("pointer", ["See #1658", "related to #12", "cf. #12", "depends on #7", "Refs #3"])
def test_a_mention_of_another_issue_is_not_the_section_s_convention(pointer):
    text = (
        "## Fixes\n"
        f"- [x] Reword the intro. {pointer}\n"
        f"- [x] Drop the old flag ({pointer})\n"
        "- [ ] Port the tests\n"
    )
    assert findings_for(text, rule="missing-issue") == []


def test_a_mention_does_not_name_the_task_s_issue_where_the_convention_asks_for_one():
    assert_findings(
        """
        ## Clients
        - [x] Implement the ph client (#11)
        - [x] Implement the mdb client (#12)
        - [ ] Implement the web client, see #12
              ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^ BL101 warning: Task has no issue reference; the other tasks in 'Clients' name one.
        """,
        rule="missing-issue",
    )


JIRA = '[issues]\nprovider = "jira"\nurl = "https://acme.atlassian.net"\nprojects = ["ABC"]\n'


def test_a_configured_jira_key_names_the_tasks_issue_in_a_file_that_mixes_it_with_numbers():
    assert_findings(
        """
        ## Now
        - [x] **Task 1 (Issue #11):** Implement the client.
        - [x] **Task 2 (ABC-12):** Ship the login.
        - [ ] **Task 3:** Write the guide, UTF-8 safe.
              ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^ BL101 warning: Task has no issue reference; the other tasks in 'Now' name one.
        - [ ] **Task 4:** Fix the build
          - [ ] Tracked in a note: ABC-14
        """,
        rule="missing-issue",
        config=JIRA,
    )


@pytest.mark.parametrize("require", ["always", "checked"])
def test_a_key_satisfies_require_only_when_its_project_is_configured(require):
    text = "- [x] Ship the login (ABC-12)\n- [x] Hash with SHA-1\n- [x] Port the parser (OPS-3)\n"
    flagged = [f.span.start_line for f in findings_for(text, rule="missing-issue", config=f"{JIRA}[rules.missing-issue]\nrequire = \"{require}\"\n")]
    assert flagged == [1, 2]  # SHA-1 is a word, OPS is not a configured project
    linear_sources = (
        '[[issues.sources]]\nprovider = "github"\nrepo = "acme/app"\n'
        '[[issues.sources]]\nprovider = "linear"\nteams = ["OPS", "SHA"]\n'
        f'[rules.missing-issue]\nrequire = "{require}"\n'
    )
    assert [f.span.start_line for f in findings_for(text, rule="missing-issue", config=f"[issues]\n{linear_sources}")] == [0]


def test_without_jira_configured_a_key_shaped_word_is_no_issue():
    text = "## Now\n- [x] Task (#1)\n- [x] Task (#2)\n- [ ] Ship it (ABC-12)\n"
    assert [f.span.start_line for f in findings_for(text, rule="missing-issue")] == [3]
    assert findings_for(text, rule="missing-issue", config=JIRA) == []


def test_a_key_after_blocked_by_is_another_tasks_issue():
    text = "## Now\n- [x] Task (ABC-1)\n- [x] Task (ABC-2)\n- [ ] Ship it, blocked by ABC-2\n"
    assert [f.span.start_line for f in findings_for(text, rule="missing-issue", config=JIRA)] == [3]
