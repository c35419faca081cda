"""Move a block down or up by whole lines, for blocks reused after an edit above them.

Written out per class instead of a generic attrs walk: after pressing Enter at the
top of a 20,000-task backlog every later block moves, and this is that hot path.
"""

from __future__ import annotations

from ..model import NO_REFERENCES, Block, Heading, IssueRef, Item, References, Span, TaskId, lineage_of
from .construct import block as _new_block, blocker as _blocker, dependency_id as _dependency_id, heading as _new_heading
from .construct import issue as _issue, item as _item, link as _link, placeholder as _placeholder, problem as _new_problem
from .construct import references as _references, rfc as _rfc, task_id as _task_id

_new_tuple = tuple.__new__  # a Span without the Python-level ``Span.__new__``: spans are most of what moves


def _span(span: Span, delta: int) -> Span:
    start_line, start_col, end_line, end_col = span
    return _new_tuple(Span, (start_line + delta, start_col, end_line + delta, end_col))


def shift_issue(ref: IssueRef, delta: int) -> IssueRef:
    return _issue(
        _span(ref.span, delta), ref.number, ref.style, ref.text, ref.prefix, ref.owner, ref.repo, ref.host, ref.url,
        ref.is_pull, ref.project,
    )


# Each kind of reference moved; most are empty, and an empty tuple stays as it is.
def _issues(refs: tuple[IssueRef, ...], delta: int) -> tuple[IssueRef, ...]:
    return tuple([shift_issue(r, delta) for r in refs]) if refs else refs


def _rest(refs: References, delta: int) -> tuple:
    """Placeholders, task IDs, RFCs, links, blockers and dependency IDs moved (rarer than issues)."""
    found = refs.placeholders
    placeholders = tuple([_placeholder(_span(p.span, delta), p.text, p.prefix) for p in found]) if found else found
    found = refs.task_ids
    task_ids = tuple([_task_id(_span(t.span, delta), t.text, t.number) for t in found]) if found else found
    found = refs.rfcs
    rfcs = tuple([_rfc(_span(r.span, delta), r.number, r.kind, r.text, r.target) for r in found]) if found else found
    found = refs.links
    links = (
        tuple(
            [
                _link(_span(k.span, delta), k.text, _span(k.text_span, delta), k.target, _span(k.target_span, delta), k.is_image)
                for k in found
            ]
        )
        if found
        else found
    )
    found = refs.blockers
    blockers = (
        tuple([_blocker(_span(b.span, delta), b.kind, b.name, None if b.issue is None else shift_issue(b.issue, delta)) for b in found])
        if found
        else found
    )
    found = refs.dependency_ids
    dependency_ids = tuple([_dependency_id(_span(d.span, delta), d.name) for d in found]) if found else found
    return placeholders, task_ids, rfcs, links, blockers, dependency_ids


def _refs(refs: References, delta: int) -> References:
    if refs is NO_REFERENCES or (not refs and refs.title_span is None):
        return refs
    placeholders, task_ids, rfcs, links, blockers, dependency_ids = _rest(refs, delta)
    return _references(
        _issues(refs.issues, delta),
        placeholders,
        task_ids,
        rfcs,
        links,
        _issues(refs.keys, delta),
        refs.title,
        None if refs.title_span is None else _span(refs.title_span, delta),
        blockers,
        dependency_ids,
    )


def shift_item(item: Item, delta: int, loose: bool | None = None) -> Item:
    """``item`` moved down by ``delta`` lines; with ``loose``, as an item of a list that is (or is not) loose."""
    # The spans are moved inline, not through ``_span``: a call per span was a third of an Enter.
    new = _new_tuple
    children = item.children
    a, b, c, d = item.span
    span = new(Span, (a + delta, b, c + delta, d))
    a, b, c, d = item.marker_span
    marker_span = new(Span, (a + delta, b, c + delta, d))
    a, b, c, d = item.text_span
    text_span = new(Span, (a + delta, b, c + delta, d))
    checkbox_span = item.checkbox_span
    if checkbox_span is not None:
        a, b, c, d = checkbox_span
        checkbox_span = new(Span, (a + delta, b, c + delta, d))
    refs = item.refs
    return _item(
        span,
        item.marker,
        marker_span,
        item.indent,
        item.checkbox,
        checkbox_span,
        item.text,
        text_span,
        refs if refs is NO_REFERENCES else _refs(refs, delta),
        tuple([shift_item(child, delta) for child in children]) if children else children,
        item.quote_depth,
        item.loose if loose is None else loose,
        lineage_of(item),  # the same text: what was remembered for the item is found again
    )


def with_looseness(item: Item, loose: bool) -> Item:
    """``item`` where it is, as an item of a list that became loose (or tight) by an edit elsewhere in it."""
    if item.loose == loose:
        return item
    return Item(
        item.span,
        item.marker,
        item.marker_span,
        item.indent,
        item.checkbox,
        item.checkbox_span,
        item.text,
        item.text_span,
        item.refs,
        item.children,  # a nested list's looseness is its own
        item.quote_depth,
        loose,
        lineage=lineage_of(item),  # the same text: what was remembered for the item is found again
    )


def _heading(heading: Heading, delta: int) -> Heading:
    task_id = heading.task_id
    return _new_heading(
        _span(heading.span, delta),
        heading.level,
        heading.title,
        _span(heading.title_span, delta),
        heading.number,
        _refs(heading.refs, delta),
        heading.setext,
        heading.task_state,
        None if task_id is None else _task_id(_span(task_id.span, delta), task_id.text, task_id.number),
    )


def shift_block(block: Block, delta: int) -> Block:
    """``block`` moved down by ``delta`` lines; its items are moved when first read (``Block.items``)."""
    if delta == 0:
        return block
    source = block.moved_from
    if source is not None:  # a copy not read yet: moved from its own source, never a chain of copies
        moved_from: tuple[Block, int] | None = (source[0], source[1] + delta)
    else:
        moved_from = (block, delta) if block.has_items else None
    heading, problems, inner_blocks = block.heading, block.problems, block.inner_blocks
    return _new_block(
        block.kind,
        block.start_line + delta,
        block.end_line + delta,
        None if heading is None else _heading(heading, delta),
        None if moved_from is not None else (),  # items
        _refs(block.refs, delta),
        tuple([_new_problem(_span(p.span, delta), p.code, p.message, p.replacement) for p in problems]) if problems else problems,
        block.link_definitions,
        tuple([(kind, first + delta, last + delta) for kind, first, last in inner_blocks]) if inner_blocks else inner_blocks,
        block.loose_items,
        None,  # walk
        block.lineage,
        moved_from,
    )
