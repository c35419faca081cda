from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from backlog_ls.features.dod import (
    DefinitionOfDone,
    definition_of_done,
    hover_text,
    is_dod_title,
)
from backlog_ls.parse import parse

from .conftest import SHARED, require_shared

EXAMPLES = SHARED / "examples"
CORPUS = SHARED / "corpus"


def dod_of(text: str) -> DefinitionOfDone | None:
    return definition_of_done(parse(textwrap.dedent(text).lstrip("\n")))


def read(path: Path) -> str:
    return require_shared(path).read_text(encoding="utf-8")


def test_example_with_a_numbered_definition_of_done():
    dod = definition_of_done(parse(read(EXAMPLES / "000_d75c51bba9a042cf.txt")))
    assert dod is not None
    assert dod.title == "Definition of Done (DoD)"
    assert dod.heading_line == 2
    assert dod.intro == "A task is considered complete and may be marked `[x]` only when:"
    assert dod.ordered
    assert len(dod.criteria) == 6
    assert dod.criteria[0].startswith("**Local Verification:** All tests/builds pass")
    assert dod.plain_criteria[0].startswith("Local Verification: All tests/builds pass")
    assert dod.plain_criteria[5] == "State Sync: `@PROGRESS.md` and `@TODO.md` are updated."
    assert dod.parts == ()
    hover = hover_text(dod)
    assert hover.startswith(
        "**Definition of Done (DoD)** (line 3)\n\n"
        "A task is considered complete and may be marked `[x]` only when:\n\n"
        "1. **Local Verification:** All tests/builds pass inside the `Containerfile.test` Podman environment.\n"
        "2. **Standardization:** "
    )
    assert hover.endswith("6. **State Sync:** `@PROGRESS.md` and `@TODO.md` are updated.")


def test_hover_text_exactly():
    dod = dod_of(
        """
        # Backlog

        ## DoD

        Before ticking:

        - [ ] Code reviewed
        - Tests **pass**
          on CI and locally
        * Docs updated

        ### Release Definition of Done
        1. Changelog written
        2. Tag signed

        ## Phase 1

        - [x] Something
        """
    )
    assert dod == DefinitionOfDone(
        title="DoD",
        heading_line=2,
        criteria=("Code reviewed", "Tests **pass** on CI and locally", "Docs updated"),
        intro="Before ticking:",
        ordered=False,
        parts=(
            DefinitionOfDone(
                title="Release Definition of Done",
                heading_line=11,
                criteria=("Changelog written", "Tag signed"),
                ordered=True,
            ),
        ),
    )
    assert hover_text(dod) == (
        "**DoD** (line 3)\n\n"
        "Before ticking:\n\n"
        "- Code reviewed\n- Tests **pass** on CI and locally\n- Docs updated\n\n"
        "**Release Definition of Done**\n\n"
        "1. Changelog written\n2. Tag signed"
    )


def test_corpus_definitions_of_done():
    concord = definition_of_done(parse(read(CORPUS / "06-Concord-Voice--Concord-Voice--ROADMAP.md")))
    assert concord is not None and concord.title == "🎯 Definition of Done" and concord.criteria == ()
    assert [part.title for part in concord.parts] == [
        "Feature Definition of Done",
        "Sprint Definition of Done",
        "Release Definition of Done",
    ]
    assert concord.parts[0].criteria[0] == "Code written and reviewed"  # the checkbox is left out
    zeltra = definition_of_done(parse(read(CORPUS / "18-0xReLogic--Zeltra--docs__ROADMAP.md")))
    assert zeltra is not None and [part.title for part in zeltra.parts][:2] == ["Phase 1 Done When:", "Phase 2 Done When:"]
    planted = definition_of_done(parse(read(CORPUS / "21-0cked--planted-tank-lab--TODO.md")))
    assert planted is not None and planted.ordered and len(planted.criteria) == 5
    assert planted.criteria[3].startswith("**The production site would look or behave differently")
    # A bold "**Definition of done:**" line inside a milestone is not a section.
    assert definition_of_done(parse(read(CORPUS / "03-ConduitIO--conduit--ROADMAP.md"))) is None


def test_no_definition_of_done():
    assert dod_of("# Backlog\n\n- [x] done\n") is None
    assert dod_of("## Definition of Done\n\n| a | b |\n|---|---|\n| 1 | 2 |\n") is None  # nothing readable
    assert dod_of("## Done\n\n- [x] a task\n") is None


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("Definition of Done (DoD)", True),
        ("definition of done", True),
        ("🎯 Definition   of Done", True),
        ("DoD", True),
        ("Team DOD", True),
        ("plan.dod.md", False),
        ("Done criteria", False),
        ("Dodge the bullet", False),
    ],
)
def test_is_dod_title(title, expected):
    assert is_dod_title(title) is expected
