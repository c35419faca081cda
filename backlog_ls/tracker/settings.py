"""The ``[issues]`` table: which tracker to read, and how often.

Pure: ``Settings.issues`` (a raw dict with kebab-case keys) in, ``IssuesSettings``
plus ``ConfigError``s out. A bad value is reported, naming the key, and its default
applies; the other keys still apply.

```toml
[issues]
provider = "auto"          # auto | github | gitlab | gitea | jira | linear | json | none (auto + file = json)
repo = "owner/name"        # default: from `git remote get-url origin` (alias: repository)
url = "https://git.example.com/api/v3"   # API base (Enterprise, self-hosted)
file = "issues.json"       # the json provider: a file relative to the configuration root
token-env = "MY_TOKEN"     # read the token from this environment variable (user configuration only)
trusted-hosts = ["git.example.com"]   # hosts a token may go to besides the public ones (user configuration only)
refresh = "10m"            # 30s, 10m, 1h, 1d; a bare number is seconds
timeout = "30s"            # the most one request may take, its whole answer included
insert-format = "(Issue #{number})"   # used by completion
projects = ["ABC", "OPS"]  # jira: the project keys (linear: the team keys; alias: teams)
deployment = "cloud"       # jira: cloud (REST v3) | server (Server / Data Center, REST v2); default: cloud on *.atlassian.net
issue-type = "Task"        # jira: the type of an issue "Create issue from task" files
```

Only keys of the configured ``projects`` are issues: ``ABC-12`` is, ``UTF-8`` and ``SHA-1`` never are.

More than one tracker (GitHub for ``#12``, Jira for ``ABC-12``): one ``[[issues.sources]]`` table each,
with the keys above (``provider``, ``repo``, ``url``, ``projects``...); ``refresh``, ``timeout``,
``trusted-hosts`` and ``insert-format`` of ``[issues]`` apply to all. The ``[issues]`` table is a
source itself only when it names a ``provider``. A source may not set ``token-env`` or
``trusted-hosts`` (they say where secrets go: ``[issues]`` of the user configuration does). A source's
``url`` in the user configuration names its host, as ``[issues] url`` there does: a Jira site
(``*.atlassian.net`` is no public host) gets its token without ``trusted-hosts``.

```toml
[[issues.sources]]
provider = "github"
repo = "acme/app"

[[issues.sources]]
provider = "jira"
url = "https://acme.atlassian.net"
projects = ["ABC"]
```

``token-env`` and ``trusted-hosts`` count only in the user's own configuration (the user file,
user-level editor settings, command-line flags): ``config.py`` drops them from workspace files.
``from_settings`` adds the hosts trusted layers named (``Settings.named_hosts``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import attrs

from ..config import ConfigError, Settings
from .credentials import host_of

PROVIDERS = ("auto", "github", "gitlab", "gitea", "jira", "linear", "json", "none")
KEYED_PROVIDERS = ("jira", "linear")  # issues are written ABC-123, for configured projects only
DEPLOYMENTS = ("cloud", "server")
DEFAULT_ISSUE_TYPE = "Task"
DEFAULT_REFRESH_SECONDS = 600.0
MIN_REFRESH_SECONDS = 10.0
DEFAULT_TIMEOUT_SECONDS = 30.0
MIN_TIMEOUT_SECONDS = 1.0
KNOWN_KEYS = (
    "provider", "repo", "url", "file", "token-env", "trusted-hosts", "refresh", "timeout", "insert-format",
    "projects", "deployment", "issue-type", "sources",
)
SHARED_KEYS = ("refresh", "timeout", "trusted-hosts", "insert-format")  # [issues] keys every source takes
_NOT_IN_A_SOURCE = ("token-env", "trusted-hosts", "sources")

_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(s|sec|secs|seconds?|m|min|mins|minutes?|h|hours?|d|days?)?\s*$", re.IGNORECASE)
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
_REPO = re.compile(r"^[A-Za-z0-9_.-]+(?:/[A-Za-z0-9_.-]+)+$")
_ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_PROJECT_KEY = re.compile(r"^[A-Z][A-Z0-9_]{0,9}$")


@attrs.frozen
class IssuesSettings:
    provider: str = "auto"
    repo: str | None = None  # "owner/name" (GitLab: "group/subgroup/name")
    url: str | None = None  # API base, e.g. https://github.example.com/api/v3
    file: str | None = None  # json provider: path relative to the configuration root
    token_env: str | None = None
    refresh: float = DEFAULT_REFRESH_SECONDS  # seconds between background refreshes
    insert_format: str | None = None  # carried for completion
    timeout: float = DEFAULT_TIMEOUT_SECONDS  # seconds one tracker request may take, body included
    trusted_hosts: tuple[str, ...] = ()  # hosts the user named: a token may go there (credentials.py)
    projects: tuple[str, ...] = ()  # jira project keys, linear team keys
    deployment: str | None = None  # jira: cloud | server; None: cloud on *.atlassian.net, else server
    issue_type: str = DEFAULT_ISSUE_TYPE  # jira: what "Create issue from task" files
    sources: tuple[IssuesSettings, ...] = ()  # [[issues.sources]], each with the shared keys filled in
    # The table said which provider, so it is a source beside its sources (not part of what it equals).
    names_provider: bool = attrs.field(default=False, eq=False)

    @property
    def all_sources(self) -> tuple[IssuesSettings, ...]:
        """Every tracker to read: the table itself (unless it only holds ``sources``), then its sources."""
        if not self.sources:
            return (self,)
        return ((self,) if self.names_provider else ()) + self.sources

    @property
    def keyed(self) -> bool:
        """Issues are written ``ABC-123`` (Jira, Linear)."""
        return self.provider in KEYED_PROVIDERS

    @property
    def owner_name(self) -> tuple[str, str] | None:
        if not self.repo:
            return None
        owner, _, name = self.repo.rpartition("/")
        return owner, name

    @classmethod
    def from_raw(cls, raw: Mapping[str, Any] | None, source: str = "configuration") -> tuple[IssuesSettings, list[ConfigError]]:
        return issues_settings(raw, source)


def parse_duration(value: Any, minimum: float = MIN_REFRESH_SECONDS) -> float:
    """Seconds from ``30s``, ``10m``, ``1h``, ``1d`` or a number of seconds; ValueError otherwise."""
    if isinstance(value, bool):
        raise ValueError("must be a duration such as 30s, 10m or 1h, not true or false")
    if isinstance(value, (int, float)):
        seconds = float(value)
    elif isinstance(value, str):
        match = _DURATION.match(value)
        if match is None:
            raise ValueError(f"must be a duration such as 30s, 10m or 1h, not {value!r}")
        unit = (match.group(2) or "s")[0].lower()
        seconds = float(match.group(1)) * _UNIT_SECONDS[unit]
    else:
        raise ValueError(f"must be a duration such as 30s, 10m or 1h, not {type(value).__name__}")
    if seconds < minimum:
        raise ValueError(f"must be at least {minimum:g}s, not {value!r}")
    return seconds


def issues_settings(raw: Mapping[str, Any] | None, source: str = "configuration") -> tuple[IssuesSettings, list[ConfigError]]:
    """Structure the raw ``[issues]`` table; every problem names its key (``issues.provider``)."""
    errors: list[ConfigError] = []
    values: dict[str, Any] = {}

    def error(key: str, message: str) -> None:
        errors.append(ConfigError(source, f"issues.{key}", message))

    def string(key: str, value: Any) -> str | None:
        if not isinstance(value, str):
            error(key, f"must be a string, not {_type_name(value)}")
            return None
        return value.strip()

    for raw_key, value in (raw or {}).items():
        key = re.sub(r"(?<=[a-z0-9])([A-Z])", lambda m: "-" + m.group(1).lower(), str(raw_key)).replace("_", "-")
        if key == "repository":  # an alias some early configurations use
            key = "repo"
        if key == "teams":  # Linear's word for them
            key = "projects"
        if key not in KNOWN_KEYS:
            error(key, f"unknown key; known keys: {', '.join(KNOWN_KEYS)}")
            continue
        if key == "trusted-hosts":
            if isinstance(value, (list, tuple)) and all(isinstance(item, str) for item in value):
                values["trusted_hosts"] = tuple(found for item in value if (found := host_of(item)))
            else:
                error(key, f"must be a list of host names, not {_type_name(value)}")
            continue
        if key == "sources":
            values["sources"] = _sources(value, source, errors)
            continue
        if key == "projects":
            if isinstance(value, str):
                value = [value]
            if not isinstance(value, (list, tuple)) or not all(isinstance(item, str) for item in value):
                error(key, f'must be a list of project keys such as ["ABC"], not {_type_name(value)}')
                continue
            wrong = [item for item in value if not _PROJECT_KEY.match(item.strip())]
            if wrong:
                error(key, f"{wrong[0]!r} is not a project key (upper-case letters and digits, starting with a letter, as in ABC-123)")
            values["projects"] = tuple(dict.fromkeys(item.strip() for item in value if _PROJECT_KEY.match(item.strip())))
            continue
        if key in ("refresh", "timeout"):
            try:
                values[key] = parse_duration(value, MIN_REFRESH_SECONDS if key == "refresh" else MIN_TIMEOUT_SECONDS)
            except ValueError as problem:
                error(key, str(problem))
            continue
        text = string(key, value)
        if text is None:
            continue
        if key == "provider":
            if text.lower() not in PROVIDERS:
                error(key, f"must be one of {', '.join(PROVIDERS)}, not {value!r}")
            else:
                values["provider"] = text.lower()
                values["names_provider"] = True
        elif key == "repo":
            text = text.strip("/")
            text = text.removesuffix(".git")
            if not _REPO.match(text):
                error(key, f"must be owner/name, not {value!r}")
            else:
                values["repo"] = text
        elif key == "url":
            if not re.match(r"^https?://[^/\s]+", text):
                error(key, f"must be an http(s) URL such as https://git.example.com/api/v3, not {value!r}")
            else:
                values["url"] = text.rstrip("/")
        elif key == "file":
            if not text:
                error(key, "must not be empty")
            else:
                values["file"] = text
        elif key == "token-env":
            if not _ENV_NAME.match(text):
                error(key, f"must be the name of an environment variable, not {value!r}")
            else:
                values["token_env"] = text
        elif key == "deployment":
            flavour = {"data-center": "server", "datacenter": "server", "dc": "server"}.get(text.lower(), text.lower())
            if flavour not in DEPLOYMENTS:
                error(key, f"must be cloud or server (Server and Data Center), not {value!r}")
            else:
                values["deployment"] = flavour
        elif key == "issue-type":
            if not text:
                error(key, "must not be empty")
            else:
                values["issue_type"] = text
        elif key == "insert-format":
            values["insert_format"] = value  # verbatim: spaces may matter
    if values.get("file") and "provider" not in values:
        values["provider"] = "json"  # a file and no provider: the file is the source
    settings = IssuesSettings(**values)
    if settings.provider == "json" and settings.file is None:
        error("file", 'the json provider needs a file (file = "issues.json")')
    if settings.keyed and not settings.projects:
        noun = "team keys" if settings.provider == "linear" else "project keys"
        error("projects", f'the {settings.provider} provider needs its {noun} (projects = ["ABC"]): only their keys are issues')
    if settings.provider == "jira" and settings.url is None:
        error("url", 'the jira provider needs the site (url = "https://your-site.atlassian.net")')
    return settings, errors


def _sources(value: Any, source: str, errors: list[ConfigError]) -> tuple[IssuesSettings, ...]:
    """``[[issues.sources]]``: each table structured like ``[issues]``, its problems named ``issues.sources[N].key``."""
    if not isinstance(value, (list, tuple)) or not all(isinstance(item, Mapping) for item in value):
        errors.append(ConfigError(source, "issues.sources", f"must be a list of tables ([[issues.sources]]), not {_type_name(value)}"))
        return ()
    found = []
    for number, table in enumerate(value, start=1):
        where = f"sources[{number}]"
        kept = {}
        for key, item in table.items():
            if str(key).replace("_", "-") in _NOT_IN_A_SOURCE or key in ("tokenEnv", "trustedHosts"):
                errors.append(ConfigError(source, f"issues.{where}.{key}", "not in a source: set it in [issues] of your user configuration"))
            else:
                kept[key] = item
        settings, problems = issues_settings(kept, source)
        errors.extend(attrs.evolve(problem, key=problem.key.replace("issues.", f"issues.{where}.", 1)) for problem in problems)
        if "provider" not in kept:
            errors.append(ConfigError(source, f"issues.{where}.provider", "a source names its provider (github, gitlab, gitea, jira, linear, json)"))
            continue
        found.append(settings)
    return tuple(found)


def _with_shared(issues: IssuesSettings) -> IssuesSettings:
    """Each source takes [issues]' refresh, timeout, trusted hosts and insert format."""
    if not issues.sources:
        return issues
    shared = {"refresh": issues.refresh, "timeout": issues.timeout, "trusted_hosts": issues.trusted_hosts, "insert_format": issues.insert_format}
    return attrs.evolve(issues, sources=tuple(attrs.evolve(one, **shared) for one in issues.sources))


def from_settings(settings: Settings, source: str = "configuration") -> tuple[IssuesSettings, list[ConfigError]]:
    """The ``[issues]`` table of layered ``Settings``, with the hosts its trusted layers named."""
    issues, errors = issues_settings(settings.issues, source)
    hosts = tuple(dict.fromkeys((*issues.trusted_hosts, *settings.named_hosts)))
    return _with_shared(attrs.evolve(issues, trusted_hosts=hosts)), errors


def configured_projects(raw: Mapping[str, Any] | None) -> frozenset[str]:
    """The Jira project / Linear team keys a raw ``[issues]`` table configures, its sources' too.

    Cheap and lenient, for rules that run on every keystroke: a malformed value configures nothing
    (``issues_settings`` reports it).
    """
    found: set[str] = set()
    for table in (raw or {}, *_source_tables(raw)):
        if str(table.get("provider", "")).strip().lower() not in KEYED_PROVIDERS:
            continue
        projects = table.get("projects", table.get("teams", ()))
        projects = [projects] if isinstance(projects, str) else projects if isinstance(projects, (list, tuple)) else ()
        found.update(item.strip() for item in projects if isinstance(item, str) and _PROJECT_KEY.match(item.strip()))
    return frozenset(found)


def _source_tables(raw: Mapping[str, Any] | None) -> list[Mapping[str, Any]]:
    sources = (raw or {}).get("sources")
    return [table for table in sources if isinstance(table, Mapping)] if isinstance(sources, (list, tuple)) else []


def _type_name(value: Any) -> str:
    return {str: "a string", int: "a number", float: "a number", bool: "true or false", list: "a list", dict: "a table"}.get(
        type(value), type(value).__name__
    )
