"""backlog-ls: a language server and checker for Markdown backlogs."""

__version__ = "0.1.0"
