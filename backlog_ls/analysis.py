"""Parsing and checking open documents off the request path, newest version only.

The server's event loop only edits text (``workspace.Document``) and answers
requests; each open document is parsed and checked on a worker thread, one job
per document at a time, so that a 10 MB document being read never holds up a
hover on another. A job that finds its document edited again stops before its rules
and a fresh one starts from the newest text; a result is delivered only while
its revision is the document's newest, so a published
diagnostic never claims a version newer than the text it describes. A text is checked
once: requests that wait for its parse meanwhile start no second check, and they are
answered before the check runs its rules (``Scheduler.serving``).

Python runs one thread at a time, so the workers give the loop the interpreter
often: the parser takes mistletoe's lock per top-level block and the scheduler
shortens the interpreter's switch interval (``benchmarks/big_document.py``
measures what a hover on a small document waits for meanwhile).

Nothing here knows LSP: the server passes in how to gather a document's inputs
(on the loop), how to check it (on a worker) and what to do with a result.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import queue
import sys
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future
from typing import Any

import attrs

from . import checkpoint
from .model import Backlog
from .workspace import Document, Snapshot, Workspace

logger = logging.getLogger(__name__)

# How long the loop may wait for a worker to hand back the interpreter (the default is 5 ms):
# a request on the loop waits at most this at each of its few steps.
SWITCH_INTERVAL_SECONDS = 0.001
# Two workers: a huge document occupies one, every other document shares the other.
WORKERS = 2
# A request on a document that is being parsed waits for that parse; after this many newer
# revisions it stops waiting and parses on the spot.
PARSE_WAITS = 3
# A document this short is parsed on the spot when a request needs it (some 50 ms at most):
# a request answered at once needs no task, and cannot be overtaken by ``exit``.
PARSE_NOW_LINES = 1_000
# How long a check, once its text is parsed, lets the requests on that document go first (see
# ``Scheduler.serving``); past this it runs beside them.
REQUESTS_FIRST_SECONDS = 0.5


# How long in all a check may wait, at its checkpoints, for requests that came in while it ran:
# a client that asks without pause still gets its diagnostics.
REQUESTS_BETWEEN_SECONDS = 0.5


class DocumentClosed(Exception):
    """A request waited for a document that was closed (or the server stopped) meanwhile."""


class PullSuperseded(Exception):
    """A newer request for the same document's diagnostics came in: this one is answered as
    cancelled at once (the client gets the newest answer once, not every older one late)."""


class Workers:
    """A few daemon threads running submitted calls: a parse in flight never delays the process's exit."""

    def __init__(self, count: int, name: str = "backlog-ls analysis"):
        self._queue: queue.SimpleQueue[tuple[Callable[[], Any], Future] | None] = queue.SimpleQueue()
        self._threads = [threading.Thread(target=self._run, name=f"{name} {n + 1}", daemon=True) for n in range(count)]
        for thread in self._threads:
            thread.start()

    def submit(self, call: Callable[[], Any]) -> Future:
        future: Future = Future()
        self._queue.put((call, future))
        return future

    def _run(self) -> None:
        while (work := self._queue.get()) is not None:
            _run_one(*work)
            # Nothing of a call outlives it here while the thread waits for the next one: a check's
            # call holds its model, and freed only when the next call came, that model's moved
            # copies cost the next keystroke's check 25-35 ms at 20,000 tasks (``retired``).
            work = None

    def stop(self) -> None:
        for _ in self._threads:
            self._queue.put(None)


def _run_one(call: Callable[[], Any], future: Future) -> None:
    if not future.set_running_or_notify_cancel():
        return
    try:
        future.set_result(call())
    except BaseException as error:  # handed to whoever waits on the future
        future.set_exception(error)


@attrs.frozen
class Result:
    """What one job found for one revision of a document, under one generation of the settings."""

    revision: int
    version: int | None
    generation: int
    value: Any  # what ``check`` returned (the server's diagnostics and findings)


# ``check(document, snapshot, backlog, inputs, superseded)`` runs on a worker; ``superseded()``
# tells it that its answer will be dropped, so it may stop early (returning None).
Check = Callable[[Document, Snapshot, Backlog, Any, Callable[[], bool]], Any]


class _State:
    """One open document's scheduling: its job in flight, whether another is due, who waits."""

    __slots__ = (
        "document", "timer", "job", "again", "result", "parse_waiters", "result_waiters", "pulls", "pull_waiter", "serving", "served"
    )

    def __init__(self, document: Document):
        self.document = document
        self.timer: asyncio.TimerHandle | None = None
        self.job: Future | None = None
        self.again = False
        self.result: Result | None = None
        self.parse_waiters: list[tuple[int, asyncio.Future]] = []
        self.result_waiters: list[tuple[int, int, asyncio.Future]] = []
        self.pulls = 0  # how many diagnostics requests came for this document: the last one is served
        self.pull_waiter: asyncio.Future | None = None  # what the newest of them waits on
        self.serving = 0  # requests on the document being answered (``Scheduler.serving``)
        self.served = threading.Condition()  # notified when that count falls, or the text changes


class Scheduler:
    """Runs ``check`` for each open document on the workers, always for its newest text.

    ``inputs(document)`` runs on the loop when a job starts (settings, trackers: what the
    check needs from the server); ``deliver(document, result)`` runs on the loop with
    every result whose text is still the document's newest. ``generation()`` names the
    settings and tracker data in force: a result of an older one is delivered too (the
    check the change asked for follows), but ``result`` and a pull wait for the newest.
    """

    def __init__(
        self,
        documents: Workspace,
        check: Check,
        inputs: Callable[[Document], Any],
        deliver: Callable[[Document, Result], None],
        generation: Callable[[], int],
        delay: float,
        workers: int = WORKERS,
    ):
        self._documents, self.delay = documents, delay
        self._check, self._inputs, self._deliver, self._generation = check, inputs, deliver, generation
        self._states: dict[str, _State] = {}
        self._workers: Workers | None = None  # started with the first check
        self._worker_count = workers
        self._loop: asyncio.AbstractEventLoop | None = None

    # --- on the loop ------------------------------------------------------------------------

    def changed(self, document: Document) -> None:
        """The document's text or its settings changed: check it again shortly (a burst of
        edits starts one job, for the newest text)."""
        state = self._state(document)
        if state.timer is not None:
            state.timer.cancel()
        loop = self._running_loop()
        state.timer = loop.call_later(self.delay, self._start, state)
        with state.served:  # a check waiting for the requests on the older text stops waiting
            state.served.notify_all()

    def forget(self, uri: str) -> None:
        """The document closed: nothing more is delivered for it (a job in flight runs out)."""
        state = self._states.pop(uri, None)
        if state is None:
            return
        if state.timer is not None:
            state.timer.cancel()
        for _, waiter in state.parse_waiters:
            waiter.cancel()
        for _, _, waiter in state.result_waiters:
            waiter.cancel()
        with state.served:  # a check waiting for its requests stops waiting (and finds itself superseded)
            state.served.notify_all()

    def result(self, document: Document) -> Result | None:
        """The newest result delivered for the document, if it is still current."""
        state = self._states.get(document.uri)
        if state is None or state.document is not document or state.result is None:
            return None
        current = state.result
        if current.revision != document.revision or current.generation != self._generation():
            return None
        return current

    def parse_now_if_small(self, document: Document) -> bool:
        """Whether the document's backlog is ready: parsed already, or short enough to parse now."""
        if not document.parsed and len(document.text.lines) <= PARSE_NOW_LINES:
            document.backlog  # noqa: B018 - parsed here, on the loop: a few milliseconds
        return document.parsed

    async def parsed(self, document: Document) -> None:
        """Wait (without holding up the loop) until the document's backlog is parsed.

        Raises ``DocumentClosed`` when the document closes meanwhile.
        """
        for _ in range(PARSE_WAITS):
            if document.parsed:
                return
            if self._documents.get(document.uri) is not document:
                raise DocumentClosed(document.uri)
            state = self._state(document)
            waiter = self._running_loop().create_future()
            state.parse_waiters.append((document.revision, waiter))
            self._start_now(state)
            try:
                await waiter
            except asyncio.CancelledError:
                raise DocumentClosed(document.uri) from None

    def busy(self) -> bool:
        """Whether a check is due or running, or a request on a document is being answered (any thread:
        plain reads, at worst a moment late). Background work (the workspace index) waits for this."""
        for state in list(self._states.values()):
            job = state.job
            if state.serving or state.timer is not None or (job is not None and not job.done()):
                return True
        return False

    @contextlib.contextmanager
    def serving(self, document: Document) -> Iterator[None]:
        """While a request on ``document`` is answered (from its wait for the parse to its answer).

        A check waits for these before it runs its rules (at most ``REQUESTS_FIRST_SECONDS``):
        after a keystroke the editor asks for the outline, folds, links and hints, which need
        only the parse, and a diagnostics pull, which needs the check. Run side by side, the
        threads share one interpreter and every answer comes at the end; the requests first,
        their answers leave (and the editor reads them) while the rules run.
        """
        state = self._state(document) if self._documents.get(document.uri) is document else None
        if state is not None:
            with state.served:
                state.serving += 1
        try:
            yield
        finally:
            if state is not None:
                with state.served:
                    state.serving -= 1
                    state.served.notify_all()

    async def current_result(self, document: Document, *, newest_only: bool = False) -> Result | None:
        """Wait for a result of the document's current text under the settings in force when
        asked (a pull request; if the settings change meanwhile, the client is asked to pull again).

        ``newest_only``: a diagnostics pull, which a newer pull of the same document supersedes:
        the older one then raises ``PullSuperseded`` at once instead of waiting for its result.
        A client that pulls after every key of a burst so gets one answer, for the last key.
        """
        generation = self._generation()
        turn = None
        if newest_only and self._documents.get(document.uri) is document:
            state = self._state(document)
            state.pulls += 1
            turn = state.pulls
            if state.pull_waiter is not None and not state.pull_waiter.done():
                state.pull_waiter.set_result(None)  # the older pull wakes, finds itself superseded

        def superseded() -> bool:
            found = self._states.get(document.uri)
            return turn is not None and found is not None and found.pulls != turn

        for _ in range(PARSE_WAITS):
            if superseded():
                raise PullSuperseded(document.uri)
            found = self._states.get(document.uri)
            result = found.result if found is not None and found.document is document else None
            if result is not None and result.revision == document.revision and result.generation >= generation:
                return result
            if self._documents.get(document.uri) is not document:
                return None
            state = self._state(document)
            waiter = self._running_loop().create_future()
            state.result_waiters.append((document.revision, generation, waiter))
            if turn is not None:
                state.pull_waiter = waiter
            self._start_now(state)
            try:
                await waiter
            except asyncio.CancelledError:
                return None  # closed meanwhile
        if superseded():
            raise PullSuperseded(document.uri)
        return self.result(document)

    def stop(self) -> None:
        for uri in list(self._states):
            self.forget(uri)
        if self._workers is not None:
            self._workers.stop()
            self._workers = None

    def _state(self, document: Document) -> _State:
        state = self._states.get(document.uri)
        if state is None or state.document is not document:
            if state is not None:
                self.forget(document.uri)
            state = self._states[document.uri] = _State(document)
        return state

    def _running_loop(self) -> asyncio.AbstractEventLoop:
        loop = self._loop = asyncio.get_running_loop()
        return loop

    def _start_now(self, state: _State) -> None:
        if state.timer is not None:
            state.timer.cancel()
            state.timer = None
        if state.job is None:
            self._start(state)
        else:
            state.again = True

    def _start(self, state: _State) -> None:
        state.timer = None
        document = state.document
        if self._states.get(document.uri) is not state:
            return
        if state.job is not None:
            state.again = True  # started again when the job in flight is done
            return
        state.again = False
        generation = self._generation()
        if self._checked_already(state, generation):
            # A request that waited while the job in flight checked this very text asked for
            # another job: its answer is here already (a second check would find the same).
            self._parsed(state, document.revision)
            self._wake_result_waiters(state, state.result)  # type: ignore[arg-type]
            return
        snapshot = document.snapshot()
        try:
            inputs = self._inputs(document)
        except Exception:
            logger.exception("Could not gather what checking %s needs", document.uri)
            inputs = None
        if self._workers is None:
            sys.setswitchinterval(SWITCH_INTERVAL_SECONDS)
            self._workers = Workers(self._worker_count)
        loop = self._running_loop()
        job = self._workers.submit(lambda: self._work(state, snapshot, inputs, generation, loop))
        state.job = job
        job.add_done_callback(lambda done: loop.call_soon_threadsafe(self._finished, state, done))

    @staticmethod
    def _checked_already(state: _State, generation: int) -> bool:
        """Whether the result delivered is of the document's current text, version and settings."""
        result, document = state.result, state.document
        return (
            result is not None
            and document.parsed
            and result.revision == document.revision
            and result.version == document.version
            and result.generation == generation
        )

    def _finished(self, state: _State, job: Future) -> None:
        state.job = None
        try:
            result = job.result()
        except Exception:
            logger.exception("Checking %s failed", state.document.uri)
            result = None
        document = state.document
        if self._states.get(document.uri) is not state:
            return
        # A result computed under older settings or tracker data is still right for its text, and
        # the check those changes asked for follows: deliver it rather than keep the user waiting.
        if result is not None and result.revision == document.revision:
            state.result = result
            try:
                self._deliver(document, result)
            except Exception:
                logger.exception("Could not deliver the diagnostics of %s", document.uri)
            self._wake_result_waiters(state, result)
        # Whatever made this result stale (an edit, a settings change) asked for another check:
        # started now if it came while this one ran, else its timer starts it.
        if state.again:
            self._start(state)

    def _parsed(self, state: _State, revision: int) -> None:
        waiting = []
        for wanted, waiter in state.parse_waiters:
            if wanted <= revision:
                if not waiter.done():
                    waiter.set_result(None)
            else:
                waiting.append((wanted, waiter))
        state.parse_waiters = waiting

    def _wake_result_waiters(self, state: _State, result: Result) -> None:
        waiting = []
        for revision, generation, waiter in state.result_waiters:
            if revision <= result.revision and generation <= result.generation:
                if not waiter.done():
                    waiter.set_result(None)
            else:
                waiting.append((revision, generation, waiter))
        state.result_waiters = waiting

    # --- on a worker ------------------------------------------------------------------------

    def _work(
        self, state: _State, snapshot: Snapshot, inputs: Any, generation: int, loop: asyncio.AbstractEventLoop
    ) -> Result | None:
        document = state.document
        revision, backlog = document.parser.parse()
        if not loop.is_closed():
            loop.call_soon_threadsafe(self._parsed, state, revision)

        def superseded() -> bool:
            # Plain attribute reads: safe from this thread, and at worst a moment late.
            return document.revision != revision or self._states.get(document.uri) is not state

        if revision != snapshot.revision or superseded():
            return None
        requests_first = _RequestsFirst(state, superseded)
        requests_first.wait(REQUESTS_FIRST_SECONDS)
        if superseded():
            return None
        try:
            with checkpoint.hooked(requests_first):
                value = self._check(document, snapshot, backlog, inputs, superseded)
        except checkpoint.Superseded:
            return None
        if value is None or superseded():
            return None
        return Result(revision, snapshot.version, generation, value)


class _RequestsFirst:
    """A check's ``checkpoint`` hook: it waits while requests on its document are answered (for
    ``REQUESTS_BETWEEN_SECONDS`` in all), and stops the check once a newer text supersedes it."""

    __slots__ = ("_state", "_superseded", "_left")

    def __init__(self, state: _State, superseded: Callable[[], bool]):
        self._state = state
        self._superseded = superseded
        self._left = REQUESTS_BETWEEN_SECONDS

    def wait(self, seconds: float) -> None:
        """Until no request on the document is being answered, the text is superseded, or ``seconds`` pass."""
        state = self._state
        with state.served:
            state.served.wait_for(lambda: state.serving == 0 or self._superseded(), seconds)

    def __call__(self) -> None:
        if self._state.serving and self._left > 0:  # a plain read: at worst one point late
            started = time.monotonic()
            self.wait(self._left)
            self._left -= time.monotonic() - started
        if self._superseded():
            raise checkpoint.Superseded
