from __future__ import annotations

import pytest

from backlog_ls.rules import mojibake

from .fixture import apply_fix, assert_findings, findings_for

ORIGINAL = "# Plan — v2\n\n- [ ] 🚧 Ship — café\n- [x] Done ✅ naïve\n"


def _fix_all(text: str, *, safe_only: bool = True) -> str:
    found = findings_for(text, rule="BL501")
    for finding in reversed(found):  # bottom-up, right to left: earlier spans stay valid
        fix = finding.fixes[0]
        if fix.safe or not safe_only:
            text = apply_fix(text, fix)
    return text


@pytest.mark.parametrize(
    ("codec", "name"),
    [("mac_roman", "Mac OS Roman"), ("cp1252", "Windows-1252"), ("latin-1", "Latin-1 (ISO-8859-1)")],
)
def test_a_utf8_backlog_read_in_a_legacy_code_page_is_restored_exactly(codec, name):
    garbled = ORIGINAL.encode("utf-8").decode(codec)
    found = findings_for(garbled, rule="BL501")
    assert [finding.span.start_line for finding in found] == [0, 2, 2, 2, 3, 3]
    assert all(finding.severity == "warning" and finding.fixable for finding in found)
    assert all(finding.message.endswith(f" read as {name}.") for finding in found)
    assert _fix_all(garbled) == ORIGINAL
    assert findings_for(ORIGINAL, rule="BL501") == []


def test_findings_name_the_garbled_text_and_what_it_was():
    assert_findings(
        """
        - [ ] ðŸš§ Ship â€” cafÃ©
              ^^^^ BL501 warning: Mis-encoded text 'ðŸš§' looks like '🚧' read as Windows-1252.
                        ^^^ BL501 warning: Mis-encoded text 'â€”' looks like '—' read as Windows-1252.
                               ^^ BL501 warning: Mis-encoded text 'Ã©' looks like 'é' read as Windows-1252.
        """,
        rule="mojibake",
    )
    assert_findings(
        """
        - [ ] ‚úÖ Ship ‚Äî caf√©
              ^^^ BL501 warning: Mis-encoded text '‚úÖ' looks like '✅' read as Mac OS Roman.
                       ^^^ BL501 warning: Mis-encoded text '‚Äî' looks like '—' read as Mac OS Roman.
                              ^^ BL501 warning: Mis-encoded text '√©' looks like 'é' read as Mac OS Roman.
        """,
        rule="mojibake",
    )
    # Latin-1 reads bytes 0x80-0x9f as invisible control characters: messages show them escaped.
    found = findings_for("- [ ] dash â\x80\x94 here\n", rule="BL501")
    assert [(f.span, f.message) for f in found] == [
        ((0, 11, 0, 14), "Mis-encoded text 'â\\x80\\x94' looks like '—' read as Latin-1 (ISO-8859-1).")
    ]


def test_one_finding_per_garbled_word():
    found = findings_for("- [ ] Ã¼nÃ¯cÃ¶dÃ© text\n", rule="BL501")
    assert [(f.span, f.message) for f in found] == [
        ((0, 6, 0, 17), "Mis-encoded text 'Ã¼nÃ¯cÃ¶dÃ©' looks like 'ünïcödé' read as Windows-1252.")
    ]
    assert found[0].fixes[0].title == "Replace with 'ünïcödé'"


def test_uncertain_repairs_are_not_applied_by_check_fix():
    # The closing quote's last byte (0x9d) has no Windows-1252 character: it was lost.
    garbled = "- [ ] â€œquotedâ€\ufffd text\n"
    found = findings_for(garbled, rule="BL501")
    assert found and not any(finding.fixable for finding in found)
    assert all(finding.message.endswith("read in a legacy code page.") for finding in found)


def test_real_text_is_left_alone():
    assert_findings(
        """
        # Größe — naïve café “quoted” ‘single’ … € © ® ™ ° ± µ
        - [ ] 日本語のテスト、中文测试，한국어 테스트
        - [x] ✅ 🚀 🎉 👩‍💻 ⏳ · → ← ≤ ≥ ≠ √ ∞
        - [ ] Ελληνικά, русский, українська: Рівне, עברית, العربية
        - [ ] HTML entities stay text: &mdash; &amp; &#x1F680;
        - [ ] A tree: ├── src │ └── docs ─┐
        """,
        rule="mojibake",
    )


def test_code_is_left_alone():
    assert_findings(
        """
        - [ ] Detect `â€”` in text
        ```
        â€” in a code block
        ```
        """,
        rule="mojibake",
    )


def test_docstring_shows_bad_and_good():
    doc = mojibake.__doc__
    assert doc.startswith("mojibake (BL501): ")
    assert "\nBad:\n" in doc and "\nGood:\n" in doc
