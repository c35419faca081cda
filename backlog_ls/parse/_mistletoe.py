"""mistletoe, imported in a tenth of its usual time.

At import, ``mistletoe.core_tokens`` builds its set of Unicode punctuation by asking
``unicodedata`` about every one of the 1,114,112 code points: about 85% of mistletoe's import
(150-200 ms on a quiet machine, more on a busy one), paid by every ``backlog-ls check`` and by
the server's first document. Every punctuation character of Unicode (up to 14.0, the database
of Python 3.11, checked; later versions add none beyond either) lies in planes 0 and 1; planes
2-16 hold ideographs, tags, variation selectors and private use. So the scan is bounded to
those two planes by lowering ``sys.maxunicode`` for the time of the import: the same set, from
mistletoe's own code, in an eighth of the steps. The set only serves mistletoe's inline
parsing, which ``blocks.py`` switches off anyway.
"""

from __future__ import annotations

import sys
import threading

LAST_PLANE_WITH_PUNCTUATION = 0x1FFFF
_lock = threading.Lock()


def import_mistletoe() -> None:
    if "mistletoe.core_tokens" in sys.modules:
        return
    with _lock:
        if "mistletoe.core_tokens" in sys.modules:
            return
        real = sys.maxunicode
        sys.maxunicode = LAST_PLANE_WITH_PUNCTUATION  # type: ignore[misc]
        try:
            import mistletoe.core_tokens  # noqa: F401
        finally:
            sys.maxunicode = real  # type: ignore[misc]
