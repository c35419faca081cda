"""Configuration files as a user writes them: found by providers/config_file.py, read by config.py.

Each bad key is one error naming the file, the line and the key; the rest of the file still applies.
"""

from __future__ import annotations

import os
from typing import Literal

import attrs
import pytest

from backlog_ls.config import DEFAULT_INCLUDE, ConfigError, Settings
from backlog_ls.providers import config_file
from backlog_ls.providers.config_file import (
    ConfigLoader,
    find_config,
    load_config,
    read_config,
)
from backlog_ls.rules import Rule, registry

from .cli_support import write


@attrs.frozen
class WordOptions:
    limit: int = 3
    words: list[str] = attrs.Factory(lambda: ["TODO"])
    mode: Literal["fast", "slow"] = "fast"


FAKE_RULE = Rule("fake-words", "BL901", "warning", "Fake rule with options.", lambda context: (), WordOptions)


@pytest.fixture
def fake_rule(monkeypatch):
    monkeypatch.setattr(registry, "RULES", registry.RULES + (FAKE_RULE,))


@pytest.fixture
def in_tmp(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    return tmp_path


def messages(errors: list[ConfigError]) -> list[str]:
    return [str(error) for error in errors]


# --- reading: errors name file, line and key; the rest applies --------------------------------------


def test_unknown_rule_is_reported_and_the_known_rule_still_applies(in_tmp):
    write(in_tmp, ".backlog-ls.toml", '[rules]\nmalformed-task = "off"\nnope = "error"\n')

    settings, errors, path = load_config()

    assert path == str(in_tmp / ".backlog-ls.toml")
    assert settings.rule("malformed-task").severity == "off"
    assert messages(errors) == [".backlog-ls.toml:3: rules.nope: unknown rule; `backlog-ls rules` lists them"]


def test_unknown_top_level_key_names_the_known_keys(in_tmp):
    write(in_tmp, ".backlog-ls.toml", 'rulez = 1\n[rules]\nmalformed-task = "hint"\n')

    settings, errors, _ = load_config()

    assert settings.rule("malformed-task").severity == "hint"
    assert len(errors) == 1
    assert (errors[0].key, errors[0].line) == ("rulez", 0)
    assert "unknown key (did you mean 'rules'?)" in errors[0].message


@pytest.mark.parametrize(
    ("toml", "key", "fragment"),
    [
        ('rules = "all"\n', "rules", "must be a table of rule names, not a string"),
        ("[rules]\nmalformed-task = 3\n", "rules.malformed-task", "must be a severity"),
        ('[rules]\nmalformed-task = "loud"\n', "rules.malformed-task", "must be one of error, warning, info, hint, off"),
        ('states = "~"\n', "states", "must be a table"),
        ('[states]\n"~~" = "in-progress"\n', "states.~~", "a state is one character"),
        ('issues = 3\n', "issues", "must be a table, not a number"),
    ],
)
def test_wrong_types_are_reported_by_key(in_tmp, toml, key, fragment):
    write(in_tmp, ".backlog-ls.toml", toml)

    _, errors, _ = load_config()

    assert [error.key for error in errors] == [key]
    assert fragment in errors[0].message


def test_rule_options_are_checked_against_the_rules_options_class(in_tmp, fake_rule):
    write(
        in_tmp,
        ".backlog-ls.toml",
        '[rules.fake-words]\nseverity = "error"\nlimit = "many"\nwords = ["FIXME"]\ncolour = "red"\n',
    )

    settings, errors, _ = load_config()

    assert settings.rule("fake-words").severity == "error"
    assert settings.rule("fake-words").options == {"words": ["FIXME"]}  # the good option is kept
    assert [(error.key, error.line) for error in errors] == [
        ("rules.fake-words.limit", 2),
        ("rules.fake-words.colour", 4),
    ]
    assert "expected int" in errors[0].message
    assert errors[1].message == "unknown option; known: limit, mode, words"


def test_an_enum_option_names_the_values_it_allows(in_tmp):
    write(in_tmp, ".backlog-ls.toml", '[rules.missing-issue]\nrequire = "bogus"\n')

    settings, errors, _ = load_config()

    assert messages(errors) == [
        ".backlog-ls.toml:2: rules.missing-issue.require: must be one of auto, always, checked, never, not 'bogus'"
    ]
    assert settings.rule("missing-issue").options == {}  # the default applies


def test_a_literal_option_names_the_values_it_allows(in_tmp, fake_rule):
    write(in_tmp, ".backlog-ls.toml", '[rules.fake-words]\nmode = "medium"\nlimit = 2\n')

    settings, errors, _ = load_config()

    assert messages(errors) == [".backlog-ls.toml:2: rules.fake-words.mode: must be one of fast, slow, not 'medium'"]
    assert settings.rule("fake-words").options == {"limit": 2}


def test_an_option_of_the_wrong_type_says_what_it_must_be(in_tmp):
    write(in_tmp, ".backlog-ls.toml", "[rules.missing-issue]\nrequire = 3\n")

    _, errors, _ = load_config()

    assert messages(errors) == [".backlog-ls.toml:2: rules.missing-issue.require: must be a string, not a number"]


def test_a_rule_without_options_rejects_them(in_tmp):
    write(in_tmp, ".backlog-ls.toml", '[rules.malformed-task]\nseverity = "warning"\nstrict = true\n')

    settings, errors, _ = load_config()

    assert settings.rule("malformed-task").severity == "warning"
    assert messages(errors) == [".backlog-ls.toml:3: rules.malformed-task.strict: this rule takes no options"]


def test_states_are_read(in_tmp):
    write(in_tmp, ".backlog-ls.toml", '[states]\n"~" = "in-progress"\n')

    settings, errors, _ = load_config()

    assert (errors, settings.state_name("~")) == ([], "in-progress")


def test_toml_syntax_error_names_the_line_and_the_defaults_apply(in_tmp):
    write(in_tmp, ".backlog-ls.toml", '[rules]\nmalformed-task = "off"\nbroken = \n')

    settings, errors, _ = load_config()

    assert settings == Settings()
    assert [(error.key, error.line) for error in errors] == [("(syntax)", 2)]
    assert str(errors[0]).startswith(".backlog-ls.toml:3: (syntax): not valid TOML")


def test_a_config_file_that_is_not_utf8_is_one_error(in_tmp):
    write(in_tmp, ".backlog-ls.toml", b'[rules]\nmalformed-task = "\xff"\n')

    settings, errors, _ = load_config()

    assert settings == Settings()
    assert messages(errors) == [".backlog-ls.toml: (file): not UTF-8 (invalid byte 0xff at offset 26)"]


def test_a_bom_is_allowed(in_tmp):
    write(in_tmp, ".backlog-ls.toml", '\ufeff[rules]\nmalformed-task = "off"\n')

    settings, errors, _ = load_config()

    assert (errors, settings.rule("malformed-task").severity) == ([], "off")


@pytest.mark.skipif(hasattr(os, "geteuid") and os.geteuid() == 0, reason="root reads any file")
def test_an_unreadable_config_file_is_one_error(in_tmp):
    write(in_tmp, ".backlog-ls.toml", "[rules]\n").chmod(0)

    settings, errors, _ = load_config()

    assert settings == Settings()
    assert messages(errors) == [".backlog-ls.toml: (file): cannot be read: permission denied"]


def test_a_missing_file_read_explicitly_is_one_error(in_tmp):
    settings, errors = read_config(str(in_tmp / "gone.toml"))

    assert settings == Settings()
    assert messages(errors) == ["gone.toml: (file): cannot be read: no such file or directory"]


def test_include_and_exclude_are_read(in_tmp):
    write(in_tmp, ".backlog-ls.toml", 'include = ["*.txt"]\nexclude = ["drafts/**"]\n')

    settings, errors, _ = load_config()

    assert errors == []
    assert (settings.include, settings.exclude) == (["*.txt"], ["drafts/**"])


def test_dod_requirements_are_read(in_tmp):
    write(in_tmp, ".backlog-ls.toml", '[[dod.require]]\npattern = "PR"\nmessage = "Link the PR."\n')

    settings, errors, _ = load_config()

    assert errors == []
    assert [requirement.pattern for requirement in settings.dod.require] == ["PR"]


def test_a_wrong_include_keeps_the_default(in_tmp):
    write(in_tmp, ".backlog-ls.toml", 'include = "*.md"\n')

    settings, errors, _ = load_config()

    assert tuple(settings.include) == DEFAULT_INCLUDE
    assert [error.key for error in errors] == ["include"]


# --- pyproject.toml ---------------------------------------------------------------------------------


def test_pyproject_tool_table_is_read_with_its_line_numbers(in_tmp):
    write(
        in_tmp,
        "pyproject.toml",
        '[project]\nname = "x"\n\n[tool.backlog-ls.rules]\nmalformed-task = "hint"\nnope = "off"\n',
    )

    settings, errors, path = load_config()

    assert path == str(in_tmp / "pyproject.toml")
    assert settings.rule("malformed-task").severity == "hint"
    assert messages(errors) == ["pyproject.toml:6: rules.nope: unknown rule; `backlog-ls rules` lists them"]


def test_pyproject_with_a_non_table_tool_entry(in_tmp):
    write(in_tmp, "pyproject.toml", '[tool]\nbacklog-ls = "yes"\n')

    settings, errors, _ = load_config()

    assert settings == Settings()
    assert [(error.key, error.message) for error in errors] == [("tool.backlog-ls", "must be a table")]


# --- finding the file -------------------------------------------------------------------------------


def test_the_nearest_configuration_wins(tmp_path):
    write(tmp_path, "repo/.backlog-ls.toml", "")
    write(tmp_path, "repo/sub/pyproject.toml", "[tool.backlog-ls]\n")
    (tmp_path / "repo/sub/deep").mkdir()

    found = find_config(str(tmp_path / "repo/sub/deep"))

    assert (found.path, found.pyproject) == (str(tmp_path / "repo/sub/pyproject.toml"), True)
    assert found.root == str(tmp_path / "repo/sub")


def test_a_dot_file_beats_pyproject_in_the_same_folder(tmp_path):
    write(tmp_path, "pyproject.toml", "[tool.backlog-ls]\n")
    write(tmp_path, ".backlog-ls.toml", "")

    assert find_config(str(tmp_path)).path == str(tmp_path / ".backlog-ls.toml")


def test_a_pyproject_without_our_table_is_passed_over(tmp_path):
    write(tmp_path, ".backlog-ls.toml", "")
    write(tmp_path, "sub/pyproject.toml", '[tool.ruff]\nline-length = 100\n# not backlog-ls\n')

    assert find_config(str(tmp_path / "sub")).path == str(tmp_path / ".backlog-ls.toml")


def test_a_broken_pyproject_that_names_us_is_read_to_report_its_error(tmp_path):
    write(tmp_path, "pyproject.toml", "[tool.backlog-ls\n")

    found = find_config(str(tmp_path))

    assert found.path == str(tmp_path / "pyproject.toml")
    assert [error.key for error in read_config(found.path)[1]] == ["(syntax)"]


def test_the_search_stops_at_the_git_root(tmp_path):
    write(tmp_path, ".backlog-ls.toml", "")
    (tmp_path / "repo/.git").mkdir(parents=True)
    (tmp_path / "repo/docs").mkdir()

    found = find_config(str(tmp_path / "repo/docs"))

    assert (found.path, found.root) == (None, str(tmp_path / "repo"))


def test_a_git_worktree_file_marks_the_root_too(tmp_path):
    write(tmp_path, ".backlog-ls.toml", "")
    write(tmp_path, "wt/.git", "gitdir: ../elsewhere\n")

    assert find_config(str(tmp_path / "wt")).path is None


def test_explicit_config_skips_the_search(in_tmp):
    write(in_tmp, ".backlog-ls.toml", '[rules]\nmalformed-task = "off"\n')
    write(in_tmp, "other.toml", '[rules]\nmalformed-task = "info"\n')

    settings, errors, path = load_config(config="other.toml")

    assert (settings.rule("malformed-task").severity, errors, path) == ("info", [], "other.toml")


def test_the_loader_reads_each_file_once(tmp_path, monkeypatch):
    write(tmp_path, ".backlog-ls.toml", "nope = 1\n")
    for relative in ("a.md", "b.md", "sub/c.md"):
        write(tmp_path, relative, "")
    reads = []
    real_read = config_file.read_config
    monkeypatch.setattr(config_file, "read_config", lambda *a, **k: reads.append(a) or real_read(*a, **k))
    loaded = []
    loader = ConfigLoader(on_load=loaded.append)

    configs = {loader.for_path(str(tmp_path / name)) for name in ("a.md", "b.md", "sub/c.md")}

    assert len(configs) == 1 and len(reads) == 1
    assert [config.path for config in loaded] == [str(tmp_path / ".backlog-ls.toml")]
    assert [error.key for error in loaded[0].errors] == ["nope"]


def test_a_file_no_configuration_governs_gets_the_same_settings_from_one_request_to_the_next(tmp_path):
    # Its settings key the caches of each parsed snapshot (and ``SettingsStore``'s layered settings).
    (tmp_path / ".git").mkdir()
    write(tmp_path, "a.md", "")
    write(tmp_path, "sub/b.md", "")
    loader = ConfigLoader()

    first = loader.for_path(str(tmp_path / "a.md"))

    assert loader.for_path(str(tmp_path / "a.md")) is first
    assert loader.for_path(str(tmp_path / "sub/b.md")) is first  # the same project root, searched from another folder
    assert (first.path, first.root, first.settings) == (None, str(tmp_path), loader.user.settings)
    write(tmp_path, ".backlog-ls.toml", "[rules]\nBL301 = 'off'\n")
    assert ConfigLoader().for_path(str(tmp_path / "a.md")).path == str(tmp_path / ".backlog-ls.toml")  # a new loader searches again


def test_a_rule_code_works_wherever_a_name_does():
    from backlog_ls.config import from_toml
    from backlog_ls.editor_settings import EditorSettings

    settings, errors = from_toml(
        '[rules]\nBL301 = "warning"\nbl203 = "off"\n[rules.BL101]\nrequire = "always"\nseverity = "error"\n', ".backlog-ls.toml"
    )
    assert errors == []
    assert settings.rule("done-with-open-subtasks").severity == "warning"
    assert settings.rule("inconsistent-marker").severity == "off"
    assert settings.rule("missing-issue") == settings.rule("missing-issue").__class__(
        severity="error", options={"require": "always"}
    )
    editor = EditorSettings.from_client({"rules": {"BL304": "hint", "BL101": {"require": "never"}}})
    assert editor.errors == []
    merged = editor.over(Settings())
    assert merged.rule("dod-requirement").severity == "hint"
    assert merged.rule("missing-issue").options == {"require": "never"}
    _, errors = from_toml('[rules]\nBL999 = "warning"\n', ".backlog-ls.toml")
    assert [str(e) for e in errors] == [".backlog-ls.toml:2: rules.BL999: unknown rule; `backlog-ls rules` lists them"]
