"""``textDocument/formatting`` and ``rangeFormatting``."""

from __future__ import annotations

from lsprotocol import types

from .. import convert
from ..features import formatting
from .core import BacklogServer
from .running import guarded, when_parsed


def _on_formatting(ls: BacklogServer, params: types.DocumentFormattingParams) -> list[types.TextEdit] | None:
    document = ls.documents.get(params.text_document.uri)
    if document is None:
        return None
    edits = guarded("Formatting", lambda: formatting.format_lines(document.lines), [])
    return convert.text_edits(edits, document.lines, ls.encoding)


def _on_range_formatting(ls: BacklogServer, params: types.DocumentRangeFormattingParams) -> list[types.TextEdit] | None:
    document = ls.documents.get(params.text_document.uri)
    if document is None:
        return None
    first, last = params.range.start.line, params.range.end.line
    if last > first and params.range.end.character == 0:
        last -= 1  # whole lines selected: the range ends at the start of the next one
    edits = guarded("Range formatting", lambda: formatting.format_lines(document.lines, first, last), [])
    return convert.text_edits(edits, document.lines, ls.encoding)


def register(server: BacklogServer) -> None:
    server.feature(types.TEXT_DOCUMENT_FORMATTING)(when_parsed(_on_formatting))
    server.feature(types.TEXT_DOCUMENT_RANGE_FORMATTING)(when_parsed(_on_range_formatting))
