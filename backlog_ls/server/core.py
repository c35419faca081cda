"""The server's state: open documents, their settings, checks and cached answers, issue trackers and RFCs.

The LSP handlers live beside this module, one module per area, and reach this state through
the ``BacklogServer`` they are called with."""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Callable, Sequence
from typing import Any

import attrs
from lsprotocol import types
from pygls.uris import from_fs_path, to_fs_path

from .. import __version__, convert, size_limit
from ..analysis import DocumentClosed, Result, Scheduler
from ..config import Settings
from ..diagnostics_json import DiagnosticsJson
from ..features import issues as issue_features
from ..features import status as status_features
from ..providers import rfc_ietf
from ..providers.config_file import LoadedConfig, config_file_lines
from ..providers.files import DiskFiles
from ..providers.rfc_projects import ProjectRfcStore, root_for
from ..rfc import NO_PROJECT_RFCS, Rfcs, RfcSettings, rfc_settings
from ..rules import Finding
from .transport import GuardedServer, strict_converter
from ..workspace import Document, Snapshot, Workspace
from ..workspace_outline import WorkspaceOutline, is_backlog
from .issue_sources import issue_source_for
from .protocol import BacklogProtocol, EncodedJson
from .running import off_loop
from .settings_store import SettingsStore

logger = logging.getLogger(__name__)


NAME = "backlog-ls"

# Long enough to coalesce a burst of didChange notifications sent back to back
# (multi-cursor edits, a formatter's several changes), short enough to be unnoticed.
PUBLISH_DELAY_SECONDS = 0.004

# How long the edits must pause before "#" completion is prepared again (``_prepare_issue_completion``).
PREPARE_COMPLETION_DELAY_SECONDS = 0.3

# How long after the last message background work still waits (``BacklogServer.busy``): longer
# than the gaps in a client's run of requests, short enough that a pause lets it go on.
QUIET_SECONDS = 0.02


class BacklogServer(GuardedServer):
    def __init__(self, publish_delay: float = PUBLISH_DELAY_SECONDS):
        super().__init__(
            NAME,
            __version__,
            text_document_sync_kind=types.TextDocumentSyncKind.Incremental,
            protocol_cls=BacklogProtocol,
            converter_factory=strict_converter,
        )
        self.documents = Workspace()
        self.settings = SettingsStore()
        self.files = DiskFiles()
        self.project_rfcs = ProjectRfcStore(on_change=self._project_rfcs_changed)
        self._rfc_loop: asyncio.AbstractEventLoop | None = None
        self._rfc_settings: dict[int, tuple[Settings, RfcSettings]] = {}
        self._rfc_refresh_started = False
        self.pull_diagnostics = False  # decided at initialize from the client's capabilities
        self.analysis = Scheduler(
            self.documents,
            check=self._check,
            inputs=self._check_inputs,
            deliver=self._deliver,
            generation=lambda: self._settings_generation,
            delay=publish_delay,
        )
        self._answers: dict[str, dict[str, tuple[tuple[int, int], EncodedJson]]] = {}  # uri -> method -> ((revision, settings), answer)
        self._settings_generation = 0  # bumped when any configuration changes: cached diagnostics are stale
        self._completion_prepared: set[str] = set()  # the documents whose "#" completion was prepared once
        # What the open documents' progress hints were last computed with: (progress, states) each.
        self._progress_shown: frozenset = frozenset({("inlay", ())})
        # Told of each open document's newest parse, on the worker thread (the workspace index).
        self.on_parsed: Callable[[Document, int, Any], None] = lambda document, revision, backlog: None
        self._encoded: dict[str, DiagnosticsJson] = {}  # uri -> its diagnostics as last encoded
        self._config_diagnostics: set[str] = set()  # config file URIs we published problems for
        self._config_diagnostics_paths: set[str] = set()  # ... and their paths, until the files are read again
        self._shown_editor_errors: tuple[str, ...] = ()
        # The issue tracker (an IssueSource): set here to inject one (tests); else built per
        # configuration file by ``issue_source_for`` and kept in ``_issue_sources``.
        self.issues: Any = None
        self._issue_sources: dict[tuple, Any] = {}
        self._issue_tasks: set[asyncio.Task] = set()
        self._sent_status: dict[str, str] | None = None
        self.backlog_outline = WorkspaceOutline()  # the Backlog view's answers (server/backlog_view.py)
        self.cross_files: Any = None  # workspace_files.CrossFiles: the other backlogs of the workspace

    # --- what the client negotiated ---------------------------------------------------------

    @property
    def encoding(self) -> str:
        """The position encoding pygls chose from the client's ``general.positionEncodings``."""
        return convert.encoding_name(self.workspace.position_encoding)

    def _text_document_capabilities(self) -> types.TextDocumentClientCapabilities:
        return self.client_capabilities.text_document or types.TextDocumentClientCapabilities()

    @property
    def hierarchical_symbols(self) -> bool:
        document_symbol = self._text_document_capabilities().document_symbol
        return bool(document_symbol and document_symbol.hierarchical_document_symbol_support)

    @property
    def folding_range_limit(self) -> int | None:
        folding_range = self._text_document_capabilities().folding_range
        return folding_range.range_limit if folding_range else None

    # --- diagnostics --------------------------------------------------------------------------

    def _check_inputs(self, document: Document) -> CheckInputs:
        """What checking the document needs from the server, gathered on the loop when a check starts."""
        settings, loaded = self.settings.for_document(document)
        if loaded is not None and loaded.errors:
            self.publish_config_problems(loaded)
        if self.settings.loader.user.errors:
            self.publish_config_problems(self.settings.loader.user)
        tracker = self.issues_for(document, settings, loaded)
        rfcs = self.rfcs_for(document, settings, loaded)
        project = self.cross_files.project_of(document.path, loaded) if self.cross_files is not None else None
        elsewhere = self.tasks_elsewhere(document, settings)
        return CheckInputs(settings, loaded.root if loaded else None, tracker, rfcs, self.encoding, project, elsewhere)

    def tasks_elsewhere(self, document: Document, settings: Settings | None = None) -> Any:
        """The workspace index's lookup of the tasks of other files, for dependencies; None without an index."""
        index = getattr(self, "workspace_index", None)
        if index is None:
            return None
        from ..dependencies import elsewhere_in

        if settings is None:
            settings = self.settings.for_document(document)[0]
        # The URI the index knows the document by (``workspace_index.index_uri``): the disk's.
        uri = (from_fs_path(document.path) or document.uri) if document.path else document.uri
        return elsewhere_in(index, uri, settings)

    def _check(self, document: Document, snapshot: Snapshot, backlog: Any, inputs: Any, superseded: Callable[[], bool]) -> Any:
        """On a worker thread: the findings and their diagnostics as JSON (None: superseded)."""
        if inputs is None:
            return None
        found = findings_for(document.path, backlog, inputs, self.files)
        if self.cross_files is not None:  # the cross-file rules' findings, with this text's facts
            found = self.cross_files.checked(document.path, backlog, inputs, found)
        if superseded():
            return None
        self.on_parsed(document, snapshot.revision, backlog)
        return found, self._encode_diagnostics(document.uri, backlog.lines, found, snapshot.version, inputs.encoding)

    def _encode_diagnostics(self, uri: str, lines: Sequence[str], found: list[Finding], version: int | None, encoding: str) -> str:
        """The findings as a JSON array of diagnostics, each encoded once while it stays the same
        (``diagnostics_json``). One check per document runs at a time: its cache is its own."""
        encoder = self._encoded.get(uri)
        if encoder is None:
            encoder = self._encoded[uri] = DiagnosticsJson()
        return encoder.encode(lines, found, version, encoding, uri)

    def _deliver(self, document: Document, result: Result) -> None:
        """A check's result, still current: pushed to push clients, with the version it was computed for."""
        self._prepare_issue_completion(document)
        if self.pull_diagnostics:
            return
        _, diagnostics = result.value
        params = f'{{"uri":{json.dumps(document.uri)},"version":{json.dumps(result.version)},"diagnostics":{diagnostics}}}'
        self.protocol.notify(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS, EncodedJson.of_text(params))

    def _prepare_issue_completion(self, document: Document) -> None:
        """On a thread, what the next completion after "#" reads (the first one of a 20,000-task document
        with 10,000 cached issues spent 150-350 ms on the numbers it cites and the issues' order).

        At once after a document's first check, when nothing is ready; after later ones once the
        edits pause (``PREPARE_COMPLETION_DELAY_SECONDS`` with no newer text): a completion's own
        reading then re-reads only the runs of blocks changed since (``issues._merged_in_chunks``),
        and typing does not pay a walk over every block per key (7 ms at 20,000 tasks)."""
        if document.uri not in self._completion_prepared:
            self._completion_prepared.add(document.uri)
            self._start_preparing_completion(document)
            return
        revision = document.revision

        def after_the_pause() -> None:
            if self.documents.get(document.uri) is document and document.revision == revision:
                self._start_preparing_completion(document)

        asyncio.get_running_loop().call_later(PREPARE_COMPLETION_DELAY_SECONDS, after_the_pause)

    def _start_preparing_completion(self, document: Document) -> None:
        backlog, source = document.backlog, self.issues_for(document)
        asyncio.get_running_loop().run_in_executor(None, issue_features.prepare_completion, backlog, source)

    def schedule_publish(self, uri: str) -> None:
        """Check the document again shortly (a burst of edits is checked once, for the newest text)."""
        document = self.documents.get(uri)
        if document is not None:
            self.analysis.changed(document)

    @property
    def settings_generation(self) -> int:
        return self._settings_generation

    def busy(self) -> bool:
        """Whether the server's own work is under way (any thread: plain reads): a check due or
        running, a request being answered, or a message read or written in the last
        ``QUIET_SECONDS`` (the requests a keystroke brings, a burst of hovers). Background work
        (the workspace index's summaries, a document's first cross-file facts) waits for this."""
        if time.monotonic() - self.protocol.last_message_at < QUIET_SECONDS:
            return True
        analysis = getattr(self, "analysis", None)
        return analysis is not None and analysis.busy()

    def forget(self, uri: str) -> None:
        self.analysis.forget(uri)
        self._completion_prepared.discard(uri)
        self._encoded.pop(uri, None)
        self._answers.pop(uri, None)
        self.documents.close(uri)

    # --- answers that depend only on the document -------------------------------------------

    async def answer_for(self, document: Document, method: str, compute: Callable[[], Any], what: str) -> EncodedJson:
        """``compute()`` encoded, once per snapshot of the document (an outline asked again is free);
        off the loop for a big document (``off_loop``)."""
        key = (document.revision, self._settings_generation)  # the outline names states as configured
        cached = self._answers.get(document.uri, {}).get(method)
        if cached is not None and cached[0] == key:
            return cached[1]
        answer = await off_loop(document, lambda: _encoded(compute()), what, None)
        if answer is None:
            return EncodedJson([])
        if self.documents.get(document.uri) is document:
            self._answers.setdefault(document.uri, {})[method] = (key, answer)
        return answer

    async def parsed_document(self, uri: str) -> Document | None:
        """The open document ``uri`` once its newest text is parsed (a command waits for the worker
        as a request does), or None when it is not open."""
        document = self.documents.get(uri)
        if document is None or self.analysis.parse_now_if_small(document):
            return document
        try:
            await self.analysis.parsed(document)
        except DocumentClosed:
            return None
        return self.documents.get(uri)

    def cancel_all_publishes(self) -> None:
        self.analysis.stop()

    # --- settings -------------------------------------------------------------------------------

    def findings(self, document: Document) -> list[Finding]:
        """The rules' findings for a backlog (those of the last check when it is current); none for
        a Markdown file that is not one."""
        result = self.analysis.result(document)
        if result is not None:
            return result.value[0]
        return findings_for(document.path, document.backlog, self._check_inputs(document), self.files)

    def findings_of_text(self, document: Document, text: str) -> list[Finding]:
        """The findings ``document`` would have with ``text`` instead (fix-all's later passes)."""
        from ..parse import parse

        return findings_for(document.path, parse(text), self._check_inputs(document), self.files)

    def publish_config_problems(self, loaded: LoadedConfig) -> None:
        """A configuration file's problems, as diagnostics on that file (always pushed: no
        client pulls diagnostics for a TOML file from a Markdown server)."""
        if loaded.path is None or loaded.path in self._config_diagnostics_paths:
            return  # published when the file was read; read again (and published) when it changes
        uri = from_fs_path(loaded.path)
        if uri is None:
            return
        self._config_diagnostics_paths.add(loaded.path)
        lines = config_file_lines(loaded.path)
        diagnostics = [convert.config_error_diagnostic(error, lines) for error in loaded.errors]
        self._config_diagnostics.add(uri)
        self.text_document_publish_diagnostics(types.PublishDiagnosticsParams(uri=uri, diagnostics=diagnostics))

    def show_editor_setting_errors(self) -> None:
        messages = tuple(str(error) for error in self.settings.editor_errors)
        if messages and messages != self._shown_editor_errors:
            self.window_show_message(
                types.ShowMessageParams(type=types.MessageType.Warning, message="backlog-ls: " + "; ".join(messages))
            )
        self._shown_editor_errors = messages

    def settings_changed(self, files_too: bool) -> None:
        """Configuration changed: forget what was derived from it and re-check every open document."""
        if files_too:
            self.settings.reload_files()
            self.close_issue_sources()  # [issues] may have changed: built again
            stale, self._config_diagnostics = self._config_diagnostics, set()
            self._config_diagnostics_paths.clear()
            for uri in stale:  # cleared now; re-published below if still wrong
                self.text_document_publish_diagnostics(types.PublishDiagnosticsParams(uri=uri, diagnostics=[]))
        if files_too and self.pull_diagnostics:
            for document in self.documents:
                self._check_inputs(document)  # re-publishes configuration problems (pushed: TOML is not pulled)
        self.diagnostics_stale()
        self.progress_stale()

    def progress_stale(self) -> None:
        """When what the progress hints and lenses depend on changed (``progress``, ``states``), clients
        that can are asked for them again (the others ask after the next edit)."""
        shown = frozenset(
            (settings.progress, tuple(sorted(settings.states.items())))
            for settings in (self.settings.for_document(document)[0] for document in self.documents)
        )
        if not shown or shown == self._progress_shown:  # nothing open, or nothing to show differently
            return
        self._progress_shown = shown
        workspace = self.client_capabilities.workspace
        try:
            if workspace and workspace.inlay_hint and workspace.inlay_hint.refresh_support:
                self.workspace_inlay_hint_refresh(None)
            if workspace and workspace.code_lens and workspace.code_lens.refresh_support:
                self.workspace_code_lens_refresh(None)
        except Exception:
            logger.warning("The client could not be asked to refresh the progress hints", exc_info=True)

    def diagnostics_stale(self) -> None:
        """Every open document's diagnostics may differ now (settings, tracker data, RFC folders):
        push clients get them again; pull clients are asked to pull again, when they can be."""
        self._settings_generation += 1
        if self.pull_diagnostics:
            workspace = self.client_capabilities.workspace
            if workspace and workspace.diagnostics and workspace.diagnostics.refresh_support:
                try:
                    self.workspace_diagnostic_refresh(None)
                except Exception:
                    logger.warning("The client could not be asked to refresh diagnostics", exc_info=True)
        else:
            for document in self.documents:
                self.schedule_publish(document.uri)

    # --- issue trackers ---------------------------------------------------------------------------

    def issues_for(self, document: Document, settings: Settings | None = None, loaded: LoadedConfig | None = None) -> Any:
        """The document's ``IssueSource`` (None: no tracker configured). Never waits on the network."""
        if self.issues is not None:
            return self.issues
        try:
            if settings is None:
                settings, loaded = self.settings.for_document(document)
            root = loaded.root if loaded is not None and loaded.root else None
            trusted = self.settings.workspace_trusted
            key = (root, repr(sorted(settings.issues.items())), settings.named_hosts, trusted)
            if key not in self._issue_sources:
                self._issue_sources[key] = issue_source_for(
                    settings, root, self.notify_issues_changed, self.status_changed, workspace_trusted=trusted
                )
                self.status_changed()
            return self._issue_sources[key]
        except Exception:
            logger.exception("Could not set up the issue tracker for %s", document.uri)
            return None

    def close_issue_sources(self) -> None:
        """Stop every source's background refresh (a stalled tracker must not outlive shutdown)."""
        for source in self._issue_sources.values():
            close = getattr(source, "close", None)
            if close is not None:
                close()
        self._issue_sources.clear()

    def cancel_pending_requests(self) -> None:
        """Cancel every request still running (a Refresh issues waiting on a tracker) but this one.

        pygls 2.1 does the same right after the shutdown handler, but while iterating its own
        table, from which a cancelled command removes itself at once: "dictionary changed size
        during iteration", and shutdown fails. Done here over a copy, it leaves pygls nothing to do.
        """
        current = self.protocol.msg_id
        for msg_id, future in list(self.protocol._request_futures.items()):
            if msg_id != current and not future.done():
                future.cancel()

    def notify_issues_changed(self) -> None:
        """A source's data changed (a refresh, a new issue): re-check open documents. Any thread."""
        issue_features.issues_changed()
        self._run_on_loop(self.diagnostics_stale)

    def _run_on_loop(self, callback: Callable[[], None]) -> None:
        """Run ``callback`` now when on the event loop, else schedule it there (from a worker thread)."""
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            loop = self._rfc_loop
            if loop is not None and not loop.is_closed():
                loop.call_soon_threadsafe(callback)
            return
        callback()

    STATUS_NOTIFICATION = "backlog-ls/status"

    def status_changed(self) -> None:
        """Send ``backlog-ls/status`` (for a status bar) if the trackers' state reads differently now. Any thread."""
        self._run_on_loop(self._send_status)

    def _send_status(self) -> None:
        try:  # a status bar must never break what called for it
            sources = [self.issues] if self.issues is not None else list(self._issue_sources.values())
            params = status_features.tracker_status(sources).as_params()
            if params == self._sent_status:
                return
            self._sent_status = params
            self.protocol.notify(self.STATUS_NOTIFICATION, params)
        except Exception:
            logger.warning("Could not send the status", exc_info=True)

    def issue_context(self, document: Document, line_before: str) -> issue_features.IssueContext | None:
        """What issue completion needs; None when the text before the cursor cannot be an issue reference."""
        if "#" not in line_before and "GH-" not in line_before and "-" not in line_before:
            return None
        settings, loaded = self.settings.for_document(document)
        referenced = issue_features.cited_in(other.backlog for other in self.documents)
        return issue_features.IssueContext(self.issues_for(document, settings, loaded), referenced, settings.issues)

    # --- RFCs -------------------------------------------------------------------------------------

    def rfcs_for(self, document: Document, settings: Settings | None = None, loaded: LoadedConfig | None = None) -> Rfcs:
        """The project RFCs around the document (as last scanned; never waits on the disk) and the IETF index."""
        try:
            if self._rfc_loop is None:
                self._rfc_loop = asyncio.get_running_loop()
        except RuntimeError:
            pass
        ietf: Any = rfc_ietf.shipped_index  # loaded when a rule or an answer first reads it (``Rfcs.ietf``)
        projects = NO_PROJECT_RFCS
        try:
            if settings is None:
                settings, loaded = self.settings.for_document(document)
            options = self._rfc_options(settings)
            if options.ietf_refresh and self.settings.workspace_trusted:  # an untrusted workspace: no network
                ietf = rfc_ietf.current_index(True)
                if not self._rfc_refresh_started:  # once per session, in the background; daily at most
                    self._rfc_refresh_started = True
                    rfc_ietf.refresh_in_background(on_change=self._project_rfcs_changed)
            if document.path is not None:
                if loaded is not None and loaded.path is not None:
                    root = loaded.root  # [rfc] dirs are relative to the configuration file's folder
                else:
                    folders = [to_fs_path(uri) for uri in self.workspace.folders] + [self.workspace.root_path]
                    root = root_for(document.path, [f for f in folders if f], loaded.root if loaded else None)
                projects = self.project_rfcs.for_document(document.path, root, options.dirs)
        except Exception:
            logger.exception("Could not find the project RFCs for %s", document.uri)
            projects = NO_PROJECT_RFCS
        return Rfcs(projects, ietf)

    def _rfc_options(self, settings: Settings) -> RfcSettings:
        cached = self._rfc_settings.get(id(settings))
        if cached is None or cached[0] is not settings:
            if len(self._rfc_settings) > 64:
                self._rfc_settings.clear()
            cached = self._rfc_settings[id(settings)] = (settings, rfc_settings(settings.rfc))
        return cached[1]

    def _project_rfcs_changed(self) -> None:
        """Called on the scanner's thread when a scan found different RFCs: re-check on the loop."""
        loop = self._rfc_loop
        if loop is not None and not loop.is_closed():
            loop.call_soon_threadsafe(self._recheck_for_rfcs)

    def _recheck_for_rfcs(self) -> None:
        # Lazily: nothing is computed here, so a request waiting behind this is not held up
        # by a large backlog.
        self.diagnostics_stale()


@attrs.frozen
class CheckInputs:
    """What checking a document needs from the server, gathered on the event loop."""

    settings: Settings
    root: str | None  # of the configuration in force
    tracker: Any
    rfcs: Any
    encoding: str
    project: str | None = None  # the folder the document shares issues and task IDs in (cross-file rules)
    elsewhere: Any = None  # dependencies.Elsewhere: tasks of the workspace's other files


def findings_for(path: str | None, backlog: Any, inputs: CheckInputs, files: Any) -> list[Finding]:
    """The rules' findings for a backlog (any thread); none for a Markdown file that is not one."""
    settings = inputs.settings
    if path is not None and not is_backlog(path, backlog, settings, inputs.root):
        return []
    try:
        return size_limit.check(
            backlog, settings, path=path, files=files, rfcs=inputs.rfcs, tracker=inputs.tracker, elsewhere=inputs.elsewhere
        )
    except Exception:
        logger.exception("Could not check %s", path)
        return []


def _encoded(value: Any) -> EncodedJson:
    """An answer as JSON text: encoded here, unless the feature encoded it itself (block by block)."""
    return value if isinstance(value, EncodedJson) else EncodedJson(value)
