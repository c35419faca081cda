from __future__ import annotations

import os

from backlog_ls.providers import DiskFiles
from backlog_ls.providers.files import DiskFiles as DiskFilesInModule


def test_exported_from_the_package():
    assert DiskFiles is DiskFilesInModule


def test_exists_for_files_and_folders_and_never_raises(tmp_path):
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "a.md").write_text("# A\n")
    files = DiskFiles()
    assert files.exists(str(tmp_path / "docs" / "a.md"))
    assert files.exists(str(tmp_path / "docs"))
    assert not files.exists(str(tmp_path / "docs" / "b.md"))
    assert not files.exists("bad\0path")
    assert files.anchors("bad\0path") is None
    assert files.names("bad\0path") is None


def test_anchors_of_a_markdown_file(tmp_path):
    path = tmp_path / "rfc.md"
    path.write_text(
        "# RFC 0001: Process\n\n## Review & merge\n\n## Review & merge\n\n- [ ] a task\n\n<a name=\"old\"></a>\n",
        encoding="utf-8",
    )
    assert DiskFiles().anchors(str(path)) == {"rfc-0001-process", "review--merge", "review--merge-1", "old"}


def test_unreadable_and_odd_files(tmp_path):
    files = DiskFiles(max_bytes=1000)
    assert files.anchors(str(tmp_path / "missing.md")) is None
    assert files.anchors(str(tmp_path)) is None  # a folder
    big = tmp_path / "big.md"
    big.write_text("# Big\n" + "x" * 2000)
    assert files.anchors(str(big)) is None  # over the size cap: anchors unknown, not "none"
    latin = tmp_path / "latin.md"
    latin.write_bytes("# Caf\xe9\n\n# \xbfQu\xe9?\n".encode("latin-1"))
    assert files.anchors(str(latin)) == {"café", "qué"}  # a legacy code page is read as one (issue 12 §4)
    bom = tmp_path / "bom.md"
    bom.write_bytes("\ufeff# Title\n".encode())
    assert files.anchors(str(bom)) == {"title"}


def test_anchors_are_cached_until_the_file_changes(tmp_path, monkeypatch):
    path = tmp_path / "doc.md"
    path.write_text("# One\n")
    files = DiskFiles()
    reads = []
    original = files._read_anchors
    monkeypatch.setattr(files, "_read_anchors", lambda p, size: reads.append(p) or original(p, size))
    assert files.anchors(str(path)) == {"one"}
    assert files.anchors(str(path)) == {"one"}
    assert len(reads) == 1
    path.write_text("# Two\n\n## More\n")
    stat = os.stat(path)
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
    assert files.anchors(str(path)) == {"two", "more"}
    assert len(reads) == 2


def test_cache_is_bounded(tmp_path):
    files = DiskFiles(cache_size=2)
    for name in "abc":
        (tmp_path / f"{name}.md").write_text(f"# {name}\n")
        assert files.anchors(str(tmp_path / f"{name}.md")) == {name}
    assert len(files._anchors) == 2


def test_names_lists_a_folder(tmp_path):
    (tmp_path / "x.md").write_text("")
    (tmp_path / "sub").mkdir()
    assert sorted(DiskFiles().names(str(tmp_path))) == ["sub", "x.md"]
    assert DiskFiles().names(str(tmp_path / "nope")) is None


def test_a_parser_failure_is_logged_not_raised(tmp_path, monkeypatch, caplog):
    import backlog_ls.parse

    path = tmp_path / "doc.md"
    path.write_text("# One\n")

    def broken(text):
        raise RuntimeError("boom")

    monkeypatch.setattr(backlog_ls.parse, "parse", broken)
    assert DiskFiles().anchors(str(path)) is None
    assert "could not read the headings" in caplog.text
