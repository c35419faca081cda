"""[issues] settings validation, and reading exported JSON."""

from __future__ import annotations

import json

import pytest

from backlog_ls.providers.trackers import TrackerError
from backlog_ls.providers.trackers.json_export import parse_export, read_export
from backlog_ls.tracker.settings import IssuesSettings, issues_settings


def messages(raw):
    settings, errors = issues_settings(raw, source=".backlog-ls.toml")
    return settings, [str(error) for error in errors]


def test_defaults():
    settings, errors = messages({})
    assert errors == []
    assert settings == IssuesSettings(provider="auto", refresh=600.0)
    assert settings.insert_format is None


def test_every_key():
    settings, errors = messages(
        {"provider": "GitLab", "repo": "group/sub/proj.git", "url": "https://git.corp/api/v4/", "token-env": "CORP_TOKEN",
         "refresh": "1h", "insert-format": " (Issue #{number})", "timeout": "5s"}
    )
    assert errors == []
    assert settings == IssuesSettings("gitlab", "group/sub/proj", "https://git.corp/api/v4", None, "CORP_TOKEN", 3600.0, " (Issue #{number})", 5.0)
    assert settings.owner_name == ("group/sub", "proj")


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ({"provider": "redmine"}, ".backlog-ls.toml: issues.provider: must be one of auto, github, gitlab, gitea, jira, linear, json, none, not 'redmine'"),
        ({"repo": "justname"}, ".backlog-ls.toml: issues.repo: must be owner/name, not 'justname'"),
        ({"url": "api.github.com"}, ".backlog-ls.toml: issues.url: must be an http(s) URL such as https://git.example.com/api/v3, not 'api.github.com'"),
        ({"refresh": "soon"}, ".backlog-ls.toml: issues.refresh: must be a duration such as 30s, 10m or 1h, not 'soon'"),
        ({"refresh": "1s"}, ".backlog-ls.toml: issues.refresh: must be at least 10s, not '1s'"),
        ({"timeout": "0.5s"}, ".backlog-ls.toml: issues.timeout: must be at least 1s, not '0.5s'"),
        ({"refresh": True}, ".backlog-ls.toml: issues.refresh: must be a duration such as 30s, 10m or 1h, not true or false"),
        ({"token-env": "not a name"}, ".backlog-ls.toml: issues.token-env: must be the name of an environment variable, not 'not a name'"),
        ({"tokenEnv": 5}, ".backlog-ls.toml: issues.token-env: must be a string, not a number"),
        ({"insert-format": 3}, ".backlog-ls.toml: issues.insert-format: must be a string, not a number"),
        ({"token": "abc"}, ".backlog-ls.toml: issues.token: unknown key; known keys: provider, repo, url, file, token-env, trusted-hosts, refresh, timeout, insert-format, projects, deployment, issue-type, sources"),
        ({"provider": "json"}, '.backlog-ls.toml: issues.file: the json provider needs a file (file = "issues.json")'),
    ],
)
def test_messages_name_the_key(raw, message):
    _settings, errors = messages(raw)
    assert errors == [message]


def test_a_bad_key_keeps_the_others():
    settings, errors = messages({"provider": "nope", "refresh": "30s", "repo": "a/b"})
    assert len(errors) == 1 and settings.provider == "auto" and settings.refresh == 30 and settings.repo == "a/b"


@pytest.mark.parametrize(("text", "seconds"), [("30s", 30), ("10m", 600), ("1h", 3600), ("2d", 172800), (45, 45), ("90", 90), ("1.5h", 5400)])
def test_durations(text, seconds):
    assert messages({"refresh": text})[0].refresh == seconds


def test_gh_issue_list_export():
    text = json.dumps([
        {"number": 9, "title": "Nine", "state": "OPEN", "labels": [{"name": "bug", "id": "x"}], "assignees": [{"login": "ana", "name": "Ana"}],
         "body": "b", "url": "https://github.com/o/r/issues/9", "updatedAt": "2024-01-02T03:04:05Z"},
        {"number": 8, "title": "Eight", "state": "CLOSED", "labels": [], "assignees": [], "body": "", "url": "u", "updatedAt": "2024-01-01T00:00:00Z"},
    ])
    issues, skipped = parse_export(text)
    assert skipped == 0
    nine, eight = issues
    assert (nine.number, nine.is_open, nine.labels, nine.assignees, nine.url) == (9, True, ("bug",), ("ana",), "https://github.com/o/r/issues/9")
    assert nine.updated_at.isoformat() == "2024-01-02T03:04:05+00:00"
    assert not eight.is_open


def test_api_shapes_and_wrappers():
    gitlab = [{"iid": 3, "id": 99, "title": "T", "state": "opened", "labels": ["a"], "assignees": [{"username": "u"}], "web_url": "w", "milestone": {"title": "M"}, "description": "d"}]
    (issue,), _ = parse_export(json.dumps({"issues": gitlab}))
    assert (issue.number, issue.is_open, issue.labels, issue.assignees, issue.milestone, issue.body) == (3, True, ("a",), ("u",), "M", "d")
    gitea = [{"number": 4, "title": "P", "state": "closed", "pull_request": {"merged": True}, "html_url": "h"}, "junk", {"title": "no number"}]
    (pull,), skipped = parse_export(json.dumps(gitea))
    assert pull.is_pull and pull.merged and skipped == 2


@pytest.mark.parametrize(
    ("text", "fragment"),
    [("{not json", "is not valid JSON"), ('{"a": 1}', "holds no list of issues"), ("[1, 2]", "none is an issue"), ("", "is not valid JSON")],
)
def test_broken_exports_are_clear_errors(tmp_path, text, fragment):
    path = tmp_path / "issues.json"
    path.write_text(text)
    with pytest.raises(TrackerError) as caught:
        read_export(str(path))
    assert fragment in caught.value.message and str(path) in caught.value.message


def test_missing_export(tmp_path):
    with pytest.raises(TrackerError) as caught:
        read_export(str(tmp_path / "absent.json"))
    assert caught.value.kind == "not_found"


def test_file_alone_means_json_and_repository_is_an_alias():
    settings, errors = messages({"file": "issues.json", "repository": "o/r"})
    assert errors == [] and settings.provider == "json" and settings.repo == "o/r"


def test_an_export_outside_the_workspace_or_too_big_or_not_a_file_is_refused(tmp_path):
    workspace = tmp_path / "workspace"
    workspace.mkdir()
    outside = tmp_path / "outside.json"
    outside.write_text("[]", encoding="utf-8")
    (workspace / "link.json").symlink_to(outside)
    big = workspace / "big.json"
    with open(big, "wb") as handle:
        handle.truncate(16 * 1024 * 1024 + 1)  # sparse: costs no disk
    for path, reason in [
        (workspace / "link.json", "is outside the workspace"),
        (big, "is larger than 16 MiB"),
        (workspace, "is not a regular file"),
    ]:
        with pytest.raises(TrackerError) as caught:
            read_export(str(path), str(workspace))
        assert caught.value.message.startswith("the issues file is not read: ") and reason in caught.value.message
    with pytest.raises(TrackerError) as caught:
        read_export("/dev/zero")
    assert "is not a regular file" in caught.value.message
