"""mojibake (BL501): UTF-8 text that was once read in a legacy code page, such as ``â€”`` for ``—``.

When a UTF-8 file is opened as Windows-1252, Latin-1 or Mac OS Roman and saved
again, every non-ASCII character turns into two to four others: ``—`` becomes
``â€”`` (Windows-1252) or ``‚Äî`` (Mac OS Roman), ``é`` becomes ``Ã©`` or ``√©``,
and ``🚧`` becomes ``ðŸš§`` or ``üöß``. The ftfy library recognises these
sequences; each run of them is reported with the text it stands for. ftfy judges a
line at a time and lets pass runs that look plausible alone (``‚úÖ`` for ✅, ``‚Üí``
for →): once the document shows mojibake in one code page for sure, every run that
round-trips in it (encoded in it, decoded as UTF-8, encoded again to the same) is
reported too, so that one ``--fix`` repairs the whole document. In Mac OS Roman, where
ftfy lets every lone misreading pass, one misread symbol or emoji is sure enough alone.

The fix restores the original characters. ``check --fix`` applies it only when
the repair is certain: re-encoding the repaired text in the code page named
gives back exactly the text written. Otherwise (a byte lost on the way, text
from several encodings mixed) the fix is offered to apply by hand. Code blocks
and code spans are left alone: they may show mojibake on purpose.

Bad:

    - [ ] ðŸš§ Ship the cafÃ© menu â€” soon

Good:

    - [ ] 🚧 Ship the café menu — soon
"""

from __future__ import annotations

import difflib
import functools
import re
import unicodedata
from collections import Counter
from collections.abc import Iterator

from ..model import Block, Span
from . import WARNING, Context, Edit, Finding, Fix, Rule
from .common import BlockValues

# Encodings a UTF-8 text gets misread in, as ftfy names them, with the name users know.
_ENCODING_NAMES = {
    "sloppy-windows-1252": "Windows-1252",
    "macroman": "Mac OS Roman",
    "latin-1": "Latin-1 (ISO-8859-1)",
    "sloppy-windows-1250": "Windows-1250",
    "sloppy-windows-1251": "Windows-1251",
    "sloppy-windows-1253": "Windows-1253",
    "sloppy-windows-1254": "Windows-1254",
    "sloppy-windows-1257": "Windows-1257",
    "iso-8859-2": "ISO-8859-2",
    "cp437": "code page 437",
}
# The code pages a repair is proved against, in order of preference when several fit.
_CANDIDATES = tuple(_ENCODING_NAMES)


@functools.cache
def _ftfy():
    """ftfy and the configuration the rule runs it with, imported when a line first needs it: its
    import (~70 ms, most of it wcwidth's tables) would otherwise delay every first check, and most
    documents have no line with the signature below."""
    import ftfy
    import ftfy.bad_codecs  # noqa: F401  (registers the sloppy-windows-* codecs)

    return ftfy, ftfy.TextFixerConfig(
        unescape_html=False,
        remove_terminal_escapes=False,
        fix_encoding=True,
        restore_byte_a0=False,
        replace_lossy_sequences=True,
        decode_inconsistent_utf8=True,
        fix_c1_controls=False,
        fix_latin_ligatures=False,
        fix_character_width=False,
        uncurl_quotes=False,
        fix_line_breaks=False,
        fix_surrogates=False,
        remove_control_chars=False,
        normalization=None,
        explain=False,
    )


def _decoded_alone(values: range, encoding: str) -> set[str]:
    """What each byte decodes to in a single-byte code page (undecodable ones left out), as ftfy's
    codecs decode it without importing ftfy: a "sloppy-" code page is the plain one with the bytes
    it leaves undefined read as Latin-1 (``tests/rules/test_mojibake_signature.py`` checks it)."""
    plain = encoding.removeprefix("sloppy-")
    characters = set()
    for value in values:
        try:
            characters.add(bytes([value]).decode(plain))
        except UnicodeDecodeError:
            if plain != encoding:
                characters.add(chr(value))
    return characters


def _signature_pattern() -> re.Pattern[str]:
    """Two characters that a UTF-8 lead byte and a continuation byte become in some legacy code page.

    Every mojibake of UTF-8 holds such a pair; ordinary text, CJK and emoji almost never
    do, so only the rare line that has one is handed to ftfy (which is slow).
    """
    leads: set[str] = set()
    continuations: set[str] = set()
    for encoding in _CANDIDATES:
        leads.update(_decoded_alone(range(0xC2, 0xF5), encoding))
        continuations.update(_decoded_alone(range(0x80, 0xC0), encoding))

    def char_class(chars: set[str]) -> str:
        return "[" + "".join(re.escape(char) for char in sorted(chars)) + "]"

    return re.compile(char_class(leads) + char_class(continuations))


_SIGNATURE = _signature_pattern()
_CODE_SPAN = re.compile(r"(`+)(?:(?!\1).)+?\1")


def _fitting_encodings(bad: str, good: str) -> tuple[str, ...]:
    """The code pages that turn ``good`` (as UTF-8 bytes) into exactly ``bad``: the proof of a repair."""
    if not good.strip() or ("\ufffd" in good and "\ufffd" not in bad):
        return ()
    data = good.encode("utf-8")
    fitting = []
    for encoding in _CANDIDATES:
        try:
            if data.decode(encoding) == bad:
                fitting.append(encoding)
        except UnicodeDecodeError:
            continue
    return tuple(fitting)


def _regions(line: str, fixed: str) -> list[tuple[int, int, int, int]]:
    """Changed stretches (line start, end, fixed start, end), merged when only a word's letters part them."""
    matcher = difflib.SequenceMatcher(None, line, fixed, autojunk=False)
    regions: list[list[int]] = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        if regions and not any(char.isspace() for char in line[regions[-1][1] : i1]):
            regions[-1][1], regions[-1][3] = i2, j2
        else:
            regions.append([i1, i2, j1, j2])
    return [tuple(region) for region in regions]  # type: ignore[misc]


def _visible(text: str) -> str:
    """``text`` for a message: control characters (Latin-1 reads bytes 0x80-0x9f as such) written as escapes."""
    return "".join(f"\\x{ord(char):02x}" if unicodedata.category(char) == "Cc" else char for char in text)


def _code_ranges(line: str) -> list[tuple[int, int]]:
    return [match.span() for match in _CODE_SPAN.finditer(line)] if "`" in line else []


_Run = tuple[int, int, int, str, str, tuple[str, ...]]  # line, start, end, garbled, repaired, code pages


def _block_runs(block: Block, lines) -> tuple[tuple[_Run, ...]] | tuple[()]:
    """(the block's garbled runs,) when a line of it holds a lead and a continuation byte misread
    (ftfy may still find no run in it); () when none does, as in most blocks."""
    if block.kind == "code":
        return ()
    runs: list[_Run] = []
    signed = False
    for number in range(block.start_line, block.end_line + 1):
        line = lines[number]
        if not line.isascii() and _SIGNATURE.search(line):
            signed = True
            runs.extend(_garbled_runs(number, line))
    return (tuple(runs),) if signed else ()


_MEMO = BlockValues(_block_runs)


def _check(context: Context) -> Iterator[Finding]:
    backlog = context.backlog
    lines = backlog.lines
    garbled: list[_Run] = []
    signed = False
    for _, (runs,) in _MEMO.each(backlog.blocks, lines):
        signed = True
        garbled.extend(runs)
    if not signed:
        return
    _ftfy()  # the round trips below decode in its sloppy-windows-* code pages
    # Name one code page for the whole document where the runs allow it: Latin-1 and
    # Windows-1252 both fit "Ã©", but a file holds text from one misreading, not two.
    votes = Counter(encoding for *_, fitting in garbled for encoding in fitting)
    confident = _confident_encoding(garbled, votes)
    if confident is not None:
        garbled = sorted(garbled + list(_round_trip_runs(backlog, confident, garbled)))
    else:
        for encoding in _ROUND_TRIP_CANDIDATES:
            extra = list(_round_trip_runs(backlog, encoding, garbled))
            if _sure_without_ftfy(extra, encoding):
                garbled = sorted(garbled + extra)
                break
    for number, start, end, bad, good, fitting in garbled:
        encoding = max(fitting, key=lambda e: (votes[e], -_CANDIDATES.index(e))) if fitting else None
        if encoding is not None:
            message = f"Mis-encoded text '{_visible(bad)}' looks like '{_visible(good)}' read as {_ENCODING_NAMES[encoding]}."
        else:
            message = f"Mis-encoded text '{_visible(bad)}' looks like '{_visible(good)}' read in a legacy code page."
        span = Span.on_line(number, start, end)
        fix = Fix(f"Replace with '{good}'", (Edit(span, good),), safe=encoding is not None, preferred=True)
        yield RULE.finding(span, message, (fix,))


def _confident_encoding(garbled: list[_Run], votes: Counter) -> str | None:
    """The code page the document was misread in, when its runs say so without doubt: two runs
    or more, or one of three characters or more, that it alone (or first) explains."""
    if not votes:
        return None
    encoding = max(votes, key=lambda e: (votes[e], -_CANDIDATES.index(e)))
    proving = [run for run in garbled if encoding in run[5]]
    if len(proving) >= 2 or any(len(run[3]) >= 3 for run in proving):
        return encoding
    return None


def _sure_without_ftfy(runs: list[_Run], encoding: str) -> bool:
    """Whether runs that round-trip in ``encoding``, where ftfy found nothing sure, prove mojibake.

    Two runs or more of three characters or more (a misread symbol or emoji, "‚úÖ") are as sure as
    ftfy. Two characters are not: "§2–§5" round-trips in Mac OS Roman ("–§" is "Ф"). One run alone
    is sure only in Mac OS Roman, where ftfy lets every lone misreading pass ("‚úÖ", "‚Üí", "‚òÖ"),
    and only when it is a misread symbol or emoji, or two misread characters of three bytes
    ("Êó•Êú¨" for 日本): three UTF-8 bytes in a row that Mac OS Roman reads as a lead and two
    continuations are not French or German text. In Windows-1252 they can be ("é…»" ends a
    French quotation and decodes to "酻"), and ftfy does find the lone misreadings there."""
    long_runs = [run for run in runs if len(run[3]) >= 3]
    if len(long_runs) >= 2:
        return True
    if encoding != "macroman" or len(long_runs) != 1:
        return False
    good = long_runs[0][4]
    return len(long_runs[0][3]) >= 6 or all(unicodedata.category(char)[0] in "SP" for char in good)


_NON_ASCII_RUN = re.compile(r"[^\x00-\x7f]+")
# The code pages a whole document is misread in most often, tried in turn when ftfy found nothing.
_ROUND_TRIP_CANDIDATES = ("macroman", "sloppy-windows-1252", "latin-1")
_LONGEST_RUN = 64


def _round_trip_runs(backlog, encoding: str, found: list[_Run]) -> Iterator[_Run]:
    """Every run that round-trips in ``encoding`` (encode in it, decode as UTF-8, re-encode to the same),
    outside code and the runs ftfy found: ftfy judges line by line and misses runs that look
    plausible alone ("‚úÖ" for ✅, "‚Üí" for →, a lone emoji)."""
    taken = {(run[0], position) for run in found for position in range(run[1], run[2])}
    lines = backlog.lines
    for block in backlog.blocks:
        if block.kind in ("code", "front-matter"):
            continue
        inner_code = {line for kind, first, last in block.inner_blocks for line in range(first, last + 1)}
        for number in range(block.start_line, block.end_line + 1):
            line = lines[number]
            # Every misread UTF-8 run holds a lead and a continuation byte as characters.
            if line.isascii() or number in inner_code or not _SIGNATURE.search(line):
                continue
            code = _code_ranges(line)
            for match in _NON_ASCII_RUN.finditer(line):
                for start, end, good in _round_trips(match.group(), match.start(), encoding):
                    if any(low <= start and end <= high for low, high in code):
                        continue
                    if any((number, position) in taken for position in range(start, end)):
                        continue
                    yield number, start, end, line[start:end], good, (encoding,)


def _round_trips(run: str, offset: int, encoding: str) -> Iterator[tuple[int, int, str]]:
    """The longest stretches of ``run`` that are UTF-8 misread in ``encoding``, left to right."""
    index = 0
    while index < len(run):
        for stop in range(min(len(run), index + _LONGEST_RUN), index + 1, -1):
            candidate = run[index:stop]
            try:
                data = candidate.encode(encoding)
                good = data.decode("utf-8")
            except (UnicodeEncodeError, UnicodeDecodeError):
                continue
            if not good.isascii() and good.encode("utf-8").decode(encoding) == candidate:
                yield offset + index, offset + stop, good
                index = stop
                break
        else:
            index += 1


def _garbled_runs(number: int, line: str) -> Iterator[_Run]:
    """(line, start, end, garbled text, repaired text, code pages that prove the repair) for each run."""
    try:
        ftfy, config = _ftfy()
        fixed = ftfy.fix_text(line, config)
    except Exception:  # ftfy must not take the rule down on odd input
        return
    if fixed == line:
        return
    code = _code_ranges(line)
    covered: set[int] = set()
    for start, end, fixed_start, fixed_end in _regions(line, fixed):
        if any(low <= start and end <= high for low, high in code):
            continue
        bad, good = line[start:end], fixed[fixed_start:fixed_end]
        fitting = _fitting_encodings(bad, good)
        if not fitting:
            # The character diff can pair the two texts wrongly where the repaired text holds a
            # character that the garbled run also holds ("ðŸš€ â‚¬" for "🚀 €": the "€" ending
            # 🚀's misreading was matched with the repaired "€"), giving "'ðŸš' looks like '🚀 '".
            # The runs of non-ASCII characters around the stretch, split where they round-trip
            # in one code page, are the proved repair.
            proved = _proved_runs(line, start, end, covered)
            if proved:
                yield from ((number, *run) for run in proved)
                continue
        covered.update(range(start, end))
        yield number, start, end, bad, good, fitting


def _proved_runs(line: str, start: int, end: int, covered: set[int]) -> list[tuple[int, int, str, str, tuple[str, ...]]]:
    """The stretches of the non-ASCII runs overlapping ``line[start:end]`` that round-trip in the
    first code page that explains every non-ASCII character of the stretch, or none."""
    around = [match for match in _NON_ASCII_RUN.finditer(line) if match.start() < end and start < match.end()]
    if not around:
        return []
    for encoding in _CANDIDATES:
        found = [
            (run_start, run_end, good)
            for match in around
            for run_start, run_end, good in _round_trips(match.group(), match.start(), encoding)
            if not covered.intersection(range(run_start, run_end))
        ]
        inside = {position for run_start, run_end, _ in found for position in range(run_start, run_end)}
        if found and all(position in inside for position in range(start, end) if not line[position].isascii()):
            covered.update(inside)
            return [
                (run_start, run_end, line[run_start:run_end], good, _fitting_encodings(line[run_start:run_end], good))
                for run_start, run_end, good in found
            ]
    return []


RULE = Rule(
    name="mojibake",
    code="BL501",
    severity=WARNING,
    summary="Text garbled by reading UTF-8 in a legacy code page (`â€”` for `—`, `Ã©` for `é`).",
    check=_check,
)
