from __future__ import annotations

import pytest

from backlog_ls.anchors import (
    Slugger,
    document_anchors,
    heading_anchors,
    heading_text,
    html_anchors,
    slug,
)
from backlog_ls.parse import parse


@pytest.mark.parametrize(
    ("title", "anchor"),
    [
        ("Phase 1: Scaffolding & Daemon Basics", "phase-1-scaffolding--daemon-basics"),
        ("Epoch 1: MVP (The Walking Skeleton)", "epoch-1-mvp-the-walking-skeleton"),
        ("Phase 2 — Orchestrator Service (Go)", "phase-2--orchestrator-service-go"),
        ("What's next?", "whats-next"),
        ("C++ / C# / F#", "c--c--f"),
        ("a  b", "a--b"),
        ("snake_case_name", "snake_case_name"),
        ("Set-up and tear-down", "set-up-and-tear-down"),
        ("v1.2.3 release", "v123-release"),
        ("Ünïcödé Straße", "ünïcödé-straße"),
        # Emoji are symbols: dropped, the space after them stays (a leading hyphen).
        ("🚧 Ship it", "-ship-it"),
        ("✅ Done 🎉", "-done-"),
        # A variation selector is a mark: kept, as GitHub does ("🛣️ Peer Routing" -> "️-peer-routing").
        ("🛣️ Peer Routing Records", "\ufe0f-peer-routing-records"),
        # CJK and other scripts are letters, with their marks.
        ("日本語の見出し", "日本語の見出し"),
        ("中文：标题（二）", "中文标题二"),
        ("한국어 제목", "한국어-제목"),
        ("हिन्दी शीर्षक", "हिन्दी-शीर्षक"),
        ("Ⓐ circled", "ⓐ-circled"),
        ("½ and ² are other numbers", "-and--are-other-numbers"),
        ("", ""),
    ],
)
def test_github_slugs(title, anchor):
    assert slug(heading_text(title)) == anchor


@pytest.mark.parametrize(
    ("title", "text"),
    [
        ("**Bold** and *em* and _under_ and __init__", "Bold and em and under and init"),
        ("snake_case stays", "snake_case stays"),
        ("Use `foo_bar()` here", "Use foo_bar() here"),
        ("[Linked](https://example.com) title", "Linked title"),
        ("![logo](logo.png) Name", " Name"),
        ("Tom &amp; Jerry &#169;", "Tom & Jerry ©"),
        ("<code>x</code> <!-- note --> y", "x  y"),
        ("Escaped \\_not emphasis\\_ and \\*", "Escaped _not emphasis_ and *"),
        ("[ref link][label] text", "ref link text"),
    ],
)
def test_heading_text_drops_markdown(title, text):
    assert heading_text(title) == text


def test_duplicates_are_numbered_like_github_slugger():
    slugger = Slugger()
    assert [slugger.slug(t) for t in ["Notes", "Notes", "Notes-1", "Notes", "notes"]] == [
        "notes",
        "notes-1",
        "notes-1-1",
        "notes-2",
        "notes-3",
    ]


def test_document_anchors_headings_setext_and_html():
    backlog = parse(
        "# Plan\n"
        "## Phase 1\n"
        "## Phase 1\n"
        "Setext Title\n"
        "============\n"
        '<a name="legacy-anchor"></a>\n'
        "\n"
        "Text with <span id='inline'>x</span> and <div ID=bare>.\n"
        "```\n"
        "# not a heading\n"
        "```\n"
    )
    assert [anchor for _, anchor in heading_anchors(backlog.headings)] == ["plan", "phase-1", "phase-1-1", "setext-title"]
    assert document_anchors(backlog) == {"plan", "phase-1", "phase-1-1", "setext-title", "legacy-anchor", "inline", "bare"}


def test_html_anchors_need_an_attribute_in_a_tag():
    assert html_anchors(['<a id="x">', "id=notatag", "<p class='c' name = \"y\">", "<b>no</b>", '<i data-id="z">']) == [
        "x",
        "y",
    ]
