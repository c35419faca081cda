"""Backlogs in any encoding: read with the right text, reported as not-utf8 (BL502), rewritten by --fix."""

from __future__ import annotations

import pytest

from backlog_ls.providers.project_files import BinaryFile, decode_document

TEXT = "# Plan\r\n- [ ] Café “bien” — done\r\n- [x] naïve\r\n"


@pytest.mark.parametrize(
    ("data", "encoding"),
    [
        (TEXT.encode("utf-8"), "utf-8"),
        (b"\xef\xbb\xbf" + TEXT.encode("utf-8"), "utf-8"),
        (TEXT.encode("cp1252"), "windows-1252"),
        (TEXT.encode("utf-16"), "UTF-16"),
        (b"\xfe\xff" + TEXT.encode("utf-16-be"), "UTF-16"),
        (TEXT.encode("utf-32"), "UTF-32"),
    ],
)
def test_every_encoding_is_read_to_the_same_text(data, encoding):
    document = decode_document("TODO.md", data)
    assert (document.text, document.encoding) == (TEXT, encoding)


def test_a_cyrillic_legacy_file_is_detected():
    text = "- [ ] Привет мир, задача готова\n" * 3
    document = decode_document("TODO.md", text.encode("cp1251"))
    assert document.text == text and document.encoding == "cp1251"


def test_bytes_that_are_no_text_are_a_binary_file():
    with pytest.raises(BinaryFile):
        decode_document("logo.md", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00")


@pytest.mark.parametrize("codec", ["cp1252", "utf-16"])
def test_check_reports_not_utf8_and_fix_rewrites_it_keeping_line_endings(run, tmp_path, codec):
    (tmp_path / "TODO.md").write_bytes(TEXT.encode(codec))
    code, out, _ = run("check", "TODO.md")
    name = "windows-1252" if codec == "cp1252" else "UTF-16"
    assert code == 1
    assert out == f"TODO.md:1:1: warning BL502 This file is {name}, GitHub expects UTF-8: its non-ASCII characters show garbled there.\n"
    code, out, _ = run("check", "--fix", "TODO.md")
    assert code == 0 and "fixed BL502 Rewrite the file as UTF-8" in out
    assert (tmp_path / "TODO.md").read_bytes() == TEXT.encode("utf-8")
    assert run("check", "TODO.md")[0] == 0


def test_a_binary_backlog_is_skipped_with_a_notice_and_the_run_goes_on(run, tmp_path):
    (tmp_path / "BACKLOG.md").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00")
    (tmp_path / "TODO.md").write_text("- [ ] fine\n", encoding="utf-8")
    code, _, err = run("check", "BACKLOG.md", "TODO.md")
    assert code == 0
    assert "BACKLOG.md: binary file, skipped" in err


def test_a_file_not_checked_is_listed_in_json_sarif_and_github_formats(run, tmp_path):
    import json

    (tmp_path / "BACKLOG.md").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00")
    (tmp_path / "TODO.md").write_text("- [ ] fine\n", encoding="utf-8")
    code, out, _ = run("check", "--format", "json", "BACKLOG.md", "TODO.md")
    assert code == 0
    (record,) = json.loads(out)
    assert (record["path"], record["code"], record["severity"], record["message"]) == (
        "BACKLOG.md",
        "unreadable",
        "info",
        "binary file, skipped",
    )
    code, out, _ = run("check", "--format", "sarif", "BACKLOG.md")
    (invocation,) = json.loads(out)["runs"][0]["invocations"]
    assert invocation["executionSuccessful"] is True
    (notification,) = invocation["toolExecutionNotifications"]
    assert notification["level"] == "note"
    assert notification["message"]["text"] == "BACKLOG.md: binary file, skipped"
    code, out, _ = run("check", "--format", "github", "BACKLOG.md")
    assert out == "::notice file=BACKLOG.md::binary file, skipped\n"


def test_a_linked_latin1_file_has_its_accented_anchors(tmp_path):
    from backlog_ls.providers.files import DiskFiles

    (tmp_path / "PLAN.md").write_bytes("# Café menu\n".encode("cp1252"))
    assert "café-menu" in DiskFiles().anchors(str(tmp_path / "PLAN.md"))
