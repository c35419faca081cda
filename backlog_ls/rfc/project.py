"""What a project RFC file says about itself: number, title, status and summary. Pure: text in.

Projects write their RFCs in many shapes; the common ones are read:

- the number from the file name (``0026-configuration-hierarchy.md``, ``RFC-001-x.md``,
  ``0026.md``), else from front matter (``rfc: 26``, ``number: 26``, ``id: RFC-0026``);
- the title from front matter (``title:``), else the first heading that is not a
  generic section name ("Summary", "Motivation"), a leading "RFC 0026:" taken off;
  else a ``Feature Name:`` line (Rust's template); else the file name's words;
- the status from front matter (``status:``), else a ``Status:`` line near the top
  (``Status: Draft``, ``**Status**: Accepted``, ``- Status: Stage 3``, ``| Status | Implemented |``);
- the summary: the first paragraph under a "Summary" or "Abstract" heading, else the
  first paragraph of prose after the title (metadata lines and tables are skipped).

Front matter is YAML (``---``) read as flat ``key: value`` lines, or TOML (``+++``).
Nothing here raises: broken front matter is read as far as it goes.
"""

from __future__ import annotations

import re
import sys

import attrs

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

SUMMARY_LIMIT = 300  # characters of the summary kept for hovers

_FILE_NAME = re.compile(r"^(?:rfc[-_ ]?)?(?P<digits>\d{1,5})(?:[-_ .](?P<slug>.*?))?\.(?:md|markdown)$", re.IGNORECASE)
_HEADING = re.compile(r"^ {0,3}(?P<hashes>#{1,6})(?:[ \t]+(?P<title>.*?))?(?:[ \t]+#+)?[ \t]*$")
_SETEXT = re.compile(r"^ {0,3}(?:=+|-+)[ \t]*$")
_GENERIC_HEADINGS = {
    "summary", "abstract", "motivation", "introduction", "overview", "background", "status",
    "context", "problem", "table of contents", "contents", "metadata",
}
_SUMMARY_HEADINGS = {"summary", "abstract", "tl;dr", "tldr", "overview"}
_TITLE_PREFIX = re.compile(r"^(?:RFC[-\s#]*)?0*(?P<number>\d+)\s*[:.\-–—]\s*", re.IGNORECASE)
_META_LINE = re.compile(r"^[\s>*+|-]*(?:\*\*|__)?(?P<key>[A-Za-z][\w ./-]{0,30}?)(?:\*\*|__)?\s*(?::|\|)(?:\*\*|__)?\s*(?P<value>.*)$")
_NUMBER_IN = re.compile(r"(\d{1,5})")
_MARKUP = re.compile(r"(\*\*|__|`|\[|\]\([^)]*\)|\])")
_FRONT_MATTER_LINE = re.compile(r"^(?P<key>[A-Za-z][\w-]*)\s*:\s*(?P<value>.*?)\s*$")


@attrs.frozen
class RfcText:
    """What one RFC file says about itself; ``number`` is None when neither name nor front matter has one."""

    number: int | None
    digits: str  # the number as written ("0026"); "" when it came from front matter only
    title: str
    status: str = ""
    summary: str = ""


def number_from_name(name: str) -> tuple[int, str] | None:
    """(number, digits as written) from a file name like ``0026-configuration-hierarchy.md``."""
    match = _FILE_NAME.match(name)
    if match is None:
        return None
    return int(match.group("digits")), match.group("digits")


def _title_from_name(name: str) -> str:
    match = _FILE_NAME.match(name)
    slug = (match.group("slug") or "") if match else re.sub(r"\.(?:md|markdown)$", "", name, flags=re.IGNORECASE)
    words = re.sub(r"[-_]+", " ", slug).strip()
    return words[:1].upper() + words[1:] if words else name


def _front_matter(lines: list[str]) -> tuple[dict[str, str], int]:
    """The front matter as lower-case keys to text values, and the index of the first line after it."""
    if not lines or lines[0].strip() not in ("---", "+++"):
        return {}, 0
    fence = lines[0].strip()
    end = next((i for i in range(1, min(len(lines), 200)) if lines[i].strip() in (fence, "...")), None)
    if end is None:
        return {}, 0  # not closed: not front matter (a thematic break), read it as text
    body = lines[1:end]
    values: dict[str, str] = {}
    if fence == "+++":
        try:
            table = tomllib.loads("\n".join(body))
        except (tomllib.TOMLDecodeError, ValueError):
            table = {}
        for key, value in table.items():
            if isinstance(value, (str, int, float)):
                values[str(key).lower()] = str(value)
        return values, end + 1
    for line in body:
        if line[:1].isspace():
            continue  # nested YAML: not ours
        match = _FRONT_MATTER_LINE.match(line)
        if match is None:
            continue
        value = match.group("value")
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
            value = value[1:-1]
        if value in ("|", ">", "|-", ">-"):
            continue
        values.setdefault(match.group("key").lower(), value.strip())
    return values, end + 1


def _plain(text: str) -> str:
    """Inline Markdown as plain words: emphasis, code and link syntax dropped."""
    text = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", text)
    text = _MARKUP.sub("", text)
    return " ".join(text.split()).strip(" |")


def _meta_value(line: str, key: str) -> str | None:
    match = _META_LINE.match(line)
    if match is None or match.group("key").strip().lower() != key:
        return None
    value = _plain(match.group("value")).strip(" *_|")
    return value or None


def _headings(lines: list[str], start: int) -> list[tuple[int, int, str]]:
    """(line index, level, title) of the ATX and setext headings, outside fenced code."""
    found = []
    fence = None
    for index in range(start, len(lines)):
        line = lines[index]
        stripped = line.lstrip()
        if stripped.startswith(("```", "~~~")):
            marker = stripped[:3]
            fence = None if fence == marker else (fence or marker)
            continue
        if fence:
            continue
        match = _HEADING.match(line)
        if match is not None:
            found.append((index, len(match.group("hashes")), _plain(match.group("title") or "")))
        elif index > start and _SETEXT.match(line) and lines[index - 1].strip() and not _META_LINE.match(lines[index - 1]):
            found.append((index - 1, 1 if "=" in line else 2, _plain(lines[index - 1])))
    return found


def _is_metadata(paragraph: list[str]) -> bool:
    return all(_META_LINE.match(line) and len(line) < 160 or line.lstrip().startswith("|") for line in paragraph)


def _first_paragraph(lines: list[str], start: int, end: int) -> str:
    paragraph: list[str] = []
    fence = None
    for index in range(start, end):
        line = lines[index]
        stripped = line.strip()
        if stripped.startswith(("```", "~~~")):
            fence = None if fence else stripped[:3]
            if paragraph:
                break
            continue
        if fence:
            continue
        if not stripped or _HEADING.match(line) or _SETEXT.match(line) or stripped.startswith("<!--"):
            if paragraph and not _is_metadata(paragraph):
                break
            paragraph = []
            continue
        paragraph.append(stripped.lstrip("> ").strip())
    if not paragraph or _is_metadata(paragraph):
        return ""
    return _shorten(_plain(" ".join(paragraph)))


def _shorten(text: str) -> str:
    if len(text) <= SUMMARY_LIMIT:
        return text
    cut = text.rfind(" ", 0, SUMMARY_LIMIT - 1)
    return text[: cut if cut > SUMMARY_LIMIT // 2 else SUMMARY_LIMIT - 1].rstrip(" ,;:") + "…"


def _clean_title(title: str, number: int | None) -> str:
    match = _TITLE_PREFIX.match(title)
    if match is not None and (number is None or int(match.group("number")) == number) and title[match.end() :].strip():
        return title[match.end() :].strip()
    return title


def read_rfc_text(name: str, text: str) -> RfcText:
    """What the RFC file called ``name`` (its base name) with content ``text`` says about itself."""
    lines = text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n").split("\n")
    meta, body_start = _front_matter(lines)
    from_name = number_from_name(name)
    number, digits = from_name if from_name else (None, "")
    if number is None:
        for key in ("rfc", "number", "rfc-number", "rfc_number", "id"):
            found = _NUMBER_IN.search(meta.get(key, ""))
            if found is not None:
                number = int(found.group(1))
                break

    headings = _headings(lines, body_start)
    head_end = min(len(lines), body_start + 60)
    title = _plain(meta.get("title", ""))
    title_line = body_start - 1
    if not title:
        for index, _level, heading in headings:
            if heading and heading.lower().rstrip(":") not in _GENERIC_HEADINGS:
                title, title_line = heading, index
                break
    if not title:
        for line in lines[body_start:head_end]:
            feature = _meta_value(line, "feature name") or _meta_value(line, "title")
            if feature:
                title = feature
                break
    title = _clean_title(title, number) if title else _title_from_name(name)

    status = _plain(meta.get("status", ""))
    if not status:
        for line in lines[body_start:head_end]:
            value = _meta_value(line, "status")
            if value:
                status = value
                break

    summary = _plain(meta.get("summary", "") or meta.get("description", ""))
    if not summary:
        for position, (index, _level, heading) in enumerate(headings):
            if heading.lower().rstrip(":") in _SUMMARY_HEADINGS:
                end = headings[position + 1][0] if position + 1 < len(headings) else len(lines)
                summary = _first_paragraph(lines, index + 1, end)
                break
    if not summary:
        after_title = max(title_line + 1, body_start)
        summary = _first_paragraph(lines, after_title, len(lines))
    return RfcText(number=number, digits=digits, title=title, status=status, summary=_shorten(summary))
