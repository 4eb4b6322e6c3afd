"""``corskit audit``'s text report and its progress line (the JSON and SARIF forms are
``AuditReport.to_dict`` and :mod:`corskit.doctor.audit.sarif`); colours follow
:class:`corskit.doctor.render.Style`."""

from __future__ import annotations

import textwrap
import time
from typing import IO, TYPE_CHECKING

from ..render import Style

if TYPE_CHECKING:
    from .model import AuditReport, Finding

__all__ = ["SEVERITIES", "Progress", "isatty", "render_text"]

SEVERITIES = ("high", "medium", "low", "info")


class Progress:
    """A one-line progress display on a terminal (stderr); silent elsewhere."""

    def __init__(self, stream: IO[str]) -> None:
        self.stream = stream
        self.enabled = isatty(stream)
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


def isatty(stream: IO[str]) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError, OSError):
        return False


def _severity(severity: str, text: str, color: bool) -> str:
    st = Style(color)
    paint = {"high": st.red, "medium": st.yellow, "low": st.cyan, "info": st.dim}[severity]
    return paint(text)


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
    head = f"{_severity(f.severity, f'{sev:<7}', color)} {f.id}  {f.path}  {f.title}"
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
    counts = {s: sum(1 for f in report.findings if f.severity == s) for s in SEVERITIES}
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
