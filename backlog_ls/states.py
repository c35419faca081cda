"""What a checkbox state means: open, done, cancelled, and the alternate states in wide use.

``[ ]``, ``[x]`` and ``[X]`` are the states GitHub renders. Many backlogs use more
(Obsidian's alternate checkboxes, bullet journals, Org's ``[-]``, GitLab's ``[~]``),
each a deliberate mark; they have a meaning by default here, and ``states`` in the
configuration overrides or adds to them. Every rule and feature that counts or
compares tasks asks this module, so one meaning holds everywhere: a cancelled task
is neither open nor blocking its parent; a deferred one (``[>]``, or an open task
whose text says so: "DEFERRED to Phase 4a", "TODO: Phase 5f", "(Optional - Future
Enhancement)", "(pending Sprint 121)") is not done, but moved out of its section: it keeps neither its
parent nor a finished section open; any other state that is not done is open.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from types import MappingProxyType
from typing import TYPE_CHECKING

from .text import may_hold_ignoring_case

if TYPE_CHECKING:  # pragma: no cover
    from .config import Settings
    from .model import Item

OPEN = "open"
DONE = "done"
CANCELLED = "cancelled"
DEFERRED = "deferred"

BUILTIN_STATES = {" ": OPEN, "x": DONE, "X": DONE}

# The common alternate states and the meaning most of their users give them.
DEFAULT_STATES = {
    "~": "in progress",
    "/": "in progress",
    "-": CANCELLED,
    ">": "deferred",
    "→": "deferred",
    "<": "scheduled",
    "!": "important",
    "?": "question",
    "_": OPEN,  # an empty box drawn with an underscore
}

# Marks that look like a mistyped or decorated "x": a warning with the fix [x], unless declared.
TYPOS_OF_DONE = frozenset("cCvV×✓✔")

_DONE_MEANINGS = frozenset({"done", "complete", "completed", "finished"})
_DEFERRED_MEANINGS = frozenset({"deferred", "postponed", "migrated", "moved", "later", "someday"})
_CANCELLED_MEANINGS = frozenset(
    {"cancelled", "canceled", "dropped", "wontfix", "wont-fix", "won't-fix", "skipped", "abandoned", "obsolete"}
)


def kind_of_meaning(meaning: str) -> str:
    """OPEN, DONE, CANCELLED or DEFERRED for a state's meaning as a user wrote it ("Won't fix" -> CANCELLED)."""
    key = meaning.strip().lower().replace("_", "-").replace(" ", "-")
    if key in _DONE_MEANINGS:
        return DONE
    if key in _CANCELLED_MEANINGS:
        return CANCELLED
    if key in _DEFERRED_MEANINGS:
        return DEFERRED
    return OPEN


def state_meanings(settings: Settings | None) -> dict[str, str]:
    """Checkbox character -> its meaning in words: the defaults, the declared states over them, the built-ins over all."""
    return _meanings(_declared(settings))


def _declared(settings: Settings | None) -> tuple[tuple[str, str], ...]:
    if settings is None:
        return ()
    return tuple((char, meaning) for char, meaning in settings.states.items() if isinstance(meaning, str))


def _meanings(declared: tuple[tuple[str, str], ...]) -> dict[str, str]:
    meanings = dict(DEFAULT_STATES)
    meanings.update(declared)
    meanings.update(BUILTIN_STATES)
    return meanings


def state_kinds(settings: Settings | None) -> Mapping[str, str]:
    """Checkbox character -> OPEN, DONE or CANCELLED; a character not in the map is OPEN.

    The per-task test is one dictionary lookup; the map is remembered per set of declared
    states, since rules ask for it once per block (tens of thousands of times in a big file).
    """
    return _kinds_of(_declared(settings))


@functools.lru_cache(maxsize=32)
def _kinds_of(declared: tuple[tuple[str, str], ...]) -> Mapping[str, str]:
    return MappingProxyType({char: kind_of_meaning(meaning) for char, meaning in _meanings(declared).items()})


# An open task whose own words move it elsewhere.
_DEFERRED_IN_WORDS = re.compile(
    r"\b(?:deferred|postponed)\b|\bTODO\b[ \t:(-]*phase\b|\((?:[^()]*\b)?(?:phase[ \t]+\w+|future|optional|later)\b[^()]*\)"
    r"|\bfuture enhancement\b|\bnot available yet\b"
    r"|\bpending[ \t]+(?:sprint|phase|milestone|release|wave|stage)\b",  # "(pending Sprint 121)"
    re.IGNORECASE,
)
# An open task its own words rule out: "(N/A - no migration path per spec)", "not applicable".
_CANCELLED_IN_WORDS = re.compile(r"\(N/A\b|\bN/A[ \t]*[-–—:]|\bnot applicable\b", re.IGNORECASE)
_STRUCK = re.compile(r"[ \t]*~~(?:(?!~~).)+~~[ \t.]*")
# Words every match of the two patterns above holds, asked of the lower-cased text first
# (``text.may_hold_ignoring_case``): those searches cost 5-12 µs on a task's line, and most tasks
# hold none of the words.
_DEFERRED_WORDS = re.compile("deferred|postponed|phase|future|optional|later|available|pending")
_CANCELLED_WORDS = re.compile("n/a|not applicable")


def task_kind(task: Item, kinds: Mapping[str, str]) -> str:
    """What a task amounts to: its state's kind, except that an open task struck through whole
    ("- [ ] ~~Port to Windows~~") or ruled out in its words ("(N/A - no migration path)") was
    dropped by its author (cancelled), and one whose words
    defer it ("- **DEFERRED to Phase 4a**") was moved on (deferred)."""
    kind = kinds.get(task.checkbox or " ", OPEN)
    if kind != OPEN:
        return kind
    text = task.first_line_text
    if "~~" in text and _STRUCK.fullmatch(text):
        return CANCELLED
    lowered = text.lower()
    if may_hold_ignoring_case(_CANCELLED_WORDS, lowered) and _CANCELLED_IN_WORDS.search(text):
        return CANCELLED
    if may_hold_ignoring_case(_DEFERRED_WORDS, lowered) and _DEFERRED_IN_WORDS.search(text):
        return DEFERRED
    return kind
