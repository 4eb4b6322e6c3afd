"""``corskit audit``: find the CORS misconfigurations attackers exploit, with evidence.

The audit sends forged-``Origin`` requests (``GET``, and ``OPTIONS`` preflights; never a
state-changing method) through a :class:`~corskit.doctor.transports.Transport`, then decides
which misconfiguration classes (:mod:`corskit.doctor.audit_classes`) the answers prove.

Phases, for every audited path:

1. **baseline**: ``GET`` without ``Origin``.  A redirect to the same site (same registrable
   domain) is followed to find the real resource (at most 3 hops); a redirect to another
   site is never followed.
2. **discovery**: the target's own origin and common dev origins, plus two random unrelated
   origins.  Any origin the server answers with ``Access-Control-Allow-Origin`` equal to
   it becomes a *known-good* origin (besides those given with ``--origin``), unless the
   server reflects everything.
3. **probes**: look-alikes of every known-good origin and of the target's own origin when it
   has a domain name (:mod:`~corskit.doctor.audit_probes`),
   ``null``, shared-hosting origins, the known-good origins themselves, and four
   preflights, sent by a bounded thread pool over the (thread-safe) transport.
4. **analysis**: a probe counts as *accepted* only when the browser would accept the
   answer: ``Access-Control-Allow-Origin`` byte-equal to the probe origin
   (fetch-cors-rules.md §1.6).  Severity follows exploitability: ``high`` only when the
   browser would hand a credentialed response to the attacker's page (accepted origin +
   ``Access-Control-Allow-Credentials: true``).  Classes implied by a broader one are
   folded into it (every look-alike into ``origin-reflection``; prefix, suffix, special
   characters, subdomains and plain http into ``substring-match``; subdomains and plain
   http into ``suffix-match``), their origins listed under ``also_accepted``.

The whole run is bounded by a request budget and a wall-clock limit.
"""

from __future__ import annotations

import re
import secrets
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urljoin, urlsplit

from .audit_classes import CLASS_IDS, CLASSES, Severity, severity_at_least, severity_rank
from .audit_probes import (
    Probe,
    attack_preflight_probes,
    discovery_probes,
    is_loopback_or_ip,
    is_serialized_origin,
    known_preflight_probes,
    lookalike_probes,
    parse_origin,
    third_party_probes,
)
from .netspace import registrable_domain
from .transports import Transport, TransportError, WireRequest, WireResponse, open_transport

__all__ = [
    "AuditError",
    "AuditOptions",
    "AuditReport",
    "CORSConfig",
    "Exchange",
    "Finding",
    "audit_transport",
    "find_cors_configs",
    "run_audit",
]

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

_REDIRECTS = (301, 302, 303, 307, 308)
_MAX_KNOWN = 4
_TOKEN = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")

# Notes that tell probes of one class apart (see audit_probes.lookalike_probes).
_EMBED = "trusted host inside an attacker name"
_ONE_LETTER = "one letter before the domain"


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


# ------------------------------------------------------------------------------------------
# sending


class _Sender:
    """Sends probes with at most ``concurrency`` requests in flight, within the request
    budget and the deadline; identical requests are sent once."""

    def __init__(self, transport: Transport, options: AuditOptions, deadline: float) -> None:
        self.transport = transport
        self.options = options
        self.deadline = deadline
        self.sent = 0
        self.done = 0
        self.planned = 0
        self.truncated = False
        self.errors = 0
        self._lock = threading.Lock()
        self._agent = "corskit-audit/0.1"

    def request_for(self, probe: Probe, url: str) -> WireRequest:
        headers: list[tuple[str, str]] = [("user-agent", self._agent), ("accept", "*/*")]
        if probe.origin is not None:
            headers.append(("origin", probe.origin))
        headers.extend(probe.headers)
        if self.options.cookie and probe.method == "GET":
            headers.append(("cookie", self.options.cookie))
        return WireRequest(probe.method, url, headers)

    def run(self, jobs: Sequence[tuple[str, Probe]]) -> list[Exchange]:
        requests: dict[tuple[Any, ...], WireRequest] = {}
        for url, probe in jobs:
            req = self.request_for(probe, url)
            key = (req.method, req.url, tuple(req.headers))
            requests.setdefault(key, req)
        results: dict[tuple[Any, ...], tuple[WireResponse | None, str | None]] = {}
        self.planned += len(requests)
        self._report()
        pending = iter(list(requests.items()))
        limit = max(1, self.options.concurrency)
        pool = ThreadPoolExecutor(
            max_workers=min(limit, max(1, len(requests))), thread_name_prefix="corskit-audit"
        )
        in_flight: dict[Future[WireResponse], tuple[Any, ...]] = {}
        grace = self.options.timeout + 1.0
        try:
            exhausted = False
            while True:
                while not exhausted and len(in_flight) < limit:
                    if time.monotonic() >= self.deadline or self.sent >= self.options.max_requests:
                        self.truncated = True
                        exhausted = True
                        break
                    item = next(pending, None)
                    if item is None:
                        exhausted = True
                        break
                    key, req = item
                    in_flight[pool.submit(self.transport.send, req)] = key
                    self.sent += 1
                if not in_flight:
                    break
                remaining = self.deadline + grace - time.monotonic()
                if remaining <= 0:
                    self.truncated = True
                    break
                done, _ = wait(list(in_flight), timeout=remaining, return_when=FIRST_COMPLETED)
                for fut in done:
                    key = in_flight.pop(fut)
                    try:
                        results[key] = (fut.result(), None)
                    except TransportError as exc:
                        results[key] = (None, str(exc))
                        self.errors += 1
                    except Exception as exc:  # a transport bug must not crash the audit
                        results[key] = (None, f"{type(exc).__name__}: {exc}")
                        self.errors += 1
                    self.done += 1
                    self._report()
        finally:
            pool.shutdown(wait=False, cancel_futures=True)
        out: list[Exchange] = []
        for url, probe in jobs:
            req = self.request_for(probe, url)
            key = (req.method, req.url, tuple(req.headers))
            if key in results:
                resp, err = results[key]
                out.append(Exchange(probe, url, req, resp, err))
        return out

    def _report(self) -> None:
        if self.options.progress is not None:
            try:
                self.options.progress(self.done, self.planned)
            except Exception:  # a broken progress display must not stop the audit
                pass


# ------------------------------------------------------------------------------------------
# the run


def run_audit(target: str, options: AuditOptions | None = None) -> AuditReport:
    """Audit *target*: an ``http(s)://`` URL or an in-process ``package.module:app``.

    Raises :class:`AuditError` (one-line message) when the target cannot be reached.
    """
    options = options or AuditOptions()
    for origin in options.origins:
        try:
            parse_origin(origin)
        except ValueError as exc:
            raise AuditError(f"--origin {exc}") from None
    first = options.paths[0] if options.paths else "/"
    try:
        transport, url = open_transport(target, timeout=options.timeout, path=first)
    except TransportError as exc:
        raise AuditError(str(exc)) from None
    try:
        report = audit_transport(
            transport, target, url, options, app=getattr(transport, "app", None)
        )
    finally:
        transport.close()
    report.source_file = _source_file(target)
    if report.source_file:
        report.source_line = _source_line(report.source_file, target.partition(":")[2])
    return report


def _source_file(target: str) -> str | None:
    """The file that defines an in-process ``module:app`` target (for SARIF locations)."""
    if "://" in target or ":" not in target:
        return None
    import importlib.util

    try:
        spec = importlib.util.find_spec(target.partition(":")[0])
    except (ImportError, ValueError):
        return None
    return (
        spec.origin
        if spec is not None and spec.origin not in (None, "built-in", "frozen")
        else None
    )


def _source_line(path: str, attr: str) -> int:
    """The line that defines *attr* in *path* (else the first CORS setting; else 1)."""
    name = re.escape(attr.split(".")[0].removesuffix("()"))
    try:
        with open(path, encoding="utf-8") as fh:
            lines = fh.read().splitlines()
    except (OSError, UnicodeDecodeError):
        return 1
    patterns = [rf"^(?:async\s+)?def\s+{name}\b|^{name}\s*[:=]", r"CORSMiddleware|allow_origins"]
    for pattern in patterns:
        for number, line in enumerate(lines, 1):
            if re.search(pattern, line):
                return number
    return 1


def _origin_of(url: str) -> str:
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    if ":" in host:
        host = f"[{host}]"
    port = parts.port
    default = {"http": 80, "https": 443}.get(scheme)
    return f"{scheme}://{host}" + (f":{port}" if port and port != default else "")


def _same_site(a: str, b: str) -> bool:
    ha, hb = (urlsplit(a).hostname or ""), (urlsplit(b).hostname or "")
    if _origin_of(a) == _origin_of(b):
        return True
    ra, rb = registrable_domain(ha), registrable_domain(hb)
    return ra is not None and ra == rb and urlsplit(a).scheme == urlsplit(b).scheme


def _path_of(url: str) -> str:
    parts = urlsplit(url)
    return (parts.path or "/") + (f"?{parts.query}" if parts.query else "")


def audit_transport(
    transport: Transport,
    target: str,
    url: str,
    options: AuditOptions,
    *,
    app: Any = None,
) -> AuditReport:
    """Audit through an open *transport*; *url* is the first path's URL (as returned by
    :func:`~corskit.doctor.transports.open_transport`).  *app*, when given, is searched for
    CORS settings to make the fixes concrete."""
    started = time.monotonic()
    deadline = started + max(0.1, options.time_limit)
    token = options.token or secrets.token_hex(3)
    sender = _Sender(transport, options, deadline)
    notes: list[str] = []
    base = _origin_of(url)
    urls = (
        [url]
        if not options.paths
        else [base + (p if p.startswith("/") else "/" + p) for p in options.paths]
    )
    urls = list(dict.fromkeys(urls))

    # 1. baseline (and same-site redirects)
    resolved: list[str] = []
    baselines: dict[str, Exchange] = {}
    for i, u in enumerate(urls):
        current = u
        for hop in range(4):
            exs = sender.run([(current, Probe("baseline", "GET", None, note="no Origin"))])
            ex = exs[0] if exs else None
            if ex is None:
                break
            if ex.response is None:
                if i == 0:
                    raise AuditError(ex.error or f"no response from {current}")
                break
            baselines[current] = ex
            location = ex.response.get("location")
            if ex.response.status not in _REDIRECTS or not location or hop == 3:
                break
            nxt = urljoin(current, location.strip())
            if not nxt.startswith(("http://", "https://")) or not _same_site(current, nxt):
                notes.append(f"{_path_of(current)} redirects to {nxt} (another site): not followed")
                break
            notes.append(f"{_path_of(current)} redirects to {nxt}: audited there")
            current = nxt
        resolved.append(current)
    urls = list(dict.fromkeys(resolved))
    target_origin = _origin_of(urls[0])

    # 2. discovery: which origins does the server trust?
    user_known = list(dict.fromkeys(options.origins))
    first_jobs = [
        (urls[0], p) for p in discovery_probes(target_origin if options.discover else None, token)
    ]
    if not options.discover:
        first_jobs = [(u, p) for u, p in first_jobs if p.role == "attack"]
    first = sender.run(first_jobs)
    reflects_all = any(ex.accepted() for ex in first if ex.probe.role == "attack")
    discovered: list[str] = []
    if not reflects_all:
        for ex in first:
            if ex.probe.role == "discovery" and ex.accepted() and ex.probe.origin:
                discovered.append(ex.probe.origin)
        for ex in baselines.values():
            named = ex.acao()
            if named and named not in ("*", "null") and is_serialized_origin(named):
                try:
                    parse_origin(named)
                    discovered.append(named)
                except ValueError:
                    pass
    known = list(dict.fromkeys(user_known + discovered))[: max(_MAX_KNOWN, len(user_known))]
    new = [o for o in discovered if o not in user_known and o in known]
    if new:
        notes.append("discovered trusted origin(s): " + ", ".join(dict.fromkeys(new)))
    # Look-alikes of every trusted origin, and of the target's own origin when it has a
    # domain name (a check may compare against the API's own host, as CORScanner assumes).
    host = urlsplit(urls[0]).hostname or ""
    has_domain = not is_loopback_or_ip(host) and registrable_domain(host) is not None
    derive_from = list(known)
    if has_domain and target_origin not in derive_from:
        derive_from.append(target_origin)
    if not known:
        if has_domain:
            notes.append(
                "no trusted origin found: look-alike probes derived from the target's own origin"
                " (pass --origin to derive them from your front-end's origin)"
            )
        elif not reflects_all:
            notes.append(
                "no trusted origin found and the target has no domain name: only host-independent"
                " probes ran (pass --origin https://your-frontend.example to test look-alikes)"
            )

    # 3. probes
    all_exchanges: dict[str, list[Exchange]] = {u: [] for u in urls}
    for ex in first:
        all_exchanges[urls[0]].append(ex)
    for u in urls:
        if u in baselines:
            all_exchanges[u].append(baselines[u])
    jobs: list[tuple[str, Probe]] = []
    for i, u in enumerate(urls):
        probes: list[Probe] = []
        if i > 0:
            probes += [p for p in discovery_probes(None, token)]
            probes += [Probe("discovery", "GET", k) for k in known]
        probes += [Probe("known", "GET", k, base=k) for k in known]
        probes += third_party_probes(token, known)
        if not reflects_all:
            for k in derive_from:
                probes += lookalike_probes(k, token)
        probes += attack_preflight_probes(token)
        for k in known[:2]:
            probes += known_preflight_probes(k, token)
        jobs += [(u, p) for p in probes]
    for ex in sender.run(jobs):
        all_exchanges[ex.path_url].append(ex)

    # 4. analysis
    configs = find_cors_configs(app) if app is not None else []
    findings: list[Finding] = []
    for u in urls:
        findings += analyse(u, all_exchanges[u], known, configs)
    findings.sort(key=lambda f: (-severity_rank(f.severity), CLASS_IDS.index(f.id), f.path))
    if known:
        for k in user_known:
            ok = any(
                ex.accepted()
                for ex in all_exchanges[urls[0]]
                if ex.probe.role == "known" and ex.probe.origin == k
            )
            if not ok:
                notes.append(
                    f"the server does not allow the given origin {k} on {_path_of(urls[0])}"
                )
    if sender.truncated:
        notes.append(
            f"stopped early (time limit {options.time_limit:g} s or {options.max_requests} requests): "
            "some probes were not sent"
        )
    if sender.errors:
        notes.append(f"{sender.errors} probe(s) got no response")
    return AuditReport(
        target=target,
        urls=urls,
        known_good=known,
        findings=findings,
        probes_sent=sender.sent,
        elapsed=time.monotonic() - started,
        complete=not sender.truncated,
        notes=notes,
        errors=sender.errors,
        configs=configs,
    )


# ------------------------------------------------------------------------------------------
# analysis


def _tokens(value: str | None) -> list[str]:
    if value is None:
        return []
    return [t.strip(" \t") for t in value.split(",") if t.strip(" \t")]


def _origin_severity(ex: Exchange) -> Severity:
    cls = ex.probe.cls
    creds = ex.credentials()
    if cls == "any-subdomain":
        return "info"
    if cls == "http-origin-trusted":
        return "medium" if creds else "low"
    if cls == "unescaped-dot" and not ex.probe.registrable:
        return "low"
    return "high" if creds else "medium"


def _host(origin: str) -> str:
    try:
        return parse_origin(origin)[1]
    except ValueError:
        return origin.split("://", 1)[-1]


def analyse(
    path_url: str,
    exchanges: Sequence[Exchange],
    known: Sequence[str],
    configs: Sequence[CORSConfig],
) -> list[Finding]:
    """Decide which classes the *exchanges* of one path prove."""
    path = _path_of(path_url)
    ctx = _Context(path, path_url, known, configs)
    gets = [ex for ex in exchanges if ex.response is not None and ex.probe.method == "GET"]
    accepted = [ex for ex in gets if ex.probe.role == "attack" and ex.accepted()]
    by_cls: dict[str, list[Exchange]] = {}
    for ex in accepted:
        by_cls.setdefault(ex.probe.cls, []).append(ex)

    # one-letter suffix without the long one: the letter matched a regex "."
    suffix = by_cls.get("suffix-match", [])
    if suffix and all(ex.probe.note == _ONE_LETTER for ex in suffix):
        by_cls.pop("suffix-match")
        by_cls.setdefault("unescaped-dot", []).extend(suffix)
    # special characters count only when the plain prefix probe of the same base was refused
    prefix_bases = {ex.probe.base for ex in by_cls.get("prefix-match", [])}
    special = [
        ex for ex in by_cls.get("special-characters", []) if ex.probe.base not in prefix_bases
    ]
    if special:
        by_cls["special-characters"] = special
    else:
        by_cls.pop("special-characters", None)
    embed = any(ex.probe.note == _EMBED for ex in by_cls.get("substring-match", []))
    found_suffix = "suffix-match" in by_cls
    # dots left of the registrable domain are explained by a suffix/substring check
    dots = []
    for ex in by_cls.get("unescaped-dot", []):
        if ex.probe.note != _ONE_LETTER and (found_suffix or embed) and ex.probe.base:
            domain = registrable_domain(_host(ex.probe.base)) or ""
            if domain and _host(ex.probe.origin or "").endswith(domain):
                continue
        dots.append(ex)
    if dots:
        by_cls["unescaped-dot"] = dots
    else:
        by_cls.pop("unescaped-dot", None)

    folds: dict[str, list[str]] = {}
    if "origin-reflection" in by_cls:
        folds["origin-reflection"] = [c for c in ORIGIN_CLASSES if c != "origin-reflection"]
    else:
        if embed:
            folds["substring-match"] = [
                "prefix-match",
                "suffix-match",
                "special-characters",
                "any-subdomain",
                "http-origin-trusted",
            ]
        if found_suffix and not embed:
            folds["suffix-match"] = ["any-subdomain", "http-origin-trusted"]
    folded: dict[str, str] = {}
    for broad, narrow in folds.items():
        for c in narrow:
            if c in by_cls and c not in folded:
                folded[c] = broad

    findings: list[Finding] = []
    for cls in ORIGIN_CLASSES:
        if cls not in by_cls or cls in folded:
            continue
        hits = sorted(
            by_cls[cls],
            key=lambda ex: (-severity_rank(_origin_severity(ex)), not ex.probe.registrable),
        )
        best = hits[0]
        also = [ex.probe.origin for ex in hits[1:] if ex.probe.origin]
        for c, broad in folded.items():
            if broad == cls:
                also += [ex.probe.origin for ex in by_cls[c] if ex.probe.origin]
        creds = best.credentials()
        detail = (
            f"Origin {best.probe.origin} ({best.probe.note}) is answered with "
            f"Access-Control-Allow-Origin: {best.acao()}"
            + (" and Access-Control-Allow-Credentials: true" if creds else ", without credentials")
        )
        if cls == "unescaped-dot" and not best.probe.registrable:
            detail += " (that name cannot be registered today, but the pattern is wrong)"
        findings.append(ctx.finding(cls, _origin_severity(best), best, detail, also))

    reflected = "origin-reflection" in by_cls
    findings += _wildcard(ctx, gets)
    findings += _vary(ctx, gets)
    findings += _preflight(ctx, exchanges, reflected)
    findings += _private_network(ctx, exchanges)
    findings += _malformed(ctx, exchanges)
    return findings


class _Context:
    def __init__(
        self, path: str, url: str, known: Sequence[str], configs: Sequence[CORSConfig]
    ) -> None:
        self.path = path
        self.url = url
        self.known = list(known)
        self.configs = list(configs)

    @property
    def origin(self) -> str | None:
        return self.known[0] if self.known else None

    def finding(
        self,
        cls: str,
        severity: Severity,
        ex: Exchange,
        detail: str,
        also: Iterable[str] = (),
        evidence: dict[str, Any] | None = None,
    ) -> Finding:
        info = CLASSES[cls]
        origin = self.origin
        domain = registrable_domain(_host(origin)) if origin else None
        advice = info.render(info.fix, origin, domain)
        concrete = concrete_fixes(cls, ex, self.configs, origin)
        fix = " ".join(concrete) if concrete else advice
        config = self.configs[0].to_dict() if self.configs else None
        return Finding(
            id=cls,
            severity=severity,
            path=self.path,
            url=self.url,
            probe_origin=ex.probe.origin,
            evidence=evidence if evidence is not None else ex.evidence(),
            explanation=info.render(info.explanation, origin, domain),
            fix=fix,
            advice=advice,
            detail=detail,
            also_accepted=list(dict.fromkeys(also))[:20],
            config=config,
        )


def _wildcard(ctx: _Context, gets: Sequence[Exchange]) -> list[Finding]:
    star = [ex for ex in gets if ex.acao() == "*"]
    if not star:
        return []
    with_creds = [ex for ex in star if ex.credentials()]
    if with_creds:
        ex = with_creds[0]
        return [
            ctx.finding(
                "wildcard-origin",
                "low",
                ex,
                "Access-Control-Allow-Origin: * is sent together with Access-Control-Allow-Credentials: "
                "true; browsers reject credentialed responses like this (not exploitable, but broken)",
            )
        ]
    ex = next((e for e in star if e.probe.role == "known"), star[0])
    return [
        ctx.finding(
            "wildcard-origin",
            "info",
            ex,
            "Access-Control-Allow-Origin: * (any site may read responses without credentials); "
            "fine for public data, not for intranet or IP-restricted resources",
        )
    ]


def _vary_has_origin(resp: WireResponse) -> bool:
    fields = [t.lower() for t in _tokens(resp.get("vary"))]
    return "origin" in fields or "*" in fields


def _vary(ctx: _Context, gets: Sequence[Exchange]) -> list[Finding]:
    values = {ex.acao() for ex in gets if ex.acao()}
    if len(values) < 2:
        return []
    offenders = [
        ex
        for ex in gets
        if ex.response is not None
        and ex.acao() not in (None, "*")
        and not _vary_has_origin(ex.response)
    ]
    if not offenders:
        return []
    ex = next((e for e in offenders if e.probe.role == "known"), offenders[0])
    assert ex.response is not None
    no_store = all(
        "no-store" in (e.response.get("cache-control") or "").lower()
        for e in offenders
        if e.response
    )
    shown = sorted(v for v in values if v)[:4]
    detail = (
        f"Access-Control-Allow-Origin takes {len(values)} different values depending on Origin "
        f"(e.g. {', '.join(shown)}) but the response to Origin {ex.probe.origin} has no Vary: Origin"
        + (" (marked no-store, so only misbehaving caches keep it)" if no_store else "")
    )
    return [ctx.finding("missing-vary", "low" if no_store else "medium", ex, detail)]


def _preflight_ok(ex: Exchange, method: str, header: str) -> bool:
    resp = ex.response
    if resp is None or not (200 <= resp.status < 300) or not ex.accepted():
        return False
    creds = ex.credentials()
    methods = _tokens(resp.get(ACAM))
    headers = [h.lower() for h in _tokens(resp.get(ACAH))]
    method_ok = (
        method in methods or (not creds and "*" in methods) or method in ("GET", "HEAD", "POST")
    )
    header_ok = header in headers or (not creds and "*" in headers)
    return method_ok and header_ok


def _preflight(ctx: _Context, exchanges: Sequence[Exchange], reflected: bool) -> list[Finding]:
    attack = [
        ex for ex in exchanges if ex.probe.role == "preflight-attack" and ex.response is not None
    ]
    for ex in attack:
        if _preflight_ok(ex, "PUT", "content-type"):
            if reflected:
                return []  # the actual responses reflect too: origin-reflection covers it
            creds = ex.credentials()
            detail = (
                f"a preflight from the unrelated origin {ex.probe.origin} for a JSON PUT is approved "
                + (
                    "with credentials: the browser will send the victim's cookies with it"
                    if creds
                    else "(without credentials)"
                )
                + ", although actual responses do not trust that origin"
            )
            return [ctx.finding("preflight-reflection", "medium" if creds else "low", ex, detail)]
    for ex in exchanges:
        if ex.probe.role != "preflight-known" or ex.response is None:
            continue
        resp = ex.response
        if not (200 <= resp.status < 300) or not ex.accepted() or not ex.credentials():
            continue
        echoed = {h.lower() for h in _tokens(resp.get(ACAH))}
        wanted = {
            h for h in (ex.request.get("access-control-request-headers") or "").split(",") if h
        }
        if wanted and wanted <= echoed:
            detail = (
                f"the preflight from {ex.probe.origin} echoes the requested headers "
                f"({', '.join(sorted(wanted))}), Authorization and an invented header included, "
                "with credentials: every header is allowed, so Fetch's special guard on "
                "Authorization is gone (only a trusted origin can use it)"
            )
            return [ctx.finding("preflight-reflection", "info", ex, detail)]
    return []


def _private_network(ctx: _Context, exchanges: Sequence[Exchange]) -> list[Finding]:
    for role, severity in (("pna-attack", "medium"), ("pna-known", "info")):
        for ex in exchanges:
            if ex.probe.role != role or ex.response is None:
                continue
            resp = ex.response
            granted = (resp.get(ACAPN) or "").strip() == "true"
            ok = 200 <= resp.status < 300 and (ex.accepted() or ex.acao() == "*")
            if granted and ok:
                who = "every origin (*)" if ex.acao() == "*" else f"the origin {ex.probe.origin}"
                detail = (
                    f"Access-Control-Allow-Private-Network: true is granted to {who}"
                    + (
                        " which the server does not otherwise trust"
                        if role == "pna-attack" and ex.acao() != "*"
                        else ""
                    )
                    + (
                        ""
                        if role == "pna-attack"
                        else " (a trusted origin: legacy opt-in, harmless)"
                    )
                )
                return [ctx.finding("private-network", severity, ex, detail)]  # type: ignore[arg-type]
    return []


def _malformed(ctx: _Context, exchanges: Sequence[Exchange]) -> list[Finding]:
    problems: list[tuple[str, Exchange]] = []
    seen: set[str] = set()

    def add(text: str, ex: Exchange) -> None:
        if text not in seen:
            seen.add(text)
            problems.append((text, ex))

    for ex in exchanges:
        resp = ex.response
        if resp is None:
            continue
        values = resp.get_all(ACAO)
        origin = ex.probe.origin
        if len(values) > 1:
            add(
                f"{len(values)} Access-Control-Allow-Origin headers ({' | '.join(values)}): the browser "
                "joins them with ', ' and rejects the result",
                ex,
            )
        elif values:
            v = values[0].strip(" \t")
            if v not in ("*", "null") and v != origin and not is_serialized_origin(v):
                why = "not a serialized origin"
                if v.endswith("/"):
                    why = "a trailing slash"
                elif v != v.lower():
                    why = "upper-case letters"
                elif re.search(r":(80|443)$", v):
                    why = "a default port"
                elif "," in v or " " in v:
                    why = "several values in one header"
                add(
                    f"Access-Control-Allow-Origin: {v} has {why}; browsers compare it byte for byte",
                    ex,
                )
        acac = resp.get(ACAC)
        if (
            acac is not None
            and acac.strip(" \t") != "true"
            and acac.strip(" \t").lower() != "false"
        ):
            add(
                f"Access-Control-Allow-Credentials: {acac} is not exactly 'true' (case-sensitive, one value)",
                ex,
            )
        if ex.probe.method == "OPTIONS" and 200 <= resp.status < 300:
            for name in (ACAM, ACAH):
                bad = [t for t in _tokens(resp.get(name)) if not _TOKEN.fullmatch(t)]
                if bad:
                    add(
                        f"{_title(name)}: {resp.get(name)} is not a comma-separated token list ({bad[0]!r})",
                        ex,
                    )
            age = resp.get_all(ACMA)
            if age and (len(age) > 1 or not age[0].strip(" \t").isdigit()):
                add(f"Access-Control-Max-Age: {', '.join(age)} is not one number of seconds", ex)
        bad_expose = [t for t in _tokens(resp.get(ACEH)) if not _TOKEN.fullmatch(t)]
        if bad_expose:
            add(
                f"Access-Control-Expose-Headers: {resp.get(ACEH)} is not a comma-separated token list",
                ex,
            )
    if not problems:
        return []
    ex = problems[0][1]
    evidence = ex.evidence()
    evidence["problems"] = [text for text, _ in problems]
    return [
        ctx.finding(
            "malformed-headers", "low", ex, "; ".join(t for t, _ in problems[:5]), evidence=evidence
        )
    ]


def _title(name: str) -> str:
    return "-".join(part.capitalize() for part in name.split("-"))


# ------------------------------------------------------------------------------------------
# CORS settings inside an in-process app, and concrete fixes


def find_cors_configs(app: Any) -> list[CORSConfig]:
    """The corskit and Starlette CORS settings in *app*, outermost first, found the way the
    doctor finds them (:func:`corskit.doctor.appinfo.find_cors_settings`: a corskit
    ``CORSMiddleware``'s ``.policy``, Starlette/FastAPI ``user_middleware`` entries, built
    Starlette middleware, wrappers followed through ``.app``)."""
    from .appinfo import find_cors_settings

    try:
        found = find_cors_settings(app, every_layer=False)
    except Exception:  # an exotic app object must not break the audit
        return []
    return [CORSConfig(s.kind, s.where, dict(s.settings)) for s in found]


def _regex_accepts(regex: Any, origin: str) -> bool:
    if not regex:
        return False
    try:
        return re.fullmatch(str(regex), origin) is not None
    except re.error:
        return False


def _suggest_regex(regex: str, origin: str | None) -> str:
    """A safer replacement for *regex*: a subdomain regex if it was a wildcard, else the
    escaped known-good origin."""
    if origin is None:
        return r"https://app\.example\.com"
    scheme, host, port = parse_origin(origin)
    if any(t in regex for t in (".*", ".+", "[", "\\w")):
        domain = registrable_domain(host) or host
        return f"{scheme}://[a-z0-9-]+\\.{re.escape(domain)}" + (f":{port}" if port else "")
    return re.escape(origin)


def concrete_fixes(
    cls: str, ex: Exchange, configs: Sequence[CORSConfig], origin: str | None
) -> list[str]:
    """The keyword changes that fix *cls* in the CORS settings found in the app."""
    lines: list[str] = []
    probe = ex.probe.origin or ""
    keep = origin or "https://app.example.com"
    for cfg in configs:
        s = cfg.settings
        if cfg.kind == "starlette":
            ao = s.get("allow_origins", ())
            creds = bool(s.get("allow_credentials"))
            regex = s.get("allow_origin_regex")
            if cls in ORIGIN_CLASSES:
                if isinstance(ao, str) and probe and probe in ao:
                    lines.append(
                        f"Starlette: allow_origins={ao!r} is a string, so Starlette tests substrings "
                        f"({probe!r} is inside it); pass a list: allow_origins=[{ao!r}]."
                    )
                elif not isinstance(ao, str) and "*" in ao and creds:
                    lines.append(
                        "Starlette: allow_origins=['*'] with allow_credentials=True echoes every origin; "
                        f"use allow_origins=[{keep!r}] (or allow_credentials=False for public data)."
                    )
                elif not isinstance(ao, str) and probe in ao:
                    rest = [o for o in ao if o != probe]
                    lines.append(
                        f"Starlette: remove {probe!r} from allow_origins (allow_origins={rest!r})."
                    )
                elif _regex_accepts(regex, probe):
                    lines.append(
                        f"Starlette: allow_origin_regex={_py(str(regex))} accepts {probe!r}; use "
                        f"allow_origin_regex={_py(_suggest_regex(str(regex), origin))} or list exact origins in allow_origins."
                    )
            elif cls == "wildcard-origin" and not isinstance(ao, str) and "*" in ao:
                lines.append(
                    f"Starlette: allow_origins=['*'] suits public data only; for private data use allow_origins=[{keep!r}]."
                )
            elif cls == "preflight-reflection" and "*" in (s.get("allow_headers") or ()):
                lines.append(
                    "Starlette: allow_headers=['*'] echoes every requested header, Authorization included; "
                    "list the ones you use: allow_headers=['content-type', 'authorization']."
                )
            elif cls == "private-network" and s.get("allow_private_network"):
                lines.append(
                    "Starlette: allow_private_network=True grants Private Network Access to every allowed origin; "
                    "set allow_private_network=False, or pair it with an explicit allow_origins list."
                )
        elif cfg.kind == "corskit":
            ao = tuple(s.get("allow_origins", ()))
            regex = s.get("allow_origin_regex")
            if cls in ORIGIN_CLASSES:
                if probe == "null" and s.get("dangerously_allow_null_origin"):
                    lines.append(
                        "corskit: drop dangerously_allow_null_origin=True and remove 'null' from allow_origins."
                    )
                elif probe in ao:
                    lines.append(f"corskit: remove {probe!r} from allow_origins.")
                elif _regex_accepts(regex, probe):
                    lines.append(
                        f"corskit: allow_origin_regex={_py(str(regex))} accepts {probe!r}; replace it with patterns, "
                        f"e.g. allow_origins=[{keep!r}] or ['https://*.{registrable_domain(_host(keep)) or 'example.com'}']."
                    )
                else:
                    pattern = _matching_pattern(ao, probe)
                    if pattern:
                        extra = (
                            " (and drop dangerously_tolerate_public_suffix_wildcards=True)"
                            if s.get("dangerously_tolerate_public_suffix_wildcards")
                            else ""
                        )
                        lines.append(
                            f"corskit: the pattern {pattern!r} admits {probe!r}; list exact origins instead{extra}."
                        )
            elif cls == "private-network" and s.get("allow_private_network"):
                lines.append(
                    "corskit: allow_private_network=True grants Private Network Access to every allowed origin; "
                    "keep it only with an explicit allow_origins list."
                )
            elif cls == "preflight-reflection" and "*" in tuple(s.get("allow_headers", ())):
                lines.append(
                    "corskit: allow_headers=['*'] allows every request header; list the ones you use."
                )
    return list(dict.fromkeys(lines))


def _py(text: str) -> str:
    """*text* as a Python literal, raw when it has backslashes (regexes read better)."""
    if "\\" in text and "'" not in text and not text.endswith("\\"):
        return f"r'{text}'"
    return repr(text)


def _matching_pattern(patterns: Iterable[str], origin: str) -> str | None:
    try:
        scheme, host, port = parse_origin(origin)
    except ValueError:
        return None
    for p in patterns:
        if "*." not in p:
            continue
        pscheme, _, rest = p.partition("://")
        phost, _, pport = rest[2:].partition(":")
        if (
            pscheme == scheme
            and host.endswith("." + phost)
            and (pport in ("*", "") if port is None else pport in ("*", port))
        ):
            return p
    return None
