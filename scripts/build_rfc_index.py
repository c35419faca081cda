#!/usr/bin/env python3
"""Build the IETF RFC index shipped in the package from the RFC Editor's text index.

    python3 scripts/build_rfc_index.py [INDEX_TXT] [--out backlog_ls/data/rfc-index.tsv.gz]

INDEX_TXT defaults to ../shared/data/rfc-index.txt (a copy of
https://www.rfc-editor.org/rfc-index.txt). The output is the compact table read by
``backlog_ls.rfc.ietf.IetfIndex`` (see that module), gzip-compressed with a fixed
timestamp so that the same input always gives the same bytes.

Exit status: 0 written, 2 when the input cannot be read or holds no entries.
"""

from __future__ import annotations

import argparse
import gzip
import io
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from backlog_ls.rfc.ietf import created_on, encode, parse_index_text  # noqa: E402 - after the path

DEFAULT_INPUT = ROOT.parent / "shared" / "data" / "rfc-index.txt"
DEFAULT_OUTPUT = ROOT / "backlog_ls" / "data" / "rfc-index.tsv.gz"


def build(text: str) -> bytes:
    """The gzip-compressed table for the text of an ``rfc-index.txt``; deterministic."""
    rfcs = parse_index_text(text)
    if not rfcs:
        raise ValueError("no RFC entries found")
    table = encode(rfcs, created_on(text)).encode("utf-8")
    buffer = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=buffer, compresslevel=9, mtime=0) as out:
        out.write(table)
    return buffer.getvalue()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("index", nargs="?", default=str(DEFAULT_INPUT), help="the RFC Editor's rfc-index.txt")
    parser.add_argument("--out", default=str(DEFAULT_OUTPUT), help="where to write the table (.tsv.gz)")
    arguments = parser.parse_args(argv)
    try:
        text = Path(arguments.index).read_text(encoding="utf-8", errors="replace")
        data = build(text)
    except (OSError, ValueError) as error:
        print(f"build_rfc_index: {arguments.index}: {error}", file=sys.stderr)
        return 2
    Path(arguments.out).parent.mkdir(parents=True, exist_ok=True)
    Path(arguments.out).write_bytes(data)
    print(f"build_rfc_index: wrote {arguments.out} ({len(data):,} bytes)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
