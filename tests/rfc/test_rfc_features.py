"""RFC hover, document links, definition and completion, as pure functions over a scanned workspace."""

from __future__ import annotations

import pytest

from backlog_ls.features import completion
from backlog_ls.features.hover import hover
from backlog_ls.features.rfc import link_style, rfc_definition, rfc_document_links
from backlog_ls.parse import parse
from backlog_ls.providers.rfc_ietf import shipped_index
from backlog_ls.providers.rfc_projects import ProjectRfcScanner
from backlog_ls.rfc import PENDING_PROJECT_RFCS, Rfcs

from .workspace import make_workspace


@pytest.fixture
def workspace(tmp_path):
    plan = make_workspace(tmp_path)
    rfcs = Rfcs(ProjectRfcScanner().scan(str(tmp_path)), shipped_index())
    return plan, rfcs


def _complete(text: str, rfcs, path, line: int | None = None, column: int | None = None):
    backlog = parse(text)
    line = len(backlog.lines) - 1 if line is None else line
    column = len(backlog.lines[line]) if column is None else column
    return completion.complete(completion.CompletionRequest(backlog, line, column, str(path) if path else None, None, rfcs))


def _apply(text: str, item: completion.CompletionItem) -> str:
    lines = text.split("\n")
    span = item.span
    line = lines[span.start_line]
    lines[span.start_line] = line[: span.start_col] + item.new_text + line[span.end_col :]
    return "\n".join(lines)


# --- hover ------------------------------------------------------------------------------------------


def test_hover_on_an_ietf_rfc_in_example_000(example_text):
    text = example_text("000_d75c51bba9a042cf")
    backlog = parse(text)
    line = next(i for i, value in enumerate(backlog.lines) if "RFC 2378" in value)
    column = backlog.lines[line].index("RFC 2378") + 5

    found = hover(backlog, line, column, rfcs=Rfcs(ietf=shipped_index()))

    assert found.markdown == (
        "**RFC 2378**: The CCSO Nameserver (Ph) Architecture\n\n"
        "R. Hedberg, P. Pomes · September 1998 · Informational\n\n"
        "[https://www.rfc-editor.org/rfc/rfc2378](https://www.rfc-editor.org/rfc/rfc2378)"
    )
    assert (found.span.start_col, found.span.end_col) == (column - 5, column + 3)


def test_hover_on_an_obsoleted_rfc_names_what_replaced_it():
    found = hover(parse("- [ ] RFC 2616\n"), 0, 8, rfcs=Rfcs(ietf=shipped_index()))

    assert "Obsoleted by RFC 7230, RFC 7231, RFC 7232, RFC 7233, RFC 7234, RFC 7235" in found.markdown
    assert "Updated by RFC 2817, RFC 5785, RFC 6266, RFC 6585" in found.markdown


def test_hover_on_unknown_and_unissued_numbers():
    rfcs = Rfcs(ietf=shipped_index())

    assert hover(parse("RFC 14\n"), 0, 1, rfcs=rfcs).markdown.startswith("**RFC 14** was never issued.")
    assert hover(parse("RFC 12345\n"), 0, 1, rfcs=rfcs).markdown.startswith(
        "**RFC 12345** is not in the RFC index (up to RFC 9552)."
    )
    assert hover(parse("RFC 2378\n"), 0, 1, rfcs=None).markdown.startswith("**RFC 2378**\n\n[https://www.rfc-editor.org")


def test_hover_on_a_project_rfc_link(workspace):
    plan, rfcs = workspace
    backlog = parse(plan.read_text(encoding="utf-8"))

    found = hover(backlog, 7, 20, rfcs=rfcs, path=str(plan))

    assert found.markdown == (
        "**RFC 0026**: Configuration Hierarchy\n\nStatus: **Accepted**\n\n"
        "Cascading configuration from global to project settings.\n\n`docs/rfcs/0026-configuration-hierarchy.md`"
    )
    assert (found.span.start_line, found.span.start_col, found.span.end_col) == (7, 9, 93)


def test_hover_on_a_project_rfc_number_with_two_files(workspace):
    plan, rfcs = workspace

    found = hover(parse("- [ ] RFC 0068 and RFC-0094\n"), 0, 8, rfcs=rfcs, path=str(plan))

    assert found.markdown.split("\n\n---\n\n")[0].startswith("**RFC 0068**: CNB Library\n\nStatus: **Draft**")
    assert "**RFC 0068**: Dependency Management" in found.markdown.split("\n\n---\n\n")[1]
    missing = hover(parse("- [ ] RFC 0068 and RFC-0094\n"), 0, 21, rfcs=rfcs, path=str(plan))
    assert missing.markdown == "**RFC-0094**: no project RFC has this number."
    pending = hover(parse("RFC-0094\n"), 0, 2, rfcs=Rfcs(PENDING_PROJECT_RFCS, None), path=str(plan))
    assert pending.markdown == "**RFC-0094**: the project's RFCs are still being read."


def test_hover_elsewhere_is_none(workspace):
    plan, rfcs = workspace

    assert hover(parse("- [ ] nothing here\n"), 0, 8, rfcs=rfcs, path=str(plan)) is None


# --- document links and definition --------------------------------------------------------------------


def test_document_links(workspace):
    plan, rfcs = workspace
    text = plan.read_text(encoding="utf-8")

    links = rfc_document_links(parse(text), rfcs, str(plan))

    assert [(link.span.start_line, link.target.rsplit("/", 2)[-2:], link.tooltip) for link in links[:2]] == [
        (7, ["rfcs", "0026-configuration-hierarchy.md"], "RFC 0026: Configuration Hierarchy"),
        (9, ["www.rfc-editor.org", "rfc", "rfc2378"][1:], "RFC 2378: The CCSO Nameserver (Ph) Architecture"),
    ]
    assert links[0].target == (plan.parent.parent / "rfcs" / "0026-configuration-hierarchy.md").as_uri()
    assert (links[0].span.start_col, links[0].span.end_col) == (53, 92)  # the link's target
    assert links[1].target == "https://www.rfc-editor.org/rfc/rfc2378"


def test_definition_opens_the_project_rfc(workspace):
    plan, rfcs = workspace
    backlog = parse(plan.read_text(encoding="utf-8"))

    assert rfc_definition(backlog, 7, 20, rfcs, str(plan)) == [
        str(plan.parent.parent / "rfcs" / "0026-configuration-hierarchy.md")
    ]
    assert rfc_definition(backlog, 9, 45, rfcs, str(plan)) == []  # RFC 2378: not a file of ours
    assert rfc_definition(parse("RFC 0093\n"), 0, 3, rfcs, str(plan)) == [
        str(plan.parent.parent / "rfcs" / "0093-proxy-lazy-loading.md")
    ]


# --- completion ---------------------------------------------------------------------------------------


def test_after_bold_rfc_label_the_projects_rfcs_in_the_documents_style(workspace):
    plan, rfcs = workspace
    text = plan.read_text(encoding="utf-8").rstrip("\n")

    found = _complete(text, rfcs, plan)

    assert found.incomplete
    labels = [item.label for item in found.items]
    assert labels[:3] == ["RFC 0026: Configuration Hierarchy", "RFC 0068: CNB Library", "RFC 0068: Dependency Management"]
    first = found.items[0]
    assert _apply(text, first).split("\n")[-1] == (
        "**RFC**: [docs/rfcs/0026-configuration-hierarchy.md](../rfcs/0026-configuration-hierarchy.md)"
    )
    assert first.detail == "Accepted" and "Cascading configuration" in first.documentation


def test_bold_label_variants_and_a_default_style(workspace):
    plan, rfcs = workspace
    for line in ("**RFC:** ", "__RFCs__: ", "- RFC: ", "**RFC**: prox"):
        found = _complete(line, rfcs, plan)
        assert found is not None, line
        item = next(item for item in found.items if "0093" in item.label)
        # No project RFC link in this document yet: "RFC 0093: Title".
        assert _apply(line, item).endswith("[RFC 0093: Proxy Lazy Loading](../rfcs/0093-proxy-lazy-loading.md)")


def test_after_rfc_word_numbers_and_title_words(workspace):
    plan, rfcs = workspace

    ietf = _complete("Answer as RFC 2378", rfcs, plan)
    assert [item.label for item in ietf.items] == ["RFC 2378"]
    assert ietf.items[0].detail == "The CCSO Nameserver (Ph) Architecture"
    assert _apply("Answer as RFC 2378", ietf.items[0]) == "Answer as RFC 2378"

    words = _complete("Answer as RFC ccso", rfcs, plan)
    assert [(item.label, item.new_text) for item in words.items] == [("RFC 2378", "2378")]

    prefix = _complete("RFC 23", rfcs, plan)
    assert prefix.incomplete and len(prefix.items) == 50 and prefix.items[0].label == "RFC 23"

    project = _complete("see RFC-00", rfcs, plan)
    assert [item.label for item in project.items][:2] == ["RFC 0026: Configuration Hierarchy", "RFC 0068: CNB Library"]
    assert _apply("see RFC-00", project.items[0]) == "see [RFC-0026](../rfcs/0026-configuration-hierarchy.md)"
    assert all(item.kind == completion.FILE for item in project.items)  # a leading zero: no IETF RFCs

    by_title = _complete("see RFC #launch", rfcs, plan)
    assert _apply("see RFC #launch", by_title.items[0]) == "see [RFC #0069](../rfcs/0069-rust-cnb-launcher.md)"


def test_inside_a_link_target(workspace):
    plan, rfcs = workspace

    found = _complete("- [ ] [the proxy design](../rfcs/00", rfcs, plan)
    assert all(item.new_text.startswith("../rfcs/") for item in found.items)
    item = next(item for item in found.items if "0093" in item.label)
    assert _apply("- [ ] [the proxy design](../rfcs/00", item) == "- [ ] [the proxy design](../rfcs/0093-proxy-lazy-loading.md"

    ietf = _complete("See [RFC 2616](", rfcs, plan)
    assert ietf.items[0].new_text == "https://www.rfc-editor.org/rfc/rfc2616"
    assert _complete("See [x](https://", rfcs, plan) is None


def test_nothing_to_complete_elsewhere(workspace):
    plan, rfcs = workspace

    for text in ("- [ ] plain words ", "RFCs are ", "See #", "a (b", "xRFC 12"):
        assert _complete(text, rfcs, plan) is None, text


def test_before_the_scan_completion_asks_again(workspace):
    plan, _ = workspace

    found = _complete("**RFC**: ", Rfcs(PENDING_PROJECT_RFCS, shipped_index()), plan)

    assert found.items == () and found.incomplete


def test_link_style_of_the_document(workspace):
    plan, rfcs = workspace
    projects = rfcs.projects
    rfc = projects.numbered(93)[0]
    target = "../rfcs/0093-proxy-lazy-loading.md"
    cases = {
        "[docs/rfcs/0026-configuration-hierarchy.md](../rfcs/0026-configuration-hierarchy.md)": "docs/rfcs/0093-proxy-lazy-loading.md",
        "[../rfcs/0026-configuration-hierarchy.md](../rfcs/0026-configuration-hierarchy.md)": target,
        "[0026-configuration-hierarchy.md](../rfcs/0026-configuration-hierarchy.md)": "0093-proxy-lazy-loading.md",
        "[`0026-configuration-hierarchy`](../rfcs/0026-configuration-hierarchy.md)": "`0093-proxy-lazy-loading`",
        "[RFC-0026](../rfcs/0026-configuration-hierarchy.md)": "RFC-0093",
        "[RFC 0026 — Configuration Hierarchy](../rfcs/0026-configuration-hierarchy.md)": "RFC 0093 — Proxy Lazy Loading",
        "[Configuration hierarchy](../rfcs/0026-configuration-hierarchy.md)": "Proxy Lazy Loading",
        "no links": "RFC 0093: Proxy Lazy Loading",
    }
    for document, expected in cases.items():
        style = link_style(parse(document + "\n"), projects, str(plan))
        assert style(rfc, target) == expected, document


def test_a_provider_that_raises_is_left_out(caplog):
    def broken(request):
        raise RuntimeError("boom")

    def one(request):
        return completion.CompletionResult((completion.CompletionItem("x", "x", parse("x").blocks[0] and (0, 0, 0, 0)),))

    request = completion.CompletionRequest(parse("x\n"), 0, 1)
    found = completion.complete(request, [broken, one])
    assert [item.label for item in found.items] == ["x"]
    assert "A completion provider failed" in caplog.text
    assert completion.complete(request, [lambda request: None]) is None


