"""``max-file-size``: above it a document is only outlined and its parse problems shown.

Parsing costs about 0.05 ms a line and every rule walks the whole document: a
10 MB backlog takes tens of seconds and hundreds of megabytes to check. Above
the limit the server and ``backlog-ls check`` both run only the rules that word
the parser's own problems and say so once, with one note on the first line.
"""

from __future__ import annotations

import os
import re
from itertools import filterfalse
from collections.abc import Sequence

from .model import Span

DEFAULT_MAX_FILE_SIZE = 4_000_000  # bytes; 0 means no limit
# The rules a document over the limit still gets: the parser's problems, worded.
PARSE_PROBLEM_RULES = ("malformed-task",)
NOTICE_RULE = "max-file-size"

_UNITS = {"": 1, "b": 1, "kb": 1_000, "mb": 1_000_000, "gb": 1_000_000_000, "kib": 1024, "mib": 1024**2, "gib": 1024**3}
_SIZE = re.compile(r"\s*(?P<number>\d+(?:\.\d+)?)\s*(?P<unit>[a-z]*)\s*", re.IGNORECASE)


def parse_size(value: object) -> int:
    """Bytes from ``4000000``, ``"4MB"``, ``"512 KB"`` or ``"1.5MiB"``; ValueError names what is wrong."""
    if isinstance(value, bool):
        raise ValueError("must be a size such as \"4MB\", not true or false")
    if isinstance(value, int):
        if value < 0:
            raise ValueError("must not be negative")
        return value
    if not isinstance(value, str):
        raise ValueError(f"must be a size such as \"4MB\", not {type(value).__name__}")
    match = _SIZE.fullmatch(value)
    unit = match.group("unit").lower() if match else None
    if match is None or unit not in _UNITS:
        raise ValueError(f"'{value}' is not a size: write a number of bytes or one with KB, MB, GB (or KiB, MiB, GiB)")
    return int(float(match.group("number")) * _UNITS[unit])


def describe_size(size: int) -> str:
    """``10.2 MB``, ``4 MB``, ``512 KB``: decimal units, one decimal when it matters."""
    for unit, factor in (("GB", 1_000_000_000), ("MB", 1_000_000), ("KB", 1_000)):
        if size >= factor:
            value = size / factor
            text = f"{value:.1f}".removesuffix(".0")
            return f"{text} {unit}"
    return f"{size} bytes"


def text_size(lines: Sequence[str]) -> int:
    """The size in UTF-8 bytes of a text given as lines (each line end counted as one byte)."""
    total = sum(map(len, lines)) + len(lines)  # in C: most lines are ASCII, a byte a code point
    for line in filterfalse(str.isascii, lines):
        total += len(line.encode("utf-8", "surrogatepass")) - len(line)
    return total


def over(size: int, limit: int) -> bool:
    return limit > 0 and size > limit


def backlog_size_over(backlog, limit: int) -> int | None:
    """``size_over`` of a parsed backlog's text, once per parse and limit: the rules' check and the
    cross-file facts (``across_files.facts_of``) of one keystroke both ask."""
    known = backlog.__dict__.get("_size_over")
    if known is None or known[0] != limit:
        known = backlog.__dict__["_size_over"] = (limit, size_over(backlog.lines, limit))
    return known[1]


def size_over(lines: Sequence[str], limit: int) -> int | None:
    """The size of a text (as ``text_size``) when it is ``over`` the limit, else None.

    Runs on every keystroke: a count of code points (one C-level pass) bounds the size in bytes
    from both sides (a code point is 1 to 4 bytes), so the exact size is only counted near the limit.
    """
    if limit <= 0:
        return None
    characters = sum(map(len, lines)) + len(lines)
    if 4 * characters <= limit:
        return None
    # Only a line that is not ASCII holds code points of more than one byte (at most four): a second
    # C-level pass bounds the size closer, so a 2.4 MB backlog under a 4 MB limit encodes no line.
    if characters + 3 * sum(map(len, filterfalse(str.isascii, lines))) <= limit:
        return None
    size = text_size(lines)
    return size if size > limit else None


def notice(path: str | None, size: int, limit: int):
    """The one finding that says a document is over the limit and what is shown of it."""
    from .rules import INFO, Finding

    name = os.path.basename(path) if path else "this document"
    message = (
        f"backlog-ls: {name} is {describe_size(size)}, over max-file-size {describe_size(limit)}: "
        "only the outline and parse problems are shown."
    )
    return Finding(NOTICE_RULE, NOTICE_RULE, INFO, Span(0, 0, 0, 0), message)


def check(backlog, settings=None, **options) -> list:
    """``rules.check``, except that a document over ``max-file-size`` gets only the rules that
    word the parser's problems, and the notice that says so. The server and the CLI both call this."""
    from . import rules
    from .config import Settings

    settings = settings or Settings()
    size = backlog_size_over(backlog, settings.max_file_size)
    if size is None:
        return rules.check(backlog, settings, **options)
    options["rules"] = [rule for rule in rules.all_rules() if rule.name in PARSE_PROBLEM_RULES]
    found = rules.check(backlog, settings, **options)
    return [notice(options.get("path"), size, settings.max_file_size), *found]
