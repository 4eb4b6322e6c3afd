"""``corskit audit TARGET``: probe an API for exploitable CORS misconfigurations.

Exit status: 0 when no finding reaches ``--fail-on`` (default ``high``), 1 when one does,
2 on usage or connection errors (one line on stderr, never a traceback).
"""

from __future__ import annotations

import argparse
import re
from typing import Any

__all__ = ["register", "run"]

_SEVERITIES = ("high", "medium", "low", "info")  # corskit.doctor.audit_report.SEVERITIES
_COOKIE = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+=[^\x00-\x1f\x7f]*")

_EPILOG = """\
examples:
  corskit audit https://api.example.com/me --origin https://app.example.com
  corskit audit myproject.main:app --path /api/me --path /api/orders --json
  corskit audit https://api.example.com/me --credentials-cookie 'session=...' --sarif cors.sarif --fail-on medium

Probes are GET and OPTIONS requests with forged Origin headers (never a state-changing
method); redirects to other sites are not followed.  See docs/audit.md.
"""


def register(subparsers: Any) -> None:
    """Add the ``audit`` subcommand to the ``corskit`` parser."""
    p = subparsers.add_parser(
        "audit",
        help="probe an API for exploitable CORS misconfigurations (CI-friendly)",
        description=(
            "Send forged-Origin GET and OPTIONS probes to TARGET (an http(s) URL or an\n"
            "in-process package.module:app) and report the CORS misconfigurations an attacker\n"
            "could exploit, with evidence and the fix."
        ),
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument(
        "target", metavar="TARGET", help="http(s)://host[:port]/path or package.module:app"
    )
    p.add_argument("--json", action="store_true", help="print the report as JSON on stdout")
    p.add_argument("--sarif", metavar="FILE", help="also write a SARIF 2.1.0 log to FILE")
    p.add_argument(
        "--fail-on",
        choices=_SEVERITIES,
        default="high",
        help="exit 1 when a finding is at least this severe (default: high)",
    )
    p.add_argument(
        "--concurrency",
        type=int,
        default=8,
        metavar="N",
        help="requests in flight (1-64, default 8)",
    )
    p.add_argument(
        "--path",
        action="append",
        default=[],
        metavar="P",
        help="path to audit on the target (repeatable; default: the URL's own path, or /)",
    )
    p.add_argument(
        "--origin",
        action="append",
        default=[],
        metavar="ORIGIN",
        help="a known-good origin of your front-end (repeatable); look-alike probes are derived "
        "from it (default: discovered from the server's answers)",
    )
    p.add_argument(
        "--credentials-cookie",
        metavar="NAME=VALUE",
        help="send this cookie with GET probes to test a credentialed endpoint",
    )
    p.add_argument(
        "--timeout",
        type=float,
        default=10.0,
        metavar="SECONDS",
        help="per-request timeout (default 10)",
    )
    p.add_argument(
        "--time-limit",
        type=float,
        default=120.0,
        metavar="SECONDS",
        help="stop the whole audit after this long (default 120)",
    )
    p.add_argument(
        "--max-requests",
        type=int,
        default=2000,
        metavar="N",
        help="most requests to send (default 2000)",
    )
    p.add_argument(
        "--no-discover",
        action="store_true",
        help="do not probe common dev origins to discover trusted origins",
    )
    p.set_defaults(func=run)


def _usage(message: str) -> Exception:
    from corskit.cli import CLIError

    return CLIError(message)


def _validate(args: argparse.Namespace) -> None:
    from corskit.doctor.audit.probes import split_origin

    if not 1 <= args.concurrency <= 64:
        raise _usage("--concurrency must be between 1 and 64")
    for name in ("timeout", "time_limit"):
        value = getattr(args, name)
        if not value > 0 or value != value or value > 86400:
            raise _usage(f"--{name.replace('_', '-')} must be a positive number of seconds")
    if args.max_requests < 1:
        raise _usage("--max-requests must be at least 1")
    for origin in args.origin:
        try:
            split_origin(origin)
        except ValueError as exc:
            raise _usage(f"--origin {exc}") from None
    if args.credentials_cookie is not None:
        cookie = args.credentials_cookie.strip()
        parts = [c.strip() for c in cookie.split(";") if c.strip()]
        if not parts or not all(_COOKIE.fullmatch(c) for c in parts):
            raise _usage("--credentials-cookie must look like NAME=VALUE (e.g. 'session=abc123')")
        args.credentials_cookie = "; ".join(parts)
    for path in args.path:
        if not path or any(c in path for c in " \t\r\n") or "://" in path:
            raise _usage(f"--path {path!r} is not a path (e.g. /api/me)")


def _options(args: argparse.Namespace, progress: Any) -> Any:
    from corskit.doctor.audit import AuditOptions

    return AuditOptions(
        paths=list(args.path),
        origins=list(dict.fromkeys(args.origin)),
        cookie=args.credentials_cookie,
        concurrency=args.concurrency,
        timeout=args.timeout,
        time_limit=args.time_limit,
        max_requests=args.max_requests,
        discover=not args.no_discover,
        progress=progress,
    )


def run(args: argparse.Namespace) -> int:
    """Handle ``corskit audit``: arguments, one audit, one renderer; returns the exit status."""
    import json
    import sys

    _validate(args)
    from corskit.doctor.audit import AuditError, run_audit
    from corskit.doctor.audit_report import Progress, render_text
    from corskit.doctor.render import use_colour

    progress = Progress(sys.stderr)
    try:
        report = run_audit(args.target, _options(args, progress))
    except AuditError as exc:
        raise _usage(str(exc)) from None
    finally:
        progress.close()
    if args.sarif:
        _write_sarif(report, args.sarif)
    if args.json:
        sys.stdout.write(json.dumps(report.to_dict(), indent=2) + "\n")
    else:
        sys.stdout.write(render_text(report, color=use_colour(sys.stdout)))
    return 1 if report.fails(args.fail_on) else 0


def _write_sarif(report: Any, path: str) -> None:
    from corskit.doctor.sarif import write_sarif

    try:
        write_sarif(report, path)
    except OSError as exc:
        raise _usage(f"cannot write {path}: {exc.strerror or exc}") from None
