"""Background work (the workspace index's summaries, a document's first cross-file facts) waits while
the server is busy: a check due or running, a request answered, or a message read or written a
moment ago (a client's run of requests), so that the requests of a keystroke get the interpreter."""

from __future__ import annotations

import time

from backlog_ls.server import core
from backlog_ls.server.app import create_server


def test_the_server_is_busy_for_a_moment_after_each_message():
    server = create_server()
    server.protocol.last_message_at = time.monotonic()
    assert server.busy()
    server.protocol.last_message_at = time.monotonic() - 10 * core.QUIET_SECONDS
    assert not server.busy()  # no document open: nothing due


def test_reading_a_message_marks_the_server_busy():
    server = create_server()
    server.protocol.last_message_at = 0.0
    server.protocol.receive(b"not json")  # refused with a parse error, written back: both count
    assert server.busy()
