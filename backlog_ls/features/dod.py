"""The document's own Definition of Done: found, read, and worded for a hover.

Many backlogs state when a task may be ticked, under a heading such as
``## Definition of Done (DoD)``, as a short intro and a list of criteria.
``definition_of_done`` finds the first such section (a heading that says
"Definition of Done", or "DoD" as a word) and reads it into a plain value;
subsections (``### Sprint Definition of Done``, ``### Phase 1 Done When:``) become
its ``parts``. ``hover_text`` words it as Markdown for the hover over a ticked
checkbox, so the author sees the criteria while ticking.

Criteria keep their Markdown as written (``**Local Verification:** ...``): a hover
renders it, and the text stays what the author wrote. The checkbox of a criterion
written as a task (``- [ ] Code reviewed``) is left out. Pure: a ``Backlog`` in,
plain values out.
"""

from __future__ import annotations

import re

import attrs

from ..model import Backlog, Item, Section

_DOD_WORD_CASED = re.compile(r"\bDoD\b|\bDOD\b")
_DOD_PHRASE = re.compile(r"\bdefinition\s+of\s+done\b", re.IGNORECASE)
_EMPHASIS = re.compile(r"\*\*|__|(?<![\w*])[*_](?=\S)|(?<=\S)[*_](?![\w*])")
_INTRO_WIDTH = 400


@attrs.frozen
class DefinitionOfDone:
    """A Definition of Done section: ``criteria`` are its list items, ``intro`` the paragraph before them."""

    title: str
    heading_line: int  # 0-based
    criteria: tuple[str, ...]
    intro: str | None = None
    ordered: bool = False  # the criteria are numbered (an author may refer to "criterion 4")
    parts: tuple[DefinitionOfDone, ...] = ()  # subsections, each read the same way

    @property
    def plain_criteria(self) -> tuple[str, ...]:
        """The criteria without bold and italic markers: "Local Verification: All tests ..."."""
        return tuple(_EMPHASIS.sub("", criterion) for criterion in self.criteria)

    @property
    def empty(self) -> bool:
        return not self.criteria and self.intro is None and not self.parts


def is_dod_title(title: str) -> bool:
    """``Definition of Done`` in any case, or the word ``DoD``/``DOD`` (not "dod" inside a file name)."""
    return bool(_DOD_PHRASE.search(title) or _DOD_WORD_CASED.search(title))


def definition_of_done(backlog: Backlog) -> DefinitionOfDone | None:
    """The first Definition of Done section of the document, or None when there is none or it says nothing."""
    for root in backlog.sections:
        for section in root.walk():
            if is_dod_title(section.title):
                dod = _read(backlog, section)
                return None if dod.empty else dod
    return None


def _read(backlog: Backlog, section: Section) -> DefinitionOfDone:
    items = section.items
    parts = tuple(part for part in (_read(backlog, child) for child in section.children) if not part.empty)
    return DefinitionOfDone(
        title=" ".join(section.title.split()),
        heading_line=section.heading.span.start_line,
        criteria=tuple(criterion for criterion in (_criterion(item) for item in items) if criterion),
        intro=_intro(backlog, section),
        ordered=bool(items) and items[0].marker[:1].isdigit(),
        parts=parts,
    )


def _criterion(item: Item) -> str:
    return " ".join(item.text.split())


def _intro(backlog: Backlog, section: Section) -> str | None:
    """The first paragraph between the heading and the section's first list or subsection."""
    heading_line = section.heading.span.start_line
    seen_heading = False
    for block in backlog.blocks:
        if not seen_heading:
            seen_heading = block.heading is not None and block.start_line == heading_line
            continue
        if block.heading is not None or block.has_items:
            return None
        if block.kind == "paragraph":
            text = " ".join(" ".join(backlog.lines[block.start_line : block.end_line + 1]).split())
            if len(text) > _INTRO_WIDTH:
                text = text[: _INTRO_WIDTH - 1].rstrip() + "…"
            return text or None
    return None


def hover_text(dod: DefinitionOfDone) -> str:
    """Markdown showing the Definition of Done: its title and line, the intro, the criteria, then each part."""
    out: list[str] = []
    _append(dod, out, f"**{_EMPHASIS.sub('', dod.title)}** (line {dod.heading_line + 1})")
    return "\n\n".join(out)


def _append(dod: DefinitionOfDone, out: list[str], title: str) -> None:
    out.append(title)
    if dod.intro:
        out.append(dod.intro)
    if dod.criteria:
        if dod.ordered:
            out.append("\n".join(f"{number}. {text}" for number, text in enumerate(dod.criteria, 1)))
        else:
            out.append("\n".join(f"- {text}" for text in dod.criteria))
    for part in dod.parts:
        _append(part, out, f"**{_EMPHASIS.sub('', part.title)}**")
