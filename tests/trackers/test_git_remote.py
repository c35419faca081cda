"""Repository detection from git remotes and [issues] settings."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from backlog_ls.providers.trackers.git_remote import (
    detect_repository,
    parse_remote,
    remote_from_git_config,
    remote_url,
)
from backlog_ls.tracker import Repository
from backlog_ls.tracker.settings import IssuesSettings


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://github.com/octo/repo.git", Repository("github", "octo", "repo", "github.com")),
        ("https://github.com/octo/repo", Repository("github", "octo", "repo", "github.com")),
        ("https://github.com/octo/repo/", Repository("github", "octo", "repo", "github.com")),
        ("https://user:pw@github.com/octo/repo.git", Repository("github", "octo", "repo", "github.com")),
        ("git@github.com:octo/repo.git", Repository("github", "octo", "repo", "github.com")),
        ("git@github.com:octo/repo", Repository("github", "octo", "repo", "github.com")),
        ("ssh://git@github.com/octo/repo.git", Repository("github", "octo", "repo", "github.com")),
        ("ssh://git@github.com:22/octo/repo.git", Repository("github", "octo", "repo", "github.com")),
        ("git://github.com/octo/repo.git", Repository("github", "octo", "repo", "github.com")),
        ("https://gitlab.com/group/sub/project.git", Repository("gitlab", "group/sub", "project", "gitlab.com")),
        ("git@gitlab.example.org:team/app.git", Repository("gitlab", "team", "app", "gitlab.example.org")),
        ("ssh://git@gitlab.corp:2222/team/app.git", Repository("gitlab", "team", "app", "gitlab.corp")),
        ("https://codeberg.org/forgejo/forgejo.git", Repository("gitea", "forgejo", "forgejo", "codeberg.org")),
        ("git@gitea.example.com:me/tool.git", Repository("gitea", "me", "tool", "gitea.example.com")),
        ("https://forgejo.home.arpa/me/tool", Repository("gitea", "me", "tool", "forgejo.home.arpa")),
        ("https://git.corp.example/eng/service.git", Repository("github", "eng", "service", "git.corp.example")),
        ("https://GitHub.com/Octo/Repo.git", Repository("github", "Octo", "Repo", "github.com")),
    ],
)
def test_parse_remote(url, expected):
    assert parse_remote(url) == expected


@pytest.mark.parametrize("url", ["", "/srv/git/repo.git", "file:///srv/git/repo.git", "https://github.com/", "https://github.com/onlyowner", "../other"])
def test_not_a_hosted_repository(url):
    assert parse_remote(url) is None


needs_git = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")


def git(*args, cwd):
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True)


@needs_git
@pytest.mark.parametrize(
    ("url", "kind", "host", "slug"),
    [
        ("git@github.com:octo/repo.git", "github", "github.com", "octo/repo"),
        ("ssh://git@gitlab.com/group/sub/proj.git", "gitlab", "gitlab.com", "group/sub/proj"),
        ("https://codeberg.org/me/thing", "gitea", "codeberg.org", "me/thing"),
        ("https://ghe.corp.example/eng/svc.git", "github", "ghe.corp.example", "eng/svc"),
    ],
)
def test_detect_from_a_real_git_repository(tmp_path, url, kind, host, slug):
    git("init", "-q", cwd=tmp_path)
    git("remote", "add", "origin", url, cwd=tmp_path)
    assert remote_url(str(tmp_path)) == url
    repository = detect_repository(IssuesSettings(), str(tmp_path))
    assert (repository.kind, repository.host, repository.slug) == (kind, host, slug)


@needs_git
def test_no_repository_or_no_remote(tmp_path):
    assert remote_url(str(tmp_path)) is None
    assert detect_repository(IssuesSettings(), str(tmp_path)) is None
    git("init", "-q", cwd=tmp_path)
    assert remote_url(str(tmp_path)) is None
    assert detect_repository(IssuesSettings(), None) is None


def test_missing_root_or_git(tmp_path, monkeypatch):
    assert remote_url(str(tmp_path / "nope")) is None
    monkeypatch.setenv("PATH", "")
    assert remote_url(str(tmp_path)) is None


def test_configuration_wins():
    remote = "git@github.com:octo/repo.git"
    assert detect_repository(IssuesSettings(repo="a/b"), None, remote=remote) == Repository("github", "a", "b", "github.com")
    assert detect_repository(IssuesSettings(provider="gitlab"), None, remote=remote) == Repository("gitlab", "octo", "repo", "github.com")
    assert detect_repository(IssuesSettings(provider="gitlab", repo="g/p"), None, remote=remote) == Repository("gitlab", "g", "p", "gitlab.com")
    enterprise = detect_repository(IssuesSettings(repo="eng/svc", url="https://ghe.corp/api/v3"), None, remote="")
    assert enterprise == Repository("github", "eng", "svc", "ghe.corp", "https://ghe.corp/api/v3")
    gitea = detect_repository(IssuesSettings(provider="gitea", repo="me/x", url="https://git.home/api/v1"), None, remote="")
    assert gitea == Repository("gitea", "me", "x", "git.home", "https://git.home/api/v1")
    assert detect_repository(IssuesSettings(provider="none"), None, remote=remote) is None
    assert detect_repository(IssuesSettings(), None, remote="") is None


def test_an_untrusted_workspace_is_read_without_running_git(tmp_path, monkeypatch):
    (tmp_path / ".git").mkdir()
    (tmp_path / ".git" / "config").write_text(
        '[core]\n\tbare = false\n[remote "upstream"]\n\turl = https://github.com/up/stream.git\n'
        '[remote "origin"]\n\turl = git@gitlab.com:group/sub/proj.git\n\tfetch = +refs/heads/*:refs/remotes/origin/*\n',
        encoding="utf-8",
    )
    monkeypatch.setenv("PATH", "")  # git cannot run: the answer comes from the file
    assert remote_from_git_config(str(tmp_path)) == "git@gitlab.com:group/sub/proj.git"
    assert remote_from_git_config(str(tmp_path), "upstream") == "https://github.com/up/stream.git"
    assert detect_repository(IssuesSettings(), str(tmp_path), run_git=False) == Repository("gitlab", "group/sub", "proj", "gitlab.com")
    assert remote_from_git_config(str(tmp_path / "nowhere")) is None


def test_a_git_config_that_is_a_device_is_not_read(tmp_path):
    (tmp_path / ".git").mkdir()
    (tmp_path / ".git" / "config").symlink_to("/dev/zero")
    assert remote_from_git_config(str(tmp_path)) is None
