"""The outline (``documentSymbol``) and folding ranges."""

from __future__ import annotations

from typing import Any

from lsprotocol import types

from .. import convert
from ..features import folding, symbols
from .core import BacklogServer
from .protocol import EncodedJson
from .running import when_parsed


async def _on_document_symbol(
    ls: BacklogServer, params: types.DocumentSymbolParams
) -> list[types.DocumentSymbol] | list[types.SymbolInformation] | EncodedJson | None:
    document = ls.documents.get(params.text_document.uri)
    if document is None:
        return None
    backlog, encoding, hierarchical = document.backlog, ls.encoding, ls.hierarchical_symbols
    lines = backlog.lines
    settings = ls.settings.for_document(document)[0]  # read on the loop: the outline may be built on a thread

    def outline() -> list[dict[str, Any]]:
        found = symbols.document_symbols(backlog, settings)
        if hierarchical:
            return convert.document_symbols_json(found, lines, encoding)
        return convert.symbol_information_json(found, document.uri, lines, encoding)

    return await ls.answer_for(document, types.TEXT_DOCUMENT_DOCUMENT_SYMBOL, outline, "The outline")


async def _on_folding_range(
    ls: BacklogServer, params: types.FoldingRangeParams
) -> list[types.FoldingRange] | EncodedJson | None:
    document = ls.documents.get(params.text_document.uri)
    if document is None:
        return None
    limit, backlog = ls.folding_range_limit, document.backlog

    def folds() -> list[dict[str, Any]]:
        return convert.folding_ranges_json(folding.folding_ranges(backlog), limit)

    return await ls.answer_for(document, types.TEXT_DOCUMENT_FOLDING_RANGE, folds, "Folding ranges")


def register(server: BacklogServer) -> None:
    server.feature(types.TEXT_DOCUMENT_DOCUMENT_SYMBOL)(when_parsed(_on_document_symbol))
    server.feature(types.TEXT_DOCUMENT_FOLDING_RANGE)(when_parsed(_on_folding_range))
