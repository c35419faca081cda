"""Replaced models are freed when the server is idle (``retired``), and never more than a few wait."""

from __future__ import annotations

import gc
import threading
import time
import weakref

from backlog_ls import retired
from backlog_ls.retired import Retired, release_when_idle
from backlog_ls.workspace import Document


class Model:
    """Stands for a Backlog: something only the retired list holds."""


def test_a_retired_model_lives_until_released() -> None:
    waiting = Retired(kept=2)
    model = Model()
    alive = weakref.ref(model)
    waiting.retire(model)
    del model
    gc.collect()
    assert alive() is not None and len(waiting) == 1 and waiting.waiting.is_set()
    assert waiting.release_one() is True
    assert alive() is None
    assert not waiting.waiting.is_set() and waiting.release_one() is False


def test_beyond_the_bound_the_oldest_is_freed_at_once() -> None:
    waiting = Retired(kept=2)
    models = [Model() for _ in range(3)]
    refs = [weakref.ref(model) for model in models]
    for model in models:
        waiting.retire(model)
    del models, model
    assert [ref() is None for ref in refs] == [True, False, False]
    assert len(waiting) == 2


def test_a_document_retires_the_model_an_edit_replaced(monkeypatch) -> None:
    waiting = Retired(kept=2)
    monkeypatch.setattr("backlog_ls.workspace.RETIRED", waiting)
    document = Document("file:///b.md", "# Plan\n\n- [ ] one\n- [ ] two\n\nText.\n", 1)
    last_block = weakref.ref(document.backlog.blocks[-1])  # moved by the Enter above it: a new copy
    document.apply_change((2, 0), (2, 0), "\n")
    backlog = document.backlog
    assert backlog.blocks[-1] is not last_block() and [task.text for task in backlog.tasks()] == ["one", "two"]
    gc.collect()
    assert last_block() is not None and len(waiting) == 1  # still alive: freed later, not by this parse
    waiting.release_one()
    assert last_block() is None
    document.apply_change((0, 2), (0, 2), "x")
    assert document.backlog.headings[0].title == "xPlan" and len(waiting) == 1  # the second model, in turn


def test_released_only_while_the_server_is_idle() -> None:
    waiting = Retired(kept=4)
    busy = threading.Event()
    busy.set()
    stopped = threading.Event()
    thread = threading.Thread(target=release_when_idle, args=(busy.is_set, waiting, stopped), daemon=True)
    thread.start()
    try:
        model = Model()
        alive = weakref.ref(model)
        waiting.retire(model)
        del model
        time.sleep(20 * retired.POLL_SECONDS)
        assert alive() is not None, "freed while the server was busy"
        busy.clear()
        deadline = time.monotonic() + 5
        while alive() is not None and time.monotonic() < deadline:
            time.sleep(retired.POLL_SECONDS)
        assert alive() is None and len(waiting) == 0
    finally:
        stopped.set()
        waiting.retire(Model())  # wakes the thread to see ``stopped``
        thread.join(timeout=5)
    assert not thread.is_alive()


def _freed_soon(alive: weakref.ref) -> bool:
    deadline = time.monotonic() + 5
    while alive() is not None and time.monotonic() < deadline:
        time.sleep(0.01)
    return alive() is None


def test_an_analysis_worker_keeps_nothing_of_its_last_call_while_it_waits() -> None:
    """A check's call holds its model: kept in the waiting thread's frame, that model would be
    freed by the next call, on the next keystroke's path, instead of when the server is idle."""
    from backlog_ls.analysis import Workers

    workers = Workers(1, name="test analysis")
    try:
        model = Model()
        alive = weakref.ref(model)
        future = workers.submit(lambda model=model: type(model).__name__)
        del model
        assert future.result(timeout=5) == "Model"
        del future
        assert _freed_soon(alive), "the worker thread still holds its last call"
    finally:
        workers.stop()


def test_a_provider_worker_keeps_nothing_of_its_last_job_while_it_waits() -> None:
    from backlog_ls.providers.daemon import Worker

    done = threading.Event()
    worker = Worker("test provider", lambda job: done.set())
    try:
        model = Model()
        alive = weakref.ref(model)
        worker.post(("file", model))
        del model
        assert done.wait(5)
        assert _freed_soon(alive), "the worker thread still holds its last job"
    finally:
        worker.stop()
