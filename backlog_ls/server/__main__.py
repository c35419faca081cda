import sys

from .app import start

sys.exit(start())
