"""``corskit explain [CODE]``: one entry of the configuration-problem catalogue, or all codes.

Exit status: 0, or 2 for an unknown code (with the closest codes suggested).
"""

from __future__ import annotations

import argparse
from typing import Any

__all__ = ["register", "run"]


def register(subparsers: Any) -> None:
    """Add the ``explain`` subcommand."""
    p = subparsers.add_parser(
        "explain",
        help="explain a configuration problem code (no code: list them all)",
        description="Print what a problem code from `corskit lint` or CORSConfigError means, why it"
        " matters and how to fix it. Without CODE, list every code.",
    )
    p.add_argument(
        "code",
        nargs="?",
        metavar="CODE",
        help="a problem code, e.g. wildcard-origin-with-credentials",
    )
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Run ``corskit explain``; returns the exit status."""
    import difflib
    import json
    import sys
    import textwrap

    from corskit.cli import CLIError
    from corskit.problems import CATALOGUE

    if args.code is None:
        if args.json:
            json.dump(
                [
                    {"code": i.code, "title": i.title, "severity": i.severity}
                    for i in CATALOGUE.values()
                ],
                sys.stdout,
                indent=2,
            )
            sys.stdout.write("\n")
            return 0
        width = max(len(c) for c in CATALOGUE)
        for info in CATALOGUE.values():
            mark = " (warning)" if info.severity == "warning" else ""
            sys.stdout.write(f"{info.code.ljust(width)}  {info.title}{mark}\n")
        return 0
    code = args.code.strip().strip("[]").lower()
    found = CATALOGUE.get(code)
    if found is None:
        close = difflib.get_close_matches(code, list(CATALOGUE), n=3, cutoff=0.5)
        hint = (
            f"; did you mean {', '.join(close)}?"
            if close
            else "; run `corskit explain` to list all codes"
        )
        raise CLIError(f"unknown problem code {args.code!r}{hint}")
    info = found
    if args.json:
        json.dump(
            {
                "code": info.code,
                "title": info.title,
                "severity": info.severity,
                "why": info.why,
                "fix": info.fix,
            },
            sys.stdout,
            indent=2,
        )
        sys.stdout.write("\n")
        return 0

    def fill(text: str) -> str:
        return textwrap.fill(text, width=100, initial_indent="  ", subsequent_indent="  ")

    sys.stdout.write(
        f"{info.code} ({info.severity}): {info.title}\n\nWhy it matters:\n{fill(info.why)}\n\nFix:\n{fill(info.fix)}\n"
    )
    return 0
