"""Design documents a backlog cites: project RFCs (files in the workspace) and IETF RFCs.

Pure values only. ``providers/rfc_projects.py`` scans the workspace's RFC folders
into a ``ProjectRfcs``; ``providers/rfc_ietf.py`` loads the shipped ``IetfIndex``.
Rules and features receive both as one ``Rfcs`` value (``Context.rfcs``) and never
touch the disk themselves.

Settings, under ``[rfc]`` in ``.backlog-ls.toml`` (or ``[tool.backlog-ls.rfc]``)::

    [rfc]
    dirs = ["design/rfcs"]   # folders holding the project's RFCs, relative to the project root
    ietf-refresh = false     # true: the language server refreshes the IETF index online, daily, in the background

Without ``dirs``, the folders ``docs/rfcs``, ``rfcs``, ``rfc``, ``docs/rfc`` and ``text``
of the project root count when they hold numbered Markdown files.
"""

from __future__ import annotations

import logging
import os
import posixpath
from collections.abc import Callable, Mapping
from functools import cached_property
from typing import Any

import attrs

from .ietf import IetfIndex, IetfRfc, url

__all__ = [
    "DEFAULT_DIRS",
    "IetfIndex",
    "IetfRfc",
    "ProjectRfc",
    "ProjectRfcs",
    "RfcSettings",
    "Rfcs",
    "rfc_settings",
    "url",
]

log = logging.getLogger(__name__)

DEFAULT_DIRS = ("docs/rfcs", "rfcs", "rfc", "docs/rfc", "text")


@attrs.frozen
class RfcSettings:
    dirs: tuple[str, ...] | None = None  # None: look for the default folders
    ietf_refresh: bool = False


def rfc_settings(raw: Mapping[str, Any] | None) -> RfcSettings:
    """The ``[rfc]`` table structured; a value of the wrong type is logged and its default kept."""
    if not raw:
        return RfcSettings()
    dirs: tuple[str, ...] | None = None
    refresh = False
    for key, value in raw.items():
        if key == "dirs":
            if isinstance(value, (list, tuple)) and all(isinstance(item, str) for item in value):
                dirs = tuple(value)
            else:
                log.warning("[rfc] dirs must be a list of folder names; the default folders are used")
        elif key == "ietf-refresh":
            if isinstance(value, bool):
                refresh = value
            else:
                log.warning("[rfc] ietf-refresh must be true or false")
        else:
            log.warning("[rfc] unknown key '%s'; known keys: dirs, ietf-refresh", key)
    return RfcSettings(dirs=dirs, ietf_refresh=refresh)


@attrs.frozen
class ProjectRfc:
    """One RFC file of the project."""

    number: int
    path: str  # absolute and normalised
    title: str
    status: str = ""
    summary: str = ""
    digits: str = ""  # the number as the file name writes it: "0026"

    @property
    def name(self) -> str:
        return os.path.basename(self.path)

    @property
    def label(self) -> str:
        """ "RFC 0026", with the number as the file writes it."""
        return f"RFC {self.digits or self.number}"


@attrs.frozen(eq=False)
class ProjectRfcs:
    """The project RFCs found under one root.

    ``folders`` are the RFC folders found (or configured), absolute; ``complete`` is
    False while the first scan has not finished, so that rules do not report an RFC
    "missing" only because it was not looked for yet.
    """

    root: str | None = None
    folders: tuple[str, ...] = ()
    rfcs: tuple[ProjectRfc, ...] = ()
    complete: bool = True

    @cached_property
    def _by_number(self) -> dict[int, tuple[ProjectRfc, ...]]:
        found: dict[int, list[ProjectRfc]] = {}
        for rfc in self.rfcs:
            found.setdefault(rfc.number, []).append(rfc)
        return {number: tuple(rfcs) for number, rfcs in found.items()}

    @cached_property
    def _by_path(self) -> dict[str, ProjectRfc]:
        return {os.path.normcase(rfc.path): rfc for rfc in self.rfcs}

    def numbered(self, number: int) -> tuple[ProjectRfc, ...]:
        """The RFCs that carry ``number`` (more than one when two files share it)."""
        return self._by_number.get(number, ())

    def at(self, path: str) -> ProjectRfc | None:
        return self._by_path.get(os.path.normcase(os.path.normpath(path)))

    def in_folder(self, path: str) -> bool:
        """True when ``path`` lies directly in one of the RFC folders."""
        folder = os.path.normcase(os.path.dirname(os.path.normpath(path)))
        return any(os.path.normcase(f) == folder for f in self.folders)

    def same_content(self, other: ProjectRfcs) -> bool:
        return self.root == other.root and self.folders == other.folders and self.rfcs == other.rfcs


NO_PROJECT_RFCS = ProjectRfcs()
PENDING_PROJECT_RFCS = ProjectRfcs(complete=False)


@attrs.frozen(eq=False)
class Rfcs:
    """What is known about RFCs for one document: its project's RFCs and the IETF index (None: unavailable)."""

    projects: ProjectRfcs = NO_PROJECT_RFCS
    # The IETF index, or the function that gives it, asked when a reader first wants the index:
    # loading the shipped one takes some 16 ms, which a document that cites no IETF RFC (most)
    # need not wait for. Given as ``ietf``.
    ietf_source: IetfIndex | Callable[[], IetfIndex | None] | None = attrs.field(default=None, alias="ietf")

    @property
    def ietf(self) -> IetfIndex | None:
        source = self.ietf_source
        return source if source is None or isinstance(source, IetfIndex) else source()


def relative_link(from_path: str | None, to_path: str) -> str:
    """A Markdown link target from the document at ``from_path`` to ``to_path``, with "/" separators."""
    if not from_path:
        return to_path.replace(os.sep, "/")
    try:
        relative = os.path.relpath(to_path, os.path.dirname(os.path.abspath(from_path)))
    except ValueError:  # another drive on Windows
        return to_path.replace(os.sep, "/")
    relative = relative.replace(os.sep, "/")
    return relative.replace(" ", "%20")


def root_relative(root: str | None, path: str) -> str | None:
    """``path`` relative to ``root`` with "/" separators, or None when it is not below it."""
    if not root:
        return None
    try:
        relative = os.path.relpath(path, root)
    except ValueError:
        return None
    if relative == os.pardir or relative.startswith(os.pardir + os.sep):
        return None
    return posixpath.join(*relative.split(os.sep))
