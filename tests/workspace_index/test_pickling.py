"""What a worker process sends back for a file (its summary and cross-file facts) crosses
intact, and every frozen value in it is pickled as its class and fields (``backlog_ls.pickling``)."""

from __future__ import annotations

import pickle
from pathlib import Path

import attrs
import pytest

from backlog_ls.config import Settings
from backlog_ls.pickling import by_fields
from backlog_ls.providers import workspace_index

BACKLOG = """\
# Phase 1: Café set-up

- [ ] **Task 1.1** (#12): Parse the index ✅ see owner/repo#7 and ABC-42
  - [x] Task 1.2: Subtask, after Task 1.1 ([spec](docs/spec.md#part))
- [ ] Task 1.3 (Issue #9): Résumé of [RFC 2119](https://www.rfc-editor.org/rfc/rfc2119)

## Notes <a name="notes"></a>

Prose naming #12.

- [ ] Task 1.4: Follows [Task 1.1](other.md)
"""


def _values(value, found: list) -> None:
    """Every attrs value reachable from ``value``, depth first."""
    if attrs.has(type(value)):
        found.append(value)
        for field in attrs.fields(type(value)):
            _values(getattr(value, field.name), found)
    elif isinstance(value, (tuple, list, frozenset, set)):
        for element in value:
            _values(element, found)
    elif isinstance(value, dict):
        for key, element in value.items():
            _values(key, found)
            _values(element, found)


@pytest.fixture
def read(tmp_path: Path):
    path = tmp_path / "BACKLOG.md"
    path.write_text(BACKLOG, encoding="utf-8")
    (tmp_path / "other.md").write_text("# Other\n", encoding="utf-8")
    return workspace_index.read_file(str(path), 0, (Settings(), str(tmp_path)))


def test_a_files_summary_and_facts_cross_a_process_boundary_intact(read):
    path, summary, (facts, stat) = read
    assert summary is not None and summary.tasks and summary.mentions and summary.links and facts.ids
    back_path, back_summary, (back_facts, back_stat) = pickle.loads(pickle.dumps(read, protocol=pickle.HIGHEST_PROTOCOL))
    assert (back_path, back_summary, back_facts, back_stat) == (path, summary, facts, stat)
    # The fields equality leaves out: the non-ASCII lines that convert columns, the line count.
    assert back_summary.lines == summary.lines and 0 in back_summary.lines and 2 in back_summary.lines
    assert back_summary.line_count == summary.line_count == len(BACKLOG.split("\n"))
    assert [task.text for task in back_summary.tasks] == ["Task 1.1 (#12): Parse the index ✅ see owner/repo#7 and ABC-42",
                                                          "Task 1.2: Subtask, after Task 1.1 (spec)",
                                                          "Task 1.3 (Issue #9): Résumé of RFC 2119",
                                                          "Task 1.4: Follows Task 1.1"]


def test_every_frozen_value_a_worker_sends_is_pickled_by_its_fields(read):
    found: list = []
    _values(read, found)
    assert {type(value).__name__ for value in found} >= {"FileSummary", "TaskEntry", "Mention", "LinkEntry", "SectionEntry",
                                                         "IssueKey", "FileFacts", "NamedId", "ClaimedIssue", "TaskLink"}
    for value in found:
        names = [field.name for field in attrs.fields(type(value))]
        assert value.__reduce__() == (type(value), tuple(getattr(value, name) for name in names)), type(value)
    # No field name travels with each value (attrs' own state for slotted classes writes them all).
    assert b"text_span" not in pickle.dumps(read)


def test_a_class_whose_fields_cannot_be_given_by_position_is_refused_at_once():
    @attrs.frozen
    class KeywordOnly:
        number: int = attrs.field(kw_only=True)

    @attrs.frozen
    class Converted:
        number: int = attrs.field(converter=int)

    for cls in (KeywordOnly, Converted):
        with pytest.raises(AssertionError):
            by_fields(cls)
