"""mistletoe, imported in a tenth of its usual time.

At import, ``mistletoe.core_tokens`` builds its set of Unicode punctuation by asking
``unicodedata`` about every one of the 1,114,112 code points: about 85% of mistletoe's import
(150-200 ms on a quiet machine, more on a busy one), paid by every ``backlog-ls check`` and by
the server's first document. Every punctuation character of Unicode (up to 14.0, the database
of Python 3.11, checked; later versions add none beyond either) lies in planes 0 and 1; planes
2-16 hold ideographs, tags, variation selectors and private use. So the scan is bounded to
those two planes by lowering ``sys.maxunicode`` for the time of the import: the same set, from
mistletoe's own code, in an eighth of the steps. The set only serves mistletoe's inline
parsing, which ``blocks.py`` switches off anyway: so it is not made at the import at all (the
scan bounded to ASCII), and ``punctuation`` is replaced by the same set made when first asked
(``_Punctuation``), which in backlog-ls is never: some 15-20 ms more of every start.
"""

from __future__ import annotations

import sys
import threading
import unicodedata
from collections.abc import Iterator, Set

LAST_PLANE_WITH_PUNCTUATION = 0x1FFFF
_lock = threading.Lock()


class _Punctuation(Set):
    """mistletoe's ``core_tokens.punctuation``, made when first asked (a set in every other way)."""

    def __init__(self, ascii_part: set[str]) -> None:
        self._ascii = frozenset(ascii_part)
        self._every: frozenset[str] | None = None

    def _made(self) -> frozenset[str]:
        every = self._every
        if every is None:  # (two threads may both make it: the same set)
            found = (chr(n) for n in range(LAST_PLANE_WITH_PUNCTUATION + 1))
            every = self._every = self._ascii | {char for char in found if unicodedata.category(char).startswith("P")}
        return every

    def __contains__(self, char: object) -> bool:
        return char in self._made()

    def __iter__(self) -> Iterator[str]:
        return iter(self._made())

    def __len__(self) -> int:
        return len(self._made())


def import_mistletoe() -> None:
    if "mistletoe.core_tokens" in sys.modules:
        return
    with _lock:
        if "mistletoe.core_tokens" in sys.modules:
            return
        real = sys.maxunicode
        sys.maxunicode = 0x7F  # type: ignore[misc]
        try:
            import mistletoe.core_tokens
        finally:
            sys.maxunicode = real  # type: ignore[misc]
        mistletoe.core_tokens.punctuation = _Punctuation(mistletoe.core_tokens.punctuation)
