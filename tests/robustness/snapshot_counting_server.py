"""The language server, counting the parsed snapshots (``model.Backlog``) still alive.

For ``test_old_snapshots_are_freed``: the cyclic garbage collector is off, so a snapshot is
counted until reference counting alone frees it, and ``backlog-ls-test/liveSnapshots`` answers
how many are alive. A snapshot held by a reference cycle (a value cached on it that holds it)
is then never freed, as it is not for long in a server whose collector runs rarely
(``parse.tune_garbage_collector``, which ``server.app`` calls), and the count grows with every keystroke.
"""

from __future__ import annotations

import gc
import weakref

from backlog_ls import model
from backlog_ls.server import app

LIVE_SNAPSHOTS = "backlog-ls-test/liveSnapshots"


class _Probe:
    """Put in each snapshot's ``__dict__``: it dies with the snapshot (a Backlog has no weak references)."""

    __slots__ = ("__weakref__",)


_alive: weakref.WeakSet[_Probe] = weakref.WeakSet()
_init = model.Backlog.__init__


def _counted_init(self: model.Backlog, lines, blocks) -> None:
    _init(self, lines, blocks)
    probe = _Probe()
    self.__dict__["_test_probe"] = probe
    _alive.add(probe)


def _create_server(*args, **kwargs):
    server = _create(*args, **kwargs)

    @server.feature(LIVE_SNAPSHOTS)
    def live_snapshots(ls, params) -> dict:
        return {"alive": len(_alive)}

    return server


_create = app.create_server

if __name__ == "__main__":
    model.Backlog.__init__ = _counted_init  # type: ignore[method-assign]
    app.create_server = _create_server  # type: ignore[assignment]
    app.tune_garbage_collector = gc.disable  # type: ignore[assignment]
    raise SystemExit(app.start())
