"""Atlassian Document Format (Jira Cloud's rich text) rendered as Markdown, for a hover. Pure.

An ADF document is a tree of nodes (``{"type": "doc", "content": [...]}``): paragraphs,
headings, lists, code blocks, quotes, tables, and text with marks (strong, em, code, link,
strike). What the hover cannot show (media, extensions) is left out; a node of an unknown
type shows its text. The tree comes from a server: depth and size are bounded, and anything
that is not the expected shape is skipped rather than raised on.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

MAX_DEPTH = 32
MAX_CHARS = 20_000  # the hover shows the first lines; a huge description is cut here

_ESCAPED = re.compile(r"([\\`*_\[\]<>#|])")


def adf_to_markdown(document: Any) -> str:
    """The Markdown of an ADF document; a plain string (Jira Server's wiki text) is returned as it is."""
    if isinstance(document, str):
        return document
    if not isinstance(document, Mapping):
        return ""
    out: list[str] = []
    _blocks(_children(document), out, 0, "")
    text = "\n".join(out).strip("\n")
    text = re.sub(r"\n{3,}", "\n\n", text)
    return text[:MAX_CHARS]


def _children(node: Mapping) -> list:
    content = node.get("content")
    return content if isinstance(content, list) else []


def _attrs(node: Mapping) -> Mapping:
    found = node.get("attrs")
    return found if isinstance(found, Mapping) else {}


def _blocks(nodes: list, out: list[str], depth: int, indent: str) -> None:
    if depth > MAX_DEPTH:
        return
    for node in nodes:
        if not isinstance(node, Mapping):
            continue
        kind = node.get("type")
        if kind == "paragraph":
            out.append(indent + _inline(_children(node), depth))
            out.append("")
        elif kind == "heading":
            level = _attrs(node).get("level")
            level = level if isinstance(level, int) and 1 <= level <= 6 else 2
            out.append(f"{indent}{'#' * level} {_inline(_children(node), depth)}")
            out.append("")
        elif kind in ("bulletList", "orderedList"):
            for number, item in enumerate(_children(node), start=1):
                marker = f"{number}. " if kind == "orderedList" else "- "
                _list_item(item, marker, out, depth + 1, indent)
            out.append("")
        elif kind == "taskList":
            for item in _children(node):
                done = isinstance(item, Mapping) and _attrs(item).get("state") == "DONE"
                marker = "- [x] " if done else "- [ ] "
                out.append(indent + marker + _inline(_children(item) if isinstance(item, Mapping) else [], depth))
            out.append("")
        elif kind == "codeBlock":
            language = _attrs(node).get("language")
            fence = "```" + (language if isinstance(language, str) and language.isidentifier() else "")
            code = "".join(child.get("text", "") for child in _children(node) if isinstance(child, Mapping) and isinstance(child.get("text"), str))
            out.extend([indent + fence, *(indent + line for line in code.split("\n")), indent + "```", ""])
        elif kind in ("blockquote", "panel"):
            inner: list[str] = []
            _blocks(_children(node), inner, depth + 1, "")
            out.extend(indent + ("> " + line if line else ">") for line in "\n".join(inner).strip("\n").split("\n"))
            out.append("")
        elif kind == "rule":
            out.extend([indent + "---", ""])
        elif kind == "table":
            _table(node, out, depth, indent)
        elif kind in ("mediaSingle", "mediaGroup", "media", "extension", "bodiedExtension"):
            continue
        elif _children(node):
            _blocks(_children(node), out, depth + 1, indent)
        else:
            text = _inline([node], depth)
            if text:
                out.extend([indent + text, ""])


def _list_item(item: Any, marker: str, out: list[str], depth: int, indent: str) -> None:
    if not isinstance(item, Mapping) or depth > MAX_DEPTH:
        return
    inner: list[str] = []
    _blocks(_children(item), inner, depth + 1, "")
    lines = [line for line in inner if line.strip()]
    if not lines:
        out.append(indent + marker.rstrip())
        return
    out.append(indent + marker + lines[0])
    out.extend(indent + " " * len(marker) + line for line in lines[1:])


def _table(node: Mapping, out: list[str], depth: int, indent: str) -> None:
    rows = []
    for row in _children(node):
        if isinstance(row, Mapping):
            cells = []
            for cell in _children(row):
                inner: list[str] = []
                if isinstance(cell, Mapping):
                    _blocks(_children(cell), inner, depth + 1, "")
                cells.append(" ".join(line for line in inner if line.strip()).replace("|", "\\|"))
            rows.append(cells)
    if not rows:
        return
    width = max(len(row) for row in rows)
    for number, row in enumerate(rows):
        out.append(indent + "| " + " | ".join(row + [""] * (width - len(row))) + " |")
        if number == 0:
            out.append(indent + "|" + " --- |" * width)
    out.append("")


def _inline(nodes: list, depth: int) -> str:
    if depth > MAX_DEPTH:
        return ""
    parts: list[str] = []
    for node in nodes:
        if not isinstance(node, Mapping):
            continue
        kind = node.get("type")
        attributes = _attrs(node)
        if kind == "text" and isinstance(node.get("text"), str):
            parts.append(_marked(node["text"], node.get("marks")))
        elif kind == "hardBreak":
            parts.append("  \n")
        elif kind == "mention":
            name = attributes.get("text")
            parts.append(_ESCAPED.sub(r"\\\1", name) if isinstance(name, str) else "@someone")
        elif kind == "emoji":
            shown = attributes.get("text") or attributes.get("shortName")
            parts.append(shown if isinstance(shown, str) else "")
        elif kind in ("inlineCard", "blockCard"):
            url = attributes.get("url")
            parts.append(f"<{url}>" if isinstance(url, str) and url.startswith(("http://", "https://")) else "")
        elif kind == "status":
            label = attributes.get("text")
            parts.append(f"`{label}`" if isinstance(label, str) else "")
        elif kind == "date":
            parts.append(str(attributes.get("timestamp", "")))
        elif _children(node):
            parts.append(_inline(_children(node), depth + 1))
    return "".join(parts)


def _marked(text: str, marks: Any) -> str:
    kinds = {mark.get("type"): mark for mark in marks if isinstance(mark, Mapping)} if isinstance(marks, list) else {}
    if "code" in kinds:
        ticks = "``" if "`" in text else "`"
        return f"{ticks}{text}{ticks}"
    shown = _ESCAPED.sub(r"\\\1", text)
    if "strong" in kinds:
        shown = f"**{shown}**"
    if "em" in kinds:
        shown = f"_{shown}_"
    if "strike" in kinds:
        shown = f"~~{shown}~~"
    link = kinds.get("link")
    if link is not None:
        href = _attrs(link).get("href")
        if isinstance(href, str) and href.startswith(("http://", "https://", "mailto:")):
            shown = f"[{shown}]({href.replace(')', '%29').replace(' ', '%20')})"
    return shown


def markdown_to_adf(text: str) -> dict[str, Any]:
    """A task's plain text as an ADF document (one paragraph per line): what Jira Cloud takes as a description."""
    paragraphs = [
        {"type": "paragraph", "content": [{"type": "text", "text": line}]} for line in text.split("\n") if line.strip()
    ]
    return {"type": "doc", "version": 1, "content": paragraphs}
