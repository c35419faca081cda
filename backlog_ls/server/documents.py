"""Document sync: didOpen, didChange, didClose (and the test-only debugText request)."""

from __future__ import annotations

import logging
import os
from typing import Any

from lsprotocol import types
from pygls.uris import to_fs_path

from .. import convert
from . import workspace_index
from .core import BacklogServer

logger = logging.getLogger(__name__)


def _on_did_open(ls: BacklogServer, params: types.DidOpenTextDocumentParams) -> None:
    item = params.text_document
    ls.forget(item.uri)  # a re-open without a close starts afresh
    document = ls.documents.open(item.uri, item.text, item.version, path=to_fs_path(item.uri))
    # The live text wins from now on: the index and the cross-file rules do not read the disk's copy.
    if document is not None:
        workspace_index.document_opened(ls, document)
        if document.path and ls.cross_files is not None:
            ls.cross_files.document_opened(document.path)
    ls.schedule_publish(item.uri)


def _on_did_change(ls: BacklogServer, params: types.DidChangeTextDocumentParams) -> None:
    uri = params.text_document.uri
    document = ls.documents.get(uri)
    if document is None:
        logger.warning("Ignoring a change to %s, which is not open", uri)
        return
    encoding = ls.encoding
    for change in params.content_changes:
        # Each change's range refers to the text left by the change before it.
        if isinstance(change, types.TextDocumentContentChangePartial):
            start = convert.from_position(change.range.start, document.text.lines, encoding)
            end = convert.from_position(change.range.end, document.text.lines, encoding)
            document.apply_change(start, end, change.text)
        else:
            document.replace_all(change.text)
    document.version = params.text_document.version
    ls.schedule_publish(uri)


# Test-only (BACKLOG_LS_DEBUG=1): the server's copy of an open document, so a sync fuzz can
# compare it with the client's after thousands of incremental changes.
DEBUG_TEXT_REQUEST = "backlog-ls/debugText"


def _debug_text(ls: BacklogServer, params: Any) -> dict[str, Any] | None:
    uri = getattr(params, "uri", None)
    document = ls.documents.get(uri) if isinstance(uri, str) else None
    if document is None:
        return None
    return {"text": document.source, "version": document.version, "lineCount": len(document.text.lines)}


def _on_did_close(ls: BacklogServer, params: types.DidCloseTextDocumentParams) -> None:
    uri = params.text_document.uri
    document = ls.documents.get(uri)
    workspace_index.document_closed(ls, document, uri)  # the disk's text counts again
    ls.forget(uri)
    if document is not None and document.path and ls.cross_files is not None:
        ls.cross_files.document_closed(document.path)  # and for the cross-file rules
    if not ls.pull_diagnostics:
        ls.text_document_publish_diagnostics(types.PublishDiagnosticsParams(uri=uri, diagnostics=[]))


def register(server: BacklogServer) -> None:
    server.feature(types.TEXT_DOCUMENT_DID_OPEN)(_on_did_open)
    server.feature(types.TEXT_DOCUMENT_DID_CHANGE)(_on_did_change)
    server.feature(types.TEXT_DOCUMENT_DID_CLOSE)(_on_did_close)
    if os.environ.get("BACKLOG_LS_DEBUG") == "1":
        server.feature(DEBUG_TEXT_REQUEST)(_debug_text)
