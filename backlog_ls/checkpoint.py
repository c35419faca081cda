"""Points where a long computation on a worker thread lets requests go first, or stops.

Python runs one thread at a time. While a check of a 20,000-task backlog runs its rules on a
worker, a completion or hover that comes in shares the interpreter with it and takes two to
five times as long. The scheduler (``analysis.Scheduler``) therefore gives the worker a hook
to call at these points: it waits there while requests on the document are answered, and
raises ``Superseded`` when the text has changed again, so a check of an old text stops
at once instead of running to its end (as rust-analyzer's queries unwind when an edit comes in).

``reached()`` costs one thread-local lookup where no hook is set: in the CLI, the workspace
index's processes, tests.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable, Iterator

_local = threading.local()


class Superseded(BaseException):
    """The work's answer will be dropped: unwinds to the scheduler.

    A BaseException so that the rules' ``except Exception`` (a failing rule is logged and left
    out) lets it through: a stopped check is not a broken rule.
    """


def reached() -> None:
    """A point where the work may wait for requests, or stop (raising ``Superseded``)."""
    hook = getattr(_local, "hook", None)
    if hook is not None:
        hook()


@contextlib.contextmanager
def hooked(hook: Callable[[], None]) -> Iterator[None]:
    """Call ``hook`` at each point this thread reaches meanwhile."""
    previous = getattr(_local, "hook", None)
    _local.hook = hook
    try:
        yield
    finally:
        _local.hook = previous


# --- requests first, for work that no document's check owns --------------------------------------
#
# A check waits at its points for the requests on its own document (``analysis.Scheduler.serving``).
# Other work on a thread, such as the workspace index summarising an open document after an edit
# (a second at 20,000 tasks, right after the document opens), waits for any request the loop is
# answering: hooked with ``RequestsFirst``, it pauses at its points while ``answering()`` is entered.


class _Answering:
    __slots__ = ("count", "changed")

    def __init__(self) -> None:
        self.count = 0
        self.changed = threading.Condition()


_answering = _Answering()


@contextlib.contextmanager
def answering() -> Iterator[None]:
    """While a request is answered (the server enters this around each request on a document)."""
    with _answering.changed:
        _answering.count += 1
    try:
        yield
    finally:
        with _answering.changed:
            _answering.count -= 1
            _answering.changed.notify_all()


class RequestsFirst:
    """A hook for ``hooked``: at each point, waits while requests are answered, ``budget`` seconds in all
    (past it the work runs beside them: a client that asks without pause still gets it done)."""

    __slots__ = ("_left",)

    def __init__(self, budget: float):
        self._left = budget

    def __call__(self) -> None:
        if not _answering.count or self._left <= 0:  # a plain read: at worst one point late
            return
        started = time.monotonic()
        with _answering.changed:
            _answering.changed.wait_for(lambda: _answering.count == 0, self._left)
        self._left -= time.monotonic() - started
