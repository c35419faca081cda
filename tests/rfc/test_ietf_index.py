"""The RFC Editor's text index: its parser, the compact table, the build script and the shipped data."""

from __future__ import annotations

import gzip
import importlib.util
import textwrap
from pathlib import Path

import pytest

from backlog_ls.providers import rfc_ietf
from backlog_ls.rfc.ietf import (
    NOT_ISSUED,
    FormatError,
    IetfIndex,
    IetfRfc,
    created_on,
    decode_row,
    encode,
    parse_entry,
    parse_index_text,
)

from ..conftest import SHARED

ROOT = Path(__file__).resolve().parents[2]
SHARED_INDEX = SHARED / "data" / "rfc-index.txt"
SHIPPED = ROOT / "backlog_ls" / "data" / "rfc-index.tsv.gz"

SAMPLE = textwrap.dedent(
    """\

    ~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~

                                 RFC INDEX
                               -------------

    (CREATED ON: 03/06/2024.)

    RFC citations appear in this format:

      ####  Title of RFC.  Author 1, Author 2, Author 3.  Issue date.
            (Format: ASCII) (Obsoletes xxx) (Obsoleted by xxx) (Updates xxx)
            (Updated by xxx) (Also FYI ####) (Status: ssssss) (DOI: ddd)

    For example:

      1129 Internet Time Synchronization: The Network Time Protocol. D.L.
           Mills. October 1989. (Format: TXT, PS, PDF, HTML) (Also RFC1119)
           (Status: INFORMATIONAL) (DOI: 10.17487/RFC1129)

    ~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~

                                    RFC INDEX
                                    ---------



    0014 Not Issued.

    0160 RFC brief list. Network Information Center. Stanford Research
         Institute. May 1971. (Format: TXT, HTML) (Status: UNKNOWN) (DOI:
         10.17487/RFC0160)

    1606 A Historical Perspective On The Usage Of IP Version 9. J. Onions. 1
         April 1994. (Format: TXT, HTML) (Status: INFORMATIONAL) (DOI:
         10.17487/RFC1606)

    2378 The CCSO Nameserver (Ph) Architecture. R. Hedberg, P. Pomes.
         September 1998. (Format: TXT, HTML) (Status: INFORMATIONAL) (DOI:
         10.17487/RFC2378)

    2616 Hypertext Transfer Protocol -- HTTP/1.1. R. Fielding, J. Gettys, J.
         Mogul, H. Frystyk, L. Masinter, P. Leach, T. Berners-Lee. June 1999.
         (Format: TXT, PS, PDF, HTML) (Obsoletes RFC2068) (Obsoleted by
         RFC7230, RFC7231, RFC7232, RFC7233, RFC7234, RFC7235) (Updated by
         RFC2817, RFC5785, RFC6266, RFC6585) (Status: DRAFT STANDARD) (DOI:
         10.17487/RFC2616)

    0791 Internet Protocol. J. Postel. September 1981. (Format: TXT, HTML)
         (Obsoletes RFC0760) (Updates IEN123) (Also STD0005) (Status:
         INTERNET STANDARD) (DOI: 10.17487/RFC0791)

    9552 Distribution of Link-State and Traffic Engineering Information Using
         BGP. K. Talaulikar, Ed.. December 2023. (Format: HTML, TXT, PDF,
         XML) (Obsoletes RFC7752, RFC9029) (Status: PROPOSED STANDARD) (DOI:
         10.17487/RFC9552)
    """
)


def test_entries_after_the_second_title_only():
    numbers = [rfc.number for rfc in parse_index_text(SAMPLE)]

    assert numbers == [14, 160, 1606, 2378, 2616, 791, 9552]  # not the 1129 of the key's example


def test_parse_fields():
    by_number = {rfc.number: rfc for rfc in parse_index_text(SAMPLE)}

    assert by_number[2378] == IetfRfc(
        2378, "The CCSO Nameserver (Ph) Architecture", "R. Hedberg, P. Pomes", "September 1998", "I"
    )
    http = by_number[2616]
    assert http.title == "Hypertext Transfer Protocol -- HTTP/1.1"
    assert http.authors == "R. Fielding, J. Gettys, J. Mogul, H. Frystyk, L. Masinter, P. Leach, T. Berners-Lee"
    assert (http.date, http.status_name) == ("June 1999", "Draft Standard")
    assert http.obsoletes == (2068,)
    assert http.obsoleted_by == (7230, 7231, 7232, 7233, 7234, 7235)
    assert http.updated_by == (2817, 5785, 6266, 6585)
    assert by_number[9552].authors == "K. Talaulikar, Ed."  # "Ed.." ends the author sentence
    assert by_number[9552].obsoletes == (7752, 9029)
    assert by_number[1606].date == "1 April 1994"
    assert by_number[791].updates == ("IEN123",) and by_number[791].also == ("STD0005",)
    assert by_number[791].status_name == "Internet Standard"
    assert by_number[14].status == NOT_ISSUED and not by_number[14].issued
    # An organisation as author: the last sentence before the date.
    assert (by_number[160].title, by_number[160].authors) == (
        "RFC brief list. Network Information Center",
        "Stanford Research Institute",
    )


def test_parse_entry_tolerates_rubbish():
    assert parse_entry("not an entry") is None
    assert parse_entry("1234 ") is None
    odd = parse_entry("1234 A title without the rest")
    assert odd is not None and odd.title == "A title without the rest" and odd.authors == ""
    assert parse_index_text("") == []
    assert parse_index_text("\x00\x01 binary") == []


def test_created_on():
    assert created_on(SAMPLE) == "03/06/2024"
    assert created_on("nothing") == ""


def test_encode_and_decode_round_trip():
    rfcs = parse_index_text(SAMPLE)
    index = IetfIndex.decode(encode(rfcs, "03/06/2024"))

    assert len(index) == 7 and index.last == 9552 and index.created == "03/06/2024"
    for rfc in rfcs:
        assert index.get(rfc.number) == rfc
    assert index.get(9999) is None
    assert 2378 in index and 9999 not in index


def test_a_tab_in_a_title_cannot_break_the_table():
    row = encode([IetfRfc(7, "A\ttitle", "X.\tY", "May 1969", "U")]).split("\n")[1]

    assert decode_row(row) == IetfRfc(7, "A title", "X. Y", "May 1969", "U")


def test_decode_refuses_another_format():
    with pytest.raises(FormatError):
        IetfIndex.decode("number\ttitle\n1\tx\n")


def test_search_by_title_words_newest_first():
    index = IetfIndex.of(parse_index_text(SAMPLE))

    assert index.search("ccso") == ([2378], False)
    assert index.search("hypertext http") == ([2616], False)
    assert index.search("protocol") == ([2616, 791], False)
    assert index.search("protocol", limit=1) == ([2616], True)
    assert index.search("") == ([], False)
    assert index.search("tocol") == ([], False)  # words match from their start


# --- the build script ---------------------------------------------------------------------------------


def _build_script():
    spec = importlib.util.spec_from_file_location("build_rfc_index", ROOT / "scripts" / "build_rfc_index.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_build_script_writes_a_deterministic_table(tmp_path):
    script = _build_script()
    source = tmp_path / "rfc-index.txt"
    source.write_text(SAMPLE, encoding="utf-8")
    out = tmp_path / "out" / "index.tsv.gz"

    assert script.main([str(source), "--out", str(out)]) == 0
    first = out.read_bytes()
    assert script.main([str(source), "--out", str(out)]) == 0
    assert out.read_bytes() == first  # no timestamp in the gzip header
    index = IetfIndex.decode(gzip.decompress(first).decode("utf-8"))
    assert index.get(2378).title == "The CCSO Nameserver (Ph) Architecture"


def test_build_script_fails_cleanly(tmp_path, capsys):
    script = _build_script()
    empty = tmp_path / "empty.txt"
    empty.write_text("no entries here\n", encoding="utf-8")

    assert script.main([str(tmp_path / "missing.txt"), "--out", str(tmp_path / "x.gz")]) == 2
    assert script.main([str(empty), "--out", str(tmp_path / "x.gz")]) == 2
    assert "no RFC entries found" in capsys.readouterr().err
    assert not (tmp_path / "x.gz").exists()


# --- the data shipped in the package --------------------------------------------------------------------


def test_shipped_index():
    index = rfc_ietf.read_shipped()

    assert index.last == 9552 and len(index) > 9000
    ph = index.get(2378)
    assert (ph.title, ph.authors, ph.date, ph.status_name) == (
        "The CCSO Nameserver (Ph) Architecture",
        "R. Hedberg, P. Pomes",
        "September 1998",
        "Informational",
    )
    http = index.get(2616)
    assert http.obsoleted_by == (7230, 7231, 7232, 7233, 7234, 7235)
    assert index.get(7230).obsoleted_by == (9110, 9112)
    assert index.get(9552).title == "Distribution of Link-State and Traffic Engineering Information Using BGP"
    assert not index.get(14).issued
    assert SHIPPED.stat().st_size < 400_000


def test_shipped_index_loads_once():
    assert rfc_ietf.shipped_index() is rfc_ietf.shipped_index()


@pytest.mark.shared("data/rfc-index.txt")
def test_shipped_index_is_built_from_the_shared_index():
    expected = _build_script().build(SHARED_INDEX.read_text(encoding="utf-8", errors="replace"))

    assert gzip.decompress(SHIPPED.read_bytes()) == gzip.decompress(expected), (
        "backlog_ls/data/rfc-index.tsv.gz is stale: run python3 scripts/build_rfc_index.py"
    )


def test_the_index_is_loaded_in_the_background_once_the_server_is_idle(monkeypatch):
    import threading
    import time

    from backlog_ls.providers import rfc_ietf

    monkeypatch.setattr(rfc_ietf, "_loaded", False)
    monkeypatch.setattr(rfc_ietf, "_index", None)
    loaded = threading.Event()
    asked: list[bool] = []
    answers = iter([True, True, True, False])

    def busy() -> bool:
        asked.append(loaded.is_set())
        return next(answers)

    monkeypatch.setattr(rfc_ietf, "read_shipped", lambda: loaded.set() or "the index")
    rfc_ietf.warm_in_background(busy)
    assert loaded.wait(5)
    assert asked == [False, False, False, False]  # read only once the fourth probe said idle
    assert rfc_ietf.shipped_index() == "the index"

    # A server busy for longer than the wait still gets its index.
    monkeypatch.setattr(rfc_ietf, "_loaded", False)
    monkeypatch.setattr(rfc_ietf, "WARM_WAIT_SECONDS", 0.05)
    loaded.clear()
    started = time.monotonic()
    rfc_ietf.warm_in_background(lambda: True)
    assert loaded.wait(5) and time.monotonic() - started >= 0.05
