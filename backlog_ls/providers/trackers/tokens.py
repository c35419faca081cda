"""Where a tracker token comes from: the environment, or the GitHub CLI. Never a file in the workspace.

First, whether a token may go to the repository's API at all (``tracker/credentials.py``: a public
host of the provider or a host the user named, https unless loopback, a trusted workspace); a
refusal is logged once (host and reason, never a token) and no token is looked up, so gh is not
even asked. Then, in order:

1. the variable named by ``[issues] token-env`` (when set, it is the only place looked at);
2. github.com: ``GITHUB_TOKEN``, ``GH_TOKEN``; a GitHub Enterprise host: ``GH_ENTERPRISE_TOKEN``,
   ``GITHUB_ENTERPRISE_TOKEN`` (a github.com token is never sent to another host);
   then ``gh auth token --hostname HOST`` when gh is installed (3 s timeout);
3. GitLab: ``GITLAB_TOKEN``; Gitea, Forgejo, Codeberg: ``GITEA_TOKEN``;
4. Jira Cloud: ``JIRA_EMAIL`` and ``JIRA_API_TOKEN`` (basic auth; ``token-env`` replaces the
   second); Jira Server / Data Center: ``JIRA_PAT`` (Bearer); Linear: ``LINEAR_API_KEY``.

A ``Token`` prints as ``Token(from GITHUB_TOKEN)``: its value is in no repr, message or log.
Asking gh runs a process: call ``resolve_token`` off the event loop.
"""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
import threading
from collections.abc import Mapping

from ...tracker import Repository
from ...tracker.credentials import named_hosts, token_refusal

log = logging.getLogger(__name__)

_refusals_logged: set[str] = set()
_refusals_lock = threading.Lock()

GH_TIMEOUT_SECONDS = 3.0


class Token:
    """A secret and where it came from. ``str()``/``repr()`` show only the source."""

    __slots__ = ("_value", "source")

    def __init__(self, value: str, source: str):
        self._value = value
        self.source = source

    @property
    def value(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return f"Token(from {self.source})"

    __str__ = __repr__

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Token) and other._value == self._value and other.source == self.source

    def __hash__(self) -> int:
        return hash(self.source)


def variables_for(repository: Repository) -> tuple[str, ...]:
    if repository.kind == "github":
        if repository.host.lower() in ("github.com", "api.github.com"):
            return ("GITHUB_TOKEN", "GH_TOKEN")
        return ("GH_ENTERPRISE_TOKEN", "GITHUB_ENTERPRISE_TOKEN")
    if repository.kind == "gitlab":
        return ("GITLAB_TOKEN",)
    if repository.kind == "gitea":
        return ("GITEA_TOKEN",)
    if repository.kind == "jira":
        return ("JIRA_API_TOKEN",) if repository.flavour == "cloud" else ("JIRA_PAT",)
    if repository.kind == "linear":
        return ("LINEAR_API_KEY",)
    return ()


JIRA_EMAIL = "JIRA_EMAIL"


def _jira_cloud_token(secret: Token | None, environ: Mapping[str, str]) -> Token | None:
    """Jira Cloud's basic auth is the account email and an API token: both, or no token."""
    email = (environ.get(JIRA_EMAIL) or "").strip()
    if secret is None or not email:
        return None
    return Token(f"{email}:{secret.value}", f"{JIRA_EMAIL} and {secret.source}")


def where_to_put_one(repository: Repository, token_env: str | None = None) -> str:
    """For a status message: where a token would have been found."""
    if repository.kind == "jira" and repository.flavour == "cloud":
        return f"set {JIRA_EMAIL} and {token_env or 'JIRA_API_TOKEN'}"
    if token_env:
        return f"set {token_env}"
    names = " or ".join(variables_for(repository))
    if repository.kind == "github":
        return f"set {names}, or run `gh auth login`" if names else "run `gh auth login`"
    return f"set {names}" if names else "configure [issues] token-env"


def gh_token(host: str, timeout: float = GH_TIMEOUT_SECONDS, gh: str | None = None) -> str | None:
    """``gh auth token --hostname HOST``; None when gh is missing, logged out or slow."""
    gh = gh or shutil.which("gh")
    if gh is None:
        return None
    try:
        result = subprocess.run(
            [gh, "auth", "token", "--hostname", host],
            capture_output=True,
            text=True,
            timeout=timeout,
            stdin=subprocess.DEVNULL,
            check=False,
        )
    except (OSError, subprocess.SubprocessError) as problem:
        log.info("`gh auth token` did not answer: %s", type(problem).__name__)
        return None
    if result.returncode != 0:
        return None
    value = result.stdout.strip()
    return value or None


def api_url_of(repository: Repository) -> str:
    """The API base a provider for ``repository`` talks to (``[issues] url``, else the host's default)."""
    if repository.api_url:
        return repository.api_url
    from . import make_provider

    try:
        return make_provider(repository).api_url
    except ValueError:  # no HTTP provider for this kind (json): nothing is sent anywhere
        return f"https://{repository.host}"


def refusal_for(
    repository: Repository,
    environ: Mapping[str, str] | None = None,
    *,
    trusted_hosts: tuple[str, ...] = (),
    workspace_trusted: bool = True,
) -> str | None:
    """Why no token may go to ``repository``'s API (logged once per process); None when one may."""
    environ = os.environ if environ is None else environ
    hosts = named_hosts(trusted_hosts, environ)
    reason = token_refusal(repository.kind, api_url_of(repository), hosts, workspace_trusted=workspace_trusted)
    if reason is not None:
        with _refusals_lock:
            first = reason not in _refusals_logged
            _refusals_logged.add(reason)
        if first:
            # A warning where the refusal kept a token the user has from going there; otherwise
            # there was nothing to send, and saying so on every run of a public project is noise.
            withheld = any((environ.get(name) or "").strip() for name in variables_for(repository))
            log.log(logging.WARNING if withheld else logging.INFO, "%s (issues of %s)", reason, repository.slug)
    return reason


def _from_environment(repository: Repository, token_env: str | None, environ: Mapping[str, str]) -> Token | None:
    for name in (token_env,) if token_env else variables_for(repository):
        value = (environ.get(name) or "").strip()
        if value:
            return Token(value, name)
    return None


def resolve_token(
    repository: Repository,
    token_env: str | None = None,
    environ: Mapping[str, str] | None = None,
    *,
    use_gh: bool = True,
    gh: str | None = None,
    trusted_hosts: tuple[str, ...] = (),
    workspace_trusted: bool = True,
) -> Token | None:
    """The token for ``repository``; None when there is none, or when the policy says none may go there."""
    environ = os.environ if environ is None else environ
    if refusal_for(repository, environ, trusted_hosts=trusted_hosts, workspace_trusted=workspace_trusted) is not None:
        return None
    found = _from_environment(repository, token_env, environ)
    if repository.kind == "jira" and repository.flavour == "cloud":
        return _jira_cloud_token(found, environ)
    if found is not None or token_env:
        return found
    if repository.kind == "github" and use_gh:
        value = gh_token(repository.host, gh=gh)
        if value:
            return Token(value, "gh auth token")
    return None
