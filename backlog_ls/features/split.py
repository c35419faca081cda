"""Split a compound task into several. Pure: a backlog and a line in, actions out.

"A and B", "A; B", "A, B and C", "A + B" and "stubs for: X, Y" (a shared head before a
colon) are split where the separator stands outside brackets and code spans. The text
is kept as written (no change of case).

- "Split into tasks": the task keeps the first part; the others follow it (after its
  subtasks) as siblings with the same indentation, marker and checkbox state.
- "Split into subtasks": the task is kept as it is and each part becomes a subtask
  (before any existing subtasks, indented like them).

A leading task ID stays on the first part; the new sibling tasks get new IDs after the
highest one of the same prefix in the document (no other task is renumbered). A leading
label ("**Backend:**", "Docs:", "**Parser** -") is kept, colon and all, on every new task;
subtasks get neither (their parent carries it). A leading verb the parts share is given to
each ("Add the parser and the checker" -> "Add the parser", "Add the checker"). Issue
references at the end of the text ("(#12)", "#TBD") stay on the first part. Only tasks
whose text fits on one line are split.
"""

from __future__ import annotations

import re

from ..model import Backlog, Item, Span
from ..rules import Edit
from ..rules.common import TakenNumbers, lead_task_id
from .edits import REWRITE, Action, item_at, own_lines

SPLIT_TASKS = "Split into tasks"
SPLIT_SUBTASKS = "Split into subtasks"

_OPEN = {"(": ")", "[": "]", "{": "}"}
_SEPARATORS = (
    re.compile(r"\s*;\s*"),
    re.compile(r"\s+\+\s+"),
    re.compile(r"\s*,\s*(?:(?:and|&)\s+)?|\s+(?:and|&)\s+"),  # "A, B and C": only where a comma is
    re.compile(r"\s+(?:and|&)\s+"),
)
# "**Task 1.9:** ": the closing bold too; and the tags a spec-kit ID carries ("T012 [P] [US1] ").
_ID_SEPARATOR = re.compile(r"[*_]*\s*[:\-–—)]?[*_]*\s*(?:\[[\w.-]{1,8}\]\s*)*")
# A label leading the text, kept on every part: "**Backend:** ", "**Parser** - ", "Docs: ".
_BOLD_LABEL = re.compile(r"(\*\*|__)(?P<label>[^*_\s][^*_]{0,40}?)\1[ \t]*(?:[:\-–—][ \t]+|(?<=:\*\*)[ \t]*|(?<=:__)[ \t]*)")
_PLAIN_LABEL = re.compile(r"(?P<label>[^\s:*_`\[(][^:`]{0,30}?):[ \t]+")
# A head that the parts complete ("Add stubs for: X, Y" -> "Add stubs for X"), unlike a label ("Docs: ").
_OPEN_HEAD = re.compile(
    r"(?:\b(?:for|to|of|on|in|into|with|about|from|like|as|including|between|across|per|via|and|or)|\be\.g\.)$", re.I
)
_COLON_HEAD = re.compile(r"^(?P<head>[^:]+?):\s+(?P<rest>.+)$")


def _masked(text: str) -> str:
    """``text`` with everything inside brackets and code spans replaced by "\\0" (same length)."""
    chars = list(text)
    closing: list[str] = []
    in_code = False
    for index, char in enumerate(text):
        if char == "`":
            in_code = not in_code
            continue
        if in_code:
            chars[index] = "\0"
        elif char in _OPEN:
            if closing:
                chars[index] = "\0"
            closing.append(_OPEN[char])
        elif closing and char == closing[-1]:
            closing.pop()
            if closing:
                chars[index] = "\0"
        elif closing:
            chars[index] = "\0"
    return "".join(chars)


def _split_on(text: str, pattern: re.Pattern[str]) -> list[str]:
    masked = _masked(text)
    parts, start = [], 0
    for match in pattern.finditer(masked):
        if match.end() == match.start():
            continue
        parts.append(text[start : match.start()])
        start = match.end()
    parts.append(text[start:])
    parts = [part.strip() for part in parts]
    return parts if len(parts) > 1 and all(parts) else []


def split_text(text: str) -> list[str]:
    """The parts of a compound task text, or [] when it is not one."""
    text = text.strip()
    masked = _masked(text)
    colon = _COLON_HEAD.match(masked)
    if colon is not None and _is_open_head(text[: colon.end("head")]):
        head, rest = text[: colon.end("head")], text[colon.start("rest") :]
        for pattern in _SEPARATORS[2:]:
            parts = _split_on(rest, pattern)
            if parts and (pattern is not _SEPARATORS[2] or "," in _masked(rest)):
                return [f"{head} {part}" for part in parts]
    for pattern in _SEPARATORS:
        if pattern is _SEPARATORS[2] and "," not in masked:
            continue
        parts = _split_on(text, pattern)
        if parts:
            return parts
    return []


def _is_open_head(head: str) -> bool:
    """Whether a head before a colon reads on into each part ("Add stubs for"), not a label ("Docs")."""
    return bool(_OPEN_HEAD.search(head.strip())) or len(head.split()) > 3


def _label_end(line: str, start: int) -> int:
    """Where a label leading the text at ``start`` ends ("**Backend:** ", "Docs: "); ``start`` when none."""
    bold = _BOLD_LABEL.match(line, start)
    if bold is not None:
        return bold.end()
    plain = _PLAIN_LABEL.match(line, start)
    if plain is not None and not _is_open_head(plain.group("label")) and "://" not in line[plain.end() - 1 : plain.end() + 2]:
        return plain.end()
    return start


def _trailing_refs(task: Item, line: str, end: int) -> int:
    """Where issue references at the end of the first line start ("... (#12)", "... #TBD"); ``end`` when none."""
    refs = [r.span for r in (*task.refs.issues, *task.refs.placeholders) if r.span.start_line == task.text_span.start_line]
    start = end
    for span in sorted(refs, key=lambda s: s.start_col, reverse=True):
        if span.end_col > start or line[span.end_col : start].strip(" \t)]},;"):
            break
        start = span.start_col
        before = line[:start].rstrip(" \t,;")
        if before.endswith(("(", "[")):
            start = len(before) - 1
    if start < end:
        start = len(line[:start].rstrip(" \t"))
    return max(start, task.text_span.start_col)


def _pieces(backlog: Backlog, task: Item) -> tuple[str, str, list[str], str] | None:
    """(lead, task ID text or "", parts, trailing references) of a task's one-line text."""
    lines = backlog.lines
    span = task.text_span
    if span.start_line != span.end_line or task.checkbox_span is None:
        return None
    line = lines[span.start_line]
    end = len(line.rstrip(" \t"))
    start = span.start_col
    lead, id_text = "", ""
    task_id = lead_task_id(task, lines)
    if task_id is not None and task_id.span.start_line == span.start_line:
        separator = _ID_SEPARATOR.match(line, task_id.span.end_col)
        lead_end = separator.end() if separator else task_id.span.end_col
        lead, id_text = line[start:lead_end], task_id.text
        start = lead_end
    else:
        lead_end = _label_end(line, start)
        lead, start = line[start:lead_end], lead_end
    refs_at = _trailing_refs(task, line, end)
    if refs_at <= start:
        refs_at = end
    parts = split_text(line[start:refs_at])
    if len(parts) < 2:
        return None
    return lead, id_text, distributed(parts), line[refs_at:end]


_DETERMINERS = frozenset("the a an all any each every its their our my this that these those new more some".split())


def distributed(parts: list[str]) -> list[str]:
    """The first part's leading verb given to the parts that share it: "Add the parser and the checker"
    -> "Add the checker" (a part opening with a determiner), "Choose Talos for K8s and Headscale for the
    mesh" -> "Choose Headscale for the mesh" (a part built like the first, minus its verb)."""
    first = parts[0].split()
    if len(first) < 2 or not first[0].isalpha() or first[0].lower() in _DETERMINERS:
        return parts
    verb = first[0]
    result = [parts[0]]
    for part in parts[1:]:
        words = part.split()
        shared = bool(words) and (
            words[0] in _DETERMINERS or (len(words) >= 2 and len(first) >= 3 and words[1] == first[2] and not words[1][:1].isupper())
        )
        result.append(f"{verb} {part}" if shared else part)
    return result


def split_actions(backlog: Backlog, line: int, newline: str = "\n") -> list[Action]:
    """"Split into tasks" and "Split into subtasks" for a compound task on ``line``."""
    found = item_at(backlog, line)
    if found is None:
        return []
    task = found[0]
    pieces = _pieces(backlog, task)
    if pieces is None:
        return []
    lead, id_text, parts, trailing = pieces
    lines = backlog.lines
    text_line = task.text_span.start_line
    first_line = lines[text_line]
    prefix = first_line[: task.text_span.start_col]
    end = len(first_line.rstrip(" \t"))
    first = Edit(Span.on_line(text_line, task.text_span.start_col, end), f"{lead}{parts[0]}{trailing}")

    # Siblings: after the whole task (its subtasks stay with the first part).
    taken = TakenNumbers.of_document(backlog)
    new_lines = []
    for part in parts[1:]:
        new_lead = lead
        task_id = lead_task_id(task, lines) if id_text else None
        if task_id is not None:
            new_id = taken.renumber(task_id)
            if new_id is not None:
                new_lead = lead.replace(id_text, new_id, 1)
        new_lines.append(f"{prefix}{new_lead}{part}")
    last = task.span.end_line
    at = Span.on_line(last, len(lines[last]), len(lines[last]))
    siblings = Action(SPLIT_TASKS, (first, Edit(at, "".join(newline + text for text in new_lines))), REWRITE)

    # Subtasks: right after the task's own text, indented like its first subtask.
    state = task.checkbox or " "
    if task.children:
        child = task.children[0]
        child_line = lines[child.span.start_line]
        if child.checkbox_span is not None:
            child_prefix = child_line[: child.checkbox_span.start_col] + f"[{state}] "
        else:
            child_prefix = child_line[: child.text_span.start_col] + f"[{state}] "
    else:
        child_prefix = " " * task.checkbox_span.start_col + f"{task.marker} [{state}] "
    own_last = own_lines(task)[-1]
    at = Span.on_line(own_last, len(lines[own_last]), len(lines[own_last]))
    subtasks = Action(SPLIT_SUBTASKS, (Edit(at, "".join(f"{newline}{child_prefix}{part}" for part in parts)),), REWRITE)
    return [siblings, subtasks]


SPLIT_AT_CURSOR = "Split task at cursor"


def split_at_cursor_action(backlog: Backlog, line: int, column: int, newline: str = "\n") -> Action | None:
    """"Split task at cursor": the text after the cursor becomes a new sibling task after this one.

    Offered when the cursor stands inside a one-line task's text, with words on both sides;
    the new task gets the same marker, indentation and checkbox, its subtasks stay with the first.
    """
    found = item_at(backlog, line)
    if found is None:
        return None
    task = found[0]
    span = task.text_span
    if span.start_line != line or span.end_line != line or not span.start_col < column < span.end_col:
        return None
    text = backlog.lines[line]
    left, right = text[span.start_col : column].rstrip(), text[column : span.end_col].strip()
    if not left or not right:
        return None
    cut = span.start_col + len(left)
    last = task.span.end_line
    prefix = text[: span.start_col]
    return Action(
        SPLIT_AT_CURSOR,
        (
            Edit(Span.on_line(line, cut, span.end_col), ""),
            Edit(Span.on_line(last, len(backlog.lines[last]), len(backlog.lines[last])), f"{newline}{prefix}{right}"),
        ),
        REWRITE,
    )
