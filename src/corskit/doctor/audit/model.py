"""What the audit sends and finds: options, exchanges, findings and the report."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from ..transports import WireRequest, WireResponse
from .classes import CLASSES, Severity, severity_at_least, severity_rank
from .probes import Probe, split_origin

ACAO = "access-control-allow-origin"
ACAC = "access-control-allow-credentials"
ACAM = "access-control-allow-methods"
ACAH = "access-control-allow-headers"
ACEH = "access-control-expose-headers"
ACMA = "access-control-max-age"
ACAPN = "access-control-allow-private-network"

#: Classes decided by whether a forged origin was accepted.
ORIGIN_CLASSES = (
    "origin-reflection",
    "null-origin",
    "prefix-match",
    "suffix-match",
    "substring-match",
    "unescaped-dot",
    "special-characters",
    "any-subdomain",
    "http-origin-trusted",
    "third-party-origin",
)

REDIRECTS = (301, 302, 303, 307, 308)
MAX_KNOWN = 4
TOKEN = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")

# Notes that tell probes of one class apart (see audit_probes.lookalike_probes).
EMBED = "trusted host inside an attacker name"
ONE_LETTER = "one letter before the domain"


class AuditError(Exception):
    """The audit could not run (bad target, connection failure); ``str()`` is one line."""


@dataclass
class AuditOptions:
    """Settings of one audit run (the CLI flags)."""

    #: Paths to audit; empty means the target URL's own path (``/`` for an app).
    paths: Sequence[str] = ()
    #: Known-good origins (``--origin``), used to derive look-alike probes.
    origins: Sequence[str] = ()
    #: ``name=value`` sent as ``Cookie`` on GET probes (``--credentials-cookie``).
    cookie: str | None = None
    #: Requests in flight at once.
    concurrency: int = 8
    #: Seconds to wait for one response.
    timeout: float = 10.0
    #: Seconds for the whole run; probes not sent by then are skipped.
    time_limit: float = 120.0
    #: Most requests the whole run may send.
    max_requests: int = 2000
    #: Probe common dev origins to discover trusted origins.
    discover: bool = True
    #: Called as ``progress(done, planned)`` after every response.
    progress: Callable[[int, int], None] | None = None
    #: Random token used in probe origins (a fresh one per run when None).
    token: str | None = None


@dataclass
class Exchange:
    """One probe, the request sent for it, and the response (or the transport error)."""

    probe: Probe
    path_url: str
    request: WireRequest
    response: WireResponse | None
    error: str | None = None

    def acao(self) -> str | None:
        """Access-Control-Allow-Origin as the browser reads it (Fetch "get", trimmed)."""
        if self.response is None:
            return None
        value = self.response.get(ACAO)
        return value.strip(" \t") if value is not None else None

    def credentials(self) -> bool:
        """Access-Control-Allow-Credentials is exactly ``true`` (fetch.bs:3913)."""
        if self.response is None:
            return False
        return (self.response.get(ACAC) or "").strip(" \t") == "true"

    def accepted(self) -> bool:
        """The browser's CORS check would pass for this probe's origin (ignoring credentials)."""
        return self.probe.origin is not None and self.acao() == self.probe.origin

    def evidence(self) -> dict[str, Any]:
        """The probe request and the response headers, for a report."""
        out: dict[str, Any] = {
            "request": {
                "method": self.request.method,
                "url": self.request.url,
                "headers": [[k, v] for k, v in self.request.headers],
            }
        }
        if self.response is not None:
            out["response"] = {
                "status": self.response.status,
                "headers": [[k, v[:300]] for k, v in self.response.headers[:60]],
            }
        else:
            out["error"] = self.error
        return out


@dataclass
class CORSConfig:
    """CORS settings found inside an in-process app."""

    kind: str  # "corskit" or "starlette"
    where: str
    settings: dict[str, Any]

    def to_dict(self) -> dict[str, Any]:
        """JSON-friendly form."""
        shown = {k: (list(v) if isinstance(v, tuple) else v) for k, v in self.settings.items()}
        return {"kind": self.kind, "where": self.where, "settings": shown}


@dataclass
class Finding:
    """One misconfiguration, with its evidence and the fix."""

    id: str
    severity: Severity
    path: str
    url: str
    probe_origin: str | None
    evidence: dict[str, Any]
    explanation: str
    fix: str
    advice: str
    detail: str = ""
    also_accepted: list[str] = field(default_factory=list)
    config: dict[str, Any] | None = None

    @property
    def title(self) -> str:
        """The class title."""
        return CLASSES[self.id].title

    def to_dict(self) -> dict[str, Any]:
        """The JSON form (``--json``)."""
        out: dict[str, Any] = {
            "id": self.id,
            "severity": self.severity,
            "title": self.title,
            "path": self.path,
            "url": self.url,
            "probe_origin": self.probe_origin,
            "detail": self.detail,
            "evidence": self.evidence,
            "explanation": self.explanation,
            "fix": self.fix,
            "advice": self.advice,
        }
        if self.also_accepted:
            out["also_accepted"] = self.also_accepted
        if self.config is not None:
            out["config"] = self.config
        return out


@dataclass
class AuditReport:
    """Everything an audit found."""

    target: str
    urls: list[str]
    known_good: list[str]
    findings: list[Finding]
    probes_sent: int
    elapsed: float
    complete: bool
    notes: list[str] = field(default_factory=list)
    errors: int = 0
    configs: list[CORSConfig] = field(default_factory=list)
    source_file: str | None = None
    source_line: int = 1

    def worst(self) -> Severity | None:
        """The most severe finding's severity, or None without findings."""
        if not self.findings:
            return None
        return max(self.findings, key=lambda f: severity_rank(f.severity)).severity

    def fails(self, threshold: str) -> bool:
        """True when a finding reaches *threshold* (``--fail-on``)."""
        return any(severity_at_least(f.severity, threshold) for f in self.findings)

    def to_dict(self) -> dict[str, Any]:
        """The JSON form (``--json``)."""
        return {
            "target": self.target,
            "urls": self.urls,
            "known_good_origins": self.known_good,
            "findings": [f.to_dict() for f in self.findings],
            "probes_sent": self.probes_sent,
            "complete": self.complete,
            "elapsed_seconds": round(self.elapsed, 3),
            "errors": self.errors,
            "notes": self.notes,
            "configs": [c.to_dict() for c in self.configs],
        }


def path_of(url: str) -> str:
    parts = urlsplit(url)
    return (parts.path or "/") + (f"?{parts.query}" if parts.query else "")


def host_of(origin: str) -> str:
    try:
        return split_origin(origin)[1]
    except ValueError:
        return origin.split("://", 1)[-1]
