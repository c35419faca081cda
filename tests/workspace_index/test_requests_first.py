"""The workspace index's summary of an edited document lets the server's requests go first.

Right after a 20,000-task document opens, the index summarises it on its own thread (about a
second); a completion or hover that comes meanwhile shared the interpreter with it and took twice
as long. The summary now waits at its points (every 32 blocks) while a request is answered
(``checkpoint.answering``, entered by the server around each request on a document), at most
``REQUESTS_FIRST_SECONDS`` in all.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path

from backlog_ls import checkpoint
from backlog_ls.parse import parse
from backlog_ls.providers import workspace_index
from backlog_ls.providers.workspace_index import IndexProvider
from backlog_ls.workspace_index import WorkspaceIndex, summarize

TIMEOUT = 10.0
BIG = parse("".join(f"## Phase {n}\n\n- [ ] Task {n}.1 (#{n})\n- [x] Task {n}.2\n\n" for n in range(800)))


def _wait(condition, seconds: float = TIMEOUT) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "not in time"
        time.sleep(0.005)


class Points:
    """A hook that counts the points reached and hands each to ``then``."""

    def __init__(self, then):
        self.reached, self.then = 0, then

    def __call__(self) -> None:
        self.reached += 1
        self.then()


def test_a_summary_waits_at_its_points_while_a_request_is_answered_and_then_finishes_the_same():
    points = Points(checkpoint.RequestsFirst(TIMEOUT))
    found = []
    summarising = threading.Thread(target=lambda: found.append(_hooked(points, BIG)), daemon=True)
    with checkpoint.answering():  # a completion being answered
        summarising.start()
        _wait(lambda: points.reached >= 1)
        time.sleep(0.2)
        assert points.reached == 1 and not found  # held at its first point
    summarising.join(TIMEOUT)
    assert points.reached >= 1600 // 32  # then it goes on, point after point
    assert found == [summarize(BIG)]


def _hooked(hook, backlog):
    with checkpoint.hooked(hook):
        return summarize(backlog)


def test_a_summary_waits_for_requests_only_so_long_in_all():
    started = time.monotonic()
    with checkpoint.answering():  # a client that never stops asking
        found = _hooked(checkpoint.RequestsFirst(0.2), BIG)
    assert found == summarize(BIG)
    assert time.monotonic() - started < TIMEOUT / 2


def test_without_a_request_the_points_do_not_wait():
    started = time.monotonic()
    _hooked(checkpoint.RequestsFirst(TIMEOUT), BIG)
    assert time.monotonic() - started < TIMEOUT / 2


def test_the_index_thread_summarises_an_edited_document_once_no_request_is_answered(tmp_path, monkeypatch):
    monkeypatch.setattr(workspace_index, "LIVE_DELAY_SECONDS", 0.01)
    index = WorkspaceIndex()
    provider = IndexProvider(index, lambda path: None, lambda path: Path(path).as_uri())
    uri = (tmp_path / "PLAN.md").as_uri()
    try:
        with checkpoint.answering():
            provider.document_edited(uri, 1, BIG)
            time.sleep(0.3)
            assert index.get(uri) is None  # waiting at a point for the request
        _wait(lambda: index.get(uri) is not None)
        assert index.get(uri) == summarize(BIG)
    finally:
        provider.stop()
