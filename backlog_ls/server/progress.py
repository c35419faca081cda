"""Progress and dependencies in the editor: each section's and parent task's progress as inlay hints
or code lenses (``progress = "inlay" | "lens" | "off"``, ``features/progress.py``), and the "Go to
the blocker" command a BL601 quick fix runs. Each handler reads the parsed document and its
settings and converts; the counting is remembered per block, so a request after a keystroke
re-tallies only the blocks the edit re-parsed.
"""

from __future__ import annotations

import logging
from typing import Any

from lsprotocol import types

from .. import convert
from ..features import progress
from .core import BacklogServer
from .running import guarded, when_parsed

logger = logging.getLogger(__name__)

INLAY = "inlay"
LENS = "lens"


def _marks(ls: BacklogServer, uri: str, shown_as: str, first: int = 0, last: int | None = None):
    document = ls.documents.get(uri)
    if document is None:
        return None, None
    settings = ls.settings.for_document(document)[0]
    if settings.progress != shown_as:
        return document, []
    backlog = document.backlog
    found = guarded("Progress", lambda: progress.marks(backlog, settings, first, last), [])
    return document, found


def on_inlay_hint(ls: BacklogServer, params: types.InlayHintParams) -> list[types.InlayHint] | None:
    document, found = _marks(ls, params.text_document.uri, INLAY, params.range.start.line, params.range.end.line)
    if document is None:
        return None
    return convert.progress_inlay_hints(found, document.backlog.lines, ls.encoding)


def on_code_lens(ls: BacklogServer, params: types.CodeLensParams) -> list[types.CodeLens] | None:
    document, found = _marks(ls, params.text_document.uri, LENS)
    if document is None:
        return None
    return convert.progress_code_lenses(found, document.backlog.lines, ls.encoding)


async def show_location(ls: BacklogServer, *arguments: Any) -> bool:
    """``backlog-ls.showLocation URI RANGE``: ask the client to show that place (window/showDocument)."""
    params = convert.show_document_params(*arguments[:2]) if len(arguments) >= 2 else None
    if params is None:
        return False
    window = ls.client_capabilities.window
    if not (window and window.show_document and window.show_document.support):
        return False
    try:
        answer = await ls.window_show_document_async(params)
    except Exception:
        logger.warning("The client could not show %s", params.uri, exc_info=True)
        return False
    return bool(answer and answer.success)


def register(server: BacklogServer) -> None:
    server.feature(types.TEXT_DOCUMENT_INLAY_HINT, types.InlayHintOptions(resolve_provider=False))(when_parsed(on_inlay_hint))
    server.feature(types.TEXT_DOCUMENT_CODE_LENS, types.CodeLensOptions(resolve_provider=False))(when_parsed(on_code_lens))
    server.command(convert.SHOW_LOCATION_COMMAND)(show_location)
