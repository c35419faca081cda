"""Blocking IO off the event loop, in threads that never hold up the process's exit; and the
hook by which background work on a provider's thread gives way to the server's (``giving_way``).

``asyncio.to_thread`` uses the loop's default executor, whose threads the interpreter joins on
exit: a ``git`` that hangs, or a SQLite cache another window keeps locked, would then keep
``exit`` waiting. ``await in_daemon_thread(function, *args)`` runs ``function`` in a daemon
thread of its own instead; when the loop is gone by the time it returns, the result is dropped.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")

# How long background work waits for the server's own work at one point (``giving_way``).
GIVE_WAY_SECONDS = 0.05


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


class Worker:
    """One daemon thread running the jobs posted to it, in order; started by the first job.

    ``run(job)`` does one job; one that raises is logged and the next one runs.
    """

    def __init__(self, name: str, run: Callable[[Any], None]):
        import queue

        self._name = name
        self._do = run
        self._jobs: queue.SimpleQueue[Any] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self.stopped = threading.Event()

    def post(self, job: Any) -> None:
        if self.stopped.is_set():
            return
        self._jobs.put(job)
        with self._lock:
            if self._thread is None:
                self._thread = threading.Thread(target=self._loop, name=self._name, daemon=True)
                self._thread.start()

    def stop(self) -> None:
        self.stopped.set()
        self._jobs.put(_STOP)

    def _loop(self) -> None:
        import logging

        while not self.stopped.is_set():
            job = self._jobs.get()
            if job is _STOP:
                return
            try:
                self._do(job)
            except Exception:  # a provider never takes the server down
                logging.getLogger(__name__).exception("%s failed on %r", self._name, job)
            job = None  # a job's model is not kept while the thread waits for the next (``retired``)


_STOP = object()


def giving_way(busy: Callable[[], bool]) -> Callable[[], None]:
    """A ``checkpoint`` hook for background work on a provider's thread: at each point it waits
    while ``busy()`` (the server checks a document, answers a request, or a client's messages keep
    coming), for ``GIVE_WAY_SECONDS`` at most, then goes on to the next point. The first summary
    of a 20,000-task file is ~0.6 s of Python; run beside a keystroke's check, each had half the
    interpreter. While a user types, the work runs in the pauses between keys; under a client
    that never pauses it still moves on, a step at a time."""

    def give_way() -> None:
        if busy():
            deadline = time.monotonic() + GIVE_WAY_SECONDS
            while busy() and time.monotonic() < deadline:
                time.sleep(0.005)

    return give_way
