"""`make demo`: check the shipped example backlog as a user would, then say in plain words what that was.

Usage: python scripts/demo.py [FILE]   (default examples/BACKLOG.md; run by the .venv's python)

Exit code 0 when the check ran, findings or not (the example is wrong on purpose); the check's
own code (2) when it could not run.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SEVERITIES = ("error", "warning", "info", "hint")
_COUNT = re.compile(r"(Found \d+ findings?|No findings) .*in \d+ (of \d+ )?files?\.$")


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"


def summary(path: str, findings: list[dict]) -> str:
    """The lines printed after the findings: how many of what, and where to go next."""
    if not findings:
        head = f"backlog-ls found no problems in {path}."
    else:
        severities = Counter(finding["severity"] for finding in findings)
        kinds = ", ".join(_count(severities[name], name) for name in SEVERITIES if severities[name])
        fixable = sum(1 for finding in findings if finding["fixable"])
        head = f"backlog-ls found {_count(len(findings), 'problem')} in {path} ({kinds}; {fixable} with a safe fix)."
    return "\n".join(
        [
            "",
            head,
            "Each line above is FILE:LINE:COLUMN: SEVERITY CODE message; `.venv/bin/backlog-ls rules` lists the codes",
            "and docs/rules.md explains each one with a bad and a good example.",
            "Next: `.venv/bin/backlog-ls check --help` (--fix, --format json|sarif|github), your own backlog",
            "(`.venv/bin/backlog-ls check path/to/BACKLOG.md`), and README.md for your editor and the configuration.",
        ]
    )


def main(argv: list[str]) -> int:
    path = argv[0] if argv else "examples/BACKLOG.md"
    check = [sys.executable, "-m", "backlog_ls", "check"]
    print(f"$ backlog-ls check {path}", flush=True)
    shown = subprocess.run([*check, path], cwd=ROOT, stderr=subprocess.PIPE, text=True, check=False)
    # The check's own one-line count ("Found 10 findings ...") is said again, in more words, below.
    sys.stderr.write("".join(line for line in shown.stderr.splitlines(keepends=True) if not _COUNT.match(line)))
    if shown.returncode > 1:
        return shown.returncode
    listed = subprocess.run([*check, "--format", "json", path], cwd=ROOT, capture_output=True, text=True, check=False)
    if listed.returncode > 1:
        sys.stderr.write(listed.stderr)
        return listed.returncode
    print(summary(path, json.loads(listed.stdout)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
