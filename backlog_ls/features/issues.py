"""Tracker issues in the editor: hover, completion, document links, the inserted form. Pure.

Every function takes the parsed document and an ``IssueSource`` (``backlog_ls.tracker``:
cached tracker data, answered at once) and returns plain values; ``convert.py`` makes
protocol values of them. Nothing here waits for the network: a source answers from
its cache, and a source that has no data yet simply has no issues.

- Hover on ``#12``, ``Issue #12``, ``GH-12``, ``owner/repo#12`` or an issue URL: the
  title, the state (open; closed with its date; merged or draft for pull requests),
  labels, assignees, milestone, the first lines of the body and a link; "as of" the
  time of the cached data when that is stale. On a placeholder (``#TBD``): what it
  means and which actions fill it.
- Completion after ``#`` (not where ``#`` begins a heading, nor in code), ``Issue #``,
  ``GH-`` and ``owner/repo#``: the repository's issues, open ones first, then the
  recently closed ones, plus the numbers the open documents already cite.
- Document links: every reference whose URL is known.
- Jira and Linear keys (``ABC-12``): only those of the source's ``projects`` are issues
  (``tracker_refs``); ``UTF-8`` or ``SHA-1`` never are. Hover, completion after ``ABC-``,
  links and the tracker rules treat them like numbers, each in its own project's data.

Completion with 10,000 issues: the ordered list and each issue's search key are
built once per source version (``issue_index``); a request filters those keys
(a substring test each, about 2 ms for 10,000) and builds at most ``LIMIT`` items.
The list is marked incomplete when more matched, so the client asks again as the
user types; sending all 10,000 items (several megabytes with their documentation)
on every ``#`` would cost the client more than the server.
"""

from __future__ import annotations

import logging
import re
import weakref
from collections import Counter
from itertools import chain
from operator import attrgetter
from collections.abc import Iterable, Iterator, Mapping
from datetime import datetime, timezone
from typing import Any
from urllib.parse import urlsplit

import attrs

from ..memo import MISSING, BlockMemo, LineageMemo
from ..model import LONG_LIST_ITEMS, Backlog, Block, IssueRef, Item, Placeholder, Span, lineage_of
from ..parse.inline import tracker_url
from ..rules import Edit
from ..tracker import Repository, TrackerIssue
from .block_links import LinkSource
from .completion import REFERENCE, CompletionItem, CompletionRequest, CompletionResult
from .edits import item_at, section_here

log = logging.getLogger(__name__)

LIMIT = 100  # completion items sent at once; more come as the user types
BODY_LINES = 8
BODY_CHARS = 600
STYLE_SAMPLES = 200  # references read to learn how the document writes issue numbers

CREATE_ISSUE_TITLE = "Create issue from task"
ADD_REFERENCE_TITLE = "Add issue reference"

_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>#|])")


def _md(text: str) -> str:
    """Plain text made safe to put in Markdown."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", text)


# --- when the source's data changes ------------------------------------------------------------------

_generation = 0


def issues_changed() -> None:
    """The server calls this when a source's data changed: cached indexes and rule findings are stale."""
    global _generation
    _generation += 1


def source_token(source: Any) -> tuple:
    """What identifies one state of a source's data: equal tokens, same issues."""
    if source is None:
        return (None,)
    return (id(source), getattr(source, "version", None), getattr(source, "fetched_at", None), _generation)


def holds_nothing(source: Any) -> bool:
    """Whether ``source`` can answer nothing yet: no issue cached, and no repository's (or project's)
    list known complete. The tracker rules then find nothing: every lookup misses, and a missing
    number is "unknown" only against a complete list. The usual state of the default provider
    ("auto") with no token or before its first refresh, where walking every task to learn that
    cost a third of the first check of a 2,000-task backlog. False whenever it cannot tell."""
    try:
        parts = getattr(source, "parts", None)
        if parts is not None:  # several sources behind one (Jira, Linear, [[issues.sources]])
            return all(holds_nothing(part) for part in parts)
        # ``knows()`` asks about the source's own repository: a complete list of another is never
        # known where this one's is not (a source is complete for its own repository or none).
        return not source.knows() and next(iter(source.all()), None) is None
    except Exception:  # noqa: BLE001 - a broken source is asked, and logged, by the rules themselves
        return False


def same_repository(source: Any, owner: str | None, name: str | None) -> bool:
    """True when ``owner``/``name`` (None: unqualified) is the source's own repository."""
    if owner is None:
        return True
    repository = getattr(source, "repository", None)
    return repository is not None and (owner.lower(), (name or "").lower()) == (
        repository.owner.lower(),
        repository.name.lower(),
    )


def ref_repository(ref: IssueRef) -> tuple[str | None, str | None]:
    """The (owner, repo) a reference names; (None, None) for an unqualified one. A link's URL counts."""
    if ref.owner is not None:
        return ref.owner, ref.repo
    if ref.url:
        parts = tracker_url(ref.url)
        if parts is not None:
            return parts["owner"], parts["repo"]
    return None, None


def tracker_projects(source: Any) -> frozenset[str]:
    """The Jira project / Linear team keys whose ``ABC-12`` are issues in ``source``."""
    try:
        return frozenset(getattr(source, "projects", None) or ())
    except Exception:  # noqa: BLE001 - a broken source must not break a hover, completion or rule
        return frozenset()


def tracker_refs(refs: Any, source: Any) -> tuple[IssueRef, ...]:
    """The issue references in ``refs``: numbered ones, and the keys of the source's projects, in order."""
    if not refs:
        return ()
    keys = refs.keys
    if not keys:
        return refs.issues
    projects = tracker_projects(source)
    wanted = tuple(key for key in keys if key.project in projects)
    if not wanted:
        return refs.issues
    return tuple(sorted((*refs.issues, *wanted), key=lambda ref: ref.span))


def ref_name(ref: IssueRef) -> str:
    """``ABC-12`` or ``#12``: how a message names the issue a reference points at."""
    return ref.key or f"#{ref.number}"


def lookup(source: Any, ref: IssueRef) -> TrackerIssue | None:
    """The cached issue a reference names, or None."""
    if source is None:
        return None
    if ref.project is not None:
        try:
            return source.get_key(ref.project, ref.number) if hasattr(source, "get_key") else None
        except Exception:  # noqa: BLE001 - a broken source must not break a hover, completion or rule
            return None
    owner, repo = ref_repository(ref)
    if owner is not None and same_repository(source, owner, repo):
        owner = repo = None
    try:
        return source.get(ref.number, owner, repo)
    except Exception:  # noqa: BLE001 - a broken source must not break a hover, completion or rule
        return None


def web_origin(repository: Repository) -> str:
    """``scheme://host[:port]`` of the tracker's web pages: https on the host, unless a custom API
    URL on that host says otherwise (a tracker at ``http://127.0.0.1:18765`` keeps both)."""
    if repository.api_url:
        parts = urlsplit(repository.api_url)
        host = (parts.hostname or "").lower()
        if parts.scheme in ("http", "https") and host and host == repository.host.lower() and host != "api.github.com":
            return f"{parts.scheme}://{parts.netloc.rpartition('@')[2]}"
    return f"https://{repository.host}"


def issue_url(repository: Repository | None, number: int, pull: bool = False) -> str | None:
    """The web address of issue ``number`` in ``repository``, when its kind says how to build it."""
    if repository is None or not repository.owner or not repository.name:
        return None
    base = f"{web_origin(repository)}/{repository.owner}/{repository.name}"
    if repository.kind == "gitlab":
        return f"{base}/-/{'merge_requests' if pull else 'issues'}/{number}"
    if repository.kind in ("github", "gitea", "forgejo", "json"):
        return f"{base}/{'pull' if pull else 'issues'}/{number}"
    return None


def url_for(ref: IssueRef, source: Any) -> str | None:
    """The URL of the issue a reference names: written in it, cached, or built from its repository."""
    if ref.url:
        return ref.url
    issue = lookup(source, ref)
    if issue is not None and issue.url:
        return issue.url
    if ref.project is not None:
        return None  # a key the cache does not hold: no address to guess
    repository = getattr(source, "repository", None)
    if ref.owner is not None and not same_repository(source, ref.owner, ref.repo):
        host = ref.host or (repository.host if repository is not None else "github.com")
        kind = repository.kind if repository is not None and repository.host == host else "github"
        repository = Repository(kind, ref.owner, ref.repo or "", host)
    return issue_url(repository, ref.number, ref.is_pull)


# --- what the cursor is on -------------------------------------------------------------------------------


def block_references(block: Block):
    """Every ``References`` in one block: its heading, its prose, its list items at any depth."""
    if block.heading is not None:
        yield block.heading.refs
    if block.refs:
        yield block.refs
    for item, _parent in block.walk:
        if item.refs:
            yield item.refs


def reference_at(backlog: Backlog, line: int, column: int, source: Any = None) -> IssueRef | Placeholder | None:
    """The issue reference or placeholder under the cursor (a key only of one of ``source``'s projects)."""
    block = backlog.block_at(line)
    if block is None:
        return None
    for refs in block_references(block):
        for found in (*tracker_refs(refs, source), *refs.placeholders):
            if found.span.contains(line, column):
                return found
    return None


# --- hover ---------------------------------------------------------------------------------------------


def _date(moment: datetime | None) -> str:
    return moment.strftime("%Y-%m-%d") if moment is not None else ""


def _time(moment: datetime) -> str:
    if moment.tzinfo is not None:
        moment = moment.astimezone(timezone.utc)
        return moment.strftime("%Y-%m-%d %H:%M UTC")
    return moment.strftime("%Y-%m-%d %H:%M")


def state_text(issue: TrackerIssue) -> str:
    """"Open", "Closed on 2024-05-02", "Merged on ...", "Draft" (pull requests); Jira, Linear: the status ("In Progress")."""
    if issue.status:
        return issue.status
    if issue.is_pull:
        if issue.merged:
            return f"Merged on {_date(issue.closed_at)}" if issue.closed_at else "Merged"
        if issue.is_open:
            return "Draft" if issue.draft else "Open"
    if issue.is_open:
        return "Open"
    return f"Closed on {_date(issue.closed_at)}" if issue.closed_at else "Closed"


def body_excerpt(body: str, lines: int = BODY_LINES, chars: int = BODY_CHARS) -> str:
    """The first lines of an issue's body (Markdown as written), cut at ``lines`` lines or ``chars`` characters."""
    text = body.replace("\r\n", "\n").replace("\r", "\n").strip("\n")
    kept: list[str] = []
    size = 0
    cut = False
    for number, line in enumerate(text.split("\n")):
        if number >= lines or size + len(line) > chars:
            cut = True
            if not kept and line:
                kept.append(line[:chars].rstrip())
            break
        kept.append(line)
        size += len(line) + 1
    while kept and not kept[-1].strip():
        kept.pop()
    excerpt = "\n".join(kept)
    if sum(1 for line in kept if line.lstrip().startswith(("```", "~~~"))) % 2:
        excerpt += "\n```"  # a fence cut in the middle: close it, or the rest of the hover is code
    if cut and excerpt:
        excerpt += "\n\n…"
    return excerpt


def _kind(issue: TrackerIssue | None, ref: IssueRef | None) -> str:
    pull = (issue.is_pull if issue is not None else False) or (ref is not None and ref.is_pull)
    return "Pull request" if pull else "Issue"


def _name(ref: IssueRef, source: Any) -> str:
    if ref.key is not None:
        return ref.key
    owner, repo = ref_repository(ref)
    if owner is not None and not same_repository(source, owner, repo):
        return f"{owner}/{repo}#{ref.number}"
    return f"#{ref.number}"


def issue_markdown(issue: TrackerIssue, source: Any = None, name: str | None = None) -> str:
    """Everything worth seeing about one issue, as Markdown."""
    parts = [f"**{_kind(issue, None)} {name or issue.name}**: {_md(issue.title)}"]
    facts = [f"**{_md(state_text(issue))}**"]
    if issue.labels:
        facts.append(" ".join(f"`{label}`" for label in issue.labels))
    if issue.assignees:
        at = "" if issue.key else "@"  # Jira and Linear show people by name, not login
        facts.append(", ".join(f"{at}{_md(login)}" for login in issue.assignees))
    if issue.fix_versions:
        facts.append(f"Fix version: {', '.join(_md(version) for version in issue.fix_versions)}")
    if issue.priority:
        facts.append(f"Priority: {_md(issue.priority)}")
    if issue.milestone:
        facts.append(f"Milestone: {_md(issue.milestone)}")
    if issue.sub_issues_total:
        facts.append(f"{issue.sub_issues_closed}/{issue.sub_issues_total} sub-issues closed")
    parts.append(" · ".join(facts))
    if issue.blocked_by:
        parts.append("Blocked by " + ", ".join(_blocker(source, number) for number in issue.blocked_by))
    excerpt = body_excerpt(issue.body)
    if excerpt:
        parts.append(excerpt)
    if issue.url:
        parts.append(f"[{issue.url}]({issue.url})")
    parts.extend(_as_of(source))
    return "\n\n".join(parts)


def _blocker(source: Any, number: int) -> str:
    """``#4 (open): title`` when the cache holds the blocker, else ``#4``."""
    try:
        found = source.get(number) if source is not None else None
    except Exception:  # noqa: BLE001 - a broken source must not break a hover
        found = None
    if found is None:
        return f"#{number}"
    return f"#{number} ({'open' if found.is_open else 'closed'}: {_md(found.title)})"


def _as_of(source: Any) -> list[str]:
    if source is None or not getattr(source, "stale", False):
        return []
    fetched = getattr(source, "fetched_at", None)
    if fetched is None:
        return ["_From cached tracker data that may be out of date._"]
    return [f"_As of {_time(fetched)}: the cached tracker data may be out of date._"]


def missing_markdown(ref: IssueRef, source: Any) -> str:
    """What a hover says of a reference the cache has no issue for."""
    name = _name(ref, source)
    parts = [f"**{_kind(None, ref)} {name}**"]
    owner, repo = ref_repository(ref)
    if source is None:
        parts.append("No issue tracker is configured (`[issues]` in `.backlog-ls.toml`), so nothing is known about it.")
    elif ref.project is not None:
        if _knows_project(source, ref.project):
            parts.append(f"The tracker has no issue {_md(ref.key or '')} in project {_md(ref.project)}.")
        else:
            parts.append(f"No tracker data is cached yet for project {_md(ref.project)}.")
    elif owner is not None and not same_repository(source, owner, repo):
        parts.append(f"No tracker data is cached for {_md(owner)}/{_md(repo or '')}.")
    elif _knows(source, None, None):
        where = getattr(source, "repository", None)
        place = f" {where.slug}" if where is not None else ""
        parts.append(f"The tracker{_md(place)} has no issue or pull request with this number.")
    elif getattr(source, "fetched_at", None) is None:
        parts.append("No tracker data is cached yet: refresh the issues (command **backlog-ls: Refresh issues**).")
    else:
        parts.append("This issue is not in the cached tracker data.")
    url = url_for(ref, source)
    if url:
        parts.append(f"[{url}]({url})")
    return "\n\n".join(parts)


def _knows_project(source: Any, project: str) -> bool:
    try:
        return bool(source.knows_project(project))
    except Exception:  # noqa: BLE001 - a broken source must not break a hover, completion or rule
        return False


def _knows(source: Any, owner: str | None, name: str | None) -> bool:
    try:
        return bool(source.knows(owner, name))
    except Exception:  # noqa: BLE001 - a broken source must not break a hover, completion or rule
        return False


def placeholder_markdown(placeholder: Placeholder, creatable: bool = True) -> str:
    """What a placeholder means, and which actions fill it."""
    create = f"**{CREATE_ISSUE_TITLE}**: files an issue from this task and writes its number here"
    if not creatable:
        create += " (once a tracker that can file issues is configured)"
    actions = [create, f"**{ADD_REFERENCE_TITLE}**: type `#` here for the repository's issues"]
    return "\n\n".join(
        [
            f"**{_md(placeholder.text)}** is a placeholder: the issue for this task is not filed yet.",
            "Fill it with a code action:\n\n" + "\n".join(f"- {action}" for action in actions),
        ]
    )


def can_create_issues(source: Any) -> bool:
    """Whether "Create issue from task" can work with ``source``: it files issues and has a tracker to file them in."""
    try:
        return hasattr(source, "create_issue") and bool(getattr(source, "can_create", True))
    except Exception:  # noqa: BLE001 - a broken source must not break a hover
        return False


def issue_hover(backlog: Backlog, line: int, column: int, source: Any) -> tuple[str, Span] | None:
    """Markdown about the issue reference or placeholder under the cursor, and its span."""
    found = reference_at(backlog, line, column, source)
    if found is None:
        return None
    if isinstance(found, Placeholder):
        return placeholder_markdown(found, creatable=can_create_issues(source)), found.span
    issue = lookup(source, found)
    if issue is None:
        return missing_markdown(found, source), found.span
    return issue_markdown(issue, source, _name(found, source)), found.span


# --- the cached, ordered list of a source's issues ----------------------------------------------------


def _sort_moment(issue: TrackerIssue) -> float:
    moment = (issue.updated_at if issue.is_open else (issue.closed_at or issue.updated_at)) or issue.created_at
    if moment is None:
        return 0.0
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.timestamp()


class IssueIndex:
    """A source's issues, ordered for completion (open first, then closed; newest first), with search keys."""

    def __init__(self, issues: Iterable[TrackerIssue]):
        issues = list(issues)
        issues.sort(key=lambda issue: (not issue.is_open, -_sort_moment(issue), -issue.number))
        self.ordered: list[TrackerIssue] = issues
        self.by_number: dict[int, TrackerIssue] = {}
        for issue in issues:
            self.by_number.setdefault(issue.number, issue)
        self.numbers: list[str] = [str(issue.number) for issue in issues]
        self.keys: list[str] = [f"{issue.number} {issue.title}".lower() for issue in issues]
        self._docs: dict[int, str] = {}

    def documentation(self, issue: TrackerIssue) -> str:
        doc = self._docs.get(issue.number)
        if doc is None:
            facts = [f"**{state_text(issue)}**"]
            if issue.labels:
                facts.append(" ".join(f"`{label}`" for label in issue.labels))
            doc = " · ".join(facts)
            excerpt = body_excerpt(issue.body)
            if excerpt:
                doc += "\n\n" + excerpt
            self._docs[issue.number] = doc
        return doc

    def matching(self, query: str) -> tuple[list[int], bool]:
        """Positions in ``ordered`` matching the query (at most ``LIMIT``), and whether more matched."""
        query = query.strip().lower()
        if not query:
            return list(range(min(LIMIT, len(self.ordered)))), len(self.ordered) > LIMIT
        found: list[int] = []
        if query.isdigit():
            exact = [i for i, number in enumerate(self.numbers) if number == query]
            found = exact + [i for i, number in enumerate(self.numbers) if number.startswith(query) and number != query]
        else:
            words = query.replace("-", " ").split()
            keys = self.keys
            if len(words) == 1:
                word = words[0]
                found = [i for i, key in enumerate(keys) if word in key]
            else:
                found = [i for i, key in enumerate(keys) if all(word in key for word in words)]
        return found[:LIMIT], len(found) > LIMIT


_index_cache: dict[int, tuple[Any, tuple, IssueIndex]] = {}


def issue_index(source: Any) -> IssueIndex:
    """The source's ``IssueIndex``, built once per state of its data (see ``source_token``)."""
    token = source_token(source)
    cached = _index_cache.get(id(source))
    if cached is not None and cached[0]() is source and cached[1] == token:
        return cached[2]
    try:
        issues = list(source.all()) if source is not None else []
    except Exception:  # noqa: BLE001 - a broken source must not break a hover, completion or rule
        issues = []
    index = IssueIndex(issues)
    if len(_index_cache) > 8:
        _index_cache.clear()
    try:
        ref = weakref.ref(source)
    except TypeError:
        ref = lambda source=source: source
    _index_cache[id(source)] = (ref, token, index)
    return index


def prepare_completion(backlog: Backlog, source: Any) -> None:
    """Compute ahead (on a thread) what completion after "#" reads: the numbers the document cites
    and the source's ``IssueIndex``. Each is remembered, so the request finds them ready."""
    try:
        referenced_issues(backlog)
        if source is not None:
            issue_index(source)
    except Exception:  # noqa: BLE001 - the request computes them itself
        log.exception("Could not prepare issue completion")


# --- numbers the documents already cite ----------------------------------------------------------------

class CitedIssues(dict):
    """Unqualified issue numbers cited -> the text of the first task citing it ("" when only a heading
    or a paragraph cites it); remembers its numbers in order for completion's "cited, not cached" items."""

    _sorted: list[int] | None = None
    _unknown: tuple[Mapping[int, Any], list[int]] | None = None

    def numbers(self) -> list[int]:
        if self._sorted is None:
            self._sorted = sorted(self)
        return self._sorted

    def numbers_not_in(self, known: Mapping[int, Any]) -> list[int]:
        """``numbers()`` less those in ``known`` (a tracker's issues by number), for the last ``known`` asked."""
        unknown = self._unknown
        if unknown is None or unknown[0] is not known:
            unknown = self._unknown = (known, [number for number in self.numbers() if number not in known])
        return unknown[1]


# Per block, found again for a block moved by an Enter above it (the numbers and texts do not
# depend on where the block sits): (numbers cited with a task's text, numbers cited without one).
_referenced_memo = BlockMemo(across_moves=True)
# The same per top-level item of a long list, whose block is new after any edit inside it.
_item_referenced_memo = LineageMemo()
# Where a parsed document keeps its whole CitedIssues, so the requests of one completion session
# with no edit between them read nothing again (it goes with the Backlog).
_CITED_ATTRIBUTE = "_cited_issues"

_Cited = tuple[dict[int, str], dict[int, str]]  # (numbers cited with a task's text, numbers cited without one)
_NO_CITES: _Cited = ({}, {})


def _block_referenced(block: Block) -> _Cited:
    return _referenced_memo.get(block, lambda: _read_referenced(block))


def _read_referenced(block: Block) -> _Cited:
    if block.item_count >= LONG_LIST_ITEMS:
        texted, bare = _merged_in_chunks(block.items, lineage_of, _item_referenced, _ITEM_CHUNKS)
    else:
        texted, bare = _items_referenced(pair[0] for pair in block.walk)
    outside = [
        ref.number
        for refs in (block.heading.refs if block.heading is not None else None, block.refs)
        for ref in (refs.issues if refs else ())
        if ref.owner is None and not ref.url and ref.number not in texted
    ]
    if outside:  # a new dict: ``bare`` may be remembered (or the shared empty one)
        bare = {**bare, **dict.fromkeys(outside, "")}
    return texted, bare


def _item_referenced(item: Item) -> _Cited:
    lineage = lineage_of(item)
    found = _item_referenced_memo.peek(lineage)
    if found is MISSING:
        found = _item_referenced_memo.put(lineage, _items_referenced(item.walk()))
    return found


def _items_referenced(items: Iterable[Item]) -> _Cited:
    texted: dict[int, str] = {}
    for item in items:
        for ref in item.refs.issues if item.refs else ():
            if ref.owner is None and not ref.url:
                texted.setdefault(ref.number, " ".join(item.first_line_text.split())[:80])
    if not texted:
        return _NO_CITES
    bare = {number: "" for number, text in texted.items() if not text}
    return {number: text for number, text in texted.items() if text}, bare


# The numbers of a document are merged from runs of consecutive blocks (or items of a long list),
# each run remembered by the lineages in it: after a keystroke one run is read again and the
# others are taken from the document before, so a 20,000-task document costs about a millisecond
# rather than a walk over its 5,000 blocks. A run ends after a block whose lineage's address falls
# on ``_RUN_END`` (about one in 32): the ends go with the blocks, so an inserted block changes
# only its own run, not every run after it.
_RUN_END = 31
_BLOCK_LINEAGE = attrgetter("lineage")
# The runs of the last document (and of the last long list) merged: {lineages: merged numbers}.
_BLOCK_CHUNKS: list[dict[tuple, _Cited]] = [{}]
_ITEM_CHUNKS: list[dict[tuple, _Cited]] = [{}]


def _merged_in_chunks(nodes: Iterable[Any], lineage: Any, cited: Any, remembered: list[dict[tuple, _Cited]]) -> _Cited:
    """The numbers of ``nodes`` merged as one reading in order would (the first text for a number
    wins, a number cited anywhere with a text has it), from runs remembered in ``remembered[0]``."""
    before = remembered[0]  # read once: another thread may replace it
    now: dict[tuple, _Cited] = {}
    runs: list[_Cited] = []
    run_nodes: list[Any] = []
    run_lineages: list[Any] = []

    def close() -> None:
        key = tuple(run_lineages)
        found = before.get(key)
        if found is None:
            found = _merged([cited(node) for node in run_nodes])
        now[key] = found
        runs.append(found)
        run_nodes.clear()
        run_lineages.clear()

    for node in nodes:
        node_lineage = lineage(node)
        run_nodes.append(node)
        run_lineages.append(node_lineage)
        if not (id(node_lineage) >> 4) & _RUN_END:
            close()
    if run_nodes:
        close()
    remembered[0] = now
    return _merged(runs)


def _merged(parts: list[_Cited]) -> _Cited:
    """``parts`` (in document order) as one: from the last to the first, so the earliest text wins."""
    texted: dict[int, str] = {}
    bare: dict[int, str] = {}
    for with_text, without in reversed(parts):
        if with_text:
            texted.update(with_text)
        if without:
            bare.update(without)
    return texted, bare


def referenced_issues(backlog: Backlog) -> CitedIssues:
    """Unqualified issue numbers the document cites, each with the text of the first task citing it.

    Remembered per block (per item in a long list) and merged in runs of blocks that are kept
    from one keystroke to the next (``_merged_in_chunks``): after a keystroke only the edited
    block's run is read again.
    """
    remembered = vars(backlog).get(_CITED_ATTRIBUTE)
    if remembered is not None:
        return remembered
    cites = (block for block in backlog.blocks if block.has_items or block.refs or block.heading is not None)
    texted, bare = _merged_in_chunks(cites, _BLOCK_LINEAGE, _block_referenced, _BLOCK_CHUNKS)
    found = CitedIssues()
    found.update(bare)
    found.update(texted)
    vars(backlog)[_CITED_ATTRIBUTE] = found
    return found


def cited_in(backlogs: Iterable[Backlog]) -> Mapping[int, str]:
    """``referenced_issues`` of several documents: the first document's text for a number wins."""
    each = [referenced_issues(backlog) for backlog in backlogs]
    if len(each) == 1:
        return each[0]
    merged = CitedIssues()
    for found in reversed(each):
        merged.update((number, text) for number, text in found.items() if text or number not in merged)
    return merged


# --- the form an issue number is written in ------------------------------------------------------------


def insert_format(backlog: Backlog, issue_settings: Mapping[str, Any] | None = None) -> str:
    """How to write a new issue reference: the configured ``insert-format``, else the document's own style.

    A format holds ``{number}`` and may hold ``{url}``, ``{owner}``, ``{repo}``:
    ``#{number}``, ``Issue #{number}``, ``[#{number}]({url})``, ``GH-{number}``.
    """
    configured = (issue_settings or {}).get("insert-format") or (issue_settings or {}).get("insert_format")
    if isinstance(configured, str) and "{number}" in configured:
        return configured
    # Kept with the parsed document: every completion after "#" asks, and reading the first
    # references of a 20,000-task document each time cost milliseconds.
    style = vars(backlog).get(_STYLE_ATTRIBUTE)
    if style is None:
        style = vars(backlog)[_STYLE_ATTRIBUTE] = _document_style(backlog)
    return style


_STYLE_ATTRIBUTE = "_issue_insert_style"


def _document_style(backlog: Backlog) -> str:
    """The form most of the document's first references are written in (the first
    ``STYLE_SAMPLES`` issue references, counted a heading, prose or list item at a time)."""
    styles: Counter[str] = Counter()
    seen = 0
    for forms in _reference_forms(backlog):
        styles.update(forms)
        seen += len(forms)
        if seen >= STYLE_SAMPLES:
            break
    return styles.most_common(1)[0][0] if styles else "#{number}"


def _reference_forms(backlog: Backlog) -> Iterator[tuple[str, ...]]:
    """The forms of the issue references of each heading, prose and list item that has any, in
    document order (``Backlog.references``), kept per block and per top-level item of a long list:
    a document that writes few issue numbers was read to its end on each keystroke (its first
    ``STYLE_SAMPLES`` references), for every completion and code action asking how to write one."""
    for block in backlog.blocks:
        if not block.has_items and not block.refs and block.heading is None:
            continue
        if block.item_count >= LONG_LIST_ITEMS:
            yield from _block_forms(block, items=False)
            for item in block.items:
                lineage = lineage_of(item)
                forms = _ITEM_FORMS.peek(lineage)
                if forms is MISSING:
                    forms = _ITEM_FORMS.put(lineage, _forms_of(node.refs for node in item.walk()))
                yield from forms
        else:
            yield from _BLOCK_FORMS.get(block, lambda block=block: _block_forms(block, items=True))


def _block_forms(block: Block, *, items: bool) -> tuple[tuple[str, ...], ...]:
    own = (block.heading.refs if block.heading is not None else None, block.refs)
    nodes = (node.refs for item in block.items for node in item.walk()) if items else ()
    return _forms_of(chain(own, nodes))


def _forms_of(every_refs: Iterable[Any]) -> tuple[tuple[str, ...], ...]:
    return tuple(tuple(_reference_form(ref) for ref in refs.issues) for refs in every_refs if refs and refs.issues)


def _reference_form(ref: IssueRef) -> str:
    if ref.style == "word":
        return f"{ref.prefix} #{{number}}" if ref.prefix else "#{number}"
    if ref.style == "link":
        return "[#{number}]({url})"
    if ref.style == "gh":
        return "GH-{number}"
    if ref.style == "url":
        return "{url}"
    if ref.style == "qualified":
        return "{owner}/{repo}#{number}"
    return "#{number}"


# The forms hold strings only (no item, no block): kept across moves by the block's lineage, and by
# a long list's top-level item's.
_BLOCK_FORMS = BlockMemo(across_moves=True)
_ITEM_FORMS = LineageMemo()


_PLAIN_FORMS = {"#{number}": "#", "GH-{number}": "GH-"}


def written(form: str, number: int, source: Any = None, url: str | None = None) -> str:
    """``form`` filled in for issue ``number``; a form needing what is unknown falls back to ``#number``."""
    if form in _PLAIN_FORMS:  # what completion writes most, up to 200 times an answer
        return _PLAIN_FORMS[form] + str(number)
    repository = getattr(source, "repository", None)
    values = {
        "number": str(number),
        # Built only for a form that can name it: a form is filled in up to 200 times an answer.
        "url": (url or issue_url(repository, number) or "") if "url" in form else "",
        "owner": repository.owner if repository is not None else "",
        "repo": repository.name if repository is not None else "",
    }
    for key in ("url", "owner", "repo"):
        if "{" + key + "}" in form and not values[key]:
            return f"#{number}"
    try:
        return form.format(**values)
    except (KeyError, IndexError, ValueError):
        return f"#{number}"


# --- completion ------------------------------------------------------------------------------------------


@attrs.frozen
class IssueContext:
    """What issue completion consults besides the document: set by the server on ``CompletionRequest.issues``."""

    source: Any = None  # an IssueSource, or None
    referenced: Mapping[int, str] = attrs.Factory(dict)  # numbers the open documents cite -> a task's text
    settings: Mapping[str, Any] = attrs.Factory(dict)  # the [issues] settings


_ISSUE_WORD = r"(?:[Ii]ssues?|ISSUE|PRs?|[Pp]ull [Rr]equests?|[Pp]ull|MR|[Bb]ug|[Ff]ix(?:es|ed)?|[Cc]los(?:es|ed|e)|[Rr]esolv(?:es|ed|e)|[Rr]efs?|[Ss]ee|[Tt]icket)"
_GH_AT_END = re.compile(r"(?<![\w-])GH-(?P<query>\d*)$")
_QUALIFIED_AT_END = re.compile(r"(?<![\w.\-/@])(?P<owner>[A-Za-z0-9](?:[\w.-]*\w)?)/(?P<repo>[\w.-]+)#(?P<query>\w*)$")
_HASH_AT_END = re.compile(r"(?<![\w&#/])#(?P<query>[\w-]*)$")
_WORD_BEFORE = re.compile(rf"(?<![\w&#/]){_ISSUE_WORD}[ \t]?$")
_LINE_START = re.compile(r"^[ \t>]*$")
_BACKTICKS = re.compile(r"`+")


def _in_code(request: CompletionRequest) -> bool:
    block = request.backlog.block_at(request.line)
    if block is not None and block.kind in ("code", "front-matter", "html"):
        return True
    # Inside a code span: an odd number of backtick runs before the cursor (good enough for one line).
    return len(_BACKTICKS.findall(request.before)) % 2 == 1


_KEY_AT_END = re.compile(r"(?<![\w./#-])(?P<project>[A-Z][A-Z0-9_]{0,9})-(?P<query>\d*)$")


def key_completions(request: CompletionRequest, source: Any) -> CompletionResult | None:
    """After ``ABC-`` (a configured project): that project's issues, open ones first."""
    match = _KEY_AT_END.search(request.before)
    if match is None or match.group("project") not in tracker_projects(source) or _in_code(request):
        return None
    project = match.group("project")
    try:
        part = source.source_for(project)
    except Exception:  # noqa: BLE001 - a broken source must not break completion
        return None
    if part is None:
        return None
    lead = f"{project}-"
    index = issue_index(part)
    positions, cut = index.matching(match.group("query"))
    making = _IssueItems(request, match.start(), lead)
    items = [
        making.item(
            issue.number, issue.key or f"{lead}{issue.number}",
            detail=issue.title,
            documentation=index.documentation(issue),
            title=issue.title,
            sort_text=f"0-{position:06d}",
        )
        for position in positions
        if (issue := index.ordered[position])
    ]
    return CompletionResult(tuple(items), incomplete=cut) if items else None


def issue_completions(request: CompletionRequest) -> CompletionResult | None:
    context: IssueContext | None = getattr(request, "issues", None)
    before = request.before
    if "-" in before and context is not None and context.source is not None:
        keyed = key_completions(request, context.source)
        if keyed is not None:
            return keyed
    if "#" not in before and "GH-" not in before:
        return None
    if context is None:
        context = IssueContext()
    match = _GH_AT_END.search(before)
    lead = "GH-"
    owner = repo = None
    if match is None:
        match = _QUALIFIED_AT_END.search(before)
        if match is not None:
            owner, repo = match.group("owner"), match.group("repo")
            lead = "#"
        else:
            match = _HASH_AT_END.search(before)
            lead = "#"
    if match is None or _in_code(request):
        return None
    start = match.start() if lead == "GH-" else match.start("query") - 1
    if lead == "#" and owner is None and _LINE_START.match(before[:start]):
        return None  # "#" at the start of a line begins a heading
    query = match.group("query")
    source = context.source
    if owner is not None and not same_repository(source, owner, repo):
        return None  # another repository: nothing cached to offer
    if lead == "GH-" or owner is not None or _WORD_BEFORE.search(before[:start]) or before[:start].endswith("["):
        form = "GH-{number}" if lead == "GH-" else "#{number}"  # the word or the owner is already written
    else:
        form = insert_format(request.backlog, context.settings)
    index = issue_index(source) if source is not None else IssueIndex(())
    positions, cut = index.matching(query)
    making = _IssueItems(request, start, lead)
    items: list[CompletionItem] = []
    for position in positions:
        issue = index.ordered[position]
        items.append(
            making.item(
                issue.number, written(form, issue.number, source, issue.url or None),
                detail=issue.title,
                documentation=index.documentation(issue),
                title=issue.title,
                sort_text=f"0-{position:06d}",
            )
        )
    if owner is None:
        wanted = query.strip().lower()
        cited = context.referenced
        known = index.by_number  # every number offered above is one of these
        if isinstance(cited, CitedIssues):
            extra = cited.numbers_not_in(known)
        else:
            extra = [number for number in sorted(cited) if number not in known]
        for number in extra:
            text = cited[number]
            if wanted and wanted not in f"{number} {text}".lower():
                continue
            items.append(
                making.item(
                    number, written(form, number, source),
                    detail=text or "Cited in the backlog",
                    documentation="Cited in the open backlogs; no tracker data for it.",
                    title=text,
                    sort_text=f"1-{number:08d}",
                )
            )
            if len(items) >= LIMIT * 2:
                cut = True
                break
    if not items:
        return None
    return CompletionResult(tuple(items), incomplete=cut)


class _IssueItems:
    """The items completing the reference whose ``lead`` ("#" or "GH-") the user typed at ``start``.

    The typed lead stays: an item replaces only what follows it, and a form that writes more in front
    ("Issue #40", "[#40](url)") puts that part before the lead as an additional edit. Clients treat the
    main edit as a word that continues the typed text: Neovim 0.11's built-in completion cuts it at the
    first space ("Issue #40" gave "Issue", the number lost) and 0.7's omnifunc inserts it after the
    "#" ("#Issue #40"). A form without the lead and number in it ("{url}") replaces the lead too.

    One answer holds up to 200 items on the same line: their spans and the edit before the lead are
    made once and shared.
    """

    __slots__ = ("line", "start", "lead", "column", "_after_lead", "_whole", "_before")

    def __init__(self, request: CompletionRequest, start: int, lead: str):
        self.line, self.start, self.lead, self.column = request.line, start, lead, request.column
        self._after_lead = Span.on_line(request.line, start + len(lead), request.column)
        self._whole = Span.on_line(request.line, start, request.column)
        self._before: dict[str, tuple[Edit, ...]] = {"": ()}

    def item(self, number: int, text: str, *, detail: str, documentation: str, title: str, sort_text: str) -> CompletionItem:
        lead = self.lead
        written_as = f"{lead}{number}"
        at = text.find(written_as)
        while at >= 0 and text[at + len(written_as) : at + len(written_as) + 1].isdecimal():
            at = text.find(written_as, at + 1)  # "#40" is not "#4": the number must end there
        if at < 0:
            span, new_text, additional = self._whole, text, ()
            filter_text = f"{written_as} {title}"
        else:
            span, new_text = self._after_lead, text[at + len(lead) :]
            before = text[:at]
            additional = self._before.get(before)
            if additional is None:
                additional = self._before[before] = (Edit(Span.on_line(self.line, self.start, self.start), before),)
            filter_text = f"{number} {title}"
        return CompletionItem(
            label=written_as,
            new_text=new_text,
            span=span,
            kind=REFERENCE,
            detail=detail,
            documentation=documentation,
            filter_text=filter_text.rstrip(),
            sort_text=sort_text,
            additional=additional,
        )


# --- document links --------------------------------------------------------------------------------------


@attrs.frozen
class IssueLink:
    span: Span
    target: str
    tooltip: str | None = None


def issue_document_links(backlog: Backlog, source: Any) -> list[IssueLink]:
    """Every issue reference whose URL is known: written in it, cached, or built from the repository."""
    return _issue_links(backlog.references(), source)


def issue_link_source(source: Any) -> LinkSource:
    """``issue_document_links`` one block at a time (``features.block_links``)."""
    return LinkSource(
        "Issue links",
        source_token(source),
        lambda block: _issue_links(block_references(block), source),
        lambda items: _issue_links(_items_references(items), source),
    )


def _items_references(items: Iterable[Item]) -> Iterator[Any]:
    """Every ``References`` of ``items`` and the items below them, depth first (as ``Block.walk``)."""
    for item in items:
        for node in item.walk():
            if node.refs:
                yield node.refs


def _issue_links(references: Iterable[Any], source: Any) -> list[IssueLink]:
    found: list[IssueLink] = []
    for refs in references:
        for ref in tracker_refs(refs, source):
            url = url_for(ref, source)
            if not url:
                continue
            issue = lookup(source, ref)
            tooltip = f"{_kind(issue, ref)} {ref_name(ref)}: {issue.title}" if issue is not None else None
            found.append(IssueLink(ref.span, url, tooltip))
    return found


# --- creating an issue from a task -----------------------------------------------------------------------


@attrs.frozen
class NewIssue:
    """What "Create issue from task" files, and where the number goes."""

    title: str
    body: str
    line: int  # the task's line
    span: Span  # replaced by the new reference (a placeholder), or empty (an insertion point)
    form: str  # the insert format
    replaces_placeholder: bool
    prefix_space: bool = False  # an insertion needs a space before it


_TITLE_NOISE = re.compile(r"\*\*|__|`")


def task_title(text: str) -> str:
    text = _TITLE_NOISE.sub("", text)
    text = re.sub(r"\((?:[^()]*#(?:TBD|TBA|TODO|XXX|NNN|N|n|\?{1,3})[^()]*)\)", "", text)
    text = re.sub(r"(?<![\w&#/])(?:" + _ISSUE_WORD + r"[ \t]?)?#(?:TBD|TBA|TODO|XXX|NNN|N|n|\?{1,3})(?![\w?])", "", text)
    text = re.sub(r"^\s*(?:Task\s+\d+(?:\.\d+)*[a-z]?|T-?\d+(?:\.\d+)*)\s*[:.\-–—]?\s*", "", text)
    text = " ".join(text.split()).strip(" :-–—")
    return text


def _configured_keys(refs: Any, issue_settings: Mapping[str, Any] | None) -> bool:
    """Whether ``refs`` holds a key of a project the ``[issues]`` table (or a source) configures (ABC-12, never UTF-8)."""
    if not refs or not refs.keys or not issue_settings:
        return False
    from ..tracker.settings import configured_projects

    projects = configured_projects(issue_settings)
    return any(key.project in projects for key in refs.keys)


def new_issue_for(backlog: Backlog, line: int, issue_settings: Mapping[str, Any] | None = None) -> NewIssue | None:
    """The issue "Create issue from task" would file for the task on ``line``; None when the task names an issue."""
    from ..rules.common import task_index

    found = item_at(backlog, line)  # the task's tree alone, not its whole list: asked on every keystroke
    task = found[0] if found is not None and found[0].line == line else None
    if task is None or task.refs.issues or _configured_keys(task.refs, issue_settings):
        return None
    title = task_title(task.first_line_text)
    if not title:
        return None
    section = section_here(backlog, line)  # asked on every keystroke: not the whole section tree
    body_lines = [f"From the backlog: {task.first_line_text.strip()}"]
    if section is not None:
        body_lines.append(f"Section: {section.title}")
    form = insert_format(backlog, issue_settings)
    if task.refs.placeholders:
        placeholder = task.refs.placeholders[0]
        # "Issue #TBD": the word stays and the number replaces "#TBD".
        span = placeholder.span
        text = backlog.lines[span.start_line][span.start_col : span.end_col]
        hash_at = text.find("#")
        if hash_at > 0:
            span = Span(span.start_line, span.start_col + hash_at, span.end_line, span.end_col)
            form = "#{number}"
        return NewIssue(title, "\n".join(body_lines), line, span, form, True)
    style = task_index(backlog).placeholder_style
    edit_span, text = style.edit_for(task, backlog.lines)
    return NewIssue(title, "\n".join(body_lines), line, edit_span, form, False, prefix_space=text.startswith(" "))


def new_reference_text(new: NewIssue, issue: TrackerIssue, source: Any, backlog: Backlog) -> str:
    """The text written for a newly filed issue: the placeholder's replacement, or an insertion like the document's."""
    if issue.key:  # Jira, Linear: the key is the reference ("ABC-13"), whatever the document's style for numbers
        if new.replaces_placeholder:
            return issue.key
        return f" ({issue.key})" if new.prefix_space else f"({issue.key})"
    reference = written(new.form, issue.number, source, issue.url or None)
    if new.replaces_placeholder:
        return reference
    from ..rules.common import task_index

    style = task_index(backlog).placeholder_style
    token = style.token
    if "#TBD" in token and new.form == "#{number}":
        reference = token.replace("#TBD", f"#{issue.number}")  # "Issue #TBD" -> "Issue #42"
    wrapped = f"{style.opening}{reference}{style.closing}"
    if style.placement == "lead" and not new.prefix_space:
        return f"{wrapped}{style.separator}"
    return f" {wrapped}" if new.prefix_space else wrapped

