"""The language server: the only module that imports pygls.

Handlers stay thin: they turn protocol values into code point positions, hand the
text to ``workspace.py``, call the pure ``rules`` and ``features`` functions and
let ``convert.py`` build the answer. They run on the event loop. Parsing and the
rules do not: ``analysis.py`` runs them on worker threads, and a request on a
document whose newest text is still being parsed waits for it without holding up
requests on other documents.

Diagnostics are pushed (``textDocument/publishDiagnostics``) to clients that do not
declare ``textDocument.diagnostic`` and pulled by those that do; never both, or
VS Code shows every problem twice. Pushes are coalesced: a burst of edits
publishes once, for the newest version, and never an old version after a new one;
each publish names the version its diagnostics were computed from.

Nothing but the protocol goes to stdout: logs go to stderr, and warnings and
errors of this package also reach the client as ``window/logMessage``.
"""

from __future__ import annotations

import asyncio
import gc
import inspect
import json
import logging
import os
import sys
import threading
import uuid
from collections.abc import Callable, Iterator, Sequence
from typing import Any, TypeVar

import attrs
from lsprotocol import types
from pygls.protocol.language_server import lsp_method
from pygls.uris import from_fs_path, to_fs_path

from . import __version__, config, convert, fixes, rules, size_limit
from .analysis import DocumentClosed, Result, Scheduler
from .config import ConfigError, Settings
from .features import archive, folding, formatting, hover, issue_ref, renumber, split, symbols, tick
from .features import completion
from .features import move as move_features
from .features import write_back
from .features import rfc as rfc_features
from .features import status as status_features
from .features import issues as issue_features
from .files import Selection
from .providers import rfc_ietf
from .providers.rfc_projects import ProjectRfcStore, root_for
from .rfc import NO_PROJECT_RFCS, RfcSettings, Rfcs, rfc_settings
from .providers.config_file import ConfigLoader, LoadedConfig, config_file_lines
from .editor_settings import EditorSettings
from .providers.files import DiskFiles
from .rules import Finding
from .server_transport import GuardedProtocol, GuardedServer, strict_converter
from .workspace import Document, Snapshot, Workspace

logger = logging.getLogger(__name__)

NAME = "backlog-ls"

# Long enough to coalesce a burst of didChange notifications sent back to back
# (multi-cursor edits, a formatter's several changes), short enough to be unnoticed.
PUBLISH_DELAY_SECONDS = 0.004

_PULL_REGISTRATION_ID = "backlog-ls/pull-diagnostics"

# Cached diagnostics are encoded without the document version, which changes with every
# edit; this stand-in marks where it goes.
VERSION_SLOT = "@@backlog-ls-version@@"
VERSION_SLOT_JSON = json.dumps(VERSION_SLOT)

T = TypeVar("T")


class EncodedJson:
    """A request's result or a notification's params, already encoded as JSON text.

    pygls turns a result into JSON by walking it with cattrs on every message,
    which for a large outline costs more than computing it. Bulk answers are built
    as JSON values (see ``convert.py``), encoded once, and sent as they are; an
    answer cached per document snapshot is sent again at the cost of a write.
    """

    __slots__ = ("text",)

    def __init__(self, value: Any):
        # ASCII only (ensure_ascii), so the text's length is its length in bytes.
        self.text = json.dumps(value, separators=(",", ":"), ensure_ascii=True)

    @classmethod
    def of_text(cls, text: str) -> EncodedJson:
        """Wrap JSON text built from already-encoded (ASCII) parts."""
        encoded = cls.__new__(cls)
        encoded.text = text
        return encoded


class BacklogProtocol(GuardedProtocol):
    """pygls's protocol, except that open documents live only in our ``Workspace``
    and results already encoded (``EncodedJson``) are sent without re-encoding.

    pygls's built-in didOpen/didChange/didClose keep a second copy of every open
    document and apply each change to it, re-splitting the text with
    ``str.splitlines`` (which also breaks lines at \\x0c and \\u2028) at a cost that
    grows with the document. Nothing here reads that copy, so these overrides skip
    it and only run our handlers; ``ls.workspace`` still holds the root and folders.
    """

    def _send_data(self, data: Any) -> None:
        result, params = getattr(data, "result", None), getattr(data, "params", None)
        if isinstance(result, EncodedJson):
            body = f'{{"jsonrpc":"{self.VERSION}","id":{json.dumps(data.id)},"result":{result.text}}}'
        elif isinstance(params, EncodedJson):
            body = f'{{"jsonrpc":"{self.VERSION}","method":{json.dumps(data.method)},"params":{params.text}}}'
        else:
            super()._send_data(data)
            return
        if self.writer is None:
            logger.error("No transport to send %s on", type(data).__name__)
            return
        # The same framing as pygls's own _send_data, around text that is already JSON.
        if self._include_headers:
            header = f"Content-Length: {len(body)}\r\nContent-Type: {self.CONTENT_TYPE}; charset={self.CHARSET}\r\n\r\n"
            body = header + body
        written = self.writer.write(body.encode(self.CHARSET))
        if inspect.isawaitable(written):
            asyncio.ensure_future(written)

    def _user_handler(self, method: str, params: Any) -> Iterator[Any]:
        if (handler := self.fm.features.get(method)) is not None:
            yield handler, (params,), None

    @lsp_method(types.TEXT_DOCUMENT_DID_OPEN)
    def lsp_text_document__did_open(self, params: types.DidOpenTextDocumentParams):
        yield from self._user_handler(types.TEXT_DOCUMENT_DID_OPEN, params)

    @lsp_method(types.TEXT_DOCUMENT_DID_CHANGE)
    def lsp_text_document__did_change(self, params: types.DidChangeTextDocumentParams):
        yield from self._user_handler(types.TEXT_DOCUMENT_DID_CHANGE, params)

    @lsp_method(types.TEXT_DOCUMENT_DID_CLOSE)
    def lsp_text_document__did_close(self, params: types.DidCloseTextDocumentParams):
        yield from self._user_handler(types.TEXT_DOCUMENT_DID_CLOSE, params)


SETTINGS_SECTION = "backlogLs"
# Configuration files whose change the server re-reads (watched when the client can watch).
CONFIG_GLOBS = ("**/.backlog-ls.toml", "**/pyproject.toml")
# Project RFC files in the default folders (configured folders are re-read every few seconds instead).
RFC_GLOBS = ("**/{rfc,rfcs,text}/*.{md,markdown}",)


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
        loaded = self.loaded_for(document)
        base = loaded.settings if loaded is not None else self.loader.user.settings
        key = id(loaded)
        settings = self._layered.get(key)
        if settings is None:
            settings = self._layered[key] = self.editor.over(base)
        return settings, loaded


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
        self._encoded: dict[str, dict[tuple, str]] = {}  # uri -> finding key -> its diagnostic as JSON
        self._config_diagnostics: set[str] = set()  # config file URIs we published problems for
        self._config_diagnostics_paths: set[str] = set()  # ... and their paths, until the files are read again
        self._shown_editor_errors: tuple[str, ...] = ()
        # The issue tracker (an IssueSource): set here to inject one (tests); else built per
        # configuration file by ``_issue_source_for`` and kept in ``_issue_sources``.
        self.issues: Any = None
        self._issue_sources: dict[tuple, Any] = {}
        self._issue_tasks: set[asyncio.Task] = set()
        self._sent_status: dict[str, str] | None = None

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
        return CheckInputs(settings, loaded.root if loaded else None, tracker, rfcs, self.encoding)

    def _check(self, document: Document, snapshot: Snapshot, backlog: Any, inputs: Any, superseded: Callable[[], bool]) -> Any:
        """On a worker thread: the findings and their diagnostics as JSON (None: superseded)."""
        if inputs is None:
            return None
        found = findings_for(document.path, backlog, inputs, self.files)
        if superseded():
            return None
        return found, self._encode_diagnostics(document.uri, backlog.lines, found, snapshot.version, inputs.encoding)

    def _encode_diagnostics(self, uri: str, lines: Sequence[str], found: list[Finding], version: int | None, encoding: str) -> str:
        """The findings as a JSON array of diagnostics.

        Each diagnostic is encoded once and reused while its finding and the lines it
        touches stay the same: after a keystroke in a 20,000-task backlog almost every
        finding is the one of the keystroke before, and converting and encoding
        thousands of them again cost more than finding them. One check per document
        runs at a time, so its cache is never shared between threads.
        """
        previous = self._encoded.get(uri, {})
        current: dict[tuple, str] = {}
        version_text = json.dumps(version)
        fragments = []
        for finding in found:
            try:
                finding_key = (finding, encoding, *convert.lines_touched(finding, lines))
                fragment = previous.get(finding_key)
                if fragment is None:
                    fragment = json.dumps(
                        convert.diagnostic_json(finding, lines, encoding, VERSION_SLOT, uri),
                        separators=(",", ":"),
                        ensure_ascii=True,
                    )
                current[finding_key] = fragment
                fragments.append(fragment.replace(VERSION_SLOT_JSON, version_text, 1))
            except Exception:
                logger.exception("Could not convert %s finding at %s", finding.code, finding.span)
        self._encoded[uri] = current
        return "[" + ",".join(fragments) + "]"

    def _deliver(self, document: Document, result: Result) -> None:
        """A check's result, still current: pushed to push clients, with the version it was computed for."""
        if self.pull_diagnostics:
            return
        _, diagnostics = result.value
        params = f'{{"uri":{json.dumps(document.uri)},"version":{json.dumps(result.version)},"diagnostics":{diagnostics}}}'
        self.protocol.notify(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS, EncodedJson.of_text(params))

    def schedule_publish(self, uri: str) -> None:
        """Check the document again shortly (a burst of edits is checked once, for the newest text)."""
        document = self.documents.get(uri)
        if document is not None:
            self.analysis.changed(document)

    @property
    def settings_generation(self) -> int:
        return self._settings_generation

    def forget(self, uri: str) -> None:
        self.analysis.forget(uri)
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
        answer = await off_loop(document, lambda: EncodedJson(compute()), what, None)
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
                self._issue_sources[key] = _issue_source_for(
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
        referenced: dict[int, str] = {}
        for other in self.documents:
            for number, text in issue_features.referenced_issues(other.backlog).items():
                if number not in referenced or (not referenced[number] and text):
                    referenced[number] = text
        return issue_features.IssueContext(self.issues_for(document, settings, loaded), referenced, settings.issues)

    # --- RFCs -------------------------------------------------------------------------------------

    def rfcs_for(self, document: Document, settings: Settings | None = None, loaded: LoadedConfig | None = None) -> Rfcs:
        """The project RFCs around the document (as last scanned; never waits on the disk) and the IETF index."""
        try:
            if self._rfc_loop is None:
                self._rfc_loop = asyncio.get_running_loop()
        except RuntimeError:
            pass
        ietf = rfc_ietf.shipped_index()
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


def findings_for(path: str | None, backlog: Any, inputs: CheckInputs, files: Any) -> list[Finding]:
    """The rules' findings for a backlog (any thread); none for a Markdown file that is not one."""
    settings = inputs.settings
    if path is not None:
        selection = Selection.of(settings.include, settings.exclude, inputs.root)
        if not selection.wants_document(path, bool(backlog.task_list or backlog.problems)):
            return []
    try:
        return size_limit.check(backlog, settings, path=path, files=files, rfcs=inputs.rfcs, tracker=inputs.tracker)
    except Exception:
        logger.exception("Could not check %s", path)
        return []


# A request whose answer covers the whole document (outline, folds, links) is computed on a
# thread when the document has more lines than this: 10 MB took seconds, and the loop must go on.
OFF_LOOP_LINES = 5_000


async def off_loop(document: Document, compute: Callable[[], T], what: str, fallback: T) -> T:
    """``compute()`` (guarded), on a thread for a big document, while the loop answers other requests."""
    if len(document.text.lines) <= OFF_LOOP_LINES:
        return _guarded(what, compute, fallback)
    return await asyncio.to_thread(_guarded, what, compute, fallback)


def _guarded(what: str, compute: Callable[[], T], fallback: T) -> T:
    """Run one feature; if it raises, log it and answer ``fallback`` rather than an error."""
    try:
        return compute()
    except Exception:
        logger.exception("%s failed", what)
        return fallback


# --- issue trackers ---------------------------------------------------------------------------

CREATE_ISSUE_COMMAND = "backlog-ls.createIssue"
SET_ISSUE_STATE_COMMAND = "backlog-ls.setIssueState"
CREATE_SUB_ISSUES_COMMAND = "backlog-ls.createSubIssues"
REFRESH_ISSUES_COMMAND = "backlog-ls.refreshIssues"
TOGGLE_TASK_COMMAND = "backlog-ls.toggleTask"
MOVE_TASK_COMMAND = "backlog-ls.moveTask"
ISSUE_FINDING_CODES = ("BL101", "BL102")  # missing-issue, placeholder-issue: filing the issue fixes them


def _issue_source_for(
    settings: Settings,
    root: str | None,
    on_change: Callable[[], None],
    on_status: Callable[[], None],
    *,
    workspace_trusted: bool = True,
) -> Any:
    """The ``IssueSource`` for one configuration's ``[issues]`` table (provider "auto" when absent).

    The service is built in a worker thread and refreshes in the background
    (``providers/trackers/background.py``): it answers ``get``/``all``/``knows`` from memory at
    once, and calls ``on_change`` (re-check open documents, ask pull clients to refresh)
    whenever its data changed. Problems in ``[issues]`` are logged; the defaults apply.
    In a workspace the client does not trust, the service uses no network and no credentials.
    """
    from .providers.trackers.background import BackgroundIssues
    from .tracker.settings import from_settings

    issues, errors = from_settings(settings, source="[issues]")
    for error in errors:
        logger.warning("%s", error)
    if issues.provider == "none":
        return None
    loop = asyncio.get_running_loop()
    from .providers.trackers.sources import TrackerSources, is_composite, source_plan

    if is_composite(issues):  # Jira, Linear (a source per project), or several [[issues.sources]]: behind one
        numbered, keyed, problems = source_plan(issues)
        for problem in problems:
            logger.warning("%s", problem)

        def background(one: Any, **options: Any) -> BackgroundIssues:
            return BackgroundIssues(one, root, on_change, loop, on_status=on_status, workspace_trusted=workspace_trusted, **options)

        return TrackerSources(
            background(numbered) if numbered is not None else None,
            {repository.name: background(one, repository=repository) for one, repository in keyed},
        )
    return BackgroundIssues(issues, root, on_change, loop, on_status=on_status, workspace_trusted=workspace_trusted)


def _show(ls: BacklogServer, kind: types.MessageType, message: str) -> None:
    ls.window_show_message(types.ShowMessageParams(type=kind, message=f"backlog-ls: {message}"))


def _create_issue_actions(ls: BacklogServer, document: Document, params: types.CodeActionParams) -> list[types.CodeAction]:
    """"Create issue from task" on a task (under the cursor) that has a placeholder or no issue."""
    line = params.range.start.line
    if not 0 <= line < len(document.lines):
        return []
    settings, _ = ls.settings.for_document(document)
    new = issue_features.new_issue_for(document.backlog, line, settings.issues)
    if new is None:
        return []
    title = issue_features.CREATE_ISSUE_TITLE
    # On a missing-issue or placeholder finding it is that finding's fix: a quick fix listing it,
    # so editors offer it from the diagnostic (VS Code's hover, Problems panel).
    fixes = [d for d in params.context.diagnostics if d.code in ISSUE_FINDING_CODES and d.range.start.line <= line <= d.range.end.line]
    return [
        types.CodeAction(
            title=title,
            kind=types.CodeActionKind.QuickFix if fixes else types.CodeActionKind.RefactorRewrite,
            diagnostics=fixes or None,
            command=types.Command(title=title, command=CREATE_ISSUE_COMMAND, arguments=[document.uri, line, document.version]),
        )
    ]


async def _create_issue_command(ls: BacklogServer, *arguments: Any) -> Any:
    """``[uri, line]``: file an issue from the task on ``line`` and write its number into the task."""
    try:
        uri, line = str(arguments[0]), int(arguments[1])
    except (IndexError, TypeError, ValueError):
        _show(ls, types.MessageType.Error, "createIssue expects [uri, line].")
        return None
    document = await ls.parsed_document(uri)
    if document is None:
        _show(ls, types.MessageType.Warning, "cannot create an issue: the document is not open.")
        return None
    source = ls.issues_for(document)
    create = getattr(source, "create_issue", None)
    if create is None:
        reason = (
            "no issue tracker is configured ([issues] in .backlog-ls.toml)"
            if source is None
            else "the configured issue source cannot file issues (an exported JSON file is read-only)"
        )
        _show(ls, types.MessageType.Warning, f"cannot create an issue: {reason}.")
        return None
    settings, _ = ls.settings.for_document(document)
    new = issue_features.new_issue_for(document.backlog, line, settings.issues)
    if new is None:
        _show(ls, types.MessageType.Warning, f"line {line + 1} is not a task without an issue.")
        return None
    try:
        created = await create(new.title, new.body)
    except Exception as error:
        logger.warning("Creating an issue failed", exc_info=True)
        _show(ls, types.MessageType.Error, f"the tracker did not create the issue: {error}")
        return None
    issue = created if hasattr(created, "number") else issue_features.TrackerIssue(int(created), new.title, "open")
    ls.notify_issues_changed()
    document = await ls.parsed_document(uri)
    again = issue_features.new_issue_for(document.backlog, line, settings.issues) if document is not None else None
    if document is None or again is None or again.title != new.title:
        _show(ls, types.MessageType.Info, f"created issue {issue.name}, but the task moved: add the reference by hand.")
        return {"number": issue.number, "url": issue.url}
    text = issue_features.new_reference_text(again, issue, source, document.backlog)
    edit = convert.single_edit(uri, document.version, again.span, text, document.lines, ls.encoding)
    result = await ls.workspace_apply_edit_async(
        types.ApplyWorkspaceEditParams(edit=edit, label=f"Issue {issue.name}")
    )
    if not getattr(result, "applied", False):
        _show(ls, types.MessageType.Warning, f"created issue {issue.name}, but the editor did not insert it.")
    return {"number": issue.number, "url": issue.url}


def _issue_state_actions(ls: BacklogServer, document: Document, params: types.CodeActionParams) -> list[types.CodeAction]:
    """"Close issue #12", "Reopen issue #12", "Tick task and close its issue": offered, run only when picked."""
    line = params.range.start.line
    if not 0 <= line < len(document.lines):
        return []
    settings, _ = ls.settings.for_document(document)
    actions = []
    source = ls.issues_for(document)
    plan = write_back.sub_issue_plan(document.backlog, line, source, settings)
    if plan is not None:
        title = f"{write_back.SUB_ISSUES_TITLE} ({len(plan.subtasks)})"
        arguments = [document.uri, line, document.version]
        actions.append(
            types.CodeAction(
                title=title,
                kind=types.CodeActionKind.RefactorRewrite,
                command=types.Command(title=title, command=CREATE_SUB_ISSUES_COMMAND, arguments=arguments),
            )
        )
    for change in write_back.state_changes(document.backlog, line, source, settings):
        fixes = [d for d in params.context.diagnostics if d.code == change.answers and d.range.start.line <= line <= d.range.end.line]
        arguments = [document.uri, line, document.version, change.name, change.action, change.reason]
        actions.append(
            types.CodeAction(
                title=change.title,
                kind=types.CodeActionKind.QuickFix if fixes else types.CodeActionKind.RefactorRewrite,
                diagnostics=fixes or None,
                command=types.Command(title=change.title, command=SET_ISSUE_STATE_COMMAND, arguments=arguments),
            )
        )
    return actions


def _unchanged(ls: BacklogServer, uri: str, version: Any) -> Document | None:
    """The open document still at ``version`` (what a code action's command was computed on); else None, said."""
    document = ls.documents.get(uri)
    if document is None or document.version != version:
        _show(ls, types.MessageType.Warning, "the document changed: pick the action again.")
        return None
    return document


async def _set_issue_state_command(ls: BacklogServer, *arguments: Any) -> Any:
    """``[uri, line, version, name, action, reason]``: close or reopen the task's issue (asking first when
    the tracker may not undo it), then re-check at once; "tick-close" also ticks the task."""
    from .providers.trackers.sources import change_issue_state

    try:
        uri, line, version, name, action = str(arguments[0]), int(arguments[1]), arguments[2], str(arguments[3]), str(arguments[4])
        reason = arguments[5] if len(arguments) > 5 and isinstance(arguments[5], str) else None
    except (IndexError, TypeError, ValueError):
        _show(ls, types.MessageType.Error, "setIssueState expects [uri, line, version, issue, action, reason].")
        return {"applied": False}
    document = _unchanged(ls, uri, version)
    if document is None:
        return {"applied": False}
    settings, _ = ls.settings.for_document(document)
    source = ls.issues_for(document)
    change = write_back.find_change(document.backlog, line, source, settings, name, action, reason)
    if change is None:
        _show(ls, types.MessageType.Warning, f"{name}: this change no longer applies to the task on line {line + 1}.")
        return {"applied": False}
    if not write_back.reversible(source, change.project):
        answer = await ls.window_show_message_request_async(
            types.ShowMessageRequestParams(
                type=types.MessageType.Warning,
                message=write_back.confirmation(change),
                actions=[types.MessageActionItem(title=change.verb), types.MessageActionItem(title="Cancel")],
            )
        )
        if getattr(answer, "title", None) != change.verb:
            return {"applied": False}
    try:
        issue = await change_issue_state(source, change.project, change.number, change.closes, change.reason)
    except Exception as error:  # the tracker's refusal (no token, 403, read-only export) is the user's answer
        logger.info("Changing %s failed: %s", name, error)
        _show(ls, types.MessageType.Error, f"cannot {change.verb.lower()}: {error}")
        return {"applied": False, "reason": str(error)}
    ls.notify_issues_changed()
    if change.tick is not None:
        document = ls.documents.get(uri)
        tick_edit = write_back.tick_edit(document.backlog, line) if document is not None and document.version == version else None
        if document is None or tick_edit is None:
            _show(ls, types.MessageType.Info, f"closed {name}, but the task changed meanwhile: tick it by hand.")
            return {"applied": True, "state": issue.state, "ticked": False}
        workspace_edit = convert.single_edit(uri, document.version, tick_edit.span, tick_edit.new_text, document.lines, ls.encoding)
        result = await ls.workspace_apply_edit_async(types.ApplyWorkspaceEditParams(edit=workspace_edit, label="Tick task"))
        return {"applied": True, "state": issue.state, "ticked": bool(getattr(result, "applied", False))}
    return {"applied": True, "state": issue.state}


async def _create_sub_issues_command(ls: BacklogServer, *arguments: Any) -> Any:
    """``[uri, line, version]``: file a GitHub sub-issue per open subtask without one; write their numbers in."""
    try:
        uri, line, version = str(arguments[0]), int(arguments[1]), arguments[2]
    except (IndexError, TypeError, ValueError):
        _show(ls, types.MessageType.Error, "createSubIssues expects [uri, line, version].")
        return {"applied": False}
    document = _unchanged(ls, uri, version)
    if document is None:
        return {"applied": False}
    settings, _ = ls.settings.for_document(document)
    source = ls.issues_for(document)
    plan = write_back.sub_issue_plan(document.backlog, line, source, settings)
    if plan is None:
        _show(ls, types.MessageType.Warning, f"line {line + 1} has no open subtasks to file as sub-issues.")
        return {"applied": False}
    failure = None
    try:
        created = await source.create_sub_issues(plan.parent, [(new.title, new.body) for new in plan.subtasks])
    except Exception as error:  # what was filed before the failure is still written in
        created, failure = list(getattr(error, "created", [])), error
        _show(ls, types.MessageType.Error, f"cannot create all sub-issues of #{plan.parent}: {error}")
    ls.notify_issues_changed()
    numbers = [issue.number for issue in created]
    document = ls.documents.get(uri)
    if not created or document is None or document.version != version:
        if created:
            _show(ls, types.MessageType.Info, f"created {', '.join(f'#{n}' for n in numbers)}, but the document changed: add them by hand.")
        return {"applied": False, "numbers": numbers}
    edits = write_back.sub_issue_edits(plan, created, source, document.backlog)
    workspace_edit = convert.versioned_edits(uri, version, edits, document.lines, ls.encoding)
    result = await ls.workspace_apply_edit_async(types.ApplyWorkspaceEditParams(edit=workspace_edit, label=write_back.SUB_ISSUES_TITLE))
    return {"applied": bool(getattr(result, "applied", False)) and failure is None, "numbers": numbers}


async def _refresh_issues_command(ls: BacklogServer, *arguments: Any) -> Any:
    """Refresh every configured issue source that can (in the background of the user's work)."""
    for document in ls.documents:
        ls.issues_for(document)
    candidates = [ls.issues] if ls.issues is not None else list(ls._issue_sources.values())
    sources = [source for source in candidates if source is not None and hasattr(source, "refresh")]
    if not sources:
        reason = "no issue tracker is configured" if not any(candidates) else "the issue source cannot be refreshed"
        _show(ls, types.MessageType.Warning, f"cannot refresh issues: {reason}.")
        return None
    window = ls.client_capabilities.window
    token = None
    if window is not None and window.work_done_progress:
        token = f"backlog-ls/refresh-issues/{uuid.uuid4()}"  # id() of a list is reused: pygls refuses a token twice
        try:
            await ls.work_done_progress.create_async(token)
            ls.work_done_progress.begin(token, types.WorkDoneProgressBegin(title="Refreshing issues", cancellable=False))
        except Exception:
            logger.warning("The client refused a progress token", exc_info=True)
            token = None
    from .providers.trackers.background import refresh_sources

    outcome = await refresh_sources(sources)  # bounded: a stalled tracker gets a reason, not a hang
    if token is not None:
        ls.work_done_progress.end(token, types.WorkDoneProgressEnd(message="Done" if outcome["refreshed"] else "Failed"))
    if not outcome["refreshed"]:
        _show(ls, types.MessageType.Error, "refreshing issues failed: " + outcome["reason"])
    ls.notify_issues_changed()
    return outcome


# --- handlers ---------------------------------------------------------------------------------


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
    if ls.pull_diagnostics and not diagnostic.dynamic_registration:
        # The client pulls but cannot take a registration later: announce pull now,
        # in the capabilities pygls builds after this handler returns.
        ls.feature(types.TEXT_DOCUMENT_DIAGNOSTIC, _diagnostic_options())(_on_pull_diagnostics)


def _import_the_parser_and_rules() -> None:
    """Load what the first document needs (mistletoe alone takes ~170 ms to import) while the
    client is still getting ready, instead of before ``initialize`` or during the first didOpen."""
    try:
        import backlog_ls.parse.blocks  # noqa: F401
        import backlog_ls.rules.registry  # noqa: F401
    except Exception:
        logger.exception("Loading the parser failed; it will be tried again with the first document")


async def _on_initialized(ls: BacklogServer, params: types.InitializedParams) -> None:
    threading.Thread(target=_import_the_parser_and_rules, name="backlog-ls warm-up", daemon=True).start()
    rfc_ietf.warm_in_background()
    ls._rfc_loop = asyncio.get_running_loop()
    for folder in [to_fs_path(uri) for uri in ls.workspace.folders] or [ls.workspace.root_path]:
        if folder:
            ls.project_rfcs.get(folder)  # start reading the RFC folders before the first document opens
    await _watch_config_files(ls)
    await _fetch_editor_settings(ls)
    if not ls.pull_diagnostics or types.TEXT_DOCUMENT_DIAGNOSTIC in ls.protocol.fm.features:
        return
    # Registered only now, so that push-only clients never see a diagnostic provider.
    ls.feature(types.TEXT_DOCUMENT_DIAGNOSTIC)(_on_pull_diagnostics)
    options = _diagnostic_options()
    registration = types.Registration(
        id=_PULL_REGISTRATION_ID,
        method=types.TEXT_DOCUMENT_DIAGNOSTIC,
        register_options=types.DiagnosticRegistrationOptions(
            document_selector=None,  # the client's own selector for this server
            identifier=options.identifier,
            inter_file_dependencies=options.inter_file_dependencies,
            workspace_diagnostics=options.workspace_diagnostics,
        ),
    )
    try:
        await ls.client_register_capability_async(types.RegistrationParams(registrations=[registration]))
    except Exception:
        logger.warning("The client refused pull diagnostics; pushing them instead", exc_info=True)
        ls.pull_diagnostics = False
        for document in ls.documents:
            ls.schedule_publish(document.uri)


async def _watch_config_files(ls: BacklogServer) -> None:
    workspace = ls.client_capabilities.workspace
    watched = workspace and workspace.did_change_watched_files
    if not (watched and watched.dynamic_registration):
        return  # such a client tells us nothing; didChangeConfiguration still re-reads the files
    registration = types.Registration(
        id="backlog-ls/config-files",
        method=types.WORKSPACE_DID_CHANGE_WATCHED_FILES,
        register_options=types.DidChangeWatchedFilesRegistrationOptions(
            watchers=[types.FileSystemWatcher(glob_pattern=glob) for glob in CONFIG_GLOBS + RFC_GLOBS]
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
    _guarded("RFC rescan", lambda: ls.project_rfcs.files_changed(p for p in paths if p), False)


def _on_code_action(ls: BacklogServer, params: types.CodeActionParams) -> list[types.CodeAction] | None:
    document = ls.documents.get(params.text_document.uri)
    if document is None:
        return None
    wanted = params.context.only
    actions: list[types.CodeAction] = []
    # Also for a narrower "quickfix.*" request: every quick fix here is plain "quickfix".
    if _kind_wanted(types.CodeActionKind.QuickFix, wanted) or any(kind.startswith("quickfix") for kind in wanted or ()):
        for diagnostic in params.context.diagnostics:
            actions.extend(_guarded("Quick fixes", lambda d=diagnostic: convert.quick_fixes(d, document.uri, document.version), []))
    if wanted and _kind_wanted(convert.FIX_ALL_KIND, wanted):
        action = _guarded("Fix all", lambda: _fix_all(ls, document), None)
        if action is not None:
            actions.append(action)
    refactor_wanted = _kind_wanted(types.CodeActionKind.RefactorRewrite, wanted)
    if refactor_wanted or _kind_wanted(types.CodeActionKind.QuickFix, wanted):  # it is one or the other
        create_issue = _guarded("Create issue", lambda: _create_issue_actions(ls, document, params), [])
        actions.extend(action for action in create_issue if _kind_wanted(action.kind, wanted))
        write_back = _guarded("Issue state", lambda: _issue_state_actions(ls, document, params), [])
        actions.extend(action for action in write_back if _kind_wanted(action.kind, wanted))
    if refactor_wanted:
        actions.extend(_guarded("Task edits", lambda: _task_edit_actions(ls, document, params), []))
    if (wanted and _kind_wanted(convert.SELECTION_KIND, wanted)) or (
        not wanted and params.range.start.line != params.range.end.line
    ):
        actions.extend(_guarded("Selection edits", lambda: _selection_actions(ls, document, params), []))
    return convert.offered_once(actions, document.uri, document.lines, ls.encoding)


def _kind_wanted(kind: str | None, wanted: Sequence[str] | None) -> bool:
    """Whether an action of ``kind`` answers a request for ``only`` = ``wanted``: a requested kind
    is a prefix of it ("refactor" asks for "refactor.rewrite"); no ``only`` asks for every kind."""
    if not wanted:
        return True
    kind = str(getattr(kind, "value", kind) or "")
    return any(kind.startswith(only) for only in wanted)


def _task_edit_actions(ls: BacklogServer, document: Document, params: types.CodeActionParams) -> list[types.CodeAction]:
    """Tick / untick the task under the cursor."""
    line = params.range.start.line
    if not 0 <= line < len(document.lines):
        return []
    settings, _ = ls.settings.for_document(document)
    found = tick.tick_actions(document.backlog, line, settings)
    newline = next((end for end in document.text.ends if end), "\n")
    found += split.split_actions(document.backlog, line, newline)
    _, column = convert.from_position(params.range.start, document.lines, ls.encoding)
    at_cursor = split.split_at_cursor_action(document.backlog, line, column, newline)
    if at_cursor is not None:
        found.append(at_cursor)
    if not any(d.code == "BL101" and d.range.start.line == line for d in params.context.diagnostics):
        found += issue_ref.add_issue_actions(document.backlog, line)  # else missing-issue's quick fix offers it
    found += renumber.renumber_actions(document.backlog, line)
    found += archive.archive_actions(document.backlog, line, newline)
    found += renumber.renumber_phases_actions(document.backlog, line)
    found += move_features.move_actions(document.backlog, line, newline)
    actions = convert.edit_actions(found, document.uri, document.version, document.lines, ls.encoding)
    if move_features.offers_command(document.backlog, line):
        title = move_features.COMMAND_TITLE
        arguments = [document.uri, line, document.version]
        command = types.Command(title=title, command=MOVE_TASK_COMMAND, arguments=arguments)
        actions.append(types.CodeAction(title=title, kind=types.CodeActionKind.RefactorRewrite, command=command))
    return actions


def _selection_actions(ls: BacklogServer, document: Document, params: types.CodeActionParams) -> list[types.CodeAction]:
    """Tick (or untick) every task in the selected lines."""
    first, last = params.range.start.line, params.range.end.line
    if last > first and params.range.end.character == 0:
        last -= 1  # a selection of whole lines ends at the start of the next one
    settings, _ = ls.settings.for_document(document)
    found = tick.selection_actions(document.backlog, first, last, settings)
    return convert.edit_actions(found, document.uri, document.version, document.lines, ls.encoding)


def _command_position(arguments: tuple[Any, ...]) -> tuple[str, int, int] | None:
    """``[uri, line, character]`` or ``[uri, {"line": .., "character": ..}]``."""
    try:
        uri = str(arguments[0])
        if len(arguments) >= 3:
            return uri, int(arguments[1]), int(arguments[2])
        position = arguments[1]
        if isinstance(position, dict):
            return uri, int(position["line"]), int(position.get("character", 0))
        return uri, int(position.line), int(position.character)
    except (IndexError, KeyError, TypeError, ValueError, AttributeError):
        return None


async def _toggle_task_command(ls: BacklogServer, *arguments: Any) -> Any:
    """``[uri, position]``: move the task at the position to its next state (via workspace/applyEdit)."""
    found = _command_position(arguments)
    if found is None:
        _show(ls, types.MessageType.Error, "toggleTask expects [uri, line, character] or [uri, position].")
        return None
    uri, line, _character = found  # the whole line is the task's: the column does not matter
    document = await ls.parsed_document(uri)
    if document is None:
        _show(ls, types.MessageType.Warning, "cannot toggle a task: the document is not open.")
        return None
    if not 0 <= line < len(document.lines):
        return {"applied": False}
    settings, _ = ls.settings.for_document(document)
    edit = tick.toggle_edit(document.backlog, line, settings)
    if edit is None:
        _show(ls, types.MessageType.Info, f"line {line + 1} is not a task.")
        return {"applied": False}
    workspace_edit = convert.single_edit(uri, document.version, edit.span, edit.new_text, document.lines, ls.encoding)
    result = await ls.workspace_apply_edit_async(types.ApplyWorkspaceEditParams(edit=workspace_edit, label="Toggle task"))
    return {"applied": bool(getattr(result, "applied", False))}


async def _move_task_command(ls: BacklogServer, *arguments: Any) -> Any:
    """``[uri, line, version]``: ask which section (window/showMessageRequest), then move the task there.

    Nothing is edited when the client declines or the document is no longer at ``version``.
    """
    try:
        uri, line, version = str(arguments[0]), int(arguments[1]), arguments[2]
    except (IndexError, TypeError, ValueError):
        _show(ls, types.MessageType.Error, "moveTask expects [uri, line, version].")
        return None
    document = await ls.parsed_document(uri)
    if document is None or document.version != version or not 0 <= line < len(document.lines):
        return {"applied": False}
    task = move_features.task_to_move(document.backlog, line)
    if task is None:
        return {"applied": False}
    choices: dict[str, Any] = {}
    for section in move_features.nearest_targets(document.backlog, task):
        choices.setdefault(section.title.strip(), section)
    if not choices:
        return {"applied": False}
    answer = await ls.window_show_message_request_async(
        types.ShowMessageRequestParams(
            type=types.MessageType.Info,
            message="Move task to section:",
            actions=[types.MessageActionItem(title=title) for title in choices],
        )
    )
    target_title = getattr(answer, "title", None)
    document = await ls.parsed_document(uri)
    if target_title not in choices or document is None or document.version != version:
        return {"applied": False}
    # Same version, same text: the parsed backlog (and the chosen section) still hold.
    newline = next((end for end in document.text.ends if end), "\n")
    task = move_features.task_to_move(document.backlog, line)
    target = next((s for s in move_features.targets(document.backlog, task) if s.title.strip() == target_title), None)
    if task is None or target is None:
        return {"applied": False}
    edits = move_features.move_edits(document.backlog, task, target, newline)
    workspace_edit = convert.versioned_edits(uri, version, edits, document.lines, ls.encoding)
    result = await ls.workspace_apply_edit_async(
        types.ApplyWorkspaceEditParams(edit=workspace_edit, label=move_features.title_for(target))
    )
    return {"applied": bool(getattr(result, "applied", False))}


def _on_formatting(ls: BacklogServer, params: types.DocumentFormattingParams) -> list[types.TextEdit] | None:
    document = ls.documents.get(params.text_document.uri)
    if document is None:
        return None
    edits = _guarded("Formatting", lambda: formatting.format_lines(document.lines), [])
    return convert.text_edits(edits, document.lines, ls.encoding)


def _on_range_formatting(ls: BacklogServer, params: types.DocumentRangeFormattingParams) -> list[types.TextEdit] | None:
    document = ls.documents.get(params.text_document.uri)
    if document is None:
        return None
    first, last = params.range.start.line, params.range.end.line
    if last > first and params.range.end.character == 0:
        last -= 1  # whole lines selected: the range ends at the start of the next one
    edits = _guarded("Range formatting", lambda: formatting.format_lines(document.lines, first, last), [])
    return convert.text_edits(edits, document.lines, ls.encoding)


def _fix_all(ls: BacklogServer, document: Document) -> types.CodeAction | None:
    chosen = [fix for finding in ls.findings(document) if (fix := fixes.safe_fix(finding)) is not None]
    compatible = [chosen[index] for index in fixes.compatible(chosen)]
    return convert.fix_all_action(compatible, document.uri, document.version, document.lines, ls.encoding)


def _on_hover(ls: BacklogServer, params: types.HoverParams) -> types.Hover | None:
    document = ls.documents.get(params.text_document.uri)
    if document is None:
        return None
    line, column = convert.from_position(params.position, document.lines, ls.encoding)
    rfcs = _guarded("RFCs", lambda: ls.rfcs_for(document), None)
    tracker = _guarded("Issues", lambda: ls.issues_for(document), None)
    found = _guarded(
        "Hover", lambda: hover.hover(document.backlog, line, column, rfcs=rfcs, path=document.path, issues=tracker), None
    )
    if found is None:
        return None
    return convert.hover(found.markdown, found.span, document.lines, ls.encoding)


def _on_completion(ls: BacklogServer, params: types.CompletionParams) -> types.CompletionList | None:
    document = ls.documents.get(params.text_document.uri)
    if document is None:
        return None
    line, column = convert.from_position(params.position, document.lines, ls.encoding)
    if not 0 <= line < len(document.lines):
        return None
    trigger = params.context.trigger_character if params.context is not None else None
    rfcs = _guarded("RFCs", lambda: ls.rfcs_for(document), None)
    before = document.lines[line][:column]
    issue_context = _guarded("Issues", lambda: ls.issue_context(document, before), None)
    request = completion.CompletionRequest(document.backlog, line, column, document.path, trigger, rfcs, issue_context)
    found = _guarded("Completion", lambda: completion.complete(request), None)
    if found is None:
        return None
    return convert.completion_list(found, document.lines, ls.encoding)


async def _on_document_link(ls: BacklogServer, params: types.DocumentLinkParams) -> list[types.DocumentLink] | EncodedJson | None:
    document = ls.documents.get(params.text_document.uri)
    if document is None:
        return None
    rfcs = _guarded("RFCs", lambda: ls.rfcs_for(document), None)
    tracker = _guarded("Issues", lambda: ls.issues_for(document), None)
    backlog, path, encoding = document.backlog, document.path, ls.encoding

    def links() -> EncodedJson:
        found = _guarded("Document links", lambda: rfc_features.rfc_document_links(backlog, rfcs, path), [])
        found = found + _guarded("Issue links", lambda: issue_features.issue_document_links(backlog, tracker), [])
        return EncodedJson(convert.document_links_json(found, backlog.lines, encoding))

    return await off_loop(document, links, "Document links", EncodedJson([]))


def _on_definition(ls: BacklogServer, params: types.DefinitionParams) -> list[types.Location] | None:
    document = ls.documents.get(params.text_document.uri)
    if document is None:
        return None
    line, column = convert.from_position(params.position, document.lines, ls.encoding)
    rfcs = _guarded("RFCs", lambda: ls.rfcs_for(document), None)
    paths = _guarded("Definition", lambda: rfc_features.rfc_definition(document.backlog, line, column, rfcs, document.path), [])
    uris = [uri for uri in (from_fs_path(path) for path in paths) if uri]
    return convert.file_locations(uris) if uris else None


def _diagnostic_options() -> types.DiagnosticOptions:
    return types.DiagnosticOptions(identifier=NAME, inter_file_dependencies=False, workspace_diagnostics=False)


def _on_shutdown(ls: BacklogServer, params: None) -> None:
    ls.cancel_all_publishes()
    ls.close_issue_sources()
    ls.cancel_pending_requests()


def _on_did_open(ls: BacklogServer, params: types.DidOpenTextDocumentParams) -> None:
    item = params.text_document
    ls.forget(item.uri)  # a re-open without a close starts afresh
    ls.documents.open(item.uri, item.text, item.version, path=to_fs_path(item.uri))
    ls.schedule_publish(item.uri)


def _on_did_change(ls: BacklogServer, params: types.DidChangeTextDocumentParams) -> None:
    uri = params.text_document.uri
    document = ls.documents.get(uri)
    if document is None:
        logger.warning("Ignoring a change to %s, which is not open", uri)
        return
    encoding = ls.encoding
    for change in params.content_changes:
        # Each change's range refers to the text left by the change before it.
        if isinstance(change, types.TextDocumentContentChangePartial):
            start = convert.from_position(change.range.start, document.text.lines, encoding)
            end = convert.from_position(change.range.end, document.text.lines, encoding)
            document.apply_change(start, end, change.text)
        else:
            document.replace_all(change.text)
    document.version = params.text_document.version
    ls.schedule_publish(uri)


# Test-only (BACKLOG_LS_DEBUG=1): the server's copy of an open document, so a sync fuzz can
# compare it with the client's after thousands of incremental changes.
DEBUG_TEXT_REQUEST = "backlog-ls/debugText"


def _debug_text(ls: BacklogServer, params: Any) -> dict[str, Any] | None:
    uri = getattr(params, "uri", None)
    document = ls.documents.get(uri) if isinstance(uri, str) else None
    if document is None:
        return None
    return {"text": document.source, "version": document.version, "lineCount": len(document.text.lines)}


def _on_did_close(ls: BacklogServer, params: types.DidCloseTextDocumentParams) -> None:
    uri = params.text_document.uri
    ls.forget(uri)
    if not ls.pull_diagnostics:
        ls.text_document_publish_diagnostics(types.PublishDiagnosticsParams(uri=uri, diagnostics=[]))


async def _on_pull_diagnostics(
    ls: BacklogServer, params: types.DocumentDiagnosticParams
) -> types.FullDocumentDiagnosticReport | types.UnchangedDocumentDiagnosticReport | EncodedJson:
    document = ls.documents.get(params.text_document.uri)
    if document is None:
        return types.FullDocumentDiagnosticReport(items=[])
    result = await ls.analysis.current_result(document)
    if result is None:  # closed meanwhile, or edited faster than it could be checked
        return types.FullDocumentDiagnosticReport(items=[])
    # The settings too: after a configuration change the same text has other diagnostics.
    result_id = f"{result.revision}.{result.generation}"
    if params.previous_result_id == result_id:
        return types.UnchangedDocumentDiagnosticReport(result_id=result_id)
    _, items = result.value
    return EncodedJson.of_text(f'{{"kind":"full","resultId":{json.dumps(result_id)},"items":{items}}}')


async def _on_document_symbol(
    ls: BacklogServer, params: types.DocumentSymbolParams
) -> list[types.DocumentSymbol] | list[types.SymbolInformation] | EncodedJson | None:
    document = ls.documents.get(params.text_document.uri)
    if document is None:
        return None
    backlog, encoding, hierarchical = document.backlog, ls.encoding, ls.hierarchical_symbols
    lines = backlog.lines
    settings = ls.settings.for_document(document)[0]  # read on the loop: the outline may be built on a thread

    def outline() -> list[dict[str, Any]]:
        found = symbols.document_symbols(backlog, settings)
        if hierarchical:
            return convert.document_symbols_json(found, lines, encoding)
        return convert.symbol_information_json(found, document.uri, lines, encoding)

    return await ls.answer_for(document, types.TEXT_DOCUMENT_DOCUMENT_SYMBOL, outline, "The outline")


async def _on_folding_range(
    ls: BacklogServer, params: types.FoldingRangeParams
) -> list[types.FoldingRange] | EncodedJson | None:
    document = ls.documents.get(params.text_document.uri)
    if document is None:
        return None
    limit, backlog = ls.folding_range_limit, document.backlog

    def folds() -> list[dict[str, Any]]:
        return convert.folding_ranges_json(folding.folding_ranges(backlog), limit)

    return await ls.answer_for(document, types.TEXT_DOCUMENT_FOLDING_RANGE, folds, "Folding ranges")


def _when_parsed(handler: Callable[[BacklogServer, Any], Any]) -> Callable[[BacklogServer, Any], Any]:
    """``handler`` (a request on one document) run once that document's newest text is parsed.

    A parsed document, or one short enough to parse on the spot, is answered in the
    task's first step; a big one waits for the worker's parse without holding up the
    loop, so that requests on other documents are answered meanwhile.
    """

    async def when_parsed(ls: BacklogServer, params: Any) -> Any:
        document = ls.documents.get(params.text_document.uri)
        if document is not None and not ls.analysis.parse_now_if_small(document):
            await ls.analysis.parsed(document)
        answer = handler(ls, params)
        if inspect.isawaitable(answer):  # a handler that computes off the loop itself (``off_loop``)
            answer = await answer
        return answer

    when_parsed.__name__ = when_parsed.__qualname__ = handler.__name__
    return when_parsed


def create_server(publish_delay: float = PUBLISH_DELAY_SECONDS) -> BacklogServer:
    server = BacklogServer(publish_delay)
    server.feature(types.INITIALIZE)(_on_initialize)
    server.feature(types.INITIALIZED)(_on_initialized)
    server.feature(types.SHUTDOWN)(_on_shutdown)
    server.feature(types.TEXT_DOCUMENT_DID_OPEN)(_on_did_open)
    server.feature(types.TEXT_DOCUMENT_DID_CHANGE)(_on_did_change)
    server.feature(types.TEXT_DOCUMENT_DID_CLOSE)(_on_did_close)
    server.feature(types.TEXT_DOCUMENT_DOCUMENT_SYMBOL)(_when_parsed(_on_document_symbol))
    server.feature(types.TEXT_DOCUMENT_FOLDING_RANGE)(_when_parsed(_on_folding_range))
    server.feature(types.WORKSPACE_DID_CHANGE_CONFIGURATION)(_on_did_change_configuration)
    server.feature(types.WORKSPACE_DID_CHANGE_WATCHED_FILES)(_on_did_change_watched_files)
    server.feature(
        types.TEXT_DOCUMENT_CODE_ACTION,
        types.CodeActionOptions(
            code_action_kinds=[
                types.CodeActionKind.QuickFix,
                convert.FIX_ALL_KIND,
                types.CodeActionKind.RefactorRewrite,
                convert.SELECTION_KIND,
            ]
        ),
    )(_when_parsed(_on_code_action))
    server.command(CREATE_ISSUE_COMMAND)(_create_issue_command)
    server.command(REFRESH_ISSUES_COMMAND)(_refresh_issues_command)
    server.command(TOGGLE_TASK_COMMAND)(_toggle_task_command)
    server.command(SET_ISSUE_STATE_COMMAND)(_set_issue_state_command)
    server.command(CREATE_SUB_ISSUES_COMMAND)(_create_sub_issues_command)
    server.command(MOVE_TASK_COMMAND)(_move_task_command)
    server.feature(types.TEXT_DOCUMENT_HOVER)(_when_parsed(_on_hover))
    server.feature(types.TEXT_DOCUMENT_FORMATTING)(_when_parsed(_on_formatting))
    server.feature(types.TEXT_DOCUMENT_RANGE_FORMATTING)(_when_parsed(_on_range_formatting))
    server.feature(
        types.TEXT_DOCUMENT_COMPLETION, types.CompletionOptions(trigger_characters=completion.TRIGGER_CHARACTERS)
    )(_when_parsed(_on_completion))
    server.feature(types.TEXT_DOCUMENT_DOCUMENT_LINK, types.DocumentLinkOptions(resolve_provider=False))(_when_parsed(_on_document_link))
    server.feature(types.TEXT_DOCUMENT_DEFINITION)(_when_parsed(_on_definition))
    if os.environ.get("BACKLOG_LS_DEBUG") == "1":
        server.feature(DEBUG_TEXT_REQUEST)(_debug_text)
    return server


# --- logging and start-up -----------------------------------------------------------------------


class ClientLogHandler(logging.Handler):
    """Sends this package's warnings and errors to the client as ``window/logMessage``.

    One line each (the traceback stays on stderr), and each distinct line once, so
    a rule that fails on every keystroke does not flood the client's log.
    """

    _TYPES = {logging.ERROR: types.MessageType.Error, logging.WARNING: types.MessageType.Warning}
    _MAX_DISTINCT = 200

    def __init__(self, server: BacklogServer):
        super().__init__(level=logging.WARNING)
        self.server = server
        self._sent: set[str] = set()

    def emit(self, record: logging.LogRecord) -> None:
        if self.server.protocol.writer is None or len(self._sent) >= self._MAX_DISTINCT:
            return
        try:
            message = record.getMessage()
            if record.exc_info and record.exc_info[1] is not None:
                error = record.exc_info[1]
                message = f"{message}: {type(error).__name__}: {error}"
            if message in self._sent:
                return
            self._sent.add(message)
            kind = self._TYPES.get(record.levelno, types.MessageType.Error)
            params = types.LogMessageParams(type=kind, message=message)
            # Sent from the loop only: a rule that fails on a worker thread must not write to the
            # client's stream while the loop writes another message.
            self.server._run_on_loop(lambda: self.server.window_log_message(params))
        except Exception:  # a log handler must never raise into the code that logged
            self.handleError(record)


def configure_logging() -> None:
    """Python logging to stderr; pygls, which logs every message at INFO, only from WARNING."""
    logging.basicConfig(
        stream=sys.stderr, level=logging.WARNING, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    logging.getLogger("backlog_ls").setLevel(logging.INFO)
    logging.getLogger("pygls").setLevel(logging.WARNING)


def tune_garbage_collector() -> None:
    """Make the cyclic garbage collector's pauses rarer and shorter.

    A parsed 20,000-task backlog is some 500,000 tracked objects that live until
    the next edit, and every full collection walks them all. Measured in-process on
    a busy two-core machine, an edit plus an outline of 2,000 tasks took 118 ms
    median and 175-190 ms p95 with the default settings, 68-88 and 80-140 with
    these. The model holds no reference cycles, so its memory is still freed by
    reference counting at once; only cyclic garbage waits a little longer.
    """
    gc.freeze()  # the modules loaded so far live as long as the process: never scan them
    gc.set_threshold(50_000, 20, 100)


def _parse_address(address: str) -> tuple[str, int]:
    host, _, port = address.rpartition(":")
    host = host.strip("[]") or "127.0.0.1"  # "[::1]:2087" -> "::1"
    if not port.isdigit():
        raise ValueError(f"--tcp expects HOST:PORT, got {address!r}")
    return host, int(port)


def start(tcp: str | None = None) -> int:
    """Serve over stdio, or over TCP when ``tcp`` is "HOST:PORT"; the exit code (0 after shutdown, 1 without)."""
    configure_logging()
    server = create_server()
    tune_garbage_collector()
    logging.getLogger("backlog_ls").addHandler(ClientLogHandler(server))
    if tcp is not None:
        host, port = _parse_address(tcp)
        logger.info("backlog-ls %s listening on %s:%d", __version__, host, port)
        return server.start_tcp(host, port)
    protocol_out = sys.stdout.buffer
    # The protocol owns the real stdout; a stray print() anywhere now lands on stderr.
    sys.stdout = sys.stderr
    return server.start_io(sys.stdin.buffer, protocol_out)


if __name__ == "__main__":
    sys.exit(start())
