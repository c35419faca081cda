"""`make demo` as a newcomer runs it: the example's findings, then a summary in plain words; it
installs what backlog-ls needs to run, not the test tools."""

from __future__ import annotations

import subprocess
import sys

from .conftest import ROOT

SUMMARY = "backlog-ls found 10 problems in examples/BACKLOG.md (3 errors, 5 warnings, 2 hints; 2 with a safe fix)."


def test_the_demo_shows_the_findings_then_says_what_they_are():
    done = subprocess.run(
        [sys.executable, "scripts/demo.py", "examples/BACKLOG.md"], cwd=ROOT, capture_output=True, text=True, timeout=120
    )

    assert done.returncode == 0, done.stderr  # the example is wrong on purpose: its findings are the demo
    lines = done.stdout.splitlines()
    assert lines[0] == "$ backlog-ls check examples/BACKLOG.md"
    assert "examples/BACKLOG.md:20:3: error BL201 '[ x]' is not a checkbox: write '[x]'." in lines
    assert lines[lines.index(SUMMARY) - 1] == ""
    assert lines[lines.index(SUMMARY) + 1 :] == [
        "Each line above is FILE:LINE:COLUMN: SEVERITY CODE message; `.venv/bin/backlog-ls rules` lists the codes",
        "and docs/rules.md explains each one with a bad and a good example.",
        "Next: `.venv/bin/backlog-ls check --help` (--fix, --format json|sarif|github), your own backlog",
        "(`.venv/bin/backlog-ls check path/to/BACKLOG.md`), and README.md for your editor and the configuration.",
    ]
    assert done.stderr == ""  # the check's own "Found 10 findings" line is not said twice


def test_the_demo_fails_when_the_check_cannot_run():
    done = subprocess.run(
        [sys.executable, "scripts/demo.py", "examples/MISSING.md"], cwd=ROOT, capture_output=True, text=True, timeout=120
    )

    assert done.returncode == 2
    assert "backlog-ls found" not in done.stdout
    assert "examples/MISSING.md" in done.stderr


def test_make_demo_installs_the_package_without_the_test_tools(tmp_path):
    venv = tmp_path / "venv"
    planned = subprocess.run(
        ["make", "--dry-run", "demo", f"VENV={venv}"], cwd=ROOT, capture_output=True, text=True, timeout=60, check=True
    )

    installs = [line for line in planned.stdout.splitlines() if "pip install" in line and "--upgrade pip" not in line]
    assert installs == [f"{venv}/bin/python -m pip install --quiet -e ."]
