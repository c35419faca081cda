"""Settings: what they are, their defaults, and how raw options become them.

Pure: text and dicts in, ``Settings`` plus ``ConfigError``s out. Reading files is
``providers/config_file.py``'s job. Precedence, lowest first: defaults, the user
configuration file (``backlog-ls/config.toml`` in the user config folder),
``.backlog-ls.toml`` (or ``[tool.backlog-ls]`` in the nearest pyproject.toml),
the editor's initializationOptions, the editor's ``backlogLs`` settings.

Each layer is read as trusted (the user's own: the user file, user-level editor settings,
command-line flags) or not (anything in the workspace, which may be someone else's
repository). Only trusted layers may say where credentials go: an untrusted layer's
``[issues] token-env`` and ``trusted-hosts`` are dropped with a warning on that key, and only
trusted layers add to ``Settings.named_hosts`` (see ``tracker/credentials.py``).

A bad key never throws the whole configuration away: it is reported (naming the
key and the file) and the rest applies, as in ruff and markdownlint.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterable, Mapping
from typing import Any, Literal

import attrs
import cattrs

from .tracker.credentials import host_of
from .size_limit import DEFAULT_MAX_FILE_SIZE, parse_size

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

from .states import state_meanings

OFF = "off"
SEVERITY_NAMES = ("error", "warning", "info", "hint", OFF)

# Which Markdown files are backlogs when nothing is configured: names that look like
# plans (any case, any folder), plus any Markdown file that has task items (see ``is_backlog``).
DEFAULT_INCLUDE = tuple(
    f"**/*{name}*.{extension}"
    for name in ("backlog", "todo", "roadmap", "plan", "progress", "tasks", "milestone")
    for extension in ("md", "markdown")
)
DEFAULT_EXCLUDE = ("**/node_modules/**", "**/.git/**", "**/.venv/**", "**/vendor/**")

# Checkbox characters every file may use: GitHub's two, and the common extended states.


@attrs.define
class DodRequirement:
    """A declarative Definition-of-Done criterion checked on every ticked task."""

    pattern: str
    message: str
    sections: list[str] = attrs.Factory(list)


@attrs.define
class DodSettings:
    require: list[DodRequirement] = attrs.Factory(list)


@attrs.define
class RuleSetting:
    severity: str | None = None  # None: the rule's default
    options: dict[str, Any] = attrs.Factory(dict)


@attrs.define
class Settings:
    include: list[str] = attrs.Factory(lambda: list(DEFAULT_INCLUDE))
    exclude: list[str] = attrs.Factory(lambda: list(DEFAULT_EXCLUDE))
    rules: dict[str, RuleSetting] = attrs.Factory(dict)
    states: dict[str, str] = attrs.Factory(dict)
    dod: DodSettings = attrs.Factory(DodSettings)
    # Sections owned by later features keep their raw tables until those features structure them.
    issues: dict[str, Any] = attrs.Factory(dict)
    rfc: dict[str, Any] = attrs.Factory(dict)
    # Hosts a trusted layer named (``[issues] trusted-hosts``, the host of its ``[issues] url``):
    # a token may go there. Never filled from the workspace.
    named_hosts: tuple[str, ...] = ()
    # Bytes above which a document is only outlined (``size_limit.py``); "4MB" in TOML, 0: no limit.
    max_file_size: int = DEFAULT_MAX_FILE_SIZE
    # How the editor shows progress on headings and parent tasks (``features/progress.py``):
    # inlay hints, code lenses (for clients without inlay hints), or not at all.
    progress: Literal["inlay", "lens", "off"] = "inlay"

    def rule(self, name: str) -> RuleSetting:
        return self.rules.get(name) or RuleSetting()

    def known_states(self) -> frozenset[str]:
        return frozenset(state_meanings(self))

    def state_name(self, char: str) -> str | None:
        """What a checkbox character means here (a default alternate state, or declared), or None when unknown."""
        return state_meanings(self).get(char)


@attrs.frozen
class ConfigError:
    source: str  # file path, or "editor settings"
    key: str  # dotted: "rules.missing-issue.require"
    message: str
    line: int | None = None  # 0-based line in ``source`` when it is a file and the key was found
    severity: str = "error"  # or "warning": the key was ignored on purpose, the rest is fine

    @property
    def is_error(self) -> bool:
        return self.severity == "error"

    def __str__(self) -> str:
        where = self.source if self.line is None else f"{self.source}:{self.line + 1}"
        return f"{where}: {self.key}: {self.message}"


def one_of(allowed: Iterable[Any], value: Any) -> str:
    """The message for a value outside an enum: what a user may write instead."""
    return f"must be one of {', '.join(map(str, allowed))}, not {value!r}"


def _structure_literal(value: Any, type_: Any) -> Any:
    if value not in type_.__args__:
        raise ValueError(one_of(type_.__args__, value))
    return value


_converter = cattrs.Converter(forbid_extra_keys=True)


def _strict_list(value: Any, type_: Any) -> list:
    # cattrs would happily turn "*.md" into ["*", ".", "m", "d"]: a string is not a list here.
    if not isinstance(value, (list, tuple)):
        raise TypeError(f"must be a list, not {_type_name(value)}")
    (item_type,) = getattr(type_, "__args__", (Any,))
    return [_converter.structure(item, item_type) for item in value]


def _strict_str(value: Any, _type: Any) -> str:
    if not isinstance(value, str):
        raise TypeError(f"must be a string, not {_type_name(value)}")
    return value


_converter.register_structure_hook_func(lambda t: getattr(t, "__origin__", None) is list, _strict_list)
_converter.register_structure_hook(str, _strict_str)
_converter.register_structure_hook_func(lambda t: getattr(t, "__origin__", None) is Literal, _structure_literal)
# Annotations are strings under ``from __future__ import annotations``; cattrs needs the types.
attrs.resolve_types(DodRequirement)
attrs.resolve_types(DodSettings)
attrs.resolve_types(RuleSetting)
attrs.resolve_types(Settings)
_FIELD_TYPES = {field.name: field.type for field in attrs.fields(Settings)}
_DERIVED_FIELDS = {"named_hosts"}  # computed from other keys, not a key of its own
_TOP_LEVEL_KEYS = {name.replace("_", "-") for name in _FIELD_TYPES if name not in _DERIVED_FIELDS}
# [issues] keys that say which secret goes where: honoured from trusted layers only.
CREDENTIAL_KEYS = ("token-env", "trusted-hosts")
USER_CONFIG_HINT = "your user configuration file (backlog-ls/config.toml in your config folder)"


def _kebab(key: str) -> str:
    """Editor settings are camelCase (tokenEnv); TOML keys are kebab-case (token-env)."""
    return re.sub(r"(?<=[a-z0-9])([A-Z])", lambda m: "-" + m.group(1).lower(), key)


kebab = _kebab  # for the editor settings' layers


def _format_exception(error: BaseException, type_: Any) -> str:
    """cattrs' wording, except where there is something better to say: the allowed values of an
    enum (an ``attrs.validators.in_``, a ``Literal``) and this module's own "must be ..." messages."""
    arguments = error.args
    if isinstance(error, ValueError) and len(arguments) == 4 and isinstance(arguments[2], (tuple, list, set, frozenset)):
        return one_of(arguments[2], arguments[3])  # attrs' in_ raises (message, attribute, allowed, value)
    if isinstance(error, (TypeError, ValueError)) and str(error).startswith("must be"):
        return str(error)
    return cattrs.v.format_exception(error, type_)


def _describe(error: Exception, *paths_to_drop: str) -> str:
    """One line for a structuring error; ``paths_to_drop``: cattrs paths the key already names."""
    if isinstance(error, (cattrs.ClassValidationError, cattrs.IterableValidationError)):
        messages = cattrs.transform_error(error, format_exception=_format_exception)
        for path in ("$", *paths_to_drop):
            messages = [message.removesuffix(f" @ {path}") for message in messages]
        return "; ".join(messages)
    if isinstance(error, ValueError) and len(error.args) == 4:
        return _format_exception(error, None)
    return str(error) or type(error).__name__


def _type_name(value: Any) -> str:
    return {str: "a string", int: "a number", float: "a number", bool: "true or false", list: "a list", dict: "a table"}.get(
        type(value), type(value).__name__
    )


class _Reader:
    """Structures one raw table into Settings, collecting errors instead of stopping at the first."""

    def __init__(
        self,
        source: str,
        text: str | None,
        known_rules: Mapping[str, type | None],
        *,
        trusted: bool = False,
        user_config: str | None = None,
        rule_codes: Mapping[str, str] | None = None,
    ):
        self.source = source
        self.text = text
        self.known_rules = known_rules
        self.rule_codes = rule_codes or {}  # "BL301" -> "done-with-open-subtasks": a code works wherever a name does
        self.trusted = trusted
        self.user_config = user_config or USER_CONFIG_HINT
        self.errors: list[ConfigError] = []

    def error(self, key: str, message: str, severity: str = "error") -> None:
        self.errors.append(ConfigError(self.source, key, message, self._line_of(key), severity))

    def _line_of(self, key: str) -> int | None:
        return line_of(self.text, key)

    def read(self, raw: Mapping[str, Any], into: Settings) -> Settings:
        changes: dict[str, Any] = {}
        for raw_key, value in raw.items():
            key = _kebab(str(raw_key))
            if key not in _TOP_LEVEL_KEYS:
                close = [k for k in sorted(_TOP_LEVEL_KEYS) if k[:3] == key[:3]]
                hint = f" (did you mean '{close[0]}'?)" if close else ""
                self.error(key, f"unknown key{hint}; known keys: {', '.join(sorted(_TOP_LEVEL_KEYS))}")
                continue
            field = key.replace("-", "_")
            if field == "rules":
                changes["rules"] = self._rules(value, dict(into.rules))
            elif field == "states":
                changes["states"] = self._states(value, dict(into.states))
            elif field == "max_file_size":
                try:
                    changes[field] = parse_size(value)
                except ValueError as error:
                    self.error(key, str(error))
            elif field in ("issues", "rfc"):
                if isinstance(value, Mapping):
                    table = {_kebab(str(k)): v for k, v in value.items()}
                    if field == "issues":
                        table = self._credentials(table, changes, into)
                    changes[field] = {**getattr(into, field), **table}
                else:
                    self.error(key, f"must be a table, not {_type_name(value)}")
            else:
                try:
                    changes[field] = _converter.structure(_kebab_keys(value), _FIELD_TYPES[field])
                except Exception as error:  # cattrs raises several kinds; all mean "wrong shape"
                    self.error(key, _describe(error))
                    continue
                if field == "dod":
                    changes[field] = self._valid_dod(changes[field])
        return attrs.evolve(into, **changes)

    def _credentials(self, table: dict[str, Any], changes: dict[str, Any], into: Settings) -> dict[str, Any]:
        """Take out of an ``[issues]`` table what only a trusted layer may say; note the hosts it names."""
        table = dict(table)
        if not self.trusted:
            for key in CREDENTIAL_KEYS:
                if key in table:
                    del table[key]
                    self.error(
                        f"issues.{key}",
                        "ignored: a file in the workspace may be someone else's and must not choose which secret "
                        f"is sent, or where; put it in {self.user_config}",
                        severity="warning",
                    )
            return table
        hosts = list(changes.get("named_hosts", into.named_hosts))
        listed = table.pop("trusted-hosts", None)
        if listed is not None:
            if isinstance(listed, (list, tuple)) and all(isinstance(item, str) for item in listed):
                hosts.extend(found for item in listed if (found := host_of(item)))
            else:
                self.error("issues.trusted-hosts", f'must be a list of host names such as ["git.example.com"], not {_type_name(listed)}')
        # The user's own [issues] url, and each url of their own [[issues.sources]], names a host they chose.
        sources = table.get("sources")
        tables = [table, *(one for one in sources if isinstance(one, Mapping))] if isinstance(sources, list) else [table]
        for one in tables:
            url = one.get("url")
            if isinstance(url, str) and (found := host_of(url)):
                hosts.append(found)
        changes["named_hosts"] = tuple(dict.fromkeys(hosts))
        return table

    def _valid_dod(self, dod: DodSettings) -> DodSettings:
        """Drop requirements whose pattern is not a regular expression, naming each."""
        kept = []
        for index, requirement in enumerate(dod.require):
            try:
                re.compile(requirement.pattern)
            except re.error as error:
                self.error(f"dod.require[{index}].pattern", f"not a regular expression: {error}")
                continue
            kept.append(requirement)
        return DodSettings(require=kept)

    def _rules(self, value: Any, rules: dict[str, RuleSetting]) -> dict[str, RuleSetting]:
        if not isinstance(value, Mapping):
            self.error("rules", f"must be a table of rule names, not {_type_name(value)}")
            return rules
        for written, setting in value.items():
            key = f"rules.{written}"
            name = self.rule_codes.get(str(written).upper(), written)
            if name not in self.known_rules:
                self.error(key, "unknown rule; `backlog-ls rules` lists them")
                continue
            current = rules.get(name) or RuleSetting()
            if isinstance(setting, str):
                severity = self._severity(key, setting)
                rules[name] = attrs.evolve(current, severity=severity or current.severity)
            elif isinstance(setting, Mapping):
                options = dict(current.options)
                severity = current.severity
                for option, option_value in setting.items():
                    option_key = _kebab(str(option))
                    if option_key == "severity":
                        severity = self._severity(f"{key}.severity", option_value) or severity
                    else:
                        options[option_key] = option_value
                options = self._rule_options(name, options)
                rules[name] = RuleSetting(severity=severity, options=options)
            else:
                self.error(key, f"must be a severity ({', '.join(SEVERITY_NAMES)}) or a table, not {_type_name(setting)}")
        return rules

    def _rule_options(self, name: str, options: dict[str, Any]) -> dict[str, Any]:
        """Check options against the rule's options class; drop the bad ones, keep the rest."""
        options_type = self.known_rules.get(name)
        if options_type is None:
            for option in options:
                self.error(f"rules.{name}.{option}", "this rule takes no options")
            return {}
        known = {field.name.replace("_", "-"): field for field in attrs.fields(options_type)}
        kept: dict[str, Any] = {}
        for option, value in options.items():
            field = known.get(option)
            if field is None:
                self.error(f"rules.{name}.{option}", f"unknown option; known: {', '.join(sorted(known)) or 'none'}")
                continue
            try:
                instance = _converter.structure({field.name: value}, options_type)
            except Exception as error:
                self.error(f"rules.{name}.{option}", _describe(error, f"$.{field.name}"))
                continue
            kept[option] = getattr(instance, field.name)
        return kept

    def _severity(self, key: str, value: Any) -> str | None:
        if isinstance(value, str) and value.lower() in SEVERITY_NAMES:
            return value.lower()
        self.error(key, one_of(SEVERITY_NAMES, value))
        return None

    def _states(self, value: Any, states: dict[str, str]) -> dict[str, str]:
        if not isinstance(value, Mapping):
            self.error("states", f"must be a table like {{ \"~\" = \"in-progress\" }}, not {_type_name(value)}")
            return states
        for char, meaning in value.items():
            if not isinstance(char, str) or len(char) != 1 or char in "[]\n":
                self.error(f"states.{char}", "a state is one character (such as ~ or -)")
            elif not isinstance(meaning, str):
                self.error(f"states.{char}", f"the meaning must be a string, not {_type_name(meaning)}")
            else:
                states[char] = meaning
        return states


def line_of(text: str | None, key: str) -> int | None:
    """The 0-based line of ``text`` that sets the dotted ``key`` (or opens its table); None if not found."""
    if text is None:
        return None
    last = key.split(".")[-1]
    for index, line in enumerate(text.splitlines()):
        stripped = line.strip()
        if re.match(rf'["\']?{re.escape(last)}["\']?\s*=', stripped) or stripped.startswith(f"[{key}]"):
            return index
        if stripped.startswith(f"[tool.backlog-ls.{key}]"):
            return index
    return None


def _kebab_keys(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {_kebab(str(k)).replace("-", "_"): _kebab_keys(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_kebab_keys(v) for v in value]
    return value


def known_rule_options() -> dict[str, type | None]:
    from .rules import all_rules

    return {rule.name: rule.options for rule in all_rules()}


def known_rule_codes() -> dict[str, str]:
    """Each rule's code to its name, so that ``[rules] BL301 = "warning"`` means what its name does."""
    from .rules import all_rules

    return {rule.code: rule.name for rule in all_rules()}


def apply(
    raw: Mapping[str, Any],
    into: Settings | None = None,
    *,
    source: str,
    text: str | None = None,
    trusted: bool = False,
    user_config: str | None = None,
) -> tuple[Settings, list[ConfigError]]:
    """Layer one raw table (TOML or editor settings) over ``into``.

    ``trusted``: the layer is the user's own (see the module docstring); ``user_config`` is the
    user configuration file's path, for the message that says where credential keys belong.
    """
    reader = _Reader(
        source, text, known_rule_options(), trusted=trusted, user_config=user_config, rule_codes=known_rule_codes()
    )
    settings = reader.read(raw, into or Settings())
    return settings, reader.errors


def from_toml(
    text: str,
    source: str,
    *,
    pyproject: bool = False,
    into: Settings | None = None,
    trusted: bool = False,
    user_config: str | None = None,
) -> tuple[Settings, list[ConfigError]]:
    """Settings from a .backlog-ls.toml file, or from [tool.backlog-ls] when ``pyproject``, over ``into``."""
    base = into or Settings()
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        match = re.search(r"line (\d+)", str(error))
        line = int(match.group(1)) - 1 if match else None
        return base, [ConfigError(source, "(syntax)", f"not valid TOML: {error}", line)]
    if pyproject:
        document = document.get("tool", {}).get("backlog-ls", {})
        if not isinstance(document, Mapping):
            return base, [ConfigError(source, "tool.backlog-ls", "must be a table")]
    return apply(document, base, source=source, text=text, trusted=trusted, user_config=user_config)
