"""Relative links between files: clickable, completed as typed, and kept right when files move.

- ``file_document_links``: every relative link (``[plan](docs/plan.md)``,
  ``[release](docs/plan.md#release)``, ``[top](#goals)``) as a document link to the file,
  at the heading's line when the anchor is known (``file:///…/plan.md#L12``, as VS Code
  and Neovim open it).
- ``link_completions``: inside a link target, the names in the folder typed so far
  (folders end in ``/``), and after ``#`` the headings' anchors of this document or of
  the file named before it.
- ``rename_edits``: when files or folders move (``workspace/willRenameFiles``), the edits
  that keep every link to them, and every relative link inside a moved file, pointing at
  the same file; the target keeps its anchor, its query and the way it was written
  (``./``, ``%20``).

Pure: the file system comes in through small callables (``Listing``), answered by
``providers/files.py`` in the server.
"""

from __future__ import annotations

import os
import posixpath
import re
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from itertools import compress
from typing import Any, NamedTuple
from urllib.parse import quote, unquote

import attrs

from ..memo import MISSING, BlockMemo, LineageMemo
from ..model import Backlog, Block, Span
from ..rules import Edit
from ..rules.broken_link import link_targets
from . import list_runs, regions
from .block_links import LinkSource
from .completion import FILE, REFERENCE, CompletionItem, CompletionRequest, CompletionResult
from .rfc import file_uri

_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:")


class FileLink(NamedTuple):
    """A NamedTuple rather than an attrs class, as ``Span``: after an Enter every link below it is made
    again, moved (1,200 of them in a 20,000-task backlog)."""

    span: Span
    target: str  # a URI
    tooltip: str | None = None


@attrs.frozen
class Target:
    """A relative link target taken apart: ``docs/my%20plan.md?plain=1#release``."""

    path: str  # decoded, "/"-separated, as written ("docs/my plan.md"); "" for "#release"
    suffix: str  # what follows the path, kept as written: "?plain=1#release"
    fragment: str  # "release"
    encoded: bool  # the path was written with %-escapes


def parse_target(target: str) -> Target | None:
    """The parts of a relative link target; None for a URL, an absolute path or an empty target."""
    stripped = target.strip()
    if stripped.startswith("<") and stripped.endswith(">"):
        stripped = stripped[1:-1]
    if not stripped or stripped.startswith(("/", "\\")) or _SCHEME.match(stripped):
        return None
    cut = min((at for at in (stripped.find("?"), stripped.find("#")) if at >= 0), default=len(stripped))
    written, suffix = stripped[:cut], stripped[cut:]
    hash_at = suffix.find("#")
    fragment = unquote(suffix[hash_at + 1 :]) if hash_at >= 0 else ""
    return Target(unquote(written), suffix, fragment, "%" in written)


def _resolve(folder: str, path: str) -> str:
    return os.path.normpath(os.path.join(folder, path))


# --- document links ------------------------------------------------------------------------------

# heading_line(path, anchor) -> the line of that heading in that file (0-based), or None
HeadingLine = Callable[[str, str], "int | None"]


def _own_heading_line(backlog: Backlog, index: regions.Index) -> Callable[[str], int | None]:
    found: tuple | None = None

    def line_of(anchor: str) -> int | None:
        nonlocal found
        if found is None:
            found = _own_heading_lines(backlog, index)
        lines, firsts, then, starts = found
        slug = anchor.lower()
        line = lines.get(slug)
        if line is None or then is starts:
            return line
        first = firsts[slug]
        return line + starts[first] - then[first]  # its heading's block moved by whole lines since

    return line_of


def _own_heading_lines(backlog: Backlog, index: regions.Index) -> tuple[dict[str, int], dict[str, int], list[int], list[int]]:
    """Each anchor of the document's headings -> the line of the first heading with it, as of the
    headings' blocks' first lines then; each anchor -> the position of that heading among the headings;
    those first lines then; and now.

    Taken from the snapshot before (``regions.Change``) when its headings are the same blocks: the
    anchors follow from the headings' texts and order alone, and reading them all again cost a
    millisecond and a half at 2,500 headings. After an Enter above some of them they are the same
    blocks moved by whole lines, and each anchor's line moves with its heading's block: it is
    counted so when asked, for the few anchors linked to, not for every heading."""
    from ..anchors import heading_anchors

    heads = index.heads
    lineages = list(map(index.lineages.__getitem__, heads))
    starts = list(map(index.starts.__getitem__, heads))
    change = index.change
    earlier = change.derived.get(_OWN_HEADINGS) if change is not None else None
    if earlier is not None and earlier[0] == lineages:
        _, lines, firsts, then = earlier
    else:
        lines, firsts, then = {}, {}, starts
        for position, (heading, slug) in enumerate(heading_anchors(backlog.headings)):
            if slug not in lines:
                lines[slug], firsts[slug] = heading.span.start_line, position
    index.derived[_OWN_HEADINGS] = (lineages, lines, firsts, then)
    return lines, firsts, then, starts


# (the headings' lineages, anchor -> line, anchor -> its heading's position, the headings' blocks'
# first lines when those lines were read)
_OWN_HEADINGS = "own heading lines"


def file_document_links(
    backlog: Backlog, path: str | None, heading_line: HeadingLine | None = None, taken: LinkSource | None = None
) -> list[FileLink]:
    """Every relative link of the document as a link to its file (see the module docstring).

    ``taken``: a source of block links the answer gives too (``features.block_links``): a file
    link where one of its links is, is left out (a link to a project RFC is both, and the RFC's
    link says more). Each block's links are found once and remembered across moves
    (``_block_file_links``), that comparison with them; only a link to a heading is completed
    on each request, since that heading's line may have moved (in this document, or in the
    file linked to)."""
    if path is None:
        return []
    folder = os.path.dirname(os.path.abspath(path))
    index = regions.index(backlog)
    own_line = _own_heading_line(backlog, index)
    lines = backlog.lines
    found: list[FileLink] = []
    key = path if taken is None else (path, taken.name, taken.key)

    def block_entry(block: Block) -> tuple:
        entry = _FILE_LINKS.peek(block, key)
        if entry is MISSING:
            if list_runs.is_long(block) and (taken is None or taken.item_links is not None):
                # run by run: a keystroke in the list reads one run again
                entry = _list_file_links(block, path, folder, taken, key)
            else:
                entry = _untaken(_block_file_links(block, lines, path, folder), taken, lambda: taken.links(block))  # type: ignore[union-attr]
            entry = _FILE_LINKS.put(block, entry, key)
        return entry

    entries = regions.per_block(index, "file links", key, block_entry)
    for block, entry in compress(zip(index.blocks, entries), entries):  # the blocks with links only
        first, fixed, to_headings = entry
        links = fixed
        if to_headings:
            links = list(fixed)
            for span, resolved, fragment, own, tooltip in to_headings:
                line = own_line(fragment) if own else heading_line(resolved, fragment) if heading_line is not None else None
                links.append(FileLink(span, file_uri(resolved) + (f"#L{line + 1}" if line is not None else ""), tooltip))
            links.sort(key=lambda link: link.span)
        moved = block.start_line - first
        found.extend(_moved(links, moved) if moved else links)
    return found


def _moved(links: Iterable[FileLink], moved: int) -> list[FileLink]:
    """``links`` moved down by ``moved`` whole lines."""
    return [FileLink(Span(span.start_line + moved, span.start_col, span.end_line + moved, span.end_col), target, tooltip)
            for span, target, tooltip in links]


# block lineage -> (its first line, its links to files, its links to headings as (span, path, anchor,
# whether in this document, tooltip)), spans as of that first line, under the document's path
_FILE_LINKS = BlockMemo(across_moves=True)


class _Blocks(NamedTuple):
    """One block as ``link_targets`` reads a document (its blocks and lines)."""

    blocks: tuple[Block, ...]
    lines: Sequence[str]


def _block_file_links(block: Block, lines: Sequence[str], path: str, folder: str) -> tuple:
    return _file_links(link_targets(_Blocks((block,), lines)), block.start_line, path, folder)


def _list_file_links(block: Block, path: str, folder: str, taken: LinkSource | None = None, key: Any = None) -> tuple:
    """A long list's ``_block_file_links`` (without ``taken``'s, see ``_untaken``), from its runs'
    (each found once, and moved); remembered under ``key`` (the path when None)."""
    key = path if key is None else key
    fixed: list[FileLink] = []
    to_headings: list[tuple] = []
    for run, items, delta in list_runs.list_runs(block).each(block):
        entry = _RUN_FILE_LINKS.peek(run, key)
        if entry is MISSING:
            targets = [(link.target, link.target_span) for item in items for node in item.walk() if node.refs for link in node.refs.links]
            entry = _file_links(targets, items[0].span.start_line, path, folder)
            if taken is not None and taken.item_links is not None:
                entry = _untaken(entry, taken, lambda: taken.item_links(items))  # type: ignore[misc]
            entry = _RUN_FILE_LINKS.put(run, entry, key)
        if entry:
            first, run_fixed, run_to_headings = entry
            moved = items[0].span.start_line + delta - first
            fixed += _moved(run_fixed, moved) if moved else run_fixed
            to_headings += [(span.shifted(moved), *rest) for span, *rest in run_to_headings] if moved else run_to_headings
    return (block.start_line, tuple(fixed), tuple(to_headings)) if fixed or to_headings else ()


# run of a long list's items -> what ``_file_links`` makes of them, under the document's path
_RUN_FILE_LINKS = LineageMemo()


def _untaken(entry: tuple, taken: LinkSource | None, links_taken: Callable[[], Iterable[Any]]) -> tuple:
    """``entry`` (``_file_links``) without the links at the span of one of ``links_taken()``, found
    on the same lines (the block, or the run, is where it was when both were found). The other
    source failing takes nothing: its links are then not in the answer either."""
    if not entry or taken is None:
        return entry
    try:
        spans = {link.span for link in links_taken()}
    except Exception:  # its own search logs it (``block_links``, guarded)
        return entry
    if not spans:
        return entry
    first, fixed, to_headings = entry
    fixed = tuple(link for link in fixed if link.span not in spans)
    to_headings = tuple(link for link in to_headings if link[0] not in spans)
    return (first, fixed, to_headings) if fixed or to_headings else ()


def _file_links(targets: Iterable[tuple[str, Span]], first: int, path: str, folder: str) -> tuple:
    """(first, links to files, links to headings) of a block's (or a run's) link targets (``_FILE_LINKS``),
    or (); the links to files are in order when there are no links to headings (then all are sorted)."""
    fixed: list[FileLink] = []
    to_headings = []
    for written, span in targets:
        target = parse_target(written)
        if target is None:
            continue
        resolved = _resolve(folder, target.path) if target.path else os.path.abspath(path)
        shown = target.path or os.path.basename(resolved)
        tooltip = f"{shown}#{target.fragment}" if target.fragment else shown
        if target.fragment:
            to_headings.append((span, resolved, target.fragment, not target.path, tooltip))
        else:
            fixed.append(FileLink(span, file_uri(resolved), tooltip))
    if not fixed and not to_headings:
        return ()
    if not to_headings:
        fixed.sort(key=lambda link: link.span)
    return first, tuple(fixed), tuple(to_headings)


# --- completion ------------------------------------------------------------------------------------

_IN_TARGET = re.compile(r"\]\((?P<query>[^()\s<>]*)$")
LIMIT = 200  # names offered from one folder


@attrs.frozen
class Listing:
    """What completion may ask of the file system: a folder's entries, a Markdown file's anchors."""

    entries: Callable[[str], "Sequence[tuple[str, bool]] | None"]  # folder -> [(name, is a folder)]
    anchors: Callable[[str], "Collection[str] | None"]  # path -> its heading anchors


def link_completions(request: CompletionRequest, listing: Listing | None) -> CompletionResult | None:
    """Paths and anchors inside ``[text](…|``; None elsewhere."""
    before = request.before
    if "](" not in before:
        return None
    match = _IN_TARGET.search(before)
    if match is None:
        return None
    query = match.group("query")
    if _SCHEME.match(query) or query.startswith("/"):
        return None
    start = match.start("query")
    hash_at = query.find("#")
    if hash_at >= 0:
        return _anchor_items(request, listing, query[:hash_at], start + hash_at + 1)
    if listing is None or request.path is None:
        return None
    cut = query.rfind("/") + 1
    folder = _resolve(os.path.dirname(os.path.abspath(request.path)), unquote(query[:cut]) or ".")
    entries = listing.entries(folder)
    if not entries:
        return None
    span = Span.on_line(request.line, start + cut, request.column)
    own = os.path.basename(request.path)
    items = []
    ordered = sorted(entries, key=lambda entry: (not entry[1], not entry[0].lower().endswith(".md"), entry[0].lower()))
    for rank, (name, is_folder) in enumerate(ordered[:LIMIT]):
        if name.startswith(".") or (name == own and cut == 0):
            continue
        text = quote(name) if " " in name else name
        items.append(
            CompletionItem(
                label=name + ("/" if is_folder else ""),
                new_text=text + ("/" if is_folder else ""),
                span=span,
                kind=FILE,
                sort_text=f"2-{rank:04d}",
            )
        )
    return CompletionResult(tuple(items), incomplete=len(entries) > LIMIT) if items else None


def _anchor_items(request: CompletionRequest, listing: Listing | None, written: str, start: int) -> CompletionResult | None:
    if written:
        if listing is None or request.path is None:
            return None
        anchors = listing.anchors(_resolve(os.path.dirname(os.path.abspath(request.path)), unquote(written)))
    else:
        from ..anchors import document_anchors

        anchors = document_anchors(request.backlog)
    if not anchors:
        return None
    span = Span.on_line(request.line, start, request.column)
    items = tuple(
        CompletionItem(label=f"#{anchor}", new_text=anchor, span=span, kind=REFERENCE, filter_text=anchor, sort_text=f"2-{rank:04d}")
        for rank, anchor in enumerate(sorted(anchors))
    )
    return CompletionResult(items)


# --- moving files --------------------------------------------------------------------------------


@attrs.frozen
class LinkAt:
    """A link target in some file: as written, and where; ``bracketed`` when written in angle
    brackets (``[x](<my plan.md>)``, ``[x]: <my plan.md>``), which the span leaves out."""

    target: str
    span: Span
    bracketed: bool = False


def moved_path(path: str, renames: Sequence[tuple[str, str]]) -> str | None:
    """Where ``path`` goes when ``renames`` (old, new: files or folders) happen; None: it stays."""
    for old, new in renames:
        if path == old:
            return new
        if path.startswith(old.rstrip(os.sep) + os.sep):
            return new.rstrip(os.sep) + path[len(old.rstrip(os.sep)) :]
    return None


def _written(relative: str, original: Target, link: LinkAt) -> str:
    """``relative`` ("/"-separated) written as the original was: "./", %-escapes, angle brackets."""
    path = relative
    if original.path.startswith("./") and not path.startswith("."):
        path = "./" + path
    # Inside angle brackets a space is written as it is; elsewhere it would end the target.
    if original.encoded or (" " in path and not link.bracketed):
        path = quote(path, safe="/._-~()!$&'*+,;=:@")
    text = path + original.suffix
    stripped = link.target.strip()
    return f"<{text}>" if stripped.startswith("<") and stripped.endswith(">") else text


def rename_edits(renames: Sequence[tuple[str, str]], files: Iterable[tuple[str, Iterable[LinkAt]]]) -> dict[str, list[Edit]]:
    """The edits, by file (its path before the move), that keep links right after ``renames``.

    ``renames`` are (old, new) absolute paths of files or folders; ``files`` every file whose
    links may need it, with its links. A link to a moved file follows it; a link inside a
    moved file to a file that stays is rewritten from its new folder. Nothing else changes.
    """
    edits: dict[str, list[Edit]] = {}
    for path, links in files:
        here = os.path.dirname(path)
        new_here = os.path.dirname(moved_path(path, renames) or path)
        for link in links:
            target = parse_target(link.target)
            if target is None or not target.path:
                continue
            resolved = _resolve(here, target.path)
            new_target = moved_path(resolved, renames) or resolved
            if new_target == resolved and new_here == here:
                continue
            relative = os.path.relpath(new_target, new_here).replace(os.sep, "/")
            if target.path.endswith("/") and not relative.endswith("/"):
                relative += "/"
            if posixpath.normpath(relative) == posixpath.normpath(target.path):
                continue
            edits.setdefault(path, []).append(Edit(link.span, _written(relative, target, link)))
    return edits


def links_of(backlog: Backlog) -> Iterator[LinkAt]:
    """The link targets of a parsed document (reference definitions too), for ``rename_edits``."""
    lines = backlog.lines
    for target, span in link_targets(backlog):
        line = lines[span.start_line] if span.start_line < len(lines) else ""
        end = lines[span.end_line] if span.end_line < len(lines) else ""
        bracketed = line[span.start_col - 1 : span.start_col] == "<" and end[span.end_col : span.end_col + 1] == ">"
        yield LinkAt(target, span, bracketed)


def may_link_to(text: str, renames: Sequence[tuple[str, str]]) -> bool:
    """Whether a file's text can hold a link to a moved file or folder: it names one (its last
    part, as written or %-escaped). A cheap test before the file is parsed."""
    for old, _ in renames:
        name = os.path.basename(old.rstrip(os.sep))
        if name and (name in text or quote(name) in text):
            return True
    return False
