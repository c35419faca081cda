"""Pulled diagnostics (``textDocument/diagnostic``); pushed ones leave from ``core.BacklogServer._deliver``."""

from __future__ import annotations

import json

from lsprotocol import types

from .core import NAME, BacklogServer
from .protocol import EncodedJson

PULL_REGISTRATION_ID = "backlog-ls/pull-diagnostics"


def diagnostic_options() -> types.DiagnosticOptions:
    return types.DiagnosticOptions(identifier=NAME, inter_file_dependencies=False, workspace_diagnostics=False)


async def on_pull_diagnostics(
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
