"""Completion and hover with 10,000 issues: a bounded answer, and an answer for every reference.

Their speed is measured by ``benchmarks/features.py``, not asserted here.
"""

from __future__ import annotations

import json
import random
from datetime import datetime, timedelta, timezone

from backlog_ls import convert
from backlog_ls.features import hover
from backlog_ls.features.completion import CompletionRequest, complete
from backlog_ls.features.issues import LIMIT, IssueContext, referenced_issues
from backlog_ls.parse import parse
from backlog_ls.tracker import MemoryIssues, Repository, TrackerIssue

WORDS = ["fix", "login", "timeout", "storage", "engine", "cache", "crash", "docs", "cli", "server", "client", "auth", "token", "retry", "parse"]


def _source() -> MemoryIssues:
    rng = random.Random(1)
    base = datetime(2024, 1, 1, tzinfo=timezone.utc)
    issues = [
        TrackerIssue(
            n,
            " ".join(rng.choice(WORDS) for _ in range(5)),
            "open" if rng.random() < 0.3 else "closed",
            url=f"https://github.com/a/b/issues/{n}",
            body="Body line\n" * 12,
            updated_at=base + timedelta(minutes=rng.randrange(500000)),
            closed_at=base + timedelta(minutes=rng.randrange(500000)),
        )
        for n in range(1, 10_001)
    ]
    return MemoryIssues(issues, Repository("github", "a", "b"))


def test_completion_and_hover_with_ten_thousand_issues():
    source = _source()
    text = "\n".join(f"- [ ] **Task {i} (Issue #{i * 5 + 1}):** do {i}" for i in range(2000))
    for query in ("", "4", "login", "retry-cache"):
        backlog = parse(text + "\n- [ ] New #" + query)
        lines = backlog.lines
        context = IssueContext(source, referenced_issues(backlog), {})
        result = complete(CompletionRequest(backlog, len(lines) - 1, len(lines[-1]), issues=context))
        answer = json.loads(convert.completion_list_text(result, lines, "utf-16"))
        assert len(answer["items"]) == len(result.items) <= 2 * LIMIT

    backlog = parse(text)
    for line in range(0, 2000, 5):
        found = hover.hover(backlog, line, backlog.lines[line].index("#") + 1, issues=source)
        assert found is not None and f"#{line * 5 + 1}" in found.markdown
