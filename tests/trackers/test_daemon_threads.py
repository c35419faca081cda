"""Blocking work of the trackers (git, a locked SQLite file) never holds up the process's exit."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import time

import pytest

from backlog_ls.providers.daemon import in_daemon_thread

PROGRAM = textwrap.dedent(
    """
    import asyncio, time
    from backlog_ls.providers.daemon import in_daemon_thread

    async def main():
        try:
            await asyncio.wait_for(in_daemon_thread(time.sleep, 60), 0.1)
        except asyncio.TimeoutError:
            pass

    asyncio.run(main())
    """
)


def test_a_process_exits_at_once_although_its_blocking_call_still_runs():
    started = time.monotonic()
    run = subprocess.run([sys.executable, "-c", PROGRAM], capture_output=True, text=True, timeout=30)
    assert run.returncode == 0, run.stderr
    assert time.monotonic() - started < 10  # asyncio.to_thread would keep it for the whole minute


async def test_the_result_and_the_error_come_back():
    assert await in_daemon_thread(sum, [1, 2, 3]) == 6
    with pytest.raises(ZeroDivisionError):
        await in_daemon_thread(lambda: 1 / 0)
