"""A workspace of several backlogs that cite each other, written below a git work tree.

ROADMAP.md claims #12 for Task 1.1 and links to the plans; docs/plan.md claims #12 again
for another task, and shares Task 2.1 with docs/notes.md (one folder: one ID namespace);
ARCHIVE.md repeats Task 1.1 word for word (a copy, not a duplicate).
"""

from __future__ import annotations

from pathlib import Path

ROADMAP = """\
# Roadmap

- [ ] **Task 1.1 (#12):** Build the parser.
- [ ] **Task 1.2 (#13):** Write the docs, see [Task 2.1](docs/plan.md) and [Task 9.9](docs/plan.md).
- [ ] Read the [plan](docs/plan.md#release) and the [notes](docs/notes.md).
"""

PLAN = """\
# Plan

## Release

- [ ] **Task 1.1 (#14):** Port the lexer.
- [ ] **Task 2.1 (#12):** Ship the release.
"""

NOTES = """\
# Notes

- [ ] **Task 2.1 (#15):** Write the announcement.
- [ ] Back to the [roadmap](../ROADMAP.md).
"""

ARCHIVE = """\
# Archive

- [ ] **Task 1.1 (#12):** Build the parser.
"""

FILES = {"ROADMAP.md": ROADMAP, "docs/plan.md": PLAN, "docs/notes.md": NOTES, "ARCHIVE.md": ARCHIVE}


def write_workspace(root: Path, files: dict[str, str] | None = None) -> Path:
    """The files below ``root``, made a project by a ``.git`` folder (what the CLI and server take for one)."""
    (root / ".git").mkdir(parents=True, exist_ok=True)
    for relative, text in (FILES if files is None else files).items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8", newline="")
    return root
