from __future__ import annotations

from backlog_ls.rules import unclosed_fence

from .fixture import assert_findings, findings_for, fixed

NEVER_CLOSED = """\
## Setup
```bash
make install

## Tasks
- [ ] Ship it
- [x] Write it
"""


def test_a_fence_never_closed_says_how_much_github_shows_as_code():
    assert_findings(
        """
        ## Setup
        ```bash
        ^^^^^^^ BL205 warning: This fence is never closed: GitHub shows the remaining 5 lines, with 2 tasks and 1 heading, as code.
        make install

        ## Tasks
        - [ ] Ship it
        - [x] Write it
        """,
        rule="BL205",
    )


def test_its_fix_closes_the_block_before_the_next_heading_and_is_not_safe():
    (finding,) = findings_for(NEVER_CLOSED, rule="BL205")
    assert [(fix.title, fix.safe) for fix in finding.fixes] == [
        ("Close the code block before the next heading (line 5)", False)
    ]
    assert not finding.fixable
    assert fixed(NEVER_CLOSED, rule="BL205") == NEVER_CLOSED.replace("make install\n", "make install\n```\n")
    # After the fix, the tasks are tasks again and nothing is found.
    assert findings_for(fixed(NEVER_CLOSED, rule="BL205"), rule="BL205") == []


def test_before_the_next_task_list_or_at_the_end():
    text = "~~~~\ncode\n\n- [ ] task\n"
    assert fixed(text, rule="BL205") == "~~~~\ncode\n~~~~\n\n- [ ] task\n"
    (finding,) = findings_for("```\ncode\nmore", rule="BL205")
    assert finding.message == "This fence is never closed: GitHub shows the remaining 2 lines as code."
    assert finding.fixes[0].title == "Close the code block at the end of the file (after line 3)"
    assert fixed("```\ncode\nmore", rule="BL205") == "```\ncode\nmore\n```"


STRAY = """\
```markdown
Example:
```bash
run it
```
Done.
```

## Tasks
- [ ] One
- [ ] Two

```typescript
let x = 1;
```
"""


def test_a_stray_fence_after_a_closed_block_is_found_and_deleted():
    # The inner "```" closed the markdown block: the author's closing fence opens a new block,
    # which "```typescript" cannot close, so the tasks between are code on GitHub.
    (finding,) = findings_for(STRAY, rule="BL205")
    assert finding.span.start_line == 6
    assert finding.message == (
        "Stray fence: it opens a code block that closes only at line 15, since '```typescript' on line 13 opens"
        " no block inside it; GitHub shows 7 lines, with 2 tasks and 1 heading, as code, and the fences below"
        " pair up the other way round."
    )
    assert [fix.title for fix in finding.fixes] == [
        "Delete the stray fence on line 7",
        "Close the code block before the next heading (line 9)",
    ]
    repaired = fixed(STRAY, rule="BL205")
    assert repaired == STRAY.replace("Done.\n```\n", "Done.\n")
    assert findings_for(repaired, rule="BL205") == []


def test_closed_fences_are_fine():
    assert_findings(
        """
        ```bash
        make
        ```
        ````markdown
        ```bash
        nested, with a longer outer fence
        ```
        ````
        ~~~
        - [ ] in code
        ~~~~~
            indented code
        ```
        """,
        rule="BL205",
    )


def test_an_empty_fence_at_the_end_hides_nothing():
    assert findings_for("# Title\n\n```\n", rule="BL205") == []


def test_docstring_shows_bad_and_good():
    doc = unclosed_fence.__doc__
    assert doc.startswith("unclosed-fence (BL205): ")
    assert "\nBad:\n" in doc and "\nGood:\n" in doc
