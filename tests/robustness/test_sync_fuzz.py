"""Incremental sync fuzz: random edits sent as didChange, the server's text against the client's.

Edits mix emoji (astral, ZWJ sequences), CJK, combining marks, CRLF, lone CR, characters
that str.splitlines would wrongly take for line breaks, and ranges that end next to or
inside surrogate pairs, past line ends and past the document's end, under the UTF-16 and
the UTF-8 position encodings. The server's copy is read with ``backlog-ls/debugText``, a
request that exists only with BACKLOG_LS_DEBUG=1: it returns the very text every rule and
feature reads, so a lost or doubled character shows, which no derived answer (diagnostics,
outline) would show for every edit.
"""

from __future__ import annotations

import json
import os
import random
import time

import pytest

from . import budget, text_model
from .raw_lsp import RawServer, did_open, frame, notification

URI = "file:///fuzz/BACKLOG.md"
SEED = int(os.environ.get("BACKLOG_LS_FUZZ_SEED", "11"))
DEBUG_ENV = {"BACKLOG_LS_DEBUG": "1"}

FRAGMENTS = [
    "a", "task", " ", "\t", "é", "e\u0301", "\u0301\u0302", "中文", "日本語のテキスト", "한국어",
    "😀", "👩‍👩‍👧", "🇫🇷", "𝕏𝕐", "\U0010ffff", "\r\n", "\r", "\n", "\n\n", "\r\r\n",
    "\u2028", "\u2029", "\x0c", "\x85", "\x0b",
    "- [ ] T-1 write it\n", "- [x] T-2 done 😀\r\n", "# Heading\n", "## 第二\r", "[link](other.md)", " #12", "`code`",
]  # fmt: skip

START = "# Plan 😀\r\n\r\n## Phase 1\n- [ ] T-1 write the parser 中文\r- [x] T-2 ship e\u0301 it\n\n👩‍👩‍👧 end"


class Fuzz:
    """The client side: a document, and random changes to it in the negotiated encoding."""

    def __init__(self, encoding: str, seed: int):
        self.encoding = encoding
        self.random = random.Random(seed)
        self.text = START
        self.version = 1
        self.history: list[dict] = []

    def _offset(self) -> int:
        # Near an astral character, a line break or an end, more often than chance would.
        text, pick = self.text, self.random.random()
        if pick < 0.3 and text:
            specials = [i for i, ch in enumerate(text) if ord(ch) > 0xFFFF or ch in "\r\n"]
            if specials:
                return min(len(text), self.random.choice(specials) + self.random.choice((0, 1)))
        if pick < 0.35:
            return self.random.choice((0, len(text)))
        return self.random.randint(0, len(text))

    def _position(self, offset: int, spans: list[tuple[int, int]]) -> dict[str, int]:
        line, character = text_model.position_of(self.text, offset, self.encoding, spans)
        pick = self.random.random()
        if pick < 0.04:
            character += self.random.randint(1, 50)  # past the end of the line
        elif pick < 0.045:
            line += self.random.randint(1, 3)  # past the end of the document (deletes all after the start)
        elif pick < 0.075 and offset < len(self.text) and text_model.units(self.text[offset], self.encoding) > 1:
            character += 1  # inside a character: half a surrogate pair, or inside a UTF-8 sequence
        return {"line": line, "character": character}

    def _inserted(self) -> str:
        count = self.random.choice((0, 1, 1, 1, 2, 3))
        if len(self.text) > 3000:
            count = self.random.choice((0, 0, 1))  # keep the document small: mostly deletions
        return "".join(self.random.choice(FRAGMENTS) for _ in range(count))

    def change(self) -> dict:
        """One didChange of one to three changes, applied to the client's text as it goes."""
        changes = []
        for _ in range(self.random.choice((1, 1, 1, 2, 3))):
            if self.random.random() < 0.002:
                self.text = self._inserted() + START[: self.random.randint(0, len(START))]
                changes.append({"text": self.text})
                continue
            spans = text_model.line_spans(self.text)
            first = self._offset()
            # Mostly short ranges (an insertion, a few characters), as typing makes them.
            if self.random.random() < 0.01:
                last = self._offset()
            else:
                last = min(len(self.text), first + self.random.choice((0, 0, 0, 1, 2, 3, self.random.randint(0, 40))))
            start, end = self._position(first, spans), self._position(last, spans)
            if (start["line"], start["character"]) > (end["line"], end["character"]):
                start, end = end, start
            # Offsets from the positions as sent: that is what the server must do with them.
            first = text_model.offset_of(self.text, start["line"], start["character"], self.encoding, spans)
            last = text_model.offset_of(self.text, end["line"], end["character"], self.encoding, spans)
            inserted = self._inserted()
            self.text = text_model.replace(self.text, first, last, inserted)
            changes.append({"range": {"start": start, "end": end}, "text": inserted})
        self.version += 1
        message = notification(
            "textDocument/didChange", {"textDocument": {"uri": URI, "version": self.version}, "contentChanges": changes}
        )
        self.history = (self.history + [message])[-8:]
        return message


def _server_text(server: RawServer, msg_id: int) -> dict:
    answer = server.ask(msg_id, "backlog-ls/debugText", {"uri": URI})
    assert "result" in answer, answer
    return answer["result"]


@pytest.mark.parametrize("encoding", ["utf-16", "utf-8"])
def test_random_incremental_edits_keep_the_servers_text_equal_to_the_clients(encoding: str):
    edits = budget.count(fast=300, soak=20_000)
    deadline = time.monotonic() + budget.seconds(fast=90, soak=330)
    check_every = 25
    fuzz = Fuzz(encoding, SEED)
    with RawServer(env=DEBUG_ENV) as server:
        assert server.start(position_encodings=[encoding])["capabilities"]["positionEncoding"] == encoding
        server.send(did_open(URI, START))
        started, sent = time.monotonic(), 0
        while sent < edits and time.monotonic() < deadline:
            message = fuzz.change()
            # Half the messages as raw UTF-8, half with \u escapes (surrogate pairs for emoji).
            server.send(frame(message, ensure_ascii=bool(sent % 2)))
            sent += 1
            if sent % check_every == 0 or sent == edits:
                seen = _server_text(server, 10_000 + sent)
                # The line count too: lines split wrongly keep the text but misplace later edits.
                expected = (fuzz.text, fuzz.version, len(text_model.line_spans(fuzz.text)))
                assert (seen["text"], seen["version"], seen["lineCount"]) == expected, (
                    f"after {sent} edits ({encoding}, seed {SEED}); the last changes: {json.dumps(fuzz.history, ensure_ascii=True)}"
                )
        seen = _server_text(server, 9_999)
        assert seen["text"] == fuzz.text
        seconds = time.monotonic() - started
    assert sent >= min(edits, 100), f"only {sent} edits before the time bound"
    budget.report(f"incremental-sync fuzz ({encoding})", edits=sent, edits_per_second=int(sent / seconds), characters=len(fuzz.text))


def test_the_debug_request_exists_only_when_asked_for():
    with RawServer() as server:
        server.start()
        server.send(did_open(URI, START))
        assert server.ask(2, "backlog-ls/debugText", {"uri": URI})["error"]["code"] == -32601  # MethodNotFound
