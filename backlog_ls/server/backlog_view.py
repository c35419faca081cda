"""``backlog-ls/outline``: the data of an editor's Backlog view (VS Code draws it in the Explorer).

Every backlog of the workspace folders (or the one file ``uri`` names), each with its
sections, their progress and their tasks (``workspace_outline.py``). Which files: the
workspace index's (``workspace_index.py``), or before its first scan ends, those ``check``
would read (no git process in an untrusted workspace). Open documents are read as the
editor holds them; the others from disk, on a thread, so that the loop answers other
requests meanwhile; an unchanged file's outline is kept.
"""

from __future__ import annotations

import asyncio
import os
from typing import Any

from pygls.uris import from_fs_path, to_fs_path

from .. import dependencies
from ..analysis import DocumentClosed
from ..providers.backlog_files import MAX_FILES, backlog_paths
from ..workspace_outline import OUTLINE_REQUEST, Entry
from .core import BacklogServer
from .protocol import EncodedJson
from .workspace_index import index_uri


async def _on_outline(ls: BacklogServer, params: Any) -> EncodedJson:
    wanted = getattr(params, "uri", None) if params is not None else None
    wanted = wanted if isinstance(wanted, str) else None
    entries: list[Entry] = []
    open_paths: set[str] = set()
    for document in list(ls.documents):
        if document.path is not None:
            open_paths.add(_key(document.path))
        if wanted is not None and document.uri != wanted:
            continue
        try:
            if not ls.analysis.parse_now_if_small(document):
                await ls.analysis.parsed(document)
        except DocumentClosed:
            continue
        settings, loaded = ls.settings.for_document(document)
        root = loaded.root if loaded else None
        tracker = ls.issues_for(document, settings, loaded)  # its cache: never waits on the network
        elsewhere = _other_files(ls, index_uri(document), settings)
        entries.append(Entry(document.uri, document.path, settings, root, document.backlog, tracker, elsewhere))
    folders = [folder for folder in [to_fs_path(uri) for uri in ls.workspace.folders] or [ls.workspace.root_path] if folder]
    use_git = ls.settings.workspace_trusted
    encoding = ls.encoding

    def from_disk() -> list[Entry]:
        if wanted is None:
            paths = _workspace_backlogs(ls, folders, use_git)
        elif not entries and wanted.startswith("file:"):
            paths = [to_fs_path(wanted)]  # one file no editor has open: it is checked for being a backlog
        else:
            paths = []
        found = []
        for path in paths:
            if path and _key(path) not in open_paths and os.path.isfile(path):
                settings, loaded = ls.settings.for_path(path)
                uri = from_fs_path(path) or path
                found.append(Entry(uri, path, settings, loaded.root if loaded else None, elsewhere=_other_files(ls, uri, settings)))
        return found

    def answer() -> EncodedJson:
        return EncodedJson(ls.backlog_outline.answer([*entries, *from_disk()], encoding))

    return await asyncio.to_thread(answer)


def _other_files(ls: BacklogServer, uri: str, settings: Any) -> Any:
    """The workspace index's lookup of a task another file holds (a blocker named there)."""
    index = getattr(ls, "workspace_index", None)
    return dependencies.elsewhere_in(index, uri, settings) if index is not None else None


def _workspace_backlogs(ls: BacklogServer, folders: list[str], use_git: bool) -> list[str]:
    """The backlog files of the workspace: the index's once it has scanned the folders (watched files
    keep it current), else found as ``check`` finds them."""
    index = getattr(ls, "workspace_index", None)
    if index is None or getattr(ls.index_provider, "scans_finished", 0) == 0:
        return backlog_paths(folders, ls.settings.loader.for_path, use_git=use_git)
    paths = sorted(path for path in (index.path_of(uri) for uri, _ in index.files()) if path)
    return paths[:MAX_FILES]


def _key(path: str) -> str:
    return os.path.normcase(os.path.abspath(path))


def register(server: BacklogServer) -> None:
    server.feature(OUTLINE_REQUEST)(_on_outline)
