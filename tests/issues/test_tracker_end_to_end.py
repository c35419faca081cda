"""The language server and the CLI against a local GitHub-compatible tracker, then with it down.

Done-when of the issue tracker work: hovering `Issue #13` shows the issue's title and
state; a ticked task whose issue is open gets the Definition of Done warning; after a
restart with the tracker unreachable, hovers still answer from the cache. Never the internet:
the tracker is a server on 127.0.0.1 (tests/trackers/fake_apis.py).
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path

from lsprotocol import types

from ..conftest import SHARED
from ..lsp_support import SERVER_COMMAND, TIMEOUT, RecordingClient, capabilities, edit
from ..trackers.fake_apis import FakeTracker

BACKLOG = "# Plan\n\n## Phase 4\n- [x] **Task 4.1 (Issue #13):** Implement storage.\n- [ ] **Task 4.2 (Issue #14):** Authentication.\n"
EXAMPLE = SHARED / "examples" / "000_d75c51bba9a042cf.txt"
SECRET = "ghp_not-a-real-token-0123456789"  # for github.com only: never sent to another host
ENTERPRISE_SECRET = "ghe_not-a-real-token-9876543210"


def _workspace(tmp_path: Path, tracker: FakeTracker) -> Path:
    (tmp_path / ".git").mkdir()
    (tmp_path / ".backlog-ls.toml").write_text(
        f'[issues]\nprovider = "github"\nrepo = "octo/repo"\nurl = "{tracker.api_url}"\n', encoding="utf-8"
    )
    (tmp_path / "TODO.md").write_text(BACKLOG, encoding="utf-8")  # the CLI test's file
    return tmp_path


def _environment(tmp_path: Path) -> dict[str, str]:
    # The user named the tracker's host in their own configuration: its token may go there.
    user_config = tmp_path / "user-config"
    (user_config / "backlog-ls").mkdir(parents=True, exist_ok=True)
    (user_config / "backlog-ls" / "config.toml").write_text('[issues]\ntrusted-hosts = ["127.0.0.1"]\n', encoding="utf-8")
    return {
        **os.environ,
        "XDG_CONFIG_HOME": str(user_config),
        "BACKLOG_LS_CACHE_DIR": str(tmp_path / "cache"),
        "GITHUB_TOKEN": SECRET,
        "GH_ENTERPRISE_TOKEN": ENTERPRISE_SECRET,
    }


def _backlog() -> str:
    # The real backlog this work was specified on; a small one of the same shape without ../shared.
    return EXAMPLE.read_text(encoding="utf-8") if EXAMPLE.exists() else BACKLOG


def _issue_13() -> types.Position:
    for number, line in enumerate(_backlog().split("\n")):
        if "Issue #13)" in line:
            return types.Position(line=number, character=line.index("Issue #13") + 7)
    raise AssertionError("no Issue #13")


async def _session(workspace: Path, environment: dict[str, str]) -> tuple[RecordingClient, str]:
    client = RecordingClient.create()
    await client.start_io(*SERVER_COMMAND, env=environment)
    await client.initialize_session(
        types.InitializeParams(capabilities=capabilities("visual-studio-code", pull_diagnostics=False), root_uri=workspace.as_uri())
    )
    uri = (workspace / "TODO.md").as_uri()
    client.open(uri, _backlog())
    return client, uri


async def _hover(client: RecordingClient, uri: str) -> str:
    found = await client.text_document_hover_async(
        types.HoverParams(text_document=types.TextDocumentIdentifier(uri=uri), position=_issue_13())
    )
    return found.contents.value if found is not None else ""


async def _wait_for_warning(client: RecordingClient, uri: str) -> types.Diagnostic:
    def found():
        return next((d for d in client.diagnostics.get(uri, []) if d.code == "BL305"), None)

    await client.wait_until(lambda: found() is not None, TIMEOUT)
    return found()


async def test_hover_and_warning_from_the_tracker_then_from_the_cache_when_it_is_down(tmp_path: Path):
    environment = _environment(tmp_path)
    with FakeTracker("github") as tracker:
        tracker.add(13, "File-level restart-survivable storage engine", labels=("storage",))
        tracker.add(14, "SSH-key authentication", state="closed", closed="2024-02-01T00:00:00Z")
        workspace = _workspace(tmp_path, tracker)
        client, uri = await _session(workspace, environment)
        try:
            warning = await _wait_for_warning(client, uri)
            assert warning.message == "Task is ticked but its issue #13 is still open: 'File-level restart-survivable storage engine'."
            position = _issue_13()
            assert (warning.range.start.line, warning.range.start.character) == (position.line, position.character - 7)
            text = await _hover(client, uri)
            assert "File-level restart-survivable storage engine" in text or "File\\-level restart\\-survivable" in text
            assert "**Open**" in text
            # Typing "#" in a new task lists the issues, open ones first.
            lines = _backlog().split("\n")
            client.change(uri, 2, edit((len(lines) - 1, 0), (len(lines) - 1, 0), "- [ ] follow up #"))
            completion = await client.text_document_completion_async(
                types.CompletionParams(
                    text_document=types.TextDocumentIdentifier(uri=uri),
                    position=types.Position(line=len(lines) - 1, character=len("- [ ] follow up #")),
                )
            )
            items = completion.items if isinstance(completion, types.CompletionList) else completion
            assert [item.label for item in items][:2] == ["#13", "#14"]
            assert items[0].detail == "File-level restart-survivable storage engine"
            # The tracker on 127.0.0.1 is an Enterprise host: it gets that token, never github.com's.
            assert {r.headers.get("authorization") for r in tracker.requests} == {f"Bearer {ENTERPRISE_SECRET}"}
        finally:
            await asyncio.wait_for(client.shutdown_session(), TIMEOUT)

    # The tracker is gone; a new server answers from the cache it left on disk.
    client, uri = await _session(workspace, environment)
    try:
        await _wait_for_warning(client, uri)
        text = await _hover(client, uri)
        assert "File-level restart-survivable storage engine" in text or "File\\-level restart\\-survivable" in text
    finally:
        await asyncio.wait_for(client.shutdown_session(), TIMEOUT)
    cache_bytes = b"".join(path.read_bytes() for path in (tmp_path / "cache").rglob("*") if path.is_file())
    assert SECRET.encode() not in cache_bytes and ENTERPRISE_SECRET.encode() not in cache_bytes


def test_check_uses_the_tracker_and_then_its_cache_offline(tmp_path: Path):
    environment = _environment(tmp_path)
    command = [sys.executable, "-m", "backlog_ls", "check", "--select", "BL305,BL306", "TODO.md"]
    with FakeTracker("github") as tracker:
        tracker.add(13, "File-level restart-survivable storage engine")
        tracker.add(14, "SSH-key authentication", state="closed", closed="2024-02-01T00:00:00Z")
        workspace = _workspace(tmp_path, tracker)
        online = subprocess.run(command, cwd=workspace, env=environment, capture_output=True, text=True, timeout=60)
    offline = subprocess.run(command + ["--offline"], cwd=workspace, env=environment, capture_output=True, text=True, timeout=60)
    expected = [
        "TODO.md:4:19: warning BL305 Task is ticked but its issue #13 is still open: "
        "'File-level restart-survivable storage engine'.",
        "TODO.md:5:19: hint BL306 Issue #14 is closed on 2024-02-01 but the task is still open.",
    ]
    for run in (online, offline):
        assert run.returncode == 1, run.stderr
        assert run.stdout.splitlines() == expected
        assert SECRET not in run.stdout + run.stderr and ENTERPRISE_SECRET not in run.stdout + run.stderr
