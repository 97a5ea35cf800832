"""``python -m emcore MODEL ...``: see :mod:`emcore.cli`."""

import sys

from emcore.cli import main

if __name__ == "__main__":
    sys.exit(main())
