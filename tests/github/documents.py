"""Hypothesis strategies for backlog-like Markdown: lists, tasks, fences with and without info
strings, tabs, block quotes, lazy continuation lines, HTML blocks, headings, indented code."""

from __future__ import annotations

from hypothesis import strategies as st

_INDENTS = st.sampled_from(["", "", "", " ", "  ", "   ", "    ", "\t", "  \t", "      "])
_MARKERS = st.sampled_from(["-", "-", "*", "+", "1.", "2.", "10)", "1)"])
_BOXES = st.sampled_from(["", "", "[ ] ", "[x] ", "[X] ", "[~] ", "[ ]", "[x]\t", "[] "])
_WORDS = st.sampled_from(["task", "Step 1", "**bold** text", "`code`", "#12", "a\tb", "foo bar", "[link](x)"])
_FENCES = st.sampled_from(["```", "```", "```bash", "``` python", "~~~", "````", "~~~ yaml", "```js title"])
_QUOTES = st.sampled_from(["", "", "", "> ", ">", "> > ", ">\t"])


@st.composite
def _line(draw, tabs: bool, quotes: bool, inline_html: bool) -> str:
    indent = draw(_INDENTS)
    kind = draw(
        st.sampled_from(
            ["item", "item", "item", "fence", "text", "blank", "heading", "setext", "html", "break", "comment"]
        )
    )
    quote = draw(_QUOTES) if quotes else ""
    if kind == "item":
        body = f"{draw(_MARKERS)} {draw(_BOXES)}{draw(_WORDS)}"
    elif kind == "fence":
        body = draw(_FENCES)
    elif kind == "text":
        body = draw(_WORDS)
    elif kind == "blank":
        return quote.rstrip()
    elif kind == "heading":
        body = "#" * draw(st.integers(1, 7)) + " " + draw(_WORDS)
    elif kind == "setext":
        body = draw(st.sampled_from(["===", "---", "- - -"]))
    elif kind == "html":
        tags = ["<div>", "</div>", "<details>", "</details>"] + (["<br>", "<span>x</span>", "<img src=x>"] if inline_html else [])
        body = draw(st.sampled_from(tags))
    elif kind == "comment":
        body = draw(st.sampled_from(["<!--", "-->", "<!-- note -->"]))
    else:
        body = draw(st.sampled_from(["***", "___", "* * *"]))
    line = quote + indent + body
    return line if tabs else line.replace("\t", "    ")


def documents(tabs: bool = True, quotes: bool = True, inline_html: bool = True) -> st.SearchStrategy[str]:
    return st.lists(_line(tabs, quotes, inline_html), min_size=1, max_size=14).map(lambda lines: "\n".join(lines) + "\n")


_ITEM_WORDS = st.sampled_from(["task", "[ ] task", "[x] done", "**Task 1.2:** text", "[link](x)"])


@st.composite
def _list_line(draw) -> str:
    kind = draw(st.sampled_from(["item", "item", "item", "nested", "blank", "blank", "continued", "lazy", "deeper"]))
    if kind == "item":
        return f"{draw(st.sampled_from(['-', '-', '*', '1.']))} {draw(_ITEM_WORDS)}"
    if kind == "nested":
        return f"{draw(st.sampled_from(['  ', '   ', '    ']))}- {draw(_ITEM_WORDS)}"
    if kind == "blank":
        return draw(st.sampled_from(["", "", "  "]))
    if kind == "continued":
        return f"{draw(st.sampled_from(['  ', '    ']))}{draw(_WORDS)}"
    if kind == "deeper":
        return f"      {draw(_WORDS)}"
    return draw(_WORDS)  # a lazy line, or a paragraph after a blank line


def loose_lists() -> st.SearchStrategy[str]:
    """Lists with blank lines between their items and inside them (second paragraphs, subtasks,
    lazy lines): tight or loose as CommonMark decides from where the blank lines are."""
    return st.lists(_list_line(), min_size=2, max_size=16).map(lambda lines: "- task\n" + "\n".join(lines) + "\n")
