"""rfc-link-text-mismatch (BL404): a link whose text names one RFC number and whose target is another.

``[RFC 0068](../rfcs/0069-host-first-execution.md)`` reads as RFC 0068 and opens
RFC 0069: one of the two is a copy-paste slip. The number in the text is read from
"RFC 0068", "RFC-68" or a file name ("docs/rfcs/0068-x.md"); the target's from its
file name, or from an RFC Editor URL (``https://www.rfc-editor.org/rfc/rfc2616``).

Two fixes are offered, neither applied by ``--fix`` (only the author knows which
number is right): change the number in the text, or, when the project has exactly
one RFC with the text's number, point the link at that file.

Bad:

    **RFC**: [docs/rfcs/0068-cnb-library.md](../rfcs/0069-rust-cnb-launcher.md)

Good:

    **RFC**: [docs/rfcs/0069-rust-cnb-launcher.md](../rfcs/0069-rust-cnb-launcher.md)
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from ..model import Span
from ..rfc import NO_PROJECT_RFCS, relative_link
from ..rfc.cite import (
    IETF,
    PROJECT,
    Citation,
    citations,
    ietf_number_in_url,
    numbers_in_text,
)
from . import WARNING, Context, Edit, Finding, Fix, Rule

_DIGITS = re.compile(r"\d+")


def _target_digits(citation: Citation) -> str:
    """The target's number as its file name writes it ("0069"), or the plain number."""
    name = (citation.target or "").split("#", 1)[0].rstrip("/").rsplit("/", 1)[-1]
    match = re.match(r"(?:rfc[-_]?)?(\d+)", name, re.IGNORECASE)
    return match.group(1) if match else str(citation.number)


def _number_span(text: str, text_span: Span, number: int) -> Span | None:
    """Where in the link text the (first) mention of ``number`` is, as a span; None across lines."""
    if text_span.start_line != text_span.end_line:
        return None
    for match in _DIGITS.finditer(text):
        if int(match.group()) == number:
            return Span.on_line(text_span.start_line, text_span.start_col + match.start(), text_span.start_col + match.end())
    return None


def _check(context: Context) -> Iterator[Finding]:
    rfcs = context.rfcs
    projects = getattr(rfcs, "projects", None) or NO_PROJECT_RFCS
    seen_links: set[Span] = set()
    for citation in citations(context.backlog):
        link = citation.link
        if link is None or link.span in seen_links:
            continue
        seen_links.add(link.span)
        if citation.kind == PROJECT and citation.target is not None:
            target_number = citation.number
        elif citation.kind == IETF:
            url_number = ietf_number_in_url(link.target)
            if url_number is None:
                continue
            target_number = url_number
        else:
            continue
        named = numbers_in_text(link.text)
        if not named or target_number in named:
            continue
        target_digits = _target_digits(citation) if citation.kind == PROJECT else str(target_number)
        text_number = named[0]
        fixes: list[Fix] = []
        number_span = _number_span(link.text, link.text_span, text_number)
        if number_span is not None:
            fixes.append(Fix(f"Change the text to {target_digits}", (Edit(number_span, target_digits),), safe=False))
        if citation.kind == PROJECT:
            candidates = projects.numbered(text_number)
            if len(candidates) == 1 and link.target_span.start_line == link.target_span.end_line:
                new_target = relative_link(context.path, candidates[0].path) if context.path else None
                if new_target:
                    fixes.append(
                        Fix(f"Link to {candidates[0].label} ('{new_target}')", (Edit(link.target_span, new_target),), safe=False)
                    )
        text_label = f"RFC {_written(link.text, text_number)}"
        yield RULE.finding(
            link.text_span,
            f"The link text names {text_label} but the link goes to RFC {target_digits} ('{link.target}').",
            fixes,
        )


def _written(text: str, number: int) -> str:
    for match in _DIGITS.finditer(text):
        if int(match.group()) == number:
            return match.group()
    return str(number)


RULE = Rule(
    name="rfc-link-text-mismatch",
    code="BL404",
    severity=WARNING,
    summary="A link whose text names one RFC number while its target is another RFC's file or URL.",
    check=_check,
)
