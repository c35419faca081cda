"""Heading anchors as GitHub makes them: the ``#fragment`` a link may point at.

GitHub renders a heading, takes its text (no Markdown, no HTML tags, entities
decoded), lower-cases it, drops every character that is not a letter, a mark,
a decimal or letter number, a connector (``_``), a hyphen or a space, and turns
each space into a hyphen. A heading whose slug was already used gets ``-1``,
``-2``... (the rules of the ``github-slugger`` package, which matches GitHub):

    "Phase 1: Set-up & Tests"  -> "phase-1-set-up--tests"
    "🚧 Ship it"               -> "-ship-it"
    "日本語の見出し"            -> "日本語の見出し"
    "Notes", "Notes"           -> "notes", "notes-1"

Explicit anchors written in HTML (``<a name="x">``, ``<span id="x">``) count too.
Everything here is pure: text in, strings out.
"""

from __future__ import annotations

import functools
import html
import itertools
import operator
import re
import unicodedata
from collections.abc import Iterable

from .model import Backlog, Heading

__all__ = [
    "Slugger",
    "slug",
    "heading_text",
    "title_slug",
    "heading_anchors",
    "html_anchors",
    "document_anchors",
]

# Unicode general categories GitHub keeps (Ruby's \p{Word}: letters, marks, numbers, "_").
_KEPT_CATEGORIES = frozenset({"Lu", "Ll", "Lt", "Lm", "Lo", "Mn", "Mc", "Me", "Nd", "Nl", "Pc"})


# Circled and squared Latin letters (ⓐ, 🅰) are symbols with the Alphabetic property: kept.
_ALPHABETIC_SYMBOLS = ((0x24B6, 0x24E9), (0x1F130, 0x1F149), (0x1F150, 0x1F169), (0x1F170, 0x1F189))


@functools.lru_cache(maxsize=4096)
def _kept(char: str) -> bool:
    if char.isascii():
        return char.isalnum() or char == "_"
    if unicodedata.category(char) in _KEPT_CATEGORIES:
        return True
    code = ord(char)
    return any(low <= code <= high for low, high in _ALPHABETIC_SYMBOLS)


_ASCII_DROPPED = re.compile(r"[^a-z0-9_\- ]+")


def slug(text: str) -> str:
    """The anchor GitHub gives a heading whose rendered text is ``text`` (before de-duplication)."""
    text = text.lower()
    if text.isascii():
        return _ASCII_DROPPED.sub("", text).replace(" ", "-")
    return "".join("-" if char in " -" else char for char in text if char in " -" or _kept(char))


class Slugger:
    """Hands out slugs in document order, suffixing repeats as GitHub does (``x``, ``x-1``, ``x-2``)."""

    def __init__(self) -> None:
        self._occurrences: dict[str, int] = {}

    def slug(self, text: str) -> str:
        return self.add(slug(text))

    def add(self, base: str) -> str:
        result = base
        while result in self._occurrences:
            self._occurrences[base] += 1
            result = f"{base}-{self._occurrences[base]}"
        self._occurrences[result] = 0
        return result


# --- from Markdown source to the text GitHub slugs ------------------------------------------------

_CODE_SPAN = re.compile(r"(?<!`)(`+)(?!`)(.+?)(?<!`)\1(?!`)", re.S)
_IMAGE = re.compile(r"!\[(?:[^\[\]\\]|\\.|\[[^\[\]]*\])*\]\([^()\s]*(?:\([^()\s]*\)[^()\s]*)*(?:\s+[^)]*)?\)")
_LINK = re.compile(r"\[((?:[^\[\]\\]|\\.|\[[^\[\]]*\])*)\]\([^()\s]*(?:\([^()\s]*\)[^()\s]*)*(?:\s+[^)]*)?\)")
_REF_LINK = re.compile(r"\[((?:[^\[\]\\]|\\.)+)\]\[[^\[\]]*\]")
_AUTOLINK = re.compile(r"<((?:https?|mailto|ftp):[^<>\s]*)>", re.I)
_HTML_TAG = re.compile(r"<!--.*?-->|</?[A-Za-z][\w-]*(?:\s[^<>]*)?/?>", re.S)
_BACKSLASH_ESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")
# "_" as emphasis: a pair at the edges of a word. Inside one (snake_case) it is a literal underscore.
_UNDERSCORE_EMPHASIS = re.compile(r"(?<![^\W_])(_{1,3})(?=\S)(.+?)(?<=\S)\1(?![^\W_])")
_STAR_EMPHASIS = re.compile(r"(\*{1,3})(?=\S)(.+?)(?<=\S)\1")
_STRIKETHROUGH = re.compile(r"(~~?)(?=\S)(.+?)(?<=\S)\1")


def _inline_text(markdown: str) -> str:
    """Rendered text of inline Markdown that holds no code span."""
    # Each pattern only where its fixed part is: the workspace index reads every task's text, and
    # most hold bold or an issue number, no link or tag (five scans of each text were a third of it).
    text = markdown
    if "](" in text:
        if "![" in text:
            text = _IMAGE.sub("", text)
        text = _LINK.sub(r"\1", text)
    if "][" in text:
        text = _REF_LINK.sub(r"\1", text)
    if "<" in text:
        text = _AUTOLINK.sub(r"\1", text)
        text = _HTML_TAG.sub("", text)
    # Emphasis and strikethrough: their delimiters go, "_" only at the edges of words.
    text = text.replace("\\_", "\x00").replace("\\*", "\x01").replace("\\~", "\x02")
    for _ in range(3):  # nested: ***x***, _a __b__ c_
        before = text
        if "_" in text:
            text = _UNDERSCORE_EMPHASIS.sub(r"\2", text)
        if "*" in text:
            text = _STAR_EMPHASIS.sub(r"\2", text)
        if "~" in text:
            text = _STRIKETHROUGH.sub(r"\2", text)
        if text == before:
            break
    text = text.replace("\x00", "\\_").replace("\x01", "\\*").replace("\x02", "\\~")
    if "\\" in text:
        text = _BACKSLASH_ESCAPE.sub(r"\1", text)
    return html.unescape(text)


_MARKUP = frozenset("[!<`*_~&\\")


@functools.lru_cache(maxsize=65536)  # the workspace index reads every task's text on each keystroke
def heading_text(title: str) -> str:
    """The text GitHub renders for a heading's Markdown source ``title`` (approximately, without a parser)."""
    if _MARKUP.isdisjoint(title):
        return title
    if "`" not in title:
        return _inline_text(title)
    parts = []
    position = 0
    for match in _CODE_SPAN.finditer(title):
        parts.append(_inline_text(title[position : match.start()]))
        content = match.group(2).replace("\n", " ")
        if content.startswith(" ") and content.endswith(" ") and content.strip():
            content = content[1:-1]
        parts.append(content)
        position = match.end()
    parts.append(_inline_text(title[position:]))
    return "".join(parts)


@functools.lru_cache(maxsize=16384)
def title_slug(title: str) -> str:
    """``slug(heading_text(title))``, remembered: a document's headings are slugged on every keystroke."""
    return slug(heading_text(title))


# --- anchors of a document ------------------------------------------------------------------------

_HTML_ANCHOR = re.compile(
    r"<[A-Za-z][\w-]*\s[^<>]*?(?<![\w-])(?:id|name)\s*=\s*(?:\"(?P<dq>[^\"]*)\"|'(?P<sq>[^']*)'|(?P<bare>[^\s\"'<>]+))",
    re.I,
)


def heading_anchors(headings: Iterable[Heading]) -> list[tuple[Heading, str]]:
    """Each heading with its anchor, in document order, repeats numbered."""
    slugger = Slugger()
    return [(heading, slugger.add(title_slug(heading.title))) for heading in headings]


def html_anchors(lines: Iterable[str]) -> list[str]:
    """Anchors declared in HTML: ``<a name="x">``, ``<span id="x">``."""
    found = []
    lines = list(lines)
    # A C-level pass picks the few lines with a tag: this runs over whole documents.
    for line in itertools.compress(lines, map(operator.contains, lines, itertools.repeat("<"))):
        for match in _HTML_ANCHOR.finditer(line):
            value = match.group("dq") if match.group("dq") is not None else match.group("sq") or match.group("bare")
            if value:
                found.append(value)
    return found


def document_anchors(backlog: Backlog) -> frozenset[str]:
    """Every anchor of a parsed document: its headings' slugs and its explicit HTML anchors."""
    anchors = {anchor for _, anchor in heading_anchors(backlog.headings) if anchor}
    anchors.update(html_anchors(backlog.lines))
    return frozenset(anchors)


class Anchors(frozenset):
    """A document's anchors (a frozenset of them), knowing the line of each heading's."""

    lines: dict[str, int]


def anchors_with_lines(backlog: Backlog) -> Anchors:
    """``document_anchors``, with the line each heading anchor is on (``Anchors.lines``)."""
    lines: dict[str, int] = {}
    for heading, anchor in heading_anchors(backlog.headings):
        if anchor:
            lines.setdefault(anchor, heading.span.start_line)
    found = Anchors(document_anchors(backlog))
    found.lines = lines
    return found

