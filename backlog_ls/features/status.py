"""The issue trackers' state in one line for an editor's status bar.

Pure: the workspace's issue sources in (anything with ``state``, ``status`` and ``issue_count``,
or None where no tracker is configured), a ``TrackerStatus`` out. The server sends it as the
``backlog-ls/status`` notification whenever it reads differently.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, NamedTuple

# Worst first: the status bar shows the state that most needs the user's eye.
_PRECEDENCE = ("warning", "starting", "refreshing", "ready", "off")


class TrackerStatus(NamedTuple):
    state: str  # starting | refreshing | warning | ready | off
    text: str  # short, for the status bar
    detail: str  # one line per source, for the tooltip

    def as_params(self) -> dict[str, str]:
        return {"state": self.state, "text": self.text, "detail": self.detail}


OFF = TrackerStatus("off", "issues off", "No issue tracker configured: set [issues] in .backlog-ls.toml.")


def tracker_status(sources: Iterable[Any]) -> TrackerStatus:
    live = [source for source in sources if source is not None]
    if not live:
        return OFF
    states = [_state_of(source) for source in live]
    state = min(states, key=_PRECEDENCE.index)
    lines = []
    for source in live:
        try:
            lines.append(str(source.status))
        except Exception:  # a status line must never break the status bar
            lines.append("issues: status unknown")
    detail = "\n".join(dict.fromkeys(lines))  # one line per source, without repeats
    count = sum(getattr(source, "issue_count", 0) for source in live)
    noun = "issue" if count == 1 else "issues"
    text = {
        "starting": "issues: loading",
        "refreshing": "issues: refreshing",
        "warning": f"{count} {noun} (stale)" if count else "issues: problem",
        "ready": f"{count} {noun}",
        "off": "issues off",
    }[state]
    return TrackerStatus(state, text, detail)


def _state_of(source: Any) -> str:
    state = getattr(source, "state", "ready")
    return state if state in _PRECEDENCE else "ready"
