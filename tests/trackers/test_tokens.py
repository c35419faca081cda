"""Where tokens come from, and that they never show."""

from __future__ import annotations

import os
import stat
import sys

from backlog_ls.providers.trackers.tokens import Token, gh_token, resolve_token
from backlog_ls.tracker import Repository

GITHUB = Repository("github", "o", "r", "github.com")
ENTERPRISE = Repository("github", "o", "r", "ghe.corp")


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
    assert resolve_token(ENTERPRISE, None, {"GITHUB_TOKEN": "a"}, use_gh=False) is None
    assert resolve_token(ENTERPRISE, None, {"GH_ENTERPRISE_TOKEN": "e"}, use_gh=False).value == "e"


def test_gh_auth_token_is_asked_for_the_host(tmp_path):
    script = tmp_path / "gh"
    log = tmp_path / "args"
    script.write_text(f"#!{sys.executable}\nimport sys\nopen({str(log)!r}, 'w').write(' '.join(sys.argv[1:]))\nprint('gho_fromgh')\n")
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    token = resolve_token(ENTERPRISE, None, {}, gh=str(script))
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
