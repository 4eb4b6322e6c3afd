"""``python -m corskit``: the ``corskit`` command (see :mod:`corskit.cli`)."""

from __future__ import annotations

import sys

from corskit.cli import main

if __name__ == "__main__":
    sys.exit(main())
