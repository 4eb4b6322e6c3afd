"""``corskit check``: what would the browser do with this cross-origin request, and why?

Exit status: 0 allowed, 1 blocked, 2 usage or connection error (one line on stderr).
"""

from __future__ import annotations

import argparse
from typing import Any

__all__ = ["parse_header", "register", "run"]

DESCRIPTION = """\
Simulate a browser's fetch() from a page at ORIGIN to TARGET exactly as Chromium does it
(preflight, CORS checks, redirects), print every step, the verdict, the exact console
message Chromium (and Firefox) would print, the cause and the fix.

TARGET is an http(s):// URL, or an import path 'package.module:app' of an ASGI or WSGI app,
which is called in-process (no server needed; --path picks the path)."""

EPILOG = """\
examples:
  corskit check examples.quickstart:broken --origin http://localhost:5173 --method POST \\
      -H 'Content-Type: application/json' --path /items
  corskit check https://api.example.com/me --origin https://app.example.com --credentials include
  corskit check http://127.0.0.1:8000/items --origin http://localhost:5173 --method patch --json

exit status: 0 allowed, 1 blocked, 2 usage or connection error"""


def register(subparsers: Any) -> None:
    """Add the ``check`` subcommand."""
    p = subparsers.add_parser(
        "check",
        help="simulate a browser's cross-origin request and explain why it is blocked",
        description=DESCRIPTION,
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("target", metavar="TARGET", help="http(s):// URL or package.module:app")
    p.add_argument(
        "--origin", required=True, help="origin of the calling page, e.g. http://localhost:5173"
    )
    p.add_argument(
        "-X",
        "--method",
        default="GET",
        help="method as the page's JavaScript writes it (default GET)",
    )
    p.add_argument(
        "-H",
        "--header",
        action="append",
        default=[],
        metavar="'Name: value'",
        help="request header set by the page (repeatable)",
    )
    p.add_argument(
        "--credentials",
        choices=("omit", "same-origin", "include"),
        default="same-origin",
        help="fetch() credentials mode (default same-origin, fetch()'s default)",
    )
    p.add_argument(
        "--body-stream",
        action="store_true",
        help="the body is a ReadableStream (always preflighted)",
    )
    p.add_argument(
        "-d",
        "--data",
        default=None,
        help="request body as a string (fetch adds Content-Type: text/plain;charset=UTF-8 unless set)",
    )
    p.add_argument(
        "--cookie",
        default=None,
        help="Cookie header the browser holds for the target (sent only when credentials allow)",
    )
    p.add_argument(
        "--path",
        default=None,
        help="path for an app target (default /); for a URL, replaces its path",
    )
    p.add_argument(
        "--xhr", action="store_true", help="word messages as for XMLHttpRequest instead of fetch()"
    )
    p.add_argument(
        "--local-network",
        choices=("denied", "granted"),
        default="denied",
        help="Local Network Access permission for a public page calling a private address (default denied)",
    )
    p.add_argument("--timeout", type=float, default=10.0, help="seconds per request (default 10)")
    p.add_argument("--json", action="store_true", help="print one JSON object instead of text")
    p.add_argument(
        "-v", "--verbose", action="store_true", help="show every request and response header"
    )
    p.add_argument("--no-color", action="store_true", help="no colours (also: NO_COLOR=1)")
    p.add_argument(  # issue 4: the same request in real headless Chromium
        "--browser",
        action="store_true",
        help="also run the request in headless Chromium from a page at --origin and flag any "
        "disagreement with the simulation (an app target is served on a loopback port)",
    )
    p.add_argument(
        "--chromium",
        metavar="PATH",
        default=None,
        help="Chromium binary for --browser (default: /usr/lib/chromium/chromium, /usr/bin/chromium, chromium on PATH)",
    )
    p.set_defaults(func=run)


def parse_header(text: str) -> tuple[str, str]:
    """Parse ``'Name: value'``; raises :class:`ValueError` with a one-line message."""
    name, sep, value = text.partition(":")
    name = name.strip()
    if not sep or not name:
        raise ValueError(f"malformed header {text!r}: expected 'Name: value'")
    if any(c.isspace() for c in name):
        raise ValueError(f"malformed header {text!r}: the name contains white space")
    # Fetch normalises a header value by stripping HTTP whitespace (tab, space, CR, LF) only:
    # a vertical tab or form feed stays and makes the value not CORS-safelisted.
    return name, value.strip(HTTP_WHITESPACE)


HTTP_WHITESPACE = " \t\r\n"


def run(args: argparse.Namespace) -> int:
    """Run ``corskit check``; returns the exit status."""
    import json
    import sys

    from corskit.cli import CLIError
    from corskit.doctor.appinfo import find_cors_settings
    from corskit.doctor.diagnose import diagnose
    from corskit.doctor.fetch import FetchInputError, simulate
    from corskit.doctor.render import render_json, render_text, use_colour
    from corskit.doctor.transports import TransportError, open_transport

    try:
        headers = [parse_header(h) for h in args.header]
    except ValueError as exc:
        raise CLIError(str(exc)) from None
    if args.timeout <= 0:
        raise CLIError("--timeout must be positive")
    try:
        transport, url = open_transport(args.target, timeout=args.timeout, path=args.path or "/")
    except TransportError as exc:
        raise CLIError(str(exc)) from None
    app = getattr(transport, "app", None)
    in_process = app is not None
    try:
        try:
            outcome = simulate(
                transport,
                url,
                origin=args.origin,
                method=args.method,
                headers=headers,
                credentials=args.credentials,
                body=args.data,
                body_stream=args.body_stream,
                kind="XMLHttpRequest" if args.xhr else "fetch",
                cookie=args.cookie,
                local_network_permission=args.local_network == "granted",
                target_address_space=None if in_process else "auto",
                resolve_dns=not in_process,
            )
        except (FetchInputError, TransportError) as exc:
            raise CLIError(str(exc)) from None
    finally:
        transport.close()
    settings = find_cors_settings(app) if in_process else []
    diagnosis = diagnose(outcome, settings, in_process=in_process, app=app)
    browser_report = None
    if getattr(args, "browser", False):  # the same request in real Chromium (issue 4)
        from corskit.doctor.browser import BrowserUnavailable, browser_check

        try:
            browser_report = browser_check(
                args.target,
                origin=args.origin,
                method=args.method,
                headers=headers,
                credentials=args.credentials,
                body=args.data,
                path=args.path,
                chromium_path=args.chromium,
                timeout=args.timeout,
            )
        except BrowserUnavailable as exc:
            raise CLIError(f"--browser: {exc}") from None
    if args.json:
        data = render_json(outcome, diagnosis, target=args.target)
        if browser_report is not None:
            data["browser"] = browser_report.to_json()
        json.dump(data, sys.stdout, indent=2)
        sys.stdout.write("\n")
    else:
        colour = use_colour(sys.stdout, disabled=args.no_color)
        sys.stdout.write(
            render_text(outcome, diagnosis, colour=colour, verbose=args.verbose, target=args.target)
        )
        if browser_report is not None:
            sys.stdout.write(browser_report.render_text(colour))
    sys.stdout.flush()
    return 0 if outcome.verdict == "allowed" else 1
