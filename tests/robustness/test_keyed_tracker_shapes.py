"""Jira and Linear answers of every wrong shape: read or refused with ValueError/KeyError/TypeError, never
anything else, never a hang; the ADF renderer takes any JSON; key scanning stays linear on a long line."""

from __future__ import annotations

import json
import random
import time

from backlog_ls.parse import parse
from backlog_ls.providers.trackers.jira import jira_issue
from backlog_ls.providers.trackers.linear import linear_issue
from backlog_ls.tracker.adf import adf_to_markdown

from . import budget

VALUES = [None, True, 0, -1, 1.5, "", "x", "ABC-1", "ENG-1", [], {}, [None], {"key": None}, "2024-01-01T00:00:00.000+0000"]
FIELDS = ["key", "identifier", "fields", "summary", "status", "statusCategory", "title", "state", "type", "labels",
          "nodes", "fixVersions", "assignee", "description", "updated", "content", "text", "marks", "attrs", "name"]


def _random_json(rng: random.Random, depth: int = 0):
    if depth > 4 or rng.random() < 0.3:
        return rng.choice(VALUES)
    if rng.random() < 0.5:
        return [_random_json(rng, depth + 1) for _ in range(rng.randint(0, 3))]
    return {rng.choice(FIELDS): _random_json(rng, depth + 1) for _ in range(rng.randint(0, 5))}


def test_any_shape_is_read_or_refused_cleanly():
    rng = random.Random(16)
    rounds = budget.count(2_000, 100_000)
    read = refused = 0
    for _ in range(rounds):
        item = _random_json(rng)
        if isinstance(item, dict) and rng.random() < 0.5:
            item = {**item, "key": "ABC-7", "identifier": "ENG-7", "title": "t", "fields": {"summary": "s", **(item.get("fields") if isinstance(item.get("fields"), dict) else {})}}
        for parse_one in (lambda i: jira_issue(i, "https://acme.atlassian.net"), linear_issue):
            try:
                parse_one(item)
                read += 1
            except (ValueError, KeyError, TypeError):
                refused += 1
        assert isinstance(adf_to_markdown(item), str)
        json.dumps(item)
    budget.report("keyed tracker shapes", rounds=rounds, read=read, refused=refused)
    assert read and refused


def test_a_long_line_of_key_lookalikes_scans_in_linear_time():
    line = "- [ ] " + " ".join(f"UTF-{n} ABC-{n} A-{n}-{n}" for n in range(budget.count(20_000, 200_000)))
    started = time.monotonic()
    backlog = parse(line + "\n")
    elapsed = time.monotonic() - started
    keys = sum(len(refs.keys) for refs in backlog.references())
    assert keys >= 40_000 and elapsed < 10, elapsed
