"""How long the issue cache takes to load: 10,000 issues from SQLite into memory.

    .venv/bin/python benchmarks/issues_cache.py [COUNT]

Writes a cache in a temporary folder (titles, two labels, an assignee, a 400-character body,
three timestamps per issue), then times ``IssueService`` construction (what the server does
at start) and ``get`` / ``all``. Budget: under 100 ms for 10,000 issues.
"""

from __future__ import annotations

import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from backlog_ls.providers.trackers.cache import CacheMeta, IssueCache
from backlog_ls.providers.trackers.service import IssueService
from backlog_ls.tracker import Repository, TrackerIssue
from backlog_ls.tracker.settings import IssuesSettings


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    repository = Repository("github", "octo", "repo")
    base = datetime(2024, 1, 1, tzinfo=timezone.utc)
    issues = [
        TrackerIssue(
            number=n,
            title=f"Issue number {n}: make the thing do the other thing",
            state="open" if n % 3 else "closed",
            url=f"https://github.com/octo/repo/issues/{n}",
            is_pull=n % 5 == 0,
            labels=("bug", "area/ui"),
            assignees=("ana",),
            milestone="v1.0" if n % 2 else None,
            body="Lorem ipsum dolor sit amet. " * 14,
            created_at=base + timedelta(minutes=n),
            updated_at=base + timedelta(minutes=2 * n),
            closed_at=None if n % 3 else base + timedelta(minutes=3 * n),
        )
        for n in range(1, count + 1)
    ]
    with tempfile.TemporaryDirectory() as folder:
        cache = IssueCache.for_repository(repository, folder)
        started = time.perf_counter()
        cache.save(CacheMeta(etag='"x"', fetched_at=base, since=base, full_at=base, complete=True), issues, replace=True)
        write = time.perf_counter() - started
        size = Path(cache.path).stat().st_size
        timings = []
        for _ in range(7):
            started = time.perf_counter()
            service = IssueService(IssuesSettings(), None, folder, {}, repository=repository, use_gh=False)
            timings.append(time.perf_counter() - started)
        assert len(service) == count
        started = time.perf_counter()
        for n in range(1, count + 1):
            service.get(n)
        get = (time.perf_counter() - started) / count
        started = time.perf_counter()
        total = sum(1 for _ in service.all())
        walk = time.perf_counter() - started
    timings.sort()
    print(f"issues: {count}, cache file {size / 1e6:.1f} MB, write {write * 1000:.0f} ms")
    print(f"load (IssueService construction): median {timings[3] * 1000:.1f} ms, best {timings[0] * 1000:.1f} ms")
    print(f"get: {get * 1e6:.2f} us each; all(): {walk * 1000:.2f} ms for {total}")


if __name__ == "__main__":
    main()
