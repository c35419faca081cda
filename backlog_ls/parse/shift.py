"""Move a block down or up by whole lines, for blocks reused after an edit above them.

Written out per class instead of a generic attrs walk: after pressing Enter at the
top of a 20,000-task backlog every later block moves, and this is that hot path.
"""

from __future__ import annotations

from ..model import (
    Block,
    Blocker,
    DependencyId,
    Heading,
    IssueRef,
    Item,
    Link,
    Placeholder,
    Problem,
    References,
    RfcRef,
    Span,
    TaskId,
    lineage_of,
)

_new_tuple = tuple.__new__  # a Span without the Python-level ``Span.__new__``: spans are most of what moves


def _span(span: Span, delta: int) -> Span:
    start_line, start_col, end_line, end_col = span
    return _new_tuple(Span, (start_line + delta, start_col, end_line + delta, end_col))


def _issue(ref: IssueRef, delta: int) -> IssueRef:
    return IssueRef(
        _span(ref.span, delta), ref.number, ref.style, ref.text, ref.prefix, ref.owner, ref.repo, ref.host, ref.url,
        ref.is_pull, ref.project,
    )


def _refs(refs: References, delta: int) -> References:
    if not refs and refs.title_span is None:
        return refs
    return References(
        issues=tuple(_issue(r, delta) for r in refs.issues),
        placeholders=tuple(Placeholder(_span(p.span, delta), p.text, p.prefix) for p in refs.placeholders),
        task_ids=tuple(TaskId(_span(t.span, delta), t.text, t.number) for t in refs.task_ids),
        rfcs=tuple(RfcRef(_span(r.span, delta), r.number, r.kind, r.text, r.target) for r in refs.rfcs),
        links=tuple(
            Link(_span(k.span, delta), k.text, _span(k.text_span, delta), k.target, _span(k.target_span, delta), k.is_image)
            for k in refs.links
        ),
        keys=tuple(_issue(k, delta) for k in refs.keys),
        title=refs.title,
        title_span=None if refs.title_span is None else _span(refs.title_span, delta),
        blockers=tuple(
            Blocker(_span(b.span, delta), b.kind, b.name, None if b.issue is None else _issue(b.issue, delta))
            for b in refs.blockers
        ),
        dependency_ids=tuple(DependencyId(_span(d.span, delta), d.name) for d in refs.dependency_ids),
    )


def shift_item(item: Item, delta: int) -> Item:
    return Item(
        span=_span(item.span, delta),
        marker=item.marker,
        marker_span=_span(item.marker_span, delta),
        indent=item.indent,
        checkbox=item.checkbox,
        checkbox_span=None if item.checkbox_span is None else _span(item.checkbox_span, delta),
        text=item.text,
        text_span=_span(item.text_span, delta),
        refs=_refs(item.refs, delta),
        children=tuple(shift_item(child, delta) for child in item.children),
        quote_depth=item.quote_depth,
        loose=item.loose,
        lineage=lineage_of(item),  # the same text: what was remembered for the item is found again
    )


def _heading(heading: Heading, delta: int) -> Heading:
    return Heading(
        span=_span(heading.span, delta),
        level=heading.level,
        title=heading.title,
        title_span=_span(heading.title_span, delta),
        number=heading.number,
        refs=_refs(heading.refs, delta),
        setext=heading.setext,
        task_state=heading.task_state,
        task_id=None if heading.task_id is None else TaskId(_span(heading.task_id.span, delta), heading.task_id.text, heading.task_id.number),
    )


def shift_block(block: Block, delta: int) -> Block:
    if delta == 0:
        return block
    return Block(
        kind=block.kind,
        start_line=block.start_line + delta,
        end_line=block.end_line + delta,
        heading=None if block.heading is None else _heading(block.heading, delta),
        items=tuple(shift_item(item, delta) for item in block.items),
        refs=_refs(block.refs, delta),
        problems=tuple(Problem(_span(p.span, delta), p.code, p.message, p.replacement) for p in block.problems),
        link_definitions=block.link_definitions,
        inner_blocks=tuple((kind, first + delta, last + delta) for kind, first, last in block.inner_blocks),
        lineage=block.lineage,
    )
