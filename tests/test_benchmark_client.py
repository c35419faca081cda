"""The benchmarks' client decodes big answers late: what a caller reads must be what was sent."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from .conftest import ROOT, SHARED

pytestmark = pytest.mark.shared("tools")

sys.path.insert(0, str(ROOT / "benchmarks"))


@pytest.fixture
def replaying(tmp_path: Path):
    """A client of ``benchmarks/floor.py --replay`` answering a big documentSymbol and a small hover."""
    sys.path.insert(0, str(SHARED / "tools"))
    from reading_client import Client

    symbols = [{"name": f"Task {n} \u2014 \u00e9t\u00e9 \"quoted\" {{id: {n}}}", "kind": 17, "id": n} for n in range(3000)]
    recording = tmp_path / "answers.json"
    recording.write_text(
        json.dumps({"capabilities": {}, "results": {"textDocument/documentSymbol": symbols, "textDocument/hover": {"contents": "small"}}}),
        encoding="utf-8",
    )
    client = Client([sys.executable, str(ROOT / "benchmarks" / "floor.py"), "--replay", str(recording)], tmp_path.as_uri())
    client.request("initialize", {"capabilities": {}}, 30)
    yield client, symbols
    client.shutdown()


def test_a_big_answer_read_late_is_the_answer_sent(replaying) -> None:
    client, symbols = replaying
    big = client.request("textDocument/documentSymbol", {}, 30)
    small = client.request("textDocument/hover", {}, 30)
    assert type(big.msg).__name__ == "_DecodedOnUse"  # the late path was taken
    assert big.result == symbols
    assert big.error is None
    assert small.result == {"contents": "small"}
