"""Which files ``backlog-ls check`` reads, reading them, and writing fixed ones back.

The CLI's disk IO besides printing and the configuration, and the server's file listing
(the workspace index, the Backlog view, file moves) and document decoding. A path
named on the command line is always checked, whatever its extension (backlogs
are often saved as ``.txt``); a folder contributes the files below it that
version control would not ignore and that the configuration calls backlogs
(``Selection``: ``include`` globs, or by default plan-like names plus any
Markdown file with task items, minus ``exclude`` globs). Inside a git work tree
git itself answers the version control question; elsewhere (or when git is
missing or refuses) a walk honours ``.gitignore`` files with simple fnmatch patterns.
"""

from __future__ import annotations

import fnmatch
import functools
import os
import posixpath
import re
import stat
import subprocess
import tempfile
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import attrs

from ..config import DEFAULT_INCLUDE
from .git import GitUnavailable, run_git

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


class UnwritableFile(UnreadableFile):
    """A fixed file that cannot be written back; its content on disk is unchanged."""


# keep(path, folder): should ``path``, found below the named ``folder`` (or named itself,
# then ``folder`` is None), be checked?
Keep = Callable[[str, "str | None"], bool]


def _markdown_only(path: str, folder: str | None) -> bool:
    return folder is None or is_markdown(path)


def discover(paths: Sequence[str], keep: Keep | None = None, *, filter_named: bool = False, use_git: bool = True) -> Discovery:
    """Expand command line paths into files to check, each once, in the order given.

    Files found in a folder are named by joining the folder as given with their
    path inside it, so output paths are relative to the working directory when
    the arguments were. ``keep`` chooses among them (default: Markdown files);
    files named explicitly are kept whatever ``keep`` says unless ``filter_named``
    (``--force-exclude``, for pre-commit, which names every staged file). Without ``use_git``
    (an untrusted workspace) folders are walked, reading their ``.gitignore`` files.
    """
    keep = keep or _markdown_only
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
            for relative in files_in(path, use_git=use_git):
                found = os.path.normpath(os.path.join(path, relative))
                if keep(found, path):
                    add(found)
        elif os.path.lexists(path):
            if not filter_named or keep(path, None):
                add(path)  # named explicitly: checked whatever its extension
        else:
            missing.append(path)
    return Discovery(tuple(files), tuple(missing))


def is_markdown(path: str) -> bool:
    return path.lower().endswith(MARKDOWN_SUFFIXES)


def files_in(folder: str, *, use_git: bool = True) -> list[str]:
    """Files below ``folder`` that version control would not ignore, as sorted paths relative to it.

    Without ``use_git`` (an untrusted workspace runs no git) the walk reads the ``.gitignore`` files.
    """
    listed = _git_listing(folder) if use_git else None
    if listed is None:
        listed = _walk_listing(folder)
    return sorted(relative for relative in listed if os.path.isfile(os.path.join(folder, relative)))


def markdown_files_in(folder: str) -> list[str]:
    """Markdown files below ``folder`` that are not ignored, as sorted paths relative to it."""
    return [relative for relative in files_in(folder) if is_markdown(relative)]


# --- which files are backlogs: include and exclude ------------------------------------------------

# A task item, or something meant as one ("- [ x]", "-[ ]", "1. []"): cheap enough to run on
# every Markdown file of a large tree, loose enough that a broken checkbox still counts.
_TASK_LINE = re.compile(r"^[ \t]*(?:[-*+]|\d{1,9}[.)])[ \t]*\[(?:[^\]\r\n]?|[ \t][^\]\s]|[^\]\s][ \t])\]", re.MULTILINE)
_SNIFF_BYTES = 4 * 1024 * 1024  # only the start of a bigger file is looked at


@functools.lru_cache(maxsize=512)
def compile_glob(pattern: str) -> re.Pattern[str]:
    """A glob as a regular expression over "/"-separated relative paths, case-insensitive.

    ``**/`` is any number of folders (none included), a trailing ``/**`` everything
    below, ``*`` and ``?`` stay within one path segment, ``[...]`` is a class.
    """
    glob = pattern.strip().replace(os.sep, "/") if os.sep != "/" else pattern.strip()
    while glob.startswith("./"):
        glob = glob[2:]
    glob = glob.lstrip("/")
    out: list[str] = []
    index = 0
    while index < len(glob):
        if glob.startswith("**/", index):
            out.append("(?:.*/)?")
            index += 3
        elif glob.startswith("/**", index) and index + 3 == len(glob):
            out.append("(?:/.*)?")
            index += 3
        elif glob.startswith("**", index):
            out.append(".*")
            index += 2
        elif glob[index] == "*":
            out.append("[^/]*")
            index += 1
        elif glob[index] == "?":
            out.append("[^/]")
            index += 1
        elif glob[index] == "[" and (close := glob.find("]", index + 2)) != -1:
            body = glob[index + 1 : close]
            if body.startswith("!"):
                body = "^" + body[1:]
            out.append("[" + body.replace("\\", "\\\\") + "]")
            index = close + 1
        else:
            out.append(re.escape(glob[index]))
            index += 1
    return re.compile("".join(out), re.IGNORECASE)


def glob_matches(pattern: str, relative_path: str) -> bool:
    """Match like .gitignore: a pattern without "/" tests the file name, one with "/" the whole path."""
    body = pattern.strip().rstrip("/")
    if "/" not in body.lstrip("/"):
        return compile_glob(body).fullmatch(posixpath.basename(relative_path)) is not None
    return compile_glob(body).fullmatch(relative_path) is not None


def _excluded(patterns: Iterable[str], relative_path: str) -> bool:
    """A file is excluded when a pattern matches it or any folder above it (``vendor`` drops vendor/**)."""
    parts = relative_path.split("/")
    prefixes = ["/".join(parts[: count]) for count in range(1, len(parts) + 1)]
    return any(glob_matches(pattern, prefix) for pattern in patterns for prefix in prefixes)


def has_task_items(path: str) -> bool:
    """Whether the file has a line that looks like a task item; True when it cannot be read,
    so that checking it reports why."""
    try:
        with open(path, "rb") as handle:
            data = handle.read(_SNIFF_BYTES)
    except OSError:
        return True
    return _TASK_LINE.search(data.decode("utf-8", "replace")) is not None


@attrs.frozen
class Selection:
    """Which files below a project root are backlogs, from the configuration's include and exclude.

    The default ``include`` (``config.DEFAULT_INCLUDE``) also takes any Markdown file
    with task items; a configured ``include`` takes exactly what its globs match.
    Globs are matched against the path relative to ``root`` (the configuration's
    folder, or the git root) when the file lies below it, else relative to the
    folder being searched (the working directory for a file named on the command line).
    """

    include: tuple[str, ...]
    exclude: tuple[str, ...]
    root: str | None = None

    @classmethod
    def of(cls, include: Iterable[str], exclude: Iterable[str], root: str | None = None) -> Selection:
        return cls(tuple(include), tuple(exclude), os.path.abspath(root) if root else None)

    @property
    def sniffs(self) -> bool:
        return self.include == DEFAULT_INCLUDE

    def relative(self, path: str, folder: str | None) -> str:
        """The path globs see: below the root, else below the searched folder (for a file named
        on the command line: the working directory), else the bare file name."""
        absolute = os.path.abspath(path)
        base_folder = os.path.abspath(folder) if folder else os.getcwd()
        for base in (self.root, base_folder):
            if base and (absolute == base or absolute.startswith(base.rstrip(os.sep) + os.sep)):
                return os.path.relpath(absolute, base).replace(os.sep, "/")
        return os.path.basename(absolute)

    def wants_document(self, path: str, has_tasks: bool) -> bool:
        """``wants`` for a document an editor holds: its task items are looked for in its text, not on disk."""
        relative = self.relative(path, self.root)
        if _excluded(self.exclude, relative):
            return False
        if any(glob_matches(pattern, relative) for pattern in self.include):
            return True
        return self.sniffs and has_tasks

    def wants(self, path: str, folder: str | None = None) -> bool:
        relative = self.relative(path, folder)
        if _excluded(self.exclude, relative):
            return False
        if any(glob_matches(pattern, relative) for pattern in self.include):
            return True
        return self.sniffs and is_markdown(path) and has_task_items(path)


class Selections:
    """The ``Selection`` of each configuration file, for files below many folders (the CLI's
    arguments, a language server's workspace folders): ``keep`` is ``discover``'s choice.

    ``loaded_for(path)`` answers the path's ``LoadedConfig`` (its settings, file and root).
    """

    def __init__(self, loaded_for: Callable[[str], Any]):
        self._loaded_for = loaded_for
        self._selections: dict[str | None, Selection] = {}

    def for_path(self, path: str) -> Selection:
        loaded = self._loaded_for(path)
        key = loaded.path or loaded.root
        selection = self._selections.get(key)
        if selection is None:
            selection = self._selections[key] = Selection.of(loaded.settings.include, loaded.settings.exclude, loaded.root)
        return selection

    def keep(self, path: str, folder: str | None) -> bool:
        return self.for_path(path).wants(path, folder)


# --- git ----------------------------------------------------------------------------------------


def _run_git(folder: str, *arguments: str) -> subprocess.CompletedProcess[bytes] | None:
    """Run git in ``folder``; None when git is missing, hangs or cannot start (the walk answers then)."""
    try:
        return run_git(folder, *arguments, timeout=_GIT_TIMEOUT_SECONDS)
    except GitUnavailable:
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
    from .workspace_paths import MAX_CONFIG_BYTES, RefusedPath, read_regular_file

    try:  # a regular file of sane size: a repository's .gitignore may be a FIFO or /dev/zero
        data = read_regular_file(os.path.join(folder, ".gitignore"), MAX_CONFIG_BYTES)
    except (OSError, ValueError, RefusedPath):
        return []
    lines = data.decode("utf-8", "replace").splitlines()
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


# --- reading, and writing fixed files back --------------------------------------------------------

BOM = "\ufeff"


@attrs.frozen
class Document:
    """A file's text without its BOM, and whether it had one, so writing it back restores it."""

    text: str
    bom: bool = False
    encoding: str = "utf-8"  # what the file was read as: "utf-8", "UTF-16", "windows-1252", ...

    def encode(self, text: str | None = None) -> bytes:
        """The text as UTF-8 (what GitHub expects), with its BOM only if it was UTF-8 with one."""
        bom = BOM if self.bom and self.encoding == "utf-8" else ""
        return (bom + (self.text if text is None else text)).encode("utf-8")


def read_text(path: str) -> str:
    """The file's text, decoded as UTF-8 with one leading BOM dropped (``utf-8-sig``).

    Raises UnreadableFile with a reason a user can act on. The BOM is removed after
    decoding rather than by the ``utf-8-sig`` codec so that a reported byte offset is
    an offset in the file, BOM included.
    """
    return read_document(path).text


def read_document(path: str) -> Document:
    """The file's text without its BOM, and whether it had one. Raises UnreadableFile."""
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
    return decode_document(path, data)


# Byte order marks of the encodings read without guessing, longest first (UTF-32 LE starts like UTF-16 LE).
_BOMS = (
    (b"\xff\xfe\x00\x00", "utf-32-le", "UTF-32"),
    (b"\x00\x00\xfe\xff", "utf-32-be", "UTF-32"),
    (b"\xff\xfe", "utf-16-le", "UTF-16"),
    (b"\xfe\xff", "utf-16-be", "UTF-16"),
)
# What Windows-1252 decodes that a Western text plausibly holds: letters and typographic marks.
_WESTERN = re.compile(r"[\x00-\x7f\u00a0-\u024f\u2013-\u2026\u20ac\u2122\u02c6\u02dc\u2030\u2039\u203a]*")


class BinaryFile(UnreadableFile):
    """A file that holds no text (NUL bytes without a UTF-16/32 byte order mark): skipped, not an error."""


def decode_document(path: str, data: bytes) -> Document:
    """Decode a file's bytes: UTF-8 with or without BOM, UTF-16/32 with BOM, else a legacy code page.

    Raises BinaryFile for bytes that are no text (not UTF-8, with NUL bytes: valid UTF-8 with a
    stray NUL is still read as text). A legacy code page is Windows-1252 when that
    reads as Western text, otherwise charset-normalizer's best guess.
    """
    for mark, codec, name in _BOMS:
        if data.startswith(mark):
            try:
                return Document(data[len(mark) :].decode(codec), bom=True, encoding=name)
            except UnicodeDecodeError:
                break
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    else:
        return Document(text[1:], bom=True) if text.startswith(BOM) else Document(text)
    if b"\0" in data[:8192]:
        raise BinaryFile(path, "binary file, skipped")
    if data.startswith(b"\xef\xbb\xbf"):  # a UTF-8 BOM before bytes that are not UTF-8
        return attrs.evolve(_legacy(path, data[3:]), bom=True)
    return _legacy(path, data)


def _accents_in_words(text: str) -> bool:
    """Whether the non-ASCII letters are a few accents among ASCII ones, as in Western languages
    (Cyrillic or Greek read as Windows-1252 gives words of non-ASCII letters only: "Ïðèâåò")."""
    letters = [char for char in text if char.isalpha()]
    foreign = sum(1 for char in letters if ord(char) > 0x7F)
    return foreign <= 0.5 * len(letters)


def _legacy(path: str, data: bytes) -> Document:
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError:
        text = None
    if text is not None and _WESTERN.fullmatch(text) and _accents_in_words(text):
        return Document(text, encoding="windows-1252")
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is None:
        raise BinaryFile(path, "binary file, skipped")
    return Document(str(best), encoding=best.encoding.replace("_", "-"))


def _lower_first(phrase: str) -> str:
    return phrase[:1].lower() + phrase[1:]


def write_atomically(path: str, data: bytes) -> None:
    """Replace the file's content with ``data`` in one step: a reader sees the old file or the new.

    The new content goes to a temporary file in the same folder (so ``os.replace`` is a
    rename on one file system), takes the old file's permission bits, then replaces it.
    A symbolic link is followed: the file it points to is replaced, the link stays.
    A file with more than one hard link is rewritten in place instead (a rename would
    leave the other names on the old content): the temporary copy is written and synced
    first, so a failure half-way still leaves the new text on disk beside it.
    Raises UnwritableFile (a short reason) when the file cannot be written.
    """
    target = os.path.realpath(path)
    folder = os.path.dirname(target) or os.curdir
    try:
        info = os.stat(target)
        handle, temporary = tempfile.mkstemp(dir=folder, prefix="." + os.path.basename(target) + ".", suffix=".tmp")
    except OSError as error:
        raise UnwritableFile(path, "cannot be written: " + _lower_first(error.strerror or str(error))) from None
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        if info.st_nlink > 1:
            _write_in_place(target, data)
            os.unlink(temporary)
            return
        os.chmod(temporary, stat.S_IMODE(info.st_mode))
        os.replace(temporary, target)
    except OSError as error:
        if info.st_nlink > 1:  # the copy holds the new text: say where, rather than lose it
            raise UnwritableFile(path, f"cannot be written in place ({_lower_first(error.strerror or str(error))}); the new text is in {temporary}") from None
        try:
            os.unlink(temporary)
        except OSError:
            pass
        raise UnwritableFile(path, "cannot be written: " + _lower_first(error.strerror or str(error))) from None


def _write_in_place(target: str, data: bytes) -> None:
    """Overwrite ``target``'s bytes (its inode, so every hard link sees them) and cut what is left."""
    with open(target, "r+b") as out:
        out.write(data)
        out.truncate()
        out.flush()
        os.fsync(out.fileno())
