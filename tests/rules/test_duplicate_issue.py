from __future__ import annotations

import pytest
from backlog_ls.parse import parse
from backlog_ls.rules import check
from backlog_ls.rules.duplicate_issue import RULE

from ..conftest import shared_files
from .fixture import assert_findings, findings_for


def test_every_later_reference_names_the_first_task():
    found = assert_findings(
        """
        ## Phase 3: Clients
        - [x] **Task 3.1 (Issue #11):** Implement the `ph` client.
        - [x] **Task 3.2 (Issue #11):** Implement the `mdb` client.
                          ^^^^^^^^^ BL103 warning: Issue #11 is also referenced by 'Task 3.1' on line 2.
        - [ ] Write the web client (#11)
                                    ^^^ BL103 warning: Issue #11 is also referenced by 'Task 3.1' on line 2.
        - [ ] GH-11 once more
              ^^^^^ BL103 warning: Issue #11 is also referenced by 'Task 3.1' on line 2.
        """,
        rule="duplicate-issue",
    )
    assert all(finding.fixes == () for finding in found)


def test_a_task_and_the_tasks_below_it_may_share_an_issue():
    assert_findings(
        """
        - [ ] **Task 3.1 (#11):** Implement the client
          - [x] Parse the reply (#11)
            - [ ] Handle errors (#11)
          - [ ] Format it (#11 and again #11)
        - [ ] **Task 3.2 (#11):** Package it
                          ^^^ BL103 warning: Issue #11 is also referenced by 'Task 3.1' on line 1.
          - [ ] Sign it (#11)
        """,
        rule="duplicate-issue",
    )


def test_repositories_tell_issues_apart():
    assert_findings(
        """
        - [ ] Upstream fix owner/tool#11
        - [ ] Our own fix #11
        - [ ] Track https://github.com/Owner/Tool/issues/11
                    ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^ BL103 warning: Issue Owner/Tool#11 is also referenced by 'Upstream fix owner/tool#11' on line 1.
        - [ ] Another project other/tool#11
        - [ ] GitLab https://gitlab.com/owner/tool/-/merge_requests/11
        """,
        rule="duplicate-issue",
    )


def test_the_configured_repository_is_the_unqualified_one():
    assert_findings(
        """
        - [ ] Our own fix #11
        - [ ] The same, qualified: owner/tool#11
                                   ^^^^^^^^^^^^^ BL103 warning: Issue owner/tool#11 is also referenced by 'Our own fix #11' on line 1.
        """,
        rule="duplicate-issue",
        config='[issues]\nrepo = "owner/tool"\n',
    )


def test_mentions_pull_requests_and_later_lines_do_not_count():
    assert_findings(
        """
        - [x] Implement the client (#11)
        - [ ] Package the client, depends on #11
        - [ ] Sign the package; blocked by #12, #11
        - [ ] Ship it, see #11
        - [x] Consolidate state (PR #54)
        - [x] Connection manager (PR #54)
        - [x] Message handler
          tracked in issue #11 like every other step
        """,
        rule="duplicate-issue",
    )


def test_only_task_references_count():
    assert_findings(
        """
        ## Phase 1 (#11)

        The client is tracked in #11.

        - [x] Implement the client (#11)
        - Notes on #11
        - [ ] Colours #000000 and #fff for the text
        - [ ] Colours #000000 and #fff for the border, #tags, [anchors](#11) and AES-256
        """,
        rule="duplicate-issue",
    )


def test_nothing_on_the_example(example_text):
    assert findings_for(example_text("000_d75c51bba9a042cf"), rule="duplicate-issue") == []


@pytest.mark.shared("corpus")
def test_on_the_corpus_a_task_listed_again_in_a_later_phase_is_the_same_task():
    found = {}
    for path in shared_files("corpus"):
        for finding in check(parse(path.read_text(encoding="utf-8")), rules=[RULE]):
            found.setdefault(path.name, []).append((finding.span.start_line + 1, finding.message))
    # Concord-Voice lists "#32: Backend performance benchmarking" under Phase 1B ("defer to Phase 1C")
    # and again, word for word, under 1C: one task listed twice, not two tasks naming one issue.
    assert found == {}


def test_mentions_written_every_common_way_are_not_duplicates():
    from .fixture import findings_for

    text = "- [ ] Port it (#12)\n- [ ] Test it, related to #12\n- [ ] Docs, cf. #12\n- [ ] More. See #12\n"
    assert findings_for(text, rule="duplicate-issue") == []


def test_where_work_landed_and_citations_deep_in_prose_are_not_the_task_s_issue():
    from .fixture import findings_for

    prose = "Long notes on the design. " * 8
    text = (
        "- [x] Split the crate. **Landed with #6936**\n"
        "- [x] Record the baselines, box ticked by #6936\n"
        "- [x] Add the member, merged in #6936\n"
        f"- [x] Narrow the API (#7000). {prose}The clauses came from #7001.\n"
        "- [x] Port the tests (#7001)\n"
    )
    assert findings_for(text, rule="duplicate-issue") == []


def test_a_goal_carried_over_and_a_list_numbered_with_hashes_are_not_duplicates():
    from .fixture import findings_for

    carried = "#### Week 1\n- [-] *forecast*: #418264 and #418266\n\n#### Week 2\n- [ ] *forecast*: #418264 and #418266\n"
    assert findings_for(carried, rule="duplicate-issue") == []
    numbered = "## Acceptance\n- [ ] #1 Output shows it\n- [ ] #2 JSON keeps it\n\n## Done\n- [ ] #1 Types pass\n- [ ] #2 Tests pass\n"
    assert findings_for(numbered, rule="duplicate-issue") == []
    # A task that leads with an issue of its own is still one.
    assert [f.code for f in findings_for("- [ ] #12 Port it\n- [ ] #12 Ship it\n", rule="BL103")] == ["BL103"]


def test_a_repeated_task_is_the_same_task_whichever_copy_came_first():
    from .fixture import findings_for

    text = "- [ ] #7 refined\n- [ ] #7 picked up\n\n## Next\n- [ ] #7 refined\n- [ ] #7 picked up\n"
    assert [f.span.start_line for f in findings_for(text, rule="BL103")] == [1]


def test_a_struck_reference_is_withdrawn_and_names_no_issue():
    assert_findings(
        """
        - [x] ~~Gate: #6696 lands on `main`~~ **Landed 2026-07-29**
        - [x] ~~Not done: the machinery is still there. #6696 reworked it.~~ Resolved.
        - [ ] Shed the resolver (#6696)
        """,
        rule="duplicate-issue",
    )


def test_a_cancelled_task_claims_no_issue():
    assert_findings(
        """
        - [-] *forecast*: #418264 and #418266 are completely refined
        - [-] *forecast*: #418264 and #418266 are both picked up
        - [ ] Ship #418264
        """,
        rule="duplicate-issue",
    )


def test_the_merge_a_note_was_found_in_is_a_mention():
    assert_findings(
        """
        - [ ] **Added 2026-08-03 (WS3 sandbox merge, #7065): the coverage ratchet.**
        - [ ] **Added 2026-08-03 (WS3 sandbox merge, #7065): the changed-lines gate.**
        """,
        rule="duplicate-issue",
    )


def test_a_mention_is_the_word_before_its_references_whatever_lies_between():
    from .fixture import findings_for

    # The references after "depends on" are a list of them; the word's marks and a "cf." without a space.
    text = (
        "- [ ] Port it (#12)\n"
        "- [ ] Test it, depends on #3, #4 and #12\n"
        "- [ ] Review it. **Blocked by:** #12\n"
        "- [ ] Docs, cf.#12\n"
        "- [ ] Ship it after owner/repo#9 or #12\n"
    )
    assert findings_for(text, rule="duplicate-issue") == []
    # After words that mention nothing the same references name the task's issue: a duplicate each.
    named = "- [ ] Port it (#12)\n- [ ] Test it, then #3, #4 and #12\n- [ ] Review it: #12\n- [ ] Docs (#12)\n"
    assert [f.span.start_line for f in findings_for(named, rule="duplicate-issue")] == [1, 2, 3]
