"""The shortened import of mistletoe (parse/_mistletoe.py) leaves it the same punctuation set."""

from __future__ import annotations

import subprocess
import sys
import unicodedata

from backlog_ls.parse import blocks  # noqa: F401  (imports mistletoe the short way)


def test_mistletoe_gets_every_unicode_punctuation_character_of_this_python():
    import mistletoe.core_tokens

    every = {chr(n) for n in range(sys.maxunicode + 1) if unicodedata.category(chr(n)).startswith("P")}

    assert mistletoe.core_tokens.punctuation == every | set("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~")
    assert sys.maxunicode == 0x10FFFF


def test_the_parser_imports_mistletoe_the_short_way_in_a_fresh_process():
    probe = (
        "import sys; import backlog_ls.parse; import mistletoe.core_tokens as c;"
        "print(len(c.punctuation), sys.maxunicode)"
    )
    plain = "import sys; import mistletoe.core_tokens as c; print(len(c.punctuation), sys.maxunicode)"

    ours = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout
    theirs = subprocess.run([sys.executable, "-c", plain], capture_output=True, text=True, check=True).stdout

    assert ours == theirs
