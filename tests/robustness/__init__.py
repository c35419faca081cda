"""Robustness: hostile workspaces, huge or crafted documents, misbehaving trackers, protocol abuse.

The fast cases run in `make test`; `make soak` runs the same tests with larger counts
(BACKLOG_LS_SOAK=1) and prints what each loop did. Every loop is bounded in count and time,
and every network peer is a local server on 127.0.0.1.
"""
