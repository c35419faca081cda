"""Which repository a workspace's unqualified references (``#12``) point at.

``detect_repository(settings, root)``: what ``[issues]`` says (repo, provider, url) wins;
the rest comes from ``git remote get-url origin`` run in the workspace root (3 s timeout;
no git, no repository or no origin simply gives None).

Remote URL forms: ``https://host/owner/repo(.git)``, ``http://``, ``git@host:owner/repo.git``,
``ssh://git@host[:port]/owner/repo.git``, ``git://``, with user names and ports, and
GitLab subgroups (``group/sub/repo``).

The kind follows the host: github.com -> github; gitlab.com or a host with "gitlab" in its
name -> gitlab; codeberg.org or a host with "gitea", "forgejo" or "codeberg" -> gitea; any
other host is taken for a GitHub Enterprise Server (API at https://HOST/api/v3) -- the
common case for a company host with an unhelpful name. It is a guess: set
``[issues] provider`` (and ``url``) when it is wrong. The guess decides which API is asked,
never whether a token goes there: a token goes only to a public host of the provider or a host
the user named (``tracker/credentials.py``), so a remote on an unknown host gets no
``GH_ENTERPRISE_TOKEN`` and a host with "gitlab" in its name no ``GITLAB_TOKEN``.

In a workspace the editor does not trust, git is not run at all (a repository's own git
configuration can run programs): ``remote_from_git_config`` reads ``.git/config`` as text.
"""

from __future__ import annotations

import logging
import os
import re
from urllib.parse import urlsplit

from ...tracker import Repository
from ..git import GitUnavailable, git_text, run_git
from ...tracker.settings import IssuesSettings

log = logging.getLogger(__name__)

GIT_TIMEOUT_SECONDS = 3.0

_SCP = re.compile(r"^(?:(?P<user>[^@/\s]+)@)?(?P<host>[^:/\s]+):(?!//)(?P<path>[^\s]+)$")


def kind_for_host(host: str) -> str:
    host = host.lower()
    if host in ("github.com", "www.github.com") or host.endswith(".github.com"):
        return "github"
    if host == "gitlab.com" or "gitlab" in host:
        return "gitlab"
    if host == "codeberg.org" or any(word in host for word in ("gitea", "forgejo", "codeberg")):
        return "gitea"
    return "github"  # GitHub Enterprise Server, a guess: see the module docstring


def parse_remote(url: str) -> Repository | None:
    """A Repository from a git remote URL, or None when it is not a hosted repository."""
    url = url.strip()
    if not url:
        return None
    host: str | None
    if "://" in url:
        parts = urlsplit(url)
        if parts.scheme.lower() not in ("http", "https", "ssh", "git", "git+ssh", "ssh+git"):
            return None
        host, path = parts.hostname, parts.path
    else:
        match = _SCP.match(url)
        if match is None or "/" not in match.group("path").strip("/"):
            return None
        host, path = match.group("host"), match.group("path")
    if not host:
        return None
    path = path.strip("/")
    path = path.removesuffix(".git")
    path = path.rstrip("/")
    owner, _, name = path.rpartition("/")
    if not owner or not name:
        return None
    host = host.lower()
    if host == "www.github.com":
        host = "github.com"
    return Repository(kind=kind_for_host(host), owner=owner, name=name, host=host)


def remote_url(root: str | None, remote: str = "origin", timeout: float = GIT_TIMEOUT_SECONDS) -> str | None:
    """``git remote get-url origin`` in ``root``; None when there is no git, repository or remote."""
    if not root:
        return None
    try:
        result = run_git(root, "remote", "get-url", remote, timeout=timeout)
    except GitUnavailable as problem:
        log.info("Could not ask git for the remote in %s: %s", root, problem)
        return None
    if result.returncode != 0:
        return None
    return git_text(result.stdout) or None


MAX_GIT_CONFIG_BYTES = 256 * 1024
_SECTION = re.compile(r'^\s*\[\s*remote\s+"(?P<name>[^"]*)"\s*\]')
_URL_LINE = re.compile(r"^\s*url\s*=\s*(?P<url>\S+)\s*$", re.IGNORECASE)


def remote_from_git_config(root: str | None, remote: str = "origin") -> str | None:
    """The remote's URL from ``ROOT/.git/config``, read as text without running git; None if not found."""
    if not root:
        return None
    from ..workspace_paths import RefusedPath, read_regular_file

    try:
        text = read_regular_file(os.path.join(root, ".git", "config"), MAX_GIT_CONFIG_BYTES, root).decode("utf-8", "replace")
    except (OSError, ValueError, RefusedPath):
        return None  # no .git folder (a worktree's .git is a file), or not readable
    inside = False
    for line in text.splitlines():
        section = _SECTION.match(line)
        if section is not None:
            inside = section.group("name") == remote
        elif line.lstrip().startswith("["):
            inside = False
        elif inside and (found := _URL_LINE.match(line)):
            return found.group("url")
    return None


def _host_of_api(url: str) -> str | None:
    return urlsplit(url).hostname


def detect_repository(
    settings: IssuesSettings, root: str | None, *, remote: str | None = None, run_git: bool = True
) -> Repository | None:
    """The repository issues come from: the configuration first, then the git remote.

    ``remote`` (a URL) replaces asking git, for tests and callers that already know it;
    ``run_git=False`` reads ``.git/config`` instead of running git (an untrusted workspace).
    None when the provider is json or none, or when nothing names a repository.
    """
    if settings.provider in ("none", "json"):
        return None
    detected = parse_remote(remote) if remote is not None else None
    if remote is None and (settings.repo is None or settings.provider == "auto"):
        found = remote_url(root) if run_git else remote_from_git_config(root)
        detected = parse_remote(found) if found else None
    if settings.repo is not None:
        owner, name = settings.owner_name  # type: ignore[misc]
        kind = settings.provider if settings.provider != "auto" else (detected.kind if detected else None)
        if settings.url:
            host = _host_of_api(settings.url)
            host = "github.com" if host == "api.github.com" else host
        elif detected is not None and (kind is None or kind == detected.kind):
            host = detected.host
        else:
            host = None
        if host is None:
            host = {"gitlab": "gitlab.com", "gitea": "codeberg.org"}.get(kind or "github", "github.com")
        if kind is None:
            kind = kind_for_host(host)
        repository = Repository(kind=kind, owner=owner, name=name, host=host)
    elif detected is not None:
        kind = detected.kind if settings.provider == "auto" else settings.provider
        repository = Repository(kind=kind, owner=detected.owner, name=detected.name, host=detected.host)
    else:
        return None
    if settings.url:
        repository = Repository(repository.kind, repository.owner, repository.name, repository.host, settings.url)
    return repository
