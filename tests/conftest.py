from __future__ import annotations

from pathlib import Path

import pytest

SHARED = Path(__file__).resolve().parents[2] / "shared"


def shared_files(folder: str) -> list[Path]:
    root = SHARED / folder
    if not root.is_dir():
        return []
    return sorted(path for path in root.iterdir() if path.suffix in (".md", ".txt"))


@pytest.fixture
def example_text():
    def read(name: str) -> str:
        path = SHARED / "examples" / f"{name}.txt"
        if not path.exists():
            pytest.skip(f"{path} is not here")
        return path.read_text(encoding="utf-8")

    return read


@pytest.fixture
def run(capsys, tmp_path, monkeypatch):
    """Run ``backlog-ls ARGS...`` in-process from ``tmp_path``; returns (exit code, stdout, stderr)."""
    monkeypatch.chdir(tmp_path)

    def invoke(*argv: str) -> tuple[int, str, str]:
        from backlog_ls.cli import main

        code = main(list(argv))
        captured = capsys.readouterr()
        return code, captured.out, captured.err

    return invoke
