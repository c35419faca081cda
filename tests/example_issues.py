"""Issues for the example backlogs, as `gh issue list --json ...` exports them: #13 is open (a ticked
task names it in examples/BACKLOG.md and in ../shared/examples/000_*.txt), #12 is closed.

Shared by the tests that give the server tracker data through an export file (no network).
"""

ISSUE_13_OPEN = {
    "number": 13,
    "title": "File-level restart-survivable storage engine",
    "state": "OPEN",
    "labels": [{"name": "storage"}],
    "assignees": [{"login": "iamrichardd"}],
    "body": "Persist records to disk.\n\nSurvive restarts.",
    "url": "https://github.com/iamrichardd/pharos/issues/13",
    "updatedAt": "2024-06-01T10:00:00Z",
}

ISSUE_12_CLOSED = {
    "number": 12,
    "title": "mdb CLI client",
    "state": "CLOSED",
    "labels": [],
    "assignees": [],
    "body": "",
    "url": "https://github.com/iamrichardd/pharos/issues/12",
    "updatedAt": "2024-05-01T10:00:00Z",
}

ISSUE_40_OPEN = {  # cited in neither example: what completion after `#` can offer
    "number": 40,
    "title": "Web dashboard for the health monitor",
    "state": "OPEN",
    "labels": [],
    "assignees": [],
    "body": "",
    "url": "https://github.com/iamrichardd/pharos/issues/40",
    "updatedAt": "2024-06-02T10:00:00Z",
}
