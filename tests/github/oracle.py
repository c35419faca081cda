"""GitHub's reading of a Markdown document, from cmark-gfm, next to backlog-ls's reading of it.

GitHub renders Markdown with cmark-gfm. The ``cmarkgfm`` package bundles it but exposes only
HTML rendering; its shared library also holds cmark-gfm's XML renderer, which gives every block
with its source lines (``cmark-gfm -t xml --sourcepos``), so that is called through ctypes on
the very tree cmarkgfm's parser built.

Both readings are reduced to the same few facts (``Reading``) that decide what backlog-ls
finds: which lines are code, HTML or front matter; which list items are tasks and whether they
are checked; the document's headings; each item's parent item and quote depth; the top-level
block quotes. ``compare`` lists where they differ, aspect by aspect.
"""

from __future__ import annotations

import ctypes
import re
import xml.etree.ElementTree as ElementTree
from collections.abc import Sequence

import attrs

from backlog_ls.model import Backlog
from backlog_ls.parse import parse
from backlog_ls.text import split_lines

cmark = None  # cmarkgfm.cmark, imported on first use (tests skip without it)
_NS = "{http://commonmark.org/xml/1.0}"
# The extensions github.com enables.
_EXTENSIONS = ("table", "strikethrough", "autolink", "tagfilter", "tasklist")
ASPECTS = ("code", "html", "front-matter", "tasks", "headings", "nesting", "quotes", "loose")


def _library():
    global cmark
    if cmark is None:
        import cmarkgfm.cmark as module

        cmark = module
        module.core_extensions_ensure_registered()
        shared = ctypes.CDLL(module._cmark.__file__)
        shared.cmark_render_xml.restype = ctypes.c_void_p
        shared.cmark_render_xml.argtypes = [ctypes.c_void_p, ctypes.c_int]
        module._xml_renderer = shared.cmark_render_xml
        shared.cmark_node_free.argtypes = [ctypes.c_void_p]
        module._node_free = shared.cmark_node_free
        module._free = ctypes.CDLL(None).free
        module._free.argtypes = [ctypes.c_void_p]
    return cmark


def cmark_xml(text: str) -> str:
    """``cmark-gfm -t xml --sourcepos -e table -e strikethrough -e autolink -e tagfilter -e tasklist``."""
    module = _library()
    lib, ffi = module._cmark.lib, module._cmark.ffi
    parser = module.parser_new(lib.CMARK_OPT_SOURCEPOS)
    try:
        for name in _EXTENSIONS:
            module.parser_attach_syntax_extension(parser, module.find_syntax_extension(name))
        module.parser_feed(parser, text)
        root = int(ffi.cast("uintptr_t", module.parser_finish(parser)))
        try:
            rendered = module._xml_renderer(root, lib.CMARK_OPT_SOURCEPOS)
            try:
                return ctypes.string_at(rendered).decode("utf-8")
            finally:
                module._free(rendered)
        finally:
            module._node_free(root)
    finally:
        module.parser_free(parser)


@attrs.frozen
class Reading:
    """What decides backlog-ls's findings, as one reader sees a document (0-based lines)."""

    code: frozenset[int]  # non-blank lines inside a code block, at any depth
    html: frozenset[int]  # non-blank lines inside an HTML block, at any depth
    front_matter: frozenset[int]
    tasks: dict[int, bool]  # GFM task items (" ", "x", "X"): line -> checked
    headings: tuple[tuple[int, int, str], ...]  # document-level headings: (line, level, text)
    nesting: dict[int, int | None]  # every list item's line -> its parent item's line
    quote_depth: dict[int, int]  # every list item's line -> how many block quotes hold it
    quotes: tuple[tuple[int, int], ...]  # top-level block quotes: (first line, last non-blank line)
    loose: dict[int, bool]  # every list item's line -> whether its list is loose (CommonMark's "not tight")

    def aspect(self, name: str):
        if name == "tasks":
            return self.tasks
        if name == "nesting":
            return {line: (parent, self.quote_depth[line]) for line, parent in self.nesting.items()}
        return getattr(self, name.replace("-", "_"))


# --- GitHub ------------------------------------------------------------------------------------------


def yaml_front_matter_end(lines: Sequence[str]) -> int | None:
    """GitHub strips YAML front matter (``---`` ... ``---`` or ``...``) before rendering; TOML it shows."""
    if not lines or lines[0].lstrip("\ufeff").rstrip() != "---":
        return None
    for index in range(1, len(lines)):
        if lines[index].rstrip() in ("---", "..."):
            return index if index > 1 else None
    return None


def _lines_of(element) -> tuple[int, int]:
    match = re.match(r"(\d+):\d+-(\d+):(\d+)", element.get("sourcepos", ""))
    if match is None:
        return (-1, -1)
    first, last, last_col = int(match[1]) - 1, int(match[2]) - 1, int(match[3])
    # cmark-gfm ends some containers at column 0 of the line after them.
    return first, (last - 1 if last_col == 0 and last > first else last)


def _inline_text(element) -> str:
    """The text a reader sees in a heading: text, code, and a space for each line break."""
    parts = []
    for node in element.iter():
        tag = node.tag.removeprefix(_NS)
        if tag in ("text", "code", "html_inline"):
            parts.append(node.text or "")
        elif tag in ("softbreak", "linebreak"):
            parts.append(" ")
    return " ".join("".join(parts).split())


_TASK_START = re.compile(rb"\[([ xX])\][ \t]")


def _quoted_task(item, lines: Sequence[str]) -> bool | None:
    """Whether an item in a block quote is a checked (True) or open (False) task, None if none.

    cmark-gfm's tasklist extension misses task items inside block quotes, which github.com
    renders as tasks all the same (its task-list filter runs on the HTML): the same test is made
    here on the source, where the item's first paragraph begins.
    """
    paragraph = next(iter(item), None)
    if paragraph is None or paragraph.tag.removeprefix(_NS) != "paragraph":
        return None
    match = re.match(r"(\d+):(\d+)", paragraph.get("sourcepos", ""))
    line, column = int(match[1]) - 1, int(match[2]) - 1  # cmark counts columns in bytes
    if line != _lines_of(item)[0] or line >= len(lines):
        return None
    found = _TASK_START.match(lines[line].encode("utf-8") + b"\n", column)
    return None if found is None else found[1] != b" "


_BOX = re.compile(rb"(?:[-+*]|\d{1,9}[.)])[ \t]+\[([ xX])\]")


def _box_checked(item, lines: Sequence[str]) -> bool:
    """A task item's state, read from its checkbox: cmark-gfm's extension calls an item checked
    when ``[x]`` occurs anywhere in it (``- [ ] write `- [x]` docs``), github.com does not."""
    match = re.match(r"(\d+):(\d+)", item.get("sourcepos", ""))
    line, column = int(match[1]) - 1, int(match[2]) - 1
    found = _BOX.match(lines[line].encode("utf-8"), column) if line < len(lines) else None
    return found is not None and found[1] != b" "


def github_reading(text: str) -> Reading:
    lines, _ = split_lines(text)
    end = yaml_front_matter_end(lines)
    front_matter = frozenset(range(end + 1)) if end is not None else frozenset()
    shown = text
    if end is not None:
        # Blank lines in its place keep every line number where it was.
        shown = "\n" * (end + 1) + "\n".join(lines[end + 1 :]) + "\n"
    root = ElementTree.fromstring(cmark_xml(shown))

    def nonblank(first: int, last: int) -> set[int]:
        return {line for line in range(first, min(last, len(lines) - 1) + 1) if lines[line].strip()}

    code: set[int] = set()
    html: set[int] = set()
    tasks: dict[int, bool] = {}
    nesting: dict[int, int | None] = {}
    quote_depth: dict[int, int] = {}
    headings: list[tuple[int, int, str]] = []
    quotes: list[tuple[int, int]] = []
    loose: dict[int, bool] = {}

    def visit(node, parent_item: int | None, depth: int, top: bool, parent_last: int, tight: bool = True) -> None:
        tag = node.tag.removeprefix(_NS)
        first, last = _lines_of(node)
        # cmark-gfm ends a fence left open in a container on the line after the container.
        last = min(last, parent_last)
        if tag == "code_block":
            code.update(nonblank(first, last))
        elif tag == "html_block":
            # cmark-gfm ends a block closed by its end condition (``-->``) a line early: count its lines.
            html.update(nonblank(first, first + max(1, (node.text or "").count("\n")) - 1))
        elif tag == "heading" and top:
            headings.append((first, int(node.get("level")), _inline_text(node)))
        elif tag == "block_quote":
            if top:
                quotes.append((first, max(nonblank(first, last), default=first)))
            depth += 1
        elif tag == "list":
            tight = node.get("tight") == "true"
        elif tag in ("item", "tasklist"):
            loose[first] = not tight
            nesting[first] = parent_item
            quote_depth[first] = depth
            if tag == "tasklist":
                tasks[first] = _box_checked(node, lines)
            elif depth and (checked := _quoted_task(node, lines)) is not None:
                tasks[first] = checked
            parent_item = first
        for child in node:
            visit(child, parent_item, depth, False, last, tight)

    for child in root:
        visit(child, None, 0, True, len(lines) - 1)
    return Reading(
        code=frozenset(code),
        html=frozenset(html),
        front_matter=front_matter,
        tasks=tasks,
        headings=tuple(headings),
        nesting=nesting,
        quote_depth=quote_depth,
        quotes=tuple(quotes),
        loose=loose,
    )


# --- backlog-ls --------------------------------------------------------------------------------------


def heading_text(title: str, definitions: dict[str, str]) -> str:
    """The text GitHub shows for a heading whose source title is ``title``, given the document's
    link reference definitions (``[text][label]`` shows as text only when the label is defined)."""
    defined = "".join(f"[{label}]: <{target.strip('<>')}>\n" for label, target in definitions.items())
    root = ElementTree.fromstring(cmark_xml("# " + " ".join(title.split()) + "\n\n" + defined))
    heading = next(iter(root), None)
    return _inline_text(heading) if heading is not None else ""


def _box_ends_its_line(item, lines: Sequence[str]) -> bool:
    """``- [ ]`` with nothing after it, not even a space: GitHub shows the text "[ ]". The model keeps
    it as an empty task on purpose, so that empty-task (BL202) asks for its text or its removal."""
    box = item.checkbox_span
    return box is not None and lines[box.end_line][box.end_col :] == ""


def model_reading(backlog: Backlog) -> Reading:
    lines = backlog.lines

    def nonblank(first: int, last: int) -> set[int]:
        return {line for line in range(first, last + 1) if line < len(lines) and lines[line].strip()}

    code: set[int] = set()
    html: set[int] = set()
    front_matter: set[int] = set()
    quotes: list[tuple[int, int]] = []
    for block in backlog.blocks:
        if block.kind == "code":
            code.update(nonblank(block.start_line, block.end_line))
        elif block.kind == "html":
            html.update(nonblank(block.start_line, block.end_line))
        elif block.kind == "front-matter":
            front_matter.update(range(block.start_line, block.end_line + 1))
        elif block.kind == "quote":
            quotes.append((block.start_line, max(nonblank(block.start_line, block.end_line), default=block.start_line)))
        for kind, first, last in block.inner_blocks:
            (code if kind == "code" else html).update(nonblank(first, last))
    tasks = {
        item.line: item.is_checked
        for item, _ in backlog.item_pairs
        if item.checkbox in (" ", "x", "X") and not _box_ends_its_line(item, lines)
    }
    nesting = {item.line: (parent.line if parent else None) for item, parent in backlog.item_pairs}
    depth = {item.line: item.quote_depth for item, _ in backlog.item_pairs}
    headings = tuple(
        (heading.span.start_line, heading.level, heading_text(heading.title, backlog.link_definitions)) for heading in backlog.headings
    )
    return Reading(
        code=frozenset(code),
        html=frozenset(html),
        front_matter=frozenset(front_matter),
        tasks=tasks,
        headings=headings,
        nesting=nesting,
        quote_depth=depth,
        quotes=tuple(quotes),
        loose={item.line: item.loose for item, _ in backlog.item_pairs},
    )


# --- comparing ---------------------------------------------------------------------------------------


def compare(text: str) -> dict[str, list[str]]:
    """For each aspect, how backlog-ls's reading of ``text`` differs from GitHub's (empty: agreed)."""
    github = github_reading(text)
    model = model_reading(parse(text))
    differences: dict[str, list[str]] = {}
    for name in ASPECTS:
        ours, theirs = model.aspect(name), github.aspect(name)
        if name == "loose":  # of the items both read (an item only one reads is a nesting difference)
            ours, theirs = {line: ours[line] for line in ours if line in theirs}, {line: theirs[line] for line in theirs if line in ours}
        differences[name] = _describe(ours, theirs)
    return differences


def _describe(ours, theirs) -> list[str]:
    if ours == theirs:
        return []
    if isinstance(ours, dict):
        keys = sorted(set(ours) | set(theirs))
        return [
            f"line {key + 1}: backlog-ls {ours.get(key, '-')!r}, GitHub {theirs.get(key, '-')!r}"
            for key in keys
            if ours.get(key, "-") != theirs.get(key, "-")
        ]
    if isinstance(ours, frozenset):
        only_ours = sorted(ours - theirs)
        only_theirs = sorted(theirs - ours)
        found = []
        if only_ours:
            found.append("only backlog-ls: lines " + _ranges(only_ours))
        if only_theirs:
            found.append("only GitHub: lines " + _ranges(only_theirs))
        return found
    return [f"backlog-ls {sorted(set(ours) - set(theirs))}, GitHub {sorted(set(theirs) - set(ours))}"]


def _ranges(lines: list[int]) -> str:
    runs: list[list[int]] = []
    for line in lines:
        if runs and line == runs[-1][1] + 1:
            runs[-1][1] = line
        else:
            runs.append([line, line])
    return ", ".join(f"{a + 1}" if a == b else f"{a + 1}-{b + 1}" for a, b in runs)
