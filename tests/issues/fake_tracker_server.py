"""A backlog-ls server with an injected issue source that can file issues: ``python -m tests.issues.fake_tracker_server``.

Stands in for the real ``IssueService`` (built by ``server._issue_source_for`` once the
tracker providers land): ``create_issue`` answers after a short pause, as a network would.
"""

from __future__ import annotations

import asyncio
import sys

import attrs

from backlog_ls import server as server_module
from backlog_ls.tracker import OPEN, MemoryIssues, Repository, TrackerIssue


@attrs.define
class CreatableIssues(MemoryIssues):
    version: int = 0
    refreshed: int = 0

    async def create_issue(self, title: str, body: str) -> TrackerIssue:
        await asyncio.sleep(0.05)
        number = max((issue.number for issue in self.issues), default=0) + 1
        issue = TrackerIssue(number, title, OPEN, url=f"https://github.com/acme/app/issues/{number}", body=body)
        self.issues.append(issue)
        self.version += 1
        return issue

    async def refresh(self) -> bool:
        await asyncio.sleep(0.01)
        self.refreshed += 1
        return False


def main() -> None:
    server = server_module.create_server()
    server.issues = CreatableIssues([TrackerIssue(41, "Earlier work", OPEN)], Repository("github", "acme", "app"))
    protocol_out = sys.stdout.buffer
    sys.stdout = sys.stderr
    server.start_io(sys.stdin.buffer, protocol_out)


if __name__ == "__main__":
    main()
