"""Helpers shared by the command-line tests (the ``run`` fixture is in conftest.py)."""

from __future__ import annotations

from pathlib import Path


def write(folder: Path, relative: str, content: str | bytes) -> Path:
    """Write a file below ``folder`` (creating folders), bytes as they are, text with no newline translation."""
    path = folder / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8", newline="")
    return path


def finding_paths(stdout: str) -> list[str]:
    return [line.split(":", 1)[0] for line in stdout.splitlines()]
