"""The repository checks clean with its own checker, as a project that ships backlog-ls should."""

from __future__ import annotations

import os
import subprocess
import sys

from .conftest import ROOT


def test_backlog_ls_check_dot_in_the_repository_exits_0(tmp_path):
    env = {key: value for key, value in os.environ.items() if "TOKEN" not in key}
    env["BACKLOG_LS_CACHE_DIR"] = str(tmp_path / "cache")

    done = subprocess.run(
        [sys.executable, "-m", "backlog_ls", "check", "."], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )

    assert (done.returncode, done.stdout) == (0, ""), done.stdout + done.stderr
    assert done.stderr.startswith("No findings in "), done.stderr
