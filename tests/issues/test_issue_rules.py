"""BL305 issue-still-open, BL306 issue-closed-task-open, BL307 unknown-issue, with MemoryIssues."""

from __future__ import annotations

from datetime import datetime, timezone

from backlog_ls.features.issues import issues_changed
from backlog_ls.parse import parse
from backlog_ls.rules import check
from backlog_ls.tracker import CLOSED, OPEN, MemoryIssues, Repository, TrackerIssue

from ..rules.fixture import apply_fix, assert_findings, findings_for, split_annotations

REPO = Repository("github", "acme", "app")
CLOSED_ON = datetime(2024, 5, 2, tzinfo=timezone.utc)


def tracker(**kwargs) -> MemoryIssues:
    return MemoryIssues(
        [
            TrackerIssue(13, "Storage engine", OPEN),
            TrackerIssue(14, "Old bug", CLOSED, closed_at=CLOSED_ON),
            TrackerIssue(15, "Merged work", CLOSED, is_pull=True, merged=True, closed_at=CLOSED_ON),
            TrackerIssue(16, "Abandoned PR", CLOSED, is_pull=True),
            TrackerIssue(17, "Draft", OPEN, is_pull=True, draft=True),
        ],
        REPO,
        **kwargs,
    )


def test_still_open_on_ticked_tasks_only():
    annotated = """
        - [x] **Task 4.1 (Issue #13):** Implement storage.
                          ^^^^^^^^^ BL305 warning: Task is ticked but its issue #13 is still open: 'Storage engine'.
        - [x] Cache (#17)
                     ^^^ BL305 warning: Task is ticked but its pull request #17 (a draft) is still open: 'Draft'.
        - [ ] Open task (#13)
        - [x] Done (#14) and acme/app#13
                             ^^^^^^^^^^^ BL305 warning: Task is ticked but its issue #13 is still open: 'Storage engine'.
        - [x] Elsewhere other/lib#13
        """
    found = assert_findings(annotated, rule="BL305", tracker=tracker())
    text, _ = split_annotations(annotated)
    assert not found[0].fixable
    assert apply_fix(text, found[0].fixes[0]).split("\n")[0] == "- [ ] **Task 4.1 (Issue #13):** Implement storage."


def test_closed_issue_on_an_open_task():
    annotated = """
        - [ ] Fix the old bug (#14)
                               ^^^ BL306 hint: Issue #14 is closed on 2024-05-02 but the task is still open.
        - [ ] Land it (GH-15)
                       ^^^^^ BL306 hint: Pull request #15 is merged on 2024-05-02 but the task is still open.
        - [ ] Abandoned (#16)
        - [ ] Mixed (#14, #13)
        - [x] Done (#14)
        - [ ] Unknown (#99)
        """
    found = assert_findings(annotated, rule="BL306", tracker=tracker())
    text, _ = split_annotations(annotated)
    assert found[0].fixable
    assert apply_fix(text, found[0].fixes[0]).split("\n")[0] == "- [x] Fix the old bug (#14)"


def test_unknown_issue_only_when_the_tracker_knows_the_repository():
    annotated = """
        # Plan (see #99)
                ^^^^^^^ BL307 warning: Issue #99 does not exist in acme/app: the tracker has no such number.
        - [ ] Fix (#13) and #4200
                            ^^^^^ BL307 warning: Issue #4200 does not exist in acme/app: the tracker has no such number.
        - [ ] Elsewhere other/lib#4200 and acme/app#77
                                           ^^^^^^^^^^^ BL307 warning: Issue #77 does not exist in acme/app: the tracker has no such number.

        Prose mentions https://github.com/acme/app/pull/88 too.
                       ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^ BL307 warning: Pull request #88 does not exist in acme/app: the tracker has no such number.
        """
    assert_findings(annotated, rule="BL307", tracker=tracker())
    text, _ = split_annotations(annotated)
    assert findings_for(text, rule="BL307", tracker=tracker(complete=False)) == []


def test_no_tracker_no_findings():
    text = "- [x] Done (#13)\n- [ ] Open (#14)\n- [ ] Unknown (#99)\n"
    assert [f.code for f in check(parse(text)) if f.code in ("BL305", "BL306", "BL307")] == []


class _CountingIssues(MemoryIssues):
    """A source that counts what the rules ask of it."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.asked = 0

    def get(self, number, owner=None, name=None):
        self.asked += 1
        return super().get(number, owner, name)


def test_a_source_that_holds_nothing_yet_is_not_asked_about_every_task():
    # The default provider before its first refresh (or with no token): no issue cached, no
    # repository's list known complete. Every lookup would miss, so the tracker rules walk nothing.
    from backlog_ls.features.issues import holds_nothing

    text = "- [x] Done (#13)\n- [ ] Open (#14)\n- [ ] Unknown (#99)\n"
    blank = _CountingIssues([], REPO, complete=False)
    assert holds_nothing(blank)
    assert [f.code for f in check(parse(text), tracker=blank) if f.code.startswith("BL30")] == []
    assert blank.asked == 0
    # A complete list that happens to be empty (a repository with no issues yet) is an answer:
    # every number is unknown there.
    empty_but_known = _CountingIssues([], REPO, complete=True)
    assert not holds_nothing(empty_but_known)
    assert [(f.code, f.span.start_line) for f in check(parse(text), tracker=empty_but_known) if f.code == "BL307"] == [
        ("BL307", 0), ("BL307", 1), ("BL307", 2)
    ]
    # One cached issue is enough to be asked (an incomplete list still answers for the numbers it has).
    one = _CountingIssues([TrackerIssue(13, "Storage engine", OPEN)], REPO, complete=False)
    assert not holds_nothing(one)
    assert [f.code for f in check(parse(text), tracker=one) if f.code.startswith("BL30")] == ["BL305"]


def test_several_sources_hold_nothing_only_when_each_does():
    from backlog_ls.features.issues import holds_nothing
    from backlog_ls.providers.trackers.sources import TrackerSources

    blank = MemoryIssues([], REPO, complete=False)
    keyed = MemoryIssues([TrackerIssue(12, "Login", OPEN, key="ABC-12")], Repository("jira", "", "ABC"), complete=True)
    assert holds_nothing(TrackerSources(blank, {}))
    assert holds_nothing(TrackerSources(None, {"ABC": MemoryIssues([], None, complete=False)}))
    assert not holds_nothing(TrackerSources(blank, {"ABC": keyed}))
    assert not holds_nothing(TrackerSources(None, {"ABC": MemoryIssues([], None, complete=True)}))


def test_findings_follow_the_trackers_data():
    backlog = parse("- [x] Done (#13)\n")
    source = tracker()
    assert [f.code for f in check(backlog, tracker=source, select=["BL305"])] == ["BL305"]
    source.issues[0] = TrackerIssue(13, "Storage engine", CLOSED)
    issues_changed()  # what the server's notify_issues_changed does
    assert [f.code for f in check(backlog, tracker=source, select=["BL305"])] == []


def test_a_mention_of_an_issue_is_not_the_task_s_issue_for_the_tracker_rules():
    text = "- [x] Reword the intro. See #13\n- [ ] Fix the parser, related to #14\n- [x] Ship it, cf. #13\n"
    assert findings_for(text, rule="BL305", tracker=tracker()) == []
    assert findings_for(text, rule="BL306", tracker=tracker()) == []


def test_an_enter_above_moves_the_tracker_findings_without_reading_the_blocks_below():
    from backlog_ls.parse import reparse
    from backlog_ls.text import split_lines

    text = "# Plan\n\n## Phase 1\n\n- [x] Storage (#13)\n- [ ] Old bug (#14)\n\n## Phase 2\n\n- [ ] Unknown (#99)\n- [ ] Fine (#16)\n"
    source = tracker()
    before = parse(text)
    found_before = [(f.code, f.span.start_line, f.span.start_col, f.message) for f in check(before, tracker=source)]
    assert [(code, line) for code, line, _, _ in found_before] == [("BL305", 4), ("BL306", 5), ("BL307", 9)]
    lines = text.split("\n")
    entered = "\n".join(lines[:1] + [""] + lines[1:])
    after = reparse(before, split_lines(entered)[0], 1, 0, 1)
    lists = [block for block in after.blocks if block.kind == "list"]
    assert all(block.moved_from is not None for block in lists)
    found = [(f.code, f.span.start_line, f.span.start_col, f.message) for f in check(after, tracker=source)]
    assert found == [(code, line + 1, column, message) for code, line, column, message in found_before]
    assert found == [(f.code, f.span.start_line, f.span.start_col, f.message) for f in check(parse(entered), tracker=source)]
    # The quick fix moved with its finding: unticking the task on its new line.
    (still_open,) = [f for f in check(after, tracker=source) if f.code == "BL305"]
    assert [edit.span.start_line for edit in still_open.fixes[0].edits] == [5]
    assert all(block.moved_from is not None for block in lists), "the tracker rules read the moved blocks' items"


def test_a_keystroke_in_a_long_list_asks_the_tracker_about_the_edited_task_alone():
    from backlog_ls.workspace import Document

    lines = ["# Plan", ""] + [f"- [{'x' if n % 3 == 0 else ' '}] Task {n} (#{13 + n % 2})" for n in range(60)]
    document = Document("file:///plan/BACKLOG.md", "\n".join(lines) + "\n", 1, "/plan/BACKLOG.md")
    asked: list[int] = []

    class Counting(MemoryIssues):
        def get(self, number, owner=None, name=None):
            asked.append(number)
            return super().get(number, owner, name)

    source = Counting(list(tracker().all()), REPO)

    def found(backlog):
        tracker_codes = ("BL305", "BL306", "BL307", "BL308", "BL309")
        return [(f.code, f.span.start_line, f.span.start_col, f.message) for f in check(backlog, tracker=source) if f.code in tracker_codes]

    first = found(document.backlog)
    assert [(code, line) for code, line, _, _ in first[:4]] == [("BL305", 2), ("BL306", 3), ("BL306", 7), ("BL305", 8)]
    # Task 30 (#13, open, ticked: BL305) becomes #14 (closed): the finding goes, and the tracker is
    # asked about that task alone.
    line = lines.index("- [x] Task 30 (#13)")
    asked.clear()
    document.apply_change((line, len(lines[line]) - 2), (line, len(lines[line]) - 1), "4")
    after = found(document.backlog)
    assert asked and set(asked) == {14}, asked
    assert ("BL305", line) not in [(code, at) for code, at, _, _ in after]
    text_after = document.text.text
    # An Enter in the list moves the findings below it with their tasks: the tracker is asked about
    # the tasks read again around the new line (three, each asked by at most three rules), not the 60.
    asked.clear()
    document.apply_change((10, len(lines[10])), (10, len(lines[10])), "\n")
    moved = found(document.backlog)
    assert len(asked) <= 9, asked
    # (compared with fresh parses only now: a check of another list is the last list the rules saw)
    assert after == found(parse(text_after))
    assert moved == found(parse(document.text.text))
    assert [line for _, line, _, _ in moved if line > 10] == [line + 1 for _, line, _, _ in after if line > 10]


def test_after_any_edits_in_a_long_list_the_tracker_findings_are_a_fresh_checks():
    import random

    from backlog_ls.workspace import Document

    rng = random.Random(7)
    lines = ["# Plan", ""] + [f"- [{'x' if n % 3 == 0 else ' '}] Task {n} (#{13 + n % 5})" for n in range(50)] + ["", "After."]
    document = Document("file:///plan/BACKLOG.md", "\n".join(lines) + "\n", 1, "/plan/BACKLOG.md")
    source = tracker()
    tracker_codes = ("BL305", "BL306", "BL307", "BL308", "BL309")

    def found(backlog):
        return [(f.code, f.span.start_line, f.span.start_col, f.message) for f in check(backlog, tracker=source) if f.code in tracker_codes]

    seen = []
    for _ in range(40):
        text_lines = document.backlog.lines
        line = rng.randrange(2, len(text_lines) - 1)
        end = len(text_lines[line])
        piece = rng.choice(["\n", "x", " (#14)", " (#13)", "\n- [x] new (#15)", "\n  - [ ] sub", "", "[x]"])
        if piece == "":
            document.apply_change((line, end), (line + 1, 0), "")  # the line joined to the next
        elif piece == "[x]" and text_lines[line].startswith("- [ ]"):
            document.apply_change((line, 2), (line, 5), "[x]")  # ticked
        else:
            document.apply_change((line, end), (line, end), piece)
        seen.append((document.text.text, found(document.backlog)))
    for text, findings in seen:  # fresh checks only now: each is another list to the rules
        assert findings == found(parse(text)), text
