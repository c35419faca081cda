"""Start the bundled backlog-ls language server on stdio.

The extension runs this file with the user's Python (3.10 or newer). ``../libs`` holds
backlog_ls and its pure-Python dependencies; it goes first on ``sys.path`` so that the
bundled versions win over whatever the user's site-packages hold.
"""

import os
import sys

MINIMUM = (3, 10)
LIBS = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "libs")


def main():
    if sys.version_info < MINIMUM:
        found = ".".join(map(str, sys.version_info[:3]))
        # No f-strings in this file: an old Python must reach this message, not a SyntaxError.
        sys.stderr.write("backlog-ls needs Python {}.{} or newer; {} is {}\n".format(*(MINIMUM + (sys.executable, found))))
        return 1
    if not os.path.isdir(os.path.join(LIBS, "backlog_ls")):
        sys.stderr.write("backlog-ls: the bundled server is missing from {}; reinstall the extension\n".format(LIBS))
        return 1
    sys.path.insert(0, LIBS)
    from backlog_ls.cli import main as cli_main

    # Arguments the client adds (vscode-languageclient may append --stdio) pass through.
    return cli_main(["serve"] + sys.argv[1:])


if __name__ == "__main__":
    sys.exit(main())
