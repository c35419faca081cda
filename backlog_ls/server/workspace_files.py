"""The other backlogs of the workspace: cross-file findings, ``workspace/diagnostic``, and file moves.

- Every check of an open document adds the cross-file rules' findings
  (``rules.across_files``) to its own, and hands its live facts to the table; when
  that changes another file's cross-file findings, the open documents are shown again
  (pushed, or pulled after a refresh).
- Unopened backlogs (the files of the workspace index, ``server/workspace_index.py``)
  are read on a thread by ``providers.workspace_facts``; a pull client asking
  ``workspace/diagnostic`` gets their problems; a push client gets open files only.
- ``workspace/willRenameFiles`` (Markdown files and folders) answers the edits that keep
  links pointing at what moves, in every Markdown file of the workspace (backlog or not,
  reference definitions and ``<...>`` targets too: ``providers.workspace_links``); the
  client applies them, or not.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
from typing import Any

from lsprotocol import types
from pygls.uris import from_fs_path, to_fs_path

from .. import convert, size_limit
from ..features.links import LinkAt, links_of, rename_edits
from ..providers.workspace_facts import FactsProvider
from ..providers.workspace_links import linking_files
from ..rules import Finding
from ..rules.across_files import facts_of
from ..workspace import Document
from ..workspace_facts import FactsTable
from ..workspace_outline import is_backlog
from .core import BacklogServer, CheckInputs
from .protocol import EncodedJson
from .running import guarded, show
from .workspace_index import workspace_folders

logger = logging.getLogger(__name__)

# A burst of changes to other files' cross-file findings is shown once, this long after the first.
REFRESH_DELAY_SECONDS = 0.3
MARKDOWN_GLOB = "**/*.{md,markdown}"


class CrossFiles:
    """The cross-file state of one server: the facts table, its provider, and when to show changes."""

    def __init__(self, server: BacklogServer):
        self.server = server
        self.table = FactsTable()
        self.provider = FactsProvider(self.table, self._settings_for, on_change=self._findings_changed, server_busy=server.busy)
        self._refresh_pending = False
        self._refreshes = 0  # of ``diagnostics_stale`` for cross-file findings alone

    # --- which files share a namespace ----------------------------------------------------------

    def _folders(self) -> list[str]:
        return [os.path.abspath(folder) for folder in workspace_folders(self.server)]

    def project_of(self, path: str | None, loaded: Any) -> str | None:
        """The folder a file shares issues and task IDs in: its git work tree or configuration's
        folder, else the workspace folder holding it; None: none (a file outside every project)."""
        if path is None:
            return None
        if loaded is not None and loaded.workspace:
            return loaded.workspace
        path = os.path.abspath(path)
        holding = [folder for folder in self._folders() if path.startswith(folder.rstrip(os.sep) + os.sep)]
        return max(holding, key=len) if holding else None

    def facts_inputs(self, path: str) -> tuple[Any, str | None]:
        """An unopened file's settings and project, for its facts read with its summary (on the
        index provider's thread): the path made absolute, as the table knows files."""
        return self._settings_for(os.path.abspath(path))

    def _settings_for(self, path: str) -> tuple[Any, str | None]:
        """An unopened file's settings and project (on the provider's thread)."""
        loaded = self.server.settings.loader.for_path(path)
        settings = self.server.settings.editor.over(loaded.settings)
        return settings, self.project_of(path, loaded)

    # --- open documents (on a worker thread) -----------------------------------------------------

    def checked(self, path: str | None, backlog: Any, inputs: CheckInputs, found: list[Finding]) -> list[Finding]:
        """An open document was checked: its facts taken, and the cross-file findings added."""
        if path is None:
            return found
        path = os.path.abspath(path)
        if not is_backlog(path, backlog, inputs.settings, inputs.root):
            self.provider.document_checked(path, facts_of(backlog, path, None))  # no facts: shares nothing
            return found
        previous = self.table.facts(path)
        if previous is None or previous.base is None:
            # The first check of an opened document: its facts (0.5 s at 20,000 tasks, a sixth of
            # opening it) are read after, off the check, and its cross-file findings follow them.
            project, settings = inputs.project, inputs.settings
            self.provider.first_facts_later(path, lambda: facts_of(backlog, path, project, settings, live=True))
        else:
            # Patched from the facts of its last check: the edited blocks are read again.
            facts = facts_of(backlog, path, inputs.project, inputs.settings, live=True, previous=previous)
            self.provider.document_checked(path, facts, quiet={path})
        across = self.table.findings(path)
        if not across:
            return found
        return sorted((*found, *across), key=lambda finding: (finding.span, finding.code))

    def _findings_changed(self, paths: set[str]) -> None:
        """Some files' cross-file findings changed (any thread): show the open ones again, soon and once."""
        if self._refresh_pending:
            return
        self._refresh_pending = True
        self.server._run_on_loop(self._schedule_refresh)

    def _schedule_refresh(self) -> None:
        asyncio.get_running_loop().call_later(REFRESH_DELAY_SECONDS, self._refresh)

    def _refresh(self) -> None:
        self._refresh_pending = False
        self._refreshes += 1
        self.server.diagnostics_stale()

    @property
    def settings_generation(self) -> int:
        """The server's settings generation, not counting the moves of cross-file findings: an
        unopened file's own findings do not change with those (its cross-file ones are added apart)."""
        return self.server.settings_generation - self._refreshes

    # --- unopened files ----------------------------------------------------------------------------

    def index_changed(self) -> None:
        """The workspace index took or dropped files: the same files are read for their facts."""
        self.provider.sync_with(self._indexed_paths)

    def _indexed_paths(self) -> list[str]:
        index = self.server.workspace_index
        paths = (index.path_of(uri) for uri, _ in index.files())
        return [os.path.abspath(path) for path in paths if path]

    def document_opened(self, path: str) -> None:
        self.provider.document_opened(os.path.abspath(path))

    def document_closed(self, path: str) -> None:
        self.provider.document_closed(os.path.abspath(path))

    def unopened_paths(self) -> list[str]:
        open_paths = {os.path.abspath(document.path) for document in self.server.documents if document.path}
        return [path for path in self.table.paths() if path not in open_paths]


# --- workspace/diagnostic ---------------------------------------------------------------------------


def _unopened_check(ls: BacklogServer, paths: list[str]):
    """The per-file rules for unopened files, as an open one gets them, trackers and RFCs from their
    caches; those are looked up here, on the loop, and the check runs on a thread."""
    lookups = {}
    for path in paths:
        stand_in = Document(from_fs_path(path) or path, "", path=path)  # what the lookups take: its path
        lookups[path] = (guarded("Issues", lambda: ls.issues_for(stand_in), None), guarded("RFCs", lambda: ls.rfcs_for(stand_in), None))

    def check(path: str, backlog: Any, settings: Any) -> list[Finding]:
        tracker, rfcs = lookups.get(path, (None, None))
        return size_limit.check(backlog, settings, path=path, files=ls.files, rfcs=rfcs, tracker=tracker)

    return check


async def on_workspace_diagnostic(ls: BacklogServer, params: types.WorkspaceDiagnosticParams) -> EncodedJson:
    cross = ls.cross_files
    if cross is None:
        return EncodedJson({"items": []})
    previous = {entry.uri: entry.value for entry in params.previous_result_ids}
    paths = cross.unopened_paths()
    check = _unopened_check(ls, paths)
    # The lookups the rules need are made on the loop, the reading and checking on a thread.
    reports = await asyncio.to_thread(cross.provider.unopened_findings, paths, check, cross.settings_generation)
    encoding = ls.encoding
    items = []
    for report in reports:
        uri = from_fs_path(report.path)
        if uri is None:
            continue
        if previous.get(uri) == report.result_id:
            items.append({"kind": "unchanged", "uri": uri, "resultId": report.result_id, "version": None})
            continue
        diagnostics = []
        for finding in report.findings:
            try:
                diagnostics.append(convert.diagnostic_json(finding, report.lines, encoding, None, uri))
            except Exception:
                logger.exception("Could not convert %s finding at %s", finding.code, finding.span)
        items.append({"kind": "full", "uri": uri, "resultId": report.result_id, "version": None, "items": diagnostics})
    return EncodedJson.of_text(json.dumps({"items": items}, separators=(",", ":")))


# --- workspace/willRenameFiles ------------------------------------------------------------------------


async def _linking_files(
    ls: BacklogServer, renames: list[tuple[str, str]]
) -> tuple[list[tuple[str, list[LinkAt]]], dict[str, tuple[int | None, Any]]]:
    """Every Markdown file's links that a move may change, and each file's version (None: not
    open) and lines: open documents' from their live text, the others read from disk (backlogs
    or not, on a thread: ``providers.workspace_links``)."""
    linking: list[tuple[str, list[LinkAt]]] = []
    known: dict[str, tuple[int | None, Any]] = {}
    for document in ls.documents:
        if document.path:
            path = os.path.abspath(document.path)
            linking.append((path, list(links_of(document.backlog))))
            known[path] = (document.version, document.lines)
    folders = [os.path.abspath(folder) for folder in workspace_folders(ls)]
    on_disk = await asyncio.to_thread(
        linking_files, folders, renames, skip=set(known), use_git=ls.settings.workspace_trusted
    )
    for path, links, lines in on_disk.found:
        linking.append((path, links))
        known[path] = (None, lines)
    if on_disk.warning:
        show(ls, types.MessageType.Warning, on_disk.warning)
    return linking, known


async def _rename_edit(ls: BacklogServer, params: types.RenameFilesParams) -> types.WorkspaceEdit | None:
    renames = []
    for rename in params.files:
        old, new = to_fs_path(rename.old_uri), to_fs_path(rename.new_uri)
        if old and new:
            renames.append((os.path.abspath(old), os.path.abspath(new)))
    if not renames:
        return None
    linking, known = await _linking_files(ls, renames)
    edits = rename_edits(renames, linking)
    changes = []
    for path, found in sorted(edits.items()):
        uri = from_fs_path(path)
        if uri is not None:
            version, lines = known[path]
            changes.append((uri, version, found, lines))
    return convert.documents_edit(changes, ls.encoding)


async def on_will_rename_files(ls: BacklogServer, params: types.RenameFilesParams) -> types.WorkspaceEdit | None:
    try:
        return await _rename_edit(ls, params)
    except Exception:
        logger.exception("File move edits failed")
        return None


def will_rename_options() -> types.FileOperationRegistrationOptions:
    return types.FileOperationRegistrationOptions(
        filters=[
            types.FileOperationFilter(
                pattern=types.FileOperationPattern(glob=MARKDOWN_GLOB, matches=types.FileOperationPatternKind.File)
            ),
            types.FileOperationFilter(pattern=types.FileOperationPattern(glob="**/*", matches=types.FileOperationPatternKind.Folder)),
        ]
    )


def register(server: BacklogServer) -> None:
    server.cross_files = CrossFiles(server)
    server.feature(types.WORKSPACE_WILL_RENAME_FILES, will_rename_options())(on_will_rename_files)
    # Announced only with pull diagnostics (``diagnostics.diagnostic_options``): push clients get open files only.
    server.feature(types.WORKSPACE_DIAGNOSTIC)(on_workspace_diagnostic)
