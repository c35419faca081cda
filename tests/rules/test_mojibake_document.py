"""Mojibake across the whole document (issue 12 §5): once a document shows confident mojibake in
one code page, every run that round-trips in it is found, and one --fix repairs them all."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from backlog_ls.fixes import fix_all
from backlog_ls.parse import parse
from backlog_ls.rules import check

from ..robustness.budget import count

GOOD = (
    "# 🚀 Launch plan\n\n## Phase 1 ✅\n- [x] Parser ✅ done → next\n- [ ] Ship 🚧 – soon\n"
    "- [ ] Café menu — “quoted”\n\n## Next 🚀\n- [ ] Docs ✅\n"
)


def _mojibake(text: str) -> list:
    return [finding for finding in check(parse(text)) if finding.code == "BL501"]


def _fixed(text: str) -> str:
    return fix_all(text, lambda current: _mojibake(current)).text


def test_a_mac_roman_backlog_is_found_on_every_garbled_line_and_repaired_in_one_fix():
    bad = GOOD.encode("utf-8").decode("mac_roman")
    found = _mojibake(bad)
    garbled_lines = {n for n, (a, b) in enumerate(zip(GOOD.split("\n"), bad.split("\n"))) if a != b}
    assert {finding.span.start_line for finding in found} == garbled_lines
    assert all(finding.fixable for finding in found)
    # ftfy alone misses these: they look plausible on their own.
    assert {"'‚úÖ' looks like '✅'", "'‚Üí' looks like '→'"} <= {f.message.split("Mis-encoded text ")[1].split(" read")[0] for f in found}
    assert _fixed(bad) == GOOD
    assert _mojibake(GOOD) == []


def test_code_keeps_its_mojibake():
    bad = GOOD.encode("utf-8").decode("mac_roman") + "\n```\nüöÄ on purpose\n```\n"
    fixed = _fixed(bad)
    assert fixed == GOOD + "\n```\nüöÄ on purpose\n```\n"


def test_a_run_whose_repair_holds_a_character_of_its_misreading_is_repaired_run_by_run():
    # "🚀" misread as Windows-1252 ends in "€": a character diff paired it with the repaired "€"
    # and reported "'ðŸš' looks like '🚀 '", which no fix could apply.
    original = "- [ ] ✅ ✅ ✅ ✅\n- [ ] ✅ 🚀 € ✅\n"
    garbled = original.encode("utf-8").decode("cp1252")
    messages = [finding.message for finding in _mojibake(garbled) if finding.span.start_line == 1]
    assert messages == [
        "Mis-encoded text 'âœ…' looks like '✅' read as Windows-1252.",
        "Mis-encoded text 'ðŸš€' looks like '🚀' read as Windows-1252.",
        "Mis-encoded text 'â‚¬' looks like '€' read as Windows-1252.",
        "Mis-encoded text 'âœ…' looks like '✅' read as Windows-1252.",
    ]
    assert _fixed(garbled) == original


def test_one_lone_misreading_in_mac_os_roman_is_repaired():
    # ftfy lets each of these pass alone; a random test found the first one in a whole document.
    for original in ("- [ ] ✅ task task task\n- [ ] ship the plan\n", "- [ ] 🚀 launch\n- [ ] next\n", "- [ ] 日本 ship\n- [ ] plan\n"):
        garbled = original.encode("utf-8").decode("mac_roman")
        (finding,) = _mojibake(garbled)
        assert finding.message.endswith("read as Mac OS Roman.")
        assert finding.fixable
        assert _fixed(garbled) == original


def test_a_lone_run_that_round_trips_in_windows_1252_is_left_to_ftfy():
    # "é…»" round-trips in Windows-1252 (to "酻"), but it ends a French quotation.
    text = "- [ ] Relire « le café… » puis «\u00a0merci\u00a0»\n- [ ] Fin du café…»\n"
    assert _mojibake(text) == []


_PIECES = st.sampled_from(
    ["✅", "🚀", "🚧", "→", "←", "—", "–", "“", "”", "‘", "’", "é", "ü", "ñ", "ç", "日本", "•", "…", "★", "✔", "€"]
)
_WORDS = st.sampled_from(["task", "ship", "the", "plan", "done", "next", "v2"])
_TEXT = st.lists(st.one_of(_PIECES, _WORDS), min_size=4, max_size=12).map(" ".join)


@settings(max_examples=count(60, 1000), deadline=None)
@given(st.lists(_TEXT, min_size=2, max_size=5), st.sampled_from(["mac_roman", "cp1252", "latin-1"]))
def test_random_text_misread_in_a_code_page_is_repaired_to_the_original(lines, encoding):
    original = "".join(f"- [ ] {line}\n" for line in lines)
    try:
        garbled = original.encode("utf-8").decode(encoding)
    except UnicodeDecodeError:
        return  # a byte this code page does not map: the round trip is not possible
    if garbled.encode(encoding).decode("utf-8") != original or "\x00" in garbled:
        return
    if any(0x80 <= ord(char) <= 0x9F for char in garbled):
        return  # Latin-1 makes C1 controls of some bytes: editors drop them, the round trip is ambiguous
    assert _fixed(garbled) == original


_CORRECT = [
    "- [ ] Réviser le modèle de données, déjà prêt à 80 % — où en est-on ?",
    "- [x] Größere Änderungen an der Oberfläche prüfen; Übersetzung fertig",
    "- [ ] Atualização da configuração não concluída; ação necessária",
    "- [ ] Zażółć gęślą jaźń: łączenie wyników źródłowych",
    "- [x] Güncelleme işlemi tamamlandı; şimdi çıktıyı doğrula",
    "Design: docs/02 §2–§5, §7–§8 (in Mac OS Roman, '–§' would be 'Ф')",
]


def test_correct_text_in_european_languages_is_never_flagged():
    text = "# Plan ✅\n" + "\n".join(_CORRECT) + "\n- [ ] Next → 🚀\n"
    assert _mojibake(text) == []
    # Not even in a document that does hold mojibake elsewhere (where "–§" would be taken for
    # a misread "Ф", as the issue asks: there every run that round-trips counts).
    mixed = "# Plan ✅\n" + "\n".join(_CORRECT[:-1]) + "\n" + "- [ ] " + "‚úÖ done, ‚Üí next, caf√© ‚Äî ok".encode("mac_roman").decode("utf-8").encode("utf-8").decode("mac_roman") + "\n"
    lines = {finding.span.start_line for finding in _mojibake(mixed)}
    assert lines == {len(mixed.split("\n")) - 2}
