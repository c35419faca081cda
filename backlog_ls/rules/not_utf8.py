"""not-utf8 (BL502): a backlog saved in another encoding than UTF-8.

GitHub reads every Markdown file as UTF-8: a file saved as Windows-1252 or Latin-1 shows each
accented letter, dash and quote as a replacement mark, and a UTF-16 file does not render at
all. backlog-ls reads it all the same (UTF-16/32 by its byte order mark, a legacy code page by
detection), checks it with the right positions, and reports it once, on the first line.

``check --fix`` rewrites the file as UTF-8, every character and line ending kept.

Bad: a TODO.md saved as Windows-1252 (``Caf\\xe9``). Good: the same file saved as UTF-8 (``Caf\\xc3\\xa9``).
"""

from __future__ import annotations

from collections.abc import Iterator

from ..model import Span
from . import WARNING, Context, Finding, Fix, Rule

REWRITE_TITLE = "Rewrite the file as UTF-8"


def _check(context: Context) -> Iterator[Finding]:
    encoding = context.encoding
    if not encoding or encoding.lower().replace("_", "-") in ("utf-8", "ascii"):
        return
    lines = context.backlog.lines
    first = lines[0] if lines else ""
    message = f"This file is {encoding}, GitHub expects UTF-8: its non-ASCII characters show garbled there."
    # No text edit can change a file's encoding: ``check --fix`` rewrites the file when it sees this fix.
    yield RULE.finding(Span.on_line(0, 0, len(first)), message, (Fix(REWRITE_TITLE, (), safe=False),))


RULE = Rule(
    name="not-utf8",
    code="BL502",
    severity=WARNING,
    summary="A file saved in another encoding than UTF-8 (Windows-1252, Latin-1, UTF-16): GitHub shows it garbled.",
    check=_check,
)
