"""The misconfiguration classes ``corskit audit`` looks for, with stable ids.

Each :class:`AuditClass` carries what a report needs: a title, the explanation of why the
class matters to an attacker, the general fix (with the corskit and Starlette keywords), the
highest severity it can reach, and a CWE for code-scanning dashboards.

The list consolidates PortSwigger's CORS research (https://portswigger.net/web-security/cors)
and the checks of Corsy, CORScanner, nuclei and ZAP (compared in docs/audit.md).  Severity follows exploitability (see :func:`severity_for`):
``high`` only when a browser would hand the response to a page the attacker controls.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

__all__ = [
    "CLASSES",
    "CLASS_IDS",
    "SEVERITIES",
    "AuditClass",
    "Severity",
    "severity_at_least",
    "severity_rank",
]

Severity = Literal["high", "medium", "low", "info"]

#: Severities, most severe first.
SEVERITIES: tuple[Severity, ...] = ("high", "medium", "low", "info")
_RANK = {"high": 3, "medium": 2, "low": 1, "info": 0}


def severity_rank(severity: str) -> int:
    """3 for high … 0 for info (unknown values rank as info)."""
    return _RANK.get(severity, 0)


def severity_at_least(severity: str, threshold: str) -> bool:
    """True when *severity* is *threshold* or more severe."""
    return severity_rank(severity) >= severity_rank(threshold)


@dataclass(frozen=True)
class AuditClass:
    """One misconfiguration class.

    ``explanation`` and ``fix`` may contain ``{origin}`` (the known-good origin, or a
    placeholder), ``{origin_host}`` (its host) and ``{domain}`` (its registrable domain);
    :meth:`render` fills them in.
    """

    id: str
    title: str
    explanation: str
    fix: str
    max_severity: Severity
    cwe: str
    #: How a finding of this class is usually rated (documentation; the real rating comes
    #: from the evidence, see corskit.doctor.audit).
    rating: str

    def render(self, text: str, origin: str | None, domain: str | None) -> str:
        """Fill ``{origin}``, ``{origin_host}`` and ``{domain}`` in *text* with concrete
        values, or with example placeholders when unknown."""
        origin = origin or "https://app.example.com"
        host = origin.split("://", 1)[-1].rsplit(":", 1)[0] if "://" in origin else origin
        return (
            text.replace("{origin_host}", host)
            .replace("{origin}", origin)
            .replace("{domain}", domain or "example.com")
        )


def _c(*args: str) -> AuditClass:
    id_, title, explanation, fix, max_severity, cwe, rating = args
    assert max_severity in _RANK
    return AuditClass(id_, title, explanation, fix, max_severity, cwe, rating)  # type: ignore[arg-type]


_CLASSES = [
    _c(
        "origin-reflection",
        "Any origin is trusted (the request's Origin is reflected)",
        "The server copies whatever Origin the request carries into "
        "Access-Control-Allow-Origin. With Access-Control-Allow-Credentials: true every web page "
        "the victim visits can read this endpoint with the victim's cookies. Without credentials "
        "it still lets any page read data that is protected only by network position (intranet, "
        "VPN, IP allowlists), using the victim's browser as a proxy.",
        "Allow an explicit list of origins instead of echoing the request's Origin. corskit: "
        'CORSMiddleware(app, allow_origins=["{origin}"], allow_credentials=True). Starlette: '
        'allow_origins=["*"] together with allow_credentials=True echoes every origin; use '
        'allow_origins=["{origin}"] (or allow_credentials=False for public data), and no '
        'allow_origin_regex such as ".*".',
        "high",
        "CWE-942",
        "high with Access-Control-Allow-Credentials: true; medium without",
    ),
    _c(
        "null-origin",
        "The origin 'null' is trusted",
        "The server answers Access-Control-Allow-Origin: null. Any page can make its requests "
        "carry Origin: null (from a sandboxed iframe or a data: document), so trusting 'null' "
        "trusts every site.",
        'Remove "null" from the allowed origins. corskit refuses it unless '
        'dangerously_allow_null_origin=True: drop that flag. Starlette: remove "null" from '
        "allow_origins. If a legitimate request arrives with Origin: null, a cross-origin "
        "redirect tainted it (https://fetch.spec.whatwg.org/#concept-request-tainted-origin): fix the redirect instead.",
        "high",
        "CWE-942",
        "high with credentials; medium without",
    ),
    _c(
        "prefix-match",
        "Origins that merely start with a trusted origin are trusted",
        "The origin check anchors only the start: an origin that begins with a trusted one, "
        "such as {origin}.attacker.test, is accepted, and the attacker owns that name. Typical "
        "causes: origin.startswith(...), or a regular expression used with re.match and no "
        "trailing $ (django-cors-headers CORS_ALLOWED_ORIGIN_REGEXES and flask-cors origins "
        "both use re.match).",
        'Compare whole origins. corskit: allow_origins=["{origin}"]. A regular expression must '
        'be anchored at both ends (r"^https://app\\.example\\.com$"; Starlette\'s '
        "allow_origin_regex uses fullmatch, django-cors-headers and flask-cors do not). A "
        "hand-written check should be `origin in ALLOWED_ORIGINS` with a set.",
        "high",
        "CWE-346",
        "high with credentials; medium without",
    ),
    _c(
        "suffix-match",
        "Origins that merely end with the trusted domain are trusted",
        "The origin check anchors only the end: any origin ending with the trusted domain "
        "string, such as https://attacker{domain}, is accepted, and anyone can register such a "
        'name. Typical causes: origin.endswith("{domain}") without a dot boundary, or a regex '
        "without a ^ anchor used with re.search.",
        'Match host labels, not strings. corskit: allow_origins=["https://*.{domain}"] matches '
        "subdomains only at a dot boundary (or list the exact origins). A hand-written check "
        'must parse the origin and test host == domain or host.endswith("." + domain).',
        "high",
        "CWE-346",
        "high with credentials; medium without",
    ),
    _c(
        "substring-match",
        "Origins that contain (or are contained in) a trusted origin are trusted",
        "The origin check is a substring test: an origin containing the trusted host "
        "(https://x{origin_host}.attacker.test) or contained in it ({origin} minus its last "
        'letter) is accepted. Typical causes: `if "example.com" in origin`, a regex with '
        "neither anchor, or a string passed instead of a list to Starlette's allow_origins "
        "(Python's `in` then tests substrings).",
        'Use a list or set of exact origins. Starlette: allow_origins=["{origin}"] (a list, '
        'not a string). corskit: allow_origins=["{origin}"] (corskit rejects a bare string).',
        "high",
        "CWE-346",
        "high with credentials; medium without",
    ),
    _c(
        "unescaped-dot",
        "An unescaped '.' in an origin regex matches any character",
        "A regular expression in the allowlist has an unescaped '.', which matches any "
        "character: a pattern written for {origin} also accepts the same name with a dot "
        "replaced by a letter, which an attacker can register when the replaced dot is left of "
        "the top-level domain.",
        "Escape the dots (re.escape) or avoid regexes: corskit patterns such as "
        'allow_origins=["https://*.{domain}"] need no escaping. Starlette: '
        'allow_origin_regex=r"https://app\\.example\\.com".',
        "high",
        "CWE-185",
        "high with credentials when the accepted name is registrable; low when it is not",
    ),
    _c(
        "special-characters",
        "Host parsing stops at special characters",
        "The server extracts the host from Origin with a pattern that stops at characters such "
        "as '_' or '`', so an origin like {origin}_.attacker.test is read as the trusted host. "
        "Safari sends most of these characters in Origin; Chrome and Firefox send '_'.",
        "Compare the whole serialized origin byte for byte with an allowlist (corskit and "
        "Starlette's allow_origins do); do not extract the host with a regular expression.",
        "high",
        "CWE-346",
        "high with credentials; medium without",
    ),
    _c(
        "any-subdomain",
        "Every subdomain is trusted",
        "Any subdomain of the site is trusted. That is only as safe as the weakest subdomain: "
        "an XSS or a dangling DNS record (subdomain takeover) anywhere under {domain} can read "
        "this API. Informational: intended by many configurations, exploitable only together "
        "with a compromised subdomain.",
        "Keep the wildcard only if every subdomain is trustworthy; otherwise list the "
        'subdomains that need access, e.g. corskit/Starlette allow_origins=["{origin}"] '
        'instead of "https://*.{domain}" or a subdomain regex.',
        "info",
        "CWE-942",
        "info",
    ),
    _c(
        "http-origin-trusted",
        "An https site trusts a plain-http origin",
        "A plain http:// origin of the site is trusted. Anyone on the victim's network (public "
        "Wi-Fi, a hostile router) can inject script into the http page and read this API "
        "through it, defeating HTTPS.",
        "Remove http:// origins (loopback origins for development are fine). corskit refuses "
        "them unless dangerously_tolerate_insecure_origins=True. Starlette: remove the "
        "http:// entries from allow_origins and make allow_origin_regex require https.",
        "medium",
        "CWE-319",
        "medium with credentials (needs a network attacker); low without",
    ),
    _c(
        "third-party-origin",
        "An origin where anyone can publish pages is trusted",
        "An origin on a platform that hosts other people's pages is trusted (github.io, "
        "codepen.io, jsfiddle.net, vercel.app, ...). The attacker publishes the exploit page "
        "there.",
        "Remove platform origins and platform-wide wildcards; trust only your own exact origin "
        "on such a platform (https://yourname.github.io). corskit refuses public-suffix "
        "wildcards unless dangerously_tolerate_public_suffix_wildcards=True.",
        "high",
        "CWE-942",
        "high with credentials; medium without",
    ),
    _c(
        "wildcard-origin",
        "Access-Control-Allow-Origin: *",
        "Every site may read the response, without credentials. That is right for public data "
        "and wrong for anything protected by network position (intranet, VPN, IP allowlists), "
        "where the victim's browser becomes the attacker's proxy. Together with "
        "Access-Control-Allow-Credentials: true the browser rejects the response, so "
        "credentialed requests fail.",
        "Keep * for public resources only. For private ones list the origins: "
        'allow_origins=["{origin}"]. Never send * together with '
        "Access-Control-Allow-Credentials: true (corskit refuses that configuration).",
        "low",
        "CWE-942",
        "info on a public resource; low when sent with credentials (broken, not exploitable)",
    ),
    _c(
        "missing-vary",
        "Origin-dependent Access-Control-Allow-Origin without Vary: Origin",
        "Access-Control-Allow-Origin changes with the request's Origin but the response does "
        "not say Vary: Origin, so a shared or browser cache can serve the copy made for one "
        "origin to another: requests fail at random, and cache poisoning becomes possible "
        "(https://fetch.spec.whatwg.org/#cors-protocol-and-http-caches).",
        "Send Vary: Origin on every response whose CORS headers depend on Origin, including "
        "responses to disallowed origins and to requests without Origin. corskit and "
        "Starlette >= 1.7 do this; hand-written CORS code and some proxies do not.",
        "medium",
        "CWE-524",
        "medium (low when the response is marked no-store)",
    ),
    _c(
        "preflight-reflection",
        "The preflight answer trusts more than the actual responses",
        "The CORS preflight (OPTIONS) approves an origin that actual responses do not trust, "
        "echoing Origin, method and request headers with credentials. The attacker cannot read "
        "the responses, but the browser goes on to send state-changing credentialed requests "
        "(PUT/DELETE, JSON bodies): cross-site request forgery through CORS. The informational "
        "variant: a preflight that echoes every requested header, Authorization included, to a "
        'trusted origin with credentials (Starlette allow_headers=["*"]).',
        "Answer preflights with the same allowlist as actual requests (let the CORS middleware "
        "do it; do not hand-write OPTIONS handlers that echo request headers), and list the "
        'request headers you use: allow_headers=["content-type", "authorization"].',
        "medium",
        "CWE-352",
        "medium with credentials; low without; info for header echo to a trusted origin",
    ),
    _c(
        "malformed-headers",
        "Malformed CORS response headers",
        "The CORS headers break the browser's checks (https://fetch.spec.whatwg.org/#cors-safelisted-response-header-name-https://fetch.spec.whatwg.org/#http-new-header-syntax): several "
        "Access-Control-Allow-Origin values, an origin with a trailing slash, upper-case letters "
        "or a default port, Access-Control-Allow-Credentials other than exactly 'true', or "
        "method/header lists that are not comma-separated tokens. Legitimate requests fail; "
        "often two layers (app and proxy) both add CORS headers.",
        "Send one Access-Control-Allow-Origin with the exact serialized origin ({origin}), "
        "Access-Control-Allow-Credentials: true exactly, comma-separated lists, and let one "
        "layer add CORS headers (corskit's CORSMiddleware replaces any the app set).",
        "low",
        "CWE-20",
        "low (a functional bug)",
    ),
    _c(
        "private-network",
        "Private Network Access granted to untrusted origins",
        "The server answers Private Network Access preflights with "
        "Access-Control-Allow-Private-Network: true for an origin it does not otherwise trust "
        "(or for every origin with *). Chrome used these preflights to ask a device on a private "
        "network whether public web sites may reach it; saying yes to everyone invites drive-by "
        "attacks from the internet. Chrome has replaced PNA with the Local Network Access "
        "permission prompt; the header matters to Chrome 98-141 only. Granting it to a trusted "
        "origin is informational.",
        "Grant Private Network Access only together with an origin allowlist: corskit "
        'allow_private_network=True with allow_origins=["{origin}"]; Starlette: '
        "allow_private_network=False unless a public site really must reach this device.",
        "medium",
        "CWE-942",
        "medium for an untrusted origin; info for a trusted one",
    ),
]

#: Every class by id, in report order.
CLASSES: dict[str, AuditClass] = {c.id: c for c in _CLASSES}

#: The stable class ids, in report order.
CLASS_IDS: tuple[str, ...] = tuple(CLASSES)
