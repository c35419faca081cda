"""Protocol abuse: malformed frames, oversized frames, invalid params, shutdown and exit.

Each malformed input is followed by a valid request, which must be answered: before,
one bad header left the server alive but deaf for good, invalid params went unanswered,
and ``exit`` always ended the process with 0.
"""

from __future__ import annotations

import json
import time

import pytest

from . import budget
from .raw_lsp import RawServer, did_open, frame, notification, request

URI = "file:///abuse/BACKLOG.md"
TEXT = "# Plan\n\n## Phase 1\n- [ ] T-1 write the parser\n- [x] T-2 ship it\n"
MIB = 1024 * 1024


def _symbols(server: RawServer, msg_id: int) -> list[str]:
    """The outline's names: proof that the server still reads and answers."""
    answer = server.ask(msg_id, "textDocument/documentSymbol", {"textDocument": {"uri": URI}})
    assert "result" in answer, answer

    def names(symbols: list[dict]) -> list[str]:
        return [name for s in symbols for name in (s["name"], *names(s.get("children") or []))]

    return names(answer["result"])


@pytest.fixture
def server():
    with RawServer() as running:
        running.start()
        running.send(did_open(URI, TEXT))
        yield running


VALID = json.dumps(request(77, "shutdown")).encode()

MALFORMED = {
    "a length that is no number": b"Content-Length: abc\r\n\r\n" + VALID,
    "a negative length": b"Content-Length: -5\r\n\r\n" + VALID,
    "a header block without a length": b"Content-Type: application/vscode-jsonrpc; charset=utf-8\r\n\r\n" + VALID,
    "an empty header block": b"\r\n\r\n",
    "garbage with line breaks between frames": b"\x00\xff\xfe GARBAGE\r\n\r\nmore garbage\r\n",
    "garbage without a line break": b"\x00garbage" * 1000,
    "a megabyte of garbage": bytes(range(256)) * 4096,
    "a length too short for its body": b"Content-Length: 5\r\n\r\n" + VALID,
    "a length with 30 digits": b"Content-Length: " + b"9" * 30 + b"\r\n\r\n" + VALID,
    "a header line of 100 KB": b"X-Long: " + b"x" * 100_000 + b"\r\n\r\n",
    "a body that is not JSON": frame(b"{not json"),
    "a body that is not UTF-8": frame(b'{"jsonrpc": "2.0", "method": "\xff\xfe"}'),
    "a body nested 100,000 deep": frame(b"[" * 100_000 + b"]" * 100_000),
    "a JSON array (a batch, which LSP has not)": frame(b"[1, 2]"),
    "a message without jsonrpc": frame(b'{"id": 5, "method": "shutdown"}'),
    "a message with an id that is an object": frame(b'{"jsonrpc": "2.0", "id": {"a": 1}, "method": "shutdown"}'),
    "a method that is a number": frame(b'{"jsonrpc": "2.0", "id": 6, "method": 5}'),
}


def test_every_malformed_frame_leaves_the_server_answering(server: RawServer):
    for number, (case, raw) in enumerate(MALFORMED.items(), start=100):
        server.send(raw)
        try:
            assert "T-1 write the parser" in " ".join(_symbols(server, number))
        except AssertionError as failure:
            raise AssertionError(f"after {case}: {failure}") from None
    assert "header without a Content-Length" in server.wait_logged("Content-Length is not a length: b'abc'")


def test_unreadable_messages_get_the_json_rpc_error_codes(server: RawServer):
    server.send(frame(b"{not json"))
    server.send(frame(b'{"id": 5, "method": "shutdown"}'))
    server.send(frame(b'{"jsonrpc": "2.0", "id": 6, "method": 5}'))
    _symbols(server, 7)  # everything before it has been read
    # JSON-RPC: a parse error, and an invalid request whose id cannot be read, have id null.
    assert server.messages.answers[None]["error"]["code"] in (-32700, -32600)
    assert server.messages.answers[5]["error"]["code"] == -32600  # InvalidRequest, to its id
    assert server.messages.answers[6]["error"]["code"] == -32600


def test_a_length_longer_than_its_body_costs_only_the_next_message(server: RawServer):
    # The reader cannot tell a lie from a slow client: it takes the next frame's bytes as the
    # rest of this body (a parse error), then finds the frame after that.
    server.send(b"Content-Length: 60\r\n\r\n{}")
    server.send(request(8, "textDocument/documentSymbol", {"textDocument": {"uri": URI}}))
    assert "T-2 ship it" in " ".join(_symbols(server, 9))
    assert server.messages.answers[None]["error"]["code"] == -32700


def test_header_names_are_case_insensitive(server: RawServer):
    body = json.dumps(request(10, "textDocument/documentSymbol", {"textDocument": {"uri": URI}})).encode()
    server.send(b"content-length: %d\r\ncontent-type: application/vscode-jsonrpc\r\n\r\n%s" % (len(body), body))
    assert "result" in server.messages.wait_for(10)


def test_a_claimed_100_mib_body_that_never_comes_is_refused_and_the_server_goes_on(server: RawServer):
    server.send(b"Content-Length: %d\r\n\r\n" % (100 * MIB) + b'{"jsonrpc": "2.0", "id": 3')
    assert "T-1 write the parser" in " ".join(_symbols(server, 11))
    server.wait_logged(f"Refused an LSP message of {100 * MIB} bytes")
    budget.report("protocol: 100 MiB claim without the body", peak_rss_kib=server.peak_memory_kib())


def test_a_100_mib_body_is_discarded_in_bounded_memory(server: RawServer):
    _symbols(server, 12)
    before = server.peak_memory_kib()
    chunk = b"x" * MIB
    server.send(b"Content-Length: %d\r\n\r\n" % (100 * MIB))
    started = time.monotonic()
    for _ in range(100):
        server.send(chunk)
    assert "T-1 write the parser" in " ".join(_symbols(server, 13))
    seconds = time.monotonic() - started
    peak = server.peak_memory_kib()
    # pygls read the body whole: 100 MiB and more. Here a few read chunks at most.
    assert peak - before < 16 * 1024, f"peak RSS grew by {(peak - before) // 1024} MiB"
    assert server.process.poll() is None
    budget.report("protocol: 100 MiB body discarded", peak_rss_kib=peak, growth_kib=peak - before, ms=int(seconds * 1000))


INVALID_PARAMS = {
    "a negative line": ("textDocument/hover", {"textDocument": {"uri": URI}, "position": {"line": -1, "character": 0}}),
    "a negative character": ("textDocument/hover", {"textDocument": {"uri": URI}, "position": {"line": 0, "character": -3}}),
    "a line of 2^31": ("textDocument/hover", {"textDocument": {"uri": URI}, "position": {"line": 2**31, "character": 0}}),
    "a character of 2^53": ("textDocument/completion", {"textDocument": {"uri": URI}, "position": {"line": 0, "character": 2**53}}),
    "a line of 1.5": ("textDocument/definition", {"textDocument": {"uri": URI}, "position": {"line": 1.5, "character": 0}}),
    "a line that is a string": ("textDocument/hover", {"textDocument": {"uri": URI}, "position": {"line": "3", "character": 0}}),
    "a line that is true": ("textDocument/hover", {"textDocument": {"uri": URI}, "position": {"line": True, "character": 0}}),
    "no character": ("textDocument/hover", {"textDocument": {"uri": URI}, "position": {"line": 0}}),
    "no position": ("textDocument/hover", {"textDocument": {"uri": URI}}),
    "no params": ("textDocument/documentSymbol", None),
    "params that are a list": ("textDocument/documentSymbol", [URI]),
    "a URI that is a number": ("textDocument/documentSymbol", {"textDocument": {"uri": 5}}),
    "a range without an end": (
        "textDocument/codeAction",
        {"textDocument": {"uri": URI}, "range": {"start": {"line": 0, "character": 0}}, "context": {"diagnostics": []}},
    ),
    "a range with a negative end": (
        "textDocument/rangeFormatting",
        {
            "textDocument": {"uri": URI},
            "range": {"start": {"line": 0, "character": 0}, "end": {"line": -7, "character": 0}},
            "options": {"tabSize": 4, "insertSpaces": True},
        },
    ),
    "formatting options of the wrong type": (
        "textDocument/formatting",
        {"textDocument": {"uri": URI}, "options": {"tabSize": "four", "insertSpaces": True}},
    ),
    "a completion trigger kind that does not exist": (
        "textDocument/completion",
        {"textDocument": {"uri": URI}, "position": {"line": 0, "character": 0}, "context": {"triggerKind": 99}},
    ),
    "a command that is a number": ("workspace/executeCommand", {"command": 5, "arguments": []}),
}


def test_invalid_params_get_an_invalid_params_error_for_every_method(server: RawServer):
    for number, (case, (method, params)) in enumerate(INVALID_PARAMS.items(), start=200):
        answer = server.ask(number, method, params)
        assert answer.get("error", {}).get("code") == -32602, f"{case}: {answer}"
    assert "T-1 write the parser" in " ".join(_symbols(server, 299))
    # The message says what is wrong, and where.
    assert "$.params.position" in server.messages.answers[200]["error"]["message"]


def test_a_burst_of_invalid_requests_is_answered_one_by_one(server: RawServer):
    count = budget.count(fast=200, soak=5_000)
    hover = lambda line: {"textDocument": {"uri": URI}, "position": {"line": line, "character": 0}}  # noqa: E731
    for number in range(1000, 1000 + count):
        server.send(request(number, "textDocument/hover", hover(-number if number % 2 else 2**31 + number)))
    assert "T-2 ship it" in " ".join(_symbols(server, 999))
    for number in range(1000, 1000 + count):
        assert server.messages.wait_for(number)["error"]["code"] == -32602
    budget.report("protocol: invalid requests answered", requests=count)


def test_a_change_with_invalid_params_changes_nothing(server: RawServer):
    # A notification has no answer; the server logs it and the document keeps its text.
    server.send(
        notification(
            "textDocument/didChange",
            {
                "textDocument": {"uri": URI, "version": 2},
                "contentChanges": [{"range": {"start": {"line": -1, "character": 0}, "end": {"line": 0, "character": 0}}, "text": "X"}],
            },
        )
    )
    assert _symbols(server, 14)[0] == "Plan"
    server.wait_logged("Invalid params for textDocument/didChange")


def test_after_shutdown_requests_get_invalid_request_and_exit_ends_with_0(server: RawServer):
    assert server.ask(20, "shutdown") == {"jsonrpc": "2.0", "id": 20, "result": None}
    hover = server.ask(21, "textDocument/hover", {"textDocument": {"uri": URI}, "position": {"line": 0, "character": 0}})
    assert hover["error"]["code"] == -32600
    assert server.ask(22, "shutdown")["error"]["code"] == -32600
    server.send(did_open("file:///abuse/other.md", "# x\n"))  # a notification: dropped, no answer
    server.send(notification("exit"))
    # stdin stays open: the server must end by itself.
    assert server.wait_exit() == 0


def test_exit_without_shutdown_ends_with_1(server: RawServer):
    _symbols(server, 30)
    server.send(notification("exit"))
    assert server.wait_exit() == 1


def test_the_end_of_input_without_exit_ends_the_server():
    with RawServer() as server:
        server.start()
        assert server.process.stdin is not None
        server.process.stdin.close()
        assert server.wait_exit() == 0


def test_over_tcp_bad_frames_are_survived_and_exit_without_shutdown_ends_with_1():
    with RawServer(tcp=True) as server:
        server.start()
        server.send(did_open(URI, TEXT))
        server.send(b"Content-Length: abc\r\n\r\n{}" + b"Content-Length: %d\r\n\r\n" % (100 * MIB) + b"{")
        assert "T-1 write the parser" in " ".join(_symbols(server, 2))
        assert server.ask(3, "textDocument/hover", {"textDocument": {"uri": URI}, "position": {"line": -1, "character": 0}})[
            "error"
        ]["code"] == -32602
        server.send(notification("exit"))
        assert server.wait_exit() == 1


@pytest.mark.parametrize("read_size", [1, 7, 4096])
async def test_the_reader_finds_every_valid_frame_whatever_the_read_size(read_size: int):
    # The same malformed inputs, with the stream cut into reads of any size: a header split
    # between two reads must still be found, in the discarding of a refused body too.
    from backlog_ls.server.framing import FrameReader

    # Byte by byte, the megabyte of garbage alone would take seconds: that case has larger reads.
    cases = [raw for raw in MALFORMED.values() if read_size > 100 or len(raw) < 200_000]
    valid = [json.dumps(request(n, "textDocument/documentSymbol", {"n": n})).encode() for n in range(len(cases) + 1)]
    refused = b"Content-Length: %d\r\n\r\n" % (2 * MIB) + b"y" * 3000
    stream = refused + b"".join(raw + frame(body) for raw, body in zip(cases, valid[1:]))
    stream = frame(valid[0]) + stream
    position = 0

    async def read_some(limit: int) -> bytes:
        nonlocal position
        chunk = stream[position : position + min(limit, read_size)]
        position += len(chunk)
        return chunk

    reader = FrameReader(read_some, max_content_length=MIB)
    bodies = []
    while (body := await reader.next_body()) is not None:
        bodies.append(body)
    # Besides the valid frames, the reader hands on bodies it cannot judge (not JSON, not
    # JSON-RPC, a length too short): the protocol answers those with their errors.
    assert [body for body in bodies if body in valid] == valid
