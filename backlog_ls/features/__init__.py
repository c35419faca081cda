"""Editor features as pure functions: a parsed ``Backlog`` in, plain values out.

Nothing here knows LSP; ``convert.py`` turns the values into protocol types.
One module per feature, e.g. ``symbols`` (the outline) and ``folding`` (folding ranges).
"""
