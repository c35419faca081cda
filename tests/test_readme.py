"""The README's first screen stays true: the `backlog-ls check` output it quotes is what the command
prints on the shipped example, and the screenshot it shows is in the repository."""

from __future__ import annotations

import re
import subprocess
import sys

from .conftest import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")
FIRST_SCREEN = README[: README.index("\n## ")]


def test_the_first_screen_shows_the_screenshot_and_real_check_output():
    images = re.findall(r"!\[[^\]]+\]\(([^)]+)\)", FIRST_SCREEN)
    assert images and all((ROOT / image).is_file() for image in images), images
    (block,) = re.findall(r"```console\n(.*?)```", FIRST_SCREEN, flags=re.DOTALL)
    command, *quoted = block.splitlines()
    assert command == "$ backlog-ls check examples/BACKLOG.md"

    done = subprocess.run(
        [sys.executable, "-m", "backlog_ls", "check", "examples/BACKLOG.md"], cwd=ROOT, capture_output=True, text=True, timeout=60
    )

    findings = [line for line in quoted if line.startswith("examples/BACKLOG.md:")]
    assert len(findings) >= 3
    printed = done.stdout.splitlines()
    assert findings == [line for line in printed if line in findings]  # real lines, in their order
    assert quoted[-1] == done.stderr.strip()
