"""The cross-file rules on summaries of parsed files: what is reported where, and what is left alone."""

from __future__ import annotations

import attrs
import pytest

from backlog_ls.config import RuleSetting, Settings
from backlog_ls.parse import parse
from backlog_ls.rules import Related
from backlog_ls.rules.across_files import check_across, facts_of
from backlog_ls.model import Span

from .fixtures import FILES

ROOT = "/project"


def _settings(**rules: RuleSetting) -> Settings:
    settings = Settings()
    return attrs.evolve(settings, rules={**settings.rules, **rules})


def _findings(files: dict[str, str] = FILES, settings: Settings | None = None, project: str | None = ROOT):
    facts = [facts_of(parse(text), f"{ROOT}/{relative}", project, settings) for relative, text in files.items()]
    found = check_across(facts)
    return sorted(
        (path.removeprefix(ROOT + "/"), finding.span.start_line + 1, finding.code, finding.message)
        for path, findings in found.items()
        for finding in findings
    )


def test_the_fixture_workspace():
    assert _findings() == [
        ("ROADMAP.md", 4, "BL401", "No task 'Task 9.9' in 'docs/plan.md'."),
        ("docs/plan.md", 6, "BL103", "Issue #12 is also referenced by 'Task 1.1' on line 3 of ../ARCHIVE.md."),
        ("docs/plan.md", 6, "BL104", "Task ID 'Task 2.1' is also used by the task on line 3 of notes.md."),
    ]


def test_the_finding_points_at_the_other_file():
    facts = [facts_of(parse(text), f"{ROOT}/{relative}", ROOT) for relative, text in FILES.items()]
    duplicate = next(f for f in check_across(facts)[f"{ROOT}/docs/plan.md"] if f.code == "BL104")
    assert duplicate.span == Span(5, 8, 5, 16)
    assert duplicate.related == (
        Related(Span(2, 8, 2, 16), "Task 2.1 is named here first.", f"{ROOT}/docs/notes.md", "- [ ] **Task 2.1 (#15):** Write the announcement."),
    )


def test_files_of_no_known_project_share_nothing():
    assert _findings(project=None) == []


@pytest.mark.parametrize(
    ("scope", "expected"),
    [
        ("file", []),
        ("folder", [("docs/plan.md", 6, "Task ID 'Task 2.1' is also used by the task on line 3 of notes.md.")]),
        (
            "workspace",
            [
                ("docs/plan.md", 5, "Task ID 'Task 1.1' is also used by the task on line 3 of ../ARCHIVE.md."),
                ("docs/plan.md", 6, "Task ID 'Task 2.1' is also used by the task on line 3 of notes.md."),
            ],
        ),
    ],
)
def test_the_id_scope(scope, expected):
    settings = _settings(**{"duplicate-task-id": RuleSetting(options={"scope": scope})})
    found = [(path, line, message) for path, line, code, message in _findings(settings=settings) if code == "BL104"]
    assert found == expected


def test_a_task_copied_word_for_word_is_not_a_duplicate():
    files = {"ROADMAP.md": FILES["ROADMAP.md"], "ARCHIVE.md": FILES["ARCHIVE.md"]}
    settings = _settings(**{"duplicate-task-id": RuleSetting(options={"scope": "workspace"})})
    assert _findings(files, settings) == []  # links to a plan not among these files are not judged either
    reworded = {**files, "ARCHIVE.md": FILES["ARCHIVE.md"].replace("Build the parser", "Build the lexer")}
    assert _findings(reworded, settings) == [
        ("ROADMAP.md", 3, "BL103", "Issue #12 is also referenced by 'Task 1.1' on line 3 of ARCHIVE.md."),
        ("ROADMAP.md", 3, "BL104", "Task ID 'Task 1.1' is also used by the task on line 3 of ARCHIVE.md."),
    ]


def test_a_rule_turned_off_or_suppressed_is_not_run_across_files():
    off = _settings(**{"duplicate-issue": RuleSetting(severity="off")})
    assert "BL103" not in [code for _, _, code, _ in _findings(settings=off)]
    plan = FILES["docs/plan.md"].replace("- [ ] **Task 2.1", "<!-- backlog-ls-disable-next-line BL103 BL104 -->\n- [ ] **Task 2.1")
    found = _findings({**FILES, "docs/plan.md": plan})
    assert [code for _, _, code, _ in found] == ["BL401"]


def test_severity_configured_for_the_file_applies():
    settings = _settings(**{"duplicate-issue": RuleSetting(severity="error")})
    facts = [facts_of(parse(text), f"{ROOT}/{relative}", ROOT, settings) for relative, text in FILES.items()]
    found = check_across(facts)[f"{ROOT}/docs/plan.md"]
    assert {finding.code: finding.severity for finding in found} == {"BL103": "error", "BL104": "warning"}


def test_a_mention_of_another_files_issue_is_no_claim():
    files = {"a.md": "- [ ] **Task 1 (#12):** Parse.\n", "b.md": "- [ ] Write the docs, after #12.\n", "c.md": "# C\n"}
    assert _findings(files) == []
