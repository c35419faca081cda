"""Each open document's settings: its configuration files under the editor's ``backlogLs`` settings."""

from __future__ import annotations

import logging
from typing import Any

from ..config import ConfigError, Settings
from ..editor_settings import EditorSettings
from ..providers.config_file import ConfigLoader, LoadedConfig
from ..workspace import Document

logger = logging.getLogger(__name__)


class SettingsStore:
    """Each document's settings: its configuration file (over the user's) under the editor's settings.

    Configuration files are read through ``ConfigLoader`` (a provider: the disk IO),
    once each until one changes; the editor's ``backlogLs`` settings layer on top, as
    ``editor_settings.EditorSettings`` splits them: user-level values (trusted) and the
    rest, and whether the client trusts the workspace.
    """

    def __init__(self) -> None:
        self.loader = ConfigLoader()
        self.editor = EditorSettings()
        self._initial_trust: bool | None = None  # what initializationOptions said
        self._layered: dict[int, Settings] = {}  # id(LoadedConfig) -> settings with the editor's on top

    @property
    def editor_errors(self) -> list[ConfigError]:
        return self.editor.errors

    @property
    def workspace_trusted(self) -> bool:
        """False when the client said so, at initialize or in its settings since; True when it says nothing."""
        return self._initial_trust is not False and self.editor.workspace_trusted is not False

    def reload_files(self) -> None:
        self.loader = ConfigLoader()
        self._layered.clear()

    def set_editor(self, raw: Any, *, initial: bool = False) -> bool:
        """Take the client's ``backlogLs`` settings; True when the workspace's trust changed."""
        before = self.workspace_trusted
        self.editor = EditorSettings.from_client(raw)
        if initial:
            self._initial_trust = self.editor.workspace_trusted
        self._layered.clear()
        return self.workspace_trusted != before

    def loaded_for(self, document: Document) -> LoadedConfig | None:
        if document.path is None:
            return None
        try:
            return self.loader.for_path(document.path)
        except Exception:
            logger.exception("Could not read the configuration for %s", document.path)
            return None

    def for_document(self, document: Document) -> tuple[Settings, LoadedConfig | None]:
        return self._layer(self.loaded_for(document))

    def for_path(self, path: str) -> tuple[Settings, LoadedConfig | None]:
        """The settings of a file no editor has open (the Backlog view reads it from disk)."""
        try:
            loaded = self.loader.for_path(path)
        except Exception:
            logger.exception("Could not read the configuration for %s", path)
            loaded = None
        return self._layer(loaded)

    def _layer(self, loaded: LoadedConfig | None) -> tuple[Settings, LoadedConfig | None]:
        base = loaded.settings if loaded is not None else self.loader.user.settings
        key = id(loaded)
        settings = self._layered.get(key)
        if settings is None:
            settings = self._layered[key] = self.editor.over(base)
        return settings, loaded
