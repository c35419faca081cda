"""The workspace index of the server: every backlog of the workspace folders, summarised.

The index (``backlog_ls.workspace_index``) is filled by ``providers.workspace_index`` after
``initialized``, with work-done progress when the client shows it, and kept current by
watched files (``BACKLOG_GLOBS``, in the one watcher registration of ``lifecycle``) and by
the open documents' parses. Requests never wait for it: they answer from what it holds so
far (``workspace_navigation`` answers them).
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING, Any

from lsprotocol import types
from pygls.uris import from_fs_path, to_fs_path

from ..providers.workspace_index import IndexProvider
from ..workspace import Document
from ..workspace_index import FileSummary, WorkspaceIndex

if TYPE_CHECKING:
    from .core import BacklogServer

logger = logging.getLogger(__name__)

PROGRESS_TOKEN = "backlog-ls/workspace-index"
# Watched for the index (beside the configuration and RFC files, in one registration).
BACKLOG_GLOBS = ("**/*.md", "**/*.markdown")
CONFIG_NAMES = (".backlog-ls.toml", "pyproject.toml")


# --- the index: created with the server, filled after ``initialized`` ------------------------------


def attach(ls: BacklogServer) -> None:
    """Give the server its index and the provider that fills it (``app.create_server``)."""
    ls.workspace_index = WorkspaceIndex()
    ls.index_provider = IndexProvider(
        ls.workspace_index,
        lambda path: ls.settings.loader.for_path(path),
        from_fs_path,
        on_change=lambda: _index_changed(ls),
        use_git=lambda: ls.settings.workspace_trusted,
        facts_inputs=lambda path: _facts_inputs(ls, path),
        facts_read=lambda batch, more: _facts_read(ls, batch, more),
        server_busy=ls.busy,
    )
    ls.on_parsed = lambda document, revision, backlog: ls.index_provider.document_edited(
        index_uri(document), revision, backlog, document.path
    )


def _index_changed(ls: BacklogServer) -> None:
    """The index took or dropped files (on its thread): the cross-file rules read the same files."""
    cross_files = getattr(ls, "cross_files", None)
    if cross_files is not None:
        cross_files.index_changed()


def _facts_inputs(ls: BacklogServer, path: str) -> Any:
    """The cross-file rules' settings and project of an unopened file (None: no cross-file rules)."""
    cross_files = getattr(ls, "cross_files", None)
    return cross_files.facts_inputs(path) if cross_files is not None else None


def _facts_read(ls: BacklogServer, batch: list, more: bool) -> None:
    cross_files = getattr(ls, "cross_files", None)
    if cross_files is not None:
        cross_files.provider.facts_read(batch, more)


def index_uri(document: Document) -> str:
    """The URI the index knows a document by: the disk's, so that an open file and its copy on disk
    are one entry however the client spells the URI."""
    return (from_fs_path(document.path) or document.uri) if document.path else document.uri


def workspace_folders(ls: BacklogServer) -> list[str]:
    folders = [to_fs_path(uri) for uri in ls.workspace.folders] or [ls.workspace.root_path]
    return [folder for folder in folders if folder]


async def start_indexing(ls: BacklogServer) -> None:
    """After ``initialized``: index every workspace folder in the background."""
    progress = await _client_progress(ls)
    ls.index_provider.scan(workspace_folders(ls), progress)


def document_parsed(ls: BacklogServer, document: Document, revision: int, backlog: Any) -> None:
    """An open document was parsed (on any thread): its live text replaces the disk's in the index."""
    ls.index_provider.document_parsed(index_uri(document), revision, backlog, document.path)


def document_opened(ls: BacklogServer, document: Document) -> None:
    ls.index_provider.document_opened(index_uri(document))


def document_closed(ls: BacklogServer, document: Document | None, uri: str) -> None:
    if document is not None:
        ls.index_provider.document_closed(index_uri(document), document.path)


def files_changed(ls: BacklogServer, changes: list[types.FileEvent]) -> None:
    """``workspace/didChangeWatchedFiles``: re-read changed backlogs, forget deleted ones; a changed
    configuration file may change which files are backlogs, so the folders are scanned again."""
    provider = ls.index_provider
    if any(change.uri.rsplit("/", 1)[-1] in CONFIG_NAMES for change in changes):
        provider.scan(workspace_folders(ls))
    for change in changes:
        path = to_fs_path(change.uri) if change.uri.startswith("file:") else None
        if not path:
            continue
        if change.type == types.FileChangeType.Deleted:
            provider.file_deleted(path)
        elif path.lower().endswith((".md", ".markdown")):
            provider.file_changed(path)


class _ClientProgress:
    """``providers.workspace_index.Progress`` as ``$/progress`` notifications, sent from the loop."""

    def __init__(self, ls: BacklogServer, loop: asyncio.AbstractEventLoop):
        self._ls = ls
        self._loop = loop

    def _send(self, value: Any) -> None:
        def send() -> None:
            try:
                progress = self._ls.work_done_progress
                if isinstance(value, types.WorkDoneProgressBegin):
                    progress.begin(PROGRESS_TOKEN, value)
                elif isinstance(value, types.WorkDoneProgressReport):
                    progress.report(PROGRESS_TOKEN, value)
                else:
                    progress.end(PROGRESS_TOKEN, value)
            except Exception:
                logger.debug("Could not send indexing progress", exc_info=True)

        try:
            self._loop.call_soon_threadsafe(send)
        except RuntimeError:  # the loop is closed: the server is stopping
            pass

    def begin(self, total: int) -> None:
        self._send(types.WorkDoneProgressBegin(title="Indexing backlogs", message=f"0/{total} files", percentage=0, cancellable=False))

    def report(self, done: int, total: int) -> None:
        percentage = 100 * done // total if total else 100
        self._send(types.WorkDoneProgressReport(message=f"{done}/{total} files", percentage=percentage))

    def end(self, indexed: int) -> None:
        self._send(types.WorkDoneProgressEnd(message=f"{indexed} backlog file{'s' if indexed != 1 else ''} indexed"))


async def _client_progress(ls: BacklogServer) -> _ClientProgress | None:
    window = ls.client_capabilities.window
    if not (window and window.work_done_progress):
        return None  # the client shows no progress: asking it to create a token is a protocol error
    try:
        await ls.work_done_progress.create_async(PROGRESS_TOKEN)
    except Exception:
        logger.info("The client refused a progress token; indexing without progress", exc_info=True)
        return None
    return _ClientProgress(ls, asyncio.get_running_loop())


def current_summary(ls: BacklogServer, document: Document) -> FileSummary | None:
    """The summary of the document's current text (indexed now if the index has an older one)."""
    document_parsed(ls, document, document.revision, document.backlog)
    return ls.workspace_index.get(index_uri(document))


def stop(ls: BacklogServer) -> None:
    ls.index_provider.stop()
