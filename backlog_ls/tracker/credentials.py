"""Where a tracker token may go: the policy, as pure functions (no environment is read here).

A cloned repository is someone else's text. Its ``.backlog-ls.toml`` may point the tracker
anywhere, but it never decides which secret is sent, or to which host:

- ``token-env`` and ``trusted-hosts`` count only from sources the user controls (the user
  configuration file, the editor's user-level settings, command-line flags); a workspace file's
  are ignored (``config.py`` drops them and says so).
- A token goes only to a host that is a well-known public host of its provider, or one the
  user named: ``trusted-hosts``, the host of ``[issues] url`` (or of a ``[[issues.sources]]`` url)
  from a trusted source, or the
  host variables of the providers' own CLIs (``GH_HOST``, ``GITLAB_HOST``).
- Never over plain http, except to this machine (loopback).
- In a workspace the editor does not trust, no token at all (and no network: see
  ``providers/trackers/service.py``).

``token_refusal`` answers why a token must not be sent (a sentence for the log and the status
bar, naming the host and never the token), or None when it may be.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Mapping
from urllib.parse import urlsplit

# The providers' public instances: a token meant for one of these goes only there.
# Jira Cloud has none on purpose. Its sites are *.atlassian.net, but anyone can open a site
# there, and an Atlassian API token works on every site its account can reach: a workspace
# naming https://someone-else.atlassian.net would have the user's email and token authenticate
# (and "Create issue" post task text) to a site the workspace's author runs. So a Jira site gets
# the token only when the user named it (trusted-hosts, or [issues] url in their own configuration).
# Linear is one service at one address: api.linear.app is its public host.
PUBLIC_HOSTS: Mapping[str, frozenset[str]] = {
    "github": frozenset({"github.com", "api.github.com"}),
    "gitlab": frozenset({"gitlab.com"}),
    "gitea": frozenset({"codeberg.org", "gitea.com"}),
    "jira": frozenset(),
    "linear": frozenset({"api.linear.app"}),
}
# The variables the providers' own command-line tools read to name the user's host (gh, glab).
HOST_VARIABLES = ("GH_HOST", "GITLAB_HOST")
UNTRUSTED_WORKSPACE = "the workspace is not trusted: no credentials and no network until you trust it"


def host_of(value: str) -> str | None:
    """The lower-case host of a URL or of a bare host name (``host:port`` too); None if there is none."""
    value = value.strip()
    if not value:
        return None
    try:
        return str(ipaddress.ip_address(value.strip("[]")))  # a bare address, IPv6 too
    except ValueError:
        pass
    try:
        host = urlsplit(value if "://" in value else f"//{value}").hostname
    except ValueError:
        return None
    return host.lower().rstrip(".") if host else None


def is_loopback(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def named_hosts(trusted_hosts: Iterable[str], environ: Mapping[str, str]) -> frozenset[str]:
    """The hosts the user named: ``trusted-hosts`` (from trusted sources) plus GH_HOST and GITLAB_HOST."""
    hosts = {host_of(host) for host in trusted_hosts}
    hosts |= {host_of(environ.get(name) or "") for name in HOST_VARIABLES}
    return frozenset(host for host in hosts if host)


def token_refusal(kind: str, api_url: str, hosts: Iterable[str], *, workspace_trusted: bool = True) -> str | None:
    """Why no token of provider ``kind`` may be sent to ``api_url``; None when it may."""
    if not workspace_trusted:
        return UNTRUSTED_WORKSPACE
    parts = urlsplit(api_url)
    host = (parts.hostname or "").lower().rstrip(".")
    if not host:
        return f"no token for {api_url!r}: it names no host"
    if parts.scheme.lower() != "https" and not is_loopback(host):
        return f"no token for {host}: the API address is not https"
    if host in PUBLIC_HOSTS.get(kind, frozenset()) or host in set(hosts):
        return None
    return (
        f"no token for {host}: you have not named this host; add it to trusted-hosts in [issues] "
        "of your user configuration, or set [issues] url there, if it is yours"
    )
