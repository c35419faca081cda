from __future__ import annotations

import os

import pytest

from backlog_ls.providers import DiskFiles
from backlog_ls.rules import broken_link

from .fixture import apply_fix, assert_findings, findings_for


class FakeFiles:
    """An in-memory file system: absolute path -> Markdown text (None for a folder)."""

    def __init__(self, files: dict[str, str | None]):
        self.files = {os.path.normpath(path): text for path, text in files.items()}
        self.asked: list[str] = []

    def exists(self, path: str) -> bool:
        self.asked.append(path)
        path = os.path.normpath(path)
        return path in self.files or any(known.startswith(path + os.sep) for known in self.files)

    def anchors(self, path: str):
        from backlog_ls.anchors import document_anchors
        from backlog_ls.parse import parse

        text = self.files.get(os.path.normpath(path))
        return None if text is None else document_anchors(parse(text))


@pytest.fixture
def tree(tmp_path, monkeypatch):
    """docs/agent-context/plan.md links into a small repository; messages name folders from tmp_path."""
    (tmp_path / "docs" / "agent-context").mkdir(parents=True)
    (tmp_path / "docs" / "rfcs").mkdir()
    (tmp_path / "docs" / "rfcs" / "0001-process.md").write_text("# Process\n\n## Review rules\n\n## Review rules\n")
    (tmp_path / "docs" / "rfcs" / "0002-caching.md").write_text("# Caching\n")
    (tmp_path / "docs" / "design.md").write_text("# Design\n<a name=\"legacy\"></a>\n")
    (tmp_path / "docs" / "my notes.md").write_text("# Notes\n")
    (tmp_path / "img").mkdir()
    (tmp_path / "img" / "logo.png").write_bytes(b"\x89PNG")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_missing_files_and_anchors_on_disk(tree):
    path = str(tree / "docs" / "agent-context" / "plan.md")
    assert_findings(
        """
        # Plan
        ## Phase 1
        - [ ] Follow [the process](../rfcs/0001-process.md) and [its rules](../rfcs/0001-process.md#review-rules-1)
        - [ ] Read [the cache RFC](../rfcs/0003-caching.md)
                                   ^^^^^^^^^^^^^^^^^^^^^^^ BL401 warning: No file '../rfcs/0003-caching.md' relative to this document.
        - [ ] See [design](../design.md#legacy), [notes](../my%20notes.md), [folder](../rfcs/) and ![logo](../../img/logo.png)
        - [ ] See [a missing heading](../rfcs/0001-process.md#reveiw-rules)
                                      ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^ BL401 warning: No heading '#reveiw-rules' in '../rfcs/0001-process.md'.
        - [ ] ![missing image](../../img/logo.svg) and [back up](#phase-1) and [nowhere](#phase-9)
                               ^^^^^^^^^^^^^^^^^^ BL401 warning: No file '../../img/logo.svg' relative to this document.
                                                                                         ^^^^^^^^ BL401 warning: No heading '#phase-9' in this document.
        """,
        rule="broken-link",
        path=path,
        files=DiskFiles(),
    )


def test_suggestions_are_fixes_to_apply_by_hand(tree):
    path = str(tree / "docs" / "agent-context" / "plan.md")
    text = "# Plan\n\n## Phase 1\n\nSee [rfc](../rfcs/0002-cachng.md) and [top](#phase1) and [rules](../rfcs/0001-process.md#reveiw-rules).\n"
    found = findings_for(text, rule="BL401", path=path, files=DiskFiles())
    assert [(f.message, [(fix.title, fix.safe) for fix in f.fixes]) for f in found] == [
        (
            "No file '../rfcs/0002-cachng.md' relative to this document.",
            [("Change to '../rfcs/0002-caching.md'", False)],
        ),
        ("No heading '#phase1' in this document.", [("Change to '#phase-1'", False)]),
        ("No heading '#reveiw-rules' in '../rfcs/0001-process.md'.", [("Change to '#review-rules'", False)]),
    ]
    fixed = text
    for finding in reversed(found):
        fixed = apply_fix(fixed, finding.fixes[0])
    assert fixed == (
        "# Plan\n\n## Phase 1\n\n"
        "See [rfc](../rfcs/0002-caching.md) and [top](#phase-1) and [rules](../rfcs/0001-process.md#review-rules).\n"
    )
    assert findings_for(fixed, rule="BL401", path=path, files=DiskFiles()) == []


def test_skipped_targets(tree):
    path = str(tree / "docs" / "agent-context" / "plan.md")
    assert_findings(
        """
        # Plan
        - [ ] [web](https://example.com/x.md) [mail](mailto:a@b.c) [proto](//cdn.example.com/x.js)
        - [ ] [root relative, unknown root](/docs/nowhere.md) [empty]() [hash](#) [top](#top)
        - [ ] [line link](../rfcs/0001-process.md#L10-L20) `[code](nowhere.md)`
        - [ ] [query](../rfcs/0001-process.md?plain=1) [title](../rfcs/0001-process.md "The process")
        - [ ] [angle](<../my notes.md>)
        """,
        rule="broken-link",
        path=path,
        files=DiskFiles(),
    )


def test_reference_definitions_tables_and_quotes(tree):
    path = str(tree / "docs" / "agent-context" / "plan.md")
    assert_findings(
        """
        # Plan

        | Task | Doc |
        | ---- | --- |
        | One  | [rfc](../rfcs/0009.md) |
                       ^^^^^^^^^^^^^^^ BL401 warning: No file '../rfcs/0009.md' relative to this document.

        > Quoted: [rfc](../rfcs/0008.md)
                        ^^^^^^^^^^^^^^^ BL401 warning: No file '../rfcs/0008.md' relative to this document.

        See [the process][process] and [the old one][old].

        [process]: ../rfcs/0001-process.md
        [old]: ../rfcs/0000-old.md
               ^^^^^^^^^^^^^^^^^^^ BL401 warning: No file '../rfcs/0000-old.md' relative to this document.
        """,
        rule="broken-link",
        path=path,
        files=DiskFiles(),
    )


def test_in_memory_files(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # the message is the same whatever the working directory
    root = os.path.abspath(os.sep + "repo")
    files = FakeFiles(
        {
            os.path.join(root, "docs", "rfcs", "0001-process.md"): "# Process\n\n## Phase 1 — Scaffolding\n",
            os.path.join(root, "docs", "agent-context", "plan.md"): "# Plan\n",
        }
    )
    path = os.path.join(root, "docs", "agent-context", "plan.md")
    text = (
        "# Plan\n"
        "- [ ] [ok](../rfcs/0001-process.md#phase-1--scaffolding) [ok](../rfcs/0001-process.md)\n"
        "- [ ] [bad](../rfcs/0001-process.md#phase-1) [bad](../rfcs/0002.md) [again](../rfcs/0002.md)\n"
    )
    found = findings_for(text, rule="BL401", path=path, files=files)
    assert [(f.span, f.message) for f in found] == [
        ((2, 12, 2, 43), "No heading '#phase-1' in '../rfcs/0001-process.md'."),
        ((2, 51, 2, 66), "No file '../rfcs/0002.md' relative to this document."),
        ((2, 76, 2, 91), "No file '../rfcs/0002.md' relative to this document."),
    ]
    # Each distinct file was asked about once in the run.
    assert sorted(files.asked) == sorted(
        {os.path.join(root, "docs", "rfcs", "0001-process.md"), os.path.join(root, "docs", "rfcs", "0002.md")}
    )


def test_without_a_file_system_only_same_document_anchors():
    text = "# Plan\n## Phase 1\n- [ ] [up](#phase-1) [gone](#phase-2) [file](nowhere.md)\n"
    for options in ({}, {"path": "/repo/plan.md"}, {"files": FakeFiles({})}):
        found = findings_for(text, rule="BL401", **options)
        assert [(f.span, f.message) for f in found] == [((2, 28, 2, 36), "No heading '#phase-2' in this document.")]


def test_same_document_anchors_follow_github():
    assert_findings(
        """
        # 🚧 Ship it
        ## Notes
        ## Notes
        ### Café & Crème: `v2.0`
        <span id="custom"></span>

        [a](#-ship-it) [b](#notes-1) [c](#café--crème-v20) [d](#caf%C3%A9--cr%C3%A8me-v20) [e](#custom) [f](#Notes)
        [g](#notes-2)
            ^^^^^^^^ BL401 warning: No heading '#notes-2' in this document.
        """,
        rule="broken-link",
    )


def test_docstring_shows_bad_and_good():
    doc = broken_link.__doc__
    assert doc.startswith("broken-link (BL401): ")
    assert "\nBad:\n" in doc and "\nGood:\n" in doc


def test_the_message_names_the_document_never_the_working_directory(tmp_path, monkeypatch):
    (tmp_path / "docs").mkdir()
    plan = tmp_path / "docs" / "plan.md"
    text = "- [ ] Write the [spec](spec.md).\n"
    plan.write_text(text, encoding="utf-8")
    messages = []
    for working_directory in (tmp_path, tmp_path / "docs", tmp_path.parent):
        monkeypatch.chdir(working_directory)
        messages.append([f.message for f in findings_for(text, rule="BL401", path=str(plan), files=DiskFiles())])

    assert messages == [["No file 'spec.md' relative to this document."]] * 3


class CountingDiskFiles(DiskFiles):
    """The disk, counting what the rule asks of it."""

    def __init__(self):
        super().__init__()
        self.asked: list[str] = []

    def exists(self, path: str) -> bool:
        self.asked.append(path)
        return super().exists(path)


@pytest.fixture
def settled(monkeypatch):
    """Every file and folder counts as changed long ago (no change is "racy"); ``touch`` changes one,
    its modification time set later than any before, as a file system's clock would."""
    from backlog_ls.providers import files

    monkeypatch.setattr(files, "SETTLED_NS", -(10**18))
    clock = [1_700_000_000 * 10**9]

    def touch(path):
        clock[0] += 10**9
        os.utime(path, ns=(clock[0], clock[0]))

    return touch


def test_a_verdict_is_kept_while_what_it_read_is_unchanged(tmp_path, settled):
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "a.md").write_text("# A\n\n## Usage\n", encoding="utf-8")
    plan = str(tmp_path / "plan.md")
    text = "- [ ] Read [a](docs/a.md#usage), [b](docs/b.md) and [c](docs/c.md#intro)\n"
    files = CountingDiskFiles()

    def check_once():
        files.asked.clear()
        return [(f.span.start_col, f.message) for f in findings_for(text, rule="BL401", path=plan, files=files)]

    missing = [(37, "No file 'docs/b.md' relative to this document."), (56, "No file 'docs/c.md' relative to this document.")]
    assert check_once() == missing
    assert len(files.asked) == 3
    assert check_once() == missing  # a keystroke: nothing read changed, nothing asked again
    assert files.asked == []

    (tmp_path / "docs" / "b.md").write_text("# B\n", encoding="utf-8")  # a file appears in the folder
    settled(tmp_path / "docs")
    assert check_once() == missing[1:]
    assert len(files.asked) == 3

    (tmp_path / "docs" / "c.md").write_text("# C\n", encoding="utf-8")
    settled(tmp_path / "docs")
    assert check_once() == [(56, "No heading '#intro' in 'docs/c.md'.")]
    (tmp_path / "docs" / "c.md").write_text("# C\n\n## Intro\n", encoding="utf-8")  # its headings change
    settled(tmp_path / "docs" / "c.md")
    assert check_once() == []

    (tmp_path / "docs" / "a.md").unlink()
    settled(tmp_path / "docs")
    assert check_once() == [(15, "No file 'docs/a.md' relative to this document.")]


def test_a_link_to_a_symbolic_link_follows_its_target(tmp_path, settled):
    (tmp_path / "shared").mkdir()
    (tmp_path / "shared" / "spec.md").write_text("# Spec\n", encoding="utf-8")
    (tmp_path / "docs").mkdir()
    os.symlink(tmp_path / "shared" / "spec.md", tmp_path / "docs" / "spec.md")
    plan = str(tmp_path / "plan.md")
    text = "- [ ] Follow [the spec](docs/spec.md)\n"
    files = CountingDiskFiles()
    assert findings_for(text, rule="BL401", path=plan, files=files) == []

    (tmp_path / "shared" / "spec.md").unlink()  # the link's folder is as it was, its target is gone
    settled(tmp_path / "shared")
    found = findings_for(text, rule="BL401", path=plan, files=files)
    assert [f.message for f in found] == ["No file 'docs/spec.md' relative to this document."]


def test_a_folder_changed_just_now_is_not_vouched_for(tmp_path):
    (tmp_path / "docs").mkdir()
    files = DiskFiles()
    assert files.stamp(str(tmp_path / "docs")) is None  # a second change in the same tick would look the same
    assert files.stamp(str(tmp_path / "nothing" / "here")) == ("absent",)
    text, plan = "- [ ] Read [b](docs/b.md)\n", str(tmp_path / "plan.md")
    counting = CountingDiskFiles()
    for _ in range(2):
        assert [f.message for f in findings_for(text, rule="BL401", path=plan, files=counting)] == [
            "No file 'docs/b.md' relative to this document."
        ]
    assert len(counting.asked) == 2  # asked again each time


def test_two_documents_of_a_folder_each_judge_a_link_into_one_of_them(tmp_path, settled):
    (tmp_path / "b.md").write_text("# B\n", encoding="utf-8")
    text = "- [ ] See [usage](b.md#usage)\n"
    files = DiskFiles()
    from_a = findings_for(text, rule="BL401", path=str(tmp_path / "a.md"), files=files)
    assert [f.message for f in from_a] == ["No heading '#usage' in 'b.md'."]
    # In b.md itself the link is into its own headings, as typed, not those on disk.
    from_b = findings_for(text + "\n## Usage\n", rule="BL401", path=str(tmp_path / "b.md"), files=files)
    assert from_b == []
