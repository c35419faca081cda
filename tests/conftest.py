from __future__ import annotations

import os
from pathlib import Path

import pytest

SHARED = Path(__file__).resolve().parents[2] / "shared"
EDITOR_TESTS = Path(__file__).resolve().parent / "editors"


@pytest.fixture(autouse=True)
def no_user_configuration(request, tmp_path_factory, monkeypatch):
    """The developer's own ~/.config/backlog-ls/config.toml (the user configuration file, trusted)
    must not reach a test: each test, and every server or CLI it starts, sees an empty config folder.
    A test that wants a user configuration writes it to ``os.environ["XDG_CONFIG_HOME"]/backlog-ls/config.toml``."""
    if EDITOR_TESTS in Path(str(request.node.path)).parents:
        return  # the editors keep their own configuration folders
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path_factory.mktemp("xdg-config")))


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
