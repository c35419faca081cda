from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import settings

# CI runs every property test on the same examples (derandomized, drawn from each test's name), so
# a submission never fails on a case nobody has seen; developers' runs draw new ones and find them.
settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI") == "true":
    settings.load_profile("ci")

ROOT = Path(__file__).resolve().parents[1]
# ../shared beside the repository: the real corpora, the examples the product was conceived from,
# the RFC index and lspbench. A plain clone has none of it, so the tests that read it skip there;
# CI (.ci/run) sets REQUIRE_SHARED so that a missing ../shared fails those tests instead.
SHARED = ROOT.parent / "shared"
REQUIRE_SHARED = "BACKLOG_LS_REQUIRE_SHARED"


def require_shared(path: Path) -> Path:
    """``path`` (under ../shared) when it exists; otherwise skips the test, or fails it when
    BACKLOG_LS_REQUIRE_SHARED=1."""
    if path.exists():
        return path
    reason = f"{path} is not here (../shared beside the repository holds the corpora, examples, data and tools)"
    if os.environ.get(REQUIRE_SHARED) == "1":
        pytest.fail(f"{reason}; {REQUIRE_SHARED}=1 requires it", pytrace=False)
    pytest.skip(reason)


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    # Before the skip marks: a test parametrized over an absent folder has an empty parameter set,
    # which pytest would skip silently even when ../shared is required.
    for marker in item.iter_markers("shared"):
        for folder in marker.args:
            require_shared(SHARED / folder)


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
    """The backlogs of ../shared/FOLDER (none without it); tests using them are marked
    ``@pytest.mark.shared(FOLDER)``."""
    root = SHARED / folder
    if not root.is_dir():
        return []
    return sorted(path for path in root.iterdir() if path.suffix in (".md", ".txt"))


@pytest.fixture
def example_text():
    """Reads ../shared/examples/NAME.txt, the three real backlogs the product was conceived from:
    000 (task IDs with issue numbers, #TBD placeholders, a Definition of Done, RFC 2378), 001 (no
    issue numbers, tasks under plain bullets, odd indents), 002 (phases out of order, links to
    project RFCs). The repository's own example, examples/BACKLOG.md, is a small made-up one."""

    def read(name: str) -> str:
        return require_shared(SHARED / "examples" / f"{name}.txt").read_text(encoding="utf-8")

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
