"""References, highlights, rename and workspace symbols over the workspace index; definition from it.

Each handler is a thin call into ``features.navigation`` with the summary of the document's
current text; the index is ``workspace_index``'s. "Renumber tasks in section" and "Renumber
phases" are offered here too, with edits that make every mention in the workspace follow.
"""

from __future__ import annotations

import logging
from typing import Any

from lsprotocol import types
from pygls.exceptions import JsonRpcException

from .. import convert
from ..features import navigation
from ..states import state_meanings
from ..workspace import Document
from ..workspace_index import FileSummary
from .core import BacklogServer
from .protocol import EncodedJson
from .running import guarded, when_parsed
from .workspace_index import current_summary, index_uri, workspace_folders

logger = logging.getLogger(__name__)


class RequestFailed(JsonRpcException):
    """LSP's RequestFailed: the request was understood but cannot be done (a rename to a non-ID)."""

    CODE = -32803


def _at_cursor(ls: BacklogServer, uri: str, position: types.Position) -> tuple[Document, FileSummary, int, int] | None:
    document = ls.documents.get(uri)
    if document is None:
        return None
    summary = current_summary(ls, document)
    if summary is None:
        return None
    line, column = convert.from_position(position, document.lines, ls.encoding)
    return document, summary, line, column


def _mention_at(ls: BacklogServer, uri: str, position: types.Position) -> tuple[Document, FileSummary, Any] | None:
    found = _at_cursor(ls, uri, position)
    if found is None:
        return None
    document, summary, line, column = found
    mention = navigation.symbol_at(summary, line, column)
    return (document, summary, mention) if mention is not None else None


def index_definition(ls: BacklogServer, params: types.DefinitionParams) -> EncodedJson | None:
    """The task a task ID names, the task naming an issue, or the heading a link points at;
    None when the cursor is on none of them."""
    found = _at_cursor(ls, params.text_document.uri, params.position)
    if found is None:
        return None
    document, summary, line, column = found
    index = ls.workspace_index
    mention = navigation.symbol_at(summary, line, column)
    places = navigation.definition(index, mention, index_uri(document)) if mention is not None else []
    if mention is None and (link := navigation.link_at(summary, line, column)) is not None:
        place = navigation.link_definition(index, document.path, link, index_uri(document))
        places = [place] if place is not None else []
    return EncodedJson(convert.places_json(places, ls.encoding)) if places else None


def on_references(ls: BacklogServer, params: types.ReferenceParams) -> EncodedJson | None:
    found = _at_cursor(ls, params.text_document.uri, params.position)
    if found is None:
        return None
    document, summary, line, column = found
    include = params.context.include_declaration if params.context is not None else True
    index = ls.workspace_index
    mention = navigation.symbol_at(summary, line, column)
    if mention is not None:
        return EncodedJson(convert.places_json(navigation.references(index, mention, include, index_uri(document)), ls.encoding))
    section = navigation.section_at(summary, line)
    if section is not None:
        return EncodedJson(convert.places_json(navigation.heading_references(index, index_uri(document), section, include), ls.encoding))
    return None


def on_document_highlight(ls: BacklogServer, params: types.DocumentHighlightParams) -> EncodedJson | None:
    found = _mention_at(ls, params.text_document.uri, params.position)
    if found is None:
        return None
    document, summary, mention = found
    return EncodedJson(convert.highlights_json(navigation.highlights(summary, mention), document.lines, ls.encoding))


def on_prepare_rename(ls: BacklogServer, params: types.PrepareRenameParams) -> EncodedJson | None:
    """The task ID under the cursor, or None: nothing else (an issue number, plain words) is a symbol."""
    found = _mention_at(ls, params.text_document.uri, params.position)
    if found is None or found[2].kind != navigation.TASK:
        return None
    document, _, mention = found
    return EncodedJson({"range": convert.range_dict(mention.span, document.lines, ls.encoding), "placeholder": mention.text})


def on_rename(ls: BacklogServer, params: types.RenameParams) -> types.WorkspaceEdit | None:
    found = _mention_at(ls, params.text_document.uri, params.position)
    if found is None or found[2].kind != navigation.TASK:
        raise RequestFailed("Only a task ID can be renamed here.")
    for document in ls.documents:  # every open document's newest text, so that the edits match it
        current_summary(ls, document)
    try:
        edits = navigation.rename_edits(ls.workspace_index, found[2], params.new_name, index_uri(found[0]))
    except navigation.RenameRefused as refused:
        raise RequestFailed(str(refused)) from None
    return _workspace_edit(ls, edits)


def _workspace_edit(ls: BacklogServer, edits: dict[str, list[Any]]) -> types.WorkspaceEdit | None:
    """Edits by index URI as one workspace edit: an open document under the URI its client gave it,
    tied to its version and its lines; a file on disk under its own, with no version."""
    open_documents = {index_uri(document): document for document in ls.documents}
    changes = []
    for uri, found in edits.items():
        document = open_documents.get(uri)
        if document is not None:
            changes.append((document.uri, document.version, found, document.lines))
        else:
            summary = ls.workspace_index.get(uri)
            changes.append((uri, None, found, summary.span_lines if summary is not None else []))
    return convert.documents_edit(changes, ls.encoding)


def renumber_edit(ls: BacklogServer, document: Document, action: Any) -> types.WorkspaceEdit | None:
    """A renumbering's edit (``features.renumber``'s ``Action``) with the edits that make every
    mention in the workspace follow: the index is brought up to date with the document first."""
    summary = current_summary(ls, document)
    own = index_uri(document)
    following = navigation.following_edits(ls.workspace_index, own, document.lines, action.edits) if summary else {}
    edits = {own: list(action.edits) + following.pop(own, [])}
    edits.update(following)
    return _workspace_edit(ls, edits)


def on_workspace_symbol(ls: BacklogServer, params: types.WorkspaceSymbolParams) -> EncodedJson:
    """Every section and task of the workspace matching the query, from what the index holds
    (an open document's text of a moment ago while it is being edited: ``document_edited``)."""
    folders = workspace_folders(ls)
    loaded = guarded("Settings", lambda: ls.settings.loader.for_path(folders[0]), None) if folders else None
    meanings = state_meanings(loaded.settings if loaded is not None else None)
    symbols = navigation.workspace_symbols(ls.workspace_index, params.query, meanings)
    return EncodedJson(convert.workspace_symbols_json(symbols, ls.encoding))


def register(server: BacklogServer) -> None:
    server.feature(types.TEXT_DOCUMENT_REFERENCES)(when_parsed(on_references))
    server.feature(types.TEXT_DOCUMENT_DOCUMENT_HIGHLIGHT)(when_parsed(on_document_highlight))
    server.feature(types.TEXT_DOCUMENT_PREPARE_RENAME)(when_parsed(on_prepare_rename))
    server.feature(types.TEXT_DOCUMENT_RENAME, types.RenameOptions(prepare_provider=True))(when_parsed(on_rename))
    server.feature(types.WORKSPACE_SYMBOL)(on_workspace_symbol)
