"""Initialize, initialized, shutdown, and what follows the client's settings and watched files."""

from __future__ import annotations

import asyncio
import logging
import threading

from lsprotocol import types
from pygls.uris import to_fs_path

from ..providers import rfc_ietf
from . import code_actions, workspace_index
from .core import BacklogServer
from .diagnostics import diagnostic_options, on_pull_diagnostics
from .running import guarded

logger = logging.getLogger(__name__)


SETTINGS_SECTION = "backlogLs"
# Configuration files whose change the server re-reads (watched when the client can watch).
CONFIG_GLOBS = ("**/.backlog-ls.toml", "**/pyproject.toml")
# Project RFC files in the default folders (configured folders are re-read every few seconds instead).
RFC_GLOBS = ("**/{rfc,rfcs,text}/*.{md,markdown}",)


def _on_initialize(ls: BacklogServer, params: types.InitializeParams) -> None:
    if params.initialization_options is not None:
        ls.settings.set_editor(params.initialization_options, initial=True)
    diagnostic = params.capabilities.text_document and params.capabilities.text_document.diagnostic
    workspace = params.capabilities.workspace
    can_refresh = bool(workspace and workspace.diagnostics and workspace.diagnostics.refresh_support)
    # Pull only from a client we can ask to pull again: tracker data and RFC folders arrive after
    # the first pull, and a client without workspace/diagnostic/refresh (Neovim 0.10+) would keep
    # the first answer until the user types. Such a client gets pushed diagnostics instead.
    ls.pull_diagnostics = diagnostic is not None and can_refresh
    if ls.pull_diagnostics:
        # Announced here, in the capabilities pygls builds after this handler returns: a client
        # may pull from its first didOpen on. (A registration after `initialized` arrived only
        # after the client's settings round trip, seconds into a big first document.)
        ls.feature(types.TEXT_DOCUMENT_DIAGNOSTIC, diagnostic_options())(on_pull_diagnostics)
    code_actions.offer_resolve(ls)


def _import_the_parser_and_rules() -> None:
    """Load what the first document needs while the client is still getting ready, instead of
    before ``initialize`` or during the first didOpen, in the order the first check needs them:
    what sets up its tracker (on the loop, as the check's inputs are gathered), the parser (on a
    worker), then the rules. A thread that imports a module another is importing waits for it to
    finish: in the other order the inputs waited for the parser and the rules too (60 ms)."""
    try:
        import backlog_ls.providers.trackers.background  # noqa: F401
        import backlog_ls.providers.trackers.sources  # noqa: F401
        import backlog_ls.parse.blocks  # noqa: F401
        import backlog_ls.rules.registry  # noqa: F401
    except Exception:
        logger.exception("Loading the parser, the rules or the tracker set-up failed; it will be tried again with the first document")


async def _on_initialized(ls: BacklogServer, params: types.InitializedParams) -> None:
    def warm_up() -> None:
        _import_the_parser_and_rules()
        rfc_ietf.warm_in_background(ls.busy)  # then the IETF index, once the server is idle

    threading.Thread(target=warm_up, name="backlog-ls warm-up", daemon=True).start()
    ls._rfc_loop = asyncio.get_running_loop()
    for folder in [to_fs_path(uri) for uri in ls.workspace.folders] or [ls.workspace.root_path]:
        if folder:
            ls.project_rfcs.get(folder)  # start reading the RFC folders before the first document opens
    await _watch_config_files(ls)
    await _fetch_editor_settings(ls)
    await workspace_index.start_indexing(ls)


async def _watch_config_files(ls: BacklogServer) -> None:
    workspace = ls.client_capabilities.workspace
    watched = workspace and workspace.did_change_watched_files
    if not (watched and watched.dynamic_registration):
        return  # such a client tells us nothing; didChangeConfiguration still re-reads the files
    registration = types.Registration(
        id="backlog-ls/config-files",
        method=types.WORKSPACE_DID_CHANGE_WATCHED_FILES,
        register_options=types.DidChangeWatchedFilesRegistrationOptions(
            watchers=[
                types.FileSystemWatcher(glob_pattern=glob) for glob in CONFIG_GLOBS + RFC_GLOBS + workspace_index.BACKLOG_GLOBS
            ]
        ),
    )
    try:
        await ls.client_register_capability_async(types.RegistrationParams(registrations=[registration]))
    except Exception:
        logger.warning("The client refused to watch configuration files", exc_info=True)


async def _fetch_editor_settings(ls: BacklogServer) -> bool:
    """Ask the client for the ``backlogLs`` settings; False when it cannot answer."""
    workspace = ls.client_capabilities.workspace
    if not (workspace and workspace.configuration):
        return False
    try:
        answer = await ls.workspace_configuration_async(
            types.ConfigurationParams(items=[types.ConfigurationItem(section=SETTINGS_SECTION)])
        )
    except Exception:
        logger.warning("The client did not send its settings", exc_info=True)
        return False
    if answer and isinstance(answer[0], dict):
        if ls.settings.set_editor(answer[0]):
            ls.settings_changed(files_too=True)  # trust changed: issue sources are built again
        ls.show_editor_setting_errors()
        return True
    return False


async def _on_did_change_configuration(ls: BacklogServer, params: types.DidChangeConfigurationParams) -> None:
    if not await _fetch_editor_settings(ls):
        settings = params.settings
        if isinstance(settings, dict):
            ls.settings.set_editor(settings.get(SETTINGS_SECTION, settings))
            ls.show_editor_setting_errors()
    # Settings can name the configuration file's keys too: re-read files as well.
    ls.settings_changed(files_too=True)


def _on_did_change_watched_files(ls: BacklogServer, params: types.DidChangeWatchedFilesParams) -> None:
    names = [change.uri.rsplit("/", 1)[-1] for change in params.changes]
    if any(name in (".backlog-ls.toml", "pyproject.toml") for name in names):
        ls.settings_changed(files_too=True)
    # RFC files: rescan the roots that hold them (in the background; a change re-checks documents).
    paths = [to_fs_path(change.uri) for change in params.changes if change.uri.startswith("file:")]
    guarded("RFC rescan", lambda: ls.project_rfcs.files_changed(p for p in paths if p), False)
    guarded("Workspace index", lambda: workspace_index.files_changed(ls, params.changes), None)


def _on_shutdown(ls: BacklogServer, params: None) -> None:
    workspace_index.stop(ls)
    ls.cancel_all_publishes()
    ls.close_issue_sources()
    ls.cancel_pending_requests()


def register(server: BacklogServer) -> None:
    server.feature(types.INITIALIZE)(_on_initialize)
    server.feature(types.INITIALIZED)(_on_initialized)
    server.feature(types.SHUTDOWN)(_on_shutdown)
    server.feature(types.WORKSPACE_DID_CHANGE_CONFIGURATION)(_on_did_change_configuration)
    server.feature(types.WORKSPACE_DID_CHANGE_WATCHED_FILES)(_on_did_change_watched_files)
