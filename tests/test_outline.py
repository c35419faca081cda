"""The Backlog view's data (features/outline.py, convert.outline_file_json): what the tree shows."""

from __future__ import annotations

from textwrap import dedent

from backlog_ls import convert
from backlog_ls.config import Settings
from backlog_ls.features.outline import file_outline
from backlog_ls.parse import parse

from .conftest import ROOT


def outline_json(text: str, settings: Settings | None = None, encoding: str = "utf-16") -> dict:
    backlog = parse(dedent(text))
    return convert.outline_file_json(file_outline(backlog, settings), "file:///w/BACKLOG.md", "/w/BACKLOG.md", backlog.lines, encoding)


def flat_sections(sections: list[dict]) -> list[tuple[str, int, dict]]:
    found = []
    for section in sections:
        found.append((section["title"], section["level"], section["counts"]))
        found.extend(flat_sections(section["sections"]))
    return found


def test_the_example_backlogs_sections_with_their_counts_and_percentages():
    answer = outline_json((ROOT / "examples" / "BACKLOG.md").read_text(encoding="utf-8"))
    rows = [(title, counts["done"], counts["total"], counts["percent"]) for title, _, counts in flat_sections(answer["sections"])]
    assert rows == [
        ("Lantern Backlog", 8, 16, 50),
        ("Definition of Done", 0, 0, None),
        ("Phase 1: Foundations", 4, 6, 67),  # the subtasks of Task 1.3 count too
        ("Phase 2: Query Protocol ✅", 2, 3, 67),  # a heading task ('✅'); '- [ x]' is no task (BL201 says so)
        ("Phase 3: Clients", 0, 4, 0),
        ("Phase 4: Storage", 1, 2, 50),
    ]
    assert answer["counts"] == {"done": 8, "open": 8, "in_progress": 0, "cancelled": 0, "total": 16, "percent": 50}
    assert answer["sections"][0]["sections"][2]["task"]["kind"] == "done"
    phase1 = answer["sections"][0]["sections"][1]
    assert [task["name"] for task in phase1["tasks"]] == [
        "Task 1.1 (Issue #1): Set up the repository and CI.",
        "Task 1.2 (Issue #2): Choose the storage engine.",
        "Task 1.3 (Issue #4): Write the configuration loader.",
        "Task 1.4 (Issue #5): Document the release process.",
    ]
    assert [sub["name"] for sub in phase1["tasks"][2]["subtasks"]] == ["Parse TOML files", "Report unknown keys"]
    # The range is the task's text on its line (0-based), where a click puts the cursor.
    assert phase1["tasks"][3]["range"] == {"start": {"line": 13, "character": 6}, "end": {"line": 13, "character": 60}}


def test_states_by_meaning_cancelled_left_out_in_progress_not_done():
    answer = outline_json(
        """\
        ## Sprint
        - [x] Shipped
        - [~] Being written
        - [-] Dropped
        - [>] Later
        - [ ] Next
        - [?] Asked
        """
    )
    [sprint] = answer["sections"]
    assert sprint["counts"] == {"done": 1, "open": 3, "in_progress": 1, "cancelled": 1, "total": 5, "percent": 20}
    assert [(t["name"], t["state"], t["meaning"], t["kind"], t["ready"]) for t in sprint["tasks"]] == [
        ("Shipped", "x", "done", "done", False),
        ("Being written", "~", "in progress", "in_progress", True),  # begun, and waiting for nothing
        ("Dropped", "-", "cancelled", "cancelled", False),
        ("Later", ">", "deferred", "deferred", False),
        ("Next", " ", "open", "open", True),
        ("Asked", "?", "question", "open", True),
    ]


def test_declared_states_and_tasks_waiting_for_others():
    settings = Settings(states={"*": "doing", "%": "won't fix"})
    answer = outline_json(
        """\
        # Plan
        - [*] Started
        - [%] Not this one
        - [ ] **Task 1:** Write the parser
        - [ ] **Task 2:** Ship it, after Task 1
        - [x] **Task 3:** Design
        - [ ] **Task 4:** Build, depends on Task 3
        - [ ] **Task 5:** Publish, blocked by Task 9
        """,
        settings,
    )
    [plan] = answer["sections"]
    assert [(t["name"].split(":")[0], t["kind"], t["ready"]) for t in plan["tasks"]] == [
        ("Started", "in_progress", True),
        ("Not this one", "cancelled", False),
        ("Task 1", "open", True),
        ("Task 2", "open", False),  # Task 1 is open
        ("Task 3", "done", False),
        ("Task 4", "open", True),  # Task 3 is done
        ("Task 5", "open", False),  # nobody can say that Task 9 is done
    ]
    assert plan["counts"]["total"] == 6


def test_tasks_under_plain_bullets_and_before_the_first_heading_and_a_heading_task():
    answer = outline_json(
        """\
        - [ ] Loose task

        ## Phase 1
        - Backend
          - [x] Schema
          - [ ] API

        ### Task 1.2: Parser ✅
        - [x] Tokens
        """
    )
    assert [t["name"] for t in answer["tasks"]] == ["Loose task"]
    [phase] = answer["sections"]
    assert [t["name"] for t in phase["tasks"]] == ["Schema", "API"]  # the bullet that groups them is left out
    [heading_task] = phase["sections"]
    assert heading_task["task"]["kind"] == "done" and heading_task["counts"]["done"] == 1
    # The heading task counts as one task of Phase 1, beside its subtask.
    assert phase["counts"] == {"done": 3, "open": 1, "in_progress": 0, "cancelled": 0, "total": 4, "percent": 75}
    assert answer["counts"]["total"] == 5


def test_ranges_follow_the_position_encoding():
    text = "## 🚀 Launch\n- [ ] 🎉 Party\n"
    utf16 = outline_json(text)["sections"][0]
    utf8 = outline_json(text, encoding="utf-8")["sections"][0]
    assert utf16["range"] == {"start": {"line": 0, "character": 3}, "end": {"line": 0, "character": 12}}
    assert utf8["range"] == {"start": {"line": 0, "character": 3}, "end": {"line": 0, "character": 14}}
    assert utf16["tasks"][0]["range"]["end"] == {"line": 1, "character": 14}
    assert utf8["tasks"][0]["range"]["end"] == {"line": 1, "character": 16}


def test_an_empty_or_broken_document_has_an_empty_outline():
    assert outline_json("")["sections"] == []
    broken = outline_json("# \n-[ ]\n- [\n```\n- [ ] in a fence\n")
    assert broken["counts"]["total"] == 0
