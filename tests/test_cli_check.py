"""`backlog-ls check` beyond the basics: configuration, include/exclude, --select/--ignore, --fix,
SARIF and GitHub output, --statistics, and `backlog-ls rules`. Exact output lines and exit codes.

Fake rules (codes BL9xx) stand in where a test needs a particular finding or fix, so these tests
do not move when the real rules change; their runs use ``--select BL9`` to leave the real rules out.
"""

from __future__ import annotations

import json
import os
import re
import stat
from pathlib import Path

import pytest

import backlog_ls
from backlog_ls import report, rules_doc
from backlog_ls.providers import project_files as files
from backlog_ls.model import Span
from backlog_ls.rules import Edit, Fix, Rule, registry

from .cli_support import finding_paths, write

MALFORMED = "- [ x] a\n"


# --- fake rules -----------------------------------------------------------------------------------


def _words(context, word: str):
    for number, line in enumerate(context.backlog.lines):
        for match in re.finditer(word, line):
            yield number, match.start(), match.end()


def _todo(context):
    for line, start, end in _words(context, "TODO"):
        span = Span(line, start, line, end)
        yield TODO_RULE.finding(span, "TODO left in the text.", [Fix("Write 'done'", (Edit(span, "done"),))])


def _odd(context):
    for line, start, end in _words(context, "ODD"):
        yield ODD_RULE.finding(Span(line, start, line, end), "100% odd,\nreally: yes")


def _double(context):
    # Overlapping findings ("aaa" has two): one pass can apply only the first of them.
    for line, start, _ in _words(context, "(?=aa)"):
        span = Span(line, start, line, start + 2)
        yield DOUBLE_RULE.finding(span, "A doubled 'a'.", [Fix("Write one 'a'", (Edit(span, "a"),))])


def _unsafe(context):
    for line, start, end in _words(context, "MAYBE"):
        span = Span(line, start, line, end)
        yield UNSAFE_RULE.finding(span, "Maybe.", [Fix("Write 'yes'", (Edit(span, "yes"),), safe=False)])


TODO_RULE = Rule("fake-todo", "BL901", "warning", "A TODO word.", _todo)
ODD_RULE = Rule("fake-odd", "BL902", "info", "An ODD word.", _odd)
DOUBLE_RULE = Rule("fake-double", "BL903", "hint", "A doubled a.", _double)
UNSAFE_RULE = Rule("fake-unsafe", "BL904", "error", "A MAYBE word.", _unsafe)
FAKES = (TODO_RULE, ODD_RULE, DOUBLE_RULE, UNSAFE_RULE)


@pytest.fixture(autouse=True)
def fake_rules(monkeypatch):
    monkeypatch.setattr(registry, "RULES", registry.RULES + FAKES)


# --- exit codes -----------------------------------------------------------------------------------


def test_exit_codes(run, tmp_path):
    write(tmp_path, "clean.md", "Nothing here.\n")
    write(tmp_path, "todo.md", "A TODO.\n")

    assert run("check", "--select", "BL9", "clean.md")[0] == 0
    assert run("check", "--select", "BL9", "todo.md")[0] == 1
    assert run("check", "--select", "BL9", "--exit-zero", "todo.md")[0] == 0
    assert run("check", "--select", "BL9", "--exit-zero", "todo.md", "missing.md")[0] == 2


# --- --select and --ignore ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("options", "codes"),
    [
        (["--select", "BL901"], ["BL901"]),
        (["--select", "fake-odd,BL901"], ["BL901", "BL902"]),
        (["--select", "fake-odd", "--select", "BL901"], ["BL901", "BL902"]),
        (["--select", "bl90"], ["BL901", "BL902"]),  # a code prefix, in any case
        (["--select", "BL9", "--ignore", "fake-todo"], ["BL902"]),
        (["--select", "BL9", "--ignore", "BL90"], []),
        (["--select", "BL9", "--ignore", " BL902 , "], ["BL901"]),
    ],
)
def test_select_and_ignore(run, tmp_path, options, codes):
    write(tmp_path, "f.md", "TODO and ODD\n")

    code, out, _ = run("check", *options, "f.md")

    assert [line.split()[2] for line in out.splitlines()] == codes
    assert code == (1 if codes else 0)


def test_select_of_an_unknown_rule_is_a_usage_error(run, tmp_path):
    write(tmp_path, "f.md", "TODO\n")

    code, out, err = run("check", "--select", "BL901,fake-tood", "f.md")

    assert (code, out) == (2, "")
    assert err.splitlines() == [
        "backlog-ls: error: --select: unknown rule 'fake-tood' (did you mean 'fake-todo'?); `backlog-ls rules` lists them"
    ]


def test_ignore_of_an_unknown_code_is_a_usage_error(run):
    code, _, err = run("check", "--ignore", "XY1")

    assert code == 2
    assert err.splitlines() == ["backlog-ls: error: --ignore: unknown rule 'XY1'; `backlog-ls rules` lists them"]


# --- configuration --------------------------------------------------------------------------------


def test_config_errors_exit_2_and_the_rest_of_the_configuration_applies(run, tmp_path):
    write(tmp_path, ".backlog-ls.toml", 'colour = "red"\n[rules]\nmalformed-task = "off"\nnope = "error"\n')
    write(tmp_path, "f.md", MALFORMED)
    write(tmp_path, "g.md", MALFORMED)

    code, out, err = run("check", "--select", "malformed-task", "f.md", "g.md")

    assert (code, out) == (2, "")  # malformed-task is off: no findings, yet the configuration was wrong
    lines = err.splitlines()
    assert lines[0].startswith("backlog-ls: error: .backlog-ls.toml:1: colour: unknown key")
    assert lines[1:] == [
        "backlog-ls: error: .backlog-ls.toml:4: rules.nope: unknown rule; `backlog-ls rules` lists them",
        "No findings in 2 files.",
    ]  # each error once, however many files the configuration governs


def test_severity_from_pyproject_in_a_parent_folder(run, tmp_path):
    write(tmp_path, "pyproject.toml", '[project]\nname = "x"\n\n[tool.backlog-ls.rules]\nfake-todo = "error"\n')
    write(tmp_path, "docs/plan.md", "TODO\n")

    code, out, err = run("check", "--select", "BL9", "docs")

    assert code == 1
    assert out.splitlines() == ["docs/plan.md:1:1: error BL901 TODO left in the text."]


def test_each_file_gets_its_nearest_configuration(run, tmp_path):
    write(tmp_path, ".backlog-ls.toml", '[rules]\nfake-todo = "info"\n')
    write(tmp_path, "sub/.backlog-ls.toml", '[rules]\nfake-todo = "off"\n')
    write(tmp_path, "plan.md", "TODO\n")
    write(tmp_path, "sub/plan.md", "TODO\n")
    write(tmp_path, "other/plan.md", "TODO\n")

    _, out, _ = run("check", "--select", "BL9", ".")

    assert out.splitlines() == [
        "other/plan.md:1:1: info BL901 TODO left in the text.",
        "plan.md:1:1: info BL901 TODO left in the text.",
    ]


def test_explicit_config_overrides_discovery(run, tmp_path):
    write(tmp_path, ".backlog-ls.toml", '[rules]\nfake-todo = "off"\n')
    write(tmp_path, "ci/strict.toml", '[rules]\nfake-todo = "error"\n')
    write(tmp_path, "plan.md", "TODO\n")

    _, out, _ = run("check", "--select", "BL9", "--config", "ci/strict.toml", "plan.md")

    assert out.splitlines() == ["plan.md:1:1: error BL901 TODO left in the text."]


def test_a_missing_explicit_config_is_a_usage_error(run, tmp_path):
    write(tmp_path, "plan.md", "TODO\n")

    code, out, err = run("check", "--config", "nope.toml", "plan.md")

    assert (code, out) == (2, "")
    assert err.splitlines() == ["backlog-ls: error: --config nope.toml: no such file"]


def test_errors_of_an_explicit_config_are_reported_even_without_files(run, tmp_path):
    write(tmp_path, "c.toml", "nope = 1\n")
    (tmp_path / "empty").mkdir()

    code, _, err = run("check", "--config", "c.toml", "empty")

    assert code == 2
    assert err.splitlines()[0].startswith("backlog-ls: error: c.toml:1: nope: unknown key")


# --- which files a folder contributes ---------------------------------------------------------------


EVERY_FILE_RULE = Rule(
    "fake-every-file", "BL990", "info", "Every file.", lambda context: [EVERY_FILE_RULE.finding(Span(0, 0, 0, 0), "seen")]
)


@pytest.fixture
def checked_files(run, monkeypatch):
    """The files ``check ARGS`` reads, in order (a rule that reports every file shows them)."""
    monkeypatch.setattr(registry, "RULES", registry.RULES + (EVERY_FILE_RULE,))

    def invoke(*argv: str) -> list[str]:
        _, out, _ = run("check", "--select", "fake-every-file", *argv)
        return finding_paths(out)

    return invoke


def test_a_folder_contributes_plan_like_names_and_markdown_with_tasks(checked_files, tmp_path):
    write(tmp_path, "BACKLOG.md", "# Backlog\n\nNothing planned yet.\n")  # the name says so
    write(tmp_path, "docs/Sprint-Plan.MD", "No tasks.\n")  # names match in any case
    write(tmp_path, "notes.md", "# Notes\n\n" + MALFORMED)  # it has a task item, even a broken one
    write(tmp_path, "list.markdown", "1. [x] numbered\n")
    write(tmp_path, "docs/open.md", "Intro.\n\n  * [ ] an open task\n")
    write(tmp_path, "docs/glued.md", "-[ ] glued\n")
    write(tmp_path, "README.md", "# Read me\n\n- a [link](x) in a list\n- [Go](y)\n")
    write(tmp_path, "docs/guide.md", "Prose only, [x] in a sentence.\n")
    write(tmp_path, "tasks.txt", MALFORMED)  # not Markdown, not in the default include
    write(tmp_path, "vendor/lib/TODO.md", MALFORMED)  # default exclude
    write(tmp_path, "node_modules/x/todo.md", MALFORMED)

    assert checked_files(".") == [
        "BACKLOG.md",
        "docs/Sprint-Plan.MD",
        "docs/glued.md",
        "docs/open.md",
        "list.markdown",
        "notes.md",
    ]


def test_a_file_named_explicitly_is_checked_even_when_excluded(run, tmp_path):
    write(tmp_path, "vendor/TODO.md", MALFORMED)
    write(tmp_path, "README.md", "no tasks\n")

    _, out, err = run("check", "--select", "malformed-task", "vendor/TODO.md", "README.md")

    assert finding_paths(out) == ["vendor/TODO.md"]
    assert err.splitlines() == ["Found 1 finding (1 fixable) in 1 of 2 files."]


def test_force_exclude_applies_include_and_exclude_to_named_files(run, tmp_path):
    write(tmp_path, "vendor/TODO.md", MALFORMED)
    write(tmp_path, "README.md", "no tasks\n")
    write(tmp_path, "ROADMAP.md", MALFORMED)

    _, out, err = run("check", "--force-exclude", "--select", "malformed-task", "vendor/TODO.md", "README.md", "ROADMAP.md")

    assert finding_paths(out) == ["ROADMAP.md"]
    assert err.splitlines() == ["Found 1 finding (1 fixable) in 1 file."]


def test_configured_include_and_exclude(run, tmp_path):
    write(tmp_path, ".backlog-ls.toml", 'include = ["*.txt", "plans/**"]\nexclude = ["drafts"]\n')
    write(tmp_path, "a.txt", MALFORMED)
    write(tmp_path, "plans/q1.md", MALFORMED)
    write(tmp_path, "notes.md", MALFORMED)  # has tasks, but a configured include is taken as written
    write(tmp_path, "drafts/b.txt", MALFORMED)

    code, out, err = run("check", "--select", "malformed-task", ".")

    assert finding_paths(out) == ["a.txt", "plans/q1.md"]
    assert err == "Found 2 findings (2 fixable) in 2 files.\n"


@pytest.mark.parametrize(
    ("pattern", "path", "matches"),
    [
        ("**/*backlog*.md", "BACKLOG.md", True),
        ("**/*backlog*.md", "docs/team/backlog-2024.MD", True),
        ("**/*backlog*.md", "backlog.md.bak", False),
        ("**/vendor/**", "vendor/x.md", True),
        ("**/vendor/**", "a/vendor/b/x.md", True),
        ("**/vendor/**", "vendors/x.md", False),
        ("*.txt", "deep/down/a.txt", True),  # no "/": the file name, at any depth
        ("plans/*.md", "plans/q1.md", True),
        ("plans/*.md", "plans/2024/q1.md", False),  # "*" stays in one folder
        ("/plans/**", "plans/2024/q1.md", True),
        ("./plans/**", "plans/q1.md", True),
        ("q[0-9].md", "plans/q1.md", True),
        ("q[!0-9].md", "plans/q1.md", False),
        ("?.md", "a.md", True),
    ],
)
def test_glob_matches(pattern, path, matches):
    assert files.glob_matches(pattern, path) is matches


def test_selection_excludes_a_folder_by_name_and_matches_relative_to_its_root(tmp_path):
    write(tmp_path, "project/drafts/TODO.md", MALFORMED)
    write(tmp_path, "project/TODO.md", MALFORMED)
    selection = files.Selection.of(["TODO.md"], ["drafts"], tmp_path / "project")

    assert selection.wants(str(tmp_path / "project/TODO.md"))
    assert not selection.wants(str(tmp_path / "project/drafts/TODO.md"))
    assert not selection.sniffs


# --- --fix ----------------------------------------------------------------------------------------


def test_fix_keeps_bom_and_crlf_byte_exact_apart_from_the_edits(run, tmp_path):
    original = b"\xef\xbb\xbf# Plan \xf0\x9f\x98\x80\r\n\r\n- [ x] a\r\n-[ ] b\n- [x] MAYBE\r\n\r\ntrailing \xc3\xa9"
    path = write(tmp_path, "plan.md", original)
    path.chmod(0o640)

    code, out, err = run("check", "--fix", "--select", "malformed-task,fake-unsafe", "plan.md")

    assert path.read_bytes() == original.replace(b"[ x]", b"[x]").replace(b"-[ ]", b"- [ ]")
    assert stat.S_IMODE(path.stat().st_mode) == 0o640
    assert out.splitlines() == [
        "plan.md:3:3: fixed BL201 Write '[x]'",
        "plan.md:4:1: fixed BL201 Write '- [ ]'",
        "plan.md:5:7: error BL904 Maybe.",  # its only fix is unsafe: it remains, and so exit 1
    ]
    assert err.splitlines() == ["Fixed 2 findings in 1 file.", "Found 1 finding in 1 file."]
    assert code == 1
    assert sorted(entry.name for entry in tmp_path.iterdir()) == ["plan.md"]  # no temporary file left


def test_fix_with_nothing_left_exits_0_and_leaves_clean_files_untouched(run, tmp_path):
    fixable = write(tmp_path, "a.md", "A TODO and a TODO.\n")
    clean = write(tmp_path, "b.md", "Nothing.\n")
    clean_inode = clean.stat().st_ino

    code, out, err = run("check", "--fix", "--select", "BL9", "a.md", "b.md")

    assert code == 0
    assert fixable.read_text(encoding="utf-8") == "A done and a done.\n"
    assert clean.stat().st_ino == clean_inode  # not rewritten
    assert out.splitlines() == ["a.md:1:3: fixed BL901 Write 'done'", "a.md:1:14: fixed BL901 Write 'done'"]
    assert err.splitlines() == ["Fixed 2 findings in 1 file.", "No findings in 2 files."]


def test_fix_keeps_hard_links_and_the_bytes_around_the_edits(run, tmp_path):
    original = b"\xef\xbb\xbf# Plan\r\n\r\n- [ x] a\r\n"
    path = write(tmp_path, "plan.md", original)
    path.chmod(0o640)
    other = tmp_path / "linked.md"
    os.link(path, other)  # the same file under a second name (a backup tree, a worktree trick)

    code, out, err = run("check", "--fix", "--select", "malformed-task", "plan.md")

    fixed = original.replace(b"[ x]", b"[x]")
    assert (code, path.read_bytes(), other.read_bytes()) == (0, fixed, fixed)
    assert path.stat().st_ino == other.stat().st_ino and path.stat().st_nlink == 2
    assert stat.S_IMODE(path.stat().st_mode) == 0o640
    assert out.splitlines() == ["plan.md:3:3: fixed BL201 Write '[x]'"]
    assert sorted(entry.name for entry in tmp_path.iterdir()) == ["linked.md", "plan.md"]  # no temporary file left


def test_fix_still_replaces_a_file_with_one_link_in_one_step(tmp_path):
    path = tmp_path / "plan.md"
    path.write_bytes(b"old\n")
    inode = path.stat().st_ino
    files.write_atomically(str(path), b"new\r\n")
    assert path.read_bytes() == b"new\r\n" and path.stat().st_ino != inode  # a rename: readers see old or new


def test_fix_takes_several_passes_for_overlapping_fixes(run, tmp_path):
    path = write(tmp_path, "a.md", "baaaab\n")

    code, out, err = run("check", "--fix", "--select", "fake-double", "a.md")

    assert (code, path.read_text(encoding="utf-8")) == (0, "bab\n")
    assert out.splitlines() == [
        "a.md:1:2: fixed BL903 Write one 'a'",
        "a.md:1:4: fixed BL903 Write one 'a'",
        "a.md:1:2: fixed BL903 Write one 'a'",  # the second pass, in the text of the first
    ]
    assert err.splitlines()[0] == "Fixed 3 findings in 1 file."


def test_fix_never_applies_unsafe_fixes(run, tmp_path):
    path = write(tmp_path, "a.md", "MAYBE\n")

    code, out, _ = run("check", "--fix", "--select", "BL9", "a.md")

    assert (code, path.read_text(encoding="utf-8")) == (1, "MAYBE\n")
    assert out.splitlines() == ["a.md:1:1: error BL904 Maybe."]


def test_fix_through_a_symlink_rewrites_the_target_and_keeps_the_link(run, tmp_path):
    target = write(tmp_path, "real/plan.md", "TODO\n")
    (tmp_path / "plan.md").symlink_to(target)

    run("check", "--fix", "--select", "BL9", "plan.md")

    assert (tmp_path / "plan.md").is_symlink()
    assert target.read_text(encoding="utf-8") == "done\n"


def test_fix_with_json_reports_only_what_remains(run, tmp_path):
    write(tmp_path, "a.md", "TODO MAYBE\n")

    code, out, err = run("check", "--fix", "--format", "json", "--select", "BL9", "a.md")

    assert code == 1 and err == ""
    assert [record["code"] for record in json.loads(out)] == ["BL904"]


@pytest.mark.skipif(hasattr(os, "geteuid") and os.geteuid() == 0, reason="root writes anywhere")
def test_fix_in_a_read_only_folder_is_an_error_and_the_file_is_unchanged(run, tmp_path):
    path = write(tmp_path, "ro/a.md", "TODO\n")
    (tmp_path / "ro").chmod(0o555)
    try:
        code, out, err = run("check", "--fix", "--select", "BL9", "ro/a.md")
    finally:
        (tmp_path / "ro").chmod(0o755)

    assert code == 2
    assert path.read_text(encoding="utf-8") == "TODO\n"
    assert err.splitlines()[0] == "backlog-ls: error: ro/a.md: cannot be written: permission denied"


# --- SARIF ----------------------------------------------------------------------------------------


def test_sarif_log(run, tmp_path):
    write(tmp_path, ".backlog-ls.toml", '[rules]\nfake-double = "hint"\nfake-odd = "info"\n')
    write(tmp_path, "dir with space/tâche.md", "😀 TODO\nODD aa\n")

    code, out, err = run("check", "--format", "sarif", "--select", "BL9", "dir with space/tâche.md")

    assert (code, err) == (1, "")
    log = json.loads(out)
    assert log["version"] == "2.1.0"
    assert log["$schema"] == "https://json.schemastore.org/sarif-2.1.0.json"
    (sarif_run,) = log["runs"]
    driver = sarif_run["tool"]["driver"]
    assert (driver["name"], driver["version"]) == ("backlog-ls", backlog_ls.__version__)
    assert driver["informationUri"].startswith("https://")
    assert sarif_run["columnKind"] == "utf16CodeUnits"
    assert sarif_run["originalUriBaseIds"]["%SRCROOT%"]["uri"] == tmp_path.as_uri() + "/"

    rules_by_id = {rule["id"]: rule for rule in driver["rules"]}
    assert rules_by_id["BL201"] == {
        "id": "BL201",
        "name": "malformed-task",
        "shortDescription": {"text": backlog_ls.rules.rule_by_name_or_code("BL201").summary},
        "helpUri": f"{report.RULES_DOC_URL}#bl201-malformed-task",
        "defaultConfiguration": {"level": "error"},
        "properties": {"tags": ["malformed-task"]},
    }
    assert rules_by_id["BL902"]["defaultConfiguration"] == {"level": "note"}

    results = sarif_run["results"]
    assert [(result["ruleId"], result["level"]) for result in results] == [
        ("BL901", "warning"),
        ("BL902", "note"),
        ("BL903", "note"),  # hint and info are both "note"
    ]
    todo = results[0]
    assert driver["rules"][todo["ruleIndex"]]["id"] == "BL901"
    assert todo["message"] == {"text": "TODO left in the text."}
    location = todo["locations"][0]["physicalLocation"]
    assert location["artifactLocation"] == {"uri": "dir%20with%20space/t%C3%A2che.md", "uriBaseId": "%SRCROOT%"}
    # "😀" is two UTF-16 code units: TODO starts at code point 2, UTF-16 column 4 (1-based).
    assert location["region"] == {"startLine": 1, "startColumn": 4, "endLine": 1, "endColumn": 8}
    assert todo["fixes"] == [
        {
            "description": {"text": "Write 'done'"},
            "artifactChanges": [
                {
                    "artifactLocation": {"uri": "dir%20with%20space/t%C3%A2che.md", "uriBaseId": "%SRCROOT%"},
                    "replacements": [
                        {
                            "deletedRegion": {"startLine": 1, "startColumn": 4, "endLine": 1, "endColumn": 8},
                            "insertedContent": {"text": "done"},
                        }
                    ],
                }
            ],
        }
    ]
    assert "fixes" not in results[1]  # no fix at all


def test_sarif_of_a_clean_run_has_rules_and_no_results(run, tmp_path):
    write(tmp_path, "plan.md", "fine\n")

    code, out, _ = run("check", "--format", "sarif", "--select", "malformed-task", "plan.md")

    log = json.loads(out)
    assert code == 0
    assert log["runs"][0]["results"] == []
    codes = [rule["id"] for rule in log["runs"][0]["tool"]["driver"]["rules"]]
    assert "BL201" in codes and codes == sorted(codes)


def test_sarif_uri_of_a_file_outside_the_working_directory(tmp_path, monkeypatch):
    (tmp_path / "cwd").mkdir()
    monkeypatch.chdir(tmp_path / "cwd")
    outside = write(tmp_path, "other/plan.md", "")

    assert report.artifact_uri(str(outside)) == outside.as_uri()
    assert report.artifact_uri("../other/plan.md") == outside.as_uri()


# --- GitHub annotations ---------------------------------------------------------------------------


def test_github_annotations_are_exact_lines(run, tmp_path):
    write(tmp_path, ".backlog-ls.toml", '[rules]\nfake-double = "hint"\n')
    write(tmp_path, "plan.md", "x TODO\nODD aa\n- [ x] a\n")

    code, out, err = run("check", "--format", "github", "--select", "BL9,BL201", "plan.md")

    assert (code, err) == (1, "")
    assert out.splitlines() == [
        "::warning file=plan.md,line=1,col=3,endLine=1,endColumn=7,title=BL901 fake-todo::TODO left in the text.",
        "::notice file=plan.md,line=2,col=1,endLine=2,endColumn=4,title=BL902 fake-odd::100%25 odd,%0Areally: yes",
        "::notice file=plan.md,line=2,col=5,endLine=2,endColumn=7,title=BL903 fake-double::A doubled 'a'.",
        "::error file=plan.md,line=3,col=3,endLine=3,endColumn=7,title=BL201 malformed-task::"
        "'[ x]' is not a checkbox: write '[x]'.",
    ]


def test_github_properties_escape_comma_and_colon(run, tmp_path):
    write(tmp_path, "a,b:c%.md", "TODO\n")

    _, out, _ = run("check", "--format", "github", "--select", "BL9", "a,b:c%.md")

    assert out == "::warning file=a%2Cb%3Ac%25.md,line=1,col=1,endLine=1,endColumn=5,title=BL901 fake-todo::TODO left in the text.\n"


# --- --statistics ---------------------------------------------------------------------------------


def test_statistics(run, tmp_path):
    write(tmp_path, "a.md", "TODO TODO MAYBE\n")
    write(tmp_path, "b.md", "TODO ODD\n")

    code, out, err = run("check", "--statistics", "--select", "BL9", "a.md", "b.md")

    assert code == 1
    assert out.splitlines() == ["3\tBL901\t[*] fake-todo", "1\tBL902\t    fake-odd", "1\tBL904\t    fake-unsafe"]
    assert err.splitlines() == ["Found 5 findings (3 fixable) in 2 files."]

    _, out, _ = run("check", "--statistics", "--format", "json", "--select", "BL901", "a.md", "b.md")
    assert json.loads(out) == [{"code": "BL901", "rule": "fake-todo", "count": 3, "fixable": 3}]


def test_statistics_with_sarif_is_a_usage_error(run):
    code, _, err = run("check", "--statistics", "--format", "sarif")

    assert code == 2
    assert err.splitlines() == ["backlog-ls: error: --statistics works with --format text or json"]


# --- backlog-ls rules -----------------------------------------------------------------------------


def test_rules_table(run):
    code, out, _ = run("rules")

    lines = out.splitlines()
    columns = [lines[0].index(title) for title in ("CODE", "NAME", "SEVERITY", "SUMMARY")]
    rows = [[line[start:end].strip() for start, end in zip(columns, columns[1:] + [None])] for line in lines]
    assert code == 0
    assert rows[0] == ["CODE", "NAME", "SEVERITY", "SUMMARY"]
    assert ["BL201", "malformed-task", "error"] in [row[:3] for row in rows]
    assert rows[-4:] == [
        ["BL901", "fake-todo", "warning", "A TODO word."],
        ["BL902", "fake-odd", "info", "An ODD word."],
        ["BL903", "fake-double", "hint", "A doubled a."],
        ["BL904", "fake-unsafe", "error", "A MAYBE word."],
    ]


def test_rules_json(run):
    code, out, _ = run("rules", "--format", "json")

    records = {record["code"]: record for record in json.loads(out)}
    assert code == 0
    assert records["BL201"] == {
        "code": "BL201",
        "name": "malformed-task",
        "severity": "error",
        "summary": backlog_ls.rules.rule_by_name_or_code("BL201").summary,
        "options": {},
    }


def test_rules_markdown_is_the_rendered_documentation(run):
    code, out, _ = run("rules", "--markdown")

    assert code == 0
    assert out == rules_doc.render()
    assert "## BL901 fake-todo" in out


# --- pre-commit -----------------------------------------------------------------------------------


def test_pre_commit_hooks_run_valid_check_commands():
    from backlog_ls.cli import build_parser

    hooks_file = Path(__file__).resolve().parents[1] / ".pre-commit-hooks.yaml"
    text = hooks_file.read_text(encoding="utf-8")
    hooks = dict(re.findall(r"^- id: (\S+)\n(?:  .*\n)*?  entry: (.+)$", text, flags=re.MULTILINE))

    assert hooks == {"backlog-ls": "backlog-ls check --force-exclude", "backlog-ls-fix": "backlog-ls check --fix --force-exclude"}
    assert text.count("language: python") == 2 and text.count("types: [markdown]") == 2
    for entry in hooks.values():
        arguments = build_parser().parse_args([*entry.split()[1:], "staged.md"])
        assert (arguments.command, arguments.paths, arguments.force_exclude) == ("check", ["staged.md"], True)
