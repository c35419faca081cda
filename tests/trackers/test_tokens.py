"""Where tokens come from, and that they never show."""

from __future__ import annotations

import logging
import os
import stat
import sys

import pytest

from backlog_ls.providers.trackers import tokens
from backlog_ls.providers.trackers.tokens import Token, gh_token, resolve_token
from backlog_ls.tracker import Repository

GITHUB = Repository("github", "o", "r", "github.com")
ENTERPRISE = Repository("github", "o", "r", "ghe.corp")
NAMED = ("ghe.corp",)  # the user named the Enterprise host (trusted-hosts in the user configuration)


def test_environment_order():
    assert resolve_token(GITHUB, None, {"GITHUB_TOKEN": "a", "GH_TOKEN": "b"}, use_gh=False) == Token("a", "GITHUB_TOKEN")
    assert resolve_token(GITHUB, None, {"GH_TOKEN": "b"}, use_gh=False).source == "GH_TOKEN"
    assert resolve_token(GITHUB, None, {"GITHUB_TOKEN": "  "}, use_gh=False) is None
    assert resolve_token(Repository("gitlab", "o", "r", "gitlab.com"), None, {"GITLAB_TOKEN": "g"}, use_gh=False).value == "g"
    assert resolve_token(Repository("gitea", "o", "r", "codeberg.org"), None, {"GITEA_TOKEN": "t"}, use_gh=False).value == "t"


def test_token_env_is_the_only_place_when_set():
    environ = {"GITHUB_TOKEN": "a", "MY_TOKEN": "mine"}
    assert resolve_token(GITHUB, "MY_TOKEN", environ) == Token("mine", "MY_TOKEN")
    assert resolve_token(GITHUB, "MISSING", environ) is None


def test_a_github_com_token_never_goes_to_another_host():
    assert resolve_token(ENTERPRISE, None, {"GITHUB_TOKEN": "a"}, use_gh=False, trusted_hosts=NAMED) is None
    assert resolve_token(ENTERPRISE, None, {"GH_ENTERPRISE_TOKEN": "e"}, use_gh=False, trusted_hosts=NAMED).value == "e"


def _gh_that_logs(tmp_path):
    script, log = tmp_path / "gh", tmp_path / "args"
    script.write_text(f"#!{sys.executable}\nimport sys\nopen({str(log)!r}, 'w').write(' '.join(sys.argv[1:]))\nprint('gho_fromgh')\n")
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    return script, log


def test_a_host_nobody_named_gets_no_token_and_gh_is_not_even_asked(tmp_path):
    script, log = _gh_that_logs(tmp_path)
    environ = {"GH_ENTERPRISE_TOKEN": "e", "GITLAB_TOKEN": "g", "GITEA_TOKEN": "t", "MY_TOKEN": "m"}
    assert resolve_token(ENTERPRISE, None, environ, gh=str(script)) is None
    assert resolve_token(ENTERPRISE, "MY_TOKEN", environ, gh=str(script)) is None  # the user's variable, not the user's host
    assert resolve_token(Repository("gitlab", "o", "r", "gitlab.evil.test"), None, environ) is None
    assert resolve_token(Repository("gitea", "o", "r", "gitea.evil.test"), None, environ) is None
    # A public host of another provider is not that provider's: no GITEA_TOKEN for gitlab.com.
    assert resolve_token(Repository("gitea", "o", "r", "gitlab.com"), None, environ) is None
    assert not log.exists()


@pytest.mark.parametrize(
    "repository, variable",
    [
        (Repository("github", "o", "r", "github.com"), "GITHUB_TOKEN"),
        (Repository("gitlab", "o", "r", "gitlab.com"), "GITLAB_TOKEN"),
        (Repository("gitea", "o", "r", "codeberg.org"), "GITEA_TOKEN"),
        (Repository("gitea", "o", "r", "gitea.com"), "GITEA_TOKEN"),
    ],
)
def test_the_public_hosts_get_their_own_token(repository, variable):
    assert resolve_token(repository, None, {variable: "secret"}, use_gh=False) == Token("secret", variable)


def test_hosts_the_user_named_in_the_environment():
    gitlab = Repository("gitlab", "o", "r", "git.corp")
    assert resolve_token(gitlab, None, {"GITLAB_TOKEN": "g"}, use_gh=False) is None
    assert resolve_token(gitlab, None, {"GITLAB_TOKEN": "g", "GITLAB_HOST": "https://git.corp"}, use_gh=False).value == "g"
    environ = {"GH_ENTERPRISE_TOKEN": "e", "GH_HOST": "ghe.corp"}
    assert resolve_token(ENTERPRISE, None, environ, use_gh=False).value == "e"


def test_never_over_plain_http_except_to_this_machine():
    environ = {"GH_ENTERPRISE_TOKEN": "e"}
    plain = Repository("github", "o", "r", "ghe.corp", "http://ghe.corp/api/v3")
    assert resolve_token(plain, None, environ, use_gh=False, trusted_hosts=NAMED) is None
    for host in ("127.0.0.1", "localhost", "[::1]"):
        local = Repository("github", "o", "r", host.strip("[]"), f"http://{host}:8080/api/v3")
        assert resolve_token(local, None, environ, use_gh=False) is None  # loopback is no exception to naming
        assert resolve_token(local, None, environ, use_gh=False, trusted_hosts=(host.strip("[]"),)).value == "e"


def test_an_untrusted_workspace_gets_no_token_at_all():
    assert resolve_token(GITHUB, None, {"GITHUB_TOKEN": "a"}, use_gh=False, workspace_trusted=False) is None


def test_each_refusal_is_logged_once_and_never_holds_the_token(caplog, monkeypatch):
    monkeypatch.setattr(tokens, "_refusals_logged", set())
    caplog.set_level(logging.DEBUG)
    repository = Repository("gitlab", "o", "r", "gitlab.evil.test")
    for _ in range(3):
        assert resolve_token(repository, "MY_TOKEN", {"MY_TOKEN": "s3cr3t-value", "GITLAB_TOKEN": "s3cr3t-value"}) is None
    refusals = [record.getMessage() for record in caplog.records if "gitlab.evil.test" in record.getMessage()]
    assert refusals == [
        "no token for gitlab.evil.test: you have not named this host; add it to trusted-hosts in [issues] of "
        "your user configuration, or set [issues] url there, if it is yours (issues of o/r)"
    ]
    assert all("s3cr3t-value" not in record.getMessage() for record in caplog.records)


def test_gh_auth_token_is_asked_for_the_host(tmp_path):
    script = tmp_path / "gh"
    log = tmp_path / "args"
    script.write_text(f"#!{sys.executable}\nimport sys\nopen({str(log)!r}, 'w').write(' '.join(sys.argv[1:]))\nprint('gho_fromgh')\n")
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    token = resolve_token(ENTERPRISE, None, {}, gh=str(script), trusted_hosts=NAMED)
    assert token == Token("gho_fromgh", "gh auth token")
    assert log.read_text() == "auth token --hostname ghe.corp"
    assert "gho_fromgh" not in repr(token) and "gho_fromgh" not in str(token)


def test_gh_failing_or_slow_gives_none(tmp_path):
    failing = tmp_path / "gh"
    failing.write_text(f"#!{sys.executable}\nimport sys\nsys.exit(1)\n")
    failing.chmod(0o755)
    assert gh_token("github.com", gh=str(failing)) is None
    slow = tmp_path / "slowgh"
    slow.write_text(f"#!{sys.executable}\nimport time\ntime.sleep(5)\n")
    slow.chmod(0o755)
    assert gh_token("github.com", timeout=0.2, gh=str(slow)) is None
    assert gh_token("github.com", gh=str(tmp_path / "absent")) is None


def test_never_from_a_workspace_file(tmp_path, monkeypatch):
    (tmp_path / ".env").write_text("GITHUB_TOKEN=from-file\n")
    monkeypatch.chdir(tmp_path)
    assert resolve_token(GITHUB, None, {}, use_gh=False) is None
    assert os.environ.get("GITHUB_TOKEN") != "from-file"
