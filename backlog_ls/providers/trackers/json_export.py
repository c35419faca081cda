"""Issues from an exported JSON file: no network, no token.

Reads the output of ``gh issue list --state all --json number,title,state,labels,assignees,body,url,updatedAt``
(state OPEN/CLOSED, labels ``[{name}]``, assignees ``[{login}]``), and the JSON the GitHub,
GitLab and Gitea issue APIs answer with (a list, or an object holding it under ``issues``).
A file that cannot be read raises ``TrackerError`` (bad_response, or not_found when missing)
with a message naming the file and the problem; items that are not issues are skipped
and counted.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Mapping

import attrs

from ...tracker import TrackerIssue
from ..workspace_paths import MAX_EXPORT_BYTES, RefusedPath, read_regular_file
from . import BAD_RESPONSE, NOT_FOUND, TrackerError, issue_from_json

log = logging.getLogger(__name__)

MAX_FILE_BYTES = MAX_EXPORT_BYTES


@attrs.frozen
class JsonExport:
    issues: list[TrackerIssue]
    skipped: int
    mtime: float


def parse_export(text: str, source: str = "the issues file") -> tuple[list[TrackerIssue], int]:
    """The issues in an export, and how many items were skipped; TrackerError when it is not one."""
    try:
        data = json.loads(text)
    except ValueError as problem:
        raise TrackerError(BAD_RESPONSE, f"{source} is not valid JSON: {problem}") from None
    if isinstance(data, Mapping):
        for key in ("issues", "items", "data", "nodes"):
            if isinstance(data.get(key), list):
                data = data[key]
                break
    if not isinstance(data, list):
        raise TrackerError(BAD_RESPONSE, f"{source} holds no list of issues (expected the output of `gh issue list --json ...`)")
    issues: list[TrackerIssue] = []
    skipped = 0
    for item in data:
        try:
            issues.append(issue_from_json(item))
        except (ValueError, KeyError, TypeError):
            skipped += 1
    if data and not issues:
        raise TrackerError(BAD_RESPONSE, f"{source} holds {len(data)} items but none is an issue with a number and a title")
    return issues, skipped


def read_export(path: str, workspace: str | None = None) -> JsonExport:
    """Read and parse the file at ``path`` (blocking IO: call it off the event loop).

    With ``workspace``, a path that leaves it (symlinks resolved) is refused; a device, FIFO or
    file over ``MAX_FILE_BYTES`` always is.
    """
    try:
        raw = read_regular_file(path, MAX_FILE_BYTES, workspace)
        mtime = os.stat(path).st_mtime
    except RefusedPath as refused:
        raise TrackerError(BAD_RESPONSE, f"the issues file is not read: {refused}") from None
    except FileNotFoundError:
        raise TrackerError(NOT_FOUND, f"the issues file {path} does not exist") from None
    except OSError as problem:
        raise TrackerError(BAD_RESPONSE, f"cannot read the issues file {path}: {problem.strerror or problem}") from None
    text = raw.decode("utf-8-sig", errors="replace")
    issues, skipped = parse_export(text, path)
    if skipped:
        log.warning("Skipped %d items of %s that are not issues", skipped, path)
    return JsonExport(issues, skipped, mtime)
