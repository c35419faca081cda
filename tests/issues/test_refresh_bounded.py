"""The language server and a tracker that stalls or never stops: bounded answers, a quick exit.

Against a fake GitHub on 127.0.0.1 (tests/trackers/fake_apis.py), in a real server process:
"Refresh issues" answers ``{"refreshed": false, "reason": ...}`` within its deadline when the
tracker stalls, and ``{"refreshed": true}`` when it answers; ``shutdown`` and ``exit`` end the
process within 2 s with a stalled refresh in flight, or while another window keeps the
cache locked; an endless answer leaves the server well
under 150 MiB.
"""

from __future__ import annotations

import asyncio
import os
import sys
import time
from pathlib import Path

import pytest
from lsprotocol import types

from backlog_ls.providers.trackers.cache import CacheMeta, IssueCache
from backlog_ls.tracker import Repository

from ..lsp_support import SERVER_COMMAND, TIMEOUT, RecordingClient, capabilities
from ..trackers.fake_apis import FakeTracker

REFRESH = "backlog-ls.refreshIssues"
BACKLOG = "# Plan\n\n- [ ] **Task 1 (Issue #1):** Store things.\n"
TOKEN_VARIABLES = ("GITHUB_TOKEN", "GH_TOKEN", "GH_ENTERPRISE_TOKEN", "GITHUB_ENTERPRISE_TOKEN", "GITLAB_TOKEN", "GITEA_TOKEN")


def _workspace(tmp_path: Path, tracker: FakeTracker, timeout: str) -> Path:
    (tmp_path / ".git").mkdir()
    (tmp_path / ".backlog-ls.toml").write_text(
        f'[issues]\nprovider = "github"\nrepo = "octo/repo"\nurl = "{tracker.api_url}"\ntimeout = "{timeout}"\n', encoding="utf-8"
    )
    (tmp_path / "TODO.md").write_text(BACKLOG, encoding="utf-8")
    return tmp_path


async def _session(workspace: Path) -> RecordingClient:
    environment = {key: value for key, value in os.environ.items() if key not in TOKEN_VARIABLES}
    environment["BACKLOG_LS_CACHE_DIR"] = str(workspace / "cache")
    client = RecordingClient.create()
    await client.start_io(*SERVER_COMMAND, env=environment)
    await client.initialize_session(
        types.InitializeParams(capabilities=capabilities("visual-studio-code", pull_diagnostics=False), root_uri=workspace.as_uri())
    )
    client.open((workspace / "TODO.md").as_uri(), BACKLOG)  # builds the tracker source: its refresh starts
    return client


async def _refresh(client: RecordingClient) -> tuple[dict, float]:
    started = time.monotonic()
    result = await asyncio.wait_for(
        client.workspace_execute_command_async(types.ExecuteCommandParams(command=REFRESH, arguments=[])), 60
    )
    return result, time.monotonic() - started


async def _exit_seconds(client: RecordingClient) -> float:
    started = time.monotonic()
    await asyncio.wait_for(client.shutdown_session(), TIMEOUT)  # shutdown, exit, and the process gone
    return time.monotonic() - started


async def test_refresh_issues_answers_false_with_the_reason_when_the_tracker_stalls(tmp_path: Path):
    with FakeTracker("github") as tracker:
        tracker.add(1, "Store things")
        tracker.stall = 60.0
        client = await _session(_workspace(tmp_path, tracker, "1s"))
        try:
            await client.wait_until(lambda: len(tracker.requests) >= 1)  # the background refresh is stuck
            result, seconds = await _refresh(client)
            assert result["refreshed"] is False
            assert "did not answer in time" in result["reason"] and "1 s" in result["reason"]
            # The deadline: the stuck background refresh (1 s), then this one (1 s); generous for CI.
            assert seconds < 8, f"answered after {seconds:.1f} s"
            print(f"refresh with a stalled tracker answered in {seconds:.2f} s", file=sys.stderr)
            tracker.stall = 0
            result, _ = await _refresh(client)
            assert result == {"refreshed": True}
        finally:
            await client.shut_down_session()


async def test_shutdown_and_exit_do_not_wait_for_a_stalled_refresh_in_flight(tmp_path: Path):
    with FakeTracker("github") as tracker:
        tracker.stall = 60.0
        client = await _session(_workspace(tmp_path, tracker, "60s"))  # the refresh would wait a minute
        await client.wait_until(lambda: len(tracker.requests) >= 1)
        command = asyncio.ensure_future(
            client.workspace_execute_command_async(types.ExecuteCommandParams(command=REFRESH, arguments=[]))
        )  # and a second one, from the command, waits behind it
        await asyncio.sleep(0.2)
        seconds = await _exit_seconds(client)
        client.shut_down = True
        command.cancel()
        print(f"shutdown + exit with a stalled refresh in flight: {seconds:.2f} s", file=sys.stderr)
        assert client._server is not None and client._server.returncode == 0
        # The refresh would wait 60 s: exit must not (it takes well under 2 s; the bound is for a loaded CI).
        assert seconds < 10.0, f"shutdown and exit took {seconds:.1f} s"


async def test_exit_does_not_wait_for_a_cache_another_window_keeps_locked(tmp_path: Path):
    import sqlite3

    with FakeTracker("github") as tracker:
        workspace = _workspace(tmp_path, tracker, "30s")
        cache = IssueCache.for_repository(Repository("github", "octo", "repo", "127.0.0.1", tracker.api_url), str(workspace / "cache" / "issues"))
        assert cache.save(CacheMeta(complete=True), [])  # the file the server will read
        holder = sqlite3.connect(cache.path, isolation_level=None)
        holder.execute("BEGIN EXCLUSIVE")  # another window, mid-write, for longer than we wait
        try:
            client = await _session(workspace)
            await asyncio.sleep(0.5)  # the server is now waiting for the lock, in a thread
            seconds = await _exit_seconds(client)
            client.shut_down = True
        finally:
            holder.close()
        print(f"shutdown + exit while the cache is locked: {seconds:.2f} s", file=sys.stderr)
        # The refresh would wait 60 s: exit must not (it takes well under 2 s; the bound is for a loaded CI).
        assert seconds < 10.0, f"shutdown and exit took {seconds:.1f} s"
        assert sorted(os.listdir(os.path.dirname(cache.path))) == [os.path.basename(cache.path)]  # not moved aside


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc/PID/status")
async def test_an_endless_answer_leaves_the_server_well_under_150_mib(tmp_path: Path):
    with FakeTracker("github") as tracker:
        tracker.fault = "endless"
        client = await _session(_workspace(tmp_path, tracker, "30s"))
        try:
            result, _ = await _refresh(client)
            assert result["refreshed"] is False and "sent too much" in result["reason"]
            status = Path(f"/proc/{client._server.pid}/status").read_text()
            peak_mib = int(next(line for line in status.splitlines() if line.startswith("VmHWM:")).split()[1]) / 1024
            print(f"server peak RSS with an endless answer: {peak_mib:.0f} MiB ({tracker.sent_bytes / 2**20:.0f} MiB sent)", file=sys.stderr)
            assert peak_mib < 150, f"peak RSS {peak_mib:.0f} MiB"
            assert tracker.sent_bytes > 32 * 2**20
        finally:
            await client.shut_down_session()
