"""More than one tracker ([[issues.sources]]): GitHub answers #12, Jira answers ABC-12, in the server and the CLI."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path

from lsprotocol import types

from backlog_ls.tracker.routing import source_plan
from backlog_ls.tracker.settings import issues_settings

from ..lsp_support import TIMEOUT, RecordingClient
from ..trackers.fake_apis import FakeTracker
from ..trackers.fake_keyed_apis import FakeJira
from .test_keyed_end_to_end import _session

EMAIL = "dev@example.test"
JIRA_SECRET = "jira-api-t0ken-not-real"
TEXT = "# Plan\n\n- [x] Storage (Issue #12)\n- [x] Login (ABC-7), UTF-8 safe\n- [ ] Typo ABC-99\n"


def test_sources_are_structured_and_what_they_may_not_say_is_refused():
    settings, errors = issues_settings(
        {
            "refresh": "1h",
            "sources": [
                {"provider": "github", "repo": "acme/app"},
                {"provider": "jira", "url": "https://acme.atlassian.net", "projects": ["ABC"], "token-env": "AWS_SECRET"},
                {"provider": "gitlab", "repo": "acme/other"},
                {"repo": "no/provider"},
            ],
        }
    )
    assert [(e.key, e.message) for e in errors] == [
        ("issues.sources[2].token-env", "not in a source: set it in [issues] of your user configuration"),
        ("issues.sources[4].provider", "a source names its provider (github, gitlab, gitea, jira, linear, json)"),
    ]
    assert [one.provider for one in settings.all_sources] == ["github", "jira", "gitlab"]
    assert settings.sources[1].token_env is None
    numbered, keyed, problems = source_plan(settings)
    assert numbered.repo == "acme/app" and [(one.provider, repository.name) for one, repository in keyed] == [("jira", "ABC")]
    assert problems == ["issues.sources: only one source answers #12 references; the gitlab source is ignored"]
    _settings, errors = issues_settings({"sources": [{"provider": "jira", "url": "https://x.example", "projects": ["ab"]}]})
    assert [e.key for e in errors] == ["issues.sources[1].projects", "issues.sources[1].projects"]


def _workspace(tmp_path: Path, github: FakeTracker, jira: FakeJira) -> tuple[Path, dict[str, str]]:
    workspace = tmp_path / "work"
    (workspace / ".git").mkdir(parents=True)
    (workspace / ".backlog-ls.toml").write_text(
        "[[issues.sources]]\n"
        f'provider = "github"\nrepo = "octo/repo"\nurl = "{github.api_url}"\n\n'
        "[[issues.sources]]\n"
        f'provider = "jira"\nurl = "{jira.url}"\ndeployment = "cloud"\nprojects = ["ABC"]\n',
        encoding="utf-8",
    )
    (workspace / "TODO.md").write_text(TEXT, encoding="utf-8")
    user_config = tmp_path / "user-config"
    (user_config / "backlog-ls").mkdir(parents=True)
    (user_config / "backlog-ls" / "config.toml").write_text('[issues]\ntrusted-hosts = ["127.0.0.1"]\n', encoding="utf-8")
    environment = {
        **os.environ,
        "XDG_CONFIG_HOME": str(user_config),
        "BACKLOG_LS_CACHE_DIR": str(tmp_path / "cache"),
        "JIRA_EMAIL": EMAIL,
        "JIRA_API_TOKEN": JIRA_SECRET,
    }
    return workspace, environment


def _trackers(github: FakeTracker, jira: FakeJira) -> None:
    github.add(12, "Storage engine")
    jira.token = JIRA_SECRET
    jira.add("ABC-7", "Login times out", status="In Progress")


async def test_each_reference_resolves_to_its_source_in_the_server(tmp_path: Path):
    with FakeTracker("github") as github, FakeJira("cloud", EMAIL) as jira:
        _trackers(github, jira)
        workspace, environment = _workspace(tmp_path, github, jira)
        client, uri = await _session(workspace, environment, TEXT)
        try:
            def found():
                return sorted((str(d.code), d.range.start.line, d.message) for d in client.diagnostics.get(uri, []) if str(d.code).startswith("BL30"))

            expected = [
                ("BL305", 2, "Task is ticked but its issue #12 is still open: 'Storage engine'."),
                ("BL305", 3, "Task is ticked but its issue ABC-7 is still open: 'Login times out'."),
                ("BL307", 4, "Issue ABC-99 does not exist in project ABC: the tracker has no such key."),
            ]
            await client.wait_until(lambda: found() == expected, TIMEOUT)
            for line, character, words in ((2, 20, "**Issue #12**: Storage engine"), (3, 15, "**Issue ABC-7**: Login times out")):
                hover = await client.text_document_hover_async(
                    types.HoverParams(text_document=types.TextDocumentIdentifier(uri=uri), position=types.Position(line=line, character=character))
                )
                assert hover is not None and hover.contents.value.startswith(words)
        finally:
            await asyncio.wait_for(client.shutdown_session(), TIMEOUT)
        assert all("authorization" not in r.headers for r in github.requests)  # no GitHub token in this environment


def test_check_uses_every_source(tmp_path: Path):
    with FakeTracker("github") as github, FakeJira("cloud", EMAIL) as jira:
        _trackers(github, jira)
        workspace, environment = _workspace(tmp_path, github, jira)
        environment = {k: v for k, v in environment.items() if not k.startswith(("GITHUB_", "GH_"))}
        command = [sys.executable, "-m", "backlog_ls", "check", "--select", "BL305,BL306,BL307", "TODO.md"]
        run = subprocess.run(command, cwd=workspace, env=environment, capture_output=True, text=True, timeout=60)
    assert run.stdout.splitlines() == [
        "TODO.md:3:16: warning BL305 Task is ticked but its issue #12 is still open: 'Storage engine'.",
        "TODO.md:4:14: warning BL305 Task is ticked but its issue ABC-7 is still open: 'Login times out'.",
        "TODO.md:5:12: warning BL307 Issue ABC-99 does not exist in project ABC: the tracker has no such key.",
    ], run.stderr
    assert JIRA_SECRET not in run.stdout + run.stderr


MIXED = "# Plan\n\n## Now\n- [x] Storage (#11)\n- [x] Login (ABC-7)\n- [ ] Docs (ABC-8)\n- [ ] Tests\n"


async def _jira_session(tmp_path: Path, jira: FakeJira, user: str, workspace_config: str) -> tuple[RecordingClient, str]:
    workspace = tmp_path / "work"
    (workspace / ".git").mkdir(parents=True)
    (workspace / ".backlog-ls.toml").write_text(workspace_config, encoding="utf-8")
    (workspace / "TODO.md").write_text(MIXED, encoding="utf-8")
    user_config = tmp_path / "user-config"
    (user_config / "backlog-ls").mkdir(parents=True)
    (user_config / "backlog-ls" / "config.toml").write_text(user, encoding="utf-8")
    environment = {
        **os.environ, "XDG_CONFIG_HOME": str(user_config), "BACKLOG_LS_CACHE_DIR": str(tmp_path / "cache"),
        "JIRA_EMAIL": EMAIL, "JIRA_API_TOKEN": JIRA_SECRET,
    }
    return await _session(workspace, environment, MIXED)


def _jira_source(jira: FakeJira) -> str:
    return f'[[issues.sources]]\nprovider = "jira"\nurl = "{jira.url}"\ndeployment = "cloud"\nprojects = ["ABC"]\n'


async def test_a_jira_site_named_in_the_users_own_sources_gets_the_token_and_keys_name_tasks_issues(tmp_path: Path):
    with FakeJira("cloud", EMAIL) as jira:
        jira.token = JIRA_SECRET
        jira.add("ABC-7", "Login times out", status="In Progress")
        jira.add("ABC-8", "Docs", status="To Do")
        # No trusted-hosts anywhere: the url in the user's own [[issues.sources]] names the host.
        client, uri = await _jira_session(tmp_path, jira, f"[issues]\n{_jira_source(jira)}", "[rules]\n")
        try:
            await client.wait_until(lambda: any(d.code == "BL305" for d in client.diagnostics.get(uri, [])), TIMEOUT)
            codes = sorted((str(d.code), d.range.start.line) for d in client.diagnostics[uri])
            # BL101 only on "Tests": ABC-7 and ABC-8 name their tasks' issues as #11 does.
            assert codes == [("BL101", 6), ("BL305", 4)]
        finally:
            await asyncio.wait_for(client.shutdown_session(), TIMEOUT)
        assert {r.headers.get("authorization", "")[:6] for r in jira.requests} == {"Basic "}


async def test_a_jira_site_named_only_by_the_workspace_never_gets_the_token(tmp_path: Path):
    with FakeJira("cloud", EMAIL) as jira:
        jira.add("ABC-7", "Login times out", status="In Progress")
        client, uri = await _jira_session(tmp_path, jira, "[issues]\n", f"[issues]\n{_jira_source(jira)}")
        try:
            await client.wait_until(lambda: bool(jira.requests), TIMEOUT)  # asked, without credentials
            await client.wait_until(lambda: any(d.code == "BL305" for d in client.diagnostics.get(uri, [])), TIMEOUT)
        finally:
            await asyncio.wait_for(client.shutdown_session(), TIMEOUT)
        assert all("authorization" not in r.headers for r in jira.requests)
        assert not [r for r in jira.requests if JIRA_SECRET.encode() in r.raw or EMAIL.encode() in r.raw]
