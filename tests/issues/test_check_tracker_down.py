"""`backlog-ls check` when the tracker cannot be reached: one warning line saying what the run goes on
with (the cache, or nothing), never a second one repeating it. The tracker is a server on 127.0.0.1
that is shut down before the run (tests/trackers/fake_apis.py)."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

from ..trackers.fake_apis import FakeTracker

BACKLOG = "# Plan\n\n- [x] **Task 1 (Issue #13):** Storage.\n"
COMMAND = [sys.executable, "-m", "backlog_ls", "check", "TODO.md"]


def _workspace(tmp_path: Path, tracker: FakeTracker) -> tuple[Path, dict[str, str]]:
    workspace = tmp_path / "project"
    workspace.mkdir()
    (workspace / ".git").mkdir()
    (workspace / ".backlog-ls.toml").write_text(
        f'[issues]\nprovider = "github"\nrepo = "octo/repo"\nurl = "{tracker.api_url}"\n', encoding="utf-8"
    )
    (workspace / "TODO.md").write_text(BACKLOG, encoding="utf-8")
    environment = {key: value for key, value in os.environ.items() if "TOKEN" not in key}
    environment["BACKLOG_LS_CACHE_DIR"] = str(tmp_path / "cache")
    return workspace, environment


def _age_the_cache(cache: Path) -> None:
    """Make the cached issues a day old, past the refresh interval: the next run asks the tracker."""
    day_ago = (datetime.now(timezone.utc) - timedelta(days=1)).isoformat()
    databases = [path for path in cache.rglob("*") if path.is_file() and path.read_bytes()[:16] == b"SQLite format 3\0"]
    assert databases, f"no cache under {cache}"
    for database in databases:
        with sqlite3.connect(database) as connection:
            connection.execute("UPDATE meta SET value = ? WHERE key = 'fetched_at'", (day_ago,))
        connection.close()


def _warnings(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.startswith("backlog-ls: warning:")]


def test_tracker_down_and_nothing_cached_is_one_line_saying_the_tracker_checks_did_not_run(tmp_path: Path):
    with FakeTracker("github") as tracker:
        workspace, environment = _workspace(tmp_path, tracker)
    # Shut down: nothing listens on its port any more.

    run = subprocess.run(COMMAND, cwd=workspace, env=environment, capture_output=True, text=True, timeout=60)

    assert run.returncode == 0, run.stderr
    (warning,) = _warnings(run.stderr)
    assert warning.startswith(f"backlog-ls: warning: issues: cannot reach GitHub (127.0.0.1) ({tracker.api_url}"), warning
    assert warning.endswith(
        "; nothing is cached for octo/repo yet, so the checks that need its issues (BL305-BL307) did not run"
    ), warning
    assert "cached data" not in run.stderr


def test_tracker_down_after_a_refresh_is_one_line_saying_the_cache_is_used(tmp_path: Path):
    with FakeTracker("github") as tracker:
        tracker.add(13, "File-level restart-survivable storage engine")
        tracker.add(14, "Authentication")
        workspace, environment = _workspace(tmp_path, tracker)
        online = subprocess.run(COMMAND, cwd=workspace, env=environment, capture_output=True, text=True, timeout=60)
    _age_the_cache(tmp_path / "cache")

    offline = subprocess.run(COMMAND, cwd=workspace, env=environment, capture_output=True, text=True, timeout=60)

    finding = "TODO.md:3:17: warning BL305 Task is ticked but its issue #13 is still open: 'File-level restart-survivable storage engine'."
    assert (online.returncode, online.stdout.splitlines(), _warnings(online.stderr)) == (1, [finding], [])
    assert (offline.returncode, offline.stdout.splitlines()) == (1, [finding]), offline.stderr
    (warning,) = _warnings(offline.stderr)
    assert warning.startswith("backlog-ls: warning: issues: cannot reach GitHub (127.0.0.1)"), warning
    assert warning.endswith("; using the 2 cached issues of octo/repo"), warning
