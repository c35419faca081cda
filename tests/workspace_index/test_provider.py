"""Filling the index from disk (providers/workspace_index.py): the CLI's files, live text first."""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

from backlog_ls.parse import parse
from backlog_ls.providers import daemon, workspace_index
from backlog_ls.providers.config_file import ConfigLoader
from backlog_ls.providers.workspace_index import IndexProvider, read_summary
from backlog_ls.workspace_index import IssueKey, WorkspaceIndex


class Recorder:
    def __init__(self):
        self.calls: list[tuple] = []

    def begin(self, total):
        self.calls.append(("begin", total))

    def report(self, done, total):
        self.calls.append(("report", done, total))

    def end(self, indexed):
        self.calls.append(("end", indexed))


def _uri(path: str) -> str:
    return Path(path).as_uri()


def _wait(condition, seconds: float = 10.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "the index did not catch up in time"
        time.sleep(0.01)


def _write(root: Path, name: str, text: str) -> Path:
    path = root / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def _workspace(tmp_path: Path) -> Path:
    _write(tmp_path, "ROADMAP.md", "# Roadmap\n\n- [ ] Task 2.3 (#12): Parse\n")
    _write(tmp_path, "docs/plans/next.md", "# Next\n\n- [ ] Task 3.1: After Task 2.3 (#12)\n")
    _write(tmp_path, "specs/a/tasks.md", "# Tasks\n\n- [x] T10 Tokenizer, see #12\n")
    _write(tmp_path, "notes.md", "# Notes\n\nNo tasks here, #12 mentioned.\n")  # not a backlog: no task items
    _write(tmp_path, "build/out.md", "- [ ] Task 9.9 (#12) generated\n")
    _write(tmp_path, "vendor/lib/TODO.md", "- [ ] Task 8.8 (#12)\n")
    _write(tmp_path, ".gitignore", "build/\n")
    _write(tmp_path, ".backlog-ls.toml", 'exclude = ["vendor"]\n')
    return tmp_path


def _provider(index: WorkspaceIndex) -> IndexProvider:
    loader = ConfigLoader()
    return IndexProvider(index, loader.for_path, lambda path: _uri(path))


def test_a_scan_indexes_the_files_check_would_read_with_progress(tmp_path):
    root = _workspace(tmp_path)
    index = WorkspaceIndex()
    provider = _provider(index)
    progress = Recorder()
    provider.scan([str(root)], progress)
    _wait(lambda: provider.scans_finished == 1)
    names = sorted(os.path.relpath(index.path_of(uri), root) for uri, _ in index.files())
    assert names == ["ROADMAP.md", os.path.join("docs", "plans", "next.md"), os.path.join("specs", "a", "tasks.md")]
    assert progress.calls == [("begin", 3), ("report", 3, 3), ("end", 3)]
    assert len(index.issue_mentions(IssueKey(12))) == 3
    provider.stop()


def test_an_open_document_wins_over_the_disk_until_it_closes(tmp_path):
    root = _workspace(tmp_path)
    index = WorkspaceIndex()
    provider = _provider(index)
    roadmap = str(root / "ROADMAP.md")
    uri = _uri(roadmap)
    provider.document_parsed(uri, 5, parse("# Roadmap\n\n- [ ] Task 2.3 (#77): Live text\n"), roadmap)
    provider.scan([str(root)])
    _wait(lambda: provider.scans_finished == 1)
    assert [hit.uri for hit in index.issue_mentions(IssueKey(77))] == [uri]
    assert uri not in [hit.uri for hit in index.issue_mentions(IssueKey(12))]
    provider.document_parsed(uri, 4, parse("- [ ] Task 2.3 (#55) older\n"), roadmap)  # an older revision
    assert index.issue_mentions(IssueKey(55)) == []
    provider.document_closed(uri, roadmap)
    _wait(lambda: index.issue_mentions(IssueKey(77)) == [])
    assert uri in [hit.uri for hit in index.issue_mentions(IssueKey(12))]
    provider.stop()


def test_a_document_open_in_the_editor_is_not_read_from_disk_by_a_scan(tmp_path):
    # Opened before its first check: a scan neither reads nor parses the disk's copy (a 20,000-task
    # backlog was parsed twice at start-up, once from the editor's text and once from the disk).
    root = _workspace(tmp_path)
    index = WorkspaceIndex()
    provider = _provider(index)
    roadmap = str(root / "ROADMAP.md")
    provider.document_opened(_uri(roadmap))
    progress = Recorder()
    provider.scan([str(root)], progress)
    _wait(lambda: provider.scans_finished == 1)
    names = sorted(os.path.relpath(index.path_of(uri), root) for uri, _ in index.files())
    assert names == [os.path.join("docs", "plans", "next.md"), os.path.join("specs", "a", "tasks.md")]
    assert progress.calls == [("begin", 2), ("report", 2, 2), ("end", 2)]
    provider.stop()


def test_watched_changes_update_add_and_remove_files(tmp_path):
    root = _workspace(tmp_path)
    index = WorkspaceIndex()
    provider = _provider(index)
    provider.scan([str(root)])
    _wait(lambda: provider.scans_finished == 1)
    next_md = _write(root, "docs/plans/next.md", "# Next\n\n- [ ] Task 3.1: Now cites #40\n")
    provider.file_changed(str(next_md))
    _wait(lambda: len(index.issue_mentions(IssueKey(40))) == 1)
    added = _write(root, "docs/plans/later.md", "- [ ] Task 4.1 (#41)\n")
    provider.file_changed(str(added))
    _wait(lambda: len(index.issue_mentions(IssueKey(41))) == 1)
    # A file that stops being a backlog (no task left) leaves the index.
    _write(root, "docs/plans/later.md", "Just prose, #41.\n")
    provider.file_changed(str(added))
    _wait(lambda: _uri(str(added)) not in index)
    (root / "specs" / "a" / "tasks.md").unlink()
    provider.file_deleted(str(root / "specs"))  # a whole folder
    _wait(lambda: _uri(str(root / "specs" / "a" / "tasks.md")) not in index)
    assert len(index) == 2
    provider.stop()


def test_files_that_must_not_be_read_are_skipped(tmp_path):
    fifo = tmp_path / "fifo.md"
    os.mkfifo(fifo)
    assert read_summary(str(fifo)) is None  # never blocks on a FIFO
    binary = tmp_path / "binary.md"
    binary.write_bytes(b"\x00\x9f\x92\x96- [ ] Task 1.1\n")  # not UTF-8, with NUL bytes
    assert read_summary(str(binary)) is None
    big = tmp_path / "big.md"
    big.write_text("- [ ] Task 1.1 (#1)\n" * 100, encoding="utf-8")
    assert read_summary(str(big), max_file_size=100) is None
    assert read_summary(str(big)).tasks[0].task_id == "Task 1.1"
    latin = tmp_path / "latin.md"
    latin.write_bytes("- [ ] Task 1.2: Café (#3)\n".encode("cp1252"))
    assert read_summary(str(latin)).tasks[0].text == "Task 1.2: Café (#3)"


def test_a_large_scan_parses_in_worker_processes_with_the_same_result(tmp_path):
    count = 80
    for number in range(count):
        _write(tmp_path, f"plans/plan-{number:02d}.md", f"# Plan {number}\n\n- [ ] Task {number}.1 (#12): Part {number}\n")
    summaries = {}
    for use_processes in (True, False):
        index = WorkspaceIndex()
        provider = _provider(index)
        provider.use_processes = use_processes
        progress = Recorder()
        provider.scan([str(tmp_path)], progress)
        _wait(lambda: provider.scans_finished == 1, seconds=60)
        provider.stop()
        assert progress.calls[0] == ("begin", count) and progress.calls[-1] == ("end", count)
        assert [call[1] for call in progress.calls if call[0] == "report"][-1] == count
        summaries[use_processes] = dict(index.files())
    assert len(summaries[True]) == count
    assert summaries[True] == summaries[False]


def test_a_new_scan_forgets_files_the_configuration_now_leaves_out(tmp_path):
    root = _workspace(tmp_path)
    index = WorkspaceIndex()
    loaders = [ConfigLoader()]
    provider = IndexProvider(index, lambda path: loaders[-1].for_path(path), _uri)
    provider.scan([str(root)])
    _wait(lambda: provider.scans_finished == 1)
    assert len(index) == 3
    _write(root, ".backlog-ls.toml", 'exclude = ["vendor", "specs"]\n')
    loaders.append(ConfigLoader())  # as the server reads configurations again after a change
    provider.scan([str(root)])
    _wait(lambda: provider.scans_finished == 2)
    assert sorted(os.path.basename(index.path_of(uri)) for uri, _ in index.files()) == ["ROADMAP.md", "next.md"]
    provider.stop()


def test_edits_are_summarised_once_they_pause_and_the_newest_wins(tmp_path):
    index = WorkspaceIndex()
    provider = _provider(index)
    uri = _uri(str(tmp_path / "PLAN.md"))
    provider.document_edited(uri, 1, parse("- [ ] Task 1.1 (#1)\n"))
    provider.document_edited(uri, 2, parse("- [ ] Task 1.1 (#2)\n"))
    assert index.get(uri) is None  # not on the parse's thread
    _wait(lambda: index.get(uri) is not None)
    assert [m.text for m in index.get(uri).mentions if m.kind == "issue"] == ["#2"]
    # A request needing the newest text at once summarises it there and then.
    provider.document_parsed(uri, 3, parse("- [ ] Task 1.1 (#3)\n"))
    assert [m.text for m in index.get(uri).mentions if m.kind == "issue"] == ["#3"]
    provider.stop()


def test_an_edited_document_is_summarised_once_the_server_is_not_busy(tmp_path, monkeypatch):
    monkeypatch.setattr(daemon, "GIVE_WAY_SECONDS", 30.0)  # each point waits this long at most
    busy = threading.Event()
    busy.set()  # a check under way
    index = WorkspaceIndex()
    provider = IndexProvider(index, ConfigLoader().for_path, _uri, server_busy=busy.is_set)
    uri = _uri(str(tmp_path / "PLAN.md"))
    provider.document_edited(uri, 1, parse("- [ ] Task 1.1 (#1)\n"))
    time.sleep(workspace_index.LIVE_DELAY_SECONDS + 0.5)  # the edits paused: the summary waits
    assert index.get(uri) is None
    busy.clear()
    _wait(lambda: index.get(uri) is not None)
    assert [m.text for m in index.get(uri).mentions if m.kind == "issue"] == ["#1"]
    provider.stop()


def test_a_server_busy_for_good_delays_a_summary_by_a_bounded_time(tmp_path, monkeypatch):
    monkeypatch.setattr(daemon, "GIVE_WAY_SECONDS", 0.02)
    index = WorkspaceIndex()
    provider = IndexProvider(index, ConfigLoader().for_path, _uri, server_busy=lambda: True)
    uri = _uri(str(tmp_path / "PLAN.md"))
    provider.document_edited(uri, 1, parse("- [ ] Task 1.1 (#1)\n"))
    _wait(lambda: index.get(uri) is not None)
    provider.stop()


def test_a_huge_workspace_is_indexed_up_to_a_bound(tmp_path, monkeypatch):
    monkeypatch.setattr(workspace_index, "MAX_FILES", 5)
    for number in range(8):
        _write(tmp_path, f"plan-{number}.md", f"- [ ] Task {number}.1\n")
    index = WorkspaceIndex()
    provider = _provider(index)
    progress = Recorder()
    provider.scan([str(tmp_path)], progress)
    _wait(lambda: provider.scans_finished == 1)
    provider.stop()
    assert len(index) == 5 and progress.calls[0] == ("begin", 5)


def _thresholds() -> tuple[int, int, int]:
    import gc

    return gc.get_threshold()


def test_the_worker_processes_collect_garbage_as_the_server_does():
    pool = workspace_index._process_pool(workspace_index.PROCESS_MIN_FILES)
    if pool is None:
        import pytest

        pytest.skip("one core: the index reads in the server")
    with pool:
        assert pool.submit(_thresholds).result(timeout=60) == (50_000, 20, 100)


def test_a_scan_of_few_big_files_parses_in_worker_processes_with_the_same_result(tmp_path, monkeypatch):
    tasks = "".join(f"- [ ] Task {n}.1 (#{n}): Part {n} of the parser\n" for n in range(200))
    for name in ("ROADMAP.md", "docs/plans/next.md"):
        _write(tmp_path, name, "# Plan\n\n" + tasks)
    size = sum(os.path.getsize(tmp_path / name) for name in ("ROADMAP.md", "docs/plans/next.md"))
    pools = []
    make_pool = workspace_index._process_pool

    def recorded(files, size=0):
        pool = make_pool(files, size)
        pools.append((files, size, pool is not None))
        return pool

    monkeypatch.setattr(workspace_index, "_process_pool", recorded)
    summaries = {}
    for limit in (size, size + 1):  # these two files are "big" when they reach the bound
        monkeypatch.setattr(workspace_index, "PROCESS_MIN_BYTES", limit)
        index = WorkspaceIndex()
        provider = _provider(index)
        provider.scan([str(tmp_path)])
        _wait(lambda: provider.scans_finished == 1, seconds=60)
        provider.stop()
        summaries[limit] = dict(index.files())
    if len(os.sched_getaffinity(0)) < 2:
        assert [made for *_, made in pools] == [False, False]
    else:
        assert pools == [(2, size, True), (2, size, False)]
    assert len(summaries[size]) == 2 and summaries[size] == summaries[size + 1]
    assert [task.task_id for task in next(iter(summaries[size].values())).tasks][:2] == ["Task 0.1", "Task 1.1"]
