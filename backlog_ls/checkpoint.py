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
