from __future__ import annotations

import pytest

from backlog_ls.rules.open_in_finished_section import status_value, title_status

from .fixture import assert_findings, findings_for, fixed

RULE = "open-in-finished-section"


def test_heading_with_check_mark():
    annotated = """
        ## Phase 2: Query Protocol ✅

        - [x] Parse queries
        - [ ] Support field aliases
          ^^^ BL303 warning: Open task in 'Phase 2: Query Protocol ✅', which is marked done.

        ## Phase 3: Replication

        - [ ] Not started, and nobody says otherwise
        """
    found = assert_findings(annotated, rule=RULE)
    assert [(fix.title, fix.safe) for fix in found[0].fixes] == [("Tick this task", False)]
    after = fixed(annotated, rule=RULE)
    assert "- [x] Support field aliases\n" in after


def test_a_finished_section_s_open_tasks_are_one_finding_with_related_lines():
    text = "## Phase 2 ✅\n\n- [x] Parse\n- [ ] Alias\n  - [ ] nested\n\n### Phase 2b\n- [ ] more\n\n## Phase 3 ✅\n- [ ] other\n"
    found = findings_for(text, rule=RULE)
    assert [(f.span.start_line, f.message) for f in found] == [
        (3, "Open task in 'Phase 2 ✅', which is marked done; 2 more open tasks there."),
        (10, "Open task in 'Phase 3 ✅', which is marked done."),
    ]
    assert [r.span.start_line for r in found[0].related] == [4, 7]
    assert [fix.title for fix in found[0].fixes] == ["Tick the 3 open tasks"]
    assert fixed(text, rule=RULE) == text.replace("- [ ] Alias", "- [x] Alias").replace("- [ ] nested", "- [x] nested").replace(
        "- [ ] more", "- [x] more"
    )


def test_status_words_in_headings_and_subsections_inherit():
    assert_findings(
        """
        ## Phase 3 — Done

        - [ ] dash done
          ^^^ BL303 warning: Open task in 'Phase 3 — Done', which is marked done.

        ## Phase 0 — Cross-platform build (done)

        ### Details

        - [ ] in a subsection
          ^^^ BL303 warning: Open task in 'Phase 0 — Cross-platform build (done)', which is marked done.

        ## Phase 1 -- Core (Weeks 1-3): **Done** (all 26 known gaps fixed)

        - [ ] bold status with a note
          ^^^ BL303 warning: Open task in 'Phase 1 -- Core (Weeks 1-3): Done (all 26 known gaps fixed)', which is marked done.

        ### Completed

        - [x] fine
        - [ ] forgotten
          ^^^ BL303 warning: Open task in 'Completed', which is marked done.

        ## Phase 4: Reports ✅ **COMPLETE**

        > - [ ] quoted open task
            ^^^ BL303 warning: Open task in 'Phase 4: Reports ✅ COMPLETE', which is marked done.
        """,
        rule=RULE,
    )


def test_status_line_before_the_first_list():
    assert_findings(
        """
        ## Sprint 150 — Spec Drift

        **Status**: Completed

        - [ ] left behind
          ^^^ BL303 warning: Open task in 'Sprint 150 — Spec Drift', which its status line (line 3) marks done.

        ## Milestone 2

        Some words first.
        Status: ✅ Complete

        ### Deliverables

        - [ ] inherited from the parent's status line
          ^^^ BL303 warning: Open task in 'Milestone 2', which its status line (line 10) marks done.

        ## Milestone 3

        - [ ] a list comes first
        Status: Done
        """,
        rule=RULE,
    )


def test_a_subsection_that_says_otherwise_is_left_alone():
    assert_findings(
        """
        ## Phase 1C: Voice & Media ✅

        - [x] voice

        ### Remaining for Alpha

        - [ ] remaining work

        ### Could-Have (Defer to Phase 2)

        - [ ] optional work

        ### Follow-ups

        - [ ] later

        ### Polish

        **Status:** Planned

        - [ ] polish

        ### Success Criteria

        - [ ] criteria still open
          ^^^ BL303 warning: Open task in 'Phase 1C: Voice & Media ✅', which is marked done.
        """,
        rule=RULE,
    )


def test_no_false_alarms():
    assert_findings(
        """
        ## Definition of Done (DoD)

        - [ ] Tests pass

        ### Phase 1 Done When:

        - [ ] Auth works

        ## Done criteria

        - [ ] Reviewed

        ## ✅ Success Criteria

        - [ ] Build passes

        ## v0.4.2 - Complete Installation System

        - [ ] Installer

        ## Phase 10: HTTP/3 framing — CODE COMPLETE, not yet wired to conn.v

        - [ ] wire it

        ## Phase 11 — 80% complete

        - [ ] the rest

        ## Tasks we'd like to get done

        - [ ] something

        ## Sprint 7

        **Status:** Planning complete

        - [ ] plan executed
        """,
        rule=RULE,
    )


def test_states_in_a_finished_section():
    assert_findings(
        """
        ## Done

        - [-] cancelled: not open
        - [~] in progress: still open
          ^^^ BL303 warning: Open task in 'Done', which is marked done.
        - [x] done
        """,
        rule=RULE,
        config='states = { "~" = "in-progress", "-" = "cancelled" }',
    )


@pytest.mark.parametrize(
    ("title", "numbered", "expected"),
    [
        ("Phase 2: Query Protocol ✅", True, True),
        ("Phase 2: Query Protocol ✔️", True, True),
        ("Phase 3 — Done", True, True),
        ("Phase 0 (done)", True, True),
        ("Alloy Pilot Phase 0 (October 2019 - January 2020) - Completed", False, True),
        ("Milestone: Commodities model / Outcome: *Complete*", False, True),
        ("Current Status: Phase 1 - Foundation (✅ COMPLETE)", False, True),
        ("Phase 2 [DONE]", True, True),
        ("Done", False, True),
        ("DONE", False, True),
        ("Completed Features ✅", False, True),
        ("Completed Planning Phase (archived)", False, True),
        ("Phases Completed", False, True),
        ("What's Done", False, True),
        ("Shipped (v0.1.0-beta)", False, True),
        ("✅ Phase 1: Foundation", True, True),
        ("✅ 已完成任务清单", False, True),
        ("✅ Success Criteria", False, None),
        ("✅ DO THESE THINGS TONIGHT:", False, None),
        ("Definition of Done", False, None),
        ("Definition of Done (DoD)", False, None),
        ("Phase 1 Done When:", True, None),
        ("Done criteria", False, None),
        ("Complete Installation Guide", False, None),
        ("08:00 AM UTC - PeachTree 24-Hour Validation Complete", False, None),
        ("Phase 1 (3/5 done)", True, None),
        ("Not done", False, False),
        ("Phase 2 ✅ (partially)", True, False),
        ("Phase 10: HTTP/3 — CODE COMPLETE, not yet wired", True, False),
        ("🚧 In Progress", False, False),
        ("Remaining Work (MUST-HAVE for v0.1.0) 🔴", False, False),
        ("STATUS: ✅ READY FOR DEPLOYMENT EXECUTION", False, False),
        ("Status: Done", False, True),
        ("Phase 3: Replication", True, None),
    ],
)
def test_title_status(title, numbered, expected):
    assert title_status(title, numbered) is expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("Completed", True),
        ("**Complete** — all build errors resolved", True),
        ("✅ Complete", True),
        ("[x] Complete", True),
        ("100% Complete", True),
        ("Complete ✓ | **Risk:** HIGH", True),
        ("✅", True),
        ("Done.", True),
        ("Planned", False),
        ("🔜 PLANNED", False),
        ("Not Started", False),
        ("In progress", False),
        ("Planning complete", False),
        ("Partially Complete - Infrastructure Ready", False),
        ("Complete — build restored, implementation deferred", False),
        ("All core features delivered", None),
        ("Superseded by Sprint 109", None),
        ("✅ ALL SYSTEMS READY FOR EXECUTION", None),
        ("", None),
    ],
)
def test_status_value(value, expected):
    assert status_value(value) is expected


def test_severity_and_suppression():
    text = "## Done\n\n- [ ] open\n"
    assert [f.severity for f in findings_for(text, rule=RULE)] == ["warning"]
    assert findings_for("## Done\n\n<!-- backlog-ls-disable-next-line BL303 -->\n- [ ] open\n", rule=RULE) == []


def test_a_task_deferred_in_words_does_not_keep_a_finished_section_open():
    text = "## Phase 2 ✅ COMPLETE\n- [x] a\n- [ ] Handle diffs - TODO Phase 3\n- [ ] Badges in the UI (Phase 4)\n"
    assert findings_for(text, rule=RULE) == []


def test_the_subtasks_of_a_deferred_task_go_with_it():
    text = "## Phase 5f ✅\n- [x] a\n- [ ] **Hammerspoon** (Optional - Future Enhancement)\n  - [ ] watcher\n  - [ ] ping\n"
    assert findings_for(text, rule=RULE) == []


def test_a_task_its_words_defer_or_rule_out_does_not_keep_a_finished_section_open():
    text = (
        "## Sprint 109\n\n**Status:** Complete ✓\n\n"
        "- [x] Build succeeds\n"
        "- [ ] E2E: Fresh DB initialized (pending Sprint 121)\n"
        "- [ ] E2E: v20 DB migrated (N/A - no migration path per spec §17)\n"
    )
    assert findings_for(text, rule="BL303") == []
    assert [f.code for f in findings_for(text.replace("pending Sprint 121", "pending review"), rule="BL303")] == ["BL303"]
