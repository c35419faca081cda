"""The cross-file rules' table and its provider: unopened files read from disk, open ones from their text."""

from __future__ import annotations

import time

from backlog_ls.config import Settings
from backlog_ls.parse import parse
from backlog_ls.providers import daemon
from backlog_ls.providers.workspace_facts import FactsProvider
from backlog_ls.rules import check
from backlog_ls.rules.across_files import facts_of
from backlog_ls.workspace_facts import FactsTable

from .fixtures import FILES, write_workspace


def _wait(condition, seconds: float = 10.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.01)


def _provider(root):
    changes: list[set[str]] = []
    provider = FactsProvider(FactsTable(), lambda path: (Settings(), str(root)), changes.append)
    return provider, changes


def _synced(tmp_path):
    """A provider that has read the fixture workspace: (provider, changes heard, root, its files)."""
    root = write_workspace(tmp_path)
    provider, changes = _provider(root)
    paths = [str(root / relative) for relative in FILES]
    provider.sync(paths)
    _wait(lambda: provider.syncs_finished == 1)
    return provider, changes, root, paths


def _messages(table, path) -> list[str]:
    return [f"{finding.code} {finding.message}" for finding in table.findings(str(path))]


def test_unopened_files_are_read_and_an_open_documents_text_wins(tmp_path):
    provider, changes, root, paths = _synced(tmp_path)
    plan = root / "docs/plan.md"
    assert _messages(provider.table, plan) == [
        "BL104 Task ID 'Task 2.1' is also used by the task on line 3 of notes.md.",
        "BL103 Issue #12 is also referenced by 'Task 1.1' on line 3 of ../ARCHIVE.md.",
    ]
    assert str(plan) in set().union(*changes)
    # The editor opens notes.md and renames its task: the live text counts, not the disk's.
    live = FILES["docs/notes.md"].replace("Task 2.1", "Task 2.2")
    provider.document_checked(str(root / "docs/notes.md"), facts_of(parse(live), str(root / "docs/notes.md"), str(root)))
    assert _messages(provider.table, plan) == ["BL103 Issue #12 is also referenced by 'Task 1.1' on line 3 of ../ARCHIVE.md."]
    provider.sync(paths)  # a sync does not read the open file back from disk
    _wait(lambda: provider.syncs_finished == 2)
    assert len(_messages(provider.table, plan)) == 1
    provider.document_closed(str(root / "docs/notes.md"))
    _wait(lambda: len(_messages(provider.table, plan)) == 2)
    provider.stop()


def test_a_file_gone_from_the_index_leaves_the_table(tmp_path):
    provider, _, root, _ = _synced(tmp_path)
    provider.sync([str(root / relative) for relative in FILES if relative != "ARCHIVE.md"])
    _wait(lambda: provider.syncs_finished == 2)
    assert _messages(provider.table, root / "docs/plan.md") == [
        "BL104 Task ID 'Task 2.1' is also used by the task on line 3 of notes.md.",
        "BL103 Issue #12 is also referenced by 'Task 1.1' on line 3 of ../ROADMAP.md.",
    ]
    provider.stop()


def test_equal_facts_change_nothing():
    table = FactsTable()
    facts = [facts_of(parse(text), f"/p/{relative}", "/p") for relative, text in FILES.items()]
    assert table.update(facts) == {"/p/ROADMAP.md", "/p/docs/plan.md"}
    generation = table.generation
    assert table.update([facts_of(parse(FILES["docs/plan.md"]), "/p/docs/plan.md", "/p")]) == set()
    assert table.generation == generation


def test_unopened_findings_hold_each_files_own_and_cross_file_findings(tmp_path):
    provider, _, root, paths = _synced(tmp_path)
    calls = []

    def run(path, backlog, settings):
        calls.append(path)
        return check(backlog, settings, path=path)

    reports = {report.path: report for report in provider.unopened_findings(paths, run, generation=1)}
    assert [(f.span.start_line + 1, f.code) for f in reports[str(root / "docs/plan.md")].findings] == [(6, "BL104"), (6, "BL103")]
    assert reports[str(root / "docs/plan.md")].lines[5] == "- [ ] **Task 2.1 (#12):** Ship the release."
    again = {report.path: report.result_id for report in provider.unopened_findings(paths, run, generation=1)}
    assert again == {path: report.result_id for path, report in reports.items()}
    assert len(calls) == len(paths)  # the second pull checked nothing again
    provider.stop()


def test_an_opened_documents_first_facts_are_read_later_and_never_over_a_checks(tmp_path):
    provider, changes, root, paths = _synced(tmp_path)
    plan, notes = root / "docs/plan.md", str(root / "docs/notes.md")
    renamed = FILES["docs/notes.md"].replace("Task 2.1", "Task 2.2")
    provider.document_opened(notes)
    changes.clear()
    provider.first_facts_later(notes, lambda: facts_of(parse(renamed), notes, str(root), live=True))
    # Its live text counts once read, and the listeners hear of the files whose findings changed.
    _wait(lambda: _messages(provider.table, plan) == ["BL103 Issue #12 is also referenced by 'Task 1.1' on line 3 of ../ARCHIVE.md."])
    assert str(plan) in set().union(*changes)
    # A later first read (of an older text) does not replace the facts the document has now.
    provider.first_facts_later(notes, lambda: facts_of(parse(FILES["docs/notes.md"]), notes, str(root), live=True))
    provider.sync(paths)
    _wait(lambda: provider.syncs_finished == 2)  # the worker took the jobs in order: the first read is done
    assert _messages(provider.table, plan) == ["BL103 Issue #12 is also referenced by 'Task 1.1' on line 3 of ../ARCHIVE.md."]
    provider.stop()


def test_a_first_read_waits_while_the_server_is_busy(tmp_path, monkeypatch):
    monkeypatch.setattr(daemon, "GIVE_WAY_SECONDS", 30.0)  # each point waits this long at most
    root = write_workspace(tmp_path)
    busy = [True]
    provider = FactsProvider(FactsTable(), lambda path: (Settings(), str(root)), server_busy=lambda: busy[0])
    notes = str(root / "docs/notes.md")
    provider.document_opened(notes)
    provider.first_facts_later(notes, lambda: facts_of(parse(FILES["docs/notes.md"]), notes, str(root), live=True))
    time.sleep(0.3)
    assert provider.table.facts(notes) is None  # still waiting for the check under way
    busy[0] = False
    _wait(lambda: provider.table.facts(notes) is not None)
    provider.stop()
