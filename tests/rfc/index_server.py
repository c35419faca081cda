"""A local HTTP server (127.0.0.1 only) serving an RFC index, for the refresh tests. No network."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from backlog_ls.providers.rfc_ietf import read_shipped
from backlog_ls.rfc.ietf import STATUS_NAMES

NEW_ENTRY = "9999 A Test of the Refresh. A. Tester. January 2030. (Format: TXT) (Status: INFORMATIONAL)\n"


def index_text(extra: str = NEW_ENTRY) -> str:
    """The shipped index written back in the RFC Editor's text format, plus ``extra`` entries."""
    index = read_shipped()
    lines = ["", "RFC INDEX", "", "(CREATED ON: 01/02/2030.)", "", "RFC INDEX", ""]
    for number in index.numbers():
        rfc = index.get(number)
        if not rfc.issued:
            lines.append(f"{number:04d} Not Issued.\n")
            continue
        status = STATUS_NAMES[rfc.status].upper()
        obsoleted = f" (Obsoleted by {', '.join(f'RFC{r:04d}' if isinstance(r, int) else r for r in rfc.obsoleted_by)})" if rfc.obsoleted_by else ""
        lines.append(f"{number:04d} {rfc.title}. {rfc.authors}. {rfc.date}. (Format: TXT){obsoleted} (Status: {status})\n")
    return "\n".join(lines) + "\n" + extra


class IndexServer:
    """Serves ``body`` at /rfc-index.txt (404 elsewhere) and counts requests."""

    def __init__(self, body: str, port: int = 0):
        self.body = body.encode("utf-8")
        self.requests = 0
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                outer.requests += 1
                if self.path != "/rfc-index.txt":
                    self.send_error(404)
                    return
                self.send_response(200)
                self.send_header("Content-Type", "text/plain; charset=utf-8")
                self.send_header("Content-Length", str(len(outer.body)))
                self.end_headers()
                self.wfile.write(outer.body)

            def log_message(self, format, *args):  # keep the test output clean
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/rfc-index.txt"

    def __enter__(self) -> IndexServer:
        self.thread.start()
        return self

    def __exit__(self, *exc_info) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
