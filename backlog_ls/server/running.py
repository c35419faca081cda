"""How a handler runs: guarded (a failing feature answers its fallback), after its document is parsed, off the loop for a big document."""

from __future__ import annotations

import asyncio
import inspect
import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from lsprotocol import types

from ..workspace import Document

if TYPE_CHECKING:  # core imports this module
    from .core import BacklogServer

logger = logging.getLogger(__name__)

T = TypeVar("T")

# A request whose answer covers the whole document (outline, folds, links) is computed on a
# thread when the document has more lines than this: 10 MB took seconds, and the loop must go on.
OFF_LOOP_LINES = 5_000


async def off_loop(document: Document, compute: Callable[[], T], what: str, fallback: T) -> T:
    """``compute()`` (guarded), on a thread for a big document, while the loop answers other requests."""
    if len(document.text.lines) <= OFF_LOOP_LINES:
        return guarded(what, compute, fallback)
    return await asyncio.to_thread(guarded, what, compute, fallback)


def guarded(what: str, compute: Callable[[], T], fallback: T) -> T:
    """Run one feature; if it raises, log it and answer ``fallback`` rather than an error."""
    try:
        return compute()
    except Exception:
        logger.exception("%s failed", what)
        return fallback



def show(ls: BacklogServer, kind: types.MessageType, message: str) -> None:
    ls.window_show_message(types.ShowMessageParams(type=kind, message=f"backlog-ls: {message}"))



def when_parsed(handler: Callable[[BacklogServer, Any], Any]) -> Callable[[BacklogServer, Any], Any]:
    """``handler`` (a request on one document) run once that document's newest text is parsed.

    A parsed document, or one short enough to parse on the spot, is answered in the
    task's first step; a big one waits for the worker's parse without holding up the
    loop, so that requests on other documents are answered meanwhile.
    """

    async def when_parsed(ls: BacklogServer, params: Any) -> Any:
        document = ls.documents.get(params.text_document.uri)
        if document is None:
            return await _answer(ls, params)
        with ls.analysis.serving(document):  # before the document's check runs its rules
            if not ls.analysis.parse_now_if_small(document):
                await ls.analysis.parsed(document)
            return await _answer(ls, params)

    async def _answer(ls: BacklogServer, params: Any) -> Any:
        answer = handler(ls, params)
        if inspect.isawaitable(answer):  # a handler that computes off the loop itself (``off_loop``)
            answer = await answer
        return answer

    when_parsed.__name__ = when_parsed.__qualname__ = handler.__name__
    return when_parsed
