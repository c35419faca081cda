"""Which files ``backlog-ls check`` reads, and reading them.

This is the CLI's only disk IO besides printing. A path named on the command line
is always checked, whatever its extension (backlogs are often saved as ``.txt``);
a folder contributes every ``*.md`` / ``*.markdown`` file below it that version
control would not ignore. Inside a git work tree git itself answers that question;
elsewhere (or when git is missing or refuses) a walk honours ``.gitignore`` files
with simple fnmatch patterns.
"""

from __future__ import annotations

import fnmatch
import os
import posixpath
import subprocess
from collections.abc import Iterable, Sequence

import attrs

MARKDOWN_SUFFIXES = (".md", ".markdown")

# Skipped by the walk even without a .gitignore: dependency and tool folders are large
# and never hold the project's own backlog. Hidden folders (.git, .venv, .tox) go too.
SKIPPED_FOLDERS = frozenset({"node_modules", "__pycache__"})

# A hung git (a network file system, an fsmonitor hook) must not hang the checker.
_GIT_TIMEOUT_SECONDS = 60


@attrs.frozen
class Discovery:
    """The files to check, in a stable order, and the named paths that do not exist."""

    files: tuple[str, ...]
    missing: tuple[str, ...]


class UnreadableFile(Exception):
    """A file that cannot be checked; ``reason`` is a short lower-case phrase for the user."""

    def __init__(self, path: str, reason: str):
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason


def discover(paths: Sequence[str]) -> Discovery:
    """Expand command line paths into files to check, each once, in the order given.

    Files found in a folder are named by joining the folder as given with their
    path inside it, so output paths are relative to the working directory when
    the arguments were.
    """
    files: list[str] = []
    missing: list[str] = []
    seen: set[str] = set()

    def add(path: str) -> None:
        key = os.path.normcase(os.path.abspath(path))
        if key not in seen:
            seen.add(key)
            files.append(path)

    for path in paths:
        if os.path.isdir(path):
            for relative in markdown_files_in(path):
                add(os.path.normpath(os.path.join(path, relative)))
        elif os.path.lexists(path):
            add(path)  # named explicitly: checked whatever its extension
        else:
            missing.append(path)
    return Discovery(tuple(files), tuple(missing))


def is_markdown(path: str) -> bool:
    return path.lower().endswith(MARKDOWN_SUFFIXES)


def markdown_files_in(folder: str) -> list[str]:
    """Markdown files below ``folder`` that are not ignored, as sorted paths relative to it."""
    listed = _git_listing(folder)
    if listed is None:
        listed = _walk_listing(folder)
    return sorted(
        relative for relative in listed if is_markdown(relative) and os.path.isfile(os.path.join(folder, relative))
    )


# --- git ----------------------------------------------------------------------------------------


def _run_git(folder: str, *arguments: str) -> subprocess.CompletedProcess[bytes] | None:
    """Run git in ``folder``; None when git is missing, hangs or cannot start."""
    try:
        return subprocess.run(
            ["git", "-C", folder, *arguments],
            stdin=subprocess.DEVNULL,
            capture_output=True,
            timeout=_GIT_TIMEOUT_SECONDS,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None


def _git_listing(folder: str) -> list[str] | None:
    """Files git tracks or would track below ``folder``; None when git cannot say.

    A folder that git ignores but the user named explicitly is walked instead,
    as an explicitly named file is checked: naming it is the user's decision.
    """
    ignored = _run_git(folder, "check-ignore", "--quiet", "--no-index", ".")
    if ignored is None:
        return None
    if ignored.returncode == 0:
        return None
    listing = _run_git(folder, "ls-files", "--cached", "--others", "--exclude-standard", "-z")
    if listing is None or listing.returncode != 0:
        return None  # not a work tree, or git refuses it (e.g. "dubious ownership")
    return [os.fsdecode(entry) for entry in listing.stdout.split(b"\0") if entry]


# --- the walk, for folders outside git ----------------------------------------------------------


@attrs.frozen
class IgnorePattern:
    """One line of a ``.gitignore``, matched with fnmatch (so ``*`` also crosses ``/``)."""

    base: str  # folder of the .gitignore, relative to the walk's root, "/"-separated; "" at the root
    glob: str
    negated: bool = False
    folders_only: bool = False  # written with a trailing "/"
    anchored: bool = False  # contains a "/" other than a trailing one: matched from ``base``

    @classmethod
    def parse(cls, line: str, base: str) -> IgnorePattern | None:
        line = line.rstrip("\r\n").rstrip(" ")
        if not line or line.startswith("#"):
            return None
        negated = line.startswith("!")
        if negated:
            line = line[1:]
        if line.startswith(("\\#", "\\!")):
            line = line[1:]
        folders_only = line.endswith("/")
        line = line.rstrip("/")
        if line.startswith("**/"):
            line = line[3:]  # "**/name" matches "name" at any depth, the root included
        anchored = "/" in line
        glob = line.lstrip("/")
        if not glob:
            return None
        return cls(base, glob, negated, folders_only, anchored)

    def matches(self, relative_path: str, is_folder: bool) -> bool:
        if self.folders_only and not is_folder:
            return False
        if self.base:
            if not relative_path.startswith(self.base + "/"):
                return False
            relative_path = relative_path[len(self.base) + 1 :]
        subject = relative_path if self.anchored else posixpath.basename(relative_path)
        return fnmatch.fnmatchcase(subject, self.glob)


def is_ignored(patterns: Iterable[IgnorePattern], relative_path: str, is_folder: bool) -> bool:
    """Git's rule: the last pattern that matches decides, and ``!`` re-includes."""
    ignored = False
    for pattern in patterns:
        if pattern.matches(relative_path, is_folder):
            ignored = not pattern.negated
    return ignored


def _read_gitignore(folder: str, base: str) -> list[IgnorePattern]:
    try:
        with open(os.path.join(folder, ".gitignore"), encoding="utf-8", errors="replace") as handle:
            lines = handle.read().splitlines()
    except OSError:
        return []
    return [pattern for line in lines if (pattern := IgnorePattern.parse(line, base)) is not None]


def _walk_listing(root: str) -> list[str]:
    """Every file below ``root`` outside hidden and ignored folders, relative to ``root``."""
    found: list[str] = []
    patterns_by_folder: dict[str, list[IgnorePattern]] = {}
    for folder, subfolders, filenames in os.walk(root):
        relative_folder = _relative_posix(folder, root)
        parent = posixpath.dirname(relative_folder) if relative_folder else None
        inherited = patterns_by_folder.get(parent, []) if parent is not None else []
        patterns = inherited + _read_gitignore(folder, relative_folder)
        patterns_by_folder[relative_folder] = patterns

        def inside(name: str) -> str:
            return posixpath.join(relative_folder, name) if relative_folder else name

        # Pruning in place stops os.walk from descending; an ignored folder's files stay
        # ignored even when a later pattern would re-include them, as in git.
        subfolders[:] = sorted(
            name
            for name in subfolders
            if not name.startswith(".") and name not in SKIPPED_FOLDERS and not is_ignored(patterns, inside(name), True)
        )
        found.extend(inside(name) for name in filenames if not is_ignored(patterns, inside(name), False))
    return found


def _relative_posix(folder: str, root: str) -> str:
    relative = os.path.relpath(folder, root)
    return "" if relative == os.curdir else relative.replace(os.sep, "/")


# --- reading ------------------------------------------------------------------------------------


def read_text(path: str) -> str:
    """The file's text, decoded as UTF-8 with one leading BOM dropped (``utf-8-sig``).

    Raises UnreadableFile with a reason a user can act on. The BOM is removed after
    decoding rather than by the ``utf-8-sig`` codec so that a reported byte offset is
    an offset in the file, BOM included.
    """
    try:
        with open(path, "rb") as handle:
            data = handle.read()
    except FileNotFoundError:
        raise UnreadableFile(path, "no such file or directory") from None
    except IsADirectoryError:
        raise UnreadableFile(path, "is a directory") from None
    except PermissionError:
        raise UnreadableFile(path, "permission denied") from None
    except OSError as error:
        raise UnreadableFile(path, _lower_first(error.strerror or str(error))) from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        byte = data[error.start]
        raise UnreadableFile(path, f"not UTF-8 (invalid byte 0x{byte:02x} at offset {error.start})") from None
    return text[1:] if text.startswith("\ufeff") else text


def _lower_first(phrase: str) -> str:
    return phrase[:1].lower() + phrase[1:]
