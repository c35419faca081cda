"""`backlog-ls check` runs the RFC rules with the project's RFC folder and the shipped IETF index."""

from __future__ import annotations

from pathlib import Path

from backlog_ls.cli import main

from .workspace import PLAN, make_workspace


def test_check_reports_rfc_findings(tmp_path: Path, monkeypatch, capsys):
    plan = make_workspace(tmp_path, PLAN + "- [ ] RFC 0094, RFC 2616 and [RFC 0093](../rfcs/0026-configuration-hierarchy.md)\n")
    (tmp_path / ".backlog-ls.toml").write_text("", encoding="utf-8")  # the project root
    monkeypatch.chdir(tmp_path)

    assert main(["check", "--select", "BL4", str(plan.relative_to(tmp_path))]) == 1

    out = capsys.readouterr().out.splitlines()
    assert out == [
        "docs/agent-context/plan-outline.md:22:10: warning BL403 RFC 0068 names two documents: "
        "'../rfcs/0068-dependency-management.md' (line 14) and '../rfcs/0068-cnb-library.md'.",
        "docs/agent-context/plan-outline.md:26:10: warning BL403 RFC 0069 names two documents: "
        "'../rfcs/0069-host-first-execution.md' (line 18) and '../rfcs/0069-rust-cnb-launcher.md'.",
        "docs/agent-context/plan-outline.md:31:7: warning BL402 No project RFC 0094: docs/rfcs/ has no file numbered 94.",
        "docs/agent-context/plan-outline.md:31:17: hint BL405 RFC 2616 (Hypertext Transfer Protocol -- HTTP/1.1) is "
        "obsoleted by RFC 7230, RFC 7231, RFC 7232, RFC 7233, RFC 7234 and RFC 7235; the current RFCs are "
        "RFC 9110, RFC 9111 and RFC 9112.",
        "docs/agent-context/plan-outline.md:31:31: warning BL404 The link text names RFC 0093 but the link goes to "
        "RFC 0026 ('../rfcs/0026-configuration-hierarchy.md').",
    ]


def test_rfc_dirs_from_the_configuration(tmp_path: Path, monkeypatch, capsys):
    (tmp_path / "design").mkdir()
    (tmp_path / "design" / "0007-cache.md").write_text("# Cache\n", encoding="utf-8")
    (tmp_path / ".backlog-ls.toml").write_text('[rfc]\ndirs = ["design"]\n', encoding="utf-8")
    (tmp_path / "BACKLOG.md").write_text("- [ ] RFC 0007 and RFC 0008 (#1)\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)

    assert main(["check", "--select", "BL4", "BACKLOG.md"]) == 1

    assert capsys.readouterr().out.splitlines() == [
        "BACKLOG.md:1:20: warning BL402 No project RFC 0008: design/ has no file numbered 8."
    ]
