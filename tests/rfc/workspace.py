"""A workspace laid out like example 002: docs/agent-context/plan-outline.md citing docs/rfcs/*.md."""

from __future__ import annotations

from pathlib import Path

RFCS = {
    "0026-configuration-hierarchy.md": (
        "---\n"
        'title: "Configuration Hierarchy"\n'
        "status: Accepted\n"
        "---\n\n"
        "# RFC 0026: Configuration Hierarchy\n\n"
        "Cascading configuration from global to project settings.\n"
    ),
    "0068-dependency-management.md": "# RFC 0068: Dependency Management\n\nStatus: Implemented\n\nKeep dependencies current.\n",
    "0068-cnb-library.md": "# CNB Library\n\n**Status**: Draft\n\n## Summary\n\nExtract the CNB client into a library.\n",
    "0069-host-first-execution.md": "# Host-First Execution\n\n- Status: Stage 3\n\nRun processes on the host.\n",
    "0069-rust-cnb-launcher.md": "# Rust CNB Launcher\n\nA clean-sheet launcher.\n",
    "0093-proxy-lazy-loading.md": "# Proxy Lazy Loading\n\n| Status | Implemented |\n|---|---|\n\nStart services on first request.\n",
    "0100-broken-front-matter.md": "---\ntitle: [unclosed\n  nested: {\n\nNo closing fence, and a body.\n",
    "README.md": "# RFCs\n\nHow we write RFCs.\n",
}

PLAN = """# Project Plan Outline

- Links are relative to `docs/agent-context/`.

### Phase 26: Configuration & Registry

**Goal**: Manage complexity via structure.
**RFC**: [docs/rfcs/0026-configuration-hierarchy.md](../rfcs/0026-configuration-hierarchy.md)

- [x] **Global Config**: Answer lookups as RFC 2378 (Ph) does.

### Phase 63: Dependency Hygiene

**RFC**: [docs/rfcs/0068-dependency-management.md](../rfcs/0068-dependency-management.md)

### Phase 64: Host-First Execution

**RFC**: [docs/rfcs/0069-host-first-execution.md](../rfcs/0069-host-first-execution.md)

### Phase 65: CNB Library Extraction

**RFC**: [docs/rfcs/0068-cnb-library.md](../rfcs/0068-cnb-library.md)

### Phase 66: Rust CNB Launcher

**RFC**: [docs/rfcs/0069-rust-cnb-launcher.md](../rfcs/0069-rust-cnb-launcher.md)

### Phase 67: Next

**RFC**: 
"""


def make_workspace(root: Path, plan: str = PLAN) -> Path:
    """Write the RFC folder (with a binary file in it) and the plan under ``root``; the plan's path."""
    rfcs = root / "docs" / "rfcs"
    rfcs.mkdir(parents=True)
    for name, text in RFCS.items():
        (rfcs / name).write_text(text, encoding="utf-8")
    (rfcs / "0101-binary.md").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    (rfcs / "0102-latin1.md").write_bytes("# Caf\xe9 menu\n\nStatus: Draft\n".encode("latin-1"))
    context = root / "docs" / "agent-context"
    context.mkdir(parents=True)
    path = context / "plan-outline.md"
    path.write_text(plan, encoding="utf-8")
    return path
