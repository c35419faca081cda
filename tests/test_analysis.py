"""The analysis scheduler: checks run on workers, for the newest text only, and requests wait without blocking.

The check here is a stand-in that can be held (an Event) so that a test can edit the
document while a check is in flight, as a user types while a big document is read.
"""

from __future__ import annotations

import asyncio
import threading
import time

import pytest

from backlog_ls import analysis, checkpoint
from backlog_ls.analysis import DocumentClosed, Scheduler
from backlog_ls.workspace import Workspace

TIMEOUT = 10.0


class Recorder:
    """Counts the tasks of each checked text; can hold every check until released."""

    def __init__(self) -> None:
        self.release = threading.Event()
        self.release.set()
        self.started = threading.Event()
        self.delivered: list[tuple[int | None, int]] = []  # (version, tasks) of each delivered result

    def check(self, document, snapshot, backlog, inputs, superseded):
        self.started.set()
        assert self.release.wait(TIMEOUT)
        if superseded():
            return None
        return len(backlog.task_list)

    def deliver(self, document, result) -> None:
        self.delivered.append((result.version, result.value))


def _scheduler(documents: Workspace, recorder: Recorder, generation=lambda: 0) -> Scheduler:
    return Scheduler(documents, recorder.check, lambda document: None, recorder.deliver, generation, delay=0.001)


async def _until(condition, timeout: float = TIMEOUT) -> None:
    async def poll() -> None:
        while not condition():
            await asyncio.sleep(0.005)

    await asyncio.wait_for(poll(), timeout)


async def test_a_check_in_flight_when_the_text_changes_is_dropped_and_the_newest_text_is_delivered():
    documents, recorder = Workspace(), Recorder()
    scheduler = _scheduler(documents, recorder)
    document = documents.open("file:///b.md", "- [ ] one\n", 1)
    recorder.release.clear()
    scheduler.changed(document)
    await asyncio.get_running_loop().run_in_executor(None, recorder.started.wait, TIMEOUT)
    for version in (2, 3, 4):  # typed while the first check is held
        document.apply_change((version - 1, 0), (version - 1, 0), f"- [ ] task {version}\n")
        document.version = version
        scheduler.changed(document)
    recorder.release.set()
    await _until(lambda: recorder.delivered and recorder.delivered[-1][0] == 4)
    # Version 1's result came back after the text had changed: never delivered.
    assert recorder.delivered == [(4, 4)]
    assert scheduler.result(document).version == 4
    scheduler.stop()


async def test_a_request_waits_for_the_parse_without_holding_up_the_loop():
    documents, recorder = Workspace(), Recorder()
    scheduler = _scheduler(documents, recorder)
    document = documents.open("file:///big.md", "".join(f"- [ ] t{i}\n" for i in range(3_000)), 1)
    assert not document.parsed
    ticks = 0

    async def tick() -> None:
        nonlocal ticks
        while not document.parsed:
            ticks += 1
            await asyncio.sleep(0)

    await asyncio.wait_for(asyncio.gather(scheduler.parsed(document), tick()), TIMEOUT)
    assert document.parsed and len(document.backlog.task_list) == 3_000
    assert ticks > 0  # the loop ran other work while the worker parsed
    scheduler.stop()


async def test_a_request_on_a_document_closed_meanwhile_is_told_so():
    documents, recorder = Workspace(), Recorder()
    scheduler = _scheduler(documents, recorder)
    document = documents.open("file:///big.md", "".join(f"- [ ] t{i}\n" for i in range(20_000)), 1)
    waiting = asyncio.ensure_future(scheduler.parsed(document))
    await asyncio.sleep(0)
    documents.close(document.uri)
    scheduler.forget(document.uri)
    with pytest.raises(DocumentClosed):
        await asyncio.wait_for(waiting, TIMEOUT)
    scheduler.stop()


async def test_a_result_under_older_settings_is_delivered_and_checked_again():
    documents, recorder = Workspace(), Recorder()
    generation = [0]
    scheduler = _scheduler(documents, recorder, lambda: generation[0])
    document = documents.open("file:///b.md", "- [ ] one\n", 1)
    recorder.release.clear()
    scheduler.changed(document)
    await asyncio.get_running_loop().run_in_executor(None, recorder.started.wait, TIMEOUT)
    generation[0] = 1  # the tracker's data arrived while the first check ran
    scheduler.changed(document)
    recorder.release.set()
    await _until(lambda: scheduler.result(document) is not None)
    assert [version for version, _ in recorder.delivered] == [1, 1]
    assert (await scheduler.current_result(document)).generation == 1
    scheduler.stop()


async def test_a_pull_after_every_key_is_answered_once_for_the_last_key_and_the_older_pulls_at_once():
    documents, recorder = Workspace(), Recorder()
    scheduler = _scheduler(documents, recorder)
    document = documents.open("file:///b.md", "- [ ] one\n", 1)
    recorder.release.clear()  # the check is slower than the typing
    pulls = []
    for version in (2, 3, 4, 5):
        document.apply_change((version - 1, 0), (version - 1, 0), f"- [ ] task {version}\n")
        document.version = version
        scheduler.changed(document)
        pulls.append(asyncio.ensure_future(scheduler.current_result(document, newest_only=True)))
        await asyncio.sleep(0)

    # Before any check has finished, every pull but the last is answered: superseded.
    superseded = await asyncio.wait_for(asyncio.gather(*pulls[:-1], return_exceptions=True), TIMEOUT)
    assert [type(answer).__name__ for answer in superseded] == ["PullSuperseded"] * 3
    assert not pulls[-1].done()
    recorder.release.set()
    newest = await asyncio.wait_for(pulls[-1], TIMEOUT)
    assert (newest.version, newest.value) == (5, 5)
    scheduler.stop()


async def test_a_pull_is_not_superseded_by_a_pull_of_another_document_nor_by_an_edit():
    documents, recorder = Workspace(), Recorder()
    scheduler = _scheduler(documents, recorder)
    first = documents.open("file:///a.md", "- [ ] one\n", 1)
    second = documents.open("file:///b.md", "- [ ] one\n- [ ] two\n", 1)
    recorder.release.clear()
    pull = asyncio.ensure_future(scheduler.current_result(first, newest_only=True))
    await asyncio.sleep(0)
    other = asyncio.ensure_future(scheduler.current_result(second, newest_only=True))
    first.apply_change((1, 0), (1, 0), "- [ ] two\n")
    first.version = 2
    scheduler.changed(first)
    recorder.release.set()

    answers = await asyncio.wait_for(asyncio.gather(pull, other), TIMEOUT)

    assert [(answer.version, answer.value) for answer in answers] == [(2, 2), (1, 2)]
    scheduler.stop()


async def test_requests_that_wait_while_the_text_is_checked_get_that_check_and_cause_no_second_one():
    # What VS Code sends after a keystroke: a pull, then outline, folds, links... each waiting for
    # the parse of the text the pull's check is reading. One check answers them all.
    documents, recorder = Workspace(), Recorder()
    scheduler = _scheduler(documents, recorder)
    document = documents.open("file:///big.md", "".join(f"- [ ] t{i}\n" for i in range(3_000)), 1)
    recorder.release.clear()
    pull = asyncio.ensure_future(scheduler.current_result(document, newest_only=True))
    waits = [asyncio.ensure_future(scheduler.parsed(document)) for _ in range(4)]
    await asyncio.get_running_loop().run_in_executor(None, recorder.started.wait, TIMEOUT)
    recorder.release.set()
    await asyncio.wait_for(asyncio.gather(*waits), TIMEOUT)
    answer = await asyncio.wait_for(pull, TIMEOUT)
    assert (answer.version, answer.value) == (1, 3_000)
    await asyncio.sleep(0.05)  # a second check, had one been started, would have delivered by now
    assert recorder.delivered == [(1, 3_000)]

    # An edit is checked again, and a pull after it gets the new text's answer.
    document.apply_change((0, 0), (0, 0), "- [ ] new\n")
    document.version = 2
    scheduler.changed(document)
    answer = await asyncio.wait_for(scheduler.current_result(document, newest_only=True), TIMEOUT)
    assert (answer.version, answer.value) == (2, 3_001)
    assert recorder.delivered == [(1, 3_000), (2, 3_001)]
    scheduler.stop()


async def test_the_rules_wait_until_the_requests_on_the_parsed_text_are_answered():
    # After a keystroke the outline, folds, links... need only the parse: answered first, their
    # answers leave while the rules run (side by side, they would all come at the end).
    documents, recorder = Workspace(), Recorder()
    scheduler = _scheduler(documents, recorder)
    document = documents.open("file:///big.md", "".join(f"- [ ] t{i}\n" for i in range(3_000)), 1)
    pull = asyncio.ensure_future(scheduler.current_result(document, newest_only=True))
    with scheduler.serving(document):  # an outline request
        await asyncio.wait_for(scheduler.parsed(document), TIMEOUT)
        await asyncio.sleep(0.1)  # ... building its answer
        assert not recorder.started.is_set()
    answer = await asyncio.wait_for(pull, TIMEOUT)
    assert (answer.version, answer.value) == (1, 3_000)
    scheduler.stop()


async def test_an_edit_while_the_rules_wait_for_requests_is_checked_without_waiting_for_them(monkeypatch):
    # The check of the older text waits for a request that itself waits for the newer text's
    # parse, which the next job makes: the edit ends the wait (else it would last the whole bound).
    monkeypatch.setattr(analysis, "REQUESTS_FIRST_SECONDS", 60.0)
    documents, recorder = Workspace(), Recorder()
    scheduler = _scheduler(documents, recorder)
    document = documents.open("file:///big.md", "".join(f"- [ ] t{i}\n" for i in range(3_000)), 1)
    pull = asyncio.ensure_future(scheduler.current_result(document, newest_only=True))
    with scheduler.serving(document):  # a request on version 1
        await asyncio.wait_for(scheduler.parsed(document), TIMEOUT)
        document.apply_change((0, 0), (0, 0), "- [ ] new\n")
        document.version = 2
        scheduler.changed(document)
        with scheduler.serving(document):  # a request on version 2
            await asyncio.wait_for(scheduler.parsed(document), TIMEOUT)
            assert len(document.backlog.task_list) == 3_001
    answer = await asyncio.wait_for(pull, TIMEOUT)
    assert (answer.version, answer.value) == (2, 3_001)
    assert recorder.delivered == [(2, 3_001)]  # version 1 was never checked
    scheduler.stop()


class PointsRecorder(Recorder):
    """A check that walks the tasks, reaching a checkpoint at each as the rules engine does."""

    def __init__(self, points: int = 200) -> None:
        super().__init__()
        self.points = points
        self.reached = 0
        self.stopped = threading.Event()

    def check(self, document, snapshot, backlog, inputs, superseded):
        self.started.set()
        try:
            for _ in range(self.points):
                checkpoint.reached()
                self.reached += 1
                assert self.release.wait(TIMEOUT)
                time.sleep(0.002)
        except checkpoint.Superseded:
            self.stopped.set()
            raise
        return len(backlog.task_list)


async def _in_thread(call, *args):
    return await asyncio.get_running_loop().run_in_executor(None, call, *args)


async def test_a_check_under_way_waits_at_its_checkpoints_while_a_request_is_answered():
    # A completion that comes in while a 20,000-task check runs shares the interpreter with it
    # (two to five times slower); at the rules' checkpoints the check lets it go first.
    documents, recorder = Workspace(), PointsRecorder()
    scheduler = _scheduler(documents, recorder)
    document = documents.open("file:///big.md", "".join(f"- [ ] t{i}\n" for i in range(3_000)), 1)
    pull = asyncio.ensure_future(scheduler.current_result(document, newest_only=True))
    await _in_thread(recorder.started.wait, TIMEOUT)
    await _until(lambda: recorder.reached >= 3)
    with scheduler.serving(document):  # a completion request
        await asyncio.sleep(0.02)
        held_at = recorder.reached
        await asyncio.sleep(0.2)
        assert recorder.reached <= held_at + 1  # at most the step it was in
    answer = await asyncio.wait_for(pull, TIMEOUT)
    assert (answer.version, answer.value) == (1, 3_000)
    assert recorder.reached == recorder.points
    scheduler.stop()


async def test_a_check_waits_for_requests_only_so_long_in_all(monkeypatch):
    # A client that never stops asking still gets its diagnostics.
    monkeypatch.setattr(analysis, "REQUESTS_BETWEEN_SECONDS", 0.2)
    documents, recorder = Workspace(), PointsRecorder(points=20)
    scheduler = _scheduler(documents, recorder)
    document = documents.open("file:///big.md", "- [ ] one\n- [ ] two\n", 1)
    pull = asyncio.ensure_future(scheduler.current_result(document, newest_only=True))
    await _in_thread(recorder.started.wait, TIMEOUT)
    with scheduler.serving(document):  # a request that takes seconds
        answer = await asyncio.wait_for(pull, 5)
    assert (answer.version, answer.value) == (1, 2)
    scheduler.stop()


async def test_a_check_of_an_older_text_stops_at_its_next_checkpoint():
    documents, recorder = Workspace(), PointsRecorder(points=5_000)
    scheduler = _scheduler(documents, recorder)
    document = documents.open("file:///big.md", "- [ ] one\n", 1)
    pull = asyncio.ensure_future(scheduler.current_result(document, newest_only=True))
    await _in_thread(recorder.started.wait, TIMEOUT)
    await _until(lambda: recorder.reached >= 3)
    recorder.points = 3  # the next check is short
    document.apply_change((0, 0), (0, 0), "- [ ] new\n")
    document.version = 2
    scheduler.changed(document)
    assert await _in_thread(recorder.stopped.wait, 5)  # its 5,000 steps would take 10 s
    answer = await asyncio.wait_for(pull, TIMEOUT)
    assert (answer.version, answer.value) == (2, 2)
    assert recorder.delivered == [(2, 2)]  # version 1's check stopped: nothing of it delivered
    scheduler.stop()


def test_the_rules_reach_checkpoints_as_they_walk_the_blocks():
    from backlog_ls.parse import parse
    from backlog_ls.rules import check

    backlog = parse("".join(f"## Phase {n}\n\n- [ ] Task {n}.1\n- [x] Task {n}.2\n\n" for n in range(400)))
    reached = []
    with checkpoint.hooked(lambda: reached.append(1)):
        found = check(backlog)
    assert len(reached) >= 800 // 32
    stopped = []

    def stop() -> None:
        if len(stopped) == 5:
            raise checkpoint.Superseded
        stopped.append(1)

    with checkpoint.hooked(stop), pytest.raises(checkpoint.Superseded):
        check(backlog)  # not taken for a failing rule: it unwinds
    assert check(backlog) == found  # and leaves nothing half-remembered


async def test_the_scheduler_is_busy_from_an_edit_until_its_check_is_done_and_while_a_request_is_served():
    documents, recorder = Workspace(), Recorder()
    scheduler = _scheduler(documents, recorder)
    document = documents.open("file:///b.md", "- [ ] one\n", 1)
    assert not scheduler.busy()
    recorder.release.clear()
    scheduler.changed(document)
    assert scheduler.busy()  # the check is due
    await asyncio.get_running_loop().run_in_executor(None, recorder.started.wait, TIMEOUT)
    assert scheduler.busy()  # ... and running
    recorder.release.set()
    await _until(lambda: recorder.delivered)
    await _until(lambda: not scheduler.busy())
    with scheduler.serving(document):
        assert scheduler.busy()  # a request on the document
    assert not scheduler.busy()
    scheduler.stop()
