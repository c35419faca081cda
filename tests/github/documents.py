"""Hypothesis strategies for backlog-like Markdown: lists, tasks, fences with and without info
strings, tabs, block quotes, lazy continuation lines, HTML blocks, headings, indented code."""

from __future__ import annotations

from hypothesis import strategies as st

NO_TABS = False
_INDENTS = st.sampled_from(["", "", "", " ", "  ", "   ", "    ", "\t", "  \t", "      "])
_MARKERS = st.sampled_from(["-", "-", "*", "+", "1.", "2.", "10)", "1)"])
_BOXES = st.sampled_from(["", "", "[ ] ", "[x] ", "[X] ", "[~] ", "[ ]", "[x]\t", "[] "])
_WORDS = st.sampled_from(["task", "Step 1", "**bold** text", "`code`", "#12", "a\tb", "foo bar", "[link](x)"])
_FENCES = st.sampled_from(["```", "```", "```bash", "``` python", "~~~", "````", "~~~ yaml", "```js title"])
_QUOTES = st.sampled_from(["", "", "", "> ", ">", "> > ", ">\t"])


@st.composite
def _line(draw) -> str:
    indent = draw(_INDENTS)
    kind = draw(
        st.sampled_from(
            ["item", "item", "item", "fence", "text", "blank", "heading", "setext", "html", "break", "comment"]
        )
    )
    quote = draw(_QUOTES)
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
        body = draw(st.sampled_from(["<div>", "</div>", "<details>", "<br>", "<span>x</span>", "<img src=x>"]))
    elif kind == "comment":
        body = draw(st.sampled_from(["<!--", "-->", "<!-- note -->"]))
    else:
        body = draw(st.sampled_from(["***", "___", "* * *"]))
    return (quote + indent + body).replace("\t", "    ") if NO_TABS else quote + indent + body


documents = st.lists(_line(), min_size=1, max_size=14).map(lambda lines: "\n".join(lines) + "\n")
