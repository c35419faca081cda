"""Where a project RFC citation points, for rules and features alike. Pure: paths in, paths out."""

from __future__ import annotations

import functools
import html
import os
import re
from urllib.parse import unquote

from . import ProjectRfc, ProjectRfcs, root_relative
from .cite import Citation

_BACKSLASH_ESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:")


# Pure in its arguments (document paths are absolute), and asked for the same few hundred
# targets on every keystroke of a large backlog.
@functools.lru_cache(maxsize=8192)
def target_path(target: str, document_path: str | None, root: str | None) -> str | None:
    """The absolute file a link target names, or None when it cannot be told (a URL; no path to start from).

    ``/docs/rfcs/x.md`` is taken from the project root, as GitHub does; anything else from
    the document's folder. A ``#fragment`` and ``?query`` are dropped, escapes decoded.
    """
    written = target.strip()
    if not written or _SCHEME.match(written) or written.startswith("//"):
        return None
    written = written.split("#", 1)[0].split("?", 1)[0].strip()
    if not written:
        return None
    shown = unquote(_BACKSLASH_ESCAPE.sub(r"\1", html.unescape(written)))
    if shown.startswith("/"):
        if not root:
            return None
        return os.path.normpath(os.path.join(root, shown.lstrip("/")))
    if not document_path:
        return None
    return os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(document_path)), shown))


def cited_rfcs(citation: Citation, projects: ProjectRfcs, document_path: str | None) -> tuple[ProjectRfc, ...]:
    """The project RFCs a citation names: the linked file's, else every RFC with its number."""
    if citation.target is not None:
        path = target_path(citation.target, document_path, projects.root)
        if path is not None:
            found = projects.at(path)
            return (found,) if found is not None else ()
    return projects.numbered(citation.number)


def display_path(path: str, projects: ProjectRfcs) -> str:
    """How a message or hover names a project file: from the project root when below it."""
    relative = root_relative(projects.root, path)
    return relative if relative is not None else path.replace(os.sep, "/")


def folders_label(projects: ProjectRfcs) -> str:
    names = [display_path(folder, projects).rstrip("/") + "/" for folder in projects.folders]
    return ", ".join(names) if names else "the RFC folders"
