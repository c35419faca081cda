#!/usr/bin/env python3
"""What the Backlog view's request (``backlog-ls/outline``) costs, in process.

    python benchmarks/backlog_view.py [CORPUS_FOLDER]

A workspace of backlog files (default: ../shared/corpus and corpus2 beside the repository, else
copies of examples/BACKLOG.md) answered whole: the first time (every file read and parsed), again
with nothing changed (kept outlines), and after one file changed on disk. Then one open document of
20,000 tasks (what an edit asks for: that document alone). Prints milliseconds; a benchmark, not a
test: nothing fails on a slow machine.
"""

from __future__ import annotations

import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from backlog_ls.config import Settings  # noqa: E402
from backlog_ls.parse import parse  # noqa: E402
from backlog_ls.providers.backlog_files import backlog_paths  # noqa: E402
from backlog_ls.providers.config_file import ConfigLoader  # noqa: E402
from backlog_ls.workspace_outline import Entry, WorkspaceOutline  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]


def _workspace(folder: Path, sources: list[Path]) -> None:
    for index, source in enumerate(sources):
        shutil.copyfile(source, folder / f"{index:03d}-{source.name.replace('.md', '')}-backlog.md")


def _entries(folder: Path, loader: ConfigLoader) -> list[Entry]:
    found = []
    for path in backlog_paths([str(folder)], loader.for_path, use_git=False):
        loaded = loader.for_path(path)
        found.append(Entry(Path(path).as_uri(), path, loaded.settings, loaded.root))
    return found


def _ms(action, repeat: int = 5) -> tuple[float, float]:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        action()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times), max(times)


def main() -> None:
    corpora = [Path(arg) for arg in sys.argv[1:]] or [ROOT.parent / "shared" / "corpus", ROOT.parent / "shared" / "corpus2"]
    sources = sorted(path for folder in corpora if folder.is_dir() for path in folder.glob("*.md"))
    if not sources:
        sources = [ROOT / "examples" / "BACKLOG.md"] * 100
    with tempfile.TemporaryDirectory() as temporary:
        folder = Path(temporary)
        _workspace(folder, sources)
        size = sum(path.stat().st_size for path in folder.iterdir())
        loader = ConfigLoader()
        outline = WorkspaceOutline()
        entries = _entries(folder, loader)
        start = time.perf_counter()
        answer = outline.answer(entries, "utf-16")
        first = (time.perf_counter() - start) * 1000
        sections = sum(1 for file in answer["files"] for _ in _walk(file["sections"]))
        print(f"workspace: {len(answer['files'])} backlog files, {size / 1e6:.1f} MB, {sections} sections")
        print(f"  listing the files (walk, no git): {_ms(lambda: _entries(folder, loader))[0]:.1f} ms")
        print(f"  first answer (read + parse + outline every file): {first:.0f} ms")
        median, worst = _ms(lambda: outline.answer(entries, "utf-16"))
        print(f"  again, nothing changed: {median:.1f} ms (max {worst:.1f})")
        changed = Path(entries[0].path)
        changed.write_text(changed.read_text(encoding="utf-8") + "\n- [ ] one more\n", encoding="utf-8")
        os.utime(changed, ns=(time.time_ns() + 10**9,) * 2)
        start = time.perf_counter()
        outline.answer(entries, "utf-16")
        print(f"  after one file changed: {(time.perf_counter() - start) * 1000:.1f} ms")

    lines = []
    for phase in range(200):
        lines.append(f"## Phase {phase}")
        lines.extend(f"- [{'x' if task % 3 == 0 else ' '}] **Task {phase}.{task}:** Work item {task}" for task in range(100))
    backlog = parse("\n".join(lines) + "\n")
    document = Entry("file:///big/BACKLOG.md", "/big/BACKLOG.md", Settings(), "/big", backlog)
    median, worst = _ms(lambda: WorkspaceOutline().answer([document], "utf-16"))
    print(f"one open document, 20,000 tasks in 200 sections: {median:.0f} ms (max {worst:.0f})")


def _walk(sections):
    for section in sections:
        yield section
        yield from _walk(section["sections"])


if __name__ == "__main__":
    main()
