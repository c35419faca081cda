"""The language server: the only package that imports pygls.

One module per LSP area registers its handlers (``app.AREAS``): ``lifecycle`` (initialize,
settings, watched files, shutdown), ``documents`` (sync), ``diagnostics`` (pulled ones),
``outline`` (symbols, folding), ``backlog_view`` (``backlog-ls/outline``, the Backlog view's
data), ``navigation`` (hover, completion, links, definition),
``code_actions``, ``task_commands``, ``issue_commands``, ``formatting``. ``core`` holds the
server's state, ``protocol`` how answers are sent, ``running`` how a handler runs.

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

from .app import create_server, start
from .core import NAME, BacklogServer, CheckInputs, findings_for

__all__ = ["NAME", "BacklogServer", "CheckInputs", "create_server", "findings_for", "start"]
