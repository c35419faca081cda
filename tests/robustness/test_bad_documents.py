"""Bad documents through the server: binary bytes, NULs, lone surrogates, invalid UTF-8.

A document that is no sensible Markdown is still the user's text: every request on it is
answered (with a result, not an error), and the server keeps it character for character.
"""

from __future__ import annotations

import pytest

from . import text_model
from .raw_lsp import RawServer, did_open, frame, notification

DEBUG_ENV = {"BACKLOG_LS_DEBUG": "1"}

BAD_DOCUMENTS = {
    "NUL characters": "# Pl\x00an\n- [ ] T-1 \x00 task\x00\n\x00",
    "control characters": "".join(chr(c) for c in range(32) if chr(c) not in "\r\n") + "\n- [ ] T-1 \x7f\x1b[31m red\n",
    "bytes 0-255 read as Latin-1": bytes(range(256)).decode("latin-1") * 4,
    "lone surrogates": "# \ud800 head\n- [ ] T-1 \udfff task \udbff\n[\udc00](x.md)\n",
    "invalid UTF-8 as a client passes it on (surrogateescape)": b"\xff\xfe# x\n- [ ] T-1 \xc3\x28 y \xe2\x82\n".decode(
        "utf-8", "surrogateescape"
    ),
    "a byte-order mark and separators that are no line breaks": "\ufeff# A\u2028B\x0c\x85\n- [ ] T-1 \u2029 x\x0b\n",
    "only NULs": "\x00" * 10_000,
    "only line breaks, of every kind": "\r" * 300 + "\r\n" * 300 + "\n" * 300 + "\n\r" * 300,
    "a thousand combining marks on one letter": "- [ ] T-1 e" + "\u0301" * 1000 + "\n",
    "emoji sequences, flags and the last code point": "# 👩‍👩‍👧‍👦🇫🇷🏳️‍🌈\n- [ ] T-1 \U0010ffff \U0001f600\r\n",
    "an unclosed everything": "# [(`<!-- **_~~\n- [ ] T-1 [x](<y\n```\n> > > - [",
}


def _requests(uri: str, text: str, encoding: str) -> dict[str, dict]:
    """Every feature, at positions on the first lines (in the encoding's units) and past the end."""
    spans = text_model.line_spans(text)
    doc = {"textDocument": {"uri": uri}}
    asked: dict[str, dict] = {
        "textDocument/documentSymbol": doc,
        "textDocument/foldingRange": doc,
        "textDocument/documentLink": doc,
        "textDocument/formatting": {**doc, "options": {"tabSize": 2, "insertSpaces": True}},
        "textDocument/codeAction": {
            **doc,
            "range": {"start": {"line": 0, "character": 0}, "end": {"line": len(spans), "character": 0}},
            "context": {"diagnostics": []},
        },
    }
    for line in (*range(min(4, len(spans))), len(spans) + 5):
        width = text_model.position_of(text, spans[line][1], encoding, spans)[1] if line < len(spans) else 0
        for character in sorted({0, 1, width // 2, width, width + 100}):
            position = {**doc, "position": {"line": line, "character": character}}
            for method in ("textDocument/hover", "textDocument/completion", "textDocument/definition"):
                asked[f"{method} {line}:{character}"] = position
    return asked


@pytest.mark.parametrize("encoding", ["utf-16", "utf-8"])
def test_every_request_on_a_bad_document_is_answered_and_its_text_kept(encoding: str):
    with RawServer(env=DEBUG_ENV) as server:
        server.start(position_encodings=[encoding])
        msg_id = 100
        for number, (case, text) in enumerate(BAD_DOCUMENTS.items()):
            uri = f"file:///bad/doc{number}.md"
            server.send(did_open(uri, text))
            for label, params in _requests(uri, text, encoding).items():
                msg_id += 1
                answer = server.ask(msg_id, label.split()[0], params)
                assert "result" in answer, f"{case}: {label}: {answer}"
            # An edit at the start of every line, in the encoding's units.
            spans = text_model.line_spans(text)
            changes = [
                {"range": {"start": {"line": line, "character": 0}, "end": {"line": line, "character": 0}}, "text": "·"}
                for line in range(min(len(spans), 50))
            ]
            server.send(notification("textDocument/didChange", {"textDocument": {"uri": uri, "version": 2}, "contentChanges": changes}))
            expected = text
            for line in range(min(len(spans), 50)):
                start = text_model.offset_of(expected, line, 0, encoding)
                expected = text_model.replace(expected, start, start, "·")
            msg_id += 1
            seen = server.ask(msg_id, "backlog-ls/debugText", {"uri": uri})["result"]
            assert seen["text"] == expected, f"{case}: the server's text differs"
        assert server.process.poll() is None


def test_a_did_open_that_is_not_utf8_is_refused_and_the_server_goes_on():
    with RawServer(env=DEBUG_ENV) as server:
        server.start()
        raw = b'{"jsonrpc": "2.0", "method": "textDocument/didOpen", "params": {"textDocument": {"uri": "file:///bad/raw.md", '
        raw += b'"languageId": "markdown", "version": 1, "text": "# \xff\xfe \xc3\x28"}}}'
        server.send(frame(raw))
        assert server.messages.wait_for(None)["error"]["code"] == -32700  # ParseError: the body is no JSON text
        assert server.ask(2, "backlog-ls/debugText", {"uri": "file:///bad/raw.md"})["result"] is None
        server.send(did_open("file:///bad/ok.md", "# fine\n"))
        assert server.ask(3, "backlog-ls/debugText", {"uri": "file:///bad/ok.md"})["result"]["text"] == "# fine\n"
