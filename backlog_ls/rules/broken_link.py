"""broken-link (BL401): a relative link to a file that does not exist, or to a heading that does not.

Backlogs point at design documents, RFCs and other backlogs; files get renamed
and headings reworded, and the link silently rots. Checked:

- ``[text](docs/x.md)`` and images ``![alt](img/x.png)``: the file or folder must
  exist, resolved against the folder of the document (a ``?query`` and
  ``%20``-style escapes are decoded first);
- ``[text](#slug)``: a heading of this document must have that anchor, as GitHub
  makes them (see ``backlog_ls.anchors``), or an HTML ``id``/``name`` must;
- ``[text](other.md#slug)``: likewise in the other Markdown file;
- the targets of reference definitions (``[label]: docs/x.md``).

Not checked: URLs with a scheme (``https:``, ``mailto:``), protocol-relative ``//host``
links, and links starting with ``/``, which GitHub resolves from the repository
root, a folder a rule is not told. Without a file system (no ``files`` provider,
or a document that has no path yet) only ``#slug`` links into the same document
are checked. A close match, when there is one, is offered as a fix to apply by
hand: only the author knows whether it is the right one.

In the editor a file created, renamed or removed shows at the next check: what a
verdict read from the disk is kept while its folder (and the linked file, for a
``#slug``) stays unchanged, and read again when it changes.

Bad:

    - [ ] Implement the [proxy](design/prxy.md), see [axioms](#axiom)

Good:

    - [ ] Implement the [proxy](design/proxy.md), see [axioms](#axioms)
"""

from __future__ import annotations

import difflib
import functools
import html
import os
import re
from collections.abc import Collection, Iterator
from urllib.parse import quote, unquote

from ..anchors import Slugger, html_anchors, title_slug
from ..memo import LineageMemo, long_list_values
from ..model import LONG_LIST_ITEMS, NO_REFERENCES, Block, Link, Span
from . import WARNING, Context, Edit, Finding, Fix, Rule
from .common import BlockValues

_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:")
_BACKSLASH_ESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")
_DEFINITION = re.compile(
    r"[ ]{0,3}\[(?:[^\]\\]|\\.)+\]:[ \t]*(?:<(?P<angle>[^<>\n]*)>|(?P<bare>\S+))"
    r"(?:[ \t]+(?:\"[^\"]*\"|'[^']*'|\([^()]*\)))?[ \t]*$"
)
_MARKDOWN_SUFFIXES = (".md", ".markdown", ".mdown", ".mkd", ".mkdn")
# Fragments that are not heading anchors: GitHub's line links, text fragments, the document top.
_NOT_AN_ANCHOR = re.compile(r"L\d+(?:C\d+)?(?:-L\d+(?:C\d+)?)?|:~:.*|top", re.I)


# What one block holds for this rule: its link targets with their spans, and its HTML anchors.
_Targets = tuple[tuple[tuple[str, Span], ...], tuple[str, ...]]


def _block_targets(block: Block, lines) -> _Targets | tuple[()]:
    targets = [(link.target, link.target_span) for link in _block_links(block, lines)]
    targets.extend(_definitions(block, lines))
    anchors = [] if block.kind in ("code", "front-matter") else html_anchors(lines[block.start_line : block.end_line + 1])
    return (tuple(targets), tuple(anchors)) if targets or anchors else ()


def _moved_targets(value: _Targets, delta: int) -> _Targets:
    """A block's targets, the block moved down by ``delta`` lines (its anchors are where they were in it)."""
    targets, anchors = value
    return tuple([(target, span.shifted(delta)) for target, span in targets]), anchors


_MEMO = BlockValues(_block_targets, move=_moved_targets)


def _block_links(block: Block, lines) -> Iterator[Link]:
    if block.heading is not None and block.heading.refs.links:
        yield from block.heading.refs.links
    if block.refs.links:
        yield from block.refs.links
    if block.item_count >= LONG_LIST_ITEMS:  # item by item: a keystroke in the list reads one again
        yield from long_list_values(block.items[::-1], _ITEM_HAS_LINKS, lambda item: _items_links([item]))
    elif block.has_items:
        yield from _items_links(block.items)
    if block.kind in ("table", "quote") and not block.refs:
        yield from _unscanned_links(block, lines)


_ITEM_HAS_LINKS = LineageMemo()  # a top-level item of a long list -> whether it (or an item below) holds a link


def _items_links(items) -> list[Link]:
    """The links of ``items`` and the items below them, the last item's first (as a stack walks them)."""
    found: list[Link] = []
    stack = list(items)
    while stack:
        item = stack.pop()
        refs = item.refs
        if refs is not NO_REFERENCES and refs.links:
            found.extend(refs.links)
        if item.children:
            stack.extend(item.children)
    return found


def _unscanned_links(block: Block, lines) -> Iterator[Link]:
    """Links in table cells and quoted paragraphs, which the parser does not scan (quoted list items it does)."""
    from ..parse.inline import scan

    item_lines: set[int] = set()
    for item in block.items:
        item_lines.update(range(item.span.start_line, item.span.end_line + 1))
    for number in range(block.start_line, block.end_line + 1):
        if number not in item_lines and "](" in lines[number]:
            yield from scan([(number, 0, lines[number])]).links


def _definitions(block: Block, lines) -> Iterator[tuple[str, Span]]:
    """Targets of link reference definitions (``[label]: target``), with their spans.

    Definitions open a block: the parser's link-definition blocks, and paragraphs whose
    first lines are definitions (what a parser that misses them makes of them).
    """
    if block.kind not in ("link-definition", "paragraph") or "]:" not in lines[block.start_line]:
        return
    for number in range(block.start_line, block.end_line + 1):
        match = _DEFINITION.match(lines[number])
        if match is None:
            break
        group = "angle" if match.group("angle") is not None else "bare"
        yield match.group(group), Span.on_line(number, match.start(group), match.end(group))


class _Checker:
    """One run of the rule over one document; caches every file system answer for the run."""

    def __init__(self, context: Context, blocks: list[_Targets]):
        self.context = context
        self.blocks = blocks
        self.files = context.files
        self.path = os.path.abspath(context.path) if context.path else None
        self.folder = os.path.dirname(self.path) if self.path else None
        self._own_anchors: frozenset[str] | None = None
        self._exists: dict[str, bool] = {}
        self._anchors: dict[str, Collection[str] | None] = {}
        self._names: dict[str, Collection[str] | None] = {}
        self._verdicts: dict[str, _Verdict | None] = {}
        # Verdicts are kept from one run to the next (``_KEPT``) when the files can stamp what was read.
        self._stamper = getattr(self.files, "stamp", None)
        self._stamps: dict[str, tuple | None] = {}  # each path's stamp, taken once a run, before it is read
        self._read: list[str] | None = None  # while judging one target: the paths whose stamps it rests on

    # answers, cached for the run
    def own_anchors(self) -> frozenset[str]:
        if self._own_anchors is None:
            titles = tuple(heading.title for heading in self.context.backlog.headings)
            anchors = set(_title_anchors(titles))
            for _, html in self.blocks:
                anchors.update(html)
            self._own_anchors = frozenset(anchors)
        return self._own_anchors

    def exists(self, path: str) -> bool:
        # Whether a path exists is a matter of its folder's entries; of its target's too, for a link.
        folder, name = os.path.split(path)
        self._rests_on(folder)
        if self._read is not None and name in self._symlinks(folder):
            self._rests_on(path)  # its stamp follows the link: gone, or there, when the target is
        if path not in self._exists:
            self._exists[path] = bool(self.files.exists(path))
        return self._exists[path]

    def anchors_of(self, path: str) -> Collection[str] | None:
        if path == self.path:
            self._read = None  # this document's own headings, which change as it is typed: not kept
            return self.own_anchors()
        self._rests_on(path)
        if path not in self._anchors:
            self._anchors[path] = self.files.anchors(path)
        return self._anchors[path]

    def names_in(self, folder: str) -> Collection[str] | None:
        lister = getattr(self.files, "names", None)
        if lister is None:
            return None
        self._rests_on(folder)
        if folder not in self._names:
            self._names[folder] = lister(folder)
        return self._names[folder]

    # what was read, for keeping verdicts
    def _stamp(self, path: str) -> tuple | None:
        if path not in self._stamps:
            self._stamps[path] = self._stamper(path) if self._stamper is not None else None
        return self._stamps[path]

    def _rests_on(self, path: str) -> None:
        """Note that the verdict being made reads ``path``; its stamp is taken first, so a change while it is read shows."""
        if self._read is not None:
            if self._stamp(path) is None:
                self._read = None  # it cannot vouch for itself: the verdict is made again next run
            else:
                self._read.append(path)

    def _symlinks(self, folder: str) -> frozenset[str]:
        lister = getattr(self.files, "symlinks", None)
        stamp = self._stamp(folder)
        if lister is None or stamp is None:
            self._read = None  # which names are links is not known: the verdict is not kept
            return frozenset()
        kept = _SYMLINKS.get(folder)
        if kept is None or kept[0] != stamp:
            if len(_SYMLINKS) >= _KEPT_MOST:
                _SYMLINKS.clear()
            kept = _SYMLINKS[folder] = (stamp, lister(folder))
        return kept[1]

    # the check
    def finding(self, target: str, span: Span) -> Finding | None:
        """The finding for one link, judged once per distinct target in a run."""
        if target in self._verdicts:
            verdict = self._verdicts[target]
        else:
            verdict = self._verdicts[target] = self._judged(target)
        if verdict is None:
            return None
        return _finding(span, verdict)

    def _judged(self, target: str) -> _Verdict | None:
        """``judge(target)``, or the verdict of an earlier run when none of what it read has changed since."""
        if self._stamper is None or self.path is None:
            return self.judge(target)
        key = (self.path, target)  # the document's, not its folder's: a link into itself reads its own headings
        kept = _KEPT.get(key)
        if kept is not None and kept[0] is self.files and all(self._stamp(path) == stamp for path, stamp in kept[2]):
            return kept[1]
        self._read = []
        try:
            verdict = self.judge(target)
            read = self._read
        finally:
            self._read = None
        if read:  # (a target that read nothing from the files is judged again: it costs nothing)
            if len(_KEPT) >= _KEPT_MOST:
                _KEPT.clear()
            _KEPT[key] = (self.files, verdict, tuple((path, self._stamps[path]) for path in dict.fromkeys(read)))
        return verdict

    def judge(self, target: str) -> _Verdict | None:
        """What is wrong with a link target, if anything, and how to repair it (offsets in ``target``)."""
        parsed = parse_target(target)
        if parsed is None:
            return None
        written_path, shown, fragment, hash_at = parsed
        if not written_path:
            if not fragment or _anchor_found(self.own_anchors(), fragment):
                return None
            return _missing_anchor(target, hash_at, fragment, self.own_anchors(), "this document")
        if self.files is None or self.folder is None:
            return None
        resolved = resolve(self.folder, shown)
        if not self.exists(resolved):
            return self.missing_file(target, written_path, shown, resolved)
        if not fragment or not resolved.lower().endswith(_MARKDOWN_SUFFIXES):
            return None
        anchors = self.anchors_of(resolved)
        if anchors is None or _anchor_found(anchors, fragment):
            return None
        where = "this document" if resolved == self.path else f"'{shown}'"
        return _missing_anchor(target, hash_at, fragment, anchors, where)

    def missing_file(self, target: str, written_path: str, shown: str, resolved: str) -> _Verdict:
        repairs = []
        folder, name = os.path.split(resolved)
        names = self.names_in(folder) if name else None
        suggestion = _closest_name(name, names) if names else None
        if suggestion is not None:
            cut = written_path.rstrip("/").rfind("/") + 1
            written_name = written_path[cut:].rstrip("/")
            replacement = quote(suggestion) if ("%" in written_name or " " in suggestion) else suggestion
            start = target.find(written_path) + cut
            repairs.append((f"Change to '{written_path[:cut]}{replacement}'", start, start + len(written_name), replacement))
        # Said against the document, never the working directory: the editor's differs from the CLI's.
        return f"No file '{shown}' relative to this document.", tuple(repairs)


_Verdict = tuple[str, tuple[tuple[str, int, int, str], ...]]  # message, (fix title, start, end, new text)

# Verdicts on links into the file system, from one run to the next: (the document's path, the
# target) -> (the files asked, the verdict, the stamp of each path it read). A keystroke asks the file
# system for one stamp per folder linked into (and per file whose headings are linked), where it stat'ed
# every link target; a link target is judged again when a folder or file it read has changed.
_KEPT: dict[tuple[str, str], tuple[object, _Verdict | None, tuple[tuple[str, tuple], ...]]] = {}
_KEPT_MOST = 20_000  # more and they are all forgotten (a workspace of many folders, checked by the index)
_SYMLINKS: dict[str, tuple[tuple, frozenset[str]]] = {}  # folder -> (its stamp, the symbolic links in it)


@functools.lru_cache(maxsize=8)
def _title_anchors(titles: tuple[str, ...]) -> frozenset[str]:
    """The anchors of a document's headings; the titles rarely change between two keystrokes."""
    slugger = Slugger()
    return frozenset(anchor for anchor in (slugger.add(title_slug(title)) for title in titles) if anchor)


# The same link with the same verdict gives the same finding: after a keystroke in a large
# backlog nearly every broken link is the one of the keystroke before, so it is reused.
@functools.lru_cache(maxsize=16384)
def _finding(span: Span, verdict: _Verdict) -> Finding:
    message, repairs = verdict
    fixes: tuple[Fix, ...] = ()
    if span.start_line == span.end_line:
        fixes = tuple(
            Fix(title, (Edit(Span.on_line(span.start_line, span.start_col + start, span.start_col + end), new_text),), safe=False)
            for title, start, end, new_text in repairs
        )
    return RULE.finding(span, message, fixes)


@functools.lru_cache(maxsize=8192)
def parse_target(target: str) -> tuple[str, str, str, int] | None:
    """(path as written, path decoded, fragment, offset of "#") of a target this rule checks, else None.

    Remembered: the same targets come back on every keystroke.
    """
    stripped = target.strip()
    if not stripped or stripped == "#" or stripped.startswith("//") or _SCHEME.match(stripped):
        return None
    if stripped.startswith("/"):
        return None  # relative to the repository root, which is not known here
    hash_at = target.find("#")
    written_path = target if hash_at < 0 else target[:hash_at]
    fragment = "" if hash_at < 0 else target[hash_at + 1 :].strip()
    written_path = written_path.split("?", 1)[0].strip()
    shown = unquote(_BACKSLASH_ESCAPE.sub(r"\1", html.unescape(written_path))) if written_path else ""
    return written_path, shown, fragment, hash_at


@functools.lru_cache(maxsize=8192)
def resolve(folder: str, path: str) -> str:
    return os.path.normpath(os.path.join(folder, path))


def _anchor_found(anchors: Collection[str], fragment: str) -> bool:
    if _NOT_AN_ANCHOR.fullmatch(fragment):
        return True
    decoded = unquote(fragment)
    for candidate in (fragment, decoded):
        if candidate.startswith("user-content-"):
            candidate = candidate[len("user-content-") :]
        if candidate in anchors or candidate.lower() in anchors:
            return True
    return False


def _missing_anchor(target: str, hash_at: int, fragment: str, anchors: Collection[str], where: str) -> _Verdict:
    repairs = ()
    suggestion = _closest(unquote(fragment).lower(), anchors)
    if suggestion is not None:
        start = hash_at + 1
        repairs = ((f"Change to '#{suggestion}'", start, len(target.rstrip()), suggestion),)
    return f"No heading '#{fragment}' in {where}.", repairs


def _closest(word: str, candidates: Collection[str]) -> str | None:
    return _closest_in(word, candidates if isinstance(candidates, frozenset) else frozenset(candidates))


# Room for every missing anchor of a large backlog: one check asks for each, and a cache smaller than
# their number (a list of 20,000 tasks linking 364 anchors of headings it lacks) keeps none of them.
@functools.lru_cache(maxsize=4096)
def _closest_in(word: str, candidates: frozenset[str]) -> str | None:
    """The candidate most like ``word``, if any is close (remembered: difflib is slow on long lists)."""
    matches = difflib.get_close_matches(word, sorted(candidates), n=1, cutoff=0.6)
    return matches[0] if matches else None


def _closest_name(name: str, names: Collection[str]) -> str | None:
    lowered = name.lower()
    for candidate in sorted(names):
        if candidate.lower() == lowered:
            return candidate  # "Readme.md" for "README.md": right on Windows and macOS, wrong on GitHub
    return _closest(name, sorted(names))


def link_targets(backlog) -> Iterator[tuple[str, Span]]:
    """Every link target of the document (links, images, reference definitions), with its span.

    Remembered per block, and shared with the rule: document links and file moves read the
    very values the last check computed."""
    for _, (targets, _) in _MEMO.each(backlog.blocks, backlog.lines):
        yield from targets


def _check(context: Context) -> Iterator[Finding]:
    backlog = context.backlog
    blocks = [value for _, value in _MEMO.each(backlog.blocks, backlog.lines)]
    checker = _Checker(context, blocks)
    for targets, _ in blocks:
        for target, span in targets:
            finding = checker.finding(target, span)
            if finding is not None:
                yield finding


RULE = Rule(
    name="broken-link",
    code="BL401",
    severity=WARNING,
    summary="A relative link to a file that does not exist, or to a heading anchor that does not.",
    check=_check,
)
