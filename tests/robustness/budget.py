"""How much a robustness loop does: small in `make test`, large in `make soak`.

    for _ in range(budget.count(fast=200, soak=20_000)): ...
    budget.report("incremental-sync fuzz", edits=n, documents=m)   # printed by `make soak`
"""

from __future__ import annotations

import os
import sys

SOAK = os.environ.get("BACKLOG_LS_SOAK") == "1"


def count(fast: int, soak: int) -> int:
    """The iteration count for this run: ``fast`` in the test suite, ``soak`` under `make soak`."""
    return soak if SOAK else fast


def seconds(fast: float, soak: float) -> float:
    """A wall-clock bound for a loop: every loop stops at its count or at this, whichever is first."""
    return soak if SOAK else fast


def report(what: str, **counts: int) -> None:
    """One line of the soak's summary (stderr, shown by `pytest -s`, which `make soak` uses)."""
    if SOAK:
        figures = ", ".join(f"{name}={value:,}" for name, value in counts.items())
        print(f"soak: {what}: {figures}", file=sys.stderr)
