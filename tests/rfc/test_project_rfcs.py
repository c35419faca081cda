"""Project RFC files: what each says about itself, and the folders scanned for them."""

from __future__ import annotations

import os
import threading
import time

import pytest

from backlog_ls.providers.rfc_projects import (
    ProjectRfcScanner,
    ProjectRfcStore,
    guess_root,
    root_for,
)
from backlog_ls.rfc import (
    PENDING_PROJECT_RFCS,
    RfcSettings,
    relative_link,
    rfc_settings,
)
from backlog_ls.rfc.project import RfcText, number_from_name, read_rfc_text

from .workspace import make_workspace


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("0026-configuration-hierarchy.md", (26, "0026")),
        ("RFC-001-schema-extensions.md", (1, "001")),
        ("rfc_12_x.markdown", (12, "12")),
        ("0093.md", (93, "0093")),
        ("README.md", None),
        ("notes-0026.md", None),
        ("0026-x.txt", None),
    ],
)
def test_number_from_name(name, expected):
    assert number_from_name(name) == expected


def test_front_matter_wins_and_the_heading_prefix_goes():
    text = "---\ntitle: 'Configuration Hierarchy'\nstatus: Accepted\n---\n\n# RFC 0026: Something else\n\nFirst para.\n"

    assert read_rfc_text("0026-configuration-hierarchy.md", text) == RfcText(
        26, "0026", "Configuration Hierarchy", "Accepted", "First para."
    )


def test_heading_status_line_and_summary_section():
    text = "# RFC-0068 — CNB Library\n\n**Status**: Draft\n**Author**: Ana\n\n## Summary\n\nExtract the\nCNB client.\n\n## Motivation\n\nReuse.\n"

    assert read_rfc_text("0068-cnb-library.md", text) == RfcText(68, "0068", "CNB Library", "Draft", "Extract the CNB client.")


@pytest.mark.parametrize(
    ("line", "status"),
    [
        ("Status: Withdrawn", "Withdrawn"),
        ("- Status: Stage 3", "Stage 3"),
        ("> **Status:** Rejected", "Rejected"),
        ("| Status | Implemented |", "Implemented"),
        ("* __Status__: `Accepted`", "Accepted"),
    ],
)
def test_status_lines(line, status):
    assert read_rfc_text("0001-x.md", f"# X\n\n{line}\n\nBody.\n").status == status


def test_rust_template_takes_the_feature_name_not_summary():
    text = (
        "- Feature Name: `private_fields`\n- Start Date: 2014-03-11\n- RFC PR: [rust-lang/rfcs#1](https://x)\n\n"
        "# Summary\n\nMake struct fields private by default.\n"
    )

    found = read_rfc_text("0001-private-fields.md", text)

    assert (found.title, found.summary) == ("private_fields", "Make struct fields private by default.")


def test_number_from_front_matter_and_toml_front_matter():
    assert read_rfc_text("design.md", "---\nrfc: RFC-0042\ntitle: Caching\n---\nBody.\n").number == 42
    toml = read_rfc_text("design.md", "+++\nnumber = 7\ntitle = \"T\"\n+++\n\nBody.\n")
    assert (toml.number, toml.digits, toml.title, toml.summary) == (7, "", "T", "Body.")
    assert read_rfc_text("design.md", "# No number anywhere\n").number is None


def test_without_a_heading_the_file_name_is_the_title():
    assert read_rfc_text("0005-lazy-proxy_loading.md", "Just text.\n").title == "Lazy proxy loading"


def test_bad_input_never_raises():
    for text in ("---\ntitle: [x\n  nested: {\n", "+++\nnot = [toml\n+++\n# T\n", "", "\ufeff# Title\r\n\r\nBody\r\n", "```\n# not a heading\n"):
        found = read_rfc_text("0009-x.md", text)
        assert found.number == 9
    assert read_rfc_text("0009-x.md", "\ufeff# Title\r\n\r\nBody\r\n").title == "Title"
    assert read_rfc_text("0009-x.md", "```\n# not a heading\n```\n").title == "X"


def test_a_long_summary_is_shortened_at_a_word():
    found = read_rfc_text("0001-x.md", "# X\n\n" + "word " * 200 + "\n")

    assert len(found.summary) <= 300 and found.summary.endswith("word…")


# --- settings --------------------------------------------------------------------------------------


def test_rfc_settings(caplog):
    assert rfc_settings({}) == RfcSettings()
    assert rfc_settings({"dirs": ["design"], "ietf-refresh": True}) == RfcSettings(("design",), True)
    assert rfc_settings({"dirs": "design", "ietf-refresh": "yes", "colour": 1}) == RfcSettings()
    assert "dirs must be a list" in caplog.text and "unknown key 'colour'" in caplog.text


# --- scanning --------------------------------------------------------------------------------------


def test_scan_the_default_folders(tmp_path):
    make_workspace(tmp_path)

    found = ProjectRfcScanner().scan(str(tmp_path))

    assert found.folders == (str(tmp_path / "docs" / "rfcs"),)
    assert [(rfc.digits, rfc.title, rfc.status) for rfc in found.rfcs] == [
        ("0026", "Configuration Hierarchy", "Accepted"),
        ("0068", "CNB Library", "Draft"),
        ("0068", "Dependency Management", "Implemented"),
        ("0069", "Host-First Execution", "Stage 3"),
        ("0069", "Rust CNB Launcher", ""),
        ("0093", "Proxy Lazy Loading", "Implemented"),
        ("0100", "unclosed", ""),  # broken front matter: read as text
        ("0102", "Caf\ufffd menu", "Draft"),  # not UTF-8: read with replacement characters
    ]  # the binary 0101 and README.md are not RFCs
    assert [rfc.name for rfc in found.numbered(68)] == ["0068-cnb-library.md", "0068-dependency-management.md"]
    assert found.at(str(tmp_path / "docs" / "rfcs" / "." / "0026-configuration-hierarchy.md")).number == 26
    assert found.numbered(1) == () and found.complete


def test_a_default_folder_without_rfcs_does_not_count(tmp_path):
    (tmp_path / "text").mkdir()
    (tmp_path / "text" / "notes.md").write_text("# Notes\n", encoding="utf-8")
    (tmp_path / "rfc").mkdir()
    (tmp_path / "rfc" / "0001-a.md").write_text("# A\n", encoding="utf-8")

    found = ProjectRfcScanner().scan(str(tmp_path))

    assert found.folders == (str(tmp_path / "rfc"),)


def test_configured_folders_count_even_when_empty_or_missing(tmp_path):
    (tmp_path / "design").mkdir()
    (tmp_path / "design" / "12-cache.md").write_text("# Cache\n", encoding="utf-8")
    make_workspace(tmp_path)

    found = ProjectRfcScanner().scan(str(tmp_path), ["design", "nowhere"])

    assert found.folders == (str(tmp_path / "design"), str(tmp_path / "nowhere"))
    assert [rfc.title for rfc in found.rfcs] == ["Cache"]  # docs/rfcs is not configured


def test_missing_root_and_unreadable_files(tmp_path):
    assert ProjectRfcScanner().scan(str(tmp_path / "nowhere")).rfcs == ()
    make_workspace(tmp_path)
    locked = tmp_path / "docs" / "rfcs" / "0200-locked.md"
    locked.write_text("# Locked\n", encoding="utf-8")
    locked.chmod(0)
    try:
        found = ProjectRfcScanner().scan(str(tmp_path))
    finally:
        locked.chmod(0o644)
    if os.geteuid() != 0:  # root reads anything
        assert 200 not in {rfc.number for rfc in found.rfcs}


def test_a_file_is_read_again_only_when_it_changed(tmp_path, monkeypatch):
    make_workspace(tmp_path)
    scanner = ProjectRfcScanner()
    scanner.scan(str(tmp_path))
    reads: list[str] = []
    original = scanner._read_file
    monkeypatch.setattr(scanner, "_read_file", lambda path: reads.append(os.path.basename(path)) or original(path))
    changed = tmp_path / "docs" / "rfcs" / "0093-proxy-lazy-loading.md"
    changed.write_text("# Proxy Lazy Loading, revised\n\nStatus: Withdrawn\n", encoding="utf-8")

    found = scanner.scan(str(tmp_path))

    assert reads == ["0093-proxy-lazy-loading.md"]
    assert found.numbered(93)[0].status == "Withdrawn"


def test_guess_root_and_root_for(tmp_path):
    plan = make_workspace(tmp_path)

    assert guess_root(str(plan)) == str(tmp_path / "docs")  # docs/ holds rfcs/
    assert root_for(str(plan), [str(tmp_path), str(tmp_path / "docs")]) == str(tmp_path / "docs")
    assert root_for(str(plan), [str(tmp_path / "other")], "fallback") == "fallback"
    assert root_for(None, [str(tmp_path)]) is None


def test_relative_link():
    assert relative_link("/r/docs/agent-context/plan.md", "/r/docs/rfcs/0026-x.md") == "../rfcs/0026-x.md"
    assert relative_link("/r/plan.md", "/r/docs/rfcs/my rfc.md") == "docs/rfcs/my%20rfc.md"


# --- the server's store: in the background --------------------------------------------------------


def test_store_answers_at_once_and_scans_in_the_background(tmp_path):
    make_workspace(tmp_path)
    changes = threading.Event()
    store = ProjectRfcStore(on_change=changes.set, revalidate_after=60)

    assert store.get(str(tmp_path)) is PENDING_PROJECT_RFCS
    assert changes.wait(5) and store.wait_idle(5)
    first = store.get(str(tmp_path))
    assert first.complete and len(first.numbered(68)) == 2

    changes.clear()
    (tmp_path / "docs" / "rfcs" / "0104-new.md").write_text("# New\n", encoding="utf-8")
    assert store.get(str(tmp_path)) is first  # not stale yet: no rescan
    assert store.files_changed([str(tmp_path / "docs" / "rfcs" / "0104-new.md")])
    assert changes.wait(5) and store.wait_idle(5)
    assert store.get(str(tmp_path)).numbered(104)[0].title == "New"
    assert not store.files_changed(["/somewhere/else.md"])


def test_store_revalidates_a_stale_scan_and_stays_quiet_when_nothing_changed(tmp_path):
    make_workspace(tmp_path)
    calls: list[int] = []
    store = ProjectRfcStore(on_change=lambda: calls.append(1), revalidate_after=0)
    store.scan_now(str(tmp_path))
    time.sleep(0.01)

    store.get(str(tmp_path))  # stale: queues a rescan that finds the same RFCs

    assert store.wait_idle(5)
    assert calls == []


def test_a_workspace_opened_below_the_project_still_finds_the_rfc_folder(tmp_path):
    plan = make_workspace(tmp_path)
    store = ProjectRfcStore()

    found = store.for_document(str(plan), str(plan.parent), None, wait=True)  # the editor opened docs/agent-context

    assert found.folders == (str(tmp_path / "docs" / "rfcs"),)
    assert store.for_document(str(plan), None, None, wait=True).folders == found.folders
    assert store.for_document(str(plan), str(tmp_path), ["nowhere"], wait=True).rfcs == ()  # configured: no guessing


def test_rfc_files_and_folders_that_lead_out_of_the_workspace_are_not_read(tmp_path):
    project, private = tmp_path / "project", tmp_path / "private"
    (project / ".git").mkdir(parents=True)
    (project / "rfcs").mkdir()
    private.mkdir()
    (private / "0007-secret.md").write_text("# Secret\n", encoding="utf-8")
    (project / "rfcs" / "0001-kept.md").write_text("# Kept\n", encoding="utf-8")
    (project / "rfcs" / "0007-secret.md").symlink_to(private / "0007-secret.md")  # a file leading out
    (project / "rfcs" / "0002-alias.md").symlink_to(project / "rfcs" / "0001-kept.md")  # a link that stays in
    (project / "docs").mkdir()
    (project / "docs" / "rfcs").symlink_to(private)  # a default folder leading out
    scanned = ProjectRfcScanner().scan(str(project))
    assert [(rfc.number, rfc.title) for rfc in scanned.rfcs] == [(1, "Kept"), (2, "Kept")]
    assert scanned.folders == (str(project / "rfcs"),)
    assert ProjectRfcScanner().scan(str(project), ["../private", "rfcs"]).folders == (str(project / "rfcs"),)
