"""The command line: ``backlog-ls serve`` runs the language server, ``backlog-ls check`` lints files.

``check`` runs the very rules the server runs (``rules.check`` over ``parse``), so
a finding in CI is the diagnostic the editor shows. Exit codes follow ruff and
most linters: 0 clean, 1 findings, 2 a usage or I/O error (2 wins over 1, since
a file that could not be read might have held findings).

Whatever goes wrong, the user gets one line on stderr, never a traceback: a
traceback from a linter reads as "your file broke the tool" without saying which.
"""

from __future__ import annotations

import argparse
import io
import os
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING

from . import __version__

if TYPE_CHECKING:
    from .report import FileResult

PROG = "backlog-ls"

EXIT_CLEAN = 0
EXIT_FINDINGS = 1
EXIT_ERROR = 2
EXIT_INTERRUPTED = 130  # the shell's convention for SIGINT

DEFAULT_TCP_EXAMPLE = "127.0.0.1:2087"


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line with ``argv`` (default ``sys.argv[1:]``) and return the exit code."""
    _tolerate_unencodable_output()
    try:
        return _run(argv)
    except KeyboardInterrupt:
        _print_error("interrupted")
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        # The reader went away (`backlog-ls check . | head`): stop quietly, and point
        # stdout at nothing so the interpreter's final flush cannot complain either.
        _silence_stdout()
        return EXIT_FINDINGS
    except Exception as error:  # the last line of defence: one line, never a traceback
        _print_error(f"internal error: {_describe(error)}")
        return EXIT_ERROR


def _run(argv: Sequence[str] | None) -> int:
    parser = build_parser()
    try:
        arguments = parser.parse_args(argv)
    except SystemExit as exit_request:  # --help, --version and usage errors
        return _exit_code(exit_request.code)
    if arguments.command is None:
        parser.print_help(sys.stderr)
        return EXIT_ERROR
    return arguments.run(arguments)


def build_parser() -> argparse.ArgumentParser:
    # Imported here, not at the top, so that even an import failure is caught by main().
    from .report import FORMATS

    parser = argparse.ArgumentParser(
        prog=PROG,
        description="A language server and checker for Markdown backlogs.",
    )
    parser.add_argument("--version", action="version", version=f"{PROG} {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    serve = commands.add_parser(
        "serve",
        help="run the language server (stdio unless --tcp)",
        description="Run the language server. It talks over stdin/stdout unless --tcp is given.",
    )
    transport = serve.add_mutually_exclusive_group()
    # Editors' LSP clients (vscode-languageclient among them) append --stdio on their own.
    transport.add_argument("--stdio", action="store_true", help="talk over stdin/stdout (the default)")
    transport.add_argument(
        "--tcp", metavar="HOST:PORT", type=_host_and_port, help=f"listen on a TCP socket, e.g. {DEFAULT_TCP_EXAMPLE}"
    )
    serve.set_defaults(run=_serve)

    check = commands.add_parser(
        "check",
        help="check backlog files and print findings",
        description=(
            "Check Markdown backlogs. A named file is checked whatever its extension; a folder "
            "contributes its *.md and *.markdown files, skipping what .gitignore ignores. "
            "Exit code: 0 clean, 1 findings, 2 usage or I/O error."
        ),
    )
    check.add_argument("paths", nargs="*", default=["."], metavar="PATH", help="files or folders (default: .)")
    check.add_argument(
        "--format",
        choices=sorted(FORMATS),
        default="text",
        help="output format (default: text, one 'path:line:col: severity code message' per line)",
    )
    check.set_defaults(run=_check)
    return parser


def _host_and_port(value: str) -> str:
    """Validate HOST:PORT for argparse; the server receives the string as written."""
    host, colon, port = value.rpartition(":")
    if not colon or not host or not port.isdigit() or int(port) > 65535:
        raise argparse.ArgumentTypeError(f"expected HOST:PORT such as {DEFAULT_TCP_EXAMPLE}, got {value!r}")
    return value


# --- commands -----------------------------------------------------------------------------------


def _serve(arguments: argparse.Namespace) -> int:
    # pygls is imported only here: `check` in CI should not pay for (or depend on) the server.
    try:
        from . import server
    except ImportError as error:
        _print_error(f"the language server cannot start: {_describe(error)}")
        return EXIT_ERROR
    server.start(tcp=arguments.tcp)
    return EXIT_CLEAN


def _check(arguments: argparse.Namespace) -> int:
    from . import files, report

    discovery = files.discover(arguments.paths)
    failed = 0
    for path in discovery.missing:
        _print_error(f"{path}: no such file or directory")
    results: list[report.FileResult] = []
    for path in discovery.files:
        try:
            results.append(check_file(path))
        except files.UnreadableFile as error:
            _print_error(str(error))
            failed += 1
        except Exception as error:  # a bug in a rule or the parser: name the file, go on with the rest
            _print_error(f"{path}: internal error: {_describe(error)}")
            failed += 1

    report.FORMATS[arguments.format](results, sys.stdout)
    sys.stdout.flush()
    if not discovery.files and not discovery.missing:
        _print_warning("no Markdown files found in " + ", ".join(arguments.paths))
    elif arguments.format == "text" and results:
        print(report.summary(results), file=sys.stderr)

    if discovery.missing or failed:
        return EXIT_ERROR
    return EXIT_FINDINGS if any(result.findings for result in results) else EXIT_CLEAN


def check_file(path: str) -> FileResult:
    """Read, parse and check one file; raises files.UnreadableFile when it cannot be read."""
    from .files import read_text
    from .parse import parse
    from .report import FileResult
    from .rules import check

    return FileResult(path, tuple(check(parse(read_text(path)))))


# --- output helpers -----------------------------------------------------------------------------


def _print_error(message: str) -> None:
    print(f"{PROG}: error: {message}", file=sys.stderr)


def _print_warning(message: str) -> None:
    print(f"{PROG}: warning: {message}", file=sys.stderr)


def _describe(error: BaseException) -> str:
    detail = str(error).splitlines()[0] if str(error) else ""
    return f"{type(error).__name__}: {detail}" if detail else type(error).__name__


def _exit_code(code: object) -> int:
    if code is None:
        return EXIT_CLEAN
    return code if isinstance(code, int) else EXIT_ERROR


def _tolerate_unencodable_output() -> None:
    """Let a message or path that the terminal's encoding lacks print as an escape, not crash."""
    for stream in (sys.stdout, sys.stderr):
        if isinstance(stream, io.TextIOWrapper):
            stream.reconfigure(errors="backslashreplace")


def _silence_stdout() -> None:
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass
