"""The RFC rules, BL402-BL406, with inline annotations; the project's RFCs given in memory."""

from __future__ import annotations

import os

import pytest

from backlog_ls.providers.rfc_ietf import shipped_index
from backlog_ls.providers.rfc_projects import ProjectRfcScanner
from backlog_ls.rfc import PENDING_PROJECT_RFCS, ProjectRfc, ProjectRfcs, Rfcs
from backlog_ls.rules import check as rule_check
from backlog_ls.rules import (
    rfc_duplicate,
    rfc_link_mismatch,
    rfc_missing,
    rfc_obsoleted,
    rfc_unknown,
)

from ..rules.fixture import apply_fix, assert_findings, findings_for
from .workspace import make_workspace

ROOT = os.path.abspath(os.sep + "repo")
RFC_FOLDER = os.path.join(ROOT, "docs", "rfcs")
PLAN = os.path.join(ROOT, "docs", "agent-context", "plan.md")


def _rfc(digits: str, slug: str, title: str, status: str = "") -> ProjectRfc:
    return ProjectRfc(int(digits), os.path.join(RFC_FOLDER, f"{digits}-{slug}.md"), title, status, "", digits)


PROJECTS = ProjectRfcs(
    root=ROOT,
    folders=(RFC_FOLDER,),
    rfcs=(
        _rfc("0026", "configuration-hierarchy", "Configuration Hierarchy", "Accepted"),
        _rfc("0068", "cnb-library", "CNB Library"),
        _rfc("0068", "dependency-management", "Dependency Management"),
        _rfc("0093", "proxy-lazy-loading", "Proxy Lazy Loading"),
    ),
)
RFCS = Rfcs(PROJECTS, shipped_index())


def check(annotated: str, rule: str, rfcs=RFCS, path=PLAN, **options):
    return assert_findings(annotated, rule=rule, rfcs=rfcs, path=path, **options)


# --- BL402 missing-project-rfc ----------------------------------------------------------------------


def test_missing_project_rfc_by_number_and_root_link():
    check(
        """
        - [ ] Lazy-load the proxy (RFC 0093), then RFC-0094.
                                                   ^^^^^^^^ BL402 warning: No project RFC 0094: docs/rfcs/ has no file numbered 94.
        - [ ] [root](/docs/rfcs/0026-configuration-hierarchy.md) and [gone](/docs/rfcs/0095-gone.md#x)
                                                                            ^^^^^^^^^^^^^^^^^^^^^^^^^ BL402 warning: No project RFC file 'docs/rfcs/0095-gone.md'.
        - [ ] [relative, broken-link's business](../rfcs/0096-gone.md) and RFC 2378
        """,
        "missing-project-rfc",
    )


def test_missing_project_rfc_is_quiet_without_folders_or_before_the_scan():
    text = "- [ ] RFC 0094 and [x](/docs/rfcs/0095-gone.md)\n"
    for rfcs in (None, Rfcs(), Rfcs(PENDING_PROJECT_RFCS, None)):
        assert findings_for(text, rule="BL402", rfcs=rfcs, path=PLAN) == []


# --- BL403 duplicate-rfc-number -----------------------------------------------------------------------


def test_two_files_linked_under_one_number():
    check(
        """
        **RFC**: [docs/rfcs/0068-dependency-management.md](../rfcs/0068-dependency-management.md)
        **RFC**: [docs/rfcs/0068-dependency-management.md](../rfcs/0068-dependency-management.md#goals)
        **RFC**: [docs/rfcs/0068-cnb-library.md](../rfcs/0068-cnb-library.md)
                 ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^ BL403 warning: RFC 0068 names two documents: '../rfcs/0068-dependency-management.md' (line 1) and '../rfcs/0068-cnb-library.md'.
        """,
        "duplicate-rfc-number",
    )


def test_two_files_in_the_folder_under_one_number():
    check(
        """
        - [ ] Follow [the CNB design](../rfcs/0068-cnb-library.md) and [again](../rfcs/0068-cnb-library.md).
                     ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^ BL403 warning: 2 project RFCs are numbered 0068 in docs/rfcs/: 'docs/rfcs/0068-cnb-library.md' and 'docs/rfcs/0068-dependency-management.md'.
        - [ ] RFC 0026 is fine.
        """,
        "duplicate-rfc-number",
    )


def test_duplicates_without_a_path_or_index_compare_targets():
    check(
        """
        [a](rfcs/0007-a.md) [b](./rfcs/0007-a.md) [c](rfcs/0007-c.md)
                                                  ^^^^^^^^^^^^^^^^^^^ BL403 warning: RFC 0007 names two documents: 'rfcs/0007-a.md' (line 1) and 'rfcs/0007-c.md'.
        """,
        "duplicate-rfc-number",
        rfcs=None,
        path=None,
    )


def test_duplicates_found_again_after_keystrokes_and_for_other_folders_and_indexes():
    # The rule's last findings are reused while its citations, path and project RFCs are the same:
    # typing elsewhere keeps them, changing any of the three finds them again.
    from backlog_ls.parse import parse

    text = "- [ ] [a](../rfcs/0007-a.md)\n- [ ] [c](../rfcs/0007-c.md)\n- [ ] other\n"
    message = "RFC 0007 names two documents: '../rfcs/0007-a.md' (line 1) and '../rfcs/0007-c.md'."

    def found(text, rfcs=RFCS, path=PLAN):
        return [(f.span.start_line, f.message) for f in rule_check(parse(text), rfcs=rfcs, path=path, select=["BL403"])]

    assert found(text) == [(1, message)]
    assert found(text.replace("other", "othxer")) == [(1, message)]
    assert found(text.replace("0007-c", "0007-a")) == []
    # One file from the plan's folder (and from the root), two from a document elsewhere.
    same = "- [ ] [a](../rfcs/0007-a.md)\n- [ ] [a](/docs/rfcs/0007-a.md)\n"
    assert found(same) == []
    assert found(same, path=os.path.join(ROOT, "plan.md")) == [
        (1, "RFC 0007 names two documents: '../rfcs/0007-a.md' (line 1) and '/docs/rfcs/0007-a.md'.")
    ]
    # With two project files numbered 7 in the index, the folder's finding is said too.
    sevens = ProjectRfcs(root=ROOT, folders=(RFC_FOLDER,), rfcs=(_rfc("0007", "a", "A"), _rfc("0007", "b", "B")))
    assert len(found(text.replace("0007-c", "0007-a"), rfcs=Rfcs(sevens, shipped_index()))) == 1


def test_duplicates_in_example_002(example_text):
    found = findings_for(example_text("002_1b7ec6140be80cd5"), rule="BL403", rfcs=RFCS, path=PLAN)

    # Each number is reported once, at the second file's link (not again for the folder's two 0068 files).
    assert [(f.span.start_line + 1, f.message) for f in found] == [
        (
            504,
            "RFC 0068 names two documents: '../rfcs/0068-dependency-management.md' (line 485) and '../rfcs/0068-cnb-library.md'.",
        ),
        (
            513,
            "RFC 0069 names two documents: '../rfcs/0069-host-first-execution.md' (line 494) and '../rfcs/0069-rust-cnb-launcher.md'.",
        ),
    ]


# --- BL404 rfc-link-text-mismatch ---------------------------------------------------------------------


def test_link_text_naming_another_number():
    found = check(
        """
        **RFC**: [docs/rfcs/0068-cnb-library.md](../rfcs/0026-configuration-hierarchy.md)
                  ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^ BL404 warning: The link text names RFC 0068 but the link goes to RFC 0026 ('../rfcs/0026-configuration-hierarchy.md').
        - [ ] [RFC 93](../rfcs/0093-proxy-lazy-loading.md) [RFC 0093 and RFC 0026](../rfcs/0026-configuration-hierarchy.md)
        - [ ] [RFC-0093](../rfcs/0026-configuration-hierarchy.md) [the cache design](../rfcs/0026-configuration-hierarchy.md)
               ^^^^^^^^ BL404 warning: The link text names RFC 0093 but the link goes to RFC 0026 ('../rfcs/0026-configuration-hierarchy.md').
        - [ ] [RFC 2616](https://www.rfc-editor.org/rfc/rfc9112) [RFC 9112](https://datatracker.ietf.org/doc/html/rfc9112)
               ^^^^^^^^ BL404 warning: The link text names RFC 2616 but the link goes to RFC 9112 ('https://www.rfc-editor.org/rfc/rfc9112').
        """,
        "rfc-link-text-mismatch",
    )
    text_fix, target_fix = found[1].fixes
    assert (text_fix.title, target_fix.title) == ("Change the text to 0026", "Link to RFC 0093 ('../rfcs/0093-proxy-lazy-loading.md')")
    assert not text_fix.safe and not target_fix.safe
    line = "- [ ] [RFC-0093](../rfcs/0026-configuration-hierarchy.md)\n"
    (finding,) = findings_for(line, rule="BL404", rfcs=RFCS, path=PLAN)
    assert apply_fix(line, finding.fixes[0]) == "- [ ] [RFC-0026](../rfcs/0026-configuration-hierarchy.md)\n"
    assert apply_fix(line, finding.fixes[1]) == "- [ ] [RFC-0093](../rfcs/0093-proxy-lazy-loading.md)\n"


# --- BL405 obsoleted-rfc ------------------------------------------------------------------------------


def test_obsoleted_rfc_names_its_replacements():
    found = check(
        """
        - [ ] Parse requests as RFC 2616 says; answer lookups as RFC 2378 does.
                                ^^^^^^^^ BL405 hint: RFC 2616 (Hypertext Transfer Protocol -- HTTP/1.1) is obsoleted by RFC 7230, RFC 7231, RFC 7232, RFC 7233, RFC 7234 and RFC 7235; the current RFCs are RFC 9110, RFC 9111 and RFC 9112.
        - [ ] Dates as RFC 822 writes them.
                       ^^^^^^^ BL405 hint: RFC 822 (STANDARD FOR THE FORMAT OF ARPA INTERNET TEXT MESSAGES) is obsoleted by RFC 2822; the current RFC is RFC 5322.
        - [ ] RFC 2068 (obsoleted by RFC 2616) is kept for history; [RFC #3519] is Rust's.
        """,
        "obsoleted-rfc",
    )
    assert found[1].fixes[0].title == "Cite RFC 5322"
    text = "- [ ] Dates as RFC 822 writes them.\n"
    (finding,) = findings_for(text, rule="BL405", rfcs=RFCS)
    assert apply_fix(text, finding.fixes[0]) == "- [ ] Dates as RFC 5322 writes them.\n"


def test_obsoleted_rfc_is_quiet_for_a_project_rfc_with_the_number():
    projects = ProjectRfcs(ROOT, (RFC_FOLDER,), (_rfc("0822", "dates", "Dates"),))

    assert findings_for("- [ ] RFC 822\n", rule="BL405", rfcs=Rfcs(projects, shipped_index()), path=PLAN) == []


# --- BL406 unknown-rfc --------------------------------------------------------------------------------


def test_unknown_rfc_numbers():
    check(
        """
        - [ ] RFC 14 and RFC 9549 and RFC 23780; RFC 9600 may be newer than the index.
              ^^^^^^ BL406 warning: RFC 14 was never issued, and no project RFC has that number.
                         ^^^^^^^^ BL406 warning: No RFC 9549: the RFC index has no such number, and no project RFC has it.
                                      ^^^^^^^^^ BL406 warning: No RFC 23780: the RFC index ends at RFC 9552, and no project RFC has that number.
        - [ ] RFC 93 is the project's; RFC #9999 is another series'; RFC 2378 exists.
        """,
        "unknown-rfc",
        rfcs=Rfcs(ProjectRfcs(ROOT, (RFC_FOLDER,), (_rfc("0093", "x", "X"),)), shipped_index()),
    )


def test_obsoleted_rfc_checks_tasks_that_build_on_an_rfc_not_historical_remarks():
    text = (
        "# Plan\n\n"
        "| Year | Change |\n|---|---|\n| 2014 | Dropped the RFC 2616 parser |\n\n"
        "We once followed RFC 2616.\n\n"
        "- [ ] Parse requests\n  - as RFC 2616 says\n"
    )
    assert [f.span.start_line for f in findings_for(text, rule="BL405", rfcs=RFCS)] == [9]


def test_ietf_rules_are_quiet_without_the_index():
    assert findings_for("RFC 14 and RFC 2616\n", rfcs=Rfcs(PROJECTS, None), select=["BL405", "BL406"]) == []
    assert findings_for("RFC 14 and RFC 2616\n", select=["BL405", "BL406"]) == []


def test_a_mention_inside_another_series_link_is_not_ietf():
    text = (
        "- [ ] See [RFC 14](https://github.com/rust-lang/rfcs/pull/14) and [RFC #9999] and [RFC 2616][http].\n\n"
        "[RFC #9999]: https://github.com/rust-lang/rfcs/pull/9999\n"
        "[http]: https://www.rfc-editor.org/rfc/rfc2616\n"
    )

    assert [f.code for f in findings_for(text, rfcs=RFCS, select=["BL4"])] == ["BL405"]


# --- on disk, as the command line runs them --------------------------------------------------------------


def test_rules_on_a_scanned_workspace(tmp_path):
    plan = make_workspace(tmp_path)
    rfcs = Rfcs(ProjectRfcScanner().scan(str(tmp_path)), shipped_index())

    found = findings_for(plan.read_text(encoding="utf-8"), rfcs=rfcs, path=str(plan), select=["BL4"])

    assert [(f.code, f.span.start_line) for f in found] == [("BL403", 21), ("BL403", 25)]


@pytest.mark.parametrize("module", [rfc_missing, rfc_duplicate, rfc_link_mismatch, rfc_obsoleted, rfc_unknown])
def test_docstrings_show_bad_and_good(module):
    assert module.__doc__.startswith(f"{module.RULE.name} ({module.RULE.code}): ")
    assert "\nBad:\n" in module.__doc__ and "\nGood:\n" in module.__doc__


def test_unknown_rfc_waits_for_the_project_scan():
    assert findings_for("RFC 9549\n", rule="BL406", rfcs=Rfcs(PENDING_PROJECT_RFCS, shipped_index())) == []


def test_the_ietf_index_is_read_only_for_a_document_that_cites_an_ietf_rfc():
    from backlog_ls.features.rfc import rfc_document_links
    from backlog_ls.parse import parse

    asked: list[int] = []

    def index():
        asked.append(1)
        return shipped_index()

    rfcs = Rfcs(ietf=index)
    plain = parse("# Plan\n- [ ] Port the parser (#12), see [the design](design.md)\n")
    assert rule_check(plain, rfcs=rfcs) == [] and rfc_document_links(plain, rfcs, None) == []
    assert asked == []  # the index (16 ms to load) was not even asked for
    cited = parse("# Plan\n- [ ] Follow RFC 2068 and RFC 99999\n")
    assert [(f.code, f.message) for f in rule_check(cited, rfcs=rfcs)] == [
        ("BL405", "RFC 2068 (Hypertext Transfer Protocol -- HTTP/1.1) is obsoleted by RFC 2616; the current RFCs are "
                  "RFC 9110, RFC 9111 and RFC 9112."),
        ("BL406", "No RFC 99999: the RFC index ends at RFC 9552, and no project RFC has that number."),
    ]
    assert asked
