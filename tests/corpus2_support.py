"""How corpus2 is measured: each of its 60 backlogs is one file taken out of its repository.

The files a backlog links to stayed behind in the repository, so whether they exist cannot be
judged here: the measurement answers "unknown" for every other file (a relative link to a file
is taken to resolve, its anchors unread) and reads the backlog itself, so a link to a heading of
the same document is still checked. Everything else runs as ``backlog-ls check`` runs it.
"""

from __future__ import annotations

from collections.abc import Collection
from pathlib import Path

from backlog_ls.parse import parse
from backlog_ls.providers.files import DiskFiles
from backlog_ls.rules import Finding, check

from .conftest import shared_files

FILES = shared_files("corpus2")
JUDGED = ("warning", "error")


class OneFileOutOfItsRepository:
    """Files as seen from a backlog whose repository is not here: only the backlog itself is known."""

    def __init__(self, path: Path):
        self.path = str(path)
        self.disk = DiskFiles()

    def exists(self, path: str) -> bool:
        return True

    def names(self, folder: str) -> Collection[str] | None:
        return None

    def anchors(self, path: str) -> Collection[str] | None:
        return self.disk.anchors(path) if Path(path) == Path(self.path) else None


def findings(path: Path) -> list[Finding]:
    text = path.read_bytes().decode("utf-8", errors="replace")
    return check(parse(text), path=str(path), files=OneFileOutOfItsRepository(path))


def judged_findings(files: list[Path] = FILES) -> list[dict]:
    """Every warning and error on corpus2 (or ``files``, measured alike), as a judged snapshot lists them."""
    found = []
    for path in files:
        for finding in findings(path):
            if finding.severity in JUDGED:
                found.append(
                    {
                        "file": path.name,
                        "line": finding.span.start_line + 1,
                        "code": finding.code,
                        "message": finding.message,
                    }
                )
    return found
