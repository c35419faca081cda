"""The on-disk issue cache never follows a symbolic link planted in its folder, and never crashes on one."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from backlog_ls.providers.trackers.cache import CacheMeta, IssueCache, cache_path
from backlog_ls.tracker import OPEN, Repository, TrackerIssue

REPOSITORY = Repository("github", "octo", "repo")
ISSUES = [TrackerIssue(1, "One", OPEN), TrackerIssue(2, "Two", OPEN)]

pytestmark = pytest.mark.skipif(os.name != "posix", reason="symbolic links as POSIX has them")


def _cache(folder: Path) -> IssueCache:
    return IssueCache.for_repository(REPOSITORY, str(folder))


def test_a_symlinked_cache_file_is_refused_and_its_target_untouched(tmp_path: Path, caplog):
    folder = tmp_path / "issues"
    folder.mkdir()
    victim = tmp_path / "victim.txt"
    victim.write_bytes(b"precious\n")
    os.symlink(victim, cache_path(REPOSITORY, str(folder)))
    cache = _cache(folder)
    assert cache.save(CacheMeta(complete=True), ISSUES, replace=True) is False
    assert cache.load() == ({}, CacheMeta())
    assert victim.read_bytes() == b"precious\n" and os.stat(victim).st_mode & 0o777 != 0o600
    assert "is a symbolic link; not used" in caplog.text
    assert os.path.islink(cache.path) and sorted(os.listdir(folder)) == [os.path.basename(cache.path)]  # not moved aside


def test_a_symlinked_journal_beside_the_cache_is_refused(tmp_path: Path):
    folder = tmp_path / "issues"
    cache = _cache(folder)
    assert cache.save(CacheMeta(complete=True), ISSUES, replace=True)
    victim = tmp_path / "victim.txt"
    victim.write_bytes(b"precious\n")
    os.symlink(victim, cache.path + "-journal")
    assert cache.save(CacheMeta(complete=True), [TrackerIssue(3, "Three", OPEN)]) is False
    assert victim.read_bytes() == b"precious\n"


def test_a_symlinked_cache_folder_is_refused(tmp_path: Path):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    folder = tmp_path / "issues"
    os.symlink(elsewhere, folder)
    cache = _cache(folder)
    assert cache.save(CacheMeta(complete=True), ISSUES, replace=True) is False
    assert os.listdir(elsewhere) == []


def test_a_cache_path_that_is_a_fifo_is_refused_without_blocking(tmp_path: Path):
    folder = tmp_path / "issues"
    folder.mkdir()
    os.mkfifo(cache_path(REPOSITORY, str(folder)))
    cache = _cache(folder)
    assert cache.load() == ({}, CacheMeta())
    assert cache.save(CacheMeta(complete=True), ISSUES, replace=True) is False


def test_an_ordinary_cache_still_round_trips(tmp_path: Path):
    cache = _cache(tmp_path / "issues")
    assert cache.save(CacheMeta(complete=True), ISSUES, replace=True)
    issues, meta = cache.load()
    assert sorted(issues) == [1, 2] and meta.complete
    assert os.stat(cache.path).st_mode & 0o777 == 0o600
