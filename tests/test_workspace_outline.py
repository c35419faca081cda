"""The backlog-ls/outline answer over a workspace (workspace_outline.py, providers/backlog_files.py):
which files it lists, open documents over the disk, and the disk read once per change."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from backlog_ls import workspace_outline
from backlog_ls.config import Settings
from backlog_ls.parse import parse
from backlog_ls.providers import backlog_files
from backlog_ls.providers.config_file import ConfigLoader
from backlog_ls.workspace_outline import Entry, WorkspaceOutline


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    (tmp_path / "BACKLOG.md").write_text("# Plan\n## Phase 1\n- [x] A\n- [ ] B\n", encoding="utf-8")
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "notes.md").write_text("# Notes\n- [ ] a task makes it a backlog\n", encoding="utf-8")
    (tmp_path / "docs" / "prose.md").write_text("# Prose\nNo tasks here.\n", encoding="utf-8")
    (tmp_path / "ignored").mkdir()
    (tmp_path / "ignored" / "TODO.md").write_text("- [ ] hidden\n", encoding="utf-8")
    (tmp_path / ".gitignore").write_text("ignored/\n", encoding="utf-8")
    (tmp_path / "tasks.txt").write_text("- [ ] not Markdown\n", encoding="utf-8")
    return tmp_path


def entries_for(folder: Path, loader: ConfigLoader, open_backlogs: dict[str, str] | None = None) -> list[Entry]:
    """What the server passes: the disk's backlogs, an open document's text instead of its file."""
    open_backlogs = open_backlogs or {}
    found = []
    for path in backlog_files.backlog_paths([str(folder)], loader.for_path, use_git=False):
        loaded = loader.for_path(path)
        text = open_backlogs.get(path)
        found.append(Entry(Path(path).as_uri(), path, loaded.settings, loaded.root, None if text is None else parse(text)))
    return found


def summary(answer: dict) -> list[tuple[str, list[tuple[str, str]]]]:
    def sections(items: list[dict]) -> list[tuple[str, str]]:
        rows = []
        for section in items:
            counts = section["counts"]
            rows.append((section["title"], f"{counts['done']}/{counts['total']}"))
            rows.extend(sections(section["sections"]))
        return rows

    return [(os.path.basename(file["path"]), sections(file["sections"])) for file in answer["files"]]


def test_lists_the_backlogs_check_would_read_with_their_progress(folder: Path):
    loader = ConfigLoader()
    answer = WorkspaceOutline().answer(entries_for(folder, loader), "utf-16")
    # prose.md has no task, ignored/ is in .gitignore, tasks.txt is not Markdown.
    assert summary(answer) == [
        ("BACKLOG.md", [("Plan", "1/2"), ("Phase 1", "1/2")]),
        ("notes.md", [("Notes", "0/1")]),
    ]
    assert answer["files"][0]["uri"] == (folder / "BACKLOG.md").as_uri()


def test_the_configuration_include_decides(folder: Path):
    (folder / ".backlog-ls.toml").write_text('include = ["docs/*.md"]\n', encoding="utf-8")
    paths = backlog_files.backlog_paths([str(folder)], ConfigLoader().for_path, use_git=False)
    assert [os.path.relpath(path, folder) for path in paths] == [os.path.join("docs", "notes.md"), os.path.join("docs", "prose.md")]


def test_an_open_document_is_read_as_the_editor_holds_it(folder: Path):
    loader = ConfigLoader()
    edited = "# Plan\n## Phase 1\n- [x] A\n- [x] B\n- [ ] C\n"
    answer = WorkspaceOutline().answer(entries_for(folder, loader, {str(folder / "BACKLOG.md"): edited}), "utf-16")
    assert summary(answer)[0] == ("BACKLOG.md", [("Plan", "2/3"), ("Phase 1", "2/3")])


def test_an_untitled_document_with_tasks_is_listed_last():
    untitled = Entry("untitled:Untitled-1", None, Settings(), None, parse("- [ ] one\n"))
    prose = Entry("untitled:Untitled-2", None, Settings(), None, parse("just words\n"))
    answer = WorkspaceOutline().answer([untitled, prose], "utf-16")
    assert [file["uri"] for file in answer["files"]] == ["untitled:Untitled-1"]
    assert answer["files"][0]["tasks"][0]["name"] == "one"


def test_a_file_is_read_again_only_when_it_changed(folder: Path, monkeypatch: pytest.MonkeyPatch):
    reads: list[str] = []
    real_read = workspace_outline.read_backlog
    monkeypatch.setattr(workspace_outline, "read_backlog", lambda path: reads.append(os.path.basename(path)) or real_read(path))
    loader = ConfigLoader()
    outline = WorkspaceOutline()
    outline.answer(entries_for(folder, loader), "utf-16")
    outline.answer(entries_for(folder, loader), "utf-16")
    assert reads == ["BACKLOG.md", "notes.md"]
    backlog = folder / "BACKLOG.md"
    backlog.write_text("# Plan\n- [x] A\n- [x] B\n", encoding="utf-8")
    os.utime(backlog, ns=(backlog.stat().st_mtime_ns + 10**9,) * 2)
    answer = outline.answer(entries_for(folder, loader), "utf-16")
    assert reads == ["BACKLOG.md", "notes.md", "BACKLOG.md"]
    assert summary(answer)[0] == ("BACKLOG.md", [("Plan", "2/2")])
    outline.answer(entries_for(folder, loader), "utf-8")  # other columns: made again
    assert reads[-2:] == ["BACKLOG.md", "notes.md"]


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this system")
def test_a_fifo_named_like_a_backlog_is_never_read(tmp_path: Path):
    os.mkfifo(tmp_path / "BACKLOG.md")
    (tmp_path / "TODO.md").write_text("- [ ] real\n", encoding="utf-8")
    entries = [Entry((tmp_path / name).as_uri(), str(tmp_path / name), Settings(), str(tmp_path)) for name in ("BACKLOG.md", "TODO.md")]
    answer = WorkspaceOutline().answer(entries, "utf-16")  # would block forever on open() without O_NONBLOCK
    assert [os.path.basename(file["path"]) for file in answer["files"]] == ["TODO.md"]


def test_one_file_that_fails_leaves_the_others(folder: Path, monkeypatch: pytest.MonkeyPatch):
    real_read = workspace_outline.read_backlog

    def failing(path: str) -> str | None:
        if path.endswith("notes.md"):
            raise RuntimeError("boom")
        return real_read(path)

    monkeypatch.setattr(workspace_outline, "read_backlog", failing)
    answer = WorkspaceOutline().answer(entries_for(folder, ConfigLoader()), "utf-16")
    assert [os.path.basename(file["path"]) for file in answer["files"]] == ["BACKLOG.md"]
