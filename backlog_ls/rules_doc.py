"""docs/rules.md, rendered from the rule registry: each rule's code, name, severity, options and docstring.

The documentation lives where the rule does, in its module docstring::

    name (CODE): what it finds, in one line.

    Paragraphs saying why it matters and what to do, with ``code`` in RST
    double backticks (rendered as Markdown code).

    Bad:

        - [x] ship it
          - [ ] write the tests

    Good:

        - [ ] ship it
          - [ ] write the tests

A line ending in ":" followed by an indented block becomes the label and a
fenced ```markdown block. A module that defines several rules (``RULES``) starts
one such section per rule, each with its "name (CODE):" line.

Regenerate the committed file with ``backlog-ls rules --markdown > docs/rules.md``
(tests/test_rules_doc.py fails when it is stale).
"""

from __future__ import annotations

import inspect
import json
import re
import sys
import textwrap
from collections.abc import Iterable, Sequence
from typing import Any

import attrs

from .rules import Rule, all_rules

DOC_PATH = "docs/rules.md"
REGENERATE = "backlog-ls rules --markdown > docs/rules.md"

_HEADER = re.compile(r"^(?P<name>[a-z0-9][\w-]*)\s*\((?P<code>[A-Z]+\d+)\)\s*:\s*(?P<line>.*)$")
_DOUBLE_BACKTICKS = re.compile(r"``(.+?)``")


def anchor(rule: Rule) -> str:
    """The GitHub anchor of the rule's heading ("## BL201 malformed-task" -> "bl201-malformed-task")."""
    return _slug(_heading(rule))


def _heading(rule: Rule) -> str:
    return f"{rule.code} {rule.name}"


def _slug(heading: str) -> str:
    # GitHub: lower case, drop punctuation other than "-" and "_", spaces become "-".
    return re.sub(r"[^\w\- ]", "", heading.lower()).replace(" ", "-")


# --- the docstring -------------------------------------------------------------------------------


@attrs.frozen
class RuleDoc:
    one_line: str  # the text after "name (CODE):", or "" when the docstring has no such line
    body: str  # Markdown


def _is_rule_module(name: str) -> bool:
    from .rules.registry import _NOT_RULES

    prefix = f"{__package__}.rules."
    return name.startswith(prefix) and name[len(prefix) :] not in _NOT_RULES


def _module_of(rule: Rule) -> Any:
    """The rule module that defines ``rule`` (as ``RULE`` or in ``RULES``), or None."""
    for name, module in list(sys.modules.items()):
        if module is not None and _is_rule_module(name):
            if getattr(module, "RULE", None) is rule or rule in getattr(module, "RULES", ()):
                return module
    name = getattr(rule.check, "__module__", "") or ""
    return sys.modules.get(name) if _is_rule_module(name) else None


def _docstring_of(rule: Rule) -> str:
    module = _module_of(rule)
    doc = inspect.cleandoc(module.__doc__) if module is not None and module.__doc__ else ""
    if not doc:
        return ""
    lines = doc.split("\n")
    starts = [index for index, line in enumerate(lines) if _HEADER.match(line)]
    for number, start in enumerate(starts):
        header = _HEADER.match(lines[start])
        assert header is not None
        if rule.name == header["name"] or rule.code == header["code"]:
            end = starts[number + 1] if number + 1 < len(starts) else len(lines)
            return "\n".join(lines[start:end]).strip()
    several = len(getattr(module, "RULES", ())) + (getattr(module, "RULE", None) is not None) > 1
    return "" if several else doc  # another rule's text is worse than none


def parse_docstring(doc: str) -> RuleDoc:
    """Split a rule docstring into its one-line description and a Markdown body."""
    lines = inspect.cleandoc(doc).split("\n") if doc.strip() else []
    if not lines:
        return RuleDoc("", "")
    header = _HEADER.match(lines[0])
    lead = [header["line"] if header else lines[0]]
    index = 1
    while index < len(lines) and lines[index].strip():  # the first paragraph may wrap
        lead.append(lines[index].strip())
        index += 1
    return RuleDoc(_inline(" ".join(lead).strip()), _body(lines[index:]))


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def _body(lines: Sequence[str]) -> str:
    out: list[str] = []
    index = 0
    while index < len(lines):
        line = lines[index]
        following = next((later for later in lines[index + 1 :] if later.strip()), None)
        label_indent = _indent(line)
        if line.rstrip().endswith(":") and following is not None and _indent(following) > label_indent:
            label = line.strip().removesuffix("::").removesuffix(":") + ":"
            out.append(f"**{_inline(label)}**" if len(label.split()) <= 3 else _inline(line.strip().rstrip(":") + ":"))
            out.append("")
            index += 1
            block: list[str] = []
            while index < len(lines) and (not lines[index].strip() or _indent(lines[index]) > label_indent):
                block.append(lines[index])
                index += 1
            out.extend(_fenced(textwrap.dedent("\n".join(block)).strip("\n")))
            out.append("")
            continue
        if line.strip() and label_indent > 0 and (index == 0 or not lines[index - 1].strip()):
            block = []
            while index < len(lines) and (not lines[index].strip() or _indent(lines[index]) > 0):
                block.append(lines[index])
                index += 1
            code = textwrap.dedent("\n".join(block)).strip("\n")
            out.extend(_fenced(code, _language(code)))
            out.append("")
            continue
        out.append(_inline(line.rstrip()))
        index += 1
    text = "\n".join(out)
    return re.sub(r"\n{3,}", "\n\n", text).strip()


def _language(code: str) -> str:
    """A guess for an unlabelled example block: TOML configuration, or else a Markdown backlog."""
    lines = [line.strip() for line in code.split("\n") if line.strip()]
    toml = sum(1 for line in lines if re.match(r"^(\[\[?[\w.\"-]+\]\]?|[\w\"-]+\s*=)", line))
    return "toml" if lines and toml * 2 > len(lines) else "markdown"


def _fenced(code: str, language: str = "markdown") -> list[str]:
    longest = max((len(run) for run in re.findall(r"`+", code)), default=0)
    fence = "`" * max(3, longest + 1)
    return [f"{fence}{language}", *code.split("\n"), fence]


def _inline(text: str) -> str:
    """RST ``literal`` -> Markdown `literal` (with enough backticks when the literal holds one)."""

    def code(match: re.Match[str]) -> str:
        content = match.group(1)
        if "`" not in content:
            return f"`{content}`"
        return f"`` {content} ``"

    return _DOUBLE_BACKTICKS.sub(code, text)


# --- options --------------------------------------------------------------------------------------


@attrs.frozen
class OptionDoc:
    key: str  # as written in the configuration: kebab-case
    type: str
    default: str  # as TOML, or "(required)"
    doc: str
    value: Any = None  # the default itself (None when required or computed)


def _type_name(annotation: Any) -> str:
    if annotation is None:
        return ""
    if isinstance(annotation, str):
        return annotation
    if isinstance(annotation, type) and not getattr(annotation, "__args__", None):
        return annotation.__name__
    return str(annotation).replace("typing.", "")


def toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, (list, tuple, set, frozenset)):
        items = sorted(value, key=repr) if isinstance(value, (set, frozenset)) else value
        return "[" + ", ".join(toml_value(item) for item in items) + "]"
    if isinstance(value, dict):
        if not value:
            return "{}"
        return "{ " + ", ".join(f"{_toml_key(str(k))} = {toml_value(v)}" for k, v in value.items()) + " }"
    if attrs.has(type(value)):
        return toml_value(attrs.asdict(value))
    return json.dumps(str(value), ensure_ascii=False)


def _toml_key(key: str) -> str:
    return key if re.fullmatch(r"[A-Za-z0-9_-]+", key) else json.dumps(key, ensure_ascii=False)


def options_of(rule: Rule) -> list[OptionDoc]:
    if rule.options is None or not attrs.has(rule.options):
        return []
    found: list[OptionDoc] = []
    for field in attrs.fields(rule.options):
        default, value = field.default, None
        if default is attrs.NOTHING:
            shown = "(required)"
        elif isinstance(default, attrs.Factory):  # type: ignore[arg-type]
            value = None if default.takes_self else default.factory()
            shown = "(computed)" if default.takes_self else toml_value(value)
        else:
            value, shown = default, toml_value(default)
        doc = str(field.metadata.get("doc") or field.metadata.get("help") or "")
        found.append(OptionDoc(field.name.replace("_", "-"), _type_name(field.type), shown, doc, value))
    return found


# --- the page ------------------------------------------------------------------------------------


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


def _code_span(text: str) -> str:
    return f"`` {text} ``" if "`" in text else f"`{text}`"


def render_rule(rule: Rule) -> str:
    doc = parse_docstring(_docstring_of(rule))
    lead = doc.one_line or _inline(rule.summary)
    parts = [f"## {_heading(rule)}", "", lead[:1].upper() + lead[1:], "", f"Default severity: `{rule.severity}`.", ""]
    if rule.variants:
        parts += ["Reported at another severity for a variant:", ""]
        parts += [f"- `{severity}`: {_inline(what)}." for severity, what in rule.variants] + [""]
    if doc.body:
        parts += [doc.body, ""]
    options = options_of(rule)
    if options:
        with_docs = any(option.doc for option in options)
        parts += [f"Options, under `[rules.{rule.name}]`:", ""]
        parts.append("| Option | Type | Default |" + (" Description |" if with_docs else ""))
        parts.append("|---|---|---|" + ("---|" if with_docs else ""))
        for option in options:
            row = f"| `{option.key}` | {_code_span(option.type) if option.type else ''} | {_code_span(option.default)} |"
            parts.append(row + (f" {_cell(option.doc)} |" if with_docs else ""))
        parts.append("")
    else:
        parts += ["This rule has no options.", ""]
    # A rule's section quotes what the rule finds, in its prose and its bad example: the rule is
    # off there, so that backlog-ls checks its own documentation clean.
    parts[1:1] = ["", f"<!-- backlog-ls-disable {rule.name} -->"]
    parts.append(f"<!-- backlog-ls-enable {rule.name} -->")
    parts.append("")
    return "\n".join(parts)


def render(rules: Iterable[Rule] | None = None) -> str:
    """The whole of docs/rules.md."""
    rules = list(all_rules() if rules is None else rules)
    lines = [
        "# Rules",
        "",
        f"<!-- Generated from the rule modules' docstrings by `{REGENERATE}`. Do not edit by hand. -->",
        "",
        "Every rule has a name and a code. Either one selects it on the command line "
        "(`backlog-ls check --select BL201`, `--ignore malformed-task`; a code prefix such as `BL2` "
        "selects a group), sets its severity or options in the configuration, and silences it in a "
        "suppression comment. `backlog-ls rules` lists them.",
        "",
        "| Code | Name | Default severity | Summary |",
        "|---|---|---|---|",
    ]
    for rule in rules:
        lines.append(f"| [{rule.code}](#{anchor(rule)}) | `{rule.name}` | {rule.severity} | {_cell(rule.summary)} |")
    lines += [
        "",
        "## Configuration",
        "",
        "In `.backlog-ls.toml` (or under `[tool.backlog-ls]` in `pyproject.toml`), the nearest one "
        "above the checked file:",
        "",
        "```toml",
        "[rules]",
        'malformed-task = "warning"  # error, warning, info, hint or off',
        "```",
        "",
        "A rule with options takes a table instead: `[rules.<name>]` with `severity` and the options "
        "listed under the rule below.",
        "",
        "In a backlog, `<!-- backlog-ls-disable-next-line malformed-task -->` silences the next line; "
        "`backlog-ls-disable` / `backlog-ls-enable` a stretch, `backlog-ls-disable-file` the whole file.",
        "",
    ]
    for rule in rules:
        lines.append(render_rule(rule))
    return "\n".join(lines).rstrip("\n") + "\n"
