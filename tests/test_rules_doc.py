"""docs/rules.md is rendered from the rule modules; this keeps the committed file current."""

from __future__ import annotations

import re
import sys
import types
from pathlib import Path

import attrs
import pytest

from backlog_ls import rules_doc
from backlog_ls.rules import Rule, all_rules, registry

ROOT = Path(__file__).resolve().parents[1]


def test_docs_rules_md_is_current():
    committed = (ROOT / rules_doc.DOC_PATH).read_text(encoding="utf-8")

    assert committed == rules_doc.render(), f"docs/rules.md is stale: regenerate it with `{rules_doc.REGENERATE}`"


def test_every_rule_has_a_section_and_an_index_row_with_a_working_anchor():
    page = rules_doc.render()
    headings = re.findall(r"^## (BL\d+ \S+)$", page, flags=re.MULTILINE)

    assert headings == [f"{rule.code} {rule.name}" for rule in all_rules()]
    for rule in all_rules():
        assert f"| [{rule.code}](#{rules_doc.anchor(rule)}) | `{rule.name}` | {rule.severity} |" in page


def test_every_rule_module_starts_its_docstring_with_name_and_code():
    for rule in all_rules():
        doc = rules_doc._docstring_of(rule)
        assert doc.startswith(f"{rule.name} ({rule.code}): "), f"{rule.name}: docstring should start '{rule.name} ({rule.code}): ...'"


def test_anchor_is_githubs_slug_of_the_heading():
    rule = Rule("malformed-task", "BL201", "error", "x", lambda context: ())

    assert rules_doc.anchor(rule) == "bl201-malformed-task"


# --- the docstring format ---------------------------------------------------------------------------

DOC = '''fake-thing (BL990): a ``thing`` that is
    wrong.

    Why it matters, with ``code`` and a literal holding a backtick: ``a`b``.
    Second line of the paragraph.

    Bad:

        - [x] done
          - [ ] not done

    Good::

        ```
        fenced inside
        ```

    Configure it:

        [rules.fake-thing]
        limit = 3

    The end.
    '''


def test_parse_docstring():
    doc = rules_doc.parse_docstring(DOC)

    assert doc.one_line == "a `thing` that is wrong."
    assert doc.body == "\n".join(
        [
            "Why it matters, with `code` and a literal holding a backtick: `` a`b ``.",
            "Second line of the paragraph.",
            "",
            "**Bad:**",
            "",
            "```markdown",
            "- [x] done",
            "  - [ ] not done",
            "```",
            "",
            "**Good:**",
            "",
            "````markdown",
            "```",
            "fenced inside",
            "```",
            "````",
            "",
            "**Configure it:**",
            "",
            "```markdown",
            "[rules.fake-thing]",
            "limit = 3",
            "```",
            "",
            "The end.",
        ]
    )


def test_an_unlabelled_indented_block_is_fenced_and_toml_is_recognised():
    doc = rules_doc.parse_docstring("x (BL1): y.\n\nText.\n\n    [[dod.require]]\n    pattern = 'x'\n\nMore.\n")

    assert doc.body == "Text.\n\n```toml\n[[dod.require]]\npattern = 'x'\n```\n\nMore."


@attrs.frozen
class ThingOptions:
    limit: int = 3
    words: list[str] = attrs.Factory(lambda: ["TODO", "FIXME"])
    mode: str = attrs.field(default="auto", metadata={"doc": "How | to decide."})


def _module_with(name: str, doc: str, rules: tuple[Rule, ...], monkeypatch) -> None:
    module = types.ModuleType(f"backlog_ls.rules.{name}", doc)
    module.RULES = rules
    monkeypatch.setitem(sys.modules, module.__name__, module)


def test_render_rule_with_options(monkeypatch):
    rule = Rule("fake-thing", "BL990", "warning", "A thing.", lambda context: (), ThingOptions)
    _module_with("fake_thing", DOC, (rule,), monkeypatch)

    section = rules_doc.render_rule(rule)

    assert section.startswith("## BL990 fake-thing\n\n<!-- backlog-ls-disable fake-thing -->\n\nA `thing` that is wrong.\n\nDefault severity: `warning`.\n\nWhy")
    assert section.endswith(
        "Options, under `[rules.fake-thing]`:\n\n"
        "| Option | Type | Default | Description |\n"
        "|---|---|---|---|\n"
        "| `limit` | `int` | `3` |  |\n"
        '| `words` | `list[str]` | `["TODO", "FIXME"]` |  |\n'
        '| `mode` | `str` | `"auto"` | How \\| to decide. |\n'
        "\n"
        "<!-- backlog-ls-enable fake-thing -->\n"  # the section quotes what its rule finds: off in it
    )


def test_a_module_with_several_rules_documents_each_from_its_own_section(monkeypatch):
    first = Rule("fake-one", "BL991", "hint", "One.", lambda context: ())
    second = Rule("fake-two", "BL992", "hint", "Two.", lambda context: ())
    _module_with(
        "fake_pair",
        "fake-one (BL991): the first.\n\nAbout one.\n\nfake-two (BL992): the second.\n\nAbout two.\n",
        (first, second),
        monkeypatch,
    )

    assert rules_doc.render_rule(first).startswith("## BL991 fake-one\n\n<!-- backlog-ls-disable fake-one -->\n\nThe first.\n\nDefault severity: `hint`.\n\nAbout one.\n")
    assert "About one" not in rules_doc.render_rule(second)
    assert "About two." in rules_doc.render_rule(second)


def test_a_rule_without_docstring_falls_back_to_its_summary(monkeypatch):
    rule = Rule("fake-bare", "BL993", "info", "A bare rule | with a pipe.", lambda context: ())
    monkeypatch.setattr(registry, "RULES", (rule,))

    page = rules_doc.render()

    assert "| [BL993](#bl993-fake-bare) | `fake-bare` | info | A bare rule \\| with a pipe. |" in page
    assert "## BL993 fake-bare\n\n<!-- backlog-ls-disable fake-bare -->\n\nA bare rule | with a pipe.\n\nDefault severity: `info`.\n\nThis rule has no options.\n" in page


@pytest.mark.parametrize(
    ("value", "toml"),
    [(True, "true"), (3, "3"), ("a\"b", '"a\\"b"'), ([1, "x"], '[1, "x"]'), ({"a b": 1}, '{ "a b" = 1 }'), ({}, "{}")],
)
def test_toml_value(value, toml):
    assert rules_doc.toml_value(value) == toml


@pytest.mark.shared("examples", "corpus", "corpus2")
def test_every_severity_a_rule_reports_on_the_real_backlogs_is_documented():
    from backlog_ls.config import Settings
    from backlog_ls.parse import parse
    from backlog_ls.rules import all_rules, check

    from .conftest import shared_files
    from .rules.fixture import assert_documented_severities

    page = (Path(__file__).parent.parent / "docs" / "rules.md").read_text(encoding="utf-8")
    for rule in all_rules():
        for severity, what in rule.variants:
            assert f"- `{severity}`: " in rules_doc.render_rule(rule) and what.split(" (")[0] in page
    seen = set()
    for path in shared_files("examples") + shared_files("corpus") + shared_files("corpus2"):
        found = check(parse(path.read_bytes().decode("utf-8", errors="replace")), path=str(path))
        assert_documented_severities(found, Settings())
        seen |= {(f.code, f.severity) for f in found}
    assert {("BL102", "hint"), ("BL102", "warning"), ("BL201", "error")} <= seen
