"""Subcommands of the ``corskit`` executable, one module per command.

Each module exposes ``register(subparsers) -> None`` (see :mod:`corskit.cli` for the
convention).  Modules here import only the standard library at import time so that
``corskit --help`` starts quickly; the real work is imported inside the handlers.
"""
