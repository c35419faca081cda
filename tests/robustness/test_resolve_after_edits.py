"""After random edits, every action a resolving client picks leaves the text the eager edit leaves.

Two servers over one workspace: one for a client that resolves code actions' edits
(``codeAction/resolve``), one for a client that does not. Both get the same edits; at random
lines, both lists must offer the same actions in the same order, and each action resolved
must make the very edit (every file's text after it, byte for byte) of the eager one.
"""

from __future__ import annotations

import random
import time
from pathlib import Path

from lsprotocol import types

from ..edits.test_resolve_actions import (  # noqa: F401  (eager, resolving, workspace: fixtures)
    PLAN,
    actions_at,
    applied,
    eager,
    open_plan,
    resolved,
    resolving,
    workspace,
)
from ..lsp_support import RecordingClient, edit
from . import budget

KEYS = ["x", "\n", "", "7", "[x] ", "- [ ] **Task 5.9:** new\n", "## Phase 9: More\n", "after Task 5.3 ", "## Archive\n", "  - [ ] sub\n"]


def _random_edit(lines: list[str], rng: random.Random) -> tuple[tuple[int, int], tuple[int, int], str]:
    line = rng.randrange(len(lines))
    key = rng.choice(KEYS)
    if key == "" and line + 1 < len(lines):
        return (line, len(lines[line])), (line + 1, 0), ""  # Backspace joins two lines
    column = rng.randint(0, len(lines[line]))
    return (line, column), (line, column), key


def _replace(text: str, start: tuple[int, int], end: tuple[int, int], new_text: str) -> str:
    lines = text.split("\n")
    head, tail = lines[start[0]][: start[1]], lines[end[0]][end[1] :]
    lines[start[0] : end[0] + 1] = (head + new_text + tail).split("\n")
    return "\n".join(lines)


async def test_resolved_actions_equal_the_eager_ones_after_random_edits(resolving: RecordingClient, eager: RecordingClient, workspace: Path):
    uri = await open_plan(resolving, workspace)
    await open_plan(eager, workspace)
    rng = random.Random(17)
    text, version, compared, deferred = PLAN, 1, 0, 0
    deadline = time.monotonic() + budget.seconds(60, 900)
    for _ in range(budget.count(fast=15, soak=400)):
        if time.monotonic() > deadline:
            break
        start, end, new_text = _random_edit(text.split("\n"), rng)
        text, version = _replace(text, start, end, new_text), version + 1
        for client in (resolving, eager):
            client.change(uri, version, edit(start, end, new_text))
        texts = {uri: text, (workspace / "docs/other.md").as_uri(): (workspace / "docs/other.md").read_text(encoding="utf-8")}
        for line in rng.sample(range(len(text.split("\n"))), 3):
            lazy, full = await actions_at(resolving, uri, line), await actions_at(eager, uri, line)
            assert [(a.title, a.kind, a.is_preferred) for a in lazy] == [(a.title, a.kind, a.is_preferred) for a in full], text
            picked, count = await resolved(resolving, lazy)
            deferred += count
            for action, complete in zip(picked, full):
                assert action.edit == complete.edit, (action.title, text)
                assert applied(action.edit, texts) == applied(complete.edit, texts)
                assert isinstance(action, types.CodeAction)
                compared += 1
    assert compared and deferred  # the comparisons happened, resolves among them
    budget.report("resolved code actions after edits", actions=compared, resolved=deferred)
