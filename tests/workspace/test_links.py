"""Relative links: document links to files and headings, path and anchor completion, edits when files move."""

from __future__ import annotations

import os


from backlog_ls.features.completion import CompletionRequest, complete
from backlog_ls.features.links import Listing, file_document_links, links_of, rename_edits
from backlog_ls.model import Span
from backlog_ls.parse import parse
from backlog_ls.providers.files import DiskFiles

from .fixtures import FILES, ROADMAP, write_workspace


def test_relative_links_are_document_links_to_the_file_or_heading(tmp_path):
    text = ROADMAP + "- [ ] See [the top](#roadmap), [GitHub](https://github.com), [root](/abs.md).\n"
    found = file_document_links(parse(text), str(tmp_path / "ROADMAP.md"), lambda path, anchor: 2 if anchor == "release" else None)
    assert [(link.span, link.target, link.tooltip) for link in found] == [
        (Span(3, 57, 3, 69), (tmp_path / "docs/plan.md").as_uri(), "docs/plan.md"),
        (Span(3, 86, 3, 98), (tmp_path / "docs/plan.md").as_uri(), "docs/plan.md"),
        (Span(4, 22, 4, 42), (tmp_path / "docs/plan.md").as_uri() + "#L3", "docs/plan.md#release"),
        (Span(4, 60, 4, 73), (tmp_path / "docs/notes.md").as_uri(), "docs/notes.md"),
        (Span(5, 20, 5, 28), (tmp_path / "ROADMAP.md").as_uri() + "#L1", "ROADMAP.md#roadmap"),
    ]


def _listing() -> Listing:
    disk = DiskFiles()
    return Listing(disk.entries, disk.anchors)


def _complete(tmp_path, text: str, column: int | None = None, relative: str = "ROADMAP.md"):
    backlog = parse(text)
    line = len(backlog.lines) - 1
    column = len(backlog.lines[line]) if column is None else column
    request = CompletionRequest(backlog, line, column, str(tmp_path / relative), files=_listing())
    result = complete(request)
    return [] if result is None else [(item.label, item.new_text, item.span) for item in result.items]


def test_paths_complete_in_a_link_target(tmp_path):
    write_workspace(tmp_path)
    (tmp_path / "docs/my notes.md").write_text("# Mine\n")
    assert _complete(tmp_path, "- [ ] Read [the plan](") == [
        ("docs/", "docs/", Span(0, 22, 0, 22)),
        ("ARCHIVE.md", "ARCHIVE.md", Span(0, 22, 0, 22)),
    ]
    assert _complete(tmp_path, "- [ ] Read [the plan](docs/p") == [
        ("my notes.md", "my%20notes.md", Span(0, 27, 0, 28)),
        ("notes.md", "notes.md", Span(0, 27, 0, 28)),
        ("plan.md", "plan.md", Span(0, 27, 0, 28)),
    ]


def test_anchors_complete_after_hash(tmp_path):
    write_workspace(tmp_path)
    assert _complete(tmp_path, "- [ ] Read [the plan](docs/plan.md#re") == [
        ("#plan", "plan", Span(0, 35, 0, 37)),
        ("#release", "release", Span(0, 35, 0, 37)),
    ]
    assert _complete(tmp_path, "# Goals\n\n## Next steps\n\n- [ ] Back to [goals](#") == [
        ("#goals", "goals", Span(4, 23, 4, 23)),
        ("#next-steps", "next-steps", Span(4, 23, 4, 23)),
    ]


def test_no_path_completion_outside_a_link_target_or_in_a_url(tmp_path):
    write_workspace(tmp_path)
    assert _complete(tmp_path, "- [ ] Read the plan (docs/") == []
    assert _complete(tmp_path, "- [ ] Read [the plan](https://example.com/") == []


ROOT = "/w"


def _edits(renames, files: dict[str, str]):
    found = rename_edits(
        [(f"{ROOT}/{old}", f"{ROOT}/{new}") for old, new in renames],
        [(f"{ROOT}/{path}", list(links_of(parse(text)))) for path, text in files.items()],
    )
    return {path.removeprefix(ROOT + "/"): [(edit.span, edit.new_text) for edit in edits] for path, edits in found.items()}


def _apply(text: str, edits) -> str:
    lines = text.split("\n")
    for span, new_text in sorted(edits, reverse=True):
        line = lines[span.start_line]
        lines[span.start_line] = line[: span.start_col] + new_text + line[span.end_col :]
    return "\n".join(lines)


def test_moving_a_file_updates_the_links_to_it_and_keeps_their_anchor():
    edits = _edits([("docs/plan.md", "plans/2026/plan.md")], FILES)
    assert sorted(edits) == ["ROADMAP.md"]
    assert _apply(FILES["ROADMAP.md"], edits["ROADMAP.md"]).splitlines()[3:5] == [
        "- [ ] **Task 1.2 (#13):** Write the docs, see [Task 2.1](plans/2026/plan.md) and [Task 9.9](plans/2026/plan.md).",
        "- [ ] Read the [plan](plans/2026/plan.md#release) and the [notes](docs/notes.md).",
    ]


def test_moving_a_file_rewrites_its_own_links_from_its_new_folder():
    edits = _edits([("docs/notes.md", "notes.md")], FILES)
    assert _apply(FILES["docs/notes.md"], edits["docs/notes.md"]).splitlines()[3] == "- [ ] Back to the [roadmap](ROADMAP.md)."
    assert _apply(FILES["ROADMAP.md"], edits["ROADMAP.md"]).splitlines()[4] == (
        "- [ ] Read the [plan](docs/plan.md#release) and the [notes](notes.md)."
    )


def test_renaming_a_folder_moves_every_link_below_it_and_keeps_the_way_it_was_written():
    files = {"README.md": "See [a](./docs/plan.md), [b](docs/my%20notes.md?plain=1#x), [c](docs/), [d](https://x.org/docs/plan.md).\n"}
    edits = _edits([("docs", "design docs")], files)
    assert _apply(files["README.md"], edits["README.md"]) == (
        "See [a](./design%20docs/plan.md), [b](design%20docs/my%20notes.md?plain=1#x), [c](design%20docs/), [d](https://x.org/docs/plan.md).\n"
    )


def test_a_move_that_changes_no_link_edits_nothing():
    assert _edits([("ARCHIVE.md", "old/ARCHIVE.md")], {k: v for k, v in FILES.items() if k != "ARCHIVE.md"}) == {}


def _linking_workspace(tmp_path, count: int):
    (tmp_path / "plan.md").write_text("# Plan\n", encoding="utf-8")
    for n in range(count):
        (tmp_path / f"note{n}.md").write_text(f"# Note {n}\n\nSee the [plan](plan.md).\n", encoding="utf-8")
    return [(str(tmp_path / "plan.md"), str(tmp_path / "done" / "plan.md"))]


def test_a_move_reads_every_markdown_file_when_there_is_time(tmp_path):
    from backlog_ls.providers.workspace_links import linking_files

    renames = _linking_workspace(tmp_path, 4)
    linking = linking_files([str(tmp_path)], renames, use_git=False)
    assert sorted(os.path.basename(path) for path, _, _ in linking.found) == [f"note{n}.md" for n in range(4)]
    assert linking.unread == 0 and linking.warning is None


def test_a_move_stops_reading_at_its_time_limit_and_says_how_many_files_it_left_out(tmp_path):
    from backlog_ls.providers.workspace_links import linking_files

    renames = _linking_workspace(tmp_path, 4)
    ticks = iter(range(100))  # one second passes at each look at the clock
    linking = linking_files([str(tmp_path)], renames, use_git=False, seconds=2.5, clock=lambda: next(ticks))
    # The clock reads 0 at the start, then 1, 2, 3 before the first three files: two are read.
    assert len(linking.found) == 2 and linking.unread == 3
    assert linking.warning == (
        "this move's link edits leave out 3 Markdown files of the workspace (not read within 2.5 s): "
        "their links to the moved files may need fixing by hand."
    )


def test_a_move_in_a_workspace_over_the_file_limit_says_so(tmp_path, monkeypatch):
    from backlog_ls.providers import workspace_links

    monkeypatch.setattr(workspace_links, "MAX_FILES", 3)
    renames = _linking_workspace(tmp_path, 4)
    linking = workspace_links.linking_files([str(tmp_path)], renames, use_git=False)
    assert linking.unread == 2  # five Markdown files, plan.md among them
    assert "leave out 2 Markdown files of the workspace (over the 3-file limit)" in linking.warning
