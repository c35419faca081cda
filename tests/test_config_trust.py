"""Which configuration may say where credentials go: the user's own (the user configuration file,
user-level editor settings, command-line flags), never a file in the workspace; and paths a
workspace names stay in it and name regular files."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from backlog_ls import config
from backlog_ls.editor_settings import EditorSettings
from backlog_ls.providers.config_file import ConfigLoader, load_config, read_user_config, user_config_path
from backlog_ls.tracker.settings import from_settings

from .cli_support import write


def _user_config(text: str) -> Path:
    path = Path(user_config_path())
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_the_user_configuration_file_lives_in_xdg_config_home(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "elsewhere"))
    assert user_config_path() == str(tmp_path / "elsewhere" / "backlog-ls" / "config.toml")


def test_a_workspace_token_env_is_ignored_with_a_warning_on_its_line(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".git").mkdir()
    write(tmp_path, ".backlog-ls.toml", '[issues]\nurl = "https://evil.test/api/v3"\ntoken-env = "AWS_SECRET_ACCESS_KEY"\ntrusted-hosts = ["evil.test"]\n')

    settings, errors, _ = load_config()

    assert "token-env" not in settings.issues and settings.named_hosts == ()
    assert [(error.key, error.line, error.severity) for error in errors] == [
        ("issues.token-env", 2, "warning"),
        ("issues.trusted-hosts", 3, "warning"),
    ]
    assert str(errors[0]) == (
        ".backlog-ls.toml:3: issues.token-env: ignored: a file in the workspace may be someone else's and must not "
        f"choose which secret is sent, or where; put it in {user_config_path()}"
    )
    issues, _ = from_settings(settings)
    assert issues.token_env is None and issues.trusted_hosts == ()


def test_pyproject_is_a_workspace_file_too(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write(tmp_path, "pyproject.toml", '[tool.backlog-ls.issues]\ntoken-env = "HOME"\n')
    settings, errors, _ = load_config()
    assert "token-env" not in settings.issues
    assert [(error.key, error.line) for error in errors] == [("issues.token-env", 1)]


def test_the_user_configuration_names_the_token_and_the_hosts(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    _user_config('[issues]\ntoken-env = "CORP_TOKEN"\ntrusted-hosts = ["git.corp", "https://ghe.corp:8443/api"]\nurl = "https://gitlab.corp/api/v4"\n')
    write(tmp_path, ".backlog-ls.toml", '[issues]\nurl = "https://ghe.corp/api/v3"\n[rules]\nmalformed-task = "off"\n')

    settings, errors, _ = load_config()

    assert errors == []
    issues, _ = from_settings(settings)
    assert issues.token_env == "CORP_TOKEN"
    assert issues.url == "https://ghe.corp/api/v3"  # the workspace may still point the tracker somewhere
    assert issues.trusted_hosts == ("git.corp", "ghe.corp", "gitlab.corp")
    assert settings.rule("malformed-task").severity == "off"


def test_the_user_configuration_is_reported_like_any_file(tmp_path):
    path = _user_config('[issues]\ntrusted-hosts = "git.corp"\nnope = 1\n')
    loaded = read_user_config()
    assert loaded.path == str(path)
    assert [str(error) for error in loaded.errors] == [
        f'{path}:2: issues.trusted-hosts: must be a list of host names such as ["git.example.com"], not a string'
    ]
    reported = []
    ConfigLoader(on_load=reported.append).for_path(str(tmp_path))
    assert [item.path for item in reported] == [str(path)]


def test_editor_settings_without_scopes_count_as_the_users():
    editor = EditorSettings.from_client({"issues": {"tokenEnv": "MY_TOKEN", "trustedHosts": ["git.corp"]}})
    settings = editor.over(config.Settings())
    assert settings.issues["token-env"] == "MY_TOKEN" and settings.named_hosts == ("git.corp",)
    assert editor.errors == [] and editor.workspace_trusted is None


def test_vscode_workspace_settings_cannot_choose_the_token():
    editor = EditorSettings.from_client(
        {
            "issues": {"tokenEnv": "AWS_SECRET_ACCESS_KEY", "trustedHosts": ["evil.test"], "url": "https://evil.test/api/v3"},
            "userSettings": {"issues": {"trustedHosts": ["evil.test"]}},
            "workspaceTrusted": True,
        }
    )
    settings = editor.over(config.Settings())
    assert "token-env" not in settings.issues
    assert settings.issues["url"] == "https://evil.test/api/v3"
    # trustedHosts equal to the user's own is the user's; the url's host came from the workspace.
    assert settings.named_hosts == ("evil.test",)
    assert [(str(error)) for error in editor.errors] == [
        "workspace settings: issues.token-env: ignored: a file in the workspace may be someone else's and must not "
        f"choose which secret is sent, or where; put it in {config.USER_CONFIG_HINT}"
    ]
    assert editor.workspace_trusted is True


def test_vscode_user_settings_name_the_token():
    editor = EditorSettings.from_client(
        {"issues": {"tokenEnv": "MY_TOKEN", "url": "https://ghe.corp/api/v3"}, "userSettings": {"issues": {"tokenEnv": "MY_TOKEN", "url": "https://ghe.corp/api/v3"}}}
    )
    settings = editor.over(config.Settings())
    assert settings.issues["token-env"] == "MY_TOKEN" and settings.named_hosts == ("ghe.corp",)
    assert editor.errors == []


def test_workspace_trust_from_the_client():
    assert EditorSettings.from_client({"backlogLs": {"workspaceTrusted": False}}).workspace_trusted is False
    assert EditorSettings.from_client({"workspaceTrusted": "no"}).workspace_trusted is None  # not a boolean: not said


# --- paths a workspace file names ------------------------------------------------------------------


@pytest.mark.parametrize(
    "file, reason",
    [
        ("/dev/stdin", "is outside the workspace"),
        ("/dev/zero", "is outside the workspace"),
        ("../outside.json", "is outside the workspace"),
        ("link.json", "is outside the workspace"),  # a symlink out
        ("fifo.json", "is not a regular file"),
        ("folder", "is not a regular file"),
    ],
)
def test_an_issues_file_outside_the_workspace_or_not_regular_is_refused(tmp_path, monkeypatch, file, reason):
    project = tmp_path / "project"
    (project / ".git").mkdir(parents=True)
    (project / "folder").mkdir()
    (tmp_path / "outside.json").write_text("[]", encoding="utf-8")
    os.symlink(tmp_path / "outside.json", project / "link.json")
    os.mkfifo(project / "fifo.json")
    monkeypatch.chdir(project)
    write(project, ".backlog-ls.toml", f'[issues]\nfile = "{file}"\n')

    settings, errors, _ = load_config()

    assert [(error.key, error.line) for error in errors] == [("issues.file", 1)]
    assert reason in errors[0].message and errors[0].message.endswith(": the issues file is not read")
    assert settings.issues == {"provider": "none"}


def test_an_issues_file_in_the_workspace_is_kept(tmp_path, monkeypatch):
    (tmp_path / ".git").mkdir()
    write(tmp_path, "sub/.backlog-ls.toml", '[issues]\nfile = "../issues.json"\n')
    write(tmp_path, "issues.json", "[]")
    monkeypatch.chdir(tmp_path / "sub")
    settings, errors, _ = load_config()
    assert errors == [] and settings.issues == {"file": "../issues.json"}


def test_rfc_folders_outside_the_workspace_are_dropped(tmp_path, monkeypatch):
    project = tmp_path / "project"
    (project / ".git").mkdir(parents=True)
    (project / "design").mkdir()
    (tmp_path / "private").mkdir()
    monkeypatch.chdir(project)
    write(project, ".backlog-ls.toml", '[rfc]\ndirs = ["design", "../private", "/etc"]\n')

    settings, errors, _ = load_config()

    assert settings.rfc["dirs"] == ["design"]
    assert [error.key for error in errors] == ["rfc.dirs", "rfc.dirs"]
    assert all("is outside the workspace" in error.message for error in errors)


def test_a_configuration_file_that_is_too_big_is_not_read(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write(tmp_path, ".backlog-ls.toml", "# padding\n" * 200_000)
    _, errors, _ = load_config()
    assert [error.key for error in errors] == ["(file)"]
    assert "is larger than 1 MiB" in errors[0].message


def test_the_url_of_a_source_in_the_user_configuration_names_its_host_and_a_workspace_source_does_not(tmp_path, monkeypatch):
    from backlog_ls.tracker.routing import source_plan
    from backlog_ls.providers.trackers.tokens import resolve_token

    environ = {"JIRA_EMAIL": "dev@example.test", "JIRA_API_TOKEN": "jira-secret"}
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".git").mkdir()
    _user_config('[issues]\n[[issues.sources]]\nprovider = "jira"\nurl = "https://acme.atlassian.net"\nprojects = ["ABC"]\n')
    settings, errors, _ = load_config()
    assert errors == [] and settings.named_hosts == ("acme.atlassian.net",)
    issues, _ = from_settings(settings)
    (_, [(source, repository)], _) = source_plan(issues)
    assert resolve_token(repository, environ=environ, trusted_hosts=source.trusted_hosts).source == "JIRA_EMAIL and JIRA_API_TOKEN"

    # The workspace's own sources replace the user's: they may point the tracker at another site, which gets no token.
    write(tmp_path, ".backlog-ls.toml", '[issues]\n[[issues.sources]]\nprovider = "jira"\nurl = "https://evil.atlassian.net"\nprojects = ["ABC"]\n')
    settings, errors, _ = load_config()
    assert errors == [] and settings.named_hosts == ("acme.atlassian.net",)
    issues, _ = from_settings(settings)
    (_, [(source, repository)], _) = source_plan(issues)
    assert repository.host == "evil.atlassian.net"
    assert resolve_token(repository, environ=environ, trusted_hosts=source.trusted_hosts) is None
