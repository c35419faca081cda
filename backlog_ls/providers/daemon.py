"""Blocking IO off the event loop, in threads that never hold up the process's exit.

``asyncio.to_thread`` uses the loop's default executor, whose threads the interpreter joins on
exit: a ``git`` that hangs, or a SQLite cache another window keeps locked, would then keep
``exit`` waiting. ``await in_daemon_thread(function, *args)`` runs ``function`` in a daemon
thread of its own instead; when the loop is gone by the time it returns, the result is dropped.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")


def _settle(future: asyncio.Future, result: Any, error: BaseException | None) -> None:
    if future.done():  # cancelled while the thread ran
        return
    if error is not None:
        future.set_exception(error)
    else:
        future.set_result(result)


async def in_daemon_thread(function: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    loop = asyncio.get_running_loop()
    future: asyncio.Future = loop.create_future()

    def run() -> None:
        result: Any = None
        error: BaseException | None = None
        try:
            result = function(*args, **kwargs)
        except BaseException as problem:  # handed to the awaiting task, which decides
            error = problem
        try:
            loop.call_soon_threadsafe(_settle, future, result, error)
        except RuntimeError:  # the loop closed meanwhile: nobody is waiting any more
            pass

    threading.Thread(target=run, name=f"backlog-ls-{getattr(function, '__name__', 'io')}", daemon=True).start()
    return await future
