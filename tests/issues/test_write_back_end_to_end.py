"""End to end: "Close issue #12" on a BL305 finding closes it on a local GitHub and the warning goes away;
"Reopen issue" on BL306; "Tick task and close its issue"; Jira asks first (window/showMessageRequest,
the confirming choice first) and does nothing on Cancel; a 403 and a missing token say why.
"""

from __future__ import annotations

import ast
import asyncio
import json
import os
from pathlib import Path

import pytest
from lsprotocol import types

from ..edits.test_server_edits import EditingClient
from ..lsp_support import SERVER_COMMAND, TIMEOUT, capabilities, edit
from ..trackers.fake_apis import FakeTracker
from ..trackers.fake_keyed_apis import FakeJira, FakeLinear

SECRET = "ghe_not-a-real-token-9876543210"
JIRA_SECRET = "jira-api-t0ken-not-real"
LINEAR_SECRET = "lin_api_not-a-real-key"
BACKLOG = (
    "# Plan\n\n## Now\n"
    "- [x] **Task 1 (Issue #12):** Fix the login.\n"
    "- [ ] **Task 2 (Issue #14):** Old bug.\n"
    "- [ ] **Task 3 (Issue #15):** Ship it.\n"
)


def _environment(tmp_path: Path, **extra: str) -> dict[str, str]:
    user_config = tmp_path / "user-config"
    (user_config / "backlog-ls").mkdir(parents=True, exist_ok=True)
    (user_config / "backlog-ls" / "config.toml").write_text('[issues]\ntrusted-hosts = ["127.0.0.1"]\n', encoding="utf-8")
    environment = {**os.environ, "XDG_CONFIG_HOME": str(user_config), "BACKLOG_LS_CACHE_DIR": str(tmp_path / "cache"), **extra}
    for name in ("GITHUB_TOKEN", "GH_TOKEN", "GH_ENTERPRISE_TOKEN", "GITHUB_ENTERPRISE_TOKEN"):
        if name not in extra:
            environment.pop(name, None)
    return environment


async def _session(tmp_path: Path, config: str, text: str, environment: dict[str, str]) -> tuple[EditingClient, str]:
    workspace = tmp_path / "work"
    (workspace / ".git").mkdir(parents=True)
    (workspace / ".backlog-ls.toml").write_text(config, encoding="utf-8")
    client = EditingClient.create()
    await client.start_io(*SERVER_COMMAND, env=environment)
    await client.initialize_session(
        types.InitializeParams(capabilities=capabilities("visual-studio-code", pull_diagnostics=False), root_uri=workspace.as_uri())
    )
    uri = (workspace / "TODO.md").as_uri()
    client.texts[uri] = text
    client.open(uri, text)
    return client, uri


def _codes(client: EditingClient, uri: str) -> set[tuple[str, int]]:
    return {(str(d.code), d.range.start.line) for d in client.diagnostics.get(uri, [])}


def _command(action) -> types.Command:
    """lsprotocol (client side) reads a CodeAction with a command as a Command whose "command" is the
    nested one's repr (the union is ambiguous; see test_issue_server.py): unwrap it."""
    command = action.command
    return types.Command(**ast.literal_eval(command)) if isinstance(command, str) and command.startswith("{") else command


async def _actions(client: EditingClient, uri: str, line: int) -> dict:
    diagnostics = [d for d in client.diagnostics.get(uri, []) if d.range.start.line == line]
    found = await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            range=types.Range(start=types.Position(line=line, character=0), end=types.Position(line=line, character=0)),
            context=types.CodeActionContext(diagnostics=diagnostics),
        )
    )
    return {action.title: action for action in found or []}


async def _run(client: EditingClient, action) -> dict:
    command = _command(action)
    assert command.command == "backlog-ls.setIssueState"
    return await client.workspace_execute_command_async(types.ExecuteCommandParams(command=command.command, arguments=command.arguments))


async def _hover_on(client: EditingClient, uri: str, text: str, line: int, word: str) -> str:
    """The hover's text over ``word`` on ``line``."""
    position = types.Position(line=line, character=text.split("\n")[line].index(word) + 1)
    found = await client.text_document_hover_async(types.HoverParams(text_document=types.TextDocumentIdentifier(uri=uri), position=position))
    return found.contents.value


def _github_config(tracker: FakeTracker) -> str:
    return f'[issues]\nprovider = "github"\nrepo = "octo/repo"\nurl = "{tracker.api_url}"\n'


async def test_close_reopen_and_tick_and_close_on_github(tmp_path: Path):
    with FakeTracker("github") as tracker:
        tracker.add(12, "Login", updated="2024-05-01T00:00:00Z")
        tracker.add(14, "Old bug", state="closed", closed="2024-02-01T00:00:00Z")
        tracker.add(15, "Ship", updated="2024-05-02T00:00:00Z")
        client, uri = await _session(tmp_path, _github_config(tracker), BACKLOG, _environment(tmp_path, GH_ENTERPRISE_TOKEN=SECRET))
        try:
            await client.wait_until(lambda: {("BL305", 3), ("BL306", 4)} <= _codes(client, uri), TIMEOUT)
            actions = await _actions(client, uri, 3)
            close = actions["Close issue #12 as completed"]
            assert "Close issue #12 as not planned" in actions
            assert _command(close).arguments == [uri, 3, 1, "#12", "close", "completed"]
            before = len(tracker.requests)
            assert await _run(client, close) == {"applied": True, "state": "closed"}
            sent = [r for r in tracker.requests[before:] if r.method == "PATCH"]
            assert len(sent) == 1
            assert sent[0].raw.startswith(b"PATCH /api/v3/repos/octo/repo/issues/12 HTTP/1.1\r\n")
            assert sent[0].raw.endswith(b'\n\n{"state":"closed","state_reason":"completed"}')
            assert sent[0].headers["authorization"] == f"Bearer {SECRET}"
            assert client.message_requests == []  # GitHub can reopen: nothing to confirm
            # The warning goes at once, without waiting for a refresh.
            await client.wait_until(lambda: ("BL305", 3) not in _codes(client, uri), TIMEOUT)

            reopen = (await _actions(client, uri, 4))["Reopen issue #14"]
            assert await _run(client, reopen) == {"applied": True, "state": "open"}
            assert [r.body for r in tracker.requests if r.method == "PATCH"][-1] == {"state": "open", "state_reason": "reopened"}
            await client.wait_until(lambda: ("BL306", 4) not in _codes(client, uri), TIMEOUT)

            tick_close = (await _actions(client, uri, 5))["Tick task and close its issue #15"]
            assert await _run(client, tick_close) == {"applied": True, "state": "closed", "ticked": True}
            assert client.texts[uri].split("\n")[5] == "- [x] **Task 3 (Issue #15):** Ship it."
        finally:
            await asyncio.wait_for(client.shutdown_session(), TIMEOUT)


async def test_a_403_and_a_missing_token_say_why_and_change_nothing(tmp_path: Path):
    with FakeTracker("github") as tracker:
        tracker.add(12, "Login")
        tracker.add(14, "Old bug", state="closed", closed="2024-02-01T00:00:00Z")
        tracker.add(15, "Ship")
        client, uri = await _session(tmp_path, _github_config(tracker), BACKLOG, _environment(tmp_path, GH_ENTERPRISE_TOKEN=SECRET))
        try:
            await client.wait_until(lambda: ("BL305", 3) in _codes(client, uri), TIMEOUT)
            close = (await _actions(client, uri, 3))["Close issue #12 as completed"]
            tracker.fail = (403, {}, json.dumps({"message": "Resource not accessible by personal access token"}))
            result = await _run(client, close)
            assert result["applied"] is False
            await client.wait_until(lambda: bool(client.messages), TIMEOUT)
            assert client.messages[-1].message.startswith("backlog-ls: cannot close #12: GitHub (127.0.0.1) refused access to repository octo/repo (403: the token lacks permission)")
            assert "Resource not accessible" in client.messages[-1].message and SECRET not in client.messages[-1].message
            assert ("BL305", 3) in _codes(client, uri)
        finally:
            await asyncio.wait_for(client.shutdown_session(), TIMEOUT)

    with FakeTracker("github") as tracker:
        tracker.add(12, "Login")
        client, uri = await _session(tmp_path / "b", _github_config(tracker), BACKLOG, _environment(tmp_path / "b"))
        try:
            await client.wait_until(lambda: ("BL305", 3) in _codes(client, uri), TIMEOUT)
            close = (await _actions(client, uri, 3))["Close issue #12 as completed"]
            assert (await _run(client, close))["applied"] is False
            await client.wait_until(lambda: bool(client.messages), TIMEOUT)
            assert client.messages[-1].message == "backlog-ls: cannot close #12: changing an issue needs a token: set GH_ENTERPRISE_TOKEN or GITHUB_ENTERPRISE_TOKEN, or run `gh auth login`"
            assert not [r for r in tracker.requests if r.method == "PATCH"]
        finally:
            await asyncio.wait_for(client.shutdown_session(), TIMEOUT)


async def test_jira_asks_first_and_cancel_changes_nothing(tmp_path: Path):
    with FakeJira("cloud", "dev@example.test") as jira:
        jira.token = JIRA_SECRET
        jira.add("ABC-12", "Login times out", status="In Progress")
        text = "# Plan\n\n- [x] Fix the login (ABC-12)\n"
        config = f'[issues]\nprovider = "jira"\nurl = "{jira.url}"\ndeployment = "cloud"\nprojects = ["ABC"]\n'
        environment = _environment(tmp_path, JIRA_EMAIL="dev@example.test", JIRA_API_TOKEN=JIRA_SECRET)
        client, uri = await _session(tmp_path, config, text, environment)
        try:
            await client.wait_until(lambda: ("BL305", 2) in _codes(client, uri), TIMEOUT)
            close = (await _actions(client, uri, 2))["Close issue ABC-12"]
            client.message_answer = None  # dismissed
            assert await _run(client, close) == {"applied": False}
            question = client.message_requests[-1]
            assert question.message == "Close issue ABC-12 on the tracker? Its workflow may not allow undoing this from backlog-ls."
            assert [action.title for action in question.actions] == ["Close ABC-12", "Cancel"]
            assert not [r for r in jira.requests if r.method == "POST"]
            client.message_answer = "Close ABC-12"
            assert await _run(client, close) == {"applied": True, "state": "closed"}
            posted = [r for r in jira.requests if r.method == "POST"]
            assert [(r.path, r.body) for r in posted] == [("/rest/api/3/issue/ABC-12/transitions", {"transition": {"id": "31"}})]
            await client.wait_until(lambda: ("BL305", 2) not in _codes(client, uri), TIMEOUT)
        finally:
            await asyncio.wait_for(client.shutdown_session(), TIMEOUT)


async def test_sub_issue_progress_in_the_hover_and_the_mismatch_hint(tmp_path: Path):
    with FakeTracker("github") as tracker:
        for number in (10, 21, 22, 23):
            tracker.add(number, "Importer" if number == 10 else f"Part {number}")
        tracker.add(21, "Part 21", state="closed", closed="2024-02-01T00:00:00Z")
        tracker.sub_issues[10] = [21, 22, 23]
        text = "# Plan\n\n- [ ] Importer (#10)\n  - [x] Parse CSV\n  - [x] Parse JSON\n  - [ ] Write rows\n"
        client, uri = await _session(tmp_path, _github_config(tracker), text, _environment(tmp_path))
        try:
            await client.wait_until(lambda: ("BL308", 2) in _codes(client, uri), TIMEOUT)
            hint = next(d for d in client.diagnostics[uri] if d.code == "BL308")
            assert hint.message == "2/3 subtasks are ticked but only 1/3 sub-issues of #10 are closed."
            assert hint.severity == types.DiagnosticSeverity.Hint
            assert "**Open** · 1/3 sub-issues closed" in await _hover_on(client, uri, text, 2, "#10")
        finally:
            await asyncio.wait_for(client.shutdown_session(), TIMEOUT)


async def test_create_sub_issues_from_subtasks(tmp_path: Path):
    with FakeTracker("github") as tracker:
        tracker.add(10, "Importer")
        text = "# Plan\n\n- [ ] Importer (#10)\n  - [x] Parse CSV\n  - [ ] Parse JSON\n  - [ ] Write rows\n"
        client, uri = await _session(tmp_path, _github_config(tracker), text, _environment(tmp_path, GH_ENTERPRISE_TOKEN=SECRET))
        try:
            title = "Create sub-issues from subtasks (2)"
            actions = await _actions(client, uri, 2)
            for _ in range(200):  # offered once the first refresh has cached #10 (bounded: 200 x 50 ms)
                if title in actions:
                    break
                await asyncio.sleep(0.05)
                actions = await _actions(client, uri, 2)
            action = actions[title]
            command = _command(action)
            assert command.command == "backlog-ls.createSubIssues"
            result = await client.workspace_execute_command_async(types.ExecuteCommandParams(command=command.command, arguments=command.arguments))
            assert result == {"applied": True, "numbers": [11, 12]}
            created = [r for r in tracker.requests if r.method == "POST" and r.path.endswith("/issues")]
            assert [r.body["title"] for r in created] == ["Parse JSON", "Write rows"]
            links = [r for r in tracker.requests if r.method == "POST" and r.path.endswith("/sub_issues")]
            assert [(r.path, r.body) for r in links] == [
                ("/api/v3/repos/octo/repo/issues/10/sub_issues", {"sub_issue_id": 1011}),
                ("/api/v3/repos/octo/repo/issues/10/sub_issues", {"sub_issue_id": 1012}),
            ]
            assert tracker.sub_issues[10] == [11, 12]
            assert client.texts[uri].split("\n")[3:6] == ["  - [x] Parse CSV", "  - [ ] Parse JSON (#11)", "  - [ ] Write rows (#12)"]
        finally:
            await asyncio.wait_for(client.shutdown_session(), TIMEOUT)


@pytest.mark.parametrize(
    ("kind", "variable", "request_line", "close_body", "reopen_body"),
    [
        ("gitlab", "GITLAB_TOKEN", b"PUT /api/v4/projects/octo%2Frepo/issues/12 HTTP/1.1\r\n", b'{"state_event":"close"}', b'{"state_event":"reopen"}'),
        ("gitea", "GITEA_TOKEN", b"PATCH /api/v1/repos/octo/repo/issues/12 HTTP/1.1\r\n", b'{"state":"closed"}', b'{"state":"open"}'),
    ],
)
async def test_close_and_reopen_on_gitlab_through_state_event_and_on_gitea_through_state(
    tmp_path: Path, kind: str, variable: str, request_line: bytes, close_body: bytes, reopen_body: bytes
):
    with FakeTracker(kind) as tracker:
        tracker.token = SECRET
        tracker.add(12, "Login", updated="2024-05-01T00:00:00Z")
        text = "# Plan\n\n- [x] Fix the login (#12)\n"
        config = f'[issues]\nprovider = "{kind}"\nrepo = "octo/repo"\nurl = "{tracker.api_url}"\n'
        client, uri = await _session(tmp_path, config, text, _environment(tmp_path, **{variable: SECRET}))
        try:
            await client.wait_until(lambda: ("BL305", 2) in _codes(client, uri), TIMEOUT)
            actions = await _actions(client, uri, 2)
            assert "Close issue #12 as not planned" not in actions  # only GitHub tells the two apart
            assert await _run(client, actions["Close issue #12"]) == {"applied": True, "state": "closed"}
            changes = [r for r in tracker.requests if r.method in ("PUT", "PATCH")]
            assert len(changes) == 1 and changes[0].raw.startswith(request_line) and changes[0].raw.endswith(b"\n\n" + close_body)
            await client.wait_until(lambda: ("BL305", 2) not in _codes(client, uri), TIMEOUT)
            client.change(uri, 2, edit((2, 3), (2, 4), " "))  # untick: now the issue is closed and the task open
            client.texts[uri] = text.replace("[x]", "[ ]")
            await client.wait_until(lambda: ("BL306", 2) in _codes(client, uri), TIMEOUT)
            assert await _run(client, (await _actions(client, uri, 2))["Reopen issue #12"]) == {"applied": True, "state": "open"}
            changes = [r for r in tracker.requests if r.method in ("PUT", "PATCH")]
            assert len(changes) == 2 and changes[1].raw.startswith(request_line) and changes[1].raw.endswith(b"\n\n" + reopen_body)
            await client.wait_until(lambda: ("BL306", 2) not in _codes(client, uri), TIMEOUT)
        finally:
            await asyncio.wait_for(client.shutdown_session(), TIMEOUT)


async def test_hover_shows_three_of_five_sub_issues_closed_and_the_open_blocker_flags_the_ticked_task(tmp_path: Path):
    with FakeTracker("github") as tracker:
        tracker.add(10, "Importer")
        for number in range(21, 26):
            tracker.add(number, f"Part {number}", state="closed" if number < 24 else "open", closed="2024-02-01T00:00:00Z" if number < 24 else None)
        tracker.add(4, "Schema")
        tracker.add(30, "Deploy")
        tracker.sub_issues[10] = [21, 22, 23, 24, 25]
        tracker.blockers[30] = [4]
        text = "# Plan\n\n- [ ] Importer (#10)\n- [x] Deploy (#30)\n"
        client, uri = await _session(tmp_path, _github_config(tracker), text, _environment(tmp_path))
        try:
            await client.wait_until(lambda: ("BL309", 3) in _codes(client, uri), TIMEOUT)
            blocked = next(d for d in client.diagnostics[uri] if d.code == "BL309")
            assert blocked.message == "Task is ticked but its issue #30 is blocked by #4, which is still open."
            hover = await _hover_on(client, uri, text, 2, "#10")
            assert hover.split("\n\n")[:2] == ["**Issue #10**: Importer", "**Open** · 3/5 sub-issues closed"]
            assert "Blocked by #4 (open: Schema)" in await _hover_on(client, uri, text, 3, "#30")
            asked = {r.path for r in tracker.requests}
            assert "/api/v3/repos/octo/repo/issues/30/dependencies/blocked_by" in asked
        finally:
            await asyncio.wait_for(client.shutdown_session(), TIMEOUT)


async def test_an_exported_file_is_read_only_and_says_so(tmp_path: Path):
    workspace = tmp_path / "work"
    workspace.mkdir()
    export = '[{"number": 12, "title": "Login", "state": "OPEN"}]'
    (workspace / "issues.json").write_text(export, encoding="utf-8")
    text = "# Plan\n\n- [x] Fix the login (#12)\n"
    client, uri = await _session(tmp_path, '[issues]\nfile = "issues.json"\n', text, _environment(tmp_path))
    try:
        await client.wait_until(lambda: ("BL305", 2) in _codes(client, uri), TIMEOUT)
        result = await _run(client, (await _actions(client, uri, 2))["Close issue #12"])
        assert result["applied"] is False
        await client.wait_until(lambda: bool(client.messages), TIMEOUT)
        assert client.messages[-1].message == (
            "backlog-ls: cannot close #12: the issues come from an exported file, which is read-only: "
            "change the issue on the tracker, then export again"
        )
        assert (workspace / "issues.json").read_text(encoding="utf-8") == export
        assert ("BL305", 2) in _codes(client, uri) and client.texts[uri] == text
    finally:
        await asyncio.wait_for(client.shutdown_session(), TIMEOUT)


async def test_linear_closes_reopens_and_files_an_issue_from_a_task(tmp_path: Path):
    with FakeLinear("ENG") as linear:
        linear.token = LINEAR_SECRET
        linear.add(12, "Importer", state="In Progress")
        text = "# Plan\n\n- [x] Write the importer (ENG-12)\n- [ ] Write the docs\n"
        config = f'[issues]\nprovider = "linear"\nurl = "{linear.url}"\nteams = ["ENG"]\n'
        client, uri = await _session(tmp_path, config, text, _environment(tmp_path, LINEAR_API_KEY=LINEAR_SECRET))
        try:
            await client.wait_until(lambda: ("BL305", 2) in _codes(client, uri), TIMEOUT)
            assert await _run(client, (await _actions(client, uri, 2))["Close issue ENG-12"]) == {"applied": True, "state": "closed"}
            updates = [r.body for r in linear.requests if "issueUpdate" in str(r.body.get("query"))]
            assert [body["variables"] for body in updates] == [{"id": "ENG-12", "input": {"stateId": "state-Done"}}]
            assert client.message_requests == []  # Linear can move it back: nothing to confirm
            await client.wait_until(lambda: ("BL305", 2) not in _codes(client, uri), TIMEOUT)
            result = await client.workspace_execute_command_async(
                types.ExecuteCommandParams(command="backlog-ls.createIssue", arguments=[uri, 3, 1])
            )
            assert result == {"number": 13, "url": "https://linear.app/acme/issue/ENG-13"}
            created = next(r.body["variables"]["input"] for r in linear.requests if "issueCreate" in str(r.body.get("query")))
            assert created["title"] == "Write the docs" and created["teamId"] == "team-1"
            assert client.texts[uri].split("\n")[3] == "- [ ] Write the docs (ENG-13)"
        finally:
            await asyncio.wait_for(client.shutdown_session(), TIMEOUT)
