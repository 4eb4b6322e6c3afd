"""``corskit audit``: find the CORS misconfigurations attackers exploit, with evidence.

The audit sends forged-``Origin`` requests (``GET``, and ``OPTIONS`` preflights; never a
state-changing method) through a :class:`~corskit.doctor.transports.Transport`, then decides
which misconfiguration classes (:mod:`corskit.doctor.audit.classes`) the answers prove.

Phases, for every audited path:

1. **baseline**: ``GET`` without ``Origin``.  A redirect to the same site (same registrable
   domain) is followed to find the real resource (at most 3 hops); a redirect to another
   site is never followed.
2. **discovery**: the target's own origin and common dev origins, plus two random unrelated
   origins.  Any origin the server answers with ``Access-Control-Allow-Origin`` equal to
   it becomes a *known-good* origin (besides those given with ``--origin``), unless the
   server reflects everything.
3. **probes**: look-alikes of every known-good origin and of the target's own origin when it
   has a domain name (:mod:`~corskit.doctor.audit.probes`),
   ``null``, shared-hosting origins, the known-good origins themselves, and four
   preflights, sent by a bounded thread pool over the (thread-safe) transport.
4. **analysis**: a probe counts as *accepted* only when the browser would accept the
   answer: ``Access-Control-Allow-Origin`` byte-equal to the probe origin
   (https://fetch.spec.whatwg.org/#cors-check).  Severity follows exploitability: ``high`` only when the
   browser would hand a credentialed response to the attacker's page (accepted origin +
   ``Access-Control-Allow-Credentials: true``).  Classes implied by a broader one are
   folded into it (every look-alike into ``origin-reflection``; prefix, suffix, special
   characters, subdomains and plain http into ``substring-match``; subdomains and plain
   http into ``suffix-match``), their origins listed under ``also_accepted``.

The whole run is bounded by a request budget and a wall-clock limit.

Layout: :mod:`.classes` (what each class means), :mod:`.probes` (forged origins),
:mod:`.sender` (a bounded thread pool), :mod:`.run` (the phases), :mod:`.analysis` (which
classes the answers prove), :mod:`.fixes` (the app's CORS settings and fixes in their words),
:mod:`.model` (options, exchanges, findings, the report) and :mod:`.sarif`.
"""

from __future__ import annotations

from .analysis import analyse
from .fixes import concrete_fixes, find_cors_configs
from .model import AuditError, AuditOptions, AuditReport, CORSConfig, Exchange, Finding
from .run import audit_transport, run_audit

__all__ = [
    "AuditError",
    "AuditOptions",
    "AuditReport",
    "CORSConfig",
    "Exchange",
    "Finding",
    "analyse",
    "audit_transport",
    "concrete_fixes",
    "find_cors_configs",
    "run_audit",
]
