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

from . import corpus2_support
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


SNAPSHOT2 = Path(__file__).parent / "snapshots" / "corpus2-findings.json"
JUDGED2 = Path(__file__).parent / "snapshots" / "corpus2-judged.json"
VERDICTS = ("right", "arguable", "noise", "wrong")


def corpus2_counts() -> dict[str, dict[str, int]]:
    counts: dict[str, dict[str, int]] = {}
    for path in corpus2_support.FILES:
        per_rule = Counter(f"{f.code} {f.rule} {f.severity}" for f in corpus2_support.findings(path))
        counts[path.name] = dict(sorted(per_rule.items()))
    return counts


@pytest.mark.shared("corpus2")
def test_corpus2_findings_match_the_snapshot():
    counts = corpus2_counts()
    if os.environ.get("UPDATE_SNAPSHOTS"):
        SNAPSHOT2.write_text(json.dumps(counts, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    assert counts == json.loads(SNAPSHOT2.read_text(encoding="utf-8"))


JUDGED = Path(__file__).parent / "snapshots" / "corpus-judged.json"


@pytest.mark.parametrize(
    ("snapshot", "folder"),
    [pytest.param(JUDGED2, "corpus2", marks=pytest.mark.shared("corpus2")), pytest.param(JUDGED, "corpus", marks=pytest.mark.shared("corpus"))],
    ids=["corpus2", "corpus"],
)
def test_every_warning_and_error_is_judged_and_none_is_wrong(snapshot, folder):
    """The judged snapshots are read again after every rule change: a finding that appears, moves or
    changes its words must be judged anew (the verdicts are a person's, never regenerated)."""
    judged = json.loads(snapshot.read_text(encoding="utf-8"))
    keys = ("file", "line", "code", "message")
    assert [{key: r[key] for key in keys} for r in judged["findings"]] == corpus2_support.judged_findings(shared_files(folder))
    verdicts = Counter(r["verdict"] for r in judged["findings"])
    assert set(verdicts) <= set(VERDICTS) and all(r["reason"] for r in judged["findings"])
    total = len(judged["findings"])
    assert judged["figures"] == {
        "findings": total,
        **{verdict: verdicts[verdict] for verdict in VERDICTS},
        "right_percent": round(100 * verdicts["right"] / total, 1),
        "right_or_arguable_percent": round(100 * (verdicts["right"] + verdicts["arguable"]) / total, 1),
    }
    assert verdicts["wrong"] == 0


@pytest.mark.shared("corpus2")
def test_corpus2_meets_the_target_of_95_percent_right():
    figures = json.loads(JUDGED2.read_text(encoding="utf-8"))["figures"]
    assert figures["right_percent"] >= 95 and figures["wrong"] == 0
