"""The command line: ``backlog-ls serve`` runs the language server, ``backlog-ls check`` lints files,
``backlog-ls report`` prints their progress, ``backlog-ls rules`` lists the rules.

``check`` runs the very rules the server runs (``rules.check`` over ``parse``), so
a finding in CI is the diagnostic the editor shows. Exit codes follow ruff and
most linters: 0 clean, 1 findings, 2 a usage, configuration or I/O error (2 wins
over 1, since a file that could not be read might have held findings). A bad key
in a configuration file is reported and the rest of the file still applies: the
run goes on and exits 2 at the end.

Whatever goes wrong, the user gets one line on stderr, never a traceback: a
traceback from a linter reads as "your file broke the tool" without saying which.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import io
import logging
import os
import sys
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any

from . import __version__

if TYPE_CHECKING:
    from collections.abc import Callable

    from .config import Settings
    from .providers.config_file import LoadedConfig
    from .rfc import Rfcs
    from .report import FileResult, FixedRecord
    from .rules import Files

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
            "contributes its backlogs: files matching the configured include globs (by default "
            "plan-like names such as BACKLOG.md or TODO.md, and any Markdown file with task items), "
            "minus the exclude globs and what .gitignore ignores. The configuration is the nearest "
            ".backlog-ls.toml, or pyproject.toml with [tool.backlog-ls], above each file, over the user "
            "configuration file (backlog-ls/config.toml in the user config folder, e.g. ~/.config). "
            "Only the user configuration and these flags may say which token is sent where "
            "([issues] token-env, trusted-hosts): a workspace file's are ignored with a warning. "
            "Exit code: 0 clean, 1 findings, 2 usage, configuration or I/O error."
        ),
    )
    check.add_argument("paths", nargs="*", default=["."], metavar="PATH", help="files or folders (default: .)")
    check.add_argument(
        "--format",
        choices=list(FORMATS),
        default="text",
        help="output format: text (default; 'path:line:col: severity code message'), json, sarif "
        "(SARIF 2.1.0 for code scanning) or github (GitHub Actions annotations)",
    )
    check.add_argument("--fix", action="store_true", help="apply the safe fixes in place, then report what remains")
    check.add_argument(
        "--offline",
        action="store_true",
        help="use the cached issue tracker data only; never ask the tracker (the cache is shared with the language server)",
    )
    check.add_argument(
        "--select",
        action="append",
        metavar="RULES",
        help="only these rules: comma-separated names, codes or code prefixes (BL1); repeatable",
    )
    check.add_argument(
        "--ignore", action="append", metavar="RULES", help="leave out these rules (same forms as --select); repeatable"
    )
    check.add_argument("--config", metavar="PATH", help="read this configuration file instead of searching for one")
    check.add_argument(
        "--token-env",
        metavar="NAME",
        help="read the tracker token from this environment variable (a workspace file cannot set this)",
    )
    check.add_argument(
        "--trusted-host",
        action="append",
        metavar="HOST",
        help="a tracker host the token may be sent to, besides the public ones; repeatable",
    )
    check.add_argument("--exit-zero", action="store_true", help="exit 0 even when findings remain (errors still exit 2)")
    check.add_argument(
        "--statistics", action="store_true", help="print how many findings each rule has instead of the findings"
    )
    check.add_argument(
        "--force-exclude",
        action="store_true",
        help="apply include/exclude to files named on the command line too (for pre-commit, which names every file)",
    )
    check.set_defaults(run=_check)

    report = commands.add_parser(
        "report",
        help="print each backlog's progress, per file and per section",
        description=(
            "Print the progress of Markdown backlogs, per file and per section: done, open, in progress and "
            "cancelled tasks (cancelled ones are left out of the total), the percentage done and a bar. "
            "Files, configuration and parsing are those of `check`. Exit code: 0, 1 when a file could not "
            "be read, 2 for a usage or configuration error."
        ),
    )
    report.add_argument("paths", nargs="*", default=["."], metavar="PATH", help="files or folders (default: .)")
    report.add_argument(
        "--format",
        choices=("text", "json", "markdown"),
        default="text",
        help="text (default), json (done, open, in_progress, cancelled, total per file and section) or markdown "
        "(for a pull request comment or $GITHUB_STEP_SUMMARY)",
    )
    report.add_argument("--next", action="store_true", help="also list the open tasks ready to start (all their blockers done), in file order")
    report.add_argument(
        "--since", metavar="REV", help="also list the tasks ticked, added or removed since this git revision (e.g. main, v1.2, HEAD~5)"
    )
    report.add_argument("--config", metavar="PATH", help="read this configuration file instead of searching for one")
    report.add_argument(
        "--force-exclude", action="store_true", help="apply include/exclude to files named on the command line too"
    )
    report.set_defaults(run=_report)

    rules = commands.add_parser(
        "rules",
        help="list every rule",
        description="List every rule: code, name, default severity and summary.",
    )
    rules_output = rules.add_mutually_exclusive_group()
    rules_output.add_argument("--format", choices=("text", "json"), default="text", help="output format (default: text)")
    rules_output.add_argument(
        "--markdown", action="store_true", help="print the rules documentation (docs/rules.md) in Markdown"
    )
    rules.set_defaults(run=_rules)
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
    return server.start(tcp=arguments.tcp)


class UsageError(Exception):
    """A mistake in the command line; the message is one line for the user."""


def _check(arguments: argparse.Namespace) -> int:
    from . import report
    from .providers import project_files as files
    from .providers.config_file import ConfigLoader

    try:
        select = rule_keys(arguments.select, "--select")
        ignore = rule_keys(arguments.ignore, "--ignore")
        if arguments.statistics and arguments.format not in ("text", "json"):
            raise UsageError("--statistics works with --format text or json")
        if arguments.config is not None and not os.path.isfile(arguments.config):
            raise UsageError(f"--config {arguments.config}: no such file")
    except UsageError as error:
        _print_error(str(error))
        return EXIT_ERROR

    config_errors = _ConfigErrors()
    configs = ConfigLoader(explicit=arguments.config, on_load=config_errors)
    discovery = discover_backlogs(arguments, configs)
    failed = 0
    for path in discovery.missing:
        _print_error(f"{path}: no such file or directory")
    disk = disk_files()
    rfcs_for = rfc_lookup()
    trackers_for = tracker_lookup(
        offline=arguments.offline,
        on_error=_print_error,
        on_warning=_print_warning,
        token_env=arguments.token_env,
        trusted_hosts=arguments.trusted_host or (),
    )
    results: list[report.FileResult] = []
    fixed: list[report.FixedRecord] = []
    with _LoggedProblems() as logged:
        for path in discovery.files:
            loaded = configs.for_path(path)
            settings = loaded.settings
            rfcs = rfcs_for(path, loaded)
            tracker = trackers_for(loaded)
            try:
                project = loaded.workspace  # files share issues and task IDs only inside one known project
                if arguments.fix:
                    result, repaired = fix_file(
                        path, settings, files=disk, select=select, ignore=ignore, rfcs=rfcs, tracker=tracker, project=project
                    )
                    fixed.extend(repaired)
                else:
                    result = check_file(
                        path, settings, files=disk, select=select, ignore=ignore, rfcs=rfcs, tracker=tracker, project=project
                    )
                results.append(result)
            except files.BinaryFile as error:
                _print_warning(str(error))  # not a backlog: a notice, not a failure
                results.append(report.FileResult(path, (), unreadable=error.reason, skipped=True))
            except files.UnreadableFile as error:
                # Listed in every format, and the run fails like one with findings (exit 2 is for
                # usage and configuration errors): the other files are checked all the same.
                _print_error(str(error))
                if error.reason == "no such file or directory":
                    failed += 1  # a path that is not there (a dangling link): a usage error, like a missing one
                else:
                    results.append(report.FileResult(path, (), unreadable=error.reason))
            except Exception as error:  # a bug in a rule or the parser: name the file, go on with the rest
                _print_error(f"{path}: internal error: {_describe(error)}")
                failed += 1
            failed += logged.report(path)

    results = with_findings_across_files(results)
    text_mode = arguments.format == "text"
    if arguments.statistics:
        report.write_statistics(results, sys.stdout, arguments.format)
    else:
        if fixed and text_mode:
            report.write_fixed_text(fixed, sys.stdout)
        report.FORMATS[arguments.format](results, sys.stdout)
    sys.stdout.flush()
    if not discovery.files and not discovery.missing:
        _print_warning("no backlog files found in " + ", ".join(arguments.paths))
    elif text_mode and (any(result.unreadable is None for result in results) or fixed):
        if fixed:
            print(report.fixed_summary(fixed), file=sys.stderr)
        print(report.summary(results), file=sys.stderr)

    if discovery.missing or failed or config_errors.count or trackers_for.errors:
        return EXIT_ERROR
    if arguments.exit_zero:
        return EXIT_CLEAN
    unchecked = any(result.unreadable is not None and not result.skipped for result in results)
    return EXIT_FINDINGS if unchecked or any(result.findings for result in results) else EXIT_CLEAN


class _ConfigErrors:
    """Prints each configuration file's errors as it is loaded (``ConfigLoader``'s ``on_load``), counting them."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self, loaded: LoadedConfig) -> None:
        for error in loaded.errors:
            if error.is_error:
                _print_error(str(error))
                self.count += 1
            else:  # ignored on purpose (a workspace's token-env): the rest of the run is sound
                _print_warning(str(error))


def discover_backlogs(arguments: argparse.Namespace, configs: Any) -> Any:
    """The files ``arguments.paths`` name as backlogs, by each one's configuration (``files.discover``)."""
    from .providers import project_files as files

    if arguments.config is not None:
        configs.for_path(arguments.config)  # its errors first, even when no file is found
    selections = files.Selections(configs.for_path)
    return files.discover(arguments.paths, selections.keep, filter_named=arguments.force_exclude)


def _report(arguments: argparse.Namespace) -> int:
    from . import progress_report
    from .providers import project_files as files
    from .parse import parse
    from .providers.config_file import ConfigLoader
    from .providers.git_history import GitHistoryError, check_revision, text_at

    if arguments.config is not None and not os.path.isfile(arguments.config):
        _print_error(f"--config {arguments.config}: no such file")
        return EXIT_ERROR
    config_errors = _ConfigErrors()
    configs = ConfigLoader(explicit=arguments.config, on_load=config_errors)
    discovery = discover_backlogs(arguments, configs)
    for path in discovery.missing:
        _print_error(f"{path}: no such file or directory")
    since = arguments.since
    if since is not None:
        try:
            check_revision(since, discovery.files[0] if discovery.files else (arguments.paths or ["."])[0])
        except GitHistoryError as error:
            _print_error(str(error))
            return EXIT_ERROR
    trackers_for = tracker_lookup(offline=True, on_error=_print_error, on_warning=_print_warning)
    results = []
    unreadable = 0
    for path in discovery.files:
        loaded = configs.for_path(path)
        try:
            backlog = parse(files.read_document(path).text)
            before = None
            if since is not None:
                old = text_at(since, path)
                before = None if old is None else parse(files.decode_document(path, old).text)
            tracker = trackers_for(loaded) if arguments.next else None
            results.append(
                progress_report.file_progress(
                    path, backlog, loaded.settings, tracker=tracker, ready=arguments.next, before=before, since=since is not None
                )
            )
        except files.BinaryFile as error:
            _print_warning(str(error))
        except (files.UnreadableFile, GitHistoryError) as error:
            _print_error(str(error))
            unreadable += 1
    progress_report.FORMATS[arguments.format](results, sys.stdout, since=since)
    sys.stdout.flush()
    if not discovery.files and not discovery.missing:
        _print_warning("no backlog files found in " + ", ".join(arguments.paths))
    if discovery.missing or config_errors.count:
        return EXIT_ERROR
    return EXIT_FINDINGS if unreadable else EXIT_CLEAN


class _LoggedProblems(logging.Handler):
    """Turns what the package logs while checking into one line each on stderr, naming the file.

    ``rules.check`` logs a rule that raised and goes on without its findings: for the CLI
    that is an internal error (exit 2, since findings may be missing), shown as one line
    and not the traceback the logging module would print.
    """

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.records: list[logging.LogRecord] = []
        self._logger = logging.getLogger(__package__)

    def __enter__(self) -> _LoggedProblems:
        self._propagate = self._logger.propagate
        self._logger.addHandler(self)
        self._logger.propagate = False
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._logger.removeHandler(self)
        self._logger.propagate = self._propagate

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)

    def report(self, path: str) -> int:
        """Print what was logged while ``path`` was checked; returns how many were errors."""
        errors = 0
        for record in self.records:
            message = record.getMessage().splitlines()[0] if record.getMessage() else ""
            if record.exc_info and record.exc_info[1] is not None:
                message += f" ({_describe(record.exc_info[1])})"
            if record.levelno >= logging.ERROR:
                _print_error(f"{path}: internal error: {message}")
                errors += 1
            else:
                _print_warning(f"{path}: {message}")
        self.records.clear()
        return errors


def rule_keys(values: Sequence[str] | None, option: str) -> list[str] | None:
    """``--select`` / ``--ignore`` values as rule keys; raises UsageError naming an unknown rule.

    Each value is comma-separated; a key is a rule name, a code, or a code prefix
    ("BL1": every BL1xx rule), codes in any case.
    """
    if not values:
        return None
    from .rules import all_rules

    rules = all_rules()
    keys: list[str] = []
    for value in values:
        for key in (part.strip() for part in value.split(",")):
            if not key:
                continue
            if any(key == rule.name for rule in rules):
                keys.append(key)
            elif any(rule.code.startswith(key.upper()) for rule in rules):
                keys.append(key.upper())
            else:
                raise UsageError(f"{option}: unknown rule {key!r}{_did_you_mean(key, rules)}; `{PROG} rules` lists them")
    return keys or None


def _did_you_mean(key: str, rules: Sequence[object]) -> str:
    import difflib

    names = [rule.name for rule in rules]  # type: ignore[attr-defined]
    close = difflib.get_close_matches(key, names, n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""


def disk_files() -> Files | None:
    """The file system as rules see it (``providers.files.DiskFiles``), one for the whole run so
    that a file linked from many backlogs is read for its headings once; None if it cannot load
    (rules that need the disk, such as broken-link, then stay quiet)."""
    try:
        from .providers.files import DiskFiles

        return DiskFiles()
    except Exception:  # an optional provider must not stop the check
        return None


def rfc_lookup() -> Callable[[str, LoadedConfig], Rfcs | None]:
    """A function giving the RFCs a file may cite: its project's RFC folders (each scanned once per
    run) and the shipped IETF index. Without them (an import or read failure) the RFC rules stay quiet."""
    try:
        from .providers.rfc_ietf import current_index
        from .providers.rfc_projects import ProjectRfcStore
        from .rfc import Rfcs, rfc_settings
    except Exception:  # an optional provider must not stop the check
        return lambda path, loaded: None
    store = ProjectRfcStore()

    def lookup(path: str, loaded: LoadedConfig) -> Rfcs | None:
        try:
            options = rfc_settings(loaded.settings.rfc)
            projects = store.for_document(os.path.abspath(path), loaded.root, options.dirs, wait=True)
            # The command line never downloads; with ietf-refresh it uses what the server cached.
            # Read when a file first cites an IETF RFC (``Rfcs.ietf``): most runs never load it.
            refresh = options.ietf_refresh
            return Rfcs(projects, lambda: current_index(refresh))
        except Exception:
            return None

    return lookup


class _TrackerLookup:
    """The issue tracker data for each configuration: built once, refreshed at most once per run.

    The same providers and on-disk cache as the language server. With ``--offline``, or when
    the cache is fresh, nothing goes to the network; a tracker that is down or refuses is a
    warning (the check goes on with the cache), a broken ``[issues]`` table an error.
    ``--token-env`` and ``--trusted-host`` are the user's own words: they layer over every
    configuration as trusted settings.
    """

    # A run must not hang on a tracker that does not answer.
    REFRESH_SECONDS = 30.0

    def __init__(
        self,
        offline: bool,
        on_error: Callable[[str], None],
        on_warning: Callable[[str], None],
        token_env: str | None = None,
        trusted_hosts: Sequence[str] = (),
    ):
        self.offline = offline
        self.on_error = on_error
        self.on_warning = on_warning
        self.errors = 0
        self._flags: dict[str, Any] = {}
        if token_env:
            self._flags["token-env"] = token_env
        if trusted_hosts:
            self._flags["trusted-hosts"] = list(trusted_hosts)
        self._services: dict[tuple[str | None, str | None], Any] = {}

    def __call__(self, loaded: LoadedConfig) -> Any:
        # By file and root, not by object: files without a configuration file each get their own
        # LoadedConfig, and the service's `git remote get-url origin` is to run once per repository.
        key = (loaded.path, loaded.root)
        if key not in self._services:
            self._services[key] = self._service(loaded)
        return self._services[key]

    def _service(self, loaded: LoadedConfig) -> Any:
        try:
            from . import config
            from .providers.trackers.service import IssueService
            from .providers.trackers.sources import is_composite, tracker_services
            from .tracker.settings import from_settings
        except Exception:  # an optional provider must not stop the check
            return None
        settings = loaded.settings
        if self._flags:
            settings, _ = config.apply({"issues": self._flags}, settings, source="command line", trusted=True)
        issues, errors = from_settings(settings, source=loaded.path or "configuration")
        for error in errors:
            self.on_error(str(error))
        self.errors += len(errors)
        if is_composite(issues):  # Jira, Linear (a service per project), or several sources
            try:
                return self._refreshed_parts(tracker_services(issues, loaded.root))
            except Exception as error:
                self.on_warning(f"issues: the tracker data cannot be used: {error}")
                return None
        try:
            service = IssueService(issues, loaded.root)
        except Exception as error:
            self.on_warning(f"issues: the tracker data cannot be used: {error}")
            return None
        if service.repository is None or self.offline or not (service.stale or service.fetched_at is None):
            return service
        try:
            # The failure is reported below, once, saying what the run goes on with; the service's
            # own log line (for the server's log) would repeat it under the first file's name.
            with _quiet(logging.getLogger(type(service).__module__)):
                result = asyncio.run(asyncio.wait_for(service.refresh(), self.REFRESH_SECONDS))
        except Exception as error:  # a timeout, or anything the provider did not expect
            self.on_warning(f"issues: the tracker did not answer ({type(error).__name__}); {_going_on_with(service)}")
            return service
        if result.error is not None:
            self.on_warning(f"issues: {result.error}; {_going_on_with(service)}")
        return service


    def _refreshed_parts(self, sources: Any) -> Any:
        for service in sources.parts:
            if service.repository is None or self.offline or not (service.stale or service.fetched_at is None):
                continue
            project = service.repository.slug
            try:
                with _quiet(logging.getLogger(type(service).__module__)):
                    result = asyncio.run(asyncio.wait_for(service.refresh(), self.REFRESH_SECONDS))
            except Exception as error:  # a timeout, or anything the provider did not expect
                self.on_warning(f"issues: the tracker did not answer for {project} ({type(error).__name__}); {_going_on_with(service)}")
                continue
            if result.error is not None:
                self.on_warning(f"issues: {result.error}; {_going_on_with(service)}")
        return sources


def _going_on_with(service: Any) -> str:
    """What a check whose tracker refresh failed goes on with: the cache, or nothing."""
    slug = service.repository.slug
    count = len(service)
    if service.fetched_at is None and count == 0:
        return f"nothing is cached for {slug} yet, so the checks that need its issues (BL305-BL307) did not run"
    return f"using the {count} cached issue{'' if count == 1 else 's'} of {slug}"


@contextlib.contextmanager
def _quiet(logger: logging.Logger) -> Iterator[None]:
    """Drops ``logger``'s records below ERROR while it is open."""

    def errors_only(record: logging.LogRecord) -> bool:
        return record.levelno >= logging.ERROR

    logger.addFilter(errors_only)
    try:
        yield
    finally:
        logger.removeFilter(errors_only)


def tracker_lookup(
    *,
    offline: bool,
    on_error: Callable[[str], None],
    on_warning: Callable[[str], None],
    token_env: str | None = None,
    trusted_hosts: Sequence[str] = (),
) -> _TrackerLookup:
    return _TrackerLookup(offline, on_error, on_warning, token_env, trusted_hosts)


def check_file(
    path: str,
    settings: Settings | None = None,
    *,
    files: Files | None = None,
    select: Sequence[str] | None = None,
    ignore: Sequence[str] | None = None,
    rfcs: Rfcs | None = None,
    tracker: Any = None,
    project: str | None = None,
) -> FileResult:
    """Read, parse and check one file; raises files.UnreadableFile when it cannot be read.

    With a ``project`` (the folder it shares issues and task IDs in), the result carries the
    file's facts for ``with_findings_across_files``.
    """
    from . import size_limit
    from .providers.project_files import read_document
    from .parse import parse
    from .report import FileResult

    document = read_document(path)
    backlog = parse(document.text)
    found = size_limit.check(
        backlog,
        settings,
        path=os.path.abspath(path),
        files=files,
        select=select,
        ignore=ignore,
        rfcs=rfcs,
        tracker=tracker,
        encoding=document.encoding,
    )
    facts = _facts(backlog, path, project, settings, select, ignore)
    return FileResult(path, tuple(found), tuple(backlog.lines), facts=facts)


def _facts(backlog: Any, path: str, project: str | None, settings: Settings | None, select: Any, ignore: Any) -> Any:
    from .rules.across_files import facts_of

    return facts_of(backlog, path, project, settings, select=select, ignore=ignore) if project is not None else None


def with_findings_across_files(results: Sequence[FileResult]) -> list[FileResult]:
    """The results with the cross-file rules' findings added (``rules.across_files``)."""
    import attrs

    from .rules.across_files import check_across

    facts = [result.facts for result in results if result.facts is not None]
    if len(facts) < 2:
        return list(results)
    across = check_across(facts)
    if not across:
        return list(results)
    merged = []
    for result in results:
        extra = across.get(result.facts.path) if result.facts is not None else None
        if extra:
            found = sorted((*result.findings, *extra), key=lambda finding: (finding.span, finding.code))
            result = attrs.evolve(result, findings=tuple(found))
        merged.append(result)
    return merged


def fix_file(
    path: str,
    settings: Settings | None = None,
    *,
    files: Files | None = None,
    select: Sequence[str] | None = None,
    ignore: Sequence[str] | None = None,
    rfcs: Rfcs | None = None,
    tracker: Any = None,
    project: str | None = None,
) -> tuple[FileResult, list[FixedRecord]]:
    """Apply the safe fixes to one file in place; returns what remains and what was fixed.

    The file is rewritten only when a fix changed it, keeping its BOM and every
    byte outside the edits. Raises files.UnreadableFile (or UnwritableFile).
    """
    from . import size_limit
    from .providers.project_files import read_document, write_atomically
    from .fixes import fix_all
    from .parse import parse
    from .report import FileResult, FixedRecord
    from .text import split_lines

    absolute = os.path.abspath(path)
    document = read_document(path)

    encoding = [document.encoding]

    def find(text: str) -> list:
        return size_limit.check(
            parse(text),
            settings,
            path=absolute,
            files=files,
            select=select,
            ignore=ignore,
            rfcs=rfcs,
            tracker=tracker,
            encoding=encoding[0],
        )

    reencoded = [finding for finding in find(document.text) if finding.code == "BL502"]
    if reencoded:
        encoding[0] = "utf-8"  # written back as UTF-8 below
    outcome = fix_all(document.text, find)
    if outcome.text != document.text or reencoded:
        write_atomically(path, document.encode(outcome.text))
    lines, _ = split_lines(outcome.text)
    repaired = [FixedRecord(path, finding, finding.fixes[0].title) for finding in reencoded]
    repaired += [FixedRecord(path, item.finding, item.fix.title) for item in outcome.fixed]
    facts = _facts(parse(outcome.text), path, project, settings, select, ignore) if project is not None else None
    return FileResult(path, outcome.remaining, tuple(lines), facts=facts), repaired


def _rules(arguments: argparse.Namespace) -> int:
    from . import report
    from .rules import all_rules

    if arguments.markdown:
        from .rules_doc import render

        sys.stdout.write(render())
    elif arguments.format == "json":
        report.write_rules_json(all_rules(), sys.stdout)
    else:
        report.write_rules_table(all_rules(), sys.stdout)
    return EXIT_CLEAN


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
