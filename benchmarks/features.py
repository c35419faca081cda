#!/usr/bin/env python3
"""Latency of hover and completion, in process (the request handlers add only conversion).

    python benchmarks/features.py

Issue completion after ``#`` and issue hover with 10,000 cached issues (targets: completion
p95 <= 20 ms, hover p95 <= 10 ms), and RFC completion and hover on a 20,000-task backlog.
Prints p50 and p95 in milliseconds. A benchmark, not a test: nothing fails on a slow machine.
"""

from __future__ import annotations

import random
import statistics
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from backlog_ls import convert  # noqa: E402
from backlog_ls.features import hover  # noqa: E402
from backlog_ls.features.completion import CompletionRequest, complete  # noqa: E402
from backlog_ls.features.issues import IssueContext, referenced_issues  # noqa: E402
from backlog_ls.parse import parse  # noqa: E402
from backlog_ls.tracker import MemoryIssues, Repository, TrackerIssue  # noqa: E402

WORDS = "fix login timeout storage engine cache crash docs cli server client auth token retry parse".split()


def _issues(count: int = 10_000) -> MemoryIssues:
    rng = random.Random(1)
    base = datetime(2024, 1, 1, tzinfo=timezone.utc)
    return MemoryIssues(
        [
            TrackerIssue(
                number,
                " ".join(rng.choice(WORDS) for _ in range(5)),
                "open" if rng.random() < 0.3 else "closed",
                url=f"https://github.com/a/b/issues/{number}",
                body="Body line\n" * 12,
                updated_at=base + timedelta(minutes=rng.randrange(500_000)),
                closed_at=base + timedelta(minutes=rng.randrange(500_000)),
            )
            for number in range(1, count + 1)
        ],
        Repository("github", "a", "b"),
    )


def _report(name: str, samples: list[float]) -> None:
    ordered = sorted(samples)
    p95 = ordered[max(0, int(len(ordered) * 0.95) - 1)]
    print(f"| {name} | {statistics.median(ordered) * 1000:.2f} | {p95 * 1000:.2f} |")


def issue_features() -> None:
    source = _issues()
    text = "\n".join(f"- [ ] **Task {i} (Issue #{i * 5 + 1}):** do {i}" for i in range(2000))
    for query in ("", "4", "login"):
        backlog = parse(text + "\n- [ ] New #" + query)
        lines = backlog.lines
        samples = []
        for _ in range(60):
            start = time.perf_counter()
            context = IssueContext(source, referenced_issues(backlog), {})
            result = complete(CompletionRequest(backlog, len(lines) - 1, len(lines[-1]), issues=context))
            convert.completion_list(result, lines, "utf-16")
            samples.append(time.perf_counter() - start)
        _report(f"issue completion after `#{query}` (10,000 issues)", samples)
    backlog = parse(text)
    samples = []
    for line in range(0, 2000, 5):
        start = time.perf_counter()
        hover.hover(backlog, line, backlog.lines[line].index("#") + 1, issues=source)
        samples.append(time.perf_counter() - start)
    _report("issue hover (10,000 issues)", samples)


def main() -> int:
    print("| request | p50 ms | p95 ms |")
    print("|---|---|---|")
    issue_features()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
