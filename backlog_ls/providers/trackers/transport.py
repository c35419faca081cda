"""How one tracker request travels: where the token may go, and how long and how large an answer may be.

- ``token_refusal(url, api_url)``: the token rides only on requests to the configured API's own
  origin (scheme, host and port), and over plain http only to this machine (127.0.0.0/8, ::1,
  localhost). Anything else goes without it, or (pagination) not at all.
- ``fetch_bounded(client, request, deadline=..., max_bytes=...)``: the answer is streamed and the
  whole exchange (connect, headers and every byte of the body) must end within ``deadline``
  seconds; a body (after decompression) over ``max_bytes`` is refused while it arrives, so a
  server that trickles or never stops costs neither a hung refresh nor the memory.

``log_once`` is for refusals: each distinct reason once per process (a refresh every few minutes
must not repeat it), and never with a token in it (callers pass origins, not URLs with queries).
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging
from typing import TYPE_CHECKING

# httpx is imported where a request is made, not here: setting up a document's tracker imports
# this module on the event loop before its first check, and httpx took 50 ms of that.
if TYPE_CHECKING:
    import httpx

log = logging.getLogger(__name__)

DEFAULT_DEADLINE_SECONDS = 30.0
MAX_RESPONSE_BYTES = 32 * 1024 * 1024  # 100 issues with long bodies are a few MB; an endless answer stops here
_DEFAULT_PORTS = {"http": 80, "https": 443}
COALESCE_BYTES = 1024 * 1024
_DROPPED_HEADERS = ("content-encoding", "content-length", "transfer-encoding")  # the body is already decoded
_logged: set[str] = set()


class ResponseTooLarge(Exception):
    def __init__(self, limit: int):
        super().__init__(f"the answer is larger than {limit / (1024 * 1024):g} MiB")
        self.limit = limit


class DeadlineExceeded(Exception):
    def __init__(self, seconds: float):
        super().__init__(f"no complete answer within {seconds:g} s")
        self.seconds = seconds


def origin(url: str | httpx.URL) -> tuple[str, str, int | None]:
    """(scheme, host, port) with the scheme's default port filled in: what "the same server" means."""
    import httpx

    parsed = httpx.URL(url)
    scheme = parsed.scheme.lower()
    return scheme, parsed.host.lower().rstrip("."), parsed.port or _DEFAULT_PORTS.get(scheme)


def origin_text(url: str | httpx.URL) -> str:
    """``scheme://host:port`` of ``url``: safe to log (no path, query or user info)."""
    scheme, host, port = origin(url)
    shown = f"[{host}]" if ":" in host else host
    return f"{scheme}://{shown}:{port}" if port is not None else f"{scheme}://{shown}"


def is_loopback(host: str) -> bool:
    host = host.lower().strip("[]").rstrip(".")
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def token_refusal(url: str | httpx.URL, api_url: str) -> str | None:
    """Why a request to ``url`` must not carry the token of ``api_url``; None when it may."""
    target = origin(url)
    if target != origin(api_url):
        return f"{origin_text(url)} is not the configured tracker {origin_text(api_url)}"
    scheme, host, _port = target
    if scheme != "https" and not is_loopback(host):
        return f"{origin_text(url)} is plain http (a token goes over https, or plain http only to this machine)"
    return None


def log_once(message: str, *args: object) -> None:
    text = message % args if args else message
    if text not in _logged:
        _logged.add(text)
        log.warning("%s", text)


async def fetch_bounded(
    client: httpx.AsyncClient,
    request: httpx.Request,
    *,
    deadline: float = DEFAULT_DEADLINE_SECONDS,
    max_bytes: int = MAX_RESPONSE_BYTES,
) -> httpx.Response:
    """Send ``request`` and read its whole answer within ``deadline`` seconds and ``max_bytes``.

    Raises DeadlineExceeded, ResponseTooLarge, or what httpx raises. The response returned has
    its body read (``.content``), already decoded, and no open connection.
    """
    import httpx

    async def exchange() -> httpx.Response:
        response = await client.send(request, stream=True)
        try:
            declared = response.headers.get("content-length", "")
            if declared.isdigit() and int(declared) > max_bytes:
                raise ResponseTooLarge(max_bytes)
            chunks: list[bytes] = []  # blocks of about COALESCE_BYTES: small chunks cost more than their bytes
            pending: list[bytes] = []
            size = pending_size = 0
            try:
                async for chunk in response.aiter_bytes():
                    size += len(chunk)
                    if size > max_bytes:
                        raise ResponseTooLarge(max_bytes)
                    pending.append(chunk)
                    pending_size += len(chunk)
                    if pending_size >= COALESCE_BYTES:
                        chunks.append(b"".join(pending))
                        pending, pending_size = [], 0
                chunks.extend(pending)
            except BaseException:
                pending.clear()
                # The traceback keeps this frame alive as long as the error is kept (a service's
                # last_error): it must not keep the megabytes read so far too.
                chunks.clear()
                raise
        finally:
            await response.aclose()
        headers = [(key, value) for key, value in response.headers.multi_items() if key.lower() not in _DROPPED_HEADERS]
        return httpx.Response(response.status_code, headers=headers, content=b"".join(chunks), request=request)

    try:
        return await asyncio.wait_for(exchange(), deadline)
    except asyncio.TimeoutError:
        raise DeadlineExceeded(deadline) from None
