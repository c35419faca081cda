"""The VS Code extension end to end, in real VS Code: code-server 4.100.3 in Debian's Chromium.

A fresh code-server (new user data and extensions folders, its own HOME) installs the built
.vsix and opens a folder holding only ``BACKLOG.md`` (examples/BACKLOG.md): no ``.backlog-ls.toml``, and
a PATH with only the system's programs, whose ``python3`` cannot import backlog_ls. So the server
that answers is the one bundled in the .vsix, run by the system Python: the issue's "installing
the .vsix alone is enough".

``vscode/e2e.mjs`` drives the browser like a user and reports what it saw; this test decides
whether that is right, against what ``backlog-ls check`` (the same rules) finds in the file.
Installing code-server needs ``tests/editors/vscode/install.sh`` (it reaches npm; the test
itself never touches the network, except to build a missing or stale .vsix).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from backlog_ls.features.outline import plain_name
from backlog_ls.features.progress import marks, progress, section_label
from backlog_ls.parse import parse

from .conftest import EXAMPLE

REPO = Path(__file__).resolve().parents[2]
DRIVER_DIR = Path(__file__).resolve().parent / "vscode"
EXTENSION_DIR = REPO / "editors" / "vscode"
VSIX = EXTENSION_DIR / "build" / "backlog-ls.vsix"
ARTIFACTS = REPO / "build" / "e2e"
README_SCREENSHOT = REPO / "docs" / "images" / "vscode.png"
README_BACKLOG_VIEW = REPO / "docs" / "images" / "vscode-backlog-view.png"

# What the extension package is built from: its own sources and the Python package it bundles.
VSIX_SOURCES = [EXTENSION_DIR, REPO / "backlog_ls", REPO / "pyproject.toml"]
# Folders that are not sources of the package: build outputs, installed packages, the unit tests.
NOT_PACKAGED = {"node_modules", "out", "out-test", "build", "libs", "__pycache__", "test"}

SYSTEM_PATH = ["/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin"]
INSTALL_CODE_SERVER = "run tests/editors/vscode/install.sh (npm ci of code-server 4.100.3 and playwright-core)"
STEP_TIMEOUT_MS = 60_000
RUN_TIMEOUT_S = 600

RFC_CITATION = "RFC 2378"
RFC_TITLE = "The CCSO Nameserver (Ph) Architecture"  # RFC 2378's title, as the IETF index gives it
OPEN_TASK = "- [ ] **Task 2.2 (#TBD):**"
TICKED_TASK = "- [x] **Task 2.2 (#TBD):**"
PLACEHOLDER = "#TBD"
# The Backlog view: a section clicked (its heading's line is revealed), the heading whose inlay hint
# is read, a task ready to start and a done one (the filters show the first and not the second).
REVEALED_SECTION = "Phase 1: Foundations"  # then opened: the filters are seen on its tasks
HINTED_HEADING = "## Phase 1: Foundations"
READY_TASK = "**Task 1.4 (Issue #5):**"
DONE_TASK = "**Task 1.1 (Issue #1):**"


def require_node_tools() -> dict[str, str]:
    """node, npm, Chromium and the installed code-server; fails the test with how to install them."""
    tools = {}
    for name, install in [
        ("node", "apt-get install -y nodejs (Node 20)"),
        ("npm", "apt-get install -y npm"),
        ("chromium", "apt-get install -y chromium"),
    ]:
        path = shutil.which(name)
        if path is None:
            pytest.fail(f"{name} is not installed: {install}", pytrace=False)
        tools[name] = path
    code_server = DRIVER_DIR / "node_modules" / ".bin" / "code-server"
    playwright = DRIVER_DIR / "node_modules" / "playwright-core" / "package.json"
    if not code_server.exists() or not playwright.exists():
        pytest.fail(f"code-server or playwright-core is not installed in {DRIVER_DIR}: {INSTALL_CODE_SERVER}", pytrace=False)
    tools["code-server"] = str(code_server)
    return tools


def newest_source_time() -> float:
    newest = 0.0
    for source in VSIX_SOURCES:
        if source.is_file():
            newest = max(newest, source.stat().st_mtime)
            continue
        for folder, subfolders, files in os.walk(source):
            subfolders[:] = [name for name in subfolders if name not in NOT_PACKAGED]
            for name in files:
                newest = max(newest, (Path(folder) / name).stat().st_mtime)
    return newest


def built_vsix() -> Path:
    """The extension package, rebuilt with `npm run package` when missing or older than a source."""
    if VSIX.exists() and VSIX.stat().st_mtime >= newest_source_time():
        return VSIX
    if not (EXTENSION_DIR / "node_modules").is_dir():
        pytest.fail(f"{EXTENSION_DIR}/node_modules is missing: run npm --prefix editors/vscode ci", pytrace=False)
    build = subprocess.run(
        ["npm", "--prefix", str(EXTENSION_DIR), "run", "package"],
        capture_output=True, text=True, timeout=RUN_TIMEOUT_S, check=False,
    )
    if build.returncode != 0 or not VSIX.exists():
        output = (build.stdout + build.stderr)[-4000:]
        pytest.fail(f"npm --prefix editors/vscode run package failed (exit {build.returncode}):\n{output}", pytrace=False)
    return VSIX


def user_environment(editor_env: dict[str, str], node: str) -> dict[str, str]:
    """editor_env with the PATH of a machine where backlog-ls is not installed: system folders only."""
    path = list(SYSTEM_PATH)
    if str(Path(node).parent) not in path:
        path.append(str(Path(node).parent))
    env = {key: value for key, value in editor_env.items() if key not in ("VIRTUAL_ENV", "PYTHONPATH", "PYTHONHOME")}
    env["PATH"] = os.pathsep.join(path)
    return env


def system_python(env: dict[str, str], workspace: Path) -> str:
    """The python3 the extension will find; fails when it could run backlog-ls without the .vsix."""
    python = shutil.which("python3", path=env["PATH"])
    if python is None:
        pytest.fail("python3 is not installed: apt-get install -y python3 (the extension runs its server with it)", pytrace=False)
    probe = subprocess.run([python, "-c", "import backlog_ls"], env=env, cwd=workspace, capture_output=True, check=False)
    if probe.returncode == 0:
        pytest.fail(f"{python} imports backlog_ls: this test could not tell the bundled server from an installed one", pytrace=False)
    return python


def line_and_column(text: str, needle: str, line_prefix: str = "") -> tuple[int, int]:
    """1-based line and column of the first `needle` on a line starting with `line_prefix`."""
    for number, line in enumerate(text.splitlines(), start=1):
        if line.startswith(line_prefix) and needle in line:
            return number, line.index(needle) + 1
    raise AssertionError(f"{needle!r} not found in {EXAMPLE}")


def findings_of(text: str, tmp_path: Path, env: dict[str, str]) -> list[dict]:
    """What `backlog-ls check` (this repository's server rules) reports for `text` as BACKLOG.md."""
    folder = tmp_path / "check"
    folder.mkdir(exist_ok=True)
    (folder / "BACKLOG.md").write_text(text, encoding="utf-8")
    backlog_ls = Path(sys.executable).with_name("backlog-ls")
    command = [str(backlog_ls)] if backlog_ls.exists() else [sys.executable, "-m", "backlog_ls"]
    check = subprocess.run(
        [*command, "check", "--offline", "--format", "json", "BACKLOG.md"],
        cwd=folder, env={**env, "PATH": os.environ["PATH"]}, capture_output=True, text=True, check=False,
    )
    assert check.returncode in (0, 1), check.stderr
    return json.loads(check.stdout)


def view_sections(text: str) -> list[dict[str, str]]:
    """The rows the Backlog view shows for the example: its title's sections that hold tasks, each with
    the figure the progress hints show (features.progress, the counts the view is sent)."""
    backlog = parse(text)
    figures = progress(backlog).sections
    [title] = backlog.sections
    return [
        {"title": section.title, "progress": section_label(figures[section.heading.span.start_line])}
        for section in title.children
        if figures[section.heading.span.start_line].total
    ]


def heading_hint(text: str, heading: str) -> str:
    """The inlay hint's label on the heading line starting with `heading`."""
    backlog = parse(text)
    line = next(number for number, source in enumerate(backlog.lines) if source.startswith(heading))
    [mark] = [mark for mark in marks(backlog) if mark.line == line]
    return mark.label


def task_name(text: str, start: str) -> str:
    """A task's name as the Backlog view shows it: its first line without the Markdown marks."""
    line = next(line for line in text.splitlines() if start in line)
    return plain_name(line.split("] ", 1)[1])


def finding_at(findings: list[dict], line: int, column: int) -> dict:
    matches = [finding for finding in findings if (finding["line"], finding["column"]) == (line, column)]
    assert len(matches) == 1, f"expected one finding at {line}:{column}, got {matches}"
    return matches[0]


def stop_leftovers(home: Path) -> dict[int, str]:
    """Ends every process still running with this test's HOME (code-server, Chromium, the server)."""
    marker = f"HOME={home}".encode()
    leftovers = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            if marker in (entry / "environ").read_bytes().split(b"\0"):
                leftovers[int(entry.name)] = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()[:200]
        except OSError:
            continue  # ended meanwhile, or not ours to read
    for pid in leftovers:
        signal_quietly(pid, signal.SIGTERM)
    deadline = time.monotonic() + 5
    while any(map(running, leftovers)) and time.monotonic() < deadline:
        time.sleep(0.1)
    for pid in filter(running, leftovers):
        signal_quietly(pid, signal.SIGKILL)
    return leftovers


def running(pid: int) -> bool:
    """Whether `pid` still runs (a zombie waiting for its parent counts as ended)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat[stat.rindex(")") + 2] != "Z"


def signal_quietly(pid: int, signal_number: int) -> None:
    try:
        os.kill(pid, signal_number)
    except ProcessLookupError:
        pass


def failure_report(result: dict) -> str:
    extension_logs = "\n".join(f"--- {path}\n{text}" for path, text in (result.get("extensionHostLog") or {}).items())
    return (
        f"VS Code end-to-end step failed: {result.get('failedStep')}\n{result.get('error')}\n"
        f"screenshot: {result.get('failureScreenshot')}\n"
        f"--- what was seen before ---\n{json.dumps(result.get('observed'), indent=1)[:4000]}\n"
        f"--- the extension's output channel ---\n{extension_logs or '(none)'}\n"
        f"--- code-server log (tail) ---\n{result.get('logTail')}"
    )


def test_vsix_alone_shows_hover_and_diagnostics_in_code_server(tmp_path: Path, editor_env: dict[str, str]) -> None:
    tools = require_node_tools()
    vsix = built_vsix()
    manifest = json.loads((EXTENSION_DIR / "package.json").read_text(encoding="utf-8"))
    extension_id = f"{manifest['publisher']}.{manifest['name']}".lower()

    workspace = tmp_path / "project"
    workspace.mkdir()
    text = EXAMPLE.read_text(encoding="utf-8")
    (workspace / "BACKLOG.md").write_text(text, encoding="utf-8")
    env = user_environment(editor_env, tools["node"])
    python = system_python(env, workspace)

    rfc_line, rfc_column = line_and_column(text, RFC_CITATION)
    task_line, placeholder_column = line_and_column(text, PLACEHOLDER, line_prefix=OPEN_TASK)
    hint = finding_at(findings_of(text, tmp_path, env), task_line, placeholder_column)
    assert hint["severity"] == "hint", hint
    ticked_findings = findings_of(text.replace(OPEN_TASK, TICKED_TASK, 1), tmp_path, env)
    warning = finding_at(ticked_findings, task_line, placeholder_column)
    assert warning["severity"] == "warning", warning
    # What a user must see in the Problems panel after ticking: every finding but the hints, in
    # the panel's order (errors first, then warnings, each by position).
    rank = {"error": 0, "warning": 1, "info": 2}
    expected_problems = sorted(
        (finding for finding in ticked_findings if finding["severity"] != "hint"),
        key=lambda finding: (rank[finding["severity"]], finding["line"], finding["column"]),
    )

    screenshots = [ARTIFACTS / "vscode.png"]
    backlog_view_screenshots = [ARTIFACTS / "vscode-backlog-view.png"]
    if os.environ.get("UPDATE_SNAPSHOTS") == "1":
        screenshots.append(README_SCREENSHOT)
        backlog_view_screenshots.append(README_BACKLOG_VIEW)
    # Screenshots of an earlier run must not pass for this one's (the README's stay until replaced).
    for earlier in (ARTIFACTS / "vscode.png", ARTIFACTS / "vscode-backlog-view.png", ARTIFACTS / "vscode-failure.png"):
        earlier.unlink(missing_ok=True)
    ticked_text = text.replace(OPEN_TASK, TICKED_TASK, 1)
    sections = view_sections(text)
    backlog_view = {
        "sections": sections,
        "sectionsAfterToggle": view_sections(ticked_text),
        "reveal": {"title": REVEALED_SECTION, "line": line_and_column(text, REVEALED_SECTION, line_prefix="#")[0]},
        "readyTask": task_name(text, READY_TASK),
        "doneTask": task_name(text, DONE_TASK),
        "heading": {"text": HINTED_HEADING, "hint": heading_hint(text, HINTED_HEADING)},
        "screenshots": [str(path) for path in backlog_view_screenshots],
    }
    assert backlog_view["sectionsAfterToggle"] != sections  # ticking the task moves its section's figure
    config = {
        "codeServer": tools["code-server"],
        "chromium": tools["chromium"],
        "vsix": str(vsix),
        "workspace": str(workspace),
        "backlogName": "BACKLOG.md",
        "userDataDir": str(tmp_path / "user-data"),
        "extensionsDir": str(tmp_path / "extensions"),
        "browserProfile": str(tmp_path / "chromium-profile"),
        "codeServerLog": str(tmp_path / "code-server.log"),
        "rfcHover": {"line": rfc_line, "column": rfc_column + 1, "expect": RFC_TITLE},
        "toggle": {"line": task_line, "column": placeholder_column, "before": OPEN_TASK, "after": TICKED_TASK},
        "hint": {"message": hint["message"]},
        "warning": {"message": warning["message"]},
        "screenshots": [str(path) for path in screenshots],
        "backlogView": backlog_view,
        "failureScreenshot": str(ARTIFACTS / "vscode-failure.png"),
        "result": str(tmp_path / "result.json"),
        "stepTimeoutMs": STEP_TIMEOUT_MS,
    }
    (tmp_path / "config.json").write_text(json.dumps(config), encoding="utf-8")

    driver = subprocess.Popen(
        [tools["node"], str(DRIVER_DIR / "e2e.mjs"), str(tmp_path / "config.json")],
        cwd=DRIVER_DIR, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True,
    )
    try:
        driver_output, _ = driver.communicate(timeout=RUN_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        os.killpg(driver.pid, signal.SIGKILL)
        driver_output, _ = driver.communicate()
    finally:
        leftovers = stop_leftovers(Path(env["HOME"]))
        if leftovers:
            print("ended processes the driver left running:", *leftovers.values(), sep="\n  ")
    if not (tmp_path / "result.json").exists():
        pytest.fail(f"the driver wrote no result (exit {driver.returncode}):\n{driver_output[-4000:]}", pytrace=False)
    result = json.loads((tmp_path / "result.json").read_text(encoding="utf-8"))
    if not result["ok"]:
        pytest.fail(failure_report(result), pytrace=False)
    seen = result["observed"]

    # Installed from the .vsix alone, into an empty extensions folder.
    assert [name.lower() for name in seen["installedExtensions"]] == [f"{extension_id}-{manifest['version']}"]

    # Hover: the RFC's title from the server's bundled RFC index.
    assert RFC_TITLE in seen["rfcHover"]

    # Before the edit the placeholder is a hint: a dotted underline whose hover gives the message.
    assert seen["lineBeforeToggle"].startswith(OPEN_TASK)
    assert seen["hintDecorationsBeforeToggle"] > 0
    assert hint["message"] in seen["hintHover"]

    # Alt+C ticked the task under the cursor ...
    assert seen["lineAfterToggle"].startswith(TICKED_TASK)
    # ... and the Problems panel lists exactly what the rules report: the placeholder's warning.
    severity_words = {"error": "Error", "warning": "Warning", "info": "Info"}
    problem_labels = [label for label in seen["problemRows"] if " generated by " in (label or "")]
    assert problem_labels == [
        f"{severity_words[f['severity']]}: {f['message']} at line {f['line']} and character {f['column']}. generated by backlog-ls"
        for f in expected_problems
    ]
    # The row shows the source and the code: "backlog-ls(BL102)", rendered as two parts.
    assert any(warning["message"] in row and f"backlog-ls {warning['code']}" in row for row in seen["problems"]), seen["problems"]
    assert warning["message"] in seen["warningHover"]
    # What the hover promises is there: its status bar offers the finding's quick fix (Create issue
    # from task), which says what it needs here, where no tracker is configured.
    assert "Quick Fix" in seen["warningHover"] and "No quick fixes available" not in seen["warningHover"], seen["warningHover"]
    assert "(once a tracker that can file issues is configured)" in seen["warningHover"], seen["warningHover"]

    # The server that answered is the bundled one, run by the system's python3.
    assert len(seen["serverProcesses"]) == 1, seen["serverProcesses"]
    server = seen["serverProcesses"][0]
    assert os.path.realpath(server["executable"]) == os.path.realpath(python), server
    installed = Path(config["extensionsDir"]) / seen["installedExtensions"][0]
    assert any(Path(argument).is_relative_to(installed) for argument in server["argv"][1:]), server

    # The Backlog view: the example's sections in order, each with its figure ("4/6 · 67%") after a
    # bar; the same figures as the inlay hint the heading shows.
    section_rows = [row for row in seen["backlogRows"] if row["label"] in {section["title"] for section in sections}]
    assert [row["label"] for row in section_rows] == [section["title"] for section in sections]
    for row, section in zip(section_rows, sections):
        assert row["description"].startswith(section["progress"] + " "), row
        assert re.fullmatch(r"\d+/\d+ · \d+% [█░]{10}", row["description"]), row
    assert seen["headingLine"].startswith(HINTED_HEADING)
    assert seen["headingLine"].endswith(backlog_view["heading"]["hint"]), seen["headingLine"]
    assert seen["revealedLine"] == backlog_view["reveal"]["line"]
    ready, done = backlog_view["readyTask"], backlog_view["doneTask"]
    labels = {name: [row["label"] for row in seen[name]] for name in ("readyRows", "openRows", "allRows")}
    assert ready in labels["readyRows"] and done not in labels["readyRows"]
    assert ready in labels["openRows"] and done not in labels["openRows"]
    assert ready in labels["allRows"] and done in labels["allRows"]
    # After Alt+C ticked Task 2.2, the view shows Phase 2's new figure.
    after = {row["label"]: row["description"] for row in seen["backlogRowsAfterToggle"]}
    for section in backlog_view["sectionsAfterToggle"]:
        assert after[section["title"]].startswith(section["progress"] + " ")

    for screenshot in [*screenshots, *backlog_view_screenshots]:
        assert screenshot.stat().st_size > 0
