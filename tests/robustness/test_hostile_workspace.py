"""A cloned repository is someone else's: opening or checking it never sends a credential to a
host the user did not choose, and never reads outside it or from a device.

Every case runs against a tracker on 127.0.0.1 (tests/trackers/fake_apis.py) that records each
request's method, path, query, headers and body; every recorded byte is searched for each of
the distinctive secrets this test puts in the environment (tokens of every provider, an AWS
secret, the home folder's path, what a fake `gh auth token` would print). Both the language
server (over stdio, as an editor runs it) and `backlog-ls check` are driven. The positive cases
(a token the user's own configuration names, for a host the user named) show that the
recording does see a token when one is sent, so a leak would fail these tests.

The environment is built from nothing (no inherited tokens): HOME, XDG_* and the cache point
into the test's folder, PATH holds a fake `gh` (which records being asked) and git.
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import attrs
import httpx
import pytest
from lsprotocol import types

from backlog_ls.providers.trackers.service import IssueService
from backlog_ls.tracker.settings import IssuesSettings

from ..lsp_support import SERVER_COMMAND, TIMEOUT, RecordingClient, capabilities
from ..trackers.fake_apis import FakeTracker
from . import budget

SECRETS = {
    "GITHUB_TOKEN": "ghp_S3CRET-github-4f1a9e",
    "GH_TOKEN": "gho_S3CRET-ghtoken-8c2e71",
    "GH_ENTERPRISE_TOKEN": "ghe_S3CRET-enterprise-19bd",
    "GITHUB_ENTERPRISE_TOKEN": "ghe_S3CRET-enterprise2-55aa",
    "GITLAB_TOKEN": "glpat-S3CRET-gitlab-7d3c0b",
    "GITEA_TOKEN": "gitea_S3CRET-gitea-2a9f44",
    "AWS_SECRET_ACCESS_KEY": "aws_S3CRET-wJalrXUtnFEMI-0b77",
    "MY_TOKEN": "mine_S3CRET-user-chosen-5e6f",
}
GH_CLI_SECRET = "gho_S3CRET-from-gh-cli-3c3c"
HOME_NAME = "home-S3CRET-h0me-91ab"
BACKLOG = "# Plan\n\n## Phase 1\n- [ ] **Task 1.1 (Issue #13):** Storage.\n- [ ] **Task 1.2:** see RFC 0007.\n"
ISSUE_13 = types.Position(line=3, character=len("- [ ] **Task 1.1 (Iss"))
RFC_0007 = types.Position(line=4, character=len("- [ ] **Task 1.2:** see RFC 00"))
SESSION_SECONDS = budget.seconds(fast=8.0, soak=20.0)  # how long a session waits for the tracker


# --- the environment and the workspace ---------------------------------------------------------------


@attrs.define
class Sandbox:
    root: Path  # the test's folder: home, config, cache, fake bin
    workspace: Path  # the cloned repository
    environ: dict[str, str]

    @property
    def gh_calls(self) -> Path:
        return self.root / "gh-calls"

    def user_config(self, text: str) -> None:
        folder = Path(self.environ["XDG_CONFIG_HOME"]) / "backlog-ls"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "config.toml").write_text(text, encoding="utf-8")

    def write(self, relative: str, text: str) -> Path:
        path = self.workspace / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        return path

    def secret_values(self) -> dict[str, str]:
        return {**SECRETS, "gh auth token": GH_CLI_SECRET, "HOME": self.environ["HOME"]}


@pytest.fixture
def sandbox(tmp_path: Path) -> Sandbox:
    home = tmp_path / HOME_NAME
    bin_dir = tmp_path / "bin"
    for folder in (home, bin_dir, tmp_path / "config", tmp_path / "cache", tmp_path / "data"):
        folder.mkdir()
    gh = bin_dir / "gh"
    gh.write_text(f"#!{sys.executable}\nimport sys\nopen({str(tmp_path / 'gh-calls')!r}, 'a').write(' '.join(sys.argv[1:]) + '\\n')\nprint({GH_CLI_SECRET!r})\n")
    gh.chmod(0o755)
    git = shutil.which("git")
    path = os.pathsep.join([str(bin_dir)] + ([os.path.dirname(git)] if git else []))
    environ = {
        "PATH": path,
        "HOME": str(home),
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
        "XDG_CACHE_HOME": str(tmp_path / "cache"),
        "XDG_DATA_HOME": str(tmp_path / "data"),
        "BACKLOG_LS_CACHE_DIR": str(tmp_path / "cache" / "backlog-ls"),
        "GIT_CONFIG_NOSYSTEM": "1",
        "LANG": "C.UTF-8",
        "NO_PROXY": "",
        **SECRETS,
    }
    workspace = tmp_path / "cloned"
    (workspace / ".git").mkdir(parents=True)
    (workspace / "TODO.md").write_text(BACKLOG, encoding="utf-8")
    return Sandbox(tmp_path, workspace, environ)


def _received(tracker: FakeTracker) -> str:
    """Every byte the tracker recorded: method, path, query, headers and body of each request."""
    return "\n".join(json.dumps(attrs.asdict(request), default=repr) for request in tracker.requests)


def assert_no_secret_in(text: str, sandbox: Sandbox, where: str) -> None:
    leaked = [name for name, value in sandbox.secret_values().items() if value in text]
    assert leaked == [], f"{where} received {leaked}"


# --- driving the server and the CLI ------------------------------------------------------------------


async def _server_session(
    sandbox: Sandbox,
    until: Callable[[RecordingClient], bool] = lambda _client: False,
    *,
    initialization_options: dict | None = None,
    hover_at: types.Position | None = None,
    hover_until: Callable[[str], bool] = lambda _text: True,
) -> tuple[RecordingClient, str]:
    """Open TODO.md in a server, wait until ``until(client)`` (or the session's time), hover (again
    until ``hover_until(text)``, within the same time), shut down.

    Returns the client (what it received) and the hover's text."""
    client = RecordingClient.create()
    await client.start_io(*SERVER_COMMAND, env=sandbox.environ, cwd=str(sandbox.workspace))
    text = ""
    try:
        await client.initialize_session(
            types.InitializeParams(
                capabilities=capabilities("visual-studio-code", pull_diagnostics=False),
                root_uri=sandbox.workspace.as_uri(),
                workspace_folders=[types.WorkspaceFolder(uri=sandbox.workspace.as_uri(), name="cloned")],
                initialization_options=initialization_options,
            )
        )
        uri = (sandbox.workspace / "TODO.md").as_uri()
        client.open(uri, BACKLOG)
        deadline = time.monotonic() + SESSION_SECONDS
        while not until(client) and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
        while hover_at is not None:
            found = await asyncio.wait_for(
                client.text_document_hover_async(
                    types.HoverParams(text_document=types.TextDocumentIdentifier(uri=uri), position=hover_at)
                ),
                TIMEOUT,
            )
            text = found.contents.value if found is not None else ""
            if hover_until(text) or time.monotonic() > deadline:
                break
            await asyncio.sleep(0.1)
    finally:
        started = time.monotonic()
        await asyncio.wait_for(client.shutdown_session(), TIMEOUT)
        assert time.monotonic() - started < TIMEOUT
    return client, text


def _check(sandbox: Sandbox, *arguments: str) -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "backlog_ls", "check", *arguments, "TODO.md"]
    return subprocess.run(
        command, cwd=sandbox.workspace, env=sandbox.environ, capture_output=True, text=True, timeout=60, stdin=subprocess.PIPE
    )


def _config_diagnostics(client: RecordingClient, sandbox: Sandbox, name: str) -> list[types.Diagnostic]:
    return client.diagnostics.get((sandbox.workspace / name).as_uri(), [])


# --- the hostile configurations ------------------------------------------------------------------------

ISSUES = '[issues]\nprovider = "{kind}"\nrepo = "octo/repo"\nurl = "{url}"\n'
HOSTILE = {
    # name: (tracker kind, file, text, the key a warning must sit on)
    "token-env names the AWS secret": ("github", ".backlog-ls.toml", ISSUES + 'token-env = "AWS_SECRET_ACCESS_KEY"\n', "issues.token-env"),
    "token-env names HOME": ("github", ".backlog-ls.toml", ISSUES + 'token-env = "HOME"\n', "issues.token-env"),
    "pyproject names GITHUB_TOKEN": (
        "github",
        "pyproject.toml",
        '[tool.backlog-ls.issues]\nprovider = "github"\nrepo = "octo/repo"\nurl = "{url}"\ntoken-env = "GITHUB_TOKEN"\n',
        "issues.token-env",
    ),
    "gitlab at a workspace url": ("gitlab", ".backlog-ls.toml", ISSUES, None),
    "gitea at a workspace url": ("gitea", ".backlog-ls.toml", ISSUES, None),
    "enterprise at a workspace url": ("github", ".backlog-ls.toml", ISSUES, None),
    "the workspace trusts its own host": (
        "github",
        ".backlog-ls.toml",
        ISSUES + 'trusted-hosts = ["127.0.0.1"]\ntoken-env = "MY_TOKEN"\n',
        "issues.trusted-hosts",
    ),
}


def _hostile(sandbox: Sandbox, tracker: FakeTracker, case: str) -> str | None:
    kind, name, text, warned_key = HOSTILE[case]
    sandbox.write(name, text.format(kind=kind, url=tracker.api_url))
    return warned_key


@pytest.mark.parametrize("case", list(HOSTILE))
async def test_the_server_sends_no_secret_to_a_host_the_workspace_names(sandbox: Sandbox, case: str):
    kind = HOSTILE[case][0]
    with FakeTracker(kind) as tracker:
        tracker.add(13, "Storage")
        warned_key = _hostile(sandbox, tracker, case)
        client, _ = await _server_session(sandbox, lambda _client: bool(tracker.list_requests()))
    # The tracker was asked (without a token: public repositories still work) and got no secret.
    assert tracker.list_requests(), "the server never asked the tracker: this case proves nothing"
    assert all("authorization" not in r.headers and "private-token" not in r.headers for r in tracker.requests)
    assert_no_secret_in(_received(tracker), sandbox, "the tracker")
    assert_no_secret_in("\n".join(m.message for m in client.log_messages), sandbox, "the client's log")
    assert not sandbox.gh_calls.exists()
    if warned_key is not None:
        config_name = HOSTILE[case][1]
        (warning,) = [d for d in _config_diagnostics(client, sandbox, config_name) if d.message.startswith(warned_key)]
        assert warning.severity == types.DiagnosticSeverity.Warning
        lines = (sandbox.workspace / config_name).read_text(encoding="utf-8").split("\n")
        assert lines[warning.range.start.line].startswith(warned_key.split(".")[1])
        assert "ignored: a file in the workspace may be someone else's" in warning.message
        assert str(Path(sandbox.environ["XDG_CONFIG_HOME"]) / "backlog-ls" / "config.toml") in warning.message


@pytest.mark.parametrize("case", list(HOSTILE))
def test_check_sends_no_secret_to_a_host_the_workspace_names(sandbox: Sandbox, case: str):
    kind = HOSTILE[case][0]
    with FakeTracker(kind) as tracker:
        tracker.add(13, "Storage")
        warned_key = _hostile(sandbox, tracker, case)
        result = _check(sandbox)
    assert tracker.list_requests(), f"check never asked the tracker: {result.stderr}"
    assert_no_secret_in(_received(tracker), sandbox, "the tracker")
    assert_no_secret_in(result.stdout + result.stderr, sandbox, "the output")
    assert not sandbox.gh_calls.exists()
    if warned_key is not None:
        warnings = [line for line in result.stderr.splitlines() if f": {warned_key}: ignored:" in line]
        assert len(warnings) == 1 and warnings[0].startswith("backlog-ls: warning: "), result.stderr
        assert result.returncode != 2, result.stderr  # an ignored key is a warning, not an error


def test_no_token_over_plain_http_even_to_a_host_the_user_named(sandbox: Sandbox):
    """The user trusts ghe.corp.test, but the workspace says http://: the request (seen through a
    proxy on 127.0.0.1, as anything on the path would see it) carries no token."""
    sandbox.user_config('[issues]\ntrusted-hosts = ["ghe.corp.test"]\ntoken-env = "MY_TOKEN"\n')
    with FakeTracker("github") as tracker:
        sandbox.environ["HTTP_PROXY"] = f"http://127.0.0.1:{tracker.port}"
        sandbox.write(".backlog-ls.toml", ISSUES.format(kind="github", url="http://ghe.corp.test/api/v3"))
        result = _check(sandbox)
    assert tracker.list_requests(), result.stderr
    assert tracker.requests[0].headers["host"] == "ghe.corp.test"
    assert_no_secret_in(_received(tracker), sandbox, "the proxy")
    assert "no token for ghe.corp.test: the API address is not https" in result.stderr


# --- the positive cases: the user's own choice does get the token ---------------------------------------


async def test_the_server_sends_the_users_token_to_the_users_host(sandbox: Sandbox):
    with FakeTracker("github") as tracker:
        tracker.add(13, "Storage")
        sandbox.user_config(f'[issues]\nurl = "{tracker.api_url}"\ntoken-env = "MY_TOKEN"\n')
        sandbox.write(".backlog-ls.toml", ISSUES.format(kind="github", url=tracker.api_url))
        await _server_session(sandbox, lambda _client: bool(tracker.list_requests()))
    assert {r.headers.get("authorization") for r in tracker.list_requests()} == {f"Bearer {SECRETS['MY_TOKEN']}"}


def test_check_sends_the_token_to_a_host_named_on_the_command_line_or_in_the_user_configuration(sandbox: Sandbox):
    with FakeTracker("gitlab") as tracker:
        sandbox.write(".backlog-ls.toml", ISSUES.format(kind="gitlab", url=tracker.api_url))
        _check(sandbox, "--trusted-host", "127.0.0.1")
        flagged = [r.headers.get("private-token") for r in tracker.list_requests()]
        sandbox.user_config('[issues]\ntrusted-hosts = ["127.0.0.1"]\ntoken-env = "MY_TOKEN"\n')
        tracker.requests.clear()
        sandbox.environ["BACKLOG_LS_CACHE_DIR"] += "-again"  # a fresh cache, or check would not ask
        _check(sandbox)
        configured = [r.headers.get("private-token") for r in tracker.list_requests()]
    assert flagged and set(flagged) == {SECRETS["GITLAB_TOKEN"]}
    assert configured and set(configured) == {SECRETS["MY_TOKEN"]}


# --- the git remote ------------------------------------------------------------------------------------


class ForwardToFake(httpx.AsyncBaseTransport):
    """Sends every request, whatever its host, to the fake tracker (the Host header stays)."""

    def __init__(self, tracker: FakeTracker):
        self.port = tracker.port
        self.inner = httpx.AsyncHTTPTransport()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        request.url = request.url.copy_with(scheme="http", host="127.0.0.1", port=self.port)
        return await self.inner.handle_async_request(request)


def _git_repository(folder: Path, remote: str) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    subprocess.run(["git", "init", "-q", str(folder)], check=True, env={"PATH": os.environ["PATH"], "HOME": str(folder)})
    subprocess.run(["git", "-C", str(folder), "remote", "add", "origin", remote], check=True, env={"PATH": os.environ["PATH"], "HOME": str(folder)})


@pytest.mark.parametrize(
    "remote, kind, sent",
    [
        ("git@ghe.unknown.test:octo/repo.git", "github", None),  # once: GH_ENTERPRISE_TOKEN
        ("https://gitlab.evil.test/octo/repo.git", "gitlab", None),  # once: GITLAB_TOKEN
        ("https://gitea.evil.test/octo/repo.git", "gitea", None),  # once: GITEA_TOKEN
        ("http://127.0.0.1:1/octo/repo.git", "github", None),
        ("https://github.com/octo/repo.git", "github", "Bearer " + SECRETS["GITHUB_TOKEN"]),
        ("git@codeberg.org:octo/repo.git", "gitea", "token " + SECRETS["GITEA_TOKEN"]),
    ],
)
async def test_a_remote_on_a_host_nobody_named_gets_no_token(tmp_path: Path, remote: str, kind: str, sent: str | None):
    if shutil.which("git") is None:
        pytest.skip("no git")
    _git_repository(tmp_path / "repo", remote)
    with FakeTracker(kind) as tracker:
        service = IssueService(IssuesSettings(), str(tmp_path / "repo"), str(tmp_path / "cache"), dict(SECRETS), transport=ForwardToFake(tracker), use_gh=False)
        assert service.repository is not None and service.repository.kind == kind
        await asyncio.wait_for(service.refresh(), TIMEOUT)
    assert tracker.requests, "the tracker was never asked"
    received = _received(tracker)
    assert [name for name, value in SECRETS.items() if value in received] == ([] if sent is None else [next(n for n, v in SECRETS.items() if v in sent)])
    if sent is not None:
        assert {r.headers.get("authorization") for r in tracker.requests} == {sent}


async def test_a_named_remote_host_gets_its_token(tmp_path: Path):
    if shutil.which("git") is None:
        pytest.skip("no git")
    _git_repository(tmp_path / "repo", "https://gitlab.corp.test/octo/repo.git")
    with FakeTracker("gitlab") as tracker:
        environ = {**SECRETS, "GITLAB_HOST": "gitlab.corp.test"}
        service = IssueService(IssuesSettings(), str(tmp_path / "repo"), str(tmp_path / "cache"), environ, transport=ForwardToFake(tracker), use_gh=False)
        await asyncio.wait_for(service.refresh(), TIMEOUT)
    assert {r.headers.get("private-token") for r in tracker.requests} == {SECRETS["GITLAB_TOKEN"]}


# --- workspace trust ---------------------------------------------------------------------------------


async def test_an_untrusted_workspace_gets_no_network_and_no_token_but_hovers_from_the_cache(sandbox: Sandbox):
    with FakeTracker("github") as tracker:
        tracker.add(13, "Storage engine")
        sandbox.user_config(f'[issues]\ntrusted-hosts = ["127.0.0.1"]\ntoken-env = "MY_TOKEN"\n')
        sandbox.write(".backlog-ls.toml", ISSUES.format(kind="github", url=tracker.api_url))
        # Trusted first: the cache fills (and the token the user chose does go).
        await _server_session(sandbox, lambda client: _said(client, "1 issue in octo/repo, refreshed"))
        assert tracker.list_requests()
        tracker.requests.clear()
        for options in ({"workspaceTrusted": False}, {"backlogLs": {"workspaceTrusted": False, "issues": {"refresh": "10s"}}}):
            client, hover = await _server_session(
                sandbox, lambda client: _said(client, "workspace not trusted"), initialization_options=options, hover_at=ISSUE_13
            )
            assert _said(client, "workspace not trusted (no network, no token): 1 issue in octo/repo, cache from"), client.statuses
            assert "Storage engine" in hover
        assert tracker.requests == []
    assert not sandbox.gh_calls.exists()


def _said(client: RecordingClient, words: str) -> bool:
    """Whether a backlog-ls/status notification said ``words`` (the status bar's text or detail)."""
    return any(words in status.get("text", "") + status.get("detail", "") for status in client.statuses)


async def _waiting_session(
    sandbox: Sandbox, seconds: float, at: types.Position = ISSUE_13, initialization_options: dict | None = None
) -> tuple[RecordingClient, str]:
    """A session that waits a fixed while before hovering: for what must NOT happen (a request, a
    read), and for the background work (cache, RFC scan) to have had its chance."""
    started = time.monotonic()
    return await _server_session(
        sandbox, lambda _client: time.monotonic() - started > seconds, initialization_options=initialization_options, hover_at=at
    )


# --- paths from the workspace --------------------------------------------------------------------------


@pytest.mark.parametrize("file", ["/dev/stdin", "/dev/zero", "fifo.json", "../outside.json", "link.json"])
async def test_the_server_reads_no_issues_file_outside_the_workspace_or_from_a_device(sandbox: Sandbox, file: str):
    outside = sandbox.root / "outside.json"
    outside.write_text(json.dumps([{"number": 13, "title": "LEAKED outside title", "state": "open"}]), encoding="utf-8")
    os.mkfifo(sandbox.workspace / "fifo.json")
    os.symlink(outside, sandbox.workspace / "link.json")
    sandbox.write(".backlog-ls.toml", f'[issues]\nfile = "{file}"\n')
    started = time.monotonic()
    client, hover = await _server_session(
        sandbox, lambda client: bool(_config_diagnostics(client, sandbox, ".backlog-ls.toml")), hover_at=ISSUE_13
    )
    assert time.monotonic() - started < 30
    assert "LEAKED" not in hover
    (problem,) = [d for d in _config_diagnostics(client, sandbox, ".backlog-ls.toml") if d.message.startswith("issues.file")]
    assert problem.range.start.line == 1 and problem.severity == types.DiagnosticSeverity.Error
    assert problem.message.endswith("the issues file is not read")


@pytest.mark.parametrize("file", ["/dev/stdin", "/dev/zero", "fifo.json", "../outside.json"])
def test_check_reads_no_issues_file_outside_the_workspace_or_from_a_device(sandbox: Sandbox, file: str):
    os.mkfifo(sandbox.workspace / "fifo.json")
    (sandbox.root / "outside.json").write_text("[]", encoding="utf-8")
    sandbox.write(".backlog-ls.toml", f'[issues]\nfile = "{file}"\n')
    result = _check(sandbox)  # stdin is a pipe nobody closes: reading it would hang until the timeout
    (line,) = [line for line in result.stderr.splitlines() if "issues.file" in line]
    assert line.startswith("backlog-ls: error: .backlog-ls.toml:2: issues.file: ")
    assert line.endswith("the issues file is not read")
    assert result.returncode == 2


@pytest.mark.parametrize("how", ["dirs", "symlink"])
async def test_rfcs_outside_the_workspace_are_not_shown(sandbox: Sandbox, how: str):
    private = sandbox.root / "private"
    private.mkdir()
    (private / "0007-secret-plan.md").write_text("# Secret plan\n\n## Summary\n\nTOPSECRET summary words.\n", encoding="utf-8")
    if how == "dirs":
        sandbox.write(".backlog-ls.toml", '[rfc]\ndirs = ["../private"]\n')
    else:
        os.symlink(private, sandbox.workspace / "rfcs")
    _, hover = await _waiting_session(sandbox, 2.0, at=RFC_0007)  # the scan that would find it is done by then
    assert "TOPSECRET" not in hover and str(private) not in hover and "Secret plan" not in hover
    # The CLI neither: no finding or message shows the private RFC.
    result = _check(sandbox, "--offline")
    assert "TOPSECRET" not in result.stdout + result.stderr and "secret-plan" not in result.stdout + result.stderr


async def test_an_rfc_folder_inside_the_workspace_is_shown(sandbox: Sandbox):
    """The counterpart: the same RFC inside the workspace does show (so the test above can fail)."""
    folder = sandbox.workspace / "rfcs"
    folder.mkdir()
    (folder / "0007-secret-plan.md").write_text("# Secret plan\n\n## Summary\n\nTOPSECRET summary words.\n", encoding="utf-8")
    _, hover = await _server_session(sandbox, lambda _client: True, hover_at=RFC_0007, hover_until=lambda text: "TOPSECRET" in text)
    assert "TOPSECRET" in hover


# --- paths in the Markdown itself, and the repository's .gitignore ----------------------------------------

LINKS = "# Plan\n\n- [ ] **Task 1:** see [in](/dev/stdin#a), [fifo](fifo.md#a), [zero](zero.md#a).\n"


def _devices(sandbox: Sandbox) -> None:
    os.mkfifo(sandbox.workspace / "fifo.md")
    os.symlink("/dev/zero", sandbox.workspace / "zero.md")


def test_check_reads_no_device_a_link_or_the_gitignore_names(sandbox: Sandbox):
    _devices(sandbox)
    sandbox.write("TODO.md", LINKS)
    (sandbox.workspace / "docs").mkdir()
    os.mkfifo(sandbox.workspace / "docs" / ".gitignore")
    os.symlink("/dev/zero", sandbox.workspace / ".gitignore")
    started = time.monotonic()
    result = subprocess.run(
        [sys.executable, "-m", "backlog_ls", "check", "--offline", "."],
        cwd=sandbox.workspace, env=sandbox.environ, capture_output=True, text=True, timeout=60, stdin=subprocess.PIPE,
    )
    assert time.monotonic() - started < 30
    assert result.returncode == 0, result.stderr
    assert result.stderr.strip() == "No findings in 1 file."  # TODO.md was checked; the devices were not read


async def test_the_server_reads_no_device_a_link_names(sandbox: Sandbox):
    _devices(sandbox)
    sandbox.write("TODO.md", LINKS)
    client = RecordingClient.create()
    await client.start_io(*SERVER_COMMAND, env=sandbox.environ, cwd=str(sandbox.workspace))
    try:
        await client.initialize_session(
            types.InitializeParams(capabilities=capabilities("visual-studio-code", pull_diagnostics=False), root_uri=sandbox.workspace.as_uri())
        )
        uri = (sandbox.workspace / "TODO.md").as_uri()
        client.open(uri, LINKS)
        await client.wait_until(lambda: bool(client.published_for(uri)), TIMEOUT)
        # The server still reads its protocol input: it answers, and shuts down.
        symbols = await asyncio.wait_for(
            client.text_document_document_symbol_async(types.DocumentSymbolParams(text_document=types.TextDocumentIdentifier(uri=uri))),
            TIMEOUT,
        )
        assert symbols
    finally:
        await asyncio.wait_for(client.shutdown_session(), TIMEOUT)


async def test_a_client_can_withdraw_trust_in_its_settings(sandbox: Sandbox):
    """Other clients than VS Code say `backlogLs.workspaceTrusted` in their settings: from then on
    the issue sources are rebuilt without network or token, and Refresh issues asks nobody."""
    with FakeTracker("github") as tracker:
        tracker.add(13, "Storage engine")
        sandbox.user_config('[issues]\ntrusted-hosts = ["127.0.0.1"]\ntoken-env = "MY_TOKEN"\n')
        sandbox.write(".backlog-ls.toml", ISSUES.format(kind="github", url=tracker.api_url))
        client = RecordingClient.create()
        await client.start_io(*SERVER_COMMAND, env=sandbox.environ, cwd=str(sandbox.workspace))
        try:
            await client.initialize_session(
                types.InitializeParams(capabilities=capabilities("neovim"), root_uri=sandbox.workspace.as_uri())
            )
            uri = (sandbox.workspace / "TODO.md").as_uri()
            client.open(uri, BACKLOG)
            await client.wait_until(lambda: bool(tracker.list_requests()), TIMEOUT)
            await client.wait_until(lambda: _said(client, "1 issue"), TIMEOUT)  # the refresh reached the cache
            client.workspace_did_change_configuration(
                types.DidChangeConfigurationParams(settings={"backlogLs": {"workspaceTrusted": False}})
            )
            await client.wait_until(lambda: _said(client, "workspace not trusted"), TIMEOUT)
            tracker.requests.clear()
            await asyncio.wait_for(
                client.workspace_execute_command_async(types.ExecuteCommandParams(command="backlog-ls.refreshIssues", arguments=[])),
                TIMEOUT,
            )
            found = await client.text_document_hover_async(
                types.HoverParams(text_document=types.TextDocumentIdentifier(uri=uri), position=ISSUE_13)
            )
            assert found is not None and "Storage engine" in found.contents.value  # the cache still answers
        finally:
            await asyncio.wait_for(client.shutdown_session(), TIMEOUT)
    assert tracker.requests == []


async def test_an_untrusted_workspace_is_indexed_and_outlined_without_running_git(sandbox: Sandbox):
    """The workspace index, the cross-file rules and the Backlog view read an untrusted clone by
    walking it (honouring .gitignore as text): a repository's git configuration can run programs
    (core.fsmonitor), so no git process starts for it."""
    real_git = shutil.which("git")
    if real_git is None:
        pytest.skip("git is not installed")
    calls = sandbox.root / "git-calls"
    fake = sandbox.root / "bin" / "git"
    fake.write_text(
        f"#!{sys.executable}\nimport os, sys\nopen({str(calls)!r}, 'a').write(' '.join(sys.argv[1:]) + '\\n')\n"
        f"os.execv({real_git!r}, [{real_git!r}] + sys.argv[1:])\n"
    )
    fake.chmod(0o755)
    sandbox.write("ROADMAP.md", "# Roadmap\n\n- [ ] **Task 9.1:** Unopened work\n")
    sandbox.write(".gitignore", "ignored/\n")
    sandbox.write("ignored/TODO.md", "- [ ] **Task 8.1:** Hidden work\n")
    client = RecordingClient.create()
    await client.start_io(*SERVER_COMMAND, env=sandbox.environ, cwd=str(sandbox.workspace))
    try:
        await client.initialize_session(
            types.InitializeParams(
                capabilities=capabilities("visual-studio-code", pull_diagnostics=False),
                root_uri=sandbox.workspace.as_uri(),
                workspace_folders=[types.WorkspaceFolder(uri=sandbox.workspace.as_uri(), name="cloned")],
                initialization_options={"workspaceTrusted": False},
            )
        )
        client.open((sandbox.workspace / "TODO.md").as_uri(), BACKLOG)
        deadline = time.monotonic() + SESSION_SECONDS * 3
        found: list = []
        while not found and time.monotonic() < deadline:
            answer = await asyncio.wait_for(client.workspace_symbol_async(types.WorkspaceSymbolParams(query="Unopened")), TIMEOUT)
            found = [symbol for symbol in answer or [] if "Unopened work" in symbol.name]
            await asyncio.sleep(0.1)
        assert found and found[0].location.uri.endswith("/ROADMAP.md"), answer
        hidden = await asyncio.wait_for(client.workspace_symbol_async(types.WorkspaceSymbolParams(query="Hidden")), TIMEOUT)
        assert not [symbol for symbol in hidden or [] if "Hidden work" in symbol.name]  # .gitignore read as text
        outline = await asyncio.wait_for(client.protocol.send_request_async("backlog-ls/outline", {}), TIMEOUT)
        assert outline is not None
    finally:
        await asyncio.wait_for(client.shutdown_session(), TIMEOUT)
    assert not calls.exists(), calls.read_text()
