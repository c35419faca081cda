"""Find references in a run of inline text: issues, placeholders, task IDs, RFCs, links.

The scanner works on *segments*: (line, start column, text) pieces of source lines
that together form one paragraph (a task's text, a heading title). Code spans,
HTML comments and tags, link targets and bare URLs are masked first, so nothing
inside them is ever taken for a reference; a tracker URL becomes an issue
reference of its own.
"""

from __future__ import annotations

import bisect
import operator
import re
from collections.abc import Sequence

from ..model import NO_REFERENCES, Blocker, DependencyId, IssueRef, Link, Placeholder, References, RfcRef, Span, TaskId, new_span
from ..text import may_hold_ignoring_case
from .construct import issue as _new_issue, placeholder as _new_placeholder, references as _new_references, task_id as _new_task_id

# The values made for nearly every task (its issue, task ID, placeholder and references) are made by
# position through their slots (``construct``): a third of what scanning a task's text cost was making them.

Segment = tuple[int, int, str]  # (line, start column, text)

_BACKTICKS = re.compile(r"`+")
_HTML_COMMENT = re.compile(r"<!--.*?(?:-->|\Z)", re.S)
_HTML_TAG = re.compile(r"</?[A-Za-z][\w-]*(?:\s[^<>]*)?/?>")
_AUTOLINK = re.compile(r"<(https?://[^\s<>]+)>")
# [text](target "title") and ![alt](src); the text may hold one level of brackets.
_LINK = re.compile(
    r"(?P<bang>!?)\[(?P<text>(?:[^\[\]\\]|\\.|\[[^\[\]\n]*\])*)\]"
    r"\((?P<ws>[ \t]*)(?P<target><[^<>\n]*>|(?:[^\s()\\]|\\.|\([^\s()]*\))*)"
    r"(?:[ \t]+(?:\"[^\"\n]*\"|'[^'\n]*'|\([^()\n]*\)))?[ \t]*\)"
)
_BARE_URL = re.compile(r"\bhttps?://[^\s<>()\[\]`]+")

# Tracker URLs: GitHub / Gitea / Forgejo / Codeberg (owner/repo/issues|pull|pulls/N)
# and GitLab (group/.../project/-/issues|merge_requests/N).
_TRACKER_URL = re.compile(
    r"https?://(?P<host>[^/\s]+)/(?P<path>[^\s?#]+?)/(?:-/)?"
    r"(?P<kind>issues|pull|pulls|merge_requests)/(?P<number>\d+)(?=$|[/?#.,;:)\s])"
)

_ISSUE_WORDS = (
    r"[Ii]ssues?|ISSUE|PRs?|[Pp]ull [Rr]equests?|[Pp]ull|MR|[Bb]ug|[Ff]ix(?:es|ed)?|"
    r"[Cc]los(?:es|ed|e)|[Rr]esolv(?:es|ed|e)|[Rr]efs?|[Ss]ee|[Tt]icket"
)
_QUALIFIED = re.compile(r"(?<![\w.\-/@])(?P<owner>[A-Za-z0-9](?:[\w.-]*\w)?)/(?P<repo>[\w.-]+)#(?P<number>\d+)(?![\w])")
_GH = re.compile(r"(?<![\w-])GH-(?P<number>\d+)(?![\w])")
# A Jira or Linear key: upper-case project, dash, number. UTF-8 and SHA-1 have this shape too:
# the scanner keeps candidates, the tracker's configured projects decide (features.issues).
_KEY = re.compile(r"(?<![\w./#-])(?P<project>[A-Z][A-Z0-9_]{0,9})-(?P<number>\d{1,9})(?![\w-]|\.\d)")
_HASH = re.compile(
    rf"(?:(?<![\w&#/])(?P<word>(?:{_ISSUE_WORDS})[ \t]?))?(?<![\w&#/])#(?P<number>\d+)(?![\w])(?!:\w)"
)
_PLACEHOLDER = re.compile(
    rf"(?:(?<![\w&#/])(?P<word>(?:{_ISSUE_WORDS})[ \t]?))?(?<![\w&#/])"
    r"#(?P<text>TBD|TBA|TODO|XXX|NNN|N|n|\?{1,3})(?![\w?])"
)
# What each finder's matches must hold, tested first because it is much cheaper than the finder:
# most task texts have no placeholder, no qualified reference, no project key.
# (The "#" first and the look behind after it, so that the search skips to each "#" at C speed.)
_ANY_TAIL = re.compile(
    r"#(?<![\w&#/]#)(?:(?P<number>\d+)(?![\w])(?!:\w)|(?P<text>TBD|TBA|TODO|XXX|NNN|N|n|\?{1,3})(?![\w?]))"
)
# The word before a "#": an issue word and an optional space, ending where the "#" starts.
_WORD_BEFORE = re.compile(rf"(?<![\w&#/])(?:{_ISSUE_WORDS})[ \t]?\Z")
_LONGEST_WORD = len("Pull Requests ")
_QUALIFIED_HINT = re.compile(r"/[\w.-]+#\d")
_KEY_HINT = re.compile(r"[A-Z0-9_]-\d")
# Nothing at all can be found in a text without one of these (a bold title aside).
_ANY_REFERENCE_HINT = re.compile("[#\\[<`:\U0001f194\u26d4]|Task|T-?\\d|[A-Z0-9_]-\\d|RFC")
_HEX_COLOUR = re.compile(r"#(?:[0-9a-fA-F]{8}|[0-9a-fA-F]{6}|[0-9a-fA-F]{3,4})(?![\w])")
_COLOUR_WORDS = re.compile(
    r"colou?r|background|\bfill\b|stroke|border|\bbg\b|theme|palette|\bhex\b|rgb|slate|gr[ae]y|css", re.I
)
# "Task 1.2", "T012", "T-3": the "T" first, so that the search skips to each "T" at C speed.
_TASK_ID = re.compile(
    r"(?P<text>T(?<![\w.]T)(?:ask[ \t]+(?P<number>\d+(?:\.\d+)*[a-z]?)|-?(?P<short>\d{1,4}(?:\.\d+)*)))(?![\w]|\.\d)"
)
# A project's dotted task ID: "CORE-01.1", "REQ-3.1". Undotted, "PROJ-123" is a Jira or Linear key
# (``_KEY``), not a task ID; a dotted one joined on by a dash or a word ("AGPL-3.0-or-later",
# "TLS-1.2-era") is a name; and the names of versioned things ("GPT-4.1", "TLS-1.3", "HTTP-1.1")
# are never task IDs, however written.
_DOTTED_TASK_ID = re.compile(
    r"(?<![\w./#-])(?P<text>(?P<prefix>[A-Z][A-Z0-9_]{1,9})-(?P<number>\d{1,4}(?:\.\d{1,4})+))(?![\w-]|\.\d)"
)
_VERSIONED_NAMES = frozenset(
    "GPT LLAMA CLAUDE GEMINI PHI QWEN TLS SSL DTLS HTTP HTTPS HTML CSS UTF UCS ISO IEC IEEE PEP JSR JDK JRE JEP "
    "ES ECMA IPV IP USB PCI PCIE DDR LTE WCAG OWASP SHA MD AES OAUTH SAML SOAP SQL PHP JS TS PY NET API SDK "
    "OS IOS MACOS WIN CUDA ROCM ARM X86 AVX SSE GTK QT OPENGL GL GLSL HLSL VULKAN WEBGL DOM SVG UML BPMN MQTT "
    "AMQP GRPC SMTP IMAP POP FTP SSH SNMP LDAP DNS DHCP NFS SMB CIFS TCP UDP QUIC RTP SIP XMPP IRC MPEG AV "
    "VP OGG OPUS AAC MP JPEG PNG WEBP AVIF PDF EPUB ODF OOXML XML XSD XSLT JSON YAML TOML CSV RSS ATOM GFM "
    "CMARK ASCII ANSI POSIX GPL LGPL AGPL MPL EPL CC BSD MIT APACHE CVSS CWE NIST FIPS SOC GDPR HIPAA "
    "RHEL EL CENTOS SLES UBUNTU DEBIAN FEDORA ALPINE K8S KUBERNETES HELM ANDROID WATCHOS TVOS VISIONOS".split()
)
_IETF_RFC = re.compile(r"(?<![\w/])RFC[ \t-]?#?[ \t]?(?P<number>\d{1,5})(?![\w])")
_PROJECT_RFC_PATH = re.compile(r"(?:^|/)(?:rfcs?|text)/(?P<number>\d{1,5})[-_][^/]*\.md(?:#.*)?$", re.I)
_BOLD_TITLE = re.compile(r"(?P<open>\*\*|__)(?P<title>(?:(?!(?P=open)).)+?)(?P=open)")


# "blocked by", "depends on", "after", "requires", "needs", then the names of what blocks, e.g.
# "**Depends on:** Task 1.1, Task 1.2 and #5". Only names right after the words count.
_DEPENDS = re.compile(
    r"(?<![\w-])(?:blocked[ \t]+(?:by|on)|depends?[ \t]+(?:on|upon)|after|requires?|needs?|waiting[ \t]+(?:for|on))"
    r"(?:[*_]*[ \t]*:)?[*_]*[ \t]*",
    re.IGNORECASE,
)
_BETWEEN_NAMES = re.compile(r"[*_]*(?:[ \t]*(?:,|;|&|\+|/)[ \t]*|[ \t]+(?:and|or)[ \t]+|[ \t]*,[ \t]*and[ \t]+)[*_]*", re.IGNORECASE)
# Obsidian Tasks: "🆔 abc123" names a task, "⛔ abc123,def456" waits for others.
_OBSIDIAN_NAME = r"[A-Za-z0-9_-]+"
_OBSIDIAN_ID = re.compile(rf"🆔\ufe0f?[ \t]*(?P<name>{_OBSIDIAN_NAME})")
_OBSIDIAN_BLOCKED = re.compile(rf"⛔\ufe0f?[ \t]*(?P<names>{_OBSIDIAN_NAME}(?:[ \t]*,[ \t]*{_OBSIDIAN_NAME})*)")


_SPAN_OF = operator.attrgetter("span")  # (the sort key of references: in C)


class _Run:
    """A paragraph as one string, with a map back to source positions."""

    def __init__(self, segments: Sequence[Segment]):
        self.segments = segments
        self.text = "\n".join(text for _, _, text in segments)
        self.starts: list[int] = []  # offset in self.text where each segment begins
        self._segment_of_line: dict[int, int] | None = None
        offset = 0
        for _, _, text in segments:
            self.starts.append(offset)
            offset += len(text) + 1

    def position(self, offset: int) -> tuple[int, int]:
        # A paragraph can be thousands of lines, each with references: a search, not a walk.
        index = max(0, bisect.bisect_right(self.starts, offset) - 1)
        line, column, _ = self.segments[index]
        return line, column + offset - self.starts[index]

    def offset(self, line: int, column: int) -> int:
        """The offset in ``text`` of a source position (the inverse of ``position``); -1 when not in the run."""
        if self._segment_of_line is None:
            self._segment_of_line = {segment_line: index for index, (segment_line, _, _) in enumerate(self.segments)}
        index = self._segment_of_line.get(line)
        return -1 if index is None else self.starts[index] + column - self.segments[index][1]

    def span(self, start: int, end: int) -> Span:
        start_line, start_col = self.position(start)
        end_line, end_col = self.position(end)
        return new_span((start_line, start_col, end_line, end_col))


class _LineRun(_Run):
    """A run of one segment (most task texts): each position is the segment's line and a column."""

    def __init__(self, segment: Segment):
        self.segments = (segment,)
        self.text = segment[2]
        self.starts = [0]
        self._segment_of_line = None
        self._line, self._column = segment[0], segment[1]

    def position(self, offset: int) -> tuple[int, int]:
        return self._line, self._column + offset

    def offset(self, line: int, column: int) -> int:
        return column - self._column if line == self._line else -1

    def span(self, start: int, end: int) -> Span:
        return new_span((self._line, self._column + start, self._line, self._column + end))


def _mask(chars: list[str], start: int, end: int) -> None:
    piece = chars[start:end]
    chars[start:end] = ["\n" if ch == "\n" else " " for ch in piece] if "\n" in piece else [" "] * len(piece)


def _mask_code_spans(text: str, chars: list[str]) -> None:
    # A code span runs from a backtick run to the next run of the same width. The runs of
    # each width are indexed once, so a line of many unmatched runs stays linear.
    if "``" not in text:
        # Every run is one backtick (most texts): they pair in order, the second closing the first, as below.
        at = text.find("`")
        while at >= 0:
            closing = text.find("`", at + 1)
            if closing < 0:
                return
            _mask(chars, at, closing + 1)
            at = text.find("`", closing + 1)
        return
    runs = [(match.start(), match.end()) for match in _BACKTICKS.finditer(text)]
    by_width: dict[int, list[int]] = {}
    for index, (start, end) in enumerate(runs):
        by_width.setdefault(end - start, []).append(index)
    index = 0
    while index < len(runs):
        start, end = runs[index]
        same = by_width[end - start]
        later = bisect.bisect_right(same, index)
        if later == len(same):
            # An unmatched backtick run is literal text; go on after it.
            index += 1
            continue
        closing = same[later]
        _mask(chars, start, runs[closing][1])
        index = closing + 1


def tracker_url(url: str) -> dict | None:
    """Split an issue or pull request URL into host, owner, repo, number and kind."""
    match = _TRACKER_URL.match(url)
    if match is None:
        return None
    path = match.group("path").strip("/")
    owner, _, repo = path.rpartition("/")
    if not owner or not repo:
        return None
    kind = match.group("kind")
    return {
        "host": match.group("host"),
        "owner": owner,
        "repo": repo,
        "number": int(match.group("number")),
        "is_pull": kind in ("pull", "pulls", "merge_requests"),
    }


class _ColourContext:
    """What decides whether a ``#123456`` on a line is a colour, worked out once per line.

    Asking the line again for every reference made a long line of ``#123`` quadratic:
    a 20 KB line took 14 s.
    """

    def __init__(self, text: str):
        self.text = text
        self._lines: dict[int, tuple[bool, bool, frozenset[str]]] = {}  # line start -> facts

    def _facts(self, start: int, end: int) -> tuple[bool, bool, frozenset[str]]:
        text = self.text
        line_start = text.rfind("\n", 0, start) + 1
        facts = self._lines.get(line_start)
        if facts is None:
            line_end = text.find("\n", end)
            line = text[line_start : None if line_end < 0 else line_end]
            # The line's hex colours that hold a letter (a real colour, not an issue number).
            lettered = frozenset(m.group()[1:] for m in _HEX_COLOUR.finditer(line) if _HEX_LETTER.search(m.group()))
            facts = self._lines[line_start] = (_has_colour_words(line), ":" in line, lettered)
        return facts

    def looks_like_colour(self, start: int, end: int, digits: str) -> bool:
        """A ``#123456`` that is a colour: six or eight digits beside colour words or other hex colours."""
        if len(digits) not in (3, 6, 8):
            return False
        colour_words, colon, lettered = self._facts(start, end)
        if len(digits) == 3:
            return colour_words and colon
        # ``digits`` holds no letter, so any lettered colour on the line is another one.
        return colour_words or bool(lettered)


_HEX_LETTER = re.compile(r"[a-fA-F]")
# ``_COLOUR_WORDS`` as plain words, without case folding and word boundaries, for the lower-cased
# line: a search that ignores case costs some 30 times more, and most lines hold no colour word.
_COLOUR_WORDS_LOWER = re.compile(r"color|colour|background|fill|stroke|border|bg|theme|palette|hex|rgb|slate|gray|grey|css")


def _has_colour_words(line: str) -> bool:
    """``_COLOUR_WORDS.search(line)``, asked first of the lower-cased line (as ``_may_name_blockers``)."""
    lowered = line.lower()
    return may_hold_ignoring_case(_COLOUR_WORDS_LOWER, lowered) and _COLOUR_WORDS.search(line) is not None


class _FreeSpans:
    """Whether a span overlaps none of some taken spans (which may overlap each other)."""

    def __init__(self, taken: list[tuple[int, int]]):
        ordered = sorted(taken)
        self._starts = [start for start, _ in ordered]
        self._reach: list[int] = []  # the furthest end among the spans up to each one
        furthest = -1
        for _, end in ordered:
            furthest = max(furthest, end)
            self._reach.append(furthest)

    def __call__(self, start: int, end: int) -> bool:
        # The spans that start before ``end`` overlap it exactly when one of them ends after ``start``.
        before = bisect.bisect_left(self._starts, end)
        return before == 0 or self._reach[before - 1] <= start


def scan(segments: Sequence[Segment], *, bold_title: bool = False) -> References:
    """Scan one paragraph (given as source segments) for references."""
    if not segments:
        return NO_REFERENCES
    if len(segments) == 1:
        text = segments[0][2]
        if _ANY_REFERENCE_HINT.search(text) is None and not (bold_title and ("**" in text or "__" in text)):
            return NO_REFERENCES  # most subtasks name nothing: not worth the passes below
    run = _LineRun(segments[0]) if len(segments) == 1 else _Run(segments)
    text = run.text
    issues: list[IssueRef] = []
    links: list[Link] = []
    rfcs: list[RfcRef] = []

    # Masking replaces code spans, HTML, link targets and URLs by spaces (newlines kept),
    # so offsets in ``masked`` are offsets in ``text``. Each step runs only when its
    # trigger character is present: most task lines have none of them.
    chars = list(text) if ("`" in text or "<" in text or "[" in text or "://" in text) else None
    if chars is not None and "`" in text:
        _mask_code_spans(text, chars)
    masked = "".join(chars) if chars is not None else text
    if chars is not None and "<" in masked:
        for pattern in (_HTML_COMMENT, _HTML_TAG):
            for match in pattern.finditer(masked):
                _mask(chars, match.start(), match.end())
            masked = "".join(chars)

    def add_url_issue(url: str, start: int, end: int, style: str) -> None:
        parts = tracker_url(url)
        if parts is not None:
            issues.append(
                IssueRef(
                    span=run.span(start, end),
                    number=parts["number"],
                    style=style,
                    text=text[start:end],
                    owner=parts["owner"],
                    repo=parts["repo"],
                    host=parts["host"],
                    url=url,
                    is_pull=parts["is_pull"],
                )
            )

    if chars is not None and "<" in masked:
        for match in _AUTOLINK.finditer(masked):
            add_url_issue(match.group(1), match.start(), match.end(), "url")
            _mask(chars, match.start(), match.end())
        masked = "".join(chars)

    link_texts: list[tuple[int, int, str]] = []  # (start, end, target) of each link's text
    for match in _LINK.finditer(masked) if chars is not None and "](" in masked else ():
        target_start = match.start("target")
        target = text[target_start : match.end("target")]
        if target.startswith("<") and target.endswith(">"):
            target = target[1:-1]
            target_start += 1
        text_start, text_end = match.start("text"), match.end("text")
        link = Link(
            span=run.span(match.start(), match.end()),
            text=text[text_start:text_end],
            text_span=run.span(text_start, text_end),
            target=target,
            target_span=run.span(target_start, target_start + len(target)),
            is_image=bool(match.group("bang")),
        )
        links.append(link)
        if not link.is_image:
            link_texts.append((text_start, text_end, target))
        rfc_path = _PROJECT_RFC_PATH.search(target)
        if rfc_path is not None and not link.is_image:
            rfcs.append(
                RfcRef(
                    span=link.span,
                    number=int(rfc_path.group("number")),
                    kind="project",
                    text=text[match.start() : match.end()],
                    target=target,
                )
            )
        # Only the target is hidden: "[#12](url)" still names issue 12 in its text;
        # an image's alt text describes a picture and names nothing.
        _mask(chars, match.start() if link.is_image else text_end, match.end())
    if links:
        masked = "".join(chars)

    if chars is not None and "://" in masked:
        for match in _BARE_URL.finditer(masked):
            url = match.group().rstrip(".,;:!?'\"")
            add_url_issue(url, match.start(), match.start() + len(url), "url")
            _mask(chars, match.start(), match.end())
        masked = "".join(chars)

    taken: list[tuple[int, int]] = []  # spans already claimed by a longer form
    # Both lookups below are searches: a line can hold 50,000 links or references.
    link_starts = [text_start for text_start, _, _ in link_texts]  # in order, and the texts never overlap

    def link_target_of(start: int, end: int) -> str | None:
        if not link_starts:
            return None
        index = bisect.bisect_right(link_starts, start) - 1
        if index >= 0 and end <= link_texts[index][1]:
            return link_texts[index][2]
        return None

    has_hash = "#" in masked
    colours = None  # made for the first number that could be a colour
    for match in _QUALIFIED.finditer(masked) if has_hash and _QUALIFIED_HINT.search(masked) else ():
        issues.append(
            IssueRef(
                span=run.span(match.start(), match.end()),
                number=int(match.group("number")),
                style="qualified",
                text=match.group(),
                owner=match.group("owner"),
                repo=match.group("repo"),
                url=link_target_of(match.start(), match.end()),
            )
        )
        taken.append((match.start(), match.end()))
    for match in _GH.finditer(masked) if "GH-" in masked else ():
        issues.append(
            IssueRef(span=run.span(match.start(), match.end()), number=int(match.group("number")), style="gh", text=match.group())
        )
        taken.append((match.start(), match.end()))
    keys = [
        IssueRef(
            span=run.span(m.start(), m.end()),
            number=int(m.group("number")),
            style="key",
            text=m.group(),
            prefix=m.group("project"),
            project=m.group("project"),
        )
        for m in (_KEY.finditer(masked) if "-" in masked and _KEY_HINT.search(masked) else ())
        if m.group("project") != "GH"
    ]
    free = _FreeSpans(taken) if taken else None  # (most texts have no longer form)
    hashes, placeholder_hashes = _after_words(masked) if has_hash else ((), ())
    for start, tail, word in hashes:
        end = tail.end()
        if free is not None and not free(start, end):
            continue
        digits = tail.group("number")
        if len(digits) in (3, 6, 8):
            if colours is None:
                colours = _ColourContext(masked)
            if colours.looks_like_colour(tail.start(), end, digits):
                continue
        word = word.strip()
        url = link_target_of(start, end)
        issues.append(
            _new_issue(  # (span, number, style, text, prefix, owner, repo, host, url, is_pull, project)
                run.span(start, end), int(digits), "link" if url else ("word" if word else "hash"), masked[start:end], word,
                None, None, None, url, word.lower().startswith(("pr", "pull", "mr")), None,
            )
        )
    placeholders = [
        _new_placeholder(run.span(start, tail.end()), masked[start : tail.end()], word.strip())  # (span, text, prefix)
        for start, tail, word in placeholder_hashes
    ]
    task_ids = [
        _new_task_id(run.span(m.start(), m.end()), m.group("text"), m.group("number") or m.group("short"))  # (span, text, number)
        for m in (_TASK_ID.finditer(masked) if "T" in masked else ())
    ]
    if "-" in masked and _KEY_HINT.search(masked):
        dotted = [
            TaskId(span=run.span(m.start(), m.end()), text=m.group("text"), number=m.group("number"))
            for m in _DOTTED_TASK_ID.finditer(masked)
            if m.group("prefix") not in _VERSIONED_NAMES
        ]
        if dotted:
            task_ids = sorted(task_ids + dotted, key=lambda task_id: (task_id.span.start_line, task_id.span.start_col))
    for match in _IETF_RFC.finditer(masked) if "RFC" in masked else ():
        digits = match.group("number")
        rfcs.append(
            RfcRef(
                span=run.span(match.start(), match.end()),
                number=int(digits),
                kind="project" if digits.startswith("0") else "ietf",
                text=match.group(),
            )
        )

    blockers: list[Blocker] = []
    dependency_ids: list[DependencyId] = []
    if issues or task_ids:
        blockers = _named_blockers(run, masked, issues, task_ids)
    if "🆔" in masked or "⛔" in masked:
        _obsidian(run, masked, blockers, dependency_ids)

    title = title_span = None
    if bold_title and ("**" in masked or "__" in masked):
        stripped = masked.lstrip()
        lead = len(masked) - len(stripped)
        raw = _bold_title(stripped)
        if raw is not None:
            start = lead + 2
            title = raw.strip().rstrip(":").strip()
            if title:
                title_start = start + (len(raw) - len(raw.lstrip()))
                title_span = run.span(title_start, title_start + len(title))
                title = text[title_start : title_start + len(title)]
            else:
                title = None

    if not (issues or placeholders or task_ids or rfcs or links or title or keys or blockers or dependency_ids):
        return NO_REFERENCES  # shared: most subtasks reference nothing
    if len(issues) > 1:
        issues.sort(key=_SPAN_OF)
    if len(rfcs) > 1:
        rfcs.sort(key=_SPAN_OF)
    return _new_references(  # every field, in order
        tuple(issues), tuple(placeholders), tuple(task_ids), tuple(rfcs), tuple(links), tuple(keys), title, title_span,
        tuple(blockers), tuple(dependency_ids),
    )


def _bold_title(text: str) -> str | None:
    """What ``_BOLD_TITLE.match(text)`` takes for the title, found without the pattern.

    The pattern tries its look ahead at every character; but its lazy title simply ends at the
    first closing mark after the opening one, and holds at least one character and no line
    break (``tests/test_scan_shortcuts.py`` compares the two on random texts).
    """
    mark = text[:2]
    if mark != "**" and mark != "__":
        return None
    close = text.find(mark, 2)
    if close <= 2:
        return None
    title = text[2:close]
    return None if "\n" in title else title


def _after_words(masked: str) -> tuple[list[tuple[int, re.Match[str], str]], list[tuple[int, re.Match[str], str]]]:
    """What ``_HASH`` and ``_PLACEHOLDER`` find, as ``finditer`` finds them: each match's start,
    its tail (``_HASH_TAIL`` or ``_PLACEHOLDER_TAIL``) and its word, numbers first, then placeholders.

    Each pattern tried an issue word at every position of the text; the tail starts with "#", so
    only the few characters before each "#" can hold the word. One search finds both tails (no tail
    holds a second "#", so neither hides one of the other). ``tests/test_scan_shortcuts.py``
    compares this with the patterns on random texts.
    """
    numbers: list[tuple[int, re.Match[str], str]] = []
    placeholders: list[tuple[int, re.Match[str], str]] = []
    number_resume = placeholder_resume = 0  # where the last match of each ended: the word cannot start before
    for tail in _ANY_TAIL.finditer(masked):
        at = tail.start()
        # Every issue word ends in an ASCII letter, right before the "#" or one space or tab before it.
        last = masked[at - 1 : at]
        if last == " " or last == "\t":
            last = masked[at - 2 : at - 1] if at >= 2 else ""
        may_follow_word = last.isascii() and last.isalpha()
        if tail.lastgroup == "number":
            word = _WORD_BEFORE.search(masked, max(number_resume, at - _LONGEST_WORD), at) if may_follow_word else None
            number_resume = tail.end()
            found = numbers
        else:
            word = _WORD_BEFORE.search(masked, max(placeholder_resume, at - _LONGEST_WORD), at) if may_follow_word else None
            placeholder_resume = tail.end()
            found = placeholders
        start = at if word is None else word.start()
        found.append((start, tail, masked[start:at]))
    return numbers, placeholders


def _named_blockers(run: _Run, masked: str, issues: list[IssueRef], task_ids: list[TaskId]) -> list[Blocker]:
    """The issues and task IDs that follow "blocked by", "depends on" and the like, in order."""
    if not _may_name_blockers(masked):
        return []
    # Each name by the offset it starts at in the run's text.
    names: dict[int, tuple[int, Blocker]] = {}
    for ref in issues:
        start, end = _offsets(run, ref.span)
        names[start] = (end, Blocker(ref.span, "issue", ref.text, ref))
    for task_id in task_ids:
        start, end = _offsets(run, task_id.span)
        names[start] = (end, Blocker(task_id.span, "task", task_id.text))
    found: list[Blocker] = []
    for match in _DEPENDS.finditer(masked):
        at = match.end()
        while at in names:
            end, blocker = names[at]
            if masked.startswith(("'s", "’s"), end):
                break  # "after #6691's shed": the issue's doing, not a task to wait for
            found.append(blocker)
            between = _BETWEEN_NAMES.match(masked, end)
            if between is None:
                break
            at = between.end()
    return found


# Words every ``_DEPENDS`` match holds, asked of the lower-cased text (``text.may_hold_ignoring_case``).
_BLOCKER_WORDS = re.compile("blocked|depend|after|require|need|waiting")


def _may_name_blockers(masked: str) -> bool:
    return may_hold_ignoring_case(_BLOCKER_WORDS, masked.lower())


def _offsets(run: _Run, span: Span) -> tuple[int, int]:
    return run.offset(span.start_line, span.start_col), run.offset(span.end_line, span.end_col)


def _obsidian(run: _Run, masked: str, blockers: list[Blocker], dependency_ids: list[DependencyId]) -> None:
    for match in _OBSIDIAN_ID.finditer(masked):
        dependency_ids.append(DependencyId(run.span(match.start("name"), match.end("name")), match.group("name")))
    for match in _OBSIDIAN_BLOCKED.finditer(masked):
        start = match.start("names")
        for name in re.finditer(_OBSIDIAN_NAME, match.group("names")):
            blockers.append(Blocker(run.span(start + name.start(), start + name.end()), "id", name.group()))
