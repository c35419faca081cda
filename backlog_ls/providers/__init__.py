"""Providers: the only code that reads or writes the disk, runs a program or talks to the network.

Each provider answers from what it has and never raises into a request.

- the project's files: ``project_files`` (which files are backlogs, reading and decoding
  them, writing fixed ones back), ``files`` (what link rules ask: does it exist, its
  headings), ``backlog_files`` and ``workspace_links`` (the workspace's backlogs, the files
  a move may touch), ``workspace_paths`` (reading only regular files of sane size);
- git: ``git`` runs it, for ``project_files`` (the listing), ``git_history`` (``--since``)
  and ``trackers.git_remote`` (the repository of ``#12``);
- ``config_file``, ``workspace_index`` and ``workspace_facts``, ``daemon``, ``rfc_*``, ``trackers``.
"""

from .files import DiskFiles

__all__ = ["DiskFiles"]
