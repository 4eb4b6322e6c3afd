"""``corskit check``: what would the browser do with this cross-origin request, and why?

The request comes from the flags (TARGET, ``--origin``, ``-X``, ``-H`` ...), from a request copied
in the browser's DevTools (``--curl``, ``--fetch``), or from a HAR file (``--har``, every
cross-origin fetch/XHR in it).  See docs/inputs.md.

Exit status: 0 allowed, 1 blocked (or allowed but a ``--read-header`` name cannot be read by
the page), 2 usage or connection error (one line on stderr).
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
which is called in-process (no server needed; --path picks the path).

Instead of TARGET, start from what the browser gave you: --curl / --fetch take a request
copied from DevTools' network panel ("Copy as cURL", "Copy as fetch"); --har FILE diagnoses
every cross-origin fetch/XHR of a HAR file offline, from the recorded answers."""

EPILOG = """\
examples:
  corskit check examples.quickstart:broken --origin http://localhost:5173 --method POST \\
      -H 'Content-Type: application/json' --path /items
  corskit check https://api.example.com/me --origin https://app.example.com --credentials include
  corskit check --curl "curl 'https://api.example.com/me' -H 'origin: https://app.example.com'"
  corskit check --fetch 'fetch("https://api.example.com/me", {"headers": {...}, "method": "GET"});'
  corskit check --har session.har            (add --live to re-send the requests, --json for a list)

exit status: 0 allowed, 1 blocked or a --read-header name the page cannot read,
2 usage or connection error"""


def register(subparsers: Any) -> None:
    """Add the ``check`` subcommand."""
    p = subparsers.add_parser(
        "check",
        help="simulate a browser's cross-origin request and explain why it is blocked",
        description=DESCRIPTION,
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument(
        "target",
        metavar="TARGET",
        nargs="?",
        default=None,
        help="http(s):// URL or package.module:app (not with --curl, --fetch or --har)",
    )
    p.add_argument(
        "--origin",
        default=None,
        help="origin of the calling page, e.g. http://localhost:5173 (with --curl/--fetch: "
        "default the copy's Origin, else its Referer's origin)",
    )
    _add_inputs(p)
    _add_request_options(p)
    _add_output_options(p)
    p.set_defaults(func=run)


def _add_inputs(p: argparse.ArgumentParser) -> None:
    source = p.add_mutually_exclusive_group()
    source.add_argument(
        "--curl",
        metavar="'curl ...'",
        default=None,
        help='a request copied with DevTools\' "Copy as cURL" (bash or cmd; Chromium, Firefox)',
    )
    source.add_argument(
        "--fetch",
        metavar="'fetch(...)'",
        default=None,
        help='a request copied with DevTools\' "Copy as fetch"',
    )
    source.add_argument(
        "--har",
        metavar="FILE",
        default=None,
        help="a HAR file from DevTools: diagnose every cross-origin fetch/XHR in it, offline",
    )
    p.add_argument(
        "--live",
        action="store_true",
        help="with --har: re-send each request to its server instead of using the recording",
    )


def _add_request_options(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "-X",
        "--method",
        default=None,
        help="method as the page's JavaScript writes it (default GET, or the copy's)",
    )
    p.add_argument(
        "-H",
        "--header",
        action="append",
        default=[],
        metavar="'Name: value'",
        help="request header set by the page (repeatable; added to a copy's)",
    )
    p.add_argument(
        "--credentials",
        choices=("omit", "same-origin", "include"),
        default=None,
        help="fetch() credentials mode (default same-origin, fetch()'s default; a copy that "
        "sent a cookie: include)",
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
    p.add_argument(
        "--page-url",
        metavar="URL",
        default=None,
        help="URL the calling page was served from (default: its origin); for --origin null"
        " (a sandboxed iframe) it decides Local Network Access, e.g. a page from"
        " http://localhost is a secure context in the loopback address space",
    )
    p.add_argument(
        "--read-header",
        metavar="NAME",
        action="append",
        default=[],
        help="a response header the page's script must read (repeatable): says whether it can"
        " and, if not, the expose_headers fix; the exit status is then 1",
    )
    p.add_argument(
        "--base-url",
        metavar="URL",
        default=None,
        help="for an app target: the URL the app is served at, e.g. http://localhost:8000, used"
        " for the request's Host and in the report (default: the report shows paths only)",
    )
    p.add_argument(
        "--timeout",
        type=float,
        default=10.0,
        help="seconds per request, and for an app's lifespan start-up (default 10)",
    )


def _add_output_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--json", action="store_true", help="print one JSON object instead of text")
    p.add_argument(
        "-v", "--verbose", action="store_true", help="show every request and response header"
    )
    p.add_argument("--no-color", action="store_true", help="no colours (also: NO_COLOR=1)")
    p.add_argument(
        "--browser",
        nargs="?",
        const="chromium",
        default=None,
        metavar="chromium|firefox",
        help="also run the request in headless Chromium (default) or Firefox from a page at"
        " --origin and flag any disagreement with the simulation's prediction for that browser"
        " (an app target is served on a loopback port)",
    )
    p.add_argument(
        "--chromium",
        metavar="PATH",
        default=None,
        help="Chromium binary for --browser (default: /usr/lib/chromium/chromium, /usr/bin/chromium, chromium on PATH)",
    )
    p.add_argument(
        "--firefox",
        metavar="PATH",
        default=None,
        help="Firefox binary for --browser firefox (default: firefox-esr, then firefox)",
    )


_HTTP_WHITESPACE = "\t\n\r "


def parse_header(text: str) -> tuple[str, str]:
    """Parse ``'Name: value'``; raises :class:`ValueError` with a one-line message."""
    name, sep, value = text.partition(":")
    name = name.strip()
    if not sep or not name:
        raise ValueError(f"malformed header {text!r}: expected 'Name: value'")
    if any(c.isspace() for c in name):
        raise ValueError(f"malformed header {text!r}: the name contains white space")
    # Fetch normalizes a header value by stripping HTTP whitespace only (tab, space, CR, LF):
    # https://fetch.spec.whatwg.org/#concept-header-value-normalize; a VT or FF stays.
    return name, value.strip(_HTTP_WHITESPACE)


# ------------------------------------------------------------------------------------------
# arguments -> the request; one library call; one renderer


def _usage(message: str) -> Exception:
    from corskit.doctor.errors import UsageError

    return UsageError(message)


def _options(args: argparse.Namespace) -> dict[str, Any]:
    """The request fields the flags give (None: not given)."""
    try:
        headers = [parse_header(h) for h in args.header]
    except ValueError as exc:
        raise _usage(str(exc)) from None
    return {
        "origin": args.origin,
        "method": args.method,
        "headers": headers,
        "credentials": args.credentials,
        "body": args.data,
        "cookie": args.cookie,
        "path": args.path,
        "body_stream": args.body_stream,
        "kind": "XMLHttpRequest" if args.xhr else "fetch",
        "local_network_granted": args.local_network == "granted",
        "page_url": args.page_url,
        "read_headers": list(args.read_header or []),
        "base_url": args.base_url,
    }


def _origin_of_page(page_url: str) -> str:
    """``--page-url`` without ``--origin``: the page's origin is the URL's."""
    from corskit.doctor.fetch.spec import origin_of_url

    try:
        return origin_of_url(page_url).serialize()
    except ValueError as exc:
        raise _usage(f"--page-url: malformed URL {page_url!r}: {exc}") from None


def _request(args: argparse.Namespace) -> Any:
    """The :class:`~corskit.doctor.check_request.CheckRequest` the arguments describe."""
    from corskit.doctor.check_request import CheckRequest, from_copy

    given = _options(args)
    if args.curl is None and args.fetch is None:
        if args.target is None:
            raise _usage("give TARGET (a URL or package.module:app), or --curl, --fetch or --har")
        if args.origin is None and args.page_url is None:
            raise _usage("--origin is required with TARGET (the origin of the calling page)")
        given = {k: v for k, v in given.items() if v is not None}
        if args.origin is None:
            given["origin"] = _origin_of_page(args.page_url)
        return CheckRequest(target=args.target, **given)
    from corskit.doctor.inputs.curl import parse_curl
    from corskit.doctor.inputs.fetchcopy import parse_fetch_copy
    from corskit.doctor.inputs.request import InputError

    flag = "--curl" if args.curl is not None else "--fetch"
    if args.target is not None:
        raise _usage(f"give TARGET or {flag}, not both (the copy names the URL)")
    try:
        copied = parse_curl(args.curl) if args.curl is not None else parse_fetch_copy(args.fetch)
        return from_copy(copied, **given)
    except InputError as exc:
        raise _usage(f"{flag}: {exc}") from None


def _run_har(args: argparse.Namespace) -> int:
    """``--har FILE``: every cross-origin fetch/XHR of the file, diagnosed."""
    import sys

    from corskit.doctor.check_request import check_har, render_har
    from corskit.doctor.render import use_colour

    per_request = (args.method, args.data, args.cookie, args.path)
    if args.target is not None or args.origin is not None or args.browser:
        raise _usage(
            "--har reads the requests and their page origins from the file:"
            " no TARGET, --origin or --browser"
        )
    if args.header or any(v is not None for v in per_request):
        raise _usage("--har checks each request as recorded: no -X, -H, -d, --cookie or --path")
    if args.read_header:
        raise _usage("--read-header goes with TARGET, --curl or --fetch (one request), not --har")
    results = check_har(
        args.har, live=args.live, timeout=args.timeout, credentials=args.credentials
    )
    colour = use_colour(sys.stdout, disabled=args.no_color)
    sys.stdout.write(render_har(results, as_json=args.json, colour=colour))
    return 1 if any(r.verdict == "blocked" for r in results) else 0


_BROWSERS = ("chromium", "firefox")


def _browser_name(args: argparse.Namespace) -> str | None:
    """The browser ``--browser`` names. ``--browser`` is followed by an optional name, so in
    ``--browser URL`` the URL is taken for the name: it is then the TARGET, and the browser
    Chromium."""
    name = args.browser
    if name is None or name.lower() in _BROWSERS:
        return name.lower() if name else None
    if args.target is None and ("://" in name or ":" in name):
        args.target = name
        return "chromium"
    raise _usage(f"--browser: unknown browser {name!r} (chromium or firefox)")


def run(args: argparse.Namespace) -> int:
    """Run ``corskit check``; returns the exit status."""
    import sys

    from corskit.doctor.check_request import render_check, run_check
    from corskit.doctor.render import use_colour

    if args.timeout <= 0:
        raise _usage("--timeout must be positive")
    if args.har is not None:
        return _run_har(args)
    if args.live:
        raise _usage("--live goes with --har (a TARGET or a copy is always sent live)")
    browser = _browser_name(args)
    req = _request(args)
    result = run_check(
        req,
        timeout=args.timeout,
        browser=browser or False,
        chromium=args.chromium,
        firefox=args.firefox,
    )
    colour = use_colour(sys.stdout, disabled=args.no_color)
    text = render_check(req, result, as_json=args.json, colour=colour, verbose=args.verbose)
    sys.stdout.write(text)
    sys.stdout.flush()
    return 0 if result.allowed and not result.unreadable else 1
