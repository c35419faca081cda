"""`backlog-ls check` runs the cross-file rules over the files it checks: exact lines, JSON and SARIF."""

from __future__ import annotations

import json

from .fixtures import write_workspace


def test_check_reports_findings_across_files(run, tmp_path):
    write_workspace(tmp_path)
    code, out, err = run("check", ".", "--select", "BL103,BL104,BL401")
    assert out.splitlines() == [
        "ROADMAP.md:4:87: warning BL401 No task 'Task 9.9' in 'docs/plan.md'.",
        "docs/plan.md:6:9: warning BL104 Task ID 'Task 2.1' is also used by the task on line 3 of notes.md. (also docs/notes.md:3)",
        "docs/plan.md:6:19: warning BL103 Issue #12 is also referenced by 'Task 1.1' on line 3 of ../ARCHIVE.md. (also ARCHIVE.md:3)",
    ]
    assert code == 1


def test_json_and_sarif_name_the_other_file(run, tmp_path):
    write_workspace(tmp_path)
    _, out, _ = run("check", "docs", "ARCHIVE.md", "--select", "BL103", "--format", "json")
    (record,) = json.loads(out)
    assert record["path"] == "docs/plan.md"
    assert record["related"] == [
        {"line": 3, "column": 19, "end_line": 3, "end_column": 22, "message": "'Task 1.1' names Issue #12 here.", "path": str(tmp_path / "ARCHIVE.md")}
    ]
    _, out, _ = run("check", "docs", "ARCHIVE.md", "--select", "BL103", "--format", "sarif")
    (result,) = json.loads(out)["runs"][0]["results"]
    (related,) = result["relatedLocations"]
    assert related["physicalLocation"]["artifactLocation"]["uri"] == "ARCHIVE.md"
    assert related["physicalLocation"]["region"] == {"startLine": 3, "startColumn": 19, "endLine": 3, "endColumn": 22}


def test_files_outside_any_project_are_checked_one_by_one(run, tmp_path):
    write_workspace(tmp_path)
    (tmp_path / ".git").rmdir()
    code, out, _ = run("check", ".", "--select", "BL103,BL104,BL401")
    assert (out, code) == ("", 0)


def test_only_the_files_checked_are_compared(run, tmp_path):
    write_workspace(tmp_path)
    code, out, _ = run("check", "ROADMAP.md", "docs/notes.md", "--select", "BL103,BL104,BL401")
    assert (out, code) == ("", 0)  # plan.md, the other half of each finding, is not checked
