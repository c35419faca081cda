"""The optional online refresh of the IETF index, against a local 127.0.0.1 server only."""

from __future__ import annotations

import gzip
import os
import threading

import pytest

from backlog_ls.providers import rfc_ietf
from backlog_ls.rfc.ietf import IetfIndex

from .index_server import IndexServer, index_text

BODY = index_text()


@pytest.fixture(autouse=True)
def cache(tmp_path, monkeypatch):
    folder = tmp_path / "cache"
    monkeypatch.setenv("BACKLOG_LS_CACHE_DIR", str(folder))
    monkeypatch.delenv("BACKLOG_LS_RFC_INDEX_URL", raising=False)
    rfc_ietf._reset_for_tests()
    yield folder
    rfc_ietf._reset_for_tests()


def test_refresh_downloads_caches_and_is_used_only_with_the_option(cache):
    with IndexServer(BODY) as server:
        assert rfc_ietf.refresh(server.url)

        assert server.requests == 1
    cached = IetfIndex.decode(gzip.decompress((cache / "rfc-index.tsv.gz").read_bytes()).decode("utf-8"))
    assert cached.get(9999).title == "A Test of the Refresh" and cached.created == "01/02/2030"
    assert rfc_ietf.current_index(True).get(9999).authors == "A. Tester"
    assert rfc_ietf.current_index(False) is rfc_ietf.shipped_index()
    assert rfc_ietf.current_index(False).get(9999) is None


def test_a_fresh_cache_is_not_downloaded_again_and_is_read_after_a_restart(cache):
    with IndexServer(BODY) as server:
        assert rfc_ietf.refresh(server.url)
        assert not rfc_ietf.refresh(server.url)  # younger than a day
        assert server.requests == 1
    rfc_ietf._reset_for_tests()  # a new process

    assert rfc_ietf.current_index(True).get(9999) is not None


def test_failures_keep_the_shipped_index(cache, caplog):
    with IndexServer(BODY) as server:
        assert not rfc_ietf.refresh(server.url.replace("rfc-index.txt", "missing.txt"))
        assert "Could not refresh the IETF RFC index" in caplog.text
    with IndexServer("9999 Only one. A. B. May 2030. (Status: UNKNOWN)\n") as server:
        assert not rfc_ietf.refresh(server.url)  # far fewer RFCs than shipped: not taken
        assert "only 1 RFCs in the download" in caplog.text
    with IndexServer(BODY) as server:
        port = server.port
    assert not rfc_ietf.refresh(f"http://127.0.0.1:{port}/rfc-index.txt", timeout=2)  # nobody listens
    assert not (cache / "rfc-index.tsv.gz").exists()
    assert rfc_ietf.current_index(True) is rfc_ietf.shipped_index()


def test_a_broken_cache_file_is_ignored(cache, caplog):
    cache.mkdir()
    (cache / "rfc-index.tsv.gz").write_bytes(b"not gzip")

    assert rfc_ietf.current_index(True) is rfc_ietf.shipped_index()
    assert "Ignoring the cached RFC index" in caplog.text


def test_refresh_in_background_calls_back_once(cache):
    changed = threading.Event()
    with IndexServer(BODY) as server:
        thread = rfc_ietf.refresh_in_background(changed.set, server.url)
        assert rfc_ietf.refresh_in_background(changed.set, server.url) is None  # one at a time
        thread.join(30)
    assert changed.is_set()


def test_the_url_can_be_set_in_the_environment(monkeypatch):
    monkeypatch.setenv("BACKLOG_LS_RFC_INDEX_URL", "http://127.0.0.1:9/x")
    assert rfc_ietf.index_url() == "http://127.0.0.1:9/x"
    monkeypatch.delenv("BACKLOG_LS_RFC_INDEX_URL")
    assert rfc_ietf.index_url() == "https://www.rfc-editor.org/rfc-index.txt"
    assert os.environ.get("BACKLOG_LS_CACHE_DIR")


def test_the_command_line_uses_the_cached_index_only_with_the_option(cache, tmp_path, monkeypatch, capsys):
    from backlog_ls.cli import main

    body = index_text("10600 A Far Future RFC. A. Tester. January 2040. (Format: TXT) (Status: INFORMATIONAL)\n")
    with IndexServer(body) as server:
        assert rfc_ietf.refresh(server.url)
    rfc_ietf._reset_for_tests()
    project = tmp_path / "project"
    project.mkdir()
    (project / "BACKLOG.md").write_text("- [ ] RFC 10600 (#1)\n", encoding="utf-8")
    monkeypatch.chdir(project)

    (project / ".backlog-ls.toml").write_text("", encoding="utf-8")
    assert main(["check", "--select", "BL406", "BACKLOG.md"]) == 1
    assert "No RFC 10600: the RFC index ends at RFC 9552" in capsys.readouterr().out

    (project / ".backlog-ls.toml").write_text("[rfc]\nietf-refresh = true\n", encoding="utf-8")
    assert main(["check", "--select", "BL406", "BACKLOG.md"]) == 0
