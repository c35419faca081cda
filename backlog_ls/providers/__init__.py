"""Providers: the only code that reads the disk (beyond the CLI's file list) or talks to the network.

Each provider answers from what it has and never raises into a request.
"""

from .files import DiskFiles

__all__ = ["DiskFiles"]
