"""The IETF RFC index: shipped in the package, and optionally refreshed from the RFC Editor.

The shipped table (``backlog_ls/data/rfc-index.tsv.gz``, up to RFC 9552) loads in some
10-15 ms (decompress, split into rows; rows are decoded when looked up). The first
caller pays, every later one gets the same ``IetfIndex``; the language server warms it
on a background thread at start-up so that no request does. A missing or unreadable
file is logged once and the index is None: RFC hovers then show less and the IETF
rules stay quiet; nothing raises.

With ``[rfc] ietf-refresh = true`` the language server also fetches the RFC Editor's
published ``rfc-index.txt`` on a background thread, at most once a day, and keeps it
in the user's cache folder (``$XDG_CACHE_HOME/backlog-ls/rfc-index.tsv.gz``, or
``BACKLOG_LS_CACHE_DIR``). A download that fails, or parses to far fewer RFCs than the
shipped table, is logged and ignored. Nothing ever needs the network: without the
option, or offline, the shipped table answers.
"""

from __future__ import annotations

import gzip
import io
import logging
import os
import tempfile
import threading
import time
import urllib.parse
from collections.abc import Callable
from importlib import resources

from ..rfc.ietf import IetfIndex, created_on, encode, parse_index_text

log = logging.getLogger(__name__)

DATA_PACKAGE = "backlog_ls"
DATA_FILE = ("data", "rfc-index.tsv.gz")

INDEX_URL = "https://www.rfc-editor.org/rfc-index.txt"
REFRESH_AFTER_SECONDS = 24 * 3600
DOWNLOAD_TIMEOUT_SECONDS = 30
MAX_DOWNLOAD_BYTES = 32 * 1024 * 1024
CACHE_FILE = "rfc-index.tsv.gz"

_lock = threading.Lock()
_loaded = False
_index: IetfIndex | None = None
_refreshed: IetfIndex | None = None  # from the cache or a download, when the option is on
_cache_read = False
_refreshing = False


def read_shipped() -> IetfIndex:
    """Read the shipped table; raises OSError or ValueError when it cannot."""
    resource = resources.files(DATA_PACKAGE).joinpath(*DATA_FILE)
    data = resource.read_bytes()
    return IetfIndex.decode(gzip.decompress(data).decode("utf-8"))


def shipped_index() -> IetfIndex | None:
    """The shipped index, loaded on first use; None when it cannot be read."""
    global _loaded, _index
    if _loaded:
        return _index
    with _lock:
        if not _loaded:
            try:
                _index = read_shipped()
            except Exception:  # a provider never raises into a request
                log.exception("Could not read the shipped IETF RFC index")
                _index = None
            _loaded = True
    return _index


def is_loaded() -> bool:
    return _loaded


# How long the loading waits at most for the server to be idle, and how often it looks.
WARM_WAIT_SECONDS = 2.0
_WARM_POLL_SECONDS = 0.005


def warm_in_background(busy: Callable[[], bool] | None = None) -> None:
    """Load the index on a daemon thread, so that the first hover or check does not wait for it;
    with ``busy``, once it says the server is idle (or after ``WARM_WAIT_SECONDS``): loading it
    beside the first document's check made that check 10-15 ms later. A check that needs the
    index meanwhile loads it itself (``shipped_index``)."""
    if _loaded:
        return

    def load() -> None:
        deadline = time.monotonic() + WARM_WAIT_SECONDS
        while busy is not None and not _loaded and time.monotonic() < deadline:
            try:
                if not busy():
                    break
            except Exception:  # noqa: BLE001 - a broken probe must not keep the index from loading
                break
            time.sleep(_WARM_POLL_SECONDS)
        shipped_index()

    threading.Thread(target=load, name="backlog-ls-rfc-index", daemon=True).start()


# --- the optional refresh ----------------------------------------------------------------------------


def cache_dir() -> str:
    configured = os.environ.get("BACKLOG_LS_CACHE_DIR")
    if configured:
        return configured
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "backlog-ls")


def current_index(refresh: bool) -> IetfIndex | None:
    """The index to use: with ``refresh`` on, a refreshed one (downloaded, or cached by an earlier
    download) when it knows more than the shipped one; else the shipped one."""
    shipped = shipped_index()
    if not refresh:
        return shipped
    refreshed = _refreshed if _cache_read else _read_cache()
    if refreshed is not None and (shipped is None or refreshed.last >= shipped.last):
        return refreshed
    return shipped


def _read_cache() -> IetfIndex | None:
    global _refreshed, _cache_read
    with _lock:
        if not _cache_read:
            path = os.path.join(cache_dir(), CACHE_FILE)
            try:
                with open(path, "rb") as handle:
                    _refreshed = IetfIndex.decode(gzip.decompress(handle.read()).decode("utf-8"))
            except FileNotFoundError:
                pass
            except Exception:
                log.warning("Ignoring the cached RFC index %s, which cannot be read", path, exc_info=True)
            _cache_read = True
    return _refreshed


def index_url() -> str:
    """Where the index is downloaded from: the RFC Editor, unless ``BACKLOG_LS_RFC_INDEX_URL`` says otherwise."""
    return os.environ.get("BACKLOG_LS_RFC_INDEX_URL") or INDEX_URL


def refresh(
    url: str | None = None,
    *,
    max_age: float = REFRESH_AFTER_SECONDS,
    minimum: int | None = None,
    timeout: float = DOWNLOAD_TIMEOUT_SECONDS,
) -> bool:
    """Download and cache the RFC Editor's index unless the cache is younger than ``max_age``.

    True when a new index was installed. ``minimum`` is the fewest RFCs a download must hold
    (default: nine tenths of the shipped table), so that a truncated or wrong page is not taken.
    Never raises.
    """
    global _refreshed, _cache_read
    url = url or index_url()
    path = os.path.join(cache_dir(), CACHE_FILE)
    try:
        if time.time() - os.path.getmtime(path) < max_age:
            return False
    except OSError:
        pass
    try:
        import urllib.request  # here: with http.client and email, 9 ms of every start, for a refresh few turn on

        request = urllib.request.Request(url, headers={"User-Agent": "backlog-ls (RFC index refresh)"})
        loopback = urllib.parse.urlsplit(url).hostname in ("127.0.0.1", "localhost", "::1")
        # A proxy from the environment is honoured, except for this machine's own address.
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({})) if loopback else urllib.request.build_opener()
        with opener.open(request, timeout=timeout) as response:
            data = response.read(MAX_DOWNLOAD_BYTES + 1)
        if len(data) > MAX_DOWNLOAD_BYTES:
            raise ValueError(f"more than {MAX_DOWNLOAD_BYTES} bytes")
        text = data.decode("utf-8", errors="replace")
        rfcs = parse_index_text(text)
        shipped = shipped_index()
        needed = minimum if minimum is not None else (int(len(shipped) * 0.9) if shipped is not None else 1)
        if len(rfcs) < max(needed, 1):
            raise ValueError(f"only {len(rfcs)} RFCs in the download")
        table = encode(rfcs, created_on(text))
        index = IetfIndex.decode(table)
        _write_cache(path, table)
    except Exception as error:
        log.warning("Could not refresh the IETF RFC index from %s: %s", url, error)
        return False
    with _lock:
        _refreshed = index
        _cache_read = True
    log.info("Refreshed the IETF RFC index: %d RFCs, up to RFC %d", len(index), index.last)
    return True


def _write_cache(path: str, table: str) -> None:
    os.makedirs(os.path.dirname(path), exist_ok=True)
    buffer = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=buffer, mtime=0) as out:
        out.write(table.encode("utf-8"))
    handle, temporary = tempfile.mkstemp(dir=os.path.dirname(path), prefix=".rfc-index.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(buffer.getvalue())
        os.replace(temporary, path)
    except OSError:
        try:
            os.unlink(temporary)
        except OSError:
            pass
        raise


def refresh_in_background(
    on_change: Callable[[], None] | None = None, url: str | None = None, **options
) -> threading.Thread | None:
    """``refresh`` on a daemon thread, once at a time; ``on_change`` (on that thread) when a new index came."""
    global _refreshing
    with _lock:
        if _refreshing:
            return None
        _refreshing = True

    def run() -> None:
        global _refreshing
        try:
            if refresh(url, **options) and on_change is not None:
                on_change()
        except Exception:
            log.exception("The RFC index refresh failed")
        finally:
            with _lock:
                _refreshing = False

    thread = threading.Thread(target=run, name="backlog-ls-rfc-refresh", daemon=True)
    thread.start()
    return thread


def _reset_for_tests() -> None:
    global _refreshed, _cache_read, _refreshing
    with _lock:
        _refreshed = None
        _cache_read = False
        _refreshing = False
