"""One audit run: baseline, discovery, probes, analysis (see :mod:`corskit.doctor.audit`)."""

from __future__ import annotations

import re
import secrets
import time
from typing import Any
from urllib.parse import urljoin, urlsplit

from ..fetch.netspace import registrable_domain
from ..fetch.spec import origin_of_url
from ..transports import Transport, TransportError, open_transport
from .analysis import analyse
from .classes import CLASS_IDS, severity_rank
from .fixes import find_cors_configs
from .model import (
    MAX_KNOWN,
    REDIRECTS,
    AuditError,
    AuditOptions,
    AuditReport,
    Exchange,
    Finding,
    path_of,
)
from .probes import (
    Probe,
    attack_preflight_probes,
    discovery_probes,
    is_loopback_or_ip,
    is_serialized_origin,
    known_preflight_probes,
    lookalike_probes,
    split_origin,
    third_party_probes,
)
from .sender import Sender


def run_audit(target: str, options: AuditOptions | None = None) -> AuditReport:
    """Audit *target*: an ``http(s)://`` URL or an in-process ``package.module:app``.

    Raises :class:`AuditError` (one-line message) when the target cannot be reached.
    """
    options = options or AuditOptions()
    for origin in options.origins:
        try:
            split_origin(origin)
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
    """The serialized origin of *url* as browsers read it (*url* itself when unreadable)."""
    try:
        return origin_of_url(url).serialize()
    except ValueError:
        return url


def _same_site(a: str, b: str) -> bool:
    """Same origin, or the same scheme and registrable domain (IP hosts: same origin only)."""
    try:
        oa, ob = origin_of_url(a), origin_of_url(b)
    except ValueError:
        return False
    if oa.same_origin(ob):
        return True
    ra, rb = registrable_domain(oa.host), registrable_domain(ob.host)
    return ra is not None and ra == rb and oa.scheme == ob.scheme


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
    run = _Run(transport, options, started + max(0.1, options.time_limit))
    base = _origin_of(url)
    urls = (
        [url]
        if not options.paths
        else [base + (p if p.startswith("/") else "/" + p) for p in options.paths]
    )
    urls = run.baselines(list(dict.fromkeys(urls)))
    first = run.discover(urls[0])
    all_exchanges = run.probe(urls, first)
    configs = find_cors_configs(app) if app is not None else []
    findings: list[Finding] = []
    for u in urls:
        findings += analyse(u, all_exchanges[u], run.known, configs)
    findings.sort(key=lambda f: (-severity_rank(f.severity), CLASS_IDS.index(f.id), f.path))
    run.closing_notes(urls[0], all_exchanges[urls[0]])
    sender = run.sender
    return AuditReport(
        target=target,
        urls=urls,
        known_good=run.known,
        findings=findings,
        probes_sent=sender.sent,
        elapsed=time.monotonic() - started,
        complete=not sender.truncated,
        notes=run.notes,
        errors=sender.errors,
        configs=configs,
    )


class _Run:
    """The state one audit carries from phase to phase."""

    def __init__(self, transport: Transport, options: AuditOptions, deadline: float) -> None:
        self.options = options
        self.token = options.token or secrets.token_hex(3)
        self.sender = Sender(transport, options, deadline)
        self.notes: list[str] = []
        self.baseline: dict[str, Exchange] = {}
        self.user_known = list(dict.fromkeys(options.origins))
        self.known: list[str] = []
        self.derive_from: list[str] = []
        self.reflects_all = False

    def baselines(self, urls: list[str]) -> list[str]:
        """1. GET without Origin; same-site redirects are followed (at most 3 hops)."""
        resolved = [self._follow(u, first=i == 0) for i, u in enumerate(urls)]
        return list(dict.fromkeys(resolved))

    def _follow(self, url: str, *, first: bool) -> str:
        current = url
        for hop in range(4):
            exs = self.sender.run([(current, Probe("baseline", "GET", None, note="no Origin"))])
            ex = exs[0] if exs else None
            if ex is None:
                break
            if ex.response is None:
                if first:
                    raise AuditError(ex.error or f"no response from {current}")
                break
            self.baseline[current] = ex
            location = ex.response.get("location")
            if ex.response.status not in REDIRECTS or not location or hop == 3:
                break
            nxt = urljoin(current, location.strip())
            if not nxt.startswith(("http://", "https://")) or not _same_site(current, nxt):
                self.notes.append(
                    f"{path_of(current)} redirects to {nxt} (another site): not followed"
                )
                break
            self.notes.append(f"{path_of(current)} redirects to {nxt}: audited there")
            current = nxt
        return current

    def discover(self, url: str) -> list[Exchange]:
        """2. Which origins does the server trust?"""
        options = self.options
        target_origin = _origin_of(url)
        jobs = [
            (url, p)
            for p in discovery_probes(target_origin if options.discover else None, self.token)
        ]
        if not options.discover:
            jobs = [(u, p) for u, p in jobs if p.role == "attack"]
        first = self.sender.run(jobs)
        self.reflects_all = any(ex.accepted() for ex in first if ex.probe.role == "attack")
        discovered = [] if self.reflects_all else self._trusted(first)
        user_known = self.user_known
        self.known = list(dict.fromkeys(user_known + discovered))[: max(MAX_KNOWN, len(user_known))]
        new = [o for o in discovered if o not in user_known and o in self.known]
        if new:
            self.notes.append("discovered trusted origin(s): " + ", ".join(dict.fromkeys(new)))
        self._derive_from(url, target_origin)
        return first

    def _trusted(self, first: list[Exchange]) -> list[str]:
        found = [
            ex.probe.origin
            for ex in first
            if ex.probe.role == "discovery" and ex.accepted() and ex.probe.origin
        ]
        for ex in self.baseline.values():
            named = ex.acao()
            if named and named not in ("*", "null") and is_serialized_origin(named):
                try:
                    split_origin(named)
                    found.append(named)
                except ValueError:
                    pass
        return found

    def _derive_from(self, url: str, target_origin: str) -> None:
        # Look-alikes of every trusted origin, and of the target's own origin when it has a
        # domain name (a check may compare against the API's own host, as CORScanner assumes).
        host = urlsplit(url).hostname or ""
        has_domain = not is_loopback_or_ip(host) and registrable_domain(host) is not None
        self.derive_from = list(self.known)
        if has_domain and target_origin not in self.derive_from:
            self.derive_from.append(target_origin)
        if self.known:
            return
        if has_domain:
            self.notes.append(
                "no trusted origin found: look-alike probes derived from the target's own origin"
                " (pass --origin to derive them from your front-end's origin)"
            )
        elif not self.reflects_all:
            self.notes.append(
                "no trusted origin found and the target has no domain name: only host-independent"
                " probes ran (pass --origin https://your-frontend.example to test look-alikes)"
            )

    def probe(self, urls: list[str], first: list[Exchange]) -> dict[str, list[Exchange]]:
        """3. Every probe for every path; the exchanges by path."""
        all_exchanges: dict[str, list[Exchange]] = {u: [] for u in urls}
        all_exchanges[urls[0]].extend(first)
        for u in urls:
            if u in self.baseline:
                all_exchanges[u].append(self.baseline[u])
        jobs: list[tuple[str, Probe]] = []
        for i, u in enumerate(urls):
            jobs += [(u, p) for p in self._probes(later_path=i > 0)]
        for ex in self.sender.run(jobs):
            all_exchanges[ex.path_url].append(ex)
        return all_exchanges

    def _probes(self, *, later_path: bool) -> list[Probe]:
        known, token = self.known, self.token
        probes: list[Probe] = []
        if later_path:
            probes += discovery_probes(None, token)
            probes += [Probe("discovery", "GET", k) for k in known]
        probes += [Probe("known", "GET", k, base=k) for k in known]
        probes += third_party_probes(token, known)
        if not self.reflects_all:
            for k in self.derive_from:
                probes += lookalike_probes(k, token)
        probes += attack_preflight_probes(token)
        for k in known[:2]:
            probes += known_preflight_probes(k, token)
        return probes

    def closing_notes(self, url: str, exchanges: list[Exchange]) -> None:
        """What the report should say besides findings."""
        options, sender = self.options, self.sender
        if self.known:
            for k in self.user_known:
                ok = any(
                    ex.accepted()
                    for ex in exchanges
                    if ex.probe.role == "known" and ex.probe.origin == k
                )
                if not ok:
                    self.notes.append(
                        f"the server does not allow the given origin {k} on {path_of(url)}"
                    )
        if sender.truncated:
            self.notes.append(
                f"stopped early (time limit {options.time_limit:g} s or {options.max_requests} requests): "
                "some probes were not sent"
            )
        if sender.errors:
            self.notes.append(f"{sender.errors} probe(s) got no response")
