"""corskit's version, read from the installed package's metadata.

The version is written once, in ``pyproject.toml``. This module is imported only when
``corskit.__version__`` is asked for: ``importlib.metadata`` costs tens of milliseconds, which
``import corskit`` and ``corskit --help`` do not pay.
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

__all__ = ["__version__"]

try:
    __version__: str = version("corskit")
except PackageNotFoundError:  # pragma: no cover - a source tree on sys.path, never installed
    __version__ = "0+unknown"
