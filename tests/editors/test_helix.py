"""The Helix snippet editors/helix/languages.toml. Helix is not packaged for Debian 12, so it cannot
run here: the snippet is checked for parsing, for naming a command that starts the server, and
for showing only settings the server knows.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

from backlog_ls import config

from ..lsp_support import lsp_messages, lsp_stdin
from .conftest import put_backlog_ls_on_path

try:
    import tomllib
except ImportError:  # Python 3.10
    import tomli as tomllib

REPO = Path(__file__).resolve().parents[2]
HELIX_SNIPPET = REPO / "editors" / "helix" / "languages.toml"
SERVER_TIMEOUT = 60


def test_helix_snippet_adds_backlog_ls_to_markdown() -> None:
    snippet = tomllib.loads(HELIX_SNIPPET.read_text(encoding="utf-8"))

    assert snippet["language-server"]["backlog-ls"] == {"command": "backlog-ls", "args": ["serve"]}
    markdown = next(language for language in snippet["language"] if language["name"] == "markdown")
    assert "backlog-ls" in markdown["language-servers"]


def test_helix_snippet_command_starts_a_language_server(editor_env: dict[str, str], tmp_path: Path) -> None:
    server = tomllib.loads(HELIX_SNIPPET.read_text(encoding="utf-8"))["language-server"]["backlog-ls"]
    server_log = tmp_path / "server.log"
    put_backlog_ls_on_path(editor_env, tmp_path / "bin", server_log)
    initialize = {"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {"capabilities": {}}}
    stdin = lsp_stdin([initialize, {"jsonrpc": "2.0", "method": "exit"}])

    completed = subprocess.run(
        [server["command"], *server["args"]],
        input=stdin,
        cwd=tmp_path,
        env=editor_env,
        capture_output=True,
        check=False,
        timeout=SERVER_TIMEOUT,
    )

    replies = [message for message in lsp_messages(completed.stdout) if message.get("id") == 1]
    assert replies, f"no reply to initialize; stdout {completed.stdout!r}; stderr {server_log.read_text(encoding='utf-8')}"
    assert replies[0]["result"]["capabilities"]["hoverProvider"], replies


def test_helix_snippet_settings_example_uses_real_keys() -> None:
    """The commented settings example, uncommented, is TOML whose backlogLs table the server accepts."""
    lines = HELIX_SNIPPET.read_text(encoding="utf-8").splitlines()
    commented_toml = re.compile(r"# (\[.*\]|[\w-]+ = .*)$")
    example = "\n".join(match[1] for line in lines if (match := commented_toml.fullmatch(line)))

    settings = tomllib.loads(example)["language-server"]["backlog-ls"]["config"]["backlogLs"]

    assert settings, example
    assert config.apply(settings, source="editor settings")[1] == []
