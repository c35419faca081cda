"""The one place that builds protocol values from model and feature values.

Small values are lsprotocol objects; the bulk answers (diagnostics, outline,
folding) are built directly in their JSON form, see below. Spans are code
points; the client counts columns in the negotiated position encoding (UTF-16
unless it offered another), so every conversion takes the lines the span refers
to and that encoding.
"""

from __future__ import annotations

import json
import weakref
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

import attrs
from lsprotocol import types

from .features.block_links import SectionLinks
from .features.folding import COMMENT, BlockFolds, Fold, RunFolds, SectionFolds
from .features.outline import FileOutline, OutlineSection, OutlineTask
from .features.progress import Counts
from .features.symbols import BULLET, SECTION, TASK, BlockSymbols, RunSymbols, SectionSymbols, Symbol
from .config import ConfigError
from .memo import MISSING, BlockMemo, LineageMemo
from .model import Span
from .rules import ERROR, HINT, INFO, WARNING, Edit, Finding, Fix
from .text import UTF16, column_of, from_client_column

SOURCE = "backlog-ls"

_SEVERITIES = {
    ERROR: types.DiagnosticSeverity.Error.value,
    WARNING: types.DiagnosticSeverity.Warning.value,
    INFO: types.DiagnosticSeverity.Information.value,
    HINT: types.DiagnosticSeverity.Hint.value,
}

# Kinds within the base set (File..Array) every client accepts: a checkbox is a boolean.
_SYMBOL_KINDS = {
    SECTION: types.SymbolKind.Namespace.value,
    TASK: types.SymbolKind.Boolean.value,
    BULLET: types.SymbolKind.String.value,
}

_FOLDING_KINDS = {COMMENT: types.FoldingRangeKind.Comment.value}


def encoding_name(kind: types.PositionEncodingKind | str | None) -> str:
    """The ``text`` module's name for a negotiated encoding ("utf-8", "utf-16", "utf-32")."""
    if kind is None:
        return UTF16
    return str(getattr(kind, "value", kind))


# --- positions -------------------------------------------------------------------------------


def to_position(lines: Sequence[str], line: int, column: int, encoding: str) -> types.Position:
    return types.Position(line=line, character=column_of(lines, line, column, encoding))


def to_range(span: Span, lines: Sequence[str], encoding: str) -> types.Range:
    return types.Range(
        start=to_position(lines, span.start_line, span.start_col, encoding),
        end=to_position(lines, span.end_line, span.end_col, encoding),
    )


def from_position(position: types.Position, lines: Sequence[str], encoding: str) -> tuple[int, int]:
    """A client position as (line, code point column); past-the-end lines are left for the caller to clamp."""
    line = position.line
    if 0 <= line < len(lines):
        return line, from_client_column(lines[line], position.character, encoding)
    return line, position.character


def range_dict(span: Span, lines: Sequence[str], encoding: str) -> dict[str, Any]:
    """A ``Range`` as JSON."""
    return {
        "start": {"line": span.start_line, "character": column_of(lines, span.start_line, span.start_col, encoding)},
        "end": {"line": span.end_line, "character": column_of(lines, span.end_line, span.end_col, encoding)},
    }


# --- diagnostics: built as JSON ------------------------------------------------------------------
#
# Every edit re-publishes the whole list (hundreds of diagnostics in a large backlog),
# so it is built in its JSON form directly, like the outline below: about half the
# cost of lsprotocol objects that pygls would then unstructure again.


def diagnostic_json(
    finding: Finding, lines: Sequence[str], encoding: str, version: int | str | None, uri: str | None = None
) -> dict[str, Any]:
    """A ``Diagnostic`` as JSON; ``uri`` (the document's) places its related lines."""
    diagnostic = {
        "range": range_dict(finding.span, lines, encoding),
        "severity": _SEVERITIES.get(finding.severity, _SEVERITIES[WARNING]),
        "code": finding.code,
        "source": SOURCE,
        "message": finding.message,
        "data": diagnostic_data(finding, lines, encoding, version),
    }
    if finding.related and uri is not None:
        diagnostic["relatedInformation"] = [
            {
                "location": {
                    "uri": uri if other.path is None else _file_uri(other.path),
                    "range": range_dict(other.span, other.lines_in(lines), encoding),
                },
                "message": other.message,
            }
            for other in finding.related
        ]
    return diagnostic


def _file_uri(path: str) -> str:
    from .features.rfc import file_uri  # on first use: most findings stay in their document

    return file_uri(path)


def lines_touched(finding: Finding, lines: Sequence[str]) -> tuple[str, ...]:
    """The text of every line a finding's range or fixes lie on: with the finding itself,
    everything its diagnostic's client-unit columns depend on."""
    span = finding.span
    if not finding.related and not finding.fixes:  # most findings: the span's one or two lines
        count = len(lines)
        first = lines[span.start_line] if 0 <= span.start_line < count else ""
        if span.end_line == span.start_line:
            return (first,)
        return (first, lines[span.end_line] if 0 <= span.end_line < count else "")
    numbers = {span.start_line, span.end_line}
    for other in finding.related:
        if other.path is not None:
            continue  # in another file: its own line text is in the finding
        numbers.add(other.span.start_line)
        numbers.add(other.span.end_line)
    for fix in finding.fixes:
        for edit in fix.edits:
            numbers.add(edit.span.start_line)
            numbers.add(edit.span.end_line)
    return tuple(lines[number] if 0 <= number < len(lines) else "" for number in sorted(numbers))


def diagnostic_data(finding: Finding, lines: Sequence[str], encoding: str, version: int | str | None) -> dict[str, Any]:
    """What a code action needs to offer the fixes without running the rule again.

    The edits are already in the client's units and name the document version
    they were computed for, so an action can refuse them once the text moved on.
    """
    return {
        "rule": finding.rule,
        "version": version,
        "fixes": [fix_dict(fix, lines, encoding) for fix in finding.fixes],
    }


def fix_dict(fix: Fix, lines: Sequence[str], encoding: str) -> dict[str, Any]:
    return {
        "title": fix.title,
        "safe": fix.safe,
        "preferred": fix.preferred,
        "edits": [{"range": range_dict(edit.span, lines, encoding), "newText": edit.new_text} for edit in fix.edits],
    }


# --- outline and folding: built as JSON -----------------------------------------------------------
#
# A 2,000-task backlog has some 4,500 outline entries. Building them as lsprotocol
# objects and letting pygls unstructure them again costs about 130 ms; building the
# JSON objects directly costs about 20, and the server can encode them once per
# snapshot. The tests read these answers back through lsprotocol's own converter.


def document_symbols_json(symbols: Iterable[Symbol], lines: Sequence[str], encoding: str) -> list[dict[str, Any]]:
    """``DocumentSymbol[]`` as JSON."""
    return [_document_symbol_json(symbol, lines, encoding) for symbol in symbols]


def _document_symbol_json(symbol: Symbol, lines: Sequence[str], encoding: str) -> dict[str, Any]:
    found = _symbol_head_json(symbol, lines, encoding)
    if symbol.children:
        found["children"] = [_document_symbol_json(child, lines, encoding) for child in symbol.children]
    return found


def _symbol_head_json(symbol: Symbol, lines: Sequence[str], encoding: str) -> dict[str, Any]:
    """A symbol's JSON without its children."""
    found: dict[str, Any] = {
        "name": symbol.name,
        "kind": _SYMBOL_KINDS[symbol.kind],
        "range": range_dict(symbol.span, lines, encoding),
        "selectionRange": range_dict(symbol.selection_span, lines, encoding),
    }
    if symbol.detail is not None:
        found["detail"] = symbol.detail
    return found


def outline_json(entries: Iterable[BlockSymbols | SectionSymbols], lines: Sequence[str], encoding: str) -> str:
    """``features.symbols.outline()`` as the JSON text of ``DocumentSymbol[]``.

    Each block's entries are encoded once, with their lines counted from the block's first
    line (``_relative_json``), and remembered across moves; each section's JSON, its subtree
    included, is remembered by its ``Region`` (the same object while none of its blocks
    changed, ``features.regions``). After a keystroke only the sections around the edited
    block are joined again, from their parts; after an Enter the sections below it only get
    their line numbers written anew (a %-template, made the first time the section moves).
    A long list's entries are encoded per run of its items, kept on the run (``_run_outline_fragment``),
    and joined; the runs after an Enter in it get their line numbers written anew.
    """
    pieces = ["["]
    for entry in entries:
        if isinstance(entry, SectionSymbols) and entry.region not in _SECTION_FRAGMENTS:
            # A top-level section that changed (a megabyte, at times): its parts go into the answer
            # as they are, copied once; it is joined again from them next time.
            pieces += _section_pieces(entry, lines, encoding)
        else:
            pieces.append(_outline_entry_json(entry, lines, encoding))
        pieces.append(",")
    if len(pieces) > 1:
        pieces.pop()
    pieces.append("]")
    return "".join(pieces)


def _section_pieces(entry: SectionSymbols, lines: Sequence[str], encoding: str) -> list[str]:
    """The section's JSON text in pieces: its own entry, then each child's."""
    text = _section_head_json(entry.symbol(), lines, encoding)
    children = entry.children()
    if not children:
        return [text]
    pieces = [text[:-1] + ',"children":[']
    for child in children:
        pieces += (_outline_entry_json(child, lines, encoding), ",")
    pieces[-1] = "]}"
    return pieces


def _joined(opening: str, parts: list[str], closing: str) -> str:
    """``opening + ",".join(parts) + closing``, copying the parts once (an outline's are a megabyte)."""
    pieces = [opening]
    for part in parts:
        pieces += (part, ",")
    if parts:
        pieces.pop()
    pieces.append(closing)
    return "".join(pieces)


# block lineage -> [template, lines relative to the block's first line, first line, text] (a long
# list's template and lines: None until its section moves)
_OUTLINE_FRAGMENTS = BlockMemo(across_moves=True)
# section's region -> [(encoding, whether tasks show), first line, text, template (None until the section moves), its lines
# counted from the section's first]
_SECTION_FRAGMENTS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _outline_entry_json(entry: BlockSymbols | SectionSymbols, lines: Sequence[str], encoding: str) -> str:
    if isinstance(entry, BlockSymbols):
        return _block_outline_fragment(entry, lines, encoding)[3]
    fragment = _SECTION_FRAGMENTS.get(entry.region)
    first, key = entry.start_line, (encoding, entry.with_tasks)
    if fragment is not None and fragment[0] == key:
        if fragment[1] != first:
            template, relative = _section_template(entry, fragment, lines, encoding)
            fragment[1:3] = first, template % tuple([first + line for line in relative])
        return fragment[2]
    text = "".join(_section_pieces(entry, lines, encoding))
    _SECTION_FRAGMENTS[entry.region] = [key, first, text, None, None]
    return text


def _section_template(entry: SectionSymbols, fragment: list, lines: Sequence[str], encoding: str) -> tuple[str, list[int]]:
    """The section's JSON as a %-template of its line numbers, and those counted from its first line
    (made from its parts' templates, once)."""
    if fragment[3] is None:
        symbol = entry.symbol()
        first = symbol.span.start_line
        template = _section_head_template(symbol, lines, encoding)
        relative = [0, symbol.span.end_line - first, symbol.selection_span.start_line - first, symbol.selection_span.end_line - first]
        parts = []
        for child in entry.children():
            if isinstance(child, BlockSymbols):
                part = _block_outline_template(child, lines, encoding)
                moved = child.block.start_line - first
            else:
                part = _SECTION_FRAGMENTS.get(child.region)
                if part is None or part[0] != (encoding, child.with_tasks):
                    _outline_entry_json(child, lines, encoding)
                    part = _SECTION_FRAGMENTS[child.region]
                part = _section_template(child, part, lines, encoding)
                moved = child.start_line - first
            parts.append(part[0])
            relative.extend([line + moved for line in part[1]])
        if parts:
            template = template[:-1] + ',"children":[' + ",".join(parts) + "]}"
        fragment[3:] = template, relative
    return fragment[3], fragment[4]


# (the section's name, kind, detail and spans counted from its first line, the lines they touch,
# the encoding) -> its JSON as a template of its line numbers: sections are encoded each time,
# and after an Enter above one only its line numbers change.
_SECTION_HEADS: dict[tuple, str] = {}
_SECTION_HEADS_LIMIT = 50_000


def _section_head_json(symbol: Symbol, lines: Sequence[str], encoding: str) -> str:
    span, selection = symbol.span, symbol.selection_span
    template = _section_head_template(symbol, lines, encoding)
    return template % (span.start_line, span.end_line, selection.start_line, selection.end_line)


def _section_head_template(symbol: Symbol, lines: Sequence[str], encoding: str) -> str:
    """The section's own JSON (no children) as a %-template of its four line numbers: its first and
    last, its title's first and last."""
    span, selection = symbol.span, symbol.selection_span
    first = span.start_line
    touched = tuple(lines[line] if 0 <= line < len(lines) else "" for line in (span.end_line, selection.start_line, selection.end_line))
    key = (symbol.name, symbol.kind, symbol.detail, span.start_col, span.end_line - first, span.end_col,
           selection.start_line - first, selection.start_col, selection.end_line - first, selection.end_col,
           lines[first] if 0 <= first < len(lines) else "", touched, encoding)
    template = _SECTION_HEADS.get(key)
    if template is None:
        if len(_SECTION_HEADS) >= _SECTION_HEADS_LIMIT:
            _SECTION_HEADS.clear()
        found = _symbol_head_json(symbol, lines, encoding)
        for where in (found["range"], found["selectionRange"]):
            where["start"]["line"] = where["end"]["line"] = -1  # written over below
        text = _compact(found).replace("%", "%%").replace('"line":-1', '"line":%d')
        template = _SECTION_HEADS[key] = text
    return template


def _block_outline_fragment(entry: BlockSymbols, lines: Sequence[str], encoding: str) -> list:
    """[template, its lines counted from the block's first, first line, text there] of a block's entries
    (a long list's template and lines are None: ``_block_outline_template`` joins its runs')."""
    key = (encoding, entry.key)
    fragment = _OUTLINE_FRAGMENTS.peek(entry.block, key)
    first = entry.block.start_line
    if fragment is MISSING:
        if entry.symbols is None:
            fragment = _OUTLINE_FRAGMENTS.put(entry.block, [None, None, None, ""], key)
        else:
            template, relative = _relative_json(entry.symbols, entry.first_line, first - entry.first_line, lines, encoding)
            fragment = _OUTLINE_FRAGMENTS.put(entry.block, [template, relative, None, ""], key)
    if fragment[2] != first:
        if entry.symbols is None:  # a long list: its runs' texts, each where it is now
            text = ",".join([_placed(_run_outline_fragment(run, lines, encoding), run.start_line) for run in entry.runs()])
        else:
            template, relative = fragment[0], fragment[1]
            text = template % tuple([first + line for line in relative])
        fragment[2:] = first, text
    return fragment


def _block_outline_template(entry: BlockSymbols, lines: Sequence[str], encoding: str) -> tuple[str, list[int]]:
    """A block's entries as a %-template of their lines, and those counted from the block's first."""
    fragment = _block_outline_fragment(entry, lines, encoding)
    if fragment[0] is None:
        first = entry.block.start_line
        fragment[:2] = _joined_templates((_run_outline_fragment(run, lines, encoding), run.start_line - first) for run in entry.runs())
    return fragment[0], fragment[1]


# run of a long list's items -> [template, its lines counted from the run's first, (first line, text there)],
# under (encoding, the state meanings)
_RUN_OUTLINE = LineageMemo()


def _placed(fragment: list, first: int) -> str:
    """A run's text where it starts at ``first``, from its fragment [template, lines counted from its
    first, (first line, text there)]: one item read and written, as another thread may place it elsewhere."""
    placed = fragment[2]
    if placed[0] != first:
        placed = fragment[2] = (first, fragment[0] % tuple([first + line for line in fragment[1]]))
    return placed[1]


def _run_outline_fragment(entry: RunSymbols, lines: Sequence[str], encoding: str) -> list:
    key = (encoding, entry.key)
    fragment = _RUN_OUTLINE.peek(entry.run, key)
    if fragment is MISSING:
        first = entry.start_line
        templates: list[str] = []
        relative: list[int] = []
        for symbol in entry.symbols():  # (the run's other items were encoded before, in another run)
            template, lines_of = _moved_symbol_template(symbol, first, 0, lines, encoding)
            templates.append(template)
            relative += lines_of
        fragment = _RUN_OUTLINE.put(entry.run, [",".join(templates), relative, (None, "")], key)
    return fragment


# top-level symbol -> (template, relative lines), under (encoding, the block's first line, moved):
# a long list's unedited items keep their symbols (``features.symbols``), and their JSON here.
_SYMBOL_FRAGMENTS = BlockMemo()


def _relative_json(
    symbols: Iterable[Symbol], first: int, moved: int, lines: Sequence[str], encoding: str
) -> tuple[str, list[int]]:
    """The symbols' JSON as a %-template whose ``%d`` are line numbers, and those lines minus ``first``
    (the symbols' lines are ``moved`` lines above where the block is now)."""
    templates: list[str] = []
    relative: list[int] = []
    key = (encoding, first, moved)
    for symbol in symbols:
        found = _SYMBOL_FRAGMENTS.peek(symbol, key)  # type: ignore[arg-type]
        if found is MISSING:
            found = _SYMBOL_FRAGMENTS.put(symbol, _moved_symbol_template(symbol, first, moved, lines, encoding), key)  # type: ignore[arg-type]
        templates.append(found[0])
        relative.extend(found[1])
    return ",".join(templates), relative


# (encoding, the symbol's name, kind, spans counted from its first line, the details of its tree, and
# the source lines it covers) -> (its template, its lines counted from its first line). An Enter in one
# long list moves every later item: each is a new object, but with the same lines it is the same
# outline entry at another line, and its JSON is that template with other line numbers.
_MOVED_SYMBOLS: dict[tuple, tuple[str, tuple[int, ...]]] = {}
_MOVED_SYMBOLS_LIMIT = 50_000


def _moved_symbol_template(symbol: Symbol, first: int, moved: int, lines: Sequence[str], encoding: str) -> tuple[str, list[int]]:
    span, selection = symbol.span, symbol.selection_span
    start = span.start_line
    key = (
        encoding, symbol.name, symbol.kind, span.start_col, span.end_line - start, span.end_col,
        selection.start_line - start, selection.start_col, selection.end_line - start, selection.end_col,
        _details(symbol), tuple(lines[start + moved : span.end_line + moved + 1]),
    )
    found = _MOVED_SYMBOLS.get(key)
    if found is None:
        template, relative = _symbol_template(symbol, start, moved, lines, encoding)
        if len(_MOVED_SYMBOLS) >= _MOVED_SYMBOLS_LIMIT:
            _MOVED_SYMBOLS.clear()
        found = _MOVED_SYMBOLS[key] = (template, tuple(relative))
    offset = start - first
    return found[0], [line + offset for line in found[1]]


def _details(symbol: Symbol) -> tuple:
    """Each entry's detail, depth first: the tree's shape and the states' meanings (settings)."""
    return (symbol.detail, *(_details(child) for child in symbol.children))


def _symbol_template(symbol: Symbol, first: int, moved: int, lines: Sequence[str], encoding: str) -> tuple[str, list[int]]:
    relative: list[int] = []

    def position(line: int, column: int) -> str:
        relative.append(line - first)
        return f'{{"line":%d,"character":{column_of(lines, line + moved, column, encoding)}}}'

    def span(value: Span) -> str:
        start = position(value.start_line, value.start_col)
        return f'{{"start":{start},"end":{position(value.end_line, value.end_col)}}}'

    def one(symbol: Symbol) -> str:
        name = _compact(symbol.name).replace("%", "%%")
        text = f'{{"name":{name},"kind":{_SYMBOL_KINDS[symbol.kind]},"range":{span(symbol.span)}'
        text += f',"selectionRange":{span(symbol.selection_span)}'
        if symbol.detail is not None:
            text += ',"detail":' + _compact(symbol.detail).replace("%", "%%")
        if symbol.children:
            text += ',"children":[' + ",".join(one(child) for child in symbol.children) + "]"
        return text + "}"

    try:
        return one(symbol), relative
    finally:
        # ``one`` calls itself through its closure: a cycle that would keep ``lines`` (a snapshot's
        # every line) alive until the cyclic collector runs, which it does rarely (server.app).
        del one


def _compact(value: Any) -> str:
    # A string (most values here: names, details, targets) straight to the C encoder; anything else
    # through one encoder made once (json.dumps given separators makes a new one per call).
    return _quote(value) if type(value) is str else _COMPACT(value)


_COMPACT = json.JSONEncoder(separators=(",", ":"), ensure_ascii=True).encode


def symbol_information_json(
    symbols: Iterable[Symbol], uri: str, lines: Sequence[str], encoding: str
) -> list[dict[str, Any]]:
    """``SymbolInformation[]`` as JSON: the flat outline, for clients without hierarchical symbols."""
    flat: list[dict[str, Any]] = []

    def add(symbol: Symbol, container: str | None) -> None:
        entry: dict[str, Any] = {
            "name": symbol.name,
            "kind": _SYMBOL_KINDS[symbol.kind],
            "location": {"uri": uri, "range": range_dict(symbol.span, lines, encoding)},
        }
        if container is not None:
            entry["containerName"] = container
        flat.append(entry)
        for child in symbol.children:
            add(child, symbol.name)

    for symbol in symbols:
        add(symbol, None)
    return flat


def outline_file_json(outline: FileOutline, uri: str, path: str | None, lines: Sequence[str], encoding: str) -> dict[str, Any]:
    """One file of the ``backlog-ls/outline`` answer: its counts, sections and tasks, ranges in ``encoding``."""

    def task(value: OutlineTask) -> dict[str, Any]:
        return {
            "name": value.name,
            "state": value.state,
            "meaning": value.meaning,
            "kind": value.kind,
            "ready": value.ready,
            "range": range_dict(value.span, lines, encoding),
            "subtasks": [task(child) for child in value.subtasks],
        }

    def section(value: OutlineSection) -> dict[str, Any]:
        found = {
            "title": value.title,
            "level": value.level,
            "range": range_dict(value.span, lines, encoding),
            "counts": counts_json(value.counts),
            "tasks": [task(child) for child in value.tasks],
            "sections": [section(child) for child in value.sections],
        }
        if value.task is not None:
            found["task"] = task(value.task)
        return found

    return {
        "uri": uri,
        "path": path,
        "counts": counts_json(outline.counts),
        "tasks": [task(child) for child in outline.tasks],
        "sections": [section(child) for child in outline.sections],
    }


def counts_json(counts: Counts) -> dict[str, Any]:
    """done, open, in_progress, cancelled, total (cancelled left out) and percent (None when nothing counts)."""
    return {**counts.as_dict(), "percent": counts.percent if counts.total else None}


def folding_ranges_json(folds: Iterable[Fold], limit: int | None = None) -> list[dict[str, Any]]:
    """``FoldingRange[]`` as JSON, at most ``limit`` of them (the client's ``rangeLimit``): the first ones."""
    ranges = []
    for fold in folds:
        if limit is not None and len(ranges) >= limit:
            break
        entry: dict[str, Any] = {"startLine": fold.start_line, "endLine": fold.end_line}
        if fold.kind in _FOLDING_KINDS:
            entry["kind"] = _FOLDING_KINDS[fold.kind]
        ranges.append(entry)
    return ranges


def fold_entries_json(entries: Iterable[Fold | BlockFolds | SectionFolds], limit: int | None = None) -> str:
    """``features.folding.fold_entries()`` as the JSON text of ``FoldingRange[]``, at most ``limit``
    of them (the first ones); each block's and each section's folds are encoded once, as the
    outline's are."""
    parts: list[str] = []
    count = 0

    def add(entries: Iterable[Fold | BlockFolds | SectionFolds]) -> bool:
        """Adds the entries' folds; False once ``limit`` of them are in."""
        nonlocal count
        for entry in entries:
            if isinstance(entry, SectionFolds):
                if limit is not None and count + entry.region.value > limit:
                    if not add(entry.entries()):
                        return False
                elif entry.region.value:
                    parts.append(_section_folds_json(entry)[1])
                    count += entry.region.value
                continue
            if isinstance(entry, Fold):
                folds = [entry]
            elif limit is not None and count + entry.count > limit:
                first = entry.block.start_line
                folds = [Fold(first + start, first + end, kind) for start, end, kind in entry.relative]
            else:
                parts.append(_block_folds_json(entry)[3])
                count += entry.count
                continue
            for fold in folds:
                if limit is not None and count >= limit:
                    return False
                parts.append(_compact(folding_ranges_json([fold])[0]))
                count += 1
        return True

    add(entries)
    del add  # it calls itself through its closure: no cycle left for the cyclic collector
    return _joined("[", parts, "]")


# section's region -> [first line, text, template (None until the section moves), its lines counted
# from the section's first]
_SECTION_FOLDS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _section_folds_json(entry: SectionFolds) -> list:
    """[first line, text there, ...] of a section's folds (it has some)."""
    fragment = _SECTION_FOLDS.get(entry.region)
    first = entry.start_line
    if fragment is None:
        parts = []
        for child in entry.entries():
            if isinstance(child, Fold):
                parts.append('{"startLine":%d,"endLine":%d}' % (child.start_line, child.end_line))
            elif isinstance(child, BlockFolds):
                parts.append(_block_folds_json(child)[3])
            elif child.region.value:
                parts.append(_section_folds_json(child)[1])
        fragment = _SECTION_FOLDS[entry.region] = [first, ",".join(parts), None, None]
    elif fragment[0] != first:
        template, relative = _section_folds_template(entry, fragment)
        fragment[:2] = first, template % tuple([first + line for line in relative])
    return fragment


def _section_folds_template(entry: SectionFolds, fragment: list | None = None) -> tuple[str, list[int]]:
    """A section's folds as a %-template of their lines, and those counted from its first line (made once)."""
    if fragment is None:
        fragment = _section_folds_json(entry)
    if fragment[2] is None:
        first = entry.start_line
        templates, relative = [], []
        for child in entry.entries():
            if isinstance(child, Fold):
                part, moved = ('{"startLine":%d,"endLine":%d}', [0, child.end_line - child.start_line]), child.start_line - first
            elif isinstance(child, BlockFolds):
                part, moved = _block_folds_template(child), child.block.start_line - first
            elif child.region.value:
                part, moved = _section_folds_template(child), child.start_line - first
            else:
                continue
            templates.append(part[0])
            relative.extend([line + moved for line in part[1]])
        fragment[2:] = ",".join(templates), relative
    return fragment[2], fragment[3]


_FOLD_FRAGMENTS = BlockMemo(across_moves=True)  # block lineage -> [template, lines, first line, text] (as the outline's)


def _block_folds_json(entry: BlockFolds) -> list:
    """[template, its lines counted from the block's first, first line, text there] of a block's folds
    (a long list's: joined from its runs', each kept on its run)."""
    fragment = _FOLD_FRAGMENTS.peek(entry.block)
    first = entry.block.start_line
    if fragment is MISSING:
        template, relative = _folds_template(entry.relative) if entry.runs is None else (None, None)  # (a long list's: when asked)
        fragment = _FOLD_FRAGMENTS.put(entry.block, [template, relative, None, ""])
    if fragment[2] != first:
        if entry.runs is None:
            text = fragment[0] % tuple([first + line for line in fragment[1]])
        else:  # a long list: its runs' texts, each where it is now
            text = ",".join([_placed(_run_folds_json(run), run.start_line) for run in entry.runs])
        fragment[2:] = first, text
    return fragment


def _block_folds_template(entry: BlockFolds) -> tuple[str, list[int]]:
    """A block's folds as a %-template of their lines, and those counted from the block's first."""
    fragment = _block_folds_json(entry)
    if fragment[0] is None:
        first = entry.block.start_line
        fragment[:2] = _joined_templates((_run_folds_json(run), run.start_line - first) for run in entry.runs or ())
    return fragment[0], fragment[1]


def _folds_template(relative: Iterable[tuple[int, int, str | None]]) -> tuple[str, list[int]]:
    templates, lines = [], []
    for start, end, kind in relative:
        extra = f',"kind":{_compact(_FOLDING_KINDS[kind])}' if kind in _FOLDING_KINDS else ""
        templates.append('{"startLine":%d,"endLine":%d' + extra + "}")
        lines += (start, end)
    return ",".join(templates), lines


def _joined_templates(parts: Iterable[tuple[Sequence[Any], int]]) -> tuple[str, list[int]]:
    """Templates (each with its lines, counted from its own first) as one, each moved by its offset."""
    templates, relative = [], []
    for part, moved in parts:
        templates.append(part[0])
        relative.extend([line + moved for line in part[1]])
    return ",".join(templates), relative


_RUN_FOLD_FRAGMENTS = LineageMemo()  # run of a long list's items -> [template, lines, (first line, text there)]


def _run_folds_json(entry: RunFolds) -> list:
    """[template, its lines counted from the run's first, (first line, text there)] (``_placed``)."""
    fragment = _RUN_FOLD_FRAGMENTS.peek(entry.run)
    if fragment is MISSING:
        fragment = _RUN_FOLD_FRAGMENTS.put(entry.run, [*_folds_template(entry.relative), (None, "")])
    return fragment


# --- code actions and hover -------------------------------------------------------------------------


def quick_fixes(diagnostic: types.Diagnostic, uri: str, version: int | None) -> list[types.CodeAction]:
    """The fixes a diagnostic carries in its ``data``, as quick-fix code actions.

    The edits were computed with the diagnostic for the version named in ``data``;
    when the document has moved on since, they are stale and nothing is offered
    (the client asks again once the new diagnostics arrive).
    """
    data = diagnostic.data
    if not isinstance(data, dict) or diagnostic.source != SOURCE:
        return []
    if data.get("version") != version:
        return []
    actions = []
    for fix in data.get("fixes") or []:
        edits = [
            types.TextEdit(range=_range_from_json(edit["range"]), new_text=edit["newText"]) for edit in fix.get("edits", [])
        ]
        actions.append(
            types.CodeAction(
                title=fix.get("title", "Fix"),
                kind=types.CodeActionKind.QuickFix,
                diagnostics=[diagnostic],
                is_preferred=bool(fix.get("preferred")) or None,
                edit=_versioned_edit(uri, version, edits),
            )
        )
    return actions


FIX_ALL_KIND = f"{types.CodeActionKind.SourceFixAll.value}.backlog-ls"


def fix_all_action(edits: Iterable[Edit], uri: str, version: int | None, lines: Sequence[str], encoding: str) -> types.CodeAction | None:
    """One action making the given edits (fix-all's, not overlapping) to the document of ``lines``."""
    edits = [types.TextEdit(range=to_range(edit.span, lines, encoding), new_text=edit.new_text) for edit in edits]
    if not edits:
        return None
    return types.CodeAction(
        title="Fix all safe backlog-ls problems",
        kind=FIX_ALL_KIND,
        edit=_versioned_edit(uri, version, edits),
    )


def _versioned_edit(uri: str, version: int | None, edits: list[types.TextEdit]) -> types.WorkspaceEdit:
    # Tied to the version the edits were computed for: a client refuses them once the text changed.
    return types.WorkspaceEdit(
        document_changes=[
            types.TextDocumentEdit(
                text_document=types.OptionalVersionedTextDocumentIdentifier(uri=uri, version=version),
                edits=edits,
            )
        ]
    )


def documents_edit(changes: Iterable[tuple[str, int | None, Iterable[Any], Sequence[str]]], encoding: str) -> types.WorkspaceEdit | None:
    """Edits to many documents, (uri, version or None for an unopened file, ``rules.Edit``s, its lines),
    as one workspace edit; None when there is nothing to change."""
    document_changes = [
        types.TextDocumentEdit(
            text_document=types.OptionalVersionedTextDocumentIdentifier(uri=uri, version=version),
            edits=text_edits(edits, lines, encoding),
        )
        for uri, version, edits, lines in changes
    ]
    document_changes = [change for change in document_changes if change.edits]
    return types.WorkspaceEdit(document_changes=document_changes) if document_changes else None


def _range_from_json(value: dict[str, Any]) -> types.Range:
    return types.Range(
        start=types.Position(line=value["start"]["line"], character=value["start"]["character"]),
        end=types.Position(line=value["end"]["line"], character=value["end"]["character"]),
    )


def hover(markdown: str, span: Span, lines: Sequence[str], encoding: str) -> types.Hover:
    return types.Hover(
        contents=types.MarkupContent(kind=types.MarkupKind.Markdown, value=markdown),
        range=to_range(span, lines, encoding),
    )


def config_error_diagnostic(error: ConfigError, lines: Sequence[str]) -> types.Diagnostic:
    """A configuration problem, on its key's line of the file (the first line when it was not found).

    TOML files are read as UTF-8 and keys are ASCII, so whole lines are marked: no column
    conversion can go wrong.
    """
    line = error.line if error.line is not None and 0 <= error.line < len(lines) else 0
    text = lines[line] if lines else ""
    return types.Diagnostic(
        range=types.Range(
            start=types.Position(line=line, character=0),
            end=types.Position(line=line, character=len(text.encode("utf-16-le")) // 2),
        ),
        severity=types.DiagnosticSeverity.Error if error.is_error else types.DiagnosticSeverity.Warning,
        source=SOURCE,
        code="config",
        message=f"{error.key}: {error.message}",
    )


# --- completion, document links, definitions ---------------------------------------------------------

_COMPLETION_KINDS = {
    "reference": types.CompletionItemKind.Reference,
    "file": types.CompletionItemKind.File,
    "text": types.CompletionItemKind.Text,
}


def completion_list_text(result: Any, lines: Sequence[str], encoding: str) -> str:
    """A ``features.completion.CompletionResult`` as ``CompletionList`` JSON text; each item replaces its own span.

    Written as JSON text directly: with 10,000 cached issues an answer holds up to 200 items with
    their documentation, and cattrs' walk over lsprotocol objects, or even a dict per item handed
    to ``json.dumps``, cost more than finding them. The items of one answer share their span
    (the text typed after "#"), whose range is converted once.
    """
    ranges: dict[Span, str] = {}

    def range_text(span: Span) -> str:
        text = ranges.get(span)
        if text is None:
            text = ranges[span] = _compact(range_dict(span, lines, encoding))
        return text

    quote = _quote
    items = []
    for item in result.items:
        kind = _COMPLETION_KIND_NUMBERS.get(item.kind, _TEXT_KIND_NUMBER)
        text = f'{{"label":{quote(item.label)},"kind":{kind}'
        if item.detail is not None:
            text += ',"detail":' + quote(item.detail)
        if item.documentation:
            text += ',"documentation":{"kind":"markdown","value":' + quote(item.documentation) + "}"
        if item.filter_text is not None:
            text += ',"filterText":' + quote(item.filter_text)
        if item.sort_text is not None:
            text += ',"sortText":' + quote(item.sort_text)
        new_text = quote(item.new_text)
        # insertText: what a client without text edits inserts at its own word start.
        text += f',"insertText":{new_text},"textEdit":{{"range":{range_text(item.span)},"newText":{new_text}}}'
        if item.additional:
            edits = ",".join(f'{{"range":{range_text(edit.span)},"newText":{quote(edit.new_text)}}}' for edit in item.additional)
            text += ',"additionalTextEdits":[' + edits + "]"
        items.append(text + "}")
    return f'{{"isIncomplete":{"true" if result.incomplete else "false"},"items":[' + ",".join(items) + "]}"


_quote = json.encoder.encode_basestring_ascii  # a str as JSON (ASCII), as json.dumps writes it
_COMPLETION_KIND_NUMBERS = {kind: int(value) for kind, value in _COMPLETION_KINDS.items()}
_TEXT_KIND_NUMBER = int(types.CompletionItemKind.Text)


def document_links_json(links: Iterable[Any], lines: Sequence[str], encoding: str) -> list[dict[str, Any]]:
    """``features.rfc.RfcLink``s (span, target URI, tooltip) as ``DocumentLink[]`` JSON: a large backlog has thousands."""
    found = []
    for link in links:
        entry: dict[str, Any] = {"range": range_dict(link.span, lines, encoding), "target": link.target}
        if link.tooltip:
            entry["tooltip"] = link.tooltip
        found.append(entry)
    return found


def links_answer_json(entries: Iterable[Any], file_links: Sequence[Any], lines: Sequence[str], encoding: str) -> str:
    """The ``DocumentLink[]`` text of a documentLink answer: the links found block by block
    (``block_links_json``), then the relative file links (``features.links``, which left out
    those where a block link is: a project RFC's link)."""
    remembered = block_links_json(entries, lines, encoding)
    if not file_links:
        return remembered
    return join_json_arrays(remembered, document_links_text(file_links, lines, encoding))


# (the link's columns and lines spanned, its target and tooltip, the text of its lines, the encoding)
# -> its JSON as a template of its two line numbers: a link to a heading is made again on each
# request (the heading may have moved), and its JSON is this template's, mostly.
_LINK_TEMPLATES: dict[tuple, str] = {}
_LINK_TEMPLATES_LIMIT = 50_000


def document_links_text(links: Iterable[Any], lines: Sequence[str], encoding: str) -> str:
    """``document_links_json`` encoded (compact, ASCII), each link's text from a remembered template."""
    parts = []
    count = len(lines)
    for link in links:
        span = link.span
        first, last = span.start_line, span.end_line
        key = (span.start_col, span.end_col, last - first, link.target, link.tooltip, encoding,
               lines[first] if 0 <= first < count else None, lines[last] if 0 <= last < count else None)
        template = _LINK_TEMPLATES.get(key)
        if template is None:
            if len(_LINK_TEMPLATES) >= _LINK_TEMPLATES_LIMIT:
                _LINK_TEMPLATES.clear()
            start, end = column_of(lines, first, span.start_col, encoding), column_of(lines, last, span.end_col, encoding)
            template = f'{{"range":{{"start":{{"line":%d,"character":{start}}},"end":{{"line":%d,"character":{end}}}}}'
            template += ',"target":' + _compact(link.target).replace("%", "%%")
            if link.tooltip:
                template += ',"tooltip":' + _compact(link.tooltip).replace("%", "%%")
            template = _LINK_TEMPLATES[key] = template + "}"
        parts.append(template % (first, last))
    return "[" + ",".join(parts) + "]"


def block_links_json(entries: Iterable[Any], lines: Sequence[str], encoding: str) -> str:
    """``features.block_links.block_links()`` as the JSON text of ``DocumentLink[]``: each block's
    links encoded once per source state, lines counted from the block's first (as the outline's),
    and each section's remembered by its region, moved by a %-template (as the folds')."""
    return _joined("[", [_links_text(entry, lines, encoding) for entry in entries], "]")


# section's region -> [encoding, first line, text there, template (None until the section moves),
# its lines counted from the section's first]
_SECTION_LINKS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _links_text(entry: Any, lines: Sequence[str], encoding: str) -> str:
    if not isinstance(entry, SectionLinks):
        return _block_links_fragment(entry, lines, encoding)[3]
    fragment = _SECTION_LINKS.get(entry.region)
    first = entry.start_line
    if fragment is None or fragment[0] != encoding:
        text = ",".join([_links_text(child, lines, encoding) for child in _with_links(entry)])
        fragment = _SECTION_LINKS[entry.region] = [encoding, first, text, None, None]
    elif fragment[1] != first:
        template, relative = _links_template(entry, lines, encoding)
        fragment[1:3] = first, template % tuple([first + line for line in relative])
    return fragment[2]


def _links_template(entry: Any, lines: Sequence[str], encoding: str) -> tuple[str, list[int]]:
    """A block's or a section's links as a %-template of their lines, and those counted from its first."""
    if not isinstance(entry, SectionLinks):
        fragment = _block_links_fragment(entry, lines, encoding)
        if fragment[0] is None:  # a long list's: joined from its runs'
            first = entry.block.start_line
            fragment[:2] = _joined_templates((_run_links_fragment(run, entry.source, lines, encoding), run.start_line - first) for run in entry.runs)
        return fragment[0], fragment[1]
    fragment = _SECTION_LINKS.get(entry.region)
    if fragment is None or fragment[0] != encoding:
        _links_text(entry, lines, encoding)  # made where the section is now
        fragment = _SECTION_LINKS[entry.region]
    if fragment[3] is None:
        first = entry.start_line
        templates, relative = [], []
        for child in _with_links(entry):
            template, lines_of = _links_template(child, lines, encoding)
            moved = (child.start_line if isinstance(child, SectionLinks) else child.block.start_line) - first
            templates.append(template)
            relative.extend([line + moved for line in lines_of])
        fragment[3:] = ",".join(templates), relative
    return fragment[3], fragment[4]


def _with_links(entry: SectionLinks) -> list[Any]:
    return [child for child in entry.entries() if not isinstance(child, SectionLinks) or child.region.value]


def _block_links_fragment(entry: Any, lines: Sequence[str], encoding: str) -> list:
    """[template, its lines counted from the block's first, first line, text there] of a block's links
    (a long list's template and lines are None until asked for, ``_links_template``)."""
    memo = _LINK_FRAGMENTS.setdefault(entry.source.name, BlockMemo(across_moves=True))
    key = (encoding, entry.source.key)
    fragment = memo.peek(entry.block, key)
    if fragment is MISSING:
        if entry.links is None:
            fragment = memo.put(entry.block, [None, None, None, ""], key)
        else:
            template, relative = _relative_links_json(entry.links, entry.first_line, entry.block.start_line, lines, encoding)
            fragment = memo.put(entry.block, [template, relative, None, ""], key)
    first = entry.block.start_line
    if fragment[2] != first:
        if entry.links is None:  # a long list: its runs' texts, each where it is now
            text = ",".join([_placed(_run_links_fragment(run, entry.source, lines, encoding), run.start_line) for run in entry.runs])
        else:
            text = fragment[0] % tuple([first + line for line in fragment[1]])
        fragment[2:] = first, text
    return fragment


def _run_links_fragment(entry: Any, source: Any, lines: Sequence[str], encoding: str) -> list:
    """[template, its lines counted from the run's first, (first line, text there)] of a run's links (``_placed``)."""
    memo = _RUN_LINK_FRAGMENTS.setdefault(source.name, LineageMemo())
    key = (encoding, source.key)
    fragment = memo.peek(entry.run, key)
    first = entry.start_line
    if fragment is MISSING:
        template, relative = _relative_links_json(entry.links, entry.first_line, first, lines, encoding)
        fragment = memo.put(entry.run, [template, relative, (None, "")], key)
    return fragment


def join_json_arrays(*arrays: str) -> str:
    """JSON arrays' texts as one array's text: ``[1,2]`` and ``[3]`` make ``[1,2,3]``."""
    items = [text.strip()[1:-1] for text in arrays if text.strip()[1:-1].strip()]
    return "[" + ",".join(items) + "]"


_LINK_FRAGMENTS: dict[str, BlockMemo] = {}  # source name -> block lineage -> [template, lines, first line, text]
_RUN_LINK_FRAGMENTS: dict[str, LineageMemo] = {}  # source name -> run of a long list's items -> [template, lines, (first line, text)]


def _relative_links_json(links: Iterable[Any], first_line: int, now: int, lines: Sequence[str], encoding: str) -> tuple[str, list[int]]:
    # The links' spans are as of ``first_line``, their lines counted from it; columns are read from
    # the lines where they are now (``first_line`` there is line ``now``).
    moved = now - first_line
    relative: list[int] = []
    parts = []
    for link in links:
        span = link.span
        start = column_of(lines, span.start_line + moved, span.start_col, encoding)
        end = column_of(lines, span.end_line + moved, span.end_col, encoding)
        relative += (span.start_line - first_line, span.end_line - first_line)
        text = f'{{"range":{{"start":{{"line":%d,"character":{start}}},"end":{{"line":%d,"character":{end}}}}}'
        text += ',"target":' + _compact(link.target).replace("%", "%%")
        if link.tooltip:
            text += ',"tooltip":' + _compact(link.tooltip).replace("%", "%%")
        parts.append(text + "}")
    return ",".join(parts), relative


def file_locations(uris: Iterable[str]) -> list[types.Location]:
    """Whole files as ``Location``s: their first position (a definition that opens the file)."""
    start = types.Position(line=0, character=0)
    return [types.Location(uri=uri, range=types.Range(start=start, end=start)) for uri in uris]


def single_edit(uri: str, version: int | None, span: Span, new_text: str, lines: Sequence[str], encoding: str) -> types.WorkspaceEdit:
    """One minimal edit, tied to the document version it was computed for (for ``workspace/applyEdit``)."""
    return _versioned_edit(uri, version, [types.TextEdit(range=to_range(span, lines, encoding), new_text=new_text)])


def versioned_edits(uri: str, version: int | None, edits: Iterable[Any], lines: Sequence[str], encoding: str) -> types.WorkspaceEdit:
    """``rules.Edit`` values as one workspace edit tied to the document version (for ``workspace/applyEdit``)."""
    return _versioned_edit(uri, version, text_edits(edits, lines, encoding))


# --- editing actions: tick, split, formatting ------------------------------------------------------

# A source action over the selected lines ("Tick every task in the selection").
SELECTION_KIND = f"{types.CodeActionKind.Source.value}.backlog-ls.tasks"


def text_edits(edits: Iterable[Any], lines: Sequence[str], encoding: str) -> list[types.TextEdit]:
    """``rules.Edit`` values (code point spans) as ``TextEdit``s in the client's units."""
    return [types.TextEdit(range=to_range(edit.span, lines, encoding), new_text=edit.new_text) for edit in edits]


def edit_actions(actions: Iterable[Any], uri: str, version: int | None, lines: Sequence[str], encoding: str) -> list[types.CodeAction]:
    """``features.edits.Action``s as code actions whose edits are tied to the document version."""
    return [
        edit_action(action, _versioned_edit(uri, version, text_edits(action.edits, lines, encoding)))
        for action in actions
        if action.edits
    ]


def deferred_action(action: Any, data: Any) -> types.CodeAction:
    """A ``features.edits.Action`` offered without its edit, which ``codeAction/resolve`` computes
    from ``data``: the same title, kind and preference as ``edit_actions`` gives it."""
    return edit_action(action, None, data)


def edit_action(action: Any, edit: types.WorkspaceEdit | None, data: Any = None) -> types.CodeAction:
    """A ``features.edits.Action`` as a code action with ``edit`` (its edits, or more: a renumbering's)."""
    from .features.edits import SELECTION

    return types.CodeAction(
        title=action.title,
        kind=SELECTION_KIND if action.kind == SELECTION else types.CodeActionKind.RefactorRewrite,
        is_preferred=action.preferred or None,
        edit=edit,
        data=data,
    )


# --- code actions: each change once ----------------------------------------------------------------


@attrs.frozen
class Pending:
    """What ``offered_once`` needs of an action offered without its edit (``deferred_action``):
    the edits it makes to the document itself, and how to build the action with its whole edit."""

    offered: types.CodeAction
    edits: tuple[Edit, ...]
    eager: Callable[[], types.CodeAction | None]


def offered_once(
    actions: list[types.CodeAction],
    uri: str,
    lines: Sequence[str],
    encoding: str,
    pending: Mapping[int, Pending] | None = None,
) -> list[types.CodeAction]:
    """Each change once: a quick fix ("Untick this task") and a task edit ("Untick task") that leave
    the same text are one action, the first (the quick fix, tied to its diagnostic).

    An action without its edit is compared by the edits ``pending`` gives for it (by ``id``) to the
    document. Only when those make an earlier action's change is its whole edit built, and compared
    as an eager action would be: a renumbering's whole edit can also rename this document's mentions
    the workspace index finds, and then it is not the quick fix that renames one ID."""
    kept: list[types.CodeAction] = []
    seen: dict[tuple, int] = {}
    for action in actions:
        later = pending.get(id(action)) if pending else None
        if later is None or later.offered is not action:
            effect = _effect(action, uri, lines, encoding)
        else:
            effect = _edits_effect(text_edits(later.edits, lines, encoding), lines, encoding)
            if effect is not None and effect in seen:
                eager = later.eager()
                if eager is None:
                    continue
                action, effect = eager, _effect(eager, uri, lines, encoding)
        if effect is not None and effect in seen:
            if action.title in STABLE_TITLES:
                # Key maps apply "Tick task" by its title (editors/neovim/README.md): the one action
                # left carries that title, whichever rule's quick fix it also is.
                index = seen[effect]
                kept[index] = attrs.evolve(kept[index], title=action.title)
            continue
        if effect is not None:
            seen[effect] = len(kept)
        kept.append(action)
    return kept


# Titles of task edits that clients bind to keys: kept when a quick fix makes the same change.
STABLE_TITLES = frozenset({"Tick task", "Untick task"})


def _effect(action: types.CodeAction, uri: str, lines: Sequence[str], encoding: str) -> tuple | None:
    """The lines an action's edit of this document touches, as they read after it; None without one."""
    edit = action.edit
    if edit is None:
        return None
    text_edits: list = []
    for change in edit.document_changes or ():
        if isinstance(change, types.TextDocumentEdit) and change.text_document.uri == uri:
            text_edits.extend(change.edits)
    text_edits.extend((edit.changes or {}).get(uri, ()))
    return _edits_effect(text_edits, lines, encoding)


def _edits_effect(text_edits: Sequence[types.TextEdit], lines: Sequence[str], encoding: str) -> tuple | None:
    if not text_edits:
        return None
    spans = [
        (*from_position(e.range.start, lines, encoding), *from_position(e.range.end, lines, encoding), e.new_text)
        for e in text_edits
    ]
    first = min(span[0] for span in spans)
    last = max(span[2] for span in spans)
    if not (0 <= first <= last < len(lines)):
        return None
    region = list(lines[first : last + 1])
    text = "\n".join(region)
    offsets = [0]
    for line in region:
        offsets.append(offsets[-1] + len(line) + 1)
    for start_line, start_col, end_line, end_col, new_text in sorted(spans, reverse=True):
        start = offsets[start_line - first] + start_col
        end = offsets[end_line - first] + end_col
        text = text[:start] + new_text + text[end:]
    return (first, last, text)


# --- progress ----------------------------------------------------------------------------------


def progress_inlay_hints(marks: Iterable[Any], lines: Sequence[str], encoding: str) -> list[types.InlayHint]:
    """Each progress mark (``features.progress.Mark``) as an inlay hint after its line's text."""
    return [
        types.InlayHint(
            position=to_position(lines, mark.line, mark.column, encoding),
            label=mark.label,
            padding_left=True,
        )
        for mark in marks
    ]


def progress_code_lenses(marks: Iterable[Any], lines: Sequence[str], encoding: str) -> list[types.CodeLens]:
    """Each progress mark as a code lens over its line. The lens only shows the figure: its command
    is empty, which clients show as a label that does nothing when clicked."""
    return [
        types.CodeLens(range=to_range(mark.span, lines, encoding), command=types.Command(title=mark.label, command=""))
        for mark in marks
    ]


SHOW_LOCATION_COMMAND = "backlog-ls.showLocation"
# The rules whose related line is the place to go to fix the finding: the task a ticked task waits for.
_GO_TO_RELATED = {"BL601": "Go to the blocker"}


def go_to_related_actions(diagnostic: types.Diagnostic) -> list[types.CodeAction]:
    """For a finding whose related line is where the fix lies (BL601: the open blocker), a quick fix
    that shows that line (``SHOW_LOCATION_COMMAND``: the server asks the client with window/showDocument)."""
    title = _GO_TO_RELATED.get(str(diagnostic.code)) if diagnostic.source == SOURCE else None
    if title is None or not diagnostic.related_information:
        return []
    return [
        types.CodeAction(
            title=title,
            kind=types.CodeActionKind.QuickFix,
            diagnostics=[diagnostic],
            command=types.Command(
                title=title,
                command=SHOW_LOCATION_COMMAND,
                arguments=[related.location.uri, _range_json(related.location.range)],
            ),
        )
        for related in diagnostic.related_information[:1]
    ]


def _range_json(value: types.Range) -> dict[str, Any]:
    return {
        "start": {"line": value.start.line, "character": value.start.character},
        "end": {"line": value.end.line, "character": value.end.character},
    }


def show_document_params(uri: Any, range_: Any) -> types.ShowDocumentParams | None:
    """The command's arguments (as a client sends them back) as window/showDocument params; None when malformed."""
    if not isinstance(uri, str) or not isinstance(range_, dict):
        return None
    try:
        numbers = [range_[end][part] for end in ("start", "end") for part in ("line", "character")]
    except (KeyError, TypeError):
        return None
    if not all(isinstance(number, int) and not isinstance(number, bool) and number >= 0 for number in numbers):
        return None
    return types.ShowDocumentParams(uri=uri, take_focus=True, selection=_range_from_json(range_))


# --- navigation across the workspace: locations, highlights, rename, workspace symbols --------------

_WORKSPACE_SYMBOL_KINDS = {"section": types.SymbolKind.Namespace.value, "task": types.SymbolKind.Boolean.value}


def places_json(places: Iterable[Any], encoding: str) -> list[dict[str, Any]]:
    """``features.navigation.Place``s (URI, span, the lines that convert it) as ``Location[]`` JSON."""
    return [{"uri": place.uri, "range": range_dict(place.span, place.lines, encoding)} for place in places]


def highlights_json(highlights: Iterable[Any], lines: Sequence[str], encoding: str) -> list[dict[str, Any]]:
    """``DocumentHighlight[]``: a task's own ID (or the issue a task names) is Write, a mention Read."""
    write, read = types.DocumentHighlightKind.Write.value, types.DocumentHighlightKind.Read.value
    return [{"range": range_dict(found.span, lines, encoding), "kind": write if found.is_name else read} for found in highlights]


def workspace_symbols_json(symbols: Iterable[Any], encoding: str) -> list[dict[str, Any]]:
    """``features.navigation.WorkspaceSymbol``s as ``SymbolInformation[]`` JSON (every client reads
    it; ``WorkspaceSymbol`` adds only lazy locations, which an index in memory does not need)."""
    found = []
    for symbol in symbols:
        entry: dict[str, Any] = {
            "name": symbol.name,
            "kind": _WORKSPACE_SYMBOL_KINDS[symbol.kind],
            "location": {"uri": symbol.place.uri, "range": range_dict(symbol.place.span, symbol.place.lines, encoding)},
        }
        if symbol.container:
            entry["containerName"] = symbol.container
        found.append(entry)
    return found
