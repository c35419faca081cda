"""Models an edit replaced, freed while the server is idle rather than on a keystroke's path.

After an Enter in a 20,000-task backlog the model before it holds some 10,000 copies of items
moved by a line (``parse.shift``) that no newer model shares. Freeing them (reference counting,
in C, holding the interpreter) took 25-35 ms, paid by whichever rule or answer happened to drop
the last reference to the old model: the keystroke after the next. The parser hands every model
it replaces to ``RETIRED``, which keeps it alive; the server frees the retired models once its
own work is done (``release_when_idle``). At most ``KEPT`` wait: the next one frees the oldest at
once, as before, so memory stays bounded when nothing releases them (the command line, the
tests) or when the client never pauses.

A model still held elsewhere (a feature's memory of the document before) is only freed when
that lets go too; in a server that answers every keystroke that is the very next one.
"""

from __future__ import annotations

import collections
import threading
import time
from collections.abc import Callable
from typing import Any

# How many replaced models wait to be freed; each costs the memory of what it alone holds.
KEPT = 2
# How often the releasing thread looks again while the server stays busy.
POLL_SECONDS = 0.005


class Retired:
    """Replaced models, oldest first, kept alive until ``release_one``."""

    def __init__(self, kept: int = KEPT) -> None:
        self._kept = kept
        self._models: collections.deque[Any] = collections.deque()
        self._lock = threading.Lock()
        self.waiting = threading.Event()  # set while a model waits

    def __len__(self) -> int:
        return len(self._models)

    def retire(self, model: Any) -> None:
        with self._lock:
            self._models.append(model)
            oldest = self._models.popleft() if len(self._models) > self._kept else None
            self.waiting.set()
        del oldest  # freed here, when too many wait: outside the lock

    def release_one(self) -> bool:
        """Free the oldest model waiting (whatever it alone held); False when none waits."""
        with self._lock:
            if not self._models:
                self.waiting.clear()
                return False
            model = self._models.popleft()
            if not self._models:
                self.waiting.clear()
        del model
        return True


RETIRED = Retired()


def release_when_idle(busy: Callable[[], bool], retired: Retired = RETIRED, stopped: threading.Event | None = None) -> None:
    """Forever (until ``stopped``): wait for a retired model, then for ``busy()`` to say the server
    is idle, then free one. Runs on a daemon thread of its own (``start_releasing``)."""
    stopped = stopped or threading.Event()
    while not stopped.is_set():
        if not retired.waiting.wait(timeout=1.0):
            continue
        if busy():
            time.sleep(POLL_SECONDS)
            continue
        retired.release_one()


def start_releasing(busy: Callable[[], bool], retired: Retired = RETIRED) -> threading.Thread:
    thread = threading.Thread(target=release_when_idle, args=(busy, retired), name="backlog-ls-release", daemon=True)
    thread.start()
    return thread
