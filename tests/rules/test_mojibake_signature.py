"""The mojibake rule's line filter is ftfy's code pages' own, and ftfy loads only for a line that needs it."""

from __future__ import annotations

import subprocess
import sys

from backlog_ls.rules import mojibake


def test_the_signature_holds_what_ftfy_codecs_decode():
    import ftfy.bad_codecs  # noqa: F401

    for encoding in mojibake._CANDIDATES:
        for values in (range(0xC2, 0xF5), range(0x80, 0xC0)):
            expected = set(bytes(values).decode(encoding, errors="ignore"))
            assert mojibake._decoded_alone(values, encoding) == expected, encoding


_PROGRAM = """
import sys
from backlog_ls.config import Settings
from backlog_ls.parse import parse
from backlog_ls.rules import check
found = check(parse(sys.argv[1]), Settings())
print(sorted(finding.code for finding in found), "ftfy" in sys.modules)
"""


def _check_in_a_new_process(text: str) -> str:
    return subprocess.run([sys.executable, "-c", _PROGRAM, text], capture_output=True, text=True, check=True).stdout.strip()


def test_a_document_without_mojibake_is_checked_without_ftfy():
    assert _check_in_a_new_process("# Plan\n\n- [ ] Ship it ✅ — soon\n").endswith("False")


def test_mojibake_still_loads_ftfy_and_is_found():
    assert _check_in_a_new_process("# Plan\n\n- [ ] Ship the cafÃ© menu â€” soon\n") == "['BL501', 'BL501'] True"
