"""Which misconfiguration classes the answers prove (see :mod:`corskit.doctor.audit.classes`)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Any

from ..fetch.netspace import registrable_domain
from ..transports import WireResponse
from .classes import CLASSES, Severity, severity_rank
from .fixes import concrete_fixes
from .model import (
    ACAC,
    ACAH,
    ACAM,
    ACAO,
    ACAPN,
    ACEH,
    ACMA,
    EMBED,
    ONE_LETTER,
    ORIGIN_CLASSES,
    TOKEN,
    CORSConfig,
    Exchange,
    Finding,
    host_of,
    path_of,
)
from .probes import (
    is_serialized_origin,
)


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


def analyse(
    path_url: str,
    exchanges: Sequence[Exchange],
    known: Sequence[str],
    configs: Sequence[CORSConfig],
) -> list[Finding]:
    """Decide which classes the *exchanges* of one path prove."""
    ctx = _Context(path_of(path_url), path_url, known, configs)
    gets = [ex for ex in exchanges if ex.response is not None and ex.probe.method == "GET"]
    by_cls: dict[str, list[Exchange]] = {}
    for ex in gets:
        if ex.probe.role == "attack" and ex.accepted():
            by_cls.setdefault(ex.probe.cls, []).append(ex)
    embed = _explain_away(by_cls)
    folded = _folds(by_cls, embed)
    findings = [
        _origin_finding(ctx, cls, by_cls, folded)
        for cls in ORIGIN_CLASSES
        if cls in by_cls and cls not in folded
    ]
    reflected = "origin-reflection" in by_cls
    findings += _wildcard(ctx, gets)
    findings += _vary(ctx, gets)
    findings += _preflight(ctx, exchanges, reflected)
    findings += _private_network(ctx, exchanges)
    findings += _malformed(ctx, exchanges)
    return findings


def _explain_away(by_cls: dict[str, list[Exchange]]) -> bool:
    """Drop the accepted probes a broader check explains; True when a trusted host embedded
    in an attacker's name was accepted (a substring check)."""
    # one-letter suffix without the long one: the letter matched a regex "."
    suffix = by_cls.get("suffix-match", [])
    if suffix and all(ex.probe.note == ONE_LETTER for ex in suffix):
        by_cls.pop("suffix-match")
        by_cls.setdefault("unescaped-dot", []).extend(suffix)
    # special characters count only when the plain prefix probe of the same base was refused
    prefix_bases = {ex.probe.base for ex in by_cls.get("prefix-match", [])}
    special = [
        ex for ex in by_cls.get("special-characters", []) if ex.probe.base not in prefix_bases
    ]
    _keep(by_cls, "special-characters", special)
    embed = any(ex.probe.note == EMBED for ex in by_cls.get("substring-match", []))
    found_suffix = "suffix-match" in by_cls
    # dots left of the registrable domain are explained by a suffix/substring check
    dots = []
    for ex in by_cls.get("unescaped-dot", []):
        if ex.probe.note != ONE_LETTER and (found_suffix or embed) and ex.probe.base:
            domain = registrable_domain(host_of(ex.probe.base)) or ""
            if domain and host_of(ex.probe.origin or "").endswith(domain):
                continue
        dots.append(ex)
    _keep(by_cls, "unescaped-dot", dots)
    return embed


def _keep(by_cls: dict[str, list[Exchange]], cls: str, exchanges: list[Exchange]) -> None:
    if exchanges:
        by_cls[cls] = exchanges
    else:
        by_cls.pop(cls, None)


def _folds(by_cls: dict[str, list[Exchange]], embed: bool) -> dict[str, str]:
    """Narrow class -> the broader class found that implies it."""
    folds: dict[str, list[str]] = {}
    if "origin-reflection" in by_cls:
        folds["origin-reflection"] = [c for c in ORIGIN_CLASSES if c != "origin-reflection"]
    elif embed:
        folds["substring-match"] = [
            "prefix-match",
            "suffix-match",
            "special-characters",
            "any-subdomain",
            "http-origin-trusted",
        ]
    elif "suffix-match" in by_cls:
        folds["suffix-match"] = ["any-subdomain", "http-origin-trusted"]
    folded: dict[str, str] = {}
    for broad, narrow in folds.items():
        for c in narrow:
            if c in by_cls and c not in folded:
                folded[c] = broad
    return folded


def _origin_finding(
    ctx: _Context, cls: str, by_cls: dict[str, list[Exchange]], folded: dict[str, str]
) -> Finding:
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
    return ctx.finding(cls, _origin_severity(best), best, detail, also)


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
        domain = registrable_domain(host_of(origin)) if origin else None
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
    # The response depends on Origin as soon as Access-Control-Allow-Origin differs between
    # two requests, present for one Origin and absent for another or without Origin included:
    # then a shared cache needs Vary: Origin (Fetch standard, CORS protocol and HTTP caches:
    # https://fetch.spec.whatwg.org/#cors-protocol-and-http-caches).
    values = {ex.acao() for ex in gets if ex.response is not None}
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
    present = sorted(v for v in values if v)
    if len(present) >= 2:
        how = (
            f"Access-Control-Allow-Origin takes {len(present)} different values depending on "
            f"Origin (e.g. {', '.join(present[:4])})"
        )
    else:
        how = (
            f"Access-Control-Allow-Origin: {present[0]} is sent for some Origins and left out "
            "for others or without Origin"
        )
    detail = f"{how} but the response to Origin {ex.probe.origin} has no Vary: Origin" + (
        " (marked no-store, so only misbehaving caches keep it)" if no_store else ""
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
    problems: dict[str, Exchange] = {}  # first exchange showing each problem, in order
    for ex in exchanges:
        if ex.response is not None:
            for text in _malformed_in(ex, ex.response):
                problems.setdefault(text, ex)
    if not problems:
        return []
    texts = list(problems)
    ex = problems[texts[0]]
    evidence = ex.evidence()
    evidence["problems"] = texts
    return [ctx.finding("malformed-headers", "low", ex, "; ".join(texts[:5]), evidence=evidence)]


def _malformed_in(ex: Exchange, resp: WireResponse) -> list[str]:
    """What is wrong with the CORS headers of one response."""
    found = _malformed_acao(resp.get_all(ACAO), ex.probe.origin)
    acac = resp.get(ACAC)
    if acac is not None and acac.strip(" \t") != "true" and acac.strip(" \t").lower() != "false":
        found.append(
            f"Access-Control-Allow-Credentials: {acac} is not exactly 'true' (case-sensitive, one value)"
        )
    if ex.probe.method == "OPTIONS" and 200 <= resp.status < 300:
        for name in (ACAM, ACAH):
            bad = [t for t in _tokens(resp.get(name)) if not TOKEN.fullmatch(t)]
            if bad:
                found.append(
                    f"{_title(name)}: {resp.get(name)} is not a comma-separated token list ({bad[0]!r})"
                )
        age = resp.get_all(ACMA)
        if age and (len(age) > 1 or not age[0].strip(" \t").isdigit()):
            found.append(f"Access-Control-Max-Age: {', '.join(age)} is not one number of seconds")
    if any(not TOKEN.fullmatch(t) for t in _tokens(resp.get(ACEH))):
        found.append(
            f"Access-Control-Expose-Headers: {resp.get(ACEH)} is not a comma-separated token list"
        )
    return found


def _malformed_acao(values: list[str], origin: str | None) -> list[str]:
    if len(values) > 1:
        return [
            f"{len(values)} Access-Control-Allow-Origin headers ({' | '.join(values)}): the browser "
            "joins them with ', ' and rejects the result"
        ]
    if not values:
        return []
    v = values[0].strip(" \t")
    if v in ("*", "null") or v == origin or is_serialized_origin(v):
        return []
    why = "not a serialized origin"
    if v.endswith("/"):
        why = "a trailing slash"
    elif v != v.lower():
        why = "upper-case letters"
    elif re.search(r":(80|443)$", v):
        why = "a default port"
    elif "," in v or " " in v:
        why = "several values in one header"
    return [f"Access-Control-Allow-Origin: {v} has {why}; browsers compare it byte for byte"]


def _title(name: str) -> str:
    return "-".join(part.capitalize() for part in name.split("-"))
