"""Finding and reading the configuration file that applies to a path.

From the file's folder (or the working directory) upwards, stopping at the git
root or the file system root, the first folder that configures backlog-ls wins:
its ``.backlog-ls.toml``, or else its ``pyproject.toml`` when that has a
``[tool.backlog-ls]`` table. A pyproject.toml without the table is passed over,
as ruff passes over one without ``[tool.ruff]``. So the nearest configuration
applies, and a ``.backlog-ls.toml`` beats a pyproject.toml beside it.

Beneath it lies the user configuration file, ``backlog-ls/config.toml`` in the user config
folder (``platformdirs.user_config_dir``: ``~/.config`` on Linux, moved by ``XDG_CONFIG_HOME``),
with the same schema. It is the user's own and so trusted: only there (and in user-level editor
settings and command-line flags) may ``[issues] token-env`` and ``trusted-hosts`` be set. A
workspace file is someone else's text until proven otherwise (``config.py``).

Paths a workspace file names (``[issues] file``, ``[rfc] dirs``) must stay in the workspace
(its git root, else the file's folder) and name regular files: a refused one is reported on
its key and not used (``workspace_paths.py``). Configuration files are read up to 1 MiB.

Reading never raises: a file that cannot be read or decoded becomes a
``ConfigError`` and the defaults apply. ``config.from_toml`` does the rest and
reports each bad key while keeping the good ones.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable

import attrs
import platformdirs

from ..config import ConfigError, Settings, from_toml, line_of
from .workspace_paths import MAX_CONFIG_BYTES, RefusedPath, read_regular_file, refusal, workspace_of

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

CONFIG_FILE = ".backlog-ls.toml"
PYPROJECT = "pyproject.toml"
PYPROJECT_TABLE = "backlog-ls"  # [tool.backlog-ls]
FILE_KEY = "(file)"  # the ConfigError key of problems with the file as a whole
APP_NAME = "backlog-ls"
USER_CONFIG_FILE = "config.toml"


def user_config_path() -> str:
    """Where the user configuration file is (whether or not it exists)."""
    return os.path.join(platformdirs.user_config_dir(APP_NAME, appauthor=False), USER_CONFIG_FILE)


@attrs.frozen
class Found:
    """Where the search ended: the configuration file (None: none found) and the project root.

    ``root`` is the folder ``include`` / ``exclude`` globs are relative to: the
    configuration file's folder, else the git root, else None (no project known).
    """

    path: str | None
    root: str | None
    pyproject: bool = False


@attrs.frozen(eq=False)  # compared by identity: one per file read
class LoadedConfig:
    settings: Settings
    errors: tuple[ConfigError, ...]
    path: str | None  # the file read; None when the defaults apply
    root: str | None

    @property
    def workspace(self) -> str | None:
        """The folder paths from this configuration must stay in: the git root above ``root``, else ``root``."""
        return workspace_of(self.root) if self.root else None


def display_path(path: str) -> str:
    """``path`` relative to the working directory when it lies below it, else absolute."""
    absolute = os.path.abspath(path)
    try:
        relative = os.path.relpath(absolute)
    except ValueError:  # another drive on Windows
        return absolute
    return absolute if relative == os.pardir or relative.startswith(os.pardir + os.sep) else relative


def _is_git_root(folder: str) -> bool:
    return os.path.exists(os.path.join(folder, ".git"))  # a folder, or a file in worktrees and submodules


def _has_tool_table(path: str) -> bool:
    """True when ``path`` is a pyproject.toml with [tool.backlog-ls] (or too broken to tell, but naming it)."""
    try:
        data = read_regular_file(path, MAX_CONFIG_BYTES)
    except (OSError, ValueError, RefusedPath):
        return False
    text = data.decode("utf-8", "replace")
    if PYPROJECT_TABLE not in text:
        return False  # the cheap answer for the many pyproject.toml files of other tools
    try:
        document = tomllib.loads(text.lstrip("\ufeff"))
    except tomllib.TOMLDecodeError:
        return True  # it mentions us: reading it will report the syntax error
    tool = document.get("tool")
    return isinstance(tool, dict) and PYPROJECT_TABLE in tool


def find_config(start: str | None = None) -> Found:
    """Search from the folder ``start`` (default: the working directory) upwards."""
    folder = os.path.abspath(start or os.getcwd())
    while True:
        candidate = os.path.join(folder, CONFIG_FILE)
        if os.path.isfile(candidate):
            return Found(candidate, folder)
        candidate = os.path.join(folder, PYPROJECT)
        if os.path.isfile(candidate) and _has_tool_table(candidate):
            return Found(candidate, folder, pyproject=True)
        if _is_git_root(folder):
            return Found(None, folder)
        parent = os.path.dirname(folder)
        if parent == folder:
            return Found(None, None)
        folder = parent


def read_config(
    path: str,
    *,
    pyproject: bool | None = None,
    source: str | None = None,
    into: Settings | None = None,
    trusted: bool = False,
) -> tuple[Settings, list[ConfigError]]:
    """Settings from one file over ``into``; ``pyproject`` defaults to "is it named pyproject.toml".

    ``trusted`` only for the user's own file (``read_user_config``): see ``config.py``.
    """
    source = source or display_path(path)
    base = into or Settings()
    if pyproject is None:
        pyproject = os.path.basename(path) == PYPROJECT
    try:
        data = read_regular_file(path, MAX_CONFIG_BYTES)
    except RefusedPath as refused:
        return base, [ConfigError(source, FILE_KEY, f"not read: {refused}")]
    except (OSError, ValueError) as error:
        reason = getattr(error, "strerror", None) or str(error)
        return base, [ConfigError(source, FILE_KEY, f"cannot be read: {reason[:1].lower()}{reason[1:]}")]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        message = f"not UTF-8 (invalid byte 0x{data[error.start]:02x} at offset {error.start})"
        return base, [ConfigError(source, FILE_KEY, message)]
    text = text.removeprefix("\ufeff")
    settings, errors = from_toml(
        text, source, pyproject=pyproject, into=base, trusted=trusted, user_config=user_config_path()
    )
    if not trusted:
        settings, refused = confine_paths(settings, os.path.dirname(os.path.abspath(path)), source, text)
        errors.extend(refused)
    return settings, errors


def read_user_config(path: str | None = None) -> LoadedConfig:
    """The user configuration file (trusted); the defaults when there is none."""
    path = path or user_config_path()
    if not os.path.isfile(path):
        return LoadedConfig(Settings(), (), None, None)
    settings, errors = read_config(path, pyproject=False, source=path, trusted=True)
    return LoadedConfig(settings, tuple(errors), path, os.path.dirname(path))


def confine_paths(settings: Settings, root: str, source: str, text: str | None = None) -> tuple[Settings, list[ConfigError]]:
    """Drop the paths of ``[issues] file`` and ``[rfc] dirs`` that leave the workspace or name no regular
    file (folder), with an error on the key; the issues file refused leaves no issue source (provider none)."""
    workspace = workspace_of(root)
    errors: list[ConfigError] = []
    issues, rfc = settings.issues, settings.rfc
    file = issues.get("file")
    if isinstance(file, str) and file.strip():
        reason = refusal(os.path.join(root, file.strip()), workspace)
        if reason is not None:
            errors.append(ConfigError(source, "issues.file", f"{reason}: the issues file is not read", line_of(text, "issues.file")))
            issues = {key: value for key, value in issues.items() if key != "file"} | {"provider": "none"}
    dirs = rfc.get("dirs")
    if isinstance(dirs, (list, tuple)) and all(isinstance(folder, str) for folder in dirs):
        kept = []
        for folder in dirs:
            reason = refusal(os.path.join(root, folder), workspace, kind="folder")
            if reason is None:
                kept.append(folder)
            else:
                errors.append(ConfigError(source, "rfc.dirs", f"{reason}: that RFC folder is not read", line_of(text, "rfc.dirs")))
        if len(kept) != len(dirs):
            rfc = {**rfc, "dirs": kept}
    if not errors:
        return settings, errors
    return attrs.evolve(settings, issues=issues, rfc=rfc), errors


def load_config(path: str | None = None, *, config: str | None = None) -> tuple[Settings, list[ConfigError], str | None]:
    """The settings for a file or folder ``path`` (default: the working directory).

    ``config`` names the file to read and skips the search (``--config``).
    Returns (settings, errors, the configuration file read or None).
    """
    user = read_user_config()
    if config is not None:
        settings, errors = read_config(config, into=user.settings)
        return settings, errors, config
    start = path or os.getcwd()
    if not os.path.isdir(start):
        start = os.path.dirname(os.path.abspath(start))
    found = find_config(start)
    if found.path is None:
        return user.settings, [], None
    settings, errors = read_config(found.path, pyproject=found.pyproject, into=user.settings)
    return settings, errors, found.path


class ConfigLoader:
    """Configurations for many files, each file read once however many files it governs.

    ``on_load`` is called once per configuration file read, for instance to print its errors;
    the user configuration file (``user``, read first; every workspace file layers over it)
    is reported with the first file that uses it.
    """

    def __init__(
        self,
        explicit: str | None = None,
        on_load: Callable[[LoadedConfig], None] | None = None,
        *,
        user: LoadedConfig | None = None,
    ):
        self.explicit = explicit
        self.on_load = on_load
        self.user = user if user is not None else read_user_config()
        self._user_reported = False
        self._by_folder: dict[str, Found] = {}
        self._by_file: dict[str | None, LoadedConfig] = {}
        # Where no file configures a folder: one LoadedConfig per project root, so that a file's
        # settings are the same object from one request to the next (they key per-snapshot caches).
        self._unconfigured: dict[str | None, LoadedConfig] = {}
        # path -> its configuration: every request of an open document asks, and the folder a path
        # names is found once (a stat) rather than per request.
        self._by_path: dict[str, LoadedConfig] = {}

    @property
    def loaded(self) -> tuple[LoadedConfig, ...]:
        return tuple(self._by_file.values())

    def for_path(self, path: str) -> LoadedConfig:
        """The configuration of a file (searched from its folder) or of a folder."""
        loaded = self._by_path.get(path)
        if loaded is None:
            loaded = self._by_path[path] = self._for_path(path)
        return loaded

    def _for_path(self, path: str) -> LoadedConfig:
        if self.explicit is not None:
            found = Found(self.explicit, os.path.dirname(os.path.abspath(self.explicit)))
        else:
            absolute = os.path.abspath(path)
            folder = absolute if os.path.isdir(absolute) else os.path.dirname(absolute)
            found = self._found(folder)
        loaded = self._by_file.get(found.path) if found.path is not None else None
        if loaded is None:
            loaded = self._load(found)
        return loaded

    def _found(self, folder: str) -> Found:
        found = self._by_folder.get(folder)
        if found is None:
            found = self._by_folder[folder] = find_config(folder)
        return found

    def _load(self, found: Found) -> LoadedConfig:
        if not self._user_reported:
            self._user_reported = True
            if self.user.errors and self.on_load is not None:
                self.on_load(self.user)
        if found.path is None:
            loaded = self._unconfigured.get(found.root)
            if loaded is None:
                loaded = self._unconfigured[found.root] = LoadedConfig(self.user.settings, (), None, found.root)
            return loaded
        settings, errors = read_config(
            found.path, pyproject=found.pyproject if self.explicit is None else None, into=self.user.settings
        )
        loaded = self._by_file[found.path] = LoadedConfig(settings, tuple(errors), found.path, found.root)
        if self.on_load is not None:
            self.on_load(loaded)
        return loaded


def config_file_lines(path: str) -> list[str]:
    """A configuration file's lines, to place its problems on them; [""] when it cannot be read."""
    try:
        return read_regular_file(path, MAX_CONFIG_BYTES).decode("utf-8", "replace").split("\n")
    except (OSError, ValueError, RefusedPath):
        return [""]
