"""The RFCs a document cites, found once per block: what RFC rules, hovers and links work on.

The inline scanner finds ``RfcRef``s; this module decides what each one is:

- a link to a project RFC file (``[docs/rfcs/0026-x.md](../rfcs/0026-x.md)``): kind
  "project", with its ``target`` and ``link``;
- a mention written ``RFC 0093`` or ``RFC-0093`` (a leading zero: the project's own
  numbering): kind "project", no target;
- a mention ``RFC 2378``: kind "ietf".

A mention inside the text of a link is the link's business: inside a project RFC
link it is dropped (the link is the citation; ``rfc-link-text-mismatch`` compares
the two), inside a link to the RFC Editor or the IETF it stays an IETF citation,
and inside any other link, or as the label of a reference link defined elsewhere
(``[RFC #3519]: https://github.com/rust-lang/rfcs/pull/3519``), it names some other
series of RFCs and is dropped.

Blocks are immutable and survive edits that do not touch them, so a block's
citations are computed once and found again by the block's identity.
"""

from __future__ import annotations

import bisect

import functools
import re
from collections.abc import Iterable, Iterator, Sequence

import attrs

from ..memo import BlockValues, LineageMemo, PlacedMemo, long_list_values
from ..model import LONG_LIST_ITEMS, NO_REFERENCES, Backlog, Block, Item, Link, References, RfcRef, Span

PROJECT = "project"
IETF = "ietf"

_IETF_URL = re.compile(r"^https?://(?:www\.)?(?:rfc-editor\.org|(?:datatracker|tools)\.ietf\.org|ietf\.org)/", re.IGNORECASE)
_RFC_IN_URL = re.compile(r"rfc(\d{1,5})(?!\d)", re.IGNORECASE)
_NUMBER_WORD = re.compile(r"(?<![\w/])RFC[ \t-]?#?[ \t]?(\d{1,5})(?!\d)", re.IGNORECASE)
_NUMBER_FILE = re.compile(r"(?:^|/)(?:rfc[-_]?)?(\d{1,5})[-_][^/\s]*?\.md\b", re.IGNORECASE)
_DEFINITION = re.compile(r"^ {0,3}\[(?P<label>(?:[^\]\\]|\\.)+)\]:[ \t]*<?(?P<target>[^\s>]+)")


@attrs.frozen
class Citation:
    """One RFC a document cites. ``span`` is what a hover or a finding covers."""

    span: Span
    number: int
    kind: str  # PROJECT | IETF
    text: str  # as written: "RFC 2378", or the whole link
    target: str | None = None  # a project RFC link's target as written
    link: Link | None = None  # the link this citation is (project link) or lies in (IETF link text)
    hashed: bool = False  # written "RFC #3519": how GitHub-hosted RFC series number theirs

    @property
    def is_link(self) -> bool:
        return self.target is not None


def is_ietf_url(target: str) -> bool:
    return bool(_IETF_URL.match(target.strip()))


class _Links:
    """One paragraph's links, found by position: a line can hold 50,000 links and as many RFC mentions."""

    def __init__(self, links: Sequence[Link]):
        self._links = links
        self._text_starts = [(link.text_span.start_line, link.text_span.start_col) for link in links]
        self._by_span: dict[Span, Link] = {}
        for link in links:
            self._by_span.setdefault(link.span, link)

    def at(self, span: Span) -> Link | None:
        return self._by_span.get(span)

    def enclosing(self, span: Span) -> Link | None:
        # Link texts are in order and never overlap: only the last one starting before can hold it.
        index = bisect.bisect_right(self._text_starts, (span.start_line, span.start_col)) - 1
        if index >= 0 and self._links[index].text_span.encloses(span):
            return self._links[index]
        return None


def _from_refs(refs: References, definitions: dict[str, str], lines: Sequence[str]) -> list[Citation]:
    found: list[Citation] = []
    links = _Links(refs.links)
    for ref in refs.rfcs:
        if ref.target is not None:
            found.append(Citation(ref.span, ref.number, PROJECT, ref.text, ref.target, links.at(ref.span)))
            continue
        citation = _mention(ref, links, definitions, lines)
        if citation is not None:
            found.append(citation)
    return found


def _mention(ref: RfcRef, links: _Links, definitions: dict[str, str], lines: Sequence[str]) -> Citation | None:
    hashed = "#" in ref.text
    enclosing = links.enclosing(ref.span)
    if enclosing is not None:
        if not is_ietf_url(enclosing.target):
            return None  # a project RFC link's text, or another series' link
        return Citation(ref.span, ref.number, IETF, ref.text, None, enclosing, hashed)
    if definitions and _is_foreign_label(ref, definitions, lines):
        return None
    return Citation(ref.span, ref.number, ref.kind, ref.text, None, None, hashed)


def _is_foreign_label(ref: RfcRef, definitions: dict[str, str], lines: Sequence[str]) -> bool:
    """True when the mention is the whole label of a reference link defined to point elsewhere."""
    span = ref.span
    if span.start_line != span.end_line or span.start_line >= len(lines):
        return False
    line = lines[span.start_line]
    start, end = span.start_col, span.end_col
    if start == 0 or line[start - 1 : start] != "[" or line[end : end + 1] != "]":
        return False
    target = definitions.get(" ".join(ref.text.split()).casefold())
    return target is not None and not is_ietf_url(target)


def _block_citations(block: Block, lines: Sequence[str], definitions: dict[str, str]) -> tuple[Citation, ...]:
    found: list[Citation] = []
    heading = block.heading
    if heading is not None and heading.refs.rfcs:
        found.extend(_from_refs(heading.refs, definitions, lines))
    if block.refs.rfcs:
        found.extend(_from_refs(block.refs, definitions, lines))
    if block.item_count >= LONG_LIST_ITEMS:  # item by item: a keystroke in the list reads one again
        found.extend(
            long_list_values(block.items, _ITEM_CITES, lambda item: _items_citations(item.walk(), definitions, lines), _generation(definitions))
        )
    elif block.has_items:
        found.extend(_items_citations((item for item, _parent in block.walk), definitions, lines))
    if block.kind in ("table", "quote") and not block.refs:
        found.extend(_unscanned(block, lines, definitions))
    if found and _DEFINITION.match(lines[block.start_line]):
        found = [c for c in found if not _DEFINITION.match(lines[c.span.start_line])]
    found.sort(key=lambda citation: citation.span)
    return tuple(found)


_ITEM_CITES = LineageMemo()  # a top-level item of a long list -> whether it cites an RFC (per definitions)


def _items_citations(items: Iterable[Item], definitions: dict[str, str], lines: Sequence[str]) -> list[Citation]:
    found: list[Citation] = []
    for item in items:
        refs = item.refs
        if refs is not NO_REFERENCES and refs.rfcs:
            found.extend(_from_refs(refs, definitions, lines))
    return found


def _unscanned(block: Block, lines: Sequence[str], definitions: dict[str, str]) -> Iterator[Citation]:
    """Table cells and quoted paragraphs, which the parser does not scan (quoted list items it does)."""
    from ..parse.inline import scan

    item_lines: set[int] = set()
    for item in block.items:
        item_lines.update(range(item.span.start_line, item.span.end_line + 1))
    for number in range(block.start_line, min(block.end_line + 1, len(lines))):
        line = lines[number]
        if number not in item_lines and ("RFC" in line or "rfc" in line):
            yield from _from_refs(scan([(number, 0, line)]), definitions, lines)


def _moved(citations: tuple[Citation, ...], delta: int) -> tuple[Citation, ...]:
    """A block's citations, the block moved down by ``delta`` lines."""
    return tuple([
        Citation(citation.span.shifted(delta), citation.number, citation.kind, citation.text, citation.target,
                 None if citation.link is None else _moved_link(citation.link, delta), citation.hashed)
        for citation in citations
    ])


def _moved_link(link: Link, delta: int) -> Link:
    return Link(link.span.shifted(delta), link.text, link.text_span.shifted(delta), link.target, link.target_span.shifted(delta), link.is_image)


# block lineage -> its citations with the line it started at, keyed by the link definitions'
# generation; most blocks cite none, and a block moved by Enter above it is not read again.
_memo = PlacedMemo(_moved)
_definitions_seen: dict[tuple[tuple[str, str], ...], int] = {}


def _generation(definitions: dict[str, str]) -> int:
    """A number for the document's set of reference definitions: a block's citations depend on it."""
    if not definitions:
        return 0
    key = tuple(sorted(definitions.items()))
    if key not in _definitions_seen:
        if len(_definitions_seen) > 64:
            _definitions_seen.clear()
        _definitions_seen[key] = len(_definitions_seen) + 1
    return _definitions_seen[key]


def definitions_of(backlog: Backlog) -> dict[str, str]:
    """Reference link definitions, label (case-folded, spaces collapsed) to target.

    The parser's, and those of paragraphs that open with definitions (which it may leave as text).
    Kept on the backlog (a snapshot: it never changes) for the next caller.
    """
    cached = backlog.__dict__.get("_rfc_definitions")
    if cached is not None:
        return cached
    found = dict(backlog.link_definitions)
    lines = backlog.lines
    for block in backlog.blocks:
        if block.kind not in ("paragraph", "link-definition"):
            continue
        first = lines[block.start_line]
        if not first.lstrip().startswith("[") or "]:" not in first:
            continue
        for number in range(block.start_line, block.end_line + 1):
            match = _DEFINITION.match(lines[number])
            if match is None:
                break
            found.setdefault(" ".join(match.group("label").split()).casefold(), match.group("target"))
    backlog.__dict__["_rfc_definitions"] = found
    return found


def citations(backlog: Backlog) -> list[Citation]:
    """Every RFC the document cites, in document order (a list shared by every caller: do not change it).

    Kept on the backlog, a snapshot, so that the RFC rules of one check walk its blocks once.
    """
    cached = backlog.__dict__.get("_rfc_citations")
    if cached is not None:
        return cached
    from ..parse import collector_paused

    with collector_paused():  # thousands of small values and no cycles: a full collection would walk the model
        found = _citations(backlog)
    backlog.__dict__["_rfc_citations"] = found
    return found


def ietf_citations(backlog: Backlog) -> list[Citation]:
    """The document's citations of IETF RFCs by number (not another series' "#NNNN"), in order:
    what the rules that read the IETF index look up; empty for most documents, which then never
    load it. Kept on the backlog, as ``citations``."""
    cached = backlog.__dict__.get("_ietf_citations")
    if cached is None:
        cached = backlog.__dict__["_ietf_citations"] = [c for c in citations(backlog) if c.kind == IETF and not c.hashed]
    return cached


_CITE_NOTHING = frozenset({"code", "front-matter", "html", "blank", "thematic-break"})


def _citations(backlog: Backlog) -> list[Citation]:
    definitions = definitions_of(backlog)
    lines = backlog.lines
    found: list[Citation] = []
    for _, value in _EACH.each(backlog.blocks, lines, _generation(definitions), lambda block: _cited(block, lines, definitions)):
        found.extend(value)
    return found


def _cited(block: Block, lines: Sequence[str], definitions: dict[str, str]) -> tuple[Citation, ...]:
    return () if block.kind in _CITE_NOTHING else _block_citations(block, lines, definitions)


# The citations of the last document's blocks: after a keystroke the blocks above and below the
# edit are passed by with a scan in C (those an Enter moved are found in ``_memo``, moved).
# One memo with ``block_citations``, which reads what ``citations`` keeps; ``each`` is given the
# function to compute with, as the citations depend on the document's link definitions too.
_EACH = BlockValues(lambda block, lines: (), placed=_memo)


def definitions_generation(backlog: Backlog) -> int:
    """A number for the document's reference definitions: a block's citations depend on them."""
    return _generation(definitions_of(backlog))


def block_citations(backlog: Backlog, block: Block) -> list[Citation]:
    """The RFCs one block of the document cites, in order (remembered per block)."""
    if block.kind in _CITE_NOTHING:
        return []
    definitions = definitions_of(backlog)
    lines = backlog.lines
    return _memo.get(block.lineage, block.start_line, lambda: _block_citations(block, lines, definitions), _generation(definitions))


def items_citations(backlog: Backlog, items: Iterable[Item]) -> list[Citation]:
    """The RFCs consecutive top-level items of a list cite, and the items below them, in order:
    a list's ``block_citations`` are those of its items, run by run."""
    found = _items_citations((node for item in items for node in item.walk()), definitions_of(backlog), backlog.lines)
    found.sort(key=lambda citation: citation.span)
    return found


def citation_at(backlog: Backlog, line: int, column: int) -> Citation | None:
    """The citation under (line, column), looking only at the block that holds the line."""
    block = backlog.block_at(line)
    if block is None:
        return None
    definitions = definitions_of(backlog)
    lines = backlog.lines
    for citation in _memo.get(block.lineage, block.start_line, lambda: _block_citations(block, lines, definitions), _generation(definitions)):
        if citation.span.contains(line, column):
            return citation
    return None


@functools.lru_cache(maxsize=4096)
def numbers_in_text(text: str) -> tuple[int, ...]:
    """The RFC numbers a link's text names: "RFC 0068", "RFC-68", "0068-cnb-library.md", "docs/rfcs/0068-x.md"."""
    found = tuple(int(m.group(1)) for m in _NUMBER_WORD.finditer(text))
    if found:
        return found
    return tuple(int(m.group(1)) for m in _NUMBER_FILE.finditer(text))


def ietf_number_in_url(target: str) -> int | None:
    if not is_ietf_url(target):
        return None
    match = _RFC_IN_URL.search(target)
    return int(match.group(1)) if match else None
