"""The editor's ``backlogLs`` settings as the server layers them: which are the user's own, and
whether the client trusts the workspace. Pure: the client's raw dict in, ``Settings`` out.

What a client sends (initializationOptions, or its answer to ``workspace/configuration``)::

    {
      "issues": {"provider": "github", "tokenEnv": "MY_TOKEN"},   # the merged values, as before
      "userSettings": {"issues": {"tokenEnv": "MY_TOKEN"}},        # optional: user-level values only
      "workspaceTrusted": false                                   # optional: the client's workspace trust
    }

- With ``userSettings`` (the VS Code extension sends it), only those values may say where
  credentials go (``[issues] token-env``, ``trusted-hosts``, the host of ``url``): the merged
  values also hold the workspace's own ``.vscode/settings.json``, which a cloned repository
  writes. A credential key in the merged values that differs from the user's is ignored, with
  a warning.
- Without it, a client has no workspace-level settings of its own to tell apart (Neovim,
  Helix, Emacs, Vim configure servers in the user's own files), and its settings count as
  the user's.
- ``workspaceTrusted: false``: no network and no credentials (``server.py``). A client that
  says nothing is trusted, since most editors have no notion of workspace trust.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import attrs

from . import config
from .config import ConfigError, Settings

SECTION = "backlogLs"
USER_SETTINGS_KEY = "userSettings"
TRUST_KEY = "workspaceTrusted"
USER_SOURCE = "user settings"
WORKSPACE_SOURCE = "workspace settings"
EDITOR_SOURCE = "editor settings"


@attrs.frozen
class Layer:
    raw: Mapping[str, Any]
    source: str
    trusted: bool


@attrs.frozen
class EditorSettings:
    layers: tuple[Layer, ...] = ()
    workspace_trusted: bool | None = None  # None: the client did not say
    errors: list[ConfigError] = attrs.Factory(list)

    @classmethod
    def from_client(cls, raw: Any) -> EditorSettings:
        if isinstance(raw, Mapping) and isinstance(raw.get(SECTION), Mapping):
            raw = raw[SECTION]  # initializationOptions may wrap the section
        if not isinstance(raw, Mapping):
            return cls()
        raw = dict(raw)
        trust = raw.pop(TRUST_KEY, None)
        user = raw.pop(USER_SETTINGS_KEY, None)
        if isinstance(user, Mapping):
            layers = (Layer(user, USER_SOURCE, True), Layer(_without_users_credentials(raw, user), WORKSPACE_SOURCE, False))
        else:
            layers = (Layer(raw, EDITOR_SOURCE, True),) if raw else ()
        errors: list[ConfigError] = []
        settings = Settings()
        for layer in layers:
            settings, found = config.apply(layer.raw, settings, source=layer.source, trusted=layer.trusted)
            errors.extend(found)
        return cls(layers, trust if isinstance(trust, bool) else None, errors)

    def over(self, base: Settings) -> Settings:
        """``base`` (the configuration files) with the editor's layers on top."""
        settings = base
        for layer in self.layers:
            settings, _ = config.apply(layer.raw, settings, source=layer.source, trusted=layer.trusted)
        return settings


def _without_users_credentials(merged: Mapping[str, Any], user: Mapping[str, Any]) -> dict[str, Any]:
    """The merged values less the credential keys whose value is the user's own (already layered)."""
    issues, user_issues = merged.get("issues"), user.get("issues")
    if not isinstance(issues, Mapping):
        return dict(merged)
    user_issues = {config.kebab(str(key)): value for key, value in (user_issues or {}).items()} if isinstance(user_issues, Mapping) else {}
    kept = {
        key: value
        for key, value in issues.items()
        if not (config.kebab(str(key)) in config.CREDENTIAL_KEYS and user_issues.get(config.kebab(str(key))) == value)
    }
    return {**merged, "issues": kept}
