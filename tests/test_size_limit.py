"""max-file-size: the setting, and a document over it in `backlog-ls check` (the server's side is in
tests/robustness/test_big_documents.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from backlog_ls import config
from backlog_ls.size_limit import DEFAULT_MAX_FILE_SIZE, describe_size, parse_size


@pytest.mark.parametrize(
    "written, size",
    [(1000, 1000), ("4MB", 4_000_000), ("512 KB", 512_000), ("1.5MiB", 1_572_864), ("10mb", 10_000_000), ("0", 0)],
)
def test_a_size_is_read_in_bytes_or_with_a_unit(written, size):
    assert parse_size(written) == size


def test_the_setting_defaults_to_a_few_megabytes_and_a_bad_one_is_named():
    assert config.Settings().max_file_size == DEFAULT_MAX_FILE_SIZE == 4_000_000
    settings, errors = config.from_toml('max-file-size = "2MB"\n', "a.toml")
    assert settings.max_file_size == 2_000_000 and errors == []
    settings, errors = config.from_toml('include = ["*.md"]\nmax-file-size = "big"\n', "b.toml")
    assert settings.max_file_size == DEFAULT_MAX_FILE_SIZE
    assert [str(error) for error in errors] == [
        "b.toml:2: max-file-size: 'big' is not a size: write a number of bytes or one with KB, MB, GB (or KiB, MiB, GiB)"
    ]
    settings, _ = config.apply({"maxFileSize": "1KB"}, source="editor settings")
    assert settings.max_file_size == 1_000


def test_sizes_are_described_as_a_person_would():
    assert [describe_size(size) for size in (10_200_000, 4_000_000, 3_619, 900)] == ["10.2 MB", "4 MB", "3.6 KB", "900 bytes"]


def test_check_gives_a_file_over_the_limit_the_notice_and_its_parse_problems_only(run, tmp_path: Path):
    (tmp_path / ".backlog-ls.toml").write_text('max-file-size = "1KB"\n')
    tasks = "".join(f"- [ ] **Task 1.1:** Same ID, task {n}\n" for n in range(60))
    (tmp_path / "backlog.md").write_text("# Backlog\n\n" + tasks + "- [ x] malformed\n")
    code, out, _ = run("check", "backlog.md")
    assert code == 1
    lines = out.splitlines()
    assert lines[0].startswith("backlog.md:1:1: info max-file-size backlog-ls: backlog.md is 2.") and lines[0].endswith(
        "KB, over max-file-size 1 KB: only the outline and parse problems are shown."
    ), lines[0]
    assert "BL104" not in out and "BL201" in out
    (tmp_path / ".backlog-ls.toml").write_text('max-file-size = "1MB"\n')
    code, out, _ = run("check", "backlog.md")
    assert "max-file-size" not in out and "BL104" in out


def test_the_size_over_the_limit_is_the_size_in_bytes_whatever_the_characters():
    from backlog_ls.size_limit import size_over, text_size

    texts = (
        ["# Backlog", "- [ ] ASCII only " * 4, "- [x] Café, naïve", "- [ ] Ship it — soon", "🚀" * 40, ""],
        ["🚀" * 40],  # four bytes a code point, the most there is
        ["- [ ] ASCII only"] * 3,
    )
    for lines in texts:
        size = text_size(lines)
        assert size == len("\n".join(lines).encode("utf-8")) + 1
        for limit in range(1, size + 30):
            assert size_over(lines, limit) == (size if size > limit else None), (lines, limit)
        assert size_over(lines, 0) is None  # no limit
