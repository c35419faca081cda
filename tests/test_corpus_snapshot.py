"""How many findings each rule makes on every real backlog: a committed snapshot, read by a person.

A change in any number fails this test; when the change is intended, regenerate with
``UPDATE_SNAPSHOTS=1 pytest tests/test_corpus_snapshot.py`` and read the diff: every
error-level finding in the snapshot was looked at and found right.
"""

from __future__ import annotations

import json
import os
from collections import Counter
from pathlib import Path

import pytest

from backlog_ls.parse import parse
from backlog_ls.rules import check

from .conftest import shared_files

SNAPSHOT = Path(__file__).parent / "snapshots" / "corpus-findings.json"
FILES = shared_files("corpus") + shared_files("examples")


def _files_provider():
    try:
        from backlog_ls.providers.files import DiskFiles
    except ImportError:  # pragma: no cover - before the provider exists
        return None
    return DiskFiles()


def current_counts() -> dict[str, dict[str, int]]:
    files = _files_provider()
    counts: dict[str, dict[str, int]] = {}
    for path in FILES:
        text = path.read_bytes().decode("utf-8", errors="replace")
        found = check(parse(text), path=str(path), files=files)
        per_rule = Counter(f"{finding.code} {finding.rule} {finding.severity}" for finding in found)
        counts[path.name] = dict(sorted(per_rule.items()))
    return counts


@pytest.mark.shared("corpus", "examples")
def test_corpus_findings_match_the_snapshot():
    counts = current_counts()
    if os.environ.get("UPDATE_SNAPSHOTS"):
        SNAPSHOT.write_text(json.dumps(counts, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    expected = json.loads(SNAPSHOT.read_text(encoding="utf-8"))
    assert counts == expected
