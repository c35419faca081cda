"""Which tracker answers which reference, decided from the settings alone. Pure.

``#12`` goes to the one numbered source (GitHub, GitLab, Gitea or an exported file); ``ABC-12`` to
the Jira project or Linear team ``ABC`` (one ``Repository`` each, ``keyed_repositories``).
``source_plan`` says which source answers what, and what in the settings it had to ignore;
``providers/trackers/sources.py`` builds the services it names (that part reads caches and git).
"""

from __future__ import annotations

from . import Repository
from .credentials import host_of
from .settings import IssuesSettings

LINEAR_API = "https://api.linear.app/graphql"  # Linear is one service at one address


def jira_flavour(configured: str | None, host: str) -> str:
    """``cloud`` or ``server``: as configured, else cloud on Atlassian's hosts."""
    if configured:
        return configured
    return "cloud" if host.lower().endswith((".atlassian.net", ".jira.com")) else "server"


def keyed_repositories(settings: IssuesSettings) -> list[Repository]:
    """One ``Repository`` per configured Jira project or Linear team (empty for other providers)."""
    if settings.provider == "jira" and settings.url:
        host = host_of(settings.url) or ""
        flavour = jira_flavour(settings.deployment, host)
        return [Repository("jira", host, project, host, settings.url, flavour) for project in settings.projects]
    if settings.provider == "linear":
        url = settings.url or LINEAR_API
        host = host_of(url) or "api.linear.app"
        return [Repository("linear", "linear", team, host, url) for team in settings.projects]
    return []


def source_plan(settings: IssuesSettings) -> tuple[IssuesSettings | None, list[tuple[IssuesSettings, Repository]], list[str]]:
    """Which tracker answers what: the numbered source (``#12``), each project's source, and the problems.

    One source of numbers at most (the first); a project key claimed twice keeps its first source.
    """
    numbered: IssuesSettings | None = None
    keyed: list[tuple[IssuesSettings, Repository]] = []
    problems: list[str] = []
    claimed: set[str] = set()
    for one in settings.all_sources:
        if one.provider == "none":
            continue
        if not one.keyed:
            if numbered is None:
                numbered = one
            else:
                problems.append(f"issues.sources: only one source answers #12 references; the {one.provider} source is ignored")
            continue
        for repository in keyed_repositories(one):
            if repository.name in claimed:
                problems.append(f"issues.sources: project {repository.name} is configured twice; the first source keeps it")
                continue
            claimed.add(repository.name)
            keyed.append((one, repository))
    return numbered, keyed, problems


def is_composite(settings: IssuesSettings) -> bool:
    """Whether ``settings`` needs several services behind one source (keys, or several sources) rather than one."""
    return settings.keyed or bool(settings.sources)
