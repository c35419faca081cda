"""Frozen values that cross between processes, pickled as their class and their fields in order.

The workspace index parses files in worker processes (``providers.workspace_index``) and sends
back each file's summary and cross-file facts, some 100,000 small frozen values for 500 files.
attrs gives a slotted class a ``__getstate__`` / ``__setstate__`` pair that pickles the field
names with each value and sets them back one ``object.__setattr__`` call at a time; the class
called with its fields does the same work in the generated ``__init__``, without the names.
For 500 files (53,575 tasks, in batches of 16 as the workers send them, the collector tuned as
the server's): pickling 0.61 -> 0.41 s, unpickling 0.42-0.52 -> 0.27-0.28 s, 19.5 -> 15.8 MB.
"""

from __future__ import annotations

from operator import attrgetter
from typing import Any, TypeVar

import attrs

T = TypeVar("T", bound=type)


def by_fields(cls: T) -> T:
    """A class decorator (under ``@attrs.frozen``): pickle ``cls`` as ``cls(*fields)``.

    Only for classes whose every field is given to ``__init__`` by position, with no converter
    (a converted value would be converted again): checked here, so a field added later that
    breaks this fails at import, not in a worker process.
    """
    fields = attrs.fields(cls)
    assert all(f.init and not f.kw_only and f.converter is None for f in fields), cls
    names = [f.name for f in fields]
    get = attrgetter(*names)
    if len(names) == 1:

        def __reduce__(self: Any) -> tuple:
            return cls, (get(self),)

    else:

        def __reduce__(self: Any) -> tuple:
            return cls, get(self)

    cls.__reduce__ = __reduce__  # type: ignore[method-assign,assignment]
    return cls
