"""``corskit lint``: validate CORS settings and print every problem from the catalogue.

Where the settings come from (TARGET):

* ``package.module:attr`` — a :class:`corskit.CORSPolicy`, a corskit ``CORSMiddleware``, a
  Starlette/FastAPI app (its CORS middleware is found as ``corskit check`` finds it; Starlette's
  own ``CORSMiddleware`` settings are checked with corskit's rules), or a ``dict`` of keywords.
  A module that raises :class:`corskit.CORSConfigError` while importing is reported too.
* ``env`` or ``env:PREFIX`` — environment variables ``CORS_ALLOW_ORIGINS``, ``CORS_ALLOW_METHODS``,
  ``CORS_PROFILE``... (prefix ``CORS_`` by default), read exactly as ``CORSPolicy.from_env``
  reads them.  Lists are JSON arrays or comma-separated; booleans are
  ``true``/``false``/``1``/``0``/``yes``/``no``.
* ``path/to/file.toml`` — a ``[cors]`` table, ``[tool.corskit]`` (pyproject.toml), or top-level
  keys, named like the keywords.  Needs Python 3.11+ (``tomllib``) or the ``tomli`` package.

Exit status: 0 no errors (warnings allowed), 1 errors found, 2 usage error.
"""

from __future__ import annotations

import argparse
from typing import Any

__all__ = ["register", "run"]


def register(subparsers: Any) -> None:
    """Add the ``lint`` subcommand."""
    p = subparsers.add_parser(
        "lint",
        help="validate CORS settings (policy, app, environment or TOML) and list every problem",
        description=__doc__.split("\n\n", 1)[1] if __doc__ else None,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument(
        "target", metavar="TARGET", help="package.module:attr, env[:PREFIX], or a .toml file"
    )
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.add_argument("--no-color", action="store_true", help="no colours (also: NO_COLOR=1)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Run ``corskit lint``: one library call, one renderer; returns the exit status."""
    import json
    import sys

    from corskit.doctor.lint import lint_json, lint_target, render_lint_text
    from corskit.doctor.render import use_colour

    report = lint_target(args.target)
    if args.json:
        sys.stdout.write(json.dumps(lint_json(report, args.target), indent=2) + "\n")
    else:
        sys.stdout.write(
            render_lint_text(report, colour=use_colour(sys.stdout, disabled=args.no_color))
        )
    return 1 if report.errors else 0
