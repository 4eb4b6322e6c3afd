"""``corskit explain [CODE | "<console message>"]``: a configuration problem code, or a pasted
browser console message.

* a code from ``corskit lint`` or :class:`corskit.CORSConfigError`: what it means, why it
  matters, how to fix it;
* a CORS console message pasted from Chromium, Firefox or Safari (the whole line, or the part
  after "blocked by CORS policy:"): what the browser saw, the likely causes ranked, and the
  exact ``corskit check`` command that tells which one it is (docs/console-messages.md);
* nothing: every code.

Exit status: 0, or 2 for text that is neither (with the codes listed).
"""

from __future__ import annotations

import argparse
from typing import Any

__all__ = ["register", "run"]


def register(subparsers: Any) -> None:
    """Add the ``explain`` subcommand."""
    p = subparsers.add_parser(
        "explain",
        help="explain a problem code or a pasted CORS console message (no argument: list codes)",
        description="Print what a problem code from `corskit lint` or CORSConfigError means, why it"
        " matters and how to fix it; or, for a CORS console message pasted from the browser, what"
        " the browser saw, the likely causes and the `corskit check` command that confirms one."
        " Without an argument, list every code.",
    )
    p.add_argument(
        "code",
        nargs="?",
        metavar="CODE_OR_MESSAGE",
        help="a problem code (e.g. wildcard-origin-with-credentials) or a console message",
    )
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(func=run)


def _write(text: str) -> None:
    import sys

    sys.stdout.write(text)


def _dump(data: Any) -> None:
    import json

    _write(json.dumps(data, indent=2) + "\n")


def _list_codes(as_json: bool) -> int:
    from corskit.problems import CATALOGUE

    if as_json:
        _dump(
            [{"code": i.code, "title": i.title, "severity": i.severity} for i in CATALOGUE.values()]
        )
        return 0
    width = max(len(c) for c in CATALOGUE)
    for info in CATALOGUE.values():
        mark = " (warning)" if info.severity == "warning" else ""
        _write(f"{info.code.ljust(width)}  {info.title}{mark}\n")
    return 0


def _explain_code(info: Any, as_json: bool) -> int:
    import textwrap

    if as_json:
        keys = ("code", "title", "severity", "why", "fix")
        _dump({k: getattr(info, k) for k in keys})
        return 0

    def fill(text: str) -> str:
        return textwrap.fill(text, width=100, initial_indent="  ", subsequent_indent="  ")

    _write(
        f"{info.code} ({info.severity}): {info.title}\n\nWhy it matters:\n{fill(info.why)}"
        f"\n\nFix:\n{fill(info.fix)}\n"
    )
    return 0


def _not_known(text: str) -> str:
    """One line for text that is neither a code nor a console message corskit knows."""
    import difflib

    from corskit.doctor.inputs.console_causes import unknown_text
    from corskit.problems import CATALOGUE

    word = text.strip().strip("[]").lower()
    if not word or any(c.isspace() for c in word):
        return unknown_text(text, list(CATALOGUE))
    close = difflib.get_close_matches(word, list(CATALOGUE), n=3, cutoff=0.6)
    hint = f"did you mean {', '.join(close)}?" if close else f"codes: {', '.join(CATALOGUE)}"
    return f"unknown problem code {text!r}, and not a CORS console message I know; {hint}"


def _explain_message(text: str, as_json: bool) -> int:
    """A pasted console message; raises CLIError for text that is not one."""
    from corskit.cli import CLIError
    from corskit.doctor.inputs.console import NotACORSMessage, parse_console_message
    from corskit.doctor.inputs.console_causes import (
        explain_console_message,
        render_console_explanation,
    )

    try:
        message = parse_console_message(text)
    except NotACORSMessage:
        raise CLIError(_not_known(text)) from None
    if as_json:
        _dump(explain_console_message(message))
    else:
        _write(render_console_explanation(message))
    return 0


def run(args: argparse.Namespace) -> int:
    """Run ``corskit explain``; returns the exit status."""
    from corskit.problems import CATALOGUE

    if args.code is None:
        return _list_codes(args.json)
    info = CATALOGUE.get(args.code.strip().strip("[]").lower())
    if info is not None:
        return _explain_code(info, args.json)
    return _explain_message(args.code, args.json)
