"""The cross-file rules on the real backlogs of ../shared/corpus and corpus2, every finding judged.

The corpus files come from many repositories, flattened into one folder as
``NN-owner--repo--path__to__file.md``. Two files share issues and task IDs only inside one
repository, so the measurement puts each file back where it was (``/repos/owner/repo/path/to/file.md``)
with its repository as the project: what ``backlog-ls check`` sees in a clone. The flat folder
itself is no project (no git work tree, no configuration): there the files share nothing.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest

from backlog_ls.parse import parse
from backlog_ls.rules.across_files import check_across, facts_of

from ..conftest import shared_files

JUDGED = Path(__file__).parent.parent / "snapshots" / "corpus-across-files-judged.json"
_NAME = re.compile(r"\d+-(?P<owner>.+?)--(?P<repo>.+?)--(?P<path>.+)$")


def _in_its_repository(path: Path) -> tuple[str, str]:
    """(the file's path in its repository, the repository) as the measurement places it."""
    match = _NAME.match(path.name)
    if match is None:  # the corpus's own README: a repository of its own
        return f"/repos/{path.stem}/{path.name}", f"/repos/{path.stem}"
    repository = f"/repos/{match['owner']}/{match['repo']}"
    return f"{repository}/{match['path'].replace('__', '/')}", repository


def _findings(files: list[Path]) -> list[dict]:
    facts, names = [], {}
    for path in files:
        text = path.read_bytes().decode("utf-8", errors="replace")
        placed, project = _in_its_repository(path)
        names[os.path.abspath(placed)] = path.name
        facts.append(facts_of(parse(text), placed, project))
    return [
        {"file": names[where], "line": finding.span.start_line + 1, "code": finding.code, "message": finding.message}
        for where, found in sorted(check_across(facts).items())
        for finding in found
    ]


@pytest.mark.shared("corpus", "corpus2")
def test_every_cross_file_finding_on_the_corpora_is_judged_and_none_is_wrong():
    judged = json.loads(JUDGED.read_text(encoding="utf-8"))
    keys = ("file", "line", "code", "message")
    found = _findings(shared_files("corpus")) + _findings(shared_files("corpus2"))
    assert [{key: record[key] for key in keys} for record in judged["findings"]] == found
    assert all(record["verdict"] in ("right", "arguable", "noise") and record["reason"] for record in judged["findings"])


@pytest.mark.shared("corpus", "corpus2")
def test_the_flat_corpus_folders_are_no_project():
    """``backlog-ls check ../shared/corpus`` compares no two files: the folder is in no git work tree."""
    from backlog_ls.providers.config_file import ConfigLoader

    loader = ConfigLoader()
    for folder in ("corpus", "corpus2"):
        assert loader.for_path(str(shared_files(folder)[0])).workspace is None
