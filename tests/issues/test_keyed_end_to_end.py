"""The language server against a local Jira-compatible server and a local Linear-compatible one.

Done-when of issue 16 §1-2: hovering ``ABC-12`` shows its summary and status, completion after
``ABC-`` lists the project's issues, a ticked task whose issue is not done is flagged; UTF-8 on
the same line is nothing. The same with Linear (``ENG-42``). Never the internet.
"""

from __future__ import annotations

import asyncio
import base64
import os
from pathlib import Path

import pytest
from lsprotocol import types

from ..lsp_support import SERVER_COMMAND, TIMEOUT, RecordingClient, capabilities, edit
from ..trackers.fake_keyed_apis import FakeJira, FakeLinear

EMAIL = "dev@example.test"
SECRET = "jira-api-t0ken-not-real"
LINEAR_SECRET = "lin_api_not-a-real-key"


def _backlog(key: str, done: str) -> str:
    return (
        "# Plan\n\n## Now\n"
        f"- [x] **Task 1 ({key}):** Fix the login, UTF-8 safe.\n"
        f"- [ ] **Task 2 ({done}):** Ship it.\n"
    )


def _workspace(tmp_path: Path, config: str, text: str) -> Path:
    workspace = tmp_path / "work"
    (workspace / ".git").mkdir(parents=True)
    (workspace / ".backlog-ls.toml").write_text(config, encoding="utf-8")
    (workspace / "TODO.md").write_text(text, encoding="utf-8")
    return workspace


def _environment(tmp_path: Path) -> dict[str, str]:
    user_config = tmp_path / "user-config"
    (user_config / "backlog-ls").mkdir(parents=True, exist_ok=True)
    (user_config / "backlog-ls" / "config.toml").write_text('[issues]\ntrusted-hosts = ["127.0.0.1"]\n', encoding="utf-8")
    return {
        **os.environ,
        "XDG_CONFIG_HOME": str(user_config),
        "BACKLOG_LS_CACHE_DIR": str(tmp_path / "cache"),
        "JIRA_EMAIL": EMAIL,
        "JIRA_API_TOKEN": SECRET,
        "LINEAR_API_KEY": LINEAR_SECRET,
    }


async def _session(workspace: Path, environment: dict[str, str], text: str) -> tuple[RecordingClient, str]:
    client = RecordingClient.create()
    await client.start_io(*SERVER_COMMAND, env=environment)
    await client.initialize_session(
        types.InitializeParams(capabilities=capabilities("visual-studio-code", pull_diagnostics=False), root_uri=workspace.as_uri())
    )
    uri = (workspace / "TODO.md").as_uri()
    client.open(uri, text)
    return client, uri


async def _hover(client: RecordingClient, uri: str, line: int, character: int) -> str:
    found = await client.text_document_hover_async(
        types.HoverParams(text_document=types.TextDocumentIdentifier(uri=uri), position=types.Position(line=line, character=character))
    )
    return found.contents.value if found is not None else ""


async def _drive(client: RecordingClient, uri: str, text: str, key: str, title: str, status: str) -> None:
    lines = text.split("\n")
    line = next(number for number, content in enumerate(lines) if key in content)
    column = lines[line].index(key)

    def warning():
        return next((d for d in client.diagnostics.get(uri, []) if d.code == "BL305"), None)

    await client.wait_until(lambda: warning() is not None, TIMEOUT)
    found = warning()
    assert found.message == f"Task is ticked but its issue {key} is still open: '{title}'."
    assert (found.range.start.line, found.range.start.character, found.range.end.character) == (line, column, column + len(key))
    assert not any(d.code == "BL307" for d in client.diagnostics.get(uri, []))  # UTF-8 is not an issue
    hover = await _hover(client, uri, line, column + 2)
    assert hover.startswith(f"**Issue {key}**: {title}\n\n**{status}**"), hover
    utf = await _hover(client, uri, line, lines[line].index("UTF-8") + 1)
    assert "Issue" not in utf
    project = key.split("-")[0]
    typed = f"- [ ] follow up {project}-"
    client.change(uri, 2, edit((len(lines) - 1, 0), (len(lines) - 1, 0), typed))
    completion = await client.text_document_completion_async(
        types.CompletionParams(
            text_document=types.TextDocumentIdentifier(uri=uri), position=types.Position(line=len(lines) - 1, character=len(typed))
        )
    )
    items = completion.items if isinstance(completion, types.CompletionList) else completion
    assert [item.label for item in items] == [key, f"{project}-13"]
    assert items[0].detail == title


async def test_jira_cloud_hover_completion_and_drift(tmp_path: Path):
    with FakeJira("cloud", EMAIL) as jira:
        jira.token = SECRET
        jira.add("ABC-12", "Login times out", status="In Progress", updated="2024-05-01T00:00:00Z")
        jira.add("ABC-13", "Shipped", status="Done", updated="2024-04-01T00:00:00Z")
        jira.per_page = 1  # two pages: the second asked for by nextPageToken
        text = _backlog("ABC-12", "ABC-13")
        config = f'[issues]\nprovider = "jira"\nurl = "{jira.url}"\ndeployment = "cloud"\nprojects = ["ABC"]\n'
        workspace = _workspace(tmp_path, config, text)
        client, uri = await _session(workspace, _environment(tmp_path), text)
        try:
            await _drive(client, uri, text, "ABC-12", "Login times out", "In Progress")
            bl306 = next(d for d in client.diagnostics.get(uri, []) if d.code == "BL306")
            assert bl306.message == "Issue ABC-13 is done but the task is still open."
        finally:
            await asyncio.wait_for(client.shutdown_session(), TIMEOUT)
        first = [r.query for r in jira.requests if r.path == "/rest/api/3/search/jql"][:2]
        assert "nextPageToken" not in first[0] and first[1]["nextPageToken"] == base64.b64encode(b"1").decode()
        expected = "Basic " + base64.b64encode(f"{EMAIL}:{SECRET}".encode()).decode()
        assert {r.headers.get("authorization") for r in jira.requests} == {expected}
    cache = b"".join(path.read_bytes() for path in (tmp_path / "cache").rglob("*") if path.is_file())
    assert SECRET.encode() not in cache and base64.b64encode(f"{EMAIL}:{SECRET}".encode()) not in cache


async def test_linear_hover_completion_and_drift(tmp_path: Path):
    with FakeLinear("ENG") as linear:
        linear.token = LINEAR_SECRET
        linear.add(12, "Importer", state="In Progress", updated="2024-05-01T00:00:00.000Z")
        linear.add(13, "Done one", state="Done", updated="2024-04-01T00:00:00.000Z")
        linear.per_page = 1  # two pages: the second asked for by its after cursor
        text = _backlog("ENG-12", "ENG-13")
        config = f'[issues]\nprovider = "linear"\nurl = "{linear.url}"\nteams = ["ENG"]\n'
        workspace = _workspace(tmp_path, config, text)
        client, uri = await _session(workspace, _environment(tmp_path), text)
        try:
            await _drive(client, uri, text, "ENG-12", "Importer", "In Progress")
        finally:
            await asyncio.wait_for(client.shutdown_session(), TIMEOUT)
        assert {r.headers.get("authorization") for r in linear.requests} == {LINEAR_SECRET}
        pages = [r.body["variables"].get("after") for r in linear.requests if "issues(" in str(r.body.get("query"))][:3]
        assert pages == [None, "cursor-1"]


@pytest.mark.parametrize("flavour", ["server"])
async def test_jira_data_center_with_a_personal_access_token(tmp_path: Path, flavour: str):
    with FakeJira(flavour) as jira:
        jira.token = "pat-not-real"
        jira.add("OPS-12", "Rotate keys", status="In Progress", updated="2024-05-01T00:00:00Z")
        jira.add("OPS-13", "Old", status="Done", updated="2024-04-01T00:00:00Z")
        jira.per_page = 1  # two pages by startAt, against total
        text = _backlog("OPS-12", "OPS-13")
        config = f'[issues]\nprovider = "jira"\nurl = "{jira.url}"\nprojects = ["OPS"]\n'
        workspace = _workspace(tmp_path, config, text)
        environment = {**_environment(tmp_path), "JIRA_PAT": "pat-not-real"}
        client, uri = await _session(workspace, environment, text)
        try:
            await _drive(client, uri, text, "OPS-12", "Rotate keys", "In Progress")
        finally:
            await asyncio.wait_for(client.shutdown_session(), TIMEOUT)
        assert {r.headers.get("authorization") for r in jira.requests} == {"Bearer pat-not-real"}
        assert all(r.path == "/rest/api/2/search" for r in jira.requests)
        assert [r.query["startAt"] for r in jira.requests][:2] == ["0", "1"]


async def test_create_issue_from_a_task_files_it_in_jira_and_writes_the_key(tmp_path: Path):
    from ..edits.test_server_edits import EditingClient

    with FakeJira("cloud", EMAIL) as jira:
        jira.token = SECRET
        jira.add("ABC-12", "Login times out")
        text = "# Plan\n\n- [ ] Write the importer\n"
        config = f'[issues]\nprovider = "jira"\nurl = "{jira.url}"\ndeployment = "cloud"\nprojects = ["ABC"]\nissue-type = "Story"\n'
        workspace = _workspace(tmp_path, config, text)
        client = EditingClient.create()
        await client.start_io(*SERVER_COMMAND, env=_environment(tmp_path))
        await client.initialize_session(
            types.InitializeParams(capabilities=capabilities("visual-studio-code", pull_diagnostics=False), root_uri=workspace.as_uri())
        )
        uri = (workspace / "TODO.md").as_uri()
        client.texts[uri] = text
        client.open(uri, text)
        try:
            await client.wait_until(lambda: any(r.path.endswith("/search/jql") for r in jira.requests), TIMEOUT)
            result = await client.workspace_execute_command_async(
                types.ExecuteCommandParams(command="backlog-ls.createIssue", arguments=[uri, 2, 1])
            )
            assert result == {"number": 13, "url": f"{jira.url}/browse/ABC-13"}
            created = next(r for r in jira.requests if r.method == "POST")
            assert created.body["fields"]["issuetype"] == {"name": "Story"} and created.body["fields"]["summary"] == "Write the importer"
            assert client.texts[uri].split("\n")[2] == "- [ ] Write the importer (ABC-13)"
        finally:
            await asyncio.wait_for(client.shutdown_session(), TIMEOUT)


async def test_jira_hover_shows_assignee_fix_version_priority_labels_and_the_description_from_adf(tmp_path: Path):
    description = {
        "type": "doc", "version": 1,
        "content": [{"type": "paragraph", "content": [
            {"type": "text", "text": "Users are "}, {"type": "text", "text": "logged out", "marks": [{"type": "strong"}]},
            {"type": "text", "text": " after "}, {"type": "text", "text": "timeout_ms", "marks": [{"type": "code"}]},
        ]}],
    }
    with FakeJira("cloud", EMAIL) as jira:
        jira.token = SECRET
        jira.add("ABC-12", "Login times out", status="In Progress", assignee="Ana Lima", priority="High",
                 labels=("auth",), fix_versions=("1.2",), description=description)
        text = "# Plan\n\n- [ ] Fix the login (ABC-12)\n"
        config = f'[issues]\nprovider = "jira"\nurl = "{jira.url}"\ndeployment = "cloud"\nprojects = ["ABC"]\n'
        client, uri = await _session(_workspace(tmp_path, config, text), _environment(tmp_path), text)
        try:
            await client.wait_until(lambda: any(r.path.endswith("/search/jql") for r in jira.requests), TIMEOUT)
            hover = ""
            for _ in range(100):  # until the first listing is cached (bounded: 100 x 50 ms)
                hover = await _hover(client, uri, 2, text.split("\n")[2].index("ABC-12") + 1)
                if "Login times out" in hover:
                    break
                await asyncio.sleep(0.05)
            assert hover.split("\n\n")[:3] == [
                "**Issue ABC-12**: Login times out",
                "**In Progress** · `auth` · Ana Lima · Fix version: 1.2 · Priority: High",
                "Users are **logged out** after `timeout_ms`",
            ]
        finally:
            await asyncio.wait_for(client.shutdown_session(), TIMEOUT)
