"""``corskit audit TARGET``: probe an API for exploitable CORS misconfigurations.

Exit status: 0 when no finding reaches ``--fail-on`` (default ``high``), 1 when one does,
2 on usage or connection errors (one line on stderr, never a traceback).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import textwrap
import time
from typing import IO, TYPE_CHECKING, Any

if TYPE_CHECKING:
    from corskit.doctor.audit import AuditReport, Finding

__all__ = ["Progress", "register", "render_text", "run"]

_SEVERITIES = ("high", "medium", "low", "info")
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
    from corskit.doctor.audit_probes import parse_origin

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
            parse_origin(origin)
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


class Progress:
    """A one-line progress display on a terminal (stderr); silent elsewhere."""

    def __init__(self, stream: IO[str]) -> None:
        self.stream = stream
        self.enabled = _isatty(stream)
        self._last = 0.0
        self._shown = False
        self._started = time.monotonic()

    def __call__(self, done: int, planned: int) -> None:
        """Show ``done``/``planned`` probes (at most ~15 redraws per second)."""
        if not self.enabled:
            return
        now = time.monotonic()
        if done < planned and now - self._last < 0.066:
            return
        self._last = now
        width = 24
        filled = int(width * done / planned) if planned else 0
        bar = "#" * filled + "." * (width - filled)
        line = f"corskit audit [{bar}] {done}/{planned} probes  {now - self._started:4.1f}s"
        self.stream.write("\r\x1b[2K" + line)
        self.stream.flush()
        self._shown = True

    def close(self) -> None:
        """Erase the progress line."""
        if self.enabled and self._shown:
            self.stream.write("\r\x1b[2K")
            self.stream.flush()


def _isatty(stream: IO[str]) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError, OSError):
        return False


def run(args: argparse.Namespace) -> int:
    """Handle ``corskit audit``; returns the exit status."""
    _validate(args)
    if "://" in args.target or args.target.lower().startswith(("http:", "https:")):
        from corskit.doctor.errors import require

        require("httpx", "audit of a URL")
    from corskit.doctor.audit import AuditError, AuditOptions, run_audit

    progress = Progress(sys.stderr)
    options = AuditOptions(
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
    try:
        report = run_audit(args.target, options)
    except AuditError as exc:
        raise _usage(str(exc)) from None
    finally:
        progress.close()
    if args.sarif:
        from corskit.doctor.sarif import write_sarif

        try:
            write_sarif(report, args.sarif)
        except OSError as exc:
            raise _usage(f"cannot write {args.sarif}: {exc.strerror or exc}") from None
    if args.json:
        sys.stdout.write(json.dumps(report.to_dict(), indent=2) + "\n")
    else:
        sys.stdout.write(
            render_text(report, color=_isatty(sys.stdout) and not os.environ.get("NO_COLOR"))
        )
    return 1 if report.fails(args.fail_on) else 0


_COLORS = {"high": "\x1b[1;31m", "medium": "\x1b[33m", "low": "\x1b[36m", "info": "\x1b[2m"}


def _wrap(label: str, text: str, width: int = 96) -> str:
    prefix = f"  {label:<8}"
    return (
        textwrap.fill(
            text,
            width=width,
            initial_indent=prefix,
            subsequent_indent=" " * len(prefix),
            break_on_hyphens=False,
            break_long_words=False,
        )
        + "\n"
    )


def _finding_text(f: Finding, color: bool) -> str:
    sev = f.severity.upper()
    head = f"{sev:<7} {f.id}  {f.path}  {f.title}"
    if color:
        head = f"{_COLORS[f.severity]}{sev:<7}\x1b[0m {f.id}  {f.path}  {f.title}"
    out = [head + "\n"]
    req = f.evidence.get("request", {})
    origin = f.probe_origin
    out.append(
        f"  {'probe':<8}{req.get('method', 'GET')} {req.get('url', f.url)}"
        + (f"  Origin: {origin}" if origin else "")
        + "\n"
    )
    resp = f.evidence.get("response")
    if resp is not None:
        cors = [
            f"{k}: {v}"
            for k, v in resp["headers"]
            if k.startswith("access-control-") or k in ("vary", "location")
        ]
        out.append(
            f"  {'answer':<8}{resp['status']}"
            + ("  " + cors[0] if cors else "  (no CORS headers)")
            + "\n"
        )
        for line in cors[1:8]:
            out.append(" " * 15 + line + "\n")
    out.append(_wrap("found", f.detail))
    for problem in f.evidence.get("problems", [])[1:]:
        out.append(_wrap("", problem))
    out.append(_wrap("why", f.explanation))
    out.append(_wrap("fix", f.fix))
    if f.also_accepted:
        shown = ", ".join(f.also_accepted[:6]) + (
            f" (+{len(f.also_accepted) - 6} more)" if len(f.also_accepted) > 6 else ""
        )
        out.append(_wrap("also", "also accepted: " + shown))
    return "".join(out)


def render_text(report: AuditReport, *, color: bool = False) -> str:
    """The human-readable report."""
    lines = [f"corskit audit {report.target}\n"]
    for url in report.urls:
        lines.append(f"  audited  {url}\n")
    if report.known_good:
        lines.append(f"  trusted  {', '.join(report.known_good)}\n")
    for note in report.notes:
        lines.append(_wrap("note", note))
    lines.append("\n")
    for f in report.findings:
        lines.append(_finding_text(f, color))
        lines.append("\n")
    counts = {s: sum(1 for f in report.findings if f.severity == s) for s in _SEVERITIES}
    summary = ", ".join(f"{n} {s}" for s, n in counts.items() if n)
    if report.findings:
        lines.append(f"{len(report.findings)} finding(s): {summary}; ")
    else:
        lines.append("no findings; ")
    lines.append(
        f"{report.probes_sent} probes in {report.elapsed:.1f} s"
        + ("" if report.complete else " (incomplete)")
        + "\n"
    )
    return "".join(lines)
