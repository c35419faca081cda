"""IETF RFCs: the RFC Editor's text index parsed, and the compact table shipped in the package.

Pure: text in, values out. ``parse_index_text`` reads ``rfc-index.txt`` as the RFC
Editor publishes it (https://www.rfc-editor.org/rfc-index.txt); ``encode`` writes
the entries as a small tab-separated table (``backlog_ls/data/rfc-index.tsv.gz``,
built by ``scripts/build_rfc_index.py``) and ``IetfIndex.decode`` reads it back.

Decoding only splits the table into rows (a few milliseconds); a row becomes an
``IetfRfc`` when it is looked up, so a hover pays for one row, not nine thousand.

An index entry looks like this (wrapped at 72 columns, continuation lines indented)::

    2616 Hypertext Transfer Protocol -- HTTP/1.1. R. Fielding, J. Gettys, J.
         Mogul, H. Frystyk, L. Masinter, P. Leach, T. Berners-Lee. June 1999.
         (Format: TXT, PS, PDF, HTML) (Obsoletes RFC2068) (Obsoleted by
         RFC7230, RFC7231, RFC7232, RFC7233, RFC7234, RFC7235) (Updated by
         RFC2817, RFC5785, RFC6266, RFC6585) (Status: DRAFT STANDARD) (DOI:
         10.17487/RFC2616)

or ``0014 Not Issued.``
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence

import attrs

FORMAT_VERSION = "1"
HEADER_PREFIX = "#backlog-ls-rfc-index"

STATUS_CODES = {
    "UNKNOWN": "U",
    "INFORMATIONAL": "I",
    "PROPOSED STANDARD": "P",
    "DRAFT STANDARD": "D",
    "INTERNET STANDARD": "S",
    "BEST CURRENT PRACTICE": "B",
    "EXPERIMENTAL": "E",
    "HISTORIC": "H",
}
NOT_ISSUED = "N"
STATUS_NAMES = {code: name.title() for name, code in STATUS_CODES.items()}
STATUS_NAMES["B"] = "Best Current Practice"
STATUS_NAMES[NOT_ISSUED] = "Not Issued"

URL = "https://www.rfc-editor.org/rfc/rfc{number}"


def url(number: int) -> str:
    """Where the RFC Editor publishes an RFC."""
    return URL.format(number=number)


@attrs.frozen
class IetfRfc:
    """One RFC of the index. Relations are RFC numbers (ints) or other documents as written ("NIC7724")."""

    number: int
    title: str
    authors: str = ""
    date: str = ""
    status: str = "U"  # a code of STATUS_CODES, or NOT_ISSUED
    obsoletes: tuple[int | str, ...] = ()
    obsoleted_by: tuple[int | str, ...] = ()
    updates: tuple[int | str, ...] = ()
    updated_by: tuple[int | str, ...] = ()
    also: tuple[str, ...] = ()  # "BCP0014", "STD0007"

    @property
    def issued(self) -> bool:
        return self.status != NOT_ISSUED

    @property
    def status_name(self) -> str:
        return STATUS_NAMES.get(self.status, self.status)

    @property
    def url(self) -> str:
        return url(self.number)


def document_name(reference: int | str) -> str:
    """How a relation is written for a reader: 7230 -> "RFC 7230"; "NIC7724" stays."""
    return f"RFC {reference}" if isinstance(reference, int) else reference


# --- the RFC Editor's text index -----------------------------------------------------------------

_ENTRY_START = re.compile(r"^(?P<number>\d{4,5}) (?P<rest>\S.*)$")
_GROUP = re.compile(r"\((?P<key>Format|Obsoletes|Obsoleted by|Updates|Updated by|Also|Status|DOI)(?::\s?|\s)(?P<value>[^()]*)\)")
_MONTHS = "January|February|March|April|May|June|July|August|September|October|November|December"
_DATE = re.compile(rf"(?:^|\.\s)(?P<date>(?:\d{{1,2}}\s)?(?:{_MONTHS})\s\d{{4}})\.\s*$")
# One author: initials ("R.", "D.L.", "C. S.", "J-P.") then a surname of one or more words,
# or "Ed." after a comma. Organisations ("IAB", "RFC Editor") are left to the fallback.
_INITIAL = r"[A-Z]{1,2}[a-z]?(?:-[A-Z][a-z]?)*\."
_INITIALS = rf"(?:{_INITIAL}(?: ?{_INITIAL})*)"
_AUTHOR = rf"(?:{_INITIALS} ?[^\s,.][^,]*?|Ed\.)"
# The first author has initials; later items may be anything ("II", "IAB", "Y(J). Stein").
_AUTHORS = re.compile(rf"^{_AUTHOR}(?:, [^,]+)*$")
_REFERENCE = re.compile(r"^(?P<series>[A-Z]+)0*(?P<number>\d+)$")
_NOT_WORD = re.compile(r"[\W_]+")


def entries_text(text: str) -> Iterator[str]:
    """Each entry of the index as one line (continuation lines joined by single spaces).

    The entries follow the second "RFC INDEX" title; the example citations of the
    key before it are not entries.
    """
    lines = text.splitlines()
    titles = [i for i, line in enumerate(lines) if line.strip() == "RFC INDEX"]
    start = titles[1] + 1 if len(titles) >= 2 else 0
    current: list[str] = []
    for line in lines[start:]:
        if _ENTRY_START.match(line):
            if current:
                yield " ".join(" ".join(current).split())
            current = [line.strip()]
        elif line.strip() and current and line[:1].isspace():
            current.append(line.strip())
        elif current:
            yield " ".join(" ".join(current).split())
            current = []
    if current:
        yield " ".join(" ".join(current).split())


def parse_entry(entry: str) -> IetfRfc | None:
    """One joined entry as an ``IetfRfc``; None when it is not an entry at all."""
    match = _ENTRY_START.match(entry)
    if match is None:
        return None
    number = int(match.group("number"))
    rest = match.group("rest").strip()
    if rest.rstrip(". ") == "Not Issued":
        return IetfRfc(number, "", status=NOT_ISSUED)
    first_group = _GROUP.search(rest)
    head = rest[: first_group.start()].strip() if first_group else rest
    groups: dict[str, str] = {}
    for group in _GROUP.finditer(rest):
        groups.setdefault(group.group("key"), group.group("value").strip())
    title, authors, date = _split_head(head)
    status = STATUS_CODES.get(" ".join(groups.get("Status", "UNKNOWN").split()).upper(), "U")
    return IetfRfc(
        number=number,
        title=title,
        authors=authors,
        date=date,
        status=status,
        obsoletes=_references(groups.get("Obsoletes")),
        obsoleted_by=_references(groups.get("Obsoleted by")),
        updates=_references(groups.get("Updates")),
        updated_by=_references(groups.get("Updated by")),
        also=tuple(_tokens(groups.get("Also"))),
    )


def _split_head(head: str) -> tuple[str, str, str]:
    """ "Title. Authors. Date." -> (title, authors, date); any part may be empty."""
    date = ""
    match = _DATE.search(head)
    if match is not None:
        date = match.group("date")
        head = head[: match.start("date")].rstrip()
    head = head.rstrip()
    # The title ends at the first ". " after which the rest reads as a list of authors.
    for found in re.finditer(r"\.\s", head):
        candidate = head[found.end() :].strip()
        if candidate and _AUTHORS.match(candidate):
            return head[: found.start()].strip(), _clean_authors(candidate), date
    # Organisations as authors ("IAB.", "RFC Editor."): the last sentence.
    cut = head.rstrip(".").rfind(". ")
    if cut < 0:
        return head.rstrip(".").strip(), "", date
    return head[:cut].strip(), _clean_authors(head[cut + 2 :]), date


def _clean_authors(authors: str) -> str:
    # The list ends with the sentence's period: "R. Hedberg, P. Pomes." and "K. Talaulikar, Ed.."
    authors = authors.strip()
    return authors.removesuffix(".")


def _tokens(value: str | None) -> Iterator[str]:
    if not value:
        return
    for token in value.split(","):
        token = token.strip()
        if token:
            yield token


def _references(value: str | None) -> tuple[int | str, ...]:
    found: list[int | str] = []
    for token in _tokens(value):
        match = _REFERENCE.match(token)
        if match is not None and match.group("series") == "RFC":
            found.append(int(match.group("number")))
        else:
            found.append(token)
    return tuple(found)


def parse_index_text(text: str) -> list[IetfRfc]:
    """Every entry of an ``rfc-index.txt``, in the order of the file; malformed entries are skipped."""
    found = []
    for entry in entries_text(text):
        rfc = parse_entry(entry)
        if rfc is not None:
            found.append(rfc)
    return found


_CREATED = re.compile(r"\(CREATED ON: (?P<date>[\d/]+)\.?\)")


def created_on(text: str) -> str:
    """The "CREATED ON" date of the index as written (MM/DD/YYYY), or ""."""
    match = _CREATED.search(text[:4000])
    return match.group("date") if match else ""


# --- the compact table -----------------------------------------------------------------------------
#
# One header line, then one row per RFC:
#   number TAB title TAB authors TAB date TAB status TAB obsoletes TAB obsoleted-by TAB updates TAB updated-by TAB also
# Relations are comma-separated; an RFC is its bare number ("7230"), another document is kept as written.


def _field(value: str) -> str:
    return " ".join(value.replace("\t", " ").split())


def _join(references: Iterable[int | str]) -> str:
    return ",".join(str(reference) for reference in references)


def encode(rfcs: Sequence[IetfRfc], created: str = "") -> str:
    """The compact table of ``rfcs`` (sorted by number), as text."""
    rows = [f"{HEADER_PREFIX}\t{FORMAT_VERSION}\t{_field(created)}"]
    for rfc in sorted(rfcs, key=lambda r: r.number):
        rows.append(
            "\t".join(
                (
                    str(rfc.number),
                    _field(rfc.title),
                    _field(rfc.authors),
                    _field(rfc.date),
                    rfc.status,
                    _join(rfc.obsoletes),
                    _join(rfc.obsoleted_by),
                    _join(rfc.updates),
                    _join(rfc.updated_by),
                    ",".join(rfc.also),
                )
            )
        )
    return "\n".join(rows) + "\n"


def _split_references(value: str) -> tuple[int | str, ...]:
    if not value:
        return ()
    return tuple(int(token) if token.isdigit() else token for token in value.split(","))


def decode_row(row: str) -> IetfRfc:
    fields = row.split("\t")
    fields += [""] * (10 - len(fields))
    return IetfRfc(
        number=int(fields[0]),
        title=fields[1],
        authors=fields[2],
        date=fields[3],
        status=fields[4] or "U",
        obsoletes=_split_references(fields[5]),
        obsoleted_by=_split_references(fields[6]),
        updates=_split_references(fields[7]),
        updated_by=_split_references(fields[8]),
        also=tuple(fields[9].split(",")) if fields[9] else (),
    )


class FormatError(ValueError):
    """The table is not one this version can read."""


class IetfIndex:
    """The RFCs of the index by number. Rows are decoded when looked up, and kept.

    Safe to share between threads: a lookup at worst decodes a row twice.
    """

    def __init__(self, rows: dict[int, str], created: str = ""):
        self._rows = rows
        self._decoded: dict[int, IetfRfc] = {}
        self.created = created  # "03/06/2024"
        self.last = max(rows) if rows else 0  # the highest number the index knows
        self._titles: list[tuple[int, str]] | None = None

    @classmethod
    def decode(cls, text: str) -> IetfIndex:
        lines = text.split("\n")
        header = lines[0].split("\t") if lines else []
        if len(header) < 2 or header[0] != HEADER_PREFIX or header[1] != FORMAT_VERSION:
            raise FormatError(f"not a backlog-ls RFC index (version {FORMAT_VERSION})")
        rows: dict[int, str] = {}
        for line in lines[1:]:
            tab = line.find("\t")
            if tab > 0 and line[:tab].isdigit():
                rows[int(line[:tab])] = line
        return cls(rows, header[2] if len(header) > 2 else "")

    @classmethod
    def of(cls, rfcs: Iterable[IetfRfc], created: str = "") -> IetfIndex:
        return cls.decode(encode(list(rfcs), created))

    def __len__(self) -> int:
        return len(self._rows)

    def __contains__(self, number: object) -> bool:
        return number in self._rows

    def get(self, number: int) -> IetfRfc | None:
        """The RFC with that number (a "Not Issued" one too), or None when the index has no such entry."""
        found = self._decoded.get(number)
        if found is not None:
            return found
        row = self._rows.get(number)
        if row is None:
            return None
        try:
            found = decode_row(row)
        except (ValueError, IndexError):
            return None
        self._decoded[number] = found
        return found

    def numbers(self) -> Iterator[int]:
        return iter(self._rows)

    def titles(self) -> list[tuple[int, str]]:
        """(number, words) of every issued RFC, for searching by words: the title in lower case,
        punctuation made spaces, with a space before and after ("2378 -> " the ccso nameserver ph architecture ")."""
        if self._titles is None:
            found = []
            for number, row in self._rows.items():
                fields = row.split("\t", 5)
                if len(fields) > 4 and fields[4] != NOT_ISSUED:
                    found.append((number, " " + _NOT_WORD.sub(" ", fields[1].lower()).strip() + " "))
            self._titles = found
        return self._titles

    def search(self, words: str, limit: int = 50) -> tuple[list[int], bool]:
        """Issued RFCs whose title has a word starting with each of ``words``, newest first; and whether more matched."""
        wanted = [" " + word for word in _NOT_WORD.sub(" ", words.lower()).split()]
        if not wanted:
            return [], False
        found = [number for number, title in self.titles() if all(word in title for word in wanted)]
        found.sort(reverse=True)
        return found[:limit], len(found) > limit
