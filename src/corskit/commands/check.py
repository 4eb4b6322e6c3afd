"""``corskit check``: what would the browser do with this cross-origin request, and why?

The request comes from the flags (TARGET, ``--origin``, ``-X``, ``-H`` ...), from a request copied
in the browser's DevTools (``--curl``, ``--fetch``), or from a HAR file (``--har``, every
cross-origin fetch/XHR in it).  See docs/inputs.md.

Exit status: 0 allowed, 1 blocked, 2 usage or connection error (one line on stderr).
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass, field
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
    p.add_argument("--timeout", type=float, default=10.0, help="seconds per request (default 10)")


def _add_output_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--json", action="store_true", help="print one JSON object instead of text")
    p.add_argument(
        "-v", "--verbose", action="store_true", help="show every request and response header"
    )
    p.add_argument("--no-color", action="store_true", help="no colours (also: NO_COLOR=1)")
    p.add_argument(
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


def parse_header(text: str) -> tuple[str, str]:
    """Parse ``'Name: value'``; raises :class:`ValueError` with a one-line message."""
    name, sep, value = text.partition(":")
    name = name.strip()
    if not sep or not name:
        raise ValueError(f"malformed header {text!r}: expected 'Name: value'")
    if any(c.isspace() for c in name):
        raise ValueError(f"malformed header {text!r}: the name contains white space")
    return name, value.strip()


# ------------------------------------------------------------------------------------------
# the request to check, from the flags or from a copy


@dataclass
class _Request:
    """What ``corskit check`` simulates; ``copied`` is the DevTools copy it came from."""

    target: str
    origin: str
    method: str
    headers: list[tuple[str, str]]
    credentials: str
    body: str | None
    cookie: str | None
    copied: Any = None
    secrets: list[tuple[str, str]] = field(default_factory=list)


def _usage(message: str) -> Exception:
    from corskit.cli import CLIError

    return CLIError(message)


def _flag_headers(args: argparse.Namespace) -> list[tuple[str, str]]:
    try:
        return [parse_header(h) for h in args.header]
    except ValueError as exc:
        raise _usage(str(exc)) from None


def _from_flags(args: argparse.Namespace) -> _Request:
    if args.target is None:
        raise _usage("give TARGET (a URL or package.module:app), or --curl, --fetch or --har")
    if args.origin is None:
        raise _usage("--origin is required with TARGET (the origin of the calling page)")
    headers = _flag_headers(args)
    return _Request(
        target=args.target,
        origin=args.origin,
        method=args.method or "GET",
        headers=headers,
        credentials=args.credentials or "same-origin",
        body=args.data,
        cookie=args.cookie,
        secrets=[*headers, *([("cookie", args.cookie)] if args.cookie else [])],
    )


def _from_copy(args: argparse.Namespace) -> _Request:
    from corskit.doctor.inputs.curl import parse_curl
    from corskit.doctor.inputs.fetchcopy import parse_fetch_copy
    from corskit.doctor.inputs.request import InputError

    flag = "--curl" if args.curl is not None else "--fetch"
    if args.target is not None:
        raise _usage(f"give TARGET or {flag}, not both (the copy names the URL)")
    try:
        copied = parse_curl(args.curl) if args.curl is not None else parse_fetch_copy(args.fetch)
    except InputError as exc:
        raise _usage(f"{flag}: {exc}") from None
    origin = args.origin or copied.origin
    if origin is None:
        raise _usage(f"{flag}: the copy has no Origin nor Referer header; give --origin")
    extra = _flag_headers(args)
    cookie = args.cookie or copied.cookie
    return _Request(
        target=copied.url,
        origin=origin,
        method=args.method or copied.method,
        headers=[*copied.script_headers, *extra],
        credentials=args.credentials or copied.credentials,
        body=args.data if args.data is not None else copied.body,
        cookie=cookie,
        copied=copied,
        secrets=[*copied.headers, *extra, *([("cookie", cookie)] if cookie else [])],
    )


def _copy_summary(req: _Request) -> list[str]:
    """Lines saying what was read from a DevTools copy (secrets masked)."""
    from corskit.doctor.inputs.request import mask

    copied = req.copied
    names = {"curl-bash": "Copy as cURL (bash)", "curl-cmd": "Copy as cURL (cmd)"}
    lines = [
        f"From DevTools' {names.get(copied.source, 'Copy as fetch')}: {req.method} {req.target}"
    ]
    where = {"origin": "its Origin header", "referer": "its Referer", "referrer": "its referrer"}
    given = "given with --origin" if req.origin != copied.origin else where[copied.origin_from]
    lines.append(f"  page origin   {req.origin} ({given})")
    shown = ", ".join(f"{n}: {mask(n, v)}" for n, v in req.headers) or "none"
    lines.append(f"  set by script {shown}")
    added = ", ".join(n for n, _ in copied.browser_headers) or "none"
    lines.append(f"  set apart     {added} (added by the browser itself)")
    why = " (a cookie was sent)" if copied.cookie and req.credentials == "include" else ""
    lines.append(f"  credentials   {req.credentials}{why}")
    lines += [f"  note: {n}" for n in copied.notes]
    return [*lines, ""]


def _copy_json(req: _Request) -> dict[str, Any]:
    copied = req.copied
    return {
        "source": copied.source,
        "url": req.target,
        "method": req.method,
        "origin": req.origin,
        "origin_from": copied.origin_from if req.origin == copied.origin else "--origin",
        "script_headers": [[n, v] for n, v in req.headers],
        "browser_headers": [n for n, _ in copied.browser_headers],
        "credentials": req.credentials,
        "notes": list(copied.notes),
    }


# ------------------------------------------------------------------------------------------
# running it


def _is_url(target: str) -> bool:
    """A URL target (sent with httpx), as opposed to an in-process ``module:app``."""
    return "://" in target or target.lower().startswith(("http:", "https:"))


def _require_extras(req: _Request, args: argparse.Namespace) -> None:
    """Name the missing extra in one line before anything is sent."""
    from corskit.doctor.errors import require

    if _is_url(req.target):
        require("httpx", "check of a URL")
    if args.browser:
        require("playwright", "check --browser")
        if not _is_url(req.target):
            require("uvicorn", "check --browser of an app")


def _simulate(req: _Request, args: argparse.Namespace) -> tuple[Any, Any]:
    """Simulate *req* (over the network or in-process) and diagnose it."""
    from corskit.doctor.appinfo import find_cors_settings
    from corskit.doctor.diagnose import diagnose
    from corskit.doctor.fetch import FetchInputError, simulate
    from corskit.doctor.transports import TransportError, open_transport

    try:
        transport, url = open_transport(req.target, timeout=args.timeout, path=args.path or "/")
    except TransportError as exc:
        raise _usage(str(exc)) from None
    app = getattr(transport, "app", None)
    in_process = app is not None
    try:
        outcome = simulate(
            transport,
            url,
            origin=req.origin,
            method=req.method,
            headers=req.headers,
            credentials=req.credentials,  # type: ignore[arg-type]
            body=req.body,
            body_stream=args.body_stream,
            kind="XMLHttpRequest" if args.xhr else "fetch",
            cookie=req.cookie,
            local_network_permission=args.local_network == "granted",
            target_address_space=None if in_process else "auto",
            resolve_dns=not in_process,
        )
    except (FetchInputError, TransportError) as exc:
        raise _usage(str(exc)) from None
    finally:
        transport.close()
    settings = find_cors_settings(app) if in_process else []
    return outcome, diagnose(outcome, settings, in_process=in_process, app=app)


def _in_browser(req: _Request, args: argparse.Namespace) -> Any:
    """The same request in real headless Chromium (``--browser``)."""
    from corskit.doctor.browser import INSTALL_HINT, BrowserUnavailable, browser_check
    from corskit.doctor.errors import BROWSER_HINT

    try:
        return browser_check(
            req.target,
            origin=req.origin,
            method=req.method,
            headers=req.headers,
            credentials=req.credentials,
            body=req.body,
            path=args.path,
            chromium_path=args.chromium,
            timeout=args.timeout,
        )
    except BrowserUnavailable as exc:  # the doctor's hint names a script of the repository
        raise _usage(f"--browser: {str(exc).replace(INSTALL_HINT, BROWSER_HINT)}") from None


def _print(
    req: _Request, outcome: Any, diagnosis: Any, report: Any, args: argparse.Namespace
) -> None:
    import json
    import sys

    from corskit.doctor.inputs.request import scrub_secrets
    from corskit.doctor.render import render_json, render_text, use_colour

    if args.json:
        data = render_json(outcome, diagnosis, target=req.target)
        if req.copied is not None:
            data["input"] = _copy_json(req)
        if report is not None:
            data["browser"] = report.to_json()
        text = json.dumps(data, indent=2) + "\n"
    else:
        colour = use_colour(sys.stdout, disabled=args.no_color)
        head = "\n".join(_copy_summary(req)) + "\n" if req.copied is not None else ""
        text = head + render_text(
            outcome, diagnosis, colour=colour, verbose=args.verbose, target=req.target
        )
        if report is not None:
            text += report.render_text(colour)
    if req.copied is not None:
        text = scrub_secrets(text, req.secrets)
    sys.stdout.write(text)
    sys.stdout.flush()


def _run_har(args: argparse.Namespace) -> int:
    """``--har FILE``: every cross-origin fetch/XHR of the file, diagnosed."""
    import json
    import sys

    from corskit.doctor.inputs.har import HarError, parse_har
    from corskit.doctor.inputs.har_check import (
        check_live,
        check_offline,
        har_json,
        render_har_report,
    )
    from corskit.doctor.render import use_colour

    if args.target is not None or args.origin is not None or args.browser:
        raise _usage(
            "--har reads the requests and their page origins from the file: no TARGET, --origin or --browser"
        )
    try:
        with open(args.har, "rb") as fh:
            items = parse_har(fh.read())
    except OSError as exc:
        raise _usage(f"cannot read {args.har}: {exc.strerror or exc}") from None
    except HarError as exc:
        raise _usage(f"--har {args.har}: {exc}") from None
    if args.live:
        from corskit.doctor.errors import require

        require("httpx", "check --har --live")
        results = [check_live(i, timeout=args.timeout, credentials=args.credentials) for i in items]
    else:
        results = [check_offline(i, credentials=args.credentials) for i in items]
    if args.json:
        sys.stdout.write(json.dumps(har_json(results), indent=2) + "\n")
    else:
        sys.stdout.write(
            render_har_report(results, colour=use_colour(sys.stdout, disabled=args.no_color))
        )
    sys.stdout.flush()
    return 1 if any(r.verdict == "blocked" for r in results) else 0


def run(args: argparse.Namespace) -> int:
    """Run ``corskit check``; returns the exit status."""
    if args.timeout <= 0:
        raise _usage("--timeout must be positive")
    if args.har is not None:
        return _run_har(args)
    if args.live:
        raise _usage("--live goes with --har (a TARGET or a copy is always sent live)")
    copied = args.curl is not None or args.fetch is not None
    req = _from_copy(args) if copied else _from_flags(args)
    _require_extras(req, args)
    outcome, diagnosis = _simulate(req, args)
    report = _in_browser(req, args) if args.browser else None
    _print(req, outcome, diagnosis, report, args)
    return 0 if outcome.verdict == "allowed" else 1
