"""Imports the first check of a session must not wait for: the HTTP client where a tracker is
only set up, multiprocessing where no pool starts.

The server sets up a document's tracker on its event loop before the document's first check
(``server/issue_sources.py``); importing httpx there cost the first diagnostics of every session
some 50 ms, for a tracker that often never makes a request (no token, no remote, nothing stale).
"""

from __future__ import annotations

import subprocess
import sys

_SET_UP = (
    "import sys\n"
    "import backlog_ls.server.app\n"
    "from backlog_ls.providers.trackers import background, sources, service\n"
    "from backlog_ls.providers.trackers import make_provider\n"
    "from backlog_ls.tracker import Repository\n"
    "print('after set-up:', 'httpx' in sys.modules)\n"
    "provider = make_provider(Repository('github', 'octo', 'repo'), api_url='http://127.0.0.1:9/api')\n"
    "print('after a provider is made:', 'httpx' in sys.modules, provider.timeout.read, provider.timeout.connect, provider.deadline)\n"
)


def test_setting_up_a_tracker_leaves_the_http_client_unloaded_until_a_provider_is_made():
    done = subprocess.run([sys.executable, "-c", _SET_UP], capture_output=True, text=True, timeout=60)

    assert done.returncode == 0, done.stderr
    # The provider's defaults are what they were: 10 s a step, 5 s to connect, a 30 s deadline.
    assert done.stdout.splitlines() == ["after set-up: False", "after a provider is made: True 10.0 5.0 30.0"]


def test_a_few_files_are_indexed_without_loading_multiprocessing():
    # Below PROCESS_MIN_FILES the index reads files in its thread: starting no pool, it needs no
    # multiprocessing, whose import ran beside the first document's check.
    script = (
        "import sys\n"
        "from backlog_ls.providers import workspace_index\n"
        "print(workspace_index._process_pool(3), 'multiprocessing' in sys.modules, 'concurrent.futures.process' in sys.modules)\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)

    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["None", "False", "False"]
