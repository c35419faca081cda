"""Pulled diagnostics (``textDocument/diagnostic``); pushed ones leave from ``core.BacklogServer._deliver``."""

from __future__ import annotations

import json

from lsprotocol import types

from ..analysis import PullSuperseded
from .core import NAME, BacklogServer
from .protocol import EncodedJson, ErrorAnswer


def diagnostic_options() -> types.DiagnosticOptions:
    # Inter-file: a backlog's cross-file findings change with other files; workspace: unopened files are reported.
    return types.DiagnosticOptions(identifier=NAME, inter_file_dependencies=True, workspace_diagnostics=True)


async def on_pull_diagnostics(
    ls: BacklogServer, params: types.DocumentDiagnosticParams
) -> types.FullDocumentDiagnosticReport | types.UnchangedDocumentDiagnosticReport | EncodedJson | ErrorAnswer:
    document = ls.documents.get(params.text_document.uri)
    if document is None:
        return types.FullDocumentDiagnosticReport(items=[])
    try:
        result = await ls.analysis.current_result(document, newest_only=True)
    except PullSuperseded:
        # A newer pull of this document is waiting: it gets the newest diagnostics; this one is
        # cancelled now (LSP's ServerCancelled; no retrigger, the newer request is the retry).
        return ErrorAnswer(types.LSPErrorCodes.ServerCancelled, "a newer pull of this document supersedes this one", {"retriggerRequest": False})
    if result is None:  # closed meanwhile, or edited faster than it could be checked
        return types.FullDocumentDiagnosticReport(items=[])
    # The settings too: after a configuration change the same text has other diagnostics.
    result_id = f"{result.revision}.{result.generation}"
    if params.previous_result_id == result_id:
        return types.UnchangedDocumentDiagnosticReport(result_id=result_id)
    _, items = result.value
    return EncodedJson.of_text(f'{{"kind":"full","resultId":{json.dumps(result_id)},"items":{items}}}')
