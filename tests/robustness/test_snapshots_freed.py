"""A snapshot, checked and asked for what a keystroke asks (outline, folds, links, progress,
dependencies), is freed by reference counting alone once the next one replaces it.

The parser freezes a new model out of the cyclic collector's sight (``parse._settle_young_objects``):
that is free only while no model sits in a reference cycle. A cache kept in a Backlog that held
the Backlog itself (the progress, the dependency graph did) left every old snapshot, 500,000
objects at 20,000 tasks, to the collector, and frozen, to nothing.
"""

from __future__ import annotations

import gc
import weakref

from backlog_ls import dependencies, size_limit
from backlog_ls.config import Settings
from backlog_ls.features import folding, links, progress, symbols
from backlog_ls.parse import parse_lines, reparse
from backlog_ls.providers.files import DiskFiles
from backlog_ls.text import TextLines

TEXT = """# Plan

- [ ] Task 1.1 ship it (#12) blocked by Task 1.2
  - [x] its subtask [1/2]
- [ ] Task 1.2 see [the notes](notes.md) and [above](#plan)

## Phase 1 [0/2]

- [ ] open (#TBD)
- [x] done, see RFC 2616
"""


def _asked_for_everything(backlog, settings) -> None:
    size_limit.check(backlog, settings, path="/nonexistent/BACKLOG.md", files=DiskFiles())
    progress.progress(backlog, settings).whole
    dependencies.graph(backlog, settings).nodes
    symbols.outline(backlog, settings)
    folding.fold_entries(backlog)
    links.file_document_links(backlog, "/nonexistent/BACKLOG.md")


def test_a_checked_snapshot_is_freed_without_the_cyclic_collector():
    settings = Settings()
    document = TextLines.from_text(TEXT)
    backlog = parse_lines(document.lines)
    _asked_for_everything(backlog, settings)
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        for edit in ((2, 0, "\n"), (4, 3, "x"), (9, 0, "\n\n")):
            freed: list[bool] = []
            sentinel = type("Sentinel", (), {})()
            weakref.finalize(sentinel, freed.append, True)
            backlog.__dict__["test sentinel"] = sentinel
            del sentinel
            line, column, text = edit
            first, old_last, new_last = document.replace((line, column), (line, column), text)
            backlog = reparse(backlog, document.lines, first, old_last, new_last)
            _asked_for_everything(backlog, settings)
            assert freed == [True], f"the snapshot before {edit} is still alive"
    finally:
        if was_enabled:
            gc.enable()
