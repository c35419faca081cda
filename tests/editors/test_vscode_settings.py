"""The VS Code extension's settings (editors/vscode/package.json) against the server's configuration.

The extension sends its ``backlogLs.*`` settings (all but the client's own) to the server as the
``backlogLs`` section, dotted keys nested and camelCase: every key the server knows needs a
setting, and every setting must be a key the server accepts, or users would see "unknown key"
errors for settings the extension offered them.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import attrs
import pytest

from backlog_ls import config
from backlog_ls.rfc import RfcSettings, rfc_settings
from backlog_ls.rules.missing_issue import REQUIRE_VALUES
from backlog_ls.rules.registry import RULES
from backlog_ls.tracker.settings import KNOWN_KEYS as ISSUES_KEYS
from backlog_ls.tracker.settings import PROVIDERS, issues_settings

EXTENSION = Path(__file__).resolve().parents[2] / "editors" / "vscode"
PREFIX = "backlogLs."


def _properties() -> dict[str, dict[str, Any]]:
    manifest = json.loads((EXTENSION / "package.json").read_text(encoding="utf-8"))
    return manifest["contributes"]["configuration"]["properties"]


def _client_only_keys() -> list[str]:
    """The first segments the extension keeps to itself, read from src/settings.ts (one source of truth)."""
    source = (EXTENSION / "src" / "settings.ts").read_text(encoding="utf-8")
    match = re.search(r"CLIENT_ONLY_KEYS: readonly string\[\] = \[([^\]]*)\]", source)
    assert match, "CLIENT_ONLY_KEYS not found in editors/vscode/src/settings.ts"
    return re.findall(r"'([^']+)'", match.group(1))


PROPERTIES = _properties()
CLIENT_ONLY = _client_only_keys()
SERVER_KEYS = [name[len(PREFIX) :] for name in PROPERTIES if name[len(PREFIX) :].split(".")[0] not in CLIENT_ONLY]


def _camel(kebab: str) -> str:
    return re.sub(r"-([a-z])", lambda match: match.group(1).upper(), kebab)


def _nested(values: dict[str, Any]) -> dict[str, Any]:
    """What the extension sends: "issues.provider" -> {"issues": {"provider": ...}}."""
    nested: dict[str, Any] = {}
    for key, value in values.items():
        *parents, last = key.split(".")
        target = nested
        for part in parents:
            target = target.setdefault(part, {})
        target[last] = value
    return nested


def test_every_setting_is_under_backlogLs_and_described():
    assert PROPERTIES, "package.json contributes no settings"
    for name, schema in PROPERTIES.items():
        assert name.startswith(PREFIX), name
        assert schema.get("description") or schema.get("markdownDescription"), f"{name} has no description"
        assert "default" in schema, f"{name} has no (documentation) default"


def test_the_client_settings_exist_and_stay_client_side():
    assert {"interpreter", "server", "trace"} <= set(CLIENT_ONLY)
    for name in ("backlogLs.interpreter", "backlogLs.server.command", "backlogLs.trace.server"):
        assert name in PROPERTIES, name
    assert PROPERTIES["backlogLs.interpreter"]["type"] == "array"
    assert PROPERTIES["backlogLs.server.command"]["type"] == "array"


@pytest.mark.parametrize("rule", RULES, ids=lambda rule: rule.name)
def test_every_rule_has_a_severity_setting_with_its_default(rule):
    rules = PROPERTIES["backlogLs.rules"]["properties"]
    assert rule.name in rules, f"backlogLs.rules has no property for {rule.code} {rule.name}"
    schema = rules[rule.name]
    assert schema["default"] == rule.severity
    assert rule.code in schema["description"]
    severities = schema["enum"] if "enum" in schema else next(option["enum"] for option in schema["anyOf"] if option["type"] == "string")
    assert tuple(severities) == config.SEVERITY_NAMES


def test_rules_setting_names_no_rule_the_server_lacks():
    names = {rule.name for rule in RULES}
    assert set(PROPERTIES["backlogLs.rules"]["properties"]) == names
    assert PROPERTIES["backlogLs.rules"]["additionalProperties"] is False


def test_missing_issue_may_be_an_object_with_require():
    schema = PROPERTIES["backlogLs.rules"]["properties"]["missing-issue"]
    table = next(option for option in schema["anyOf"] if option["type"] == "object")
    assert tuple(table["properties"]["require"]["enum"]) == REQUIRE_VALUES
    _, errors = config.apply({"rules": {"missing-issue": {"severity": "hint", "require": "checked"}}}, source="editor settings")
    assert errors == []


def test_every_top_level_key_of_the_configuration_has_a_setting():
    for key in sorted(config._TOP_LEVEL_KEYS):
        name = PREFIX + _camel(key)
        assert name in PROPERTIES or any(other.startswith(name + ".") for other in PROPERTIES), f"no setting for `{key}`"


@pytest.mark.parametrize("key", ISSUES_KEYS)
def test_every_issues_key_has_a_setting(key):
    assert f"{PREFIX}issues.{_camel(key)}" in PROPERTIES


@pytest.mark.parametrize("field", attrs.fields(RfcSettings), ids=lambda field: field.name)
def test_every_rfc_key_has_a_setting(field):
    assert f"{PREFIX}rfc.{_camel(field.name.replace('_', '-'))}" in PROPERTIES


def test_the_provider_choices_are_the_servers():
    assert tuple(PROPERTIES["backlogLs.issues.provider"]["enum"]) == PROVIDERS


def test_the_server_accepts_every_setting_at_its_documented_default():
    """Every server-bound setting, set to its default, passes the server's own validation."""
    values = {key: PROPERTIES[PREFIX + key]["default"] for key in SERVER_KEYS if PROPERTIES[PREFIX + key]["default"] is not None}
    values["rules"] = {name: schema["default"] for name, schema in PROPERTIES["backlogLs.rules"]["properties"].items()}
    raw = _nested(values)
    assert set(raw) <= {_camel(key) for key in config._TOP_LEVEL_KEYS}

    settings, errors = config.apply(raw, source="editor settings")

    assert errors == []
    _, issue_errors = issues_settings(settings.issues, source="editor settings")
    assert issue_errors == []
    assert rfc_settings(settings.rfc) == RfcSettings(dirs=tuple(values["rfc.dirs"]), ietf_refresh=False)


def test_a_setting_the_server_does_not_know_would_be_reported():
    """The check above can fail: the server names an unknown key it receives."""
    _, errors = config.apply({"issues": {"tokenEnvironment": "X"}, "rulez": {}}, source="editor settings")
    settings_errors = [error.key for error in errors]
    assert settings_errors == ["rulez"]
    _, issue_errors = issues_settings(config.apply({"issues": {"tokenEnvironment": "X"}}, source="s")[0].issues)
    assert [error.key for error in issue_errors] == ["issues.token-environment"]


def test_rules_setting_accepts_a_rule_code_as_the_server_does():
    import re

    (pattern,) = PROPERTIES["backlogLs.rules"]["patternProperties"]
    assert all(re.fullmatch(pattern, rule.code) for rule in RULES)
    assert not re.fullmatch(pattern, "missing-issue")
