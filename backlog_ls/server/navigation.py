"""Hover, completion, document links and definition."""

from __future__ import annotations

from lsprotocol import types
from pygls.uris import from_fs_path

from .. import convert
from ..features import block_links, blockers, completion, hover
from ..features import issues as issue_features
from ..features import links as link_features
from ..features import rfc as rfc_features
from .core import BacklogServer
from .protocol import EncodedJson
from . import workspace_navigation
from .running import guarded, off_loop, when_parsed


def _on_hover(ls: BacklogServer, params: types.HoverParams) -> types.Hover | None:
    document = ls.documents.get(params.text_document.uri)
    if document is None:
        return None
    line, column = convert.from_position(params.position, document.lines, ls.encoding)
    rfcs = guarded("RFCs", lambda: ls.rfcs_for(document), None)
    tracker = guarded("Issues", lambda: ls.issues_for(document), None)
    settings = ls.settings.for_document(document)[0]
    found = guarded(
        "Hover",
        lambda: hover.hover(
            document.backlog,
            line,
            column,
            rfcs=rfcs,
            path=document.path,
            issues=tracker,
            settings=settings,
            elsewhere=ls.tasks_elsewhere(document, settings),
        ),
        None,
    )
    if found is None:
        return None
    return convert.hover(found.markdown, found.span, document.lines, ls.encoding)


def _on_completion(ls: BacklogServer, params: types.CompletionParams) -> EncodedJson | None:
    document = ls.documents.get(params.text_document.uri)
    if document is None:
        return None
    line, column = convert.from_position(params.position, document.lines, ls.encoding)
    if not 0 <= line < len(document.lines):
        return None
    trigger = params.context.trigger_character if params.context is not None else None
    rfcs = guarded("RFCs", lambda: ls.rfcs_for(document), None)
    before = document.lines[line][:column]
    issue_context = guarded("Issues", lambda: ls.issue_context(document, before), None)
    listing = link_features.Listing(ls.files.entries, ls.files.anchors)
    request = completion.CompletionRequest(document.backlog, line, column, document.path, trigger, rfcs, issue_context, listing)
    found = guarded("Completion", lambda: completion.complete(request), None)
    if found is None:
        return None
    return EncodedJson.of_text(convert.completion_list_text(found, document.lines, ls.encoding))


async def _on_document_link(ls: BacklogServer, params: types.DocumentLinkParams) -> list[types.DocumentLink] | EncodedJson | None:
    document = ls.documents.get(params.text_document.uri)
    if document is None:
        return None
    rfcs = guarded("RFCs", lambda: ls.rfcs_for(document), None)
    tracker = guarded("Issues", lambda: ls.issues_for(document), None)
    backlog, path, encoding = document.backlog, document.path, ls.encoding

    def links() -> EncodedJson:
        # RFC and issue links are found block by block, each block once (``features.block_links``);
        # relative file links (``features.links``) follow, except where a project RFC's link is.
        rfc_links = rfc_features.rfc_link_source(backlog, rfcs, path)
        sources = [rfc_links, issue_features.issue_link_source(tracker)]
        found = block_links.block_links(backlog, sources, guarded)
        file_links = guarded("File links", lambda: link_features.file_document_links(backlog, path, ls.files.heading_line, rfc_links), [])
        return EncodedJson.of_text(convert.links_answer_json(found, file_links, backlog.lines, encoding))

    return await off_loop(document, links, "Document links", EncodedJson([]))


def _on_definition(ls: BacklogServer, params: types.DefinitionParams) -> list[types.Location] | EncodedJson | None:
    document = ls.documents.get(params.text_document.uri)
    if document is None:
        return None
    line, column = convert.from_position(params.position, document.lines, ls.encoding)
    rfcs = guarded("RFCs", lambda: ls.rfcs_for(document), None)
    paths = guarded("Definition", lambda: rfc_features.rfc_definition(document.backlog, line, column, rfcs, document.path), [])
    uris = [uri for uri in (from_fs_path(path) for path in paths) if uri]
    if uris:
        return convert.file_locations(uris)
    # A blocker's name ("⛔ abc123", "blocked by #12" where a task here references #12), in this file.
    found = guarded("Blocker definition", lambda: _blocker_definition(ls, document, line, column), None)
    if found and found[0].uri == document.uri:
        return found
    # A task ID, an issue or a link to a heading: from the workspace index (to the ID itself).
    return guarded("Definition from the index", lambda: workspace_navigation.index_definition(ls, params), None) or found


def _blocker_definition(ls: BacklogServer, document, line: int, column: int) -> list[types.Location] | None:
    """From a blocker's name ("depends on Task 3.1") to the task it names."""
    tracker = guarded("Issues", lambda: ls.issues_for(document), None)
    settings = ls.settings.for_document(document)[0]
    elsewhere = ls.tasks_elsewhere(document, settings)
    place = blockers.blocker_definition(document.backlog, line, column, settings=settings, tracker=tracker, elsewhere=elsewhere)
    if place is None:
        return None
    if place.uri is None:
        return [types.Location(uri=document.uri, range=convert.to_range(place.span, document.backlog.lines, ls.encoding))]
    # Another file: its line, at its start (its text is not at hand to count columns in).
    start = types.Position(line=place.span.start_line, character=0)
    return [types.Location(uri=place.uri, range=types.Range(start=start, end=start))]


def register(server: BacklogServer) -> None:
    server.feature(types.TEXT_DOCUMENT_HOVER)(when_parsed(_on_hover))
    server.feature(
        types.TEXT_DOCUMENT_COMPLETION, types.CompletionOptions(trigger_characters=completion.TRIGGER_CHARACTERS)
    )(when_parsed(_on_completion))
    server.feature(types.TEXT_DOCUMENT_DOCUMENT_LINK, types.DocumentLinkOptions(resolve_provider=False))(when_parsed(_on_document_link))
    server.feature(types.TEXT_DOCUMENT_DEFINITION)(when_parsed(_on_definition))
