"""The catalogue of configuration problems, and the error that reports them.

Every problem corskit can find in a configuration has a stable *code* (kebab-case,
never renamed once released), a title, why a browser (or an attacker) cares, and the
general fix. :class:`CORSPolicy` collects every problem it finds into one
:class:`CORSConfigError`, so a broken configuration is reported in full at start-up::

    >>> from corskit import CORSPolicy, CORSConfigError
    >>> try:
    ...     CORSPolicy(allow_origins=["*"], allow_credentials=True, max_age=10**6)
    ... except CORSConfigError as exc:
    ...     print([p.code for p in exc.problems])
    ['wildcard-origin-with-credentials', 'max-age-out-of-range']

``corskit explain CODE`` prints one entry; ``docs/errors.md`` lists them all.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

__all__ = [
    "CATALOGUE",
    "CORSConfigError",
    "CORSConfigWarning",
    "Problem",
    "ProblemInfo",
    "escape",
]

Severity = Literal["error", "warning"]


@dataclass(frozen=True)
class ProblemInfo:
    """One catalogue entry: what a problem code means in general."""

    code: str
    title: str
    why: str
    fix: str
    severity: Severity = "error"


@dataclass(frozen=True)
class Problem:
    """One problem found in one configuration.

    ``fix`` is specific to the offending value (for example the corrected origin),
    ``why`` explains the consequence in browser terms.
    """

    code: str
    field: str
    value: str
    why: str
    fix: str
    severity: Severity = "error"

    def __post_init__(self) -> None:
        # A fix may quote the configured value: keep it one line, whatever the value holds.
        if not self.fix.isprintable():
            object.__setattr__(self, "fix", _printable(self.fix))

    def __str__(self) -> str:
        return f"[{self.code}] {self.field}: {self.value}\n    why: {self.why}\n    fix: {self.fix}"


class CORSConfigError(ValueError):
    """Raised by :class:`corskit.CORSPolicy` with *every* problem of a configuration."""

    def __init__(self, problems: list[Problem] | tuple[Problem, ...]) -> None:
        self.problems: tuple[Problem, ...] = tuple(problems)
        n = len(self.problems)
        lines = [f"corskit: {n} problem{'s' if n != 1 else ''} in the CORS configuration:"]
        lines += [
            f"  {i}. " + str(p).replace("\n", "\n     ") for i, p in enumerate(self.problems, 1)
        ]
        lines.append("Run `corskit explain CODE` for more about any of them.")
        super().__init__("\n".join(lines))

    @property
    def codes(self) -> tuple[str, ...]:
        """The problem codes, in the order they were found."""
        return tuple(p.code for p in self.problems)


class CORSConfigWarning(UserWarning):
    """A configuration that works but is probably not what was meant."""


def escape(value: object, limit: int = 200) -> str:
    """Render an untrusted value for an error message or a log line.

    Control characters (CR, LF, NUL, ...) and non-ASCII are shown as escapes, so a
    value can never forge a log line, and long values are cut.
    """
    text = value if isinstance(value, str) else repr(value)
    out = []
    for ch in text[:limit]:
        o = ord(ch)
        if 0x20 <= o < 0x7F and ch != "\\":
            out.append(ch)
        elif ch == "\\":
            out.append("\\\\")
        elif o < 0x100:
            out.append(f"\\x{o:02x}")
        else:
            out.append(f"\\u{o:04x}" if o < 0x10000 else f"\\U{o:08x}")
    if len(text) > limit:
        out.append(f"...(+{len(text) - limit} chars)")
    return "".join(out)


def _printable(text: str) -> str:
    return "".join(ch if ch.isprintable() else escape(ch) for ch in text)


def _entries(*infos: ProblemInfo) -> dict[str, ProblemInfo]:
    return {info.code: info for info in infos}


CATALOGUE: dict[str, ProblemInfo] = _entries(
    # --- types -------------------------------------------------------------------------
    ProblemInfo(
        "str-instead-of-list",
        "A string was given where a list is expected",
        "A plain string is a collection of characters: Starlette's `in` test then does substring "
        "matching, so allow_origins='https://example.com' lets 'https://example.co' through.",
        "Wrap the value in a list: allow_origins=['https://example.com'].",
    ),
    ProblemInfo(
        "wrong-type",
        "A setting has the wrong type",
        "corskit cannot guess what a value of this type means, and guessing is how insecure "
        "configurations ship.",
        "Give the type the setting documents (a list of strings, a bool, an int or None).",
    ),
    # --- origins -----------------------------------------------------------------------
    ProblemInfo(
        "wildcard-origin-with-credentials",
        "'*' origin together with allow_credentials=True",
        "Browsers reject 'Access-Control-Allow-Origin: *' on credentialed requests (Fetch: CORS "
        "check). Reflecting every origin instead (what Starlette does) lets any website read "
        "responses made with your users' cookies.",
        "List the origins that may send credentials, or use a pattern such as "
        "'https://*.example.com'; or drop allow_credentials if no cookies or auth headers are sent.",
    ),
    ProblemInfo(
        "origin-missing-scheme",
        "Origin without a scheme",
        "Browsers send Origin as scheme://host[:port]; a bare host never matches.",
        "Add the scheme, e.g. 'https://example.com'.",
    ),
    ProblemInfo(
        "origin-trailing-slash",
        "Origin with a trailing slash",
        "A serialised origin never ends with '/', so this entry never matches what browsers send "
        "(Fetch: origin serialisation).",
        "Remove the trailing slash.",
    ),
    ProblemInfo(
        "origin-has-path",
        "Origin with a path",
        "An origin is only scheme, host and port; browsers never send a path in Origin, so this "
        "entry never matches.",
        "Keep only scheme://host[:port].",
    ),
    ProblemInfo(
        "origin-has-query",
        "Origin with a query string",
        "Browsers never send a query in Origin, so this entry never matches.",
        "Keep only scheme://host[:port].",
    ),
    ProblemInfo(
        "origin-has-fragment",
        "Origin with a fragment",
        "Browsers never send a fragment in Origin, so this entry never matches.",
        "Keep only scheme://host[:port].",
    ),
    ProblemInfo(
        "origin-has-userinfo",
        "Origin with a user name or password",
        "Browsers never send credentials in Origin, so this entry never matches.",
        "Keep only scheme://host[:port].",
    ),
    ProblemInfo(
        "origin-uppercase",
        "Origin with upper-case letters",
        "Browsers serialise the scheme and host in lower case and the comparison is byte-exact, "
        "so this entry never matches.",
        "Write the origin in lower case.",
    ),
    ProblemInfo(
        "origin-default-port",
        "Origin with an explicit default port",
        "Browsers omit :443 for https and :80 for http when they serialise an origin, so this entry "
        "never matches.",
        "Remove the default port.",
    ),
    ProblemInfo(
        "origin-invalid",
        "Origin that is not a valid origin",
        "The value cannot be what a browser sends in the Origin header, so it never matches.",
        "Write scheme://host[:port] with a lower-case ASCII host (punycode for international "
        "names), a canonical IP address or port 1-65535.",
    ),
    ProblemInfo(
        "origin-null",
        "The 'null' origin is allowed",
        "Any page can make the browser send 'Origin: null' (a sandboxed iframe, a data: URL), so "
        "allowing it allows attackers. It is also what legitimate cross-origin redirects produce.",
        "Remove 'null'. If a sandboxed or file: page really must call the API, opt in with "
        "dangerously_allow_null_origin=True and never combine it with credentials.",
    ),
    ProblemInfo(
        "origin-file-scheme",
        "A file: origin",
        "Pages opened from file: have an opaque origin and send 'Origin: null'; a file: entry never "
        "matches.",
        "Serve the page over http://localhost during development.",
    ),
    ProblemInfo(
        "origin-bad-wildcard",
        "A wildcard in the wrong place",
        "corskit accepts '*' only as a whole leading label ('https://*.example.com') or as the port "
        "('http://localhost:*'); anything else is ambiguous and is how look-alike domains get in.",
        "Use 'https://*.example.com' for subdomains, 'http://localhost:*' for any port, or "
        "list the origins.",
    ),
    ProblemInfo(
        "public-suffix-wildcard-with-credentials",
        "A wildcard over a public suffix, with credentials",
        "'https://*.github.io' or 'https://*.co.uk' covers sites anyone can register, so anyone "
        "could read credentialed responses.",
        "List your own sites instead. If you really trust every site under the suffix, opt in with "
        "dangerously_tolerate_public_suffix_wildcards=True.",
    ),
    ProblemInfo(
        "insecure-origin-with-credentials",
        "Plain-http origin with credentials",
        "A network attacker can inject script into an http:// page and read credentialed "
        "responses through it (PortSwigger: 'breaking TLS with poorly configured CORS').",
        "Use the https:// origin. http://localhost and loopback addresses are accepted; for "
        "other development hosts opt in with dangerously_tolerate_insecure_origins=True.",
    ),
    ProblemInfo(
        "no-origins-allowed",
        "No origin is allowed",
        "The middleware will refuse every cross-origin request.",
        "Add allow_origins=[...] (or a pattern, or allow_origin_regex).",
        "warning",
    ),
    # --- regex -------------------------------------------------------------------------
    ProblemInfo(
        "regex-invalid",
        "allow_origin_regex does not compile",
        "The middleware cannot match anything with it.",
        "Fix the regular expression; better, use an origin pattern such as "
        "'https://*.example.com', which needs no regex.",
    ),
    ProblemInfo(
        "regex-matches-everything",
        "allow_origin_regex matches any origin",
        "A regex such as '.*' or 'https://.*' is '*' without the warning signs: with credentials "
        "every website can read your users' data.",
        "Match your own hosts only, e.g. 'https://*.example.com' in allow_origins.",
    ),
    ProblemInfo(
        "regex-unescaped-dot",
        "allow_origin_regex has an unescaped dot in a host name",
        "'.' matches any character, so 'https://.*.example.com' also matches "
        "'https://evilexample.com', which anyone can register.",
        "Escape the dots ('\\.'), or use the pattern 'https://*.example.com' in allow_origins.",
    ),
    ProblemInfo(
        "regex-matches-lookalike",
        "allow_origin_regex matches look-alike hosts",
        "A regex such as 'https://.*example\\.com' also matches 'https://evilexample.com' and "
        "'https://example.com.evil.test', which anyone can register (the classic prefix/suffix "
        "bypass of hand-written origin checks).",
        "Require a dot before your domain and the end after it, e.g. "
        "'https://([a-z0-9-]+\\.)*example\\.com', or use 'https://*.example.com' in allow_origins.",
    ),
    ProblemInfo(
        "regex-not-linear",
        "allow_origin_regex cannot be shown to match in linear time",
        "Nested or overlapping repetitions ('([a-z0-9]+)*', '(\\w+\\.?)+', '.*\\..*') make Python's "
        "regex engine backtrack exponentially (or polynomially) on a crafted Origin: a 33-byte header "
        "can block the server for seconds (ReDoS). corskit refuses every regex it cannot prove linear.",
        "Make each repeated part end at a character it cannot contain, e.g. "
        "'https://([a-z0-9-]+\\.)*example\\.com', and avoid back-references and lookarounds; "
        "better, use 'https://*.example.com' in allow_origins, which needs no regex.",
    ),
    ProblemInfo(
        "regex-matches-null",
        "allow_origin_regex matches the 'null' origin",
        "Any page can send 'Origin: null' from a sandboxed iframe.",
        "Make the regex require a scheme, e.g. start it with 'https://'.",
    ),
    # --- methods -----------------------------------------------------------------------
    ProblemInfo(
        "method-invalid",
        "A method that is not an HTTP token",
        "Browsers compare methods byte for byte; a name with spaces or punctuation never matches "
        "(and 'GET, POST' in one string is one invalid method).",
        "Give one method per list item, e.g. ['GET', 'POST'].",
    ),
    ProblemInfo(
        "method-forbidden",
        "A forbidden method (CONNECT, TRACE, TRACK)",
        "Fetch forbids scripts from using these methods, so allowing them has no effect, and TRACE "
        "is a cross-site tracing risk.",
        "Remove it.",
    ),
    ProblemInfo(
        "method-lowercase",
        "A method that browsers do not upper-case",
        "Browsers upper-case only DELETE, GET, HEAD, OPTIONS, POST and PUT; 'patch' matches only "
        "requests whose JavaScript wrote 'patch', and Access-Control-Allow-Methods is compared "
        "case-sensitively.",
        "Write it in upper case ('PATCH'), and use upper case in your fetch() calls.",
        "warning",
    ),
    # --- request headers ---------------------------------------------------------------
    ProblemInfo(
        "header-invalid",
        "A request-header name that is not an HTTP token",
        "No browser can send it, so listing it has no effect; a comma-separated string is one "
        "invalid name.",
        "Give one header name per list item.",
    ),
    ProblemInfo(
        "header-name-pattern",
        "A request-header name that looks like a pattern",
        "allow_headers takes exact names (compared case-insensitively) or '*'; a flask-cors-style "
        "regex such as 'X-Company-.*' is matched as that literal name, which no browser sends, so "
        "the headers it was meant to allow fail the preflight.",
        "List the exact names, e.g. ['X-Company-Id', 'X-Company-Trace'], or use '*'.",
        "warning",
    ),
    ProblemInfo(
        "header-forbidden",
        "A forbidden request-header name",
        "Scripts cannot set this header (Fetch: forbidden request-header names), so listing it has "
        "no effect.",
        "Remove it.",
    ),
    ProblemInfo(
        "header-response-only",
        "A CORS response header listed as a request header",
        "Access-Control-Allow-* and -Max-Age/-Expose-Headers are sent by the server, not the "
        "browser; a client that sends them is misconfigured (a common copy-paste from answers on "
        "the web).",
        "Remove it from allow_headers; the middleware sends these headers itself.",
    ),
    # --- response headers --------------------------------------------------------------
    ProblemInfo(
        "expose-header-invalid",
        "An exposed header name that is not an HTTP token",
        "Browsers ignore it.",
        "Give one header name per list item.",
    ),
    ProblemInfo(
        "expose-header-forbidden",
        "Set-Cookie listed in expose_headers",
        "Browsers never let scripts read Set-Cookie (Fetch: forbidden response-header names), "
        "whatever the server says.",
        "Remove it; read cookies server-side or return the value in the body.",
    ),
    ProblemInfo(
        "expose-header-prohibited",
        "A request or preflight header listed in expose_headers",
        "This name is never on an actual response, so exposing it does nothing.",
        "Remove it.",
    ),
    ProblemInfo(
        "expose-wildcard-with-credentials",
        "expose_headers=['*'] together with credentials",
        "On credentialed requests browsers read '*' as a header literally named '*', so nothing is "
        "exposed (Fetch: Access-Control-Expose-Headers).",
        "List the header names to expose.",
    ),
    # --- max-age & misc ----------------------------------------------------------------
    ProblemInfo(
        "max-age-out-of-range",
        "max_age outside -1..86400",
        "No browser caches a preflight longer than 24 hours (Firefox 86400 s, Chromium 7200 s, "
        "Safari 600 s); negative values other than -1 have no meaning.",
        "Use a value from 0 to 86400 (600 is honoured in full by every browser), -1 to disable "
        "caching, or None to send no header (browsers then cache for 5 s).",
    ),
    ProblemInfo(
        "max-age-above-chromium-cap",
        "max_age above Chromium's 7200-second cap",
        "Chromium caps preflight caching at 2 hours and Safari at 10 minutes, so the value is only "
        "honoured in full by Firefox.",
        "Use 7200 or less (600 for every browser).",
        "warning",
    ),
    ProblemInfo(
        "preflight-status-invalid",
        "preflight_status is not 200 or 204",
        "A preflight must answer with an ok status (200-299); corskit answers 204, or 200 for "
        "legacy clients.",
        "Use 204 (the default) or 200.",
    ),
)

# --- dynamic origins, per-route policies, configuration from the environment ----------
CATALOGUE.update(
    _entries(
        ProblemInfo(
            "origin-func-invalid",
            "allow_origin_func is not a usable function, or its settings are invalid",
            "corskit calls the function with the request's origin and needs a callable, valid "
            "header names to read, and non-negative cache and timeout durations.",
            "Give a function (origin: str) -> bool, sync or async, or "
            "OriginFunction(func, headers=[...], ttl=60, timeout=1.0).",
        ),
        ProblemInfo(
            "origin-func-allows-everything",
            "allow_origin_func allows any origin, with credentials",
            "At start-up the function allowed origins nobody can own (random names under the "
            "reserved .invalid domain), so it reflects every origin: with credentials any website "
            "can read your users' responses, the '*' + credentials hole without the '*'.",
            "Return True only for origins you trust (look them up, compare exactly), or set "
            "allow_credentials=False.",
        ),
        ProblemInfo(
            "origin-func-probe-failed",
            "allow_origin_func could not be checked at start-up",
            "With credentials corskit probes the function with origins nobody can own, to refuse a "
            "function that allows everyone; the function raised or timed out, so it was not "
            "checked. At run time a failing call refuses the origin.",
            "Make the function return False for unknown origins without raising (and answer within "
            "its timeout), e.g. when its database is not reachable yet.",
            "warning",
        ),
        ProblemInfo(
            "origin-func-unreachable",
            "allow_origin_func is never asked: allow_origins=['*']",
            "With '*' and no credentials every origin is allowed statically, so the function is "
            "never called.",
            "Remove '*' from allow_origins to let the function decide, or remove the function.",
            "warning",
        ),
        ProblemInfo(
            "route-prefix-invalid",
            "A per-route prefix that is not a plain, canonical path",
            "Route prefixes are matched segment by segment against the decoded, canonical request "
            "path; a prefix with '..', '//', '%', a backslash, a query or a ';' can never match "
            "what a server routes, and prefixes that differ only in case are ambiguous.",
            "Write the prefix as the plain path the framework routes, e.g. '/api/v1' (a trailing "
            "'/' is ignored).",
        ),
        ProblemInfo(
            "env-value-invalid",
            "An environment variable has a value of the wrong kind",
            "corskit cannot guess what an unparsable value means, and guessing is how insecure "
            "configurations ship.",
            "Use true/false (or 1/0) for booleans, an integer for numbers, and a comma-separated "
            "list (or a JSON array) for lists.",
        ),
        ProblemInfo(
            "env-profile-invalid",
            "CORS_PROFILE is neither development nor production",
            "The profile decides which origins are allowed when none are listed; an unknown "
            "profile is most likely a typo.",
            "Set CORS_PROFILE=development or CORS_PROFILE=production (or leave it unset).",
        ),
        ProblemInfo(
            "env-production-needs-origins",
            "The production profile without an explicit origin list",
            "In production the allowed origins must be written down; an empty list refuses every "
            "cross-origin request, and falling back to development origins would expose the API "
            "to whatever runs on a visitor's localhost.",
            "Set CORS_ALLOW_ORIGINS=https://app.example.com,... (or CORS_ALLOW_ORIGIN_REGEX).",
        ),
        ProblemInfo(
            "env-development-in-production",
            "The development profile runs in a production environment",
            "The development profile allows local front-end ports (localhost, 127.0.0.1); in "
            "production a page on a visitor's machine could then call your API.",
            "Set CORS_PROFILE=production and list the production origins.",
            "warning",
        ),
        ProblemInfo(
            "env-localhost-in-production",
            "A localhost origin in the production profile",
            "Any program on a visitor's machine can serve a page on localhost and call your API "
            "from it.",
            "Remove the localhost and loopback origins from the production list.",
            "warning",
        ),
        ProblemInfo(
            "env-unknown-variable",
            "An environment variable with the CORS prefix that corskit does not know",
            "A misspelt name (CORS_ALLOWED_ORIGINS for CORS_ALLOW_ORIGINS) is silently ignored, so "
            "the setting you meant is not applied.",
            "Rename it to the setting it was meant to be, or remove it.",
            "warning",
        ),
    )
)

# --- framework shapes: corskit.django and corskit.flask ---------------------------------
CATALOGUE.update(
    _entries(
        ProblemInfo(
            "renamed-setting",
            "A setting under django-cors-headers' or flask-cors' name",
            "corskit reads the other library's name so a project moves over unchanged, but the "
            "two names can drift apart in one configuration, and the corskit documentation, "
            "errors and `corskit explain` only speak of corskit's name.",
            "Write the setting under corskit's name, as the fix shows.",
            "warning",
        ),
        ProblemInfo(
            "setting-not-needed",
            "A flask-cors setting corskit has no use for",
            "corskit always does what the setting switched on or off (Vary on every answer, CORS "
            "headers on error responses, preflights answered before the view), so the value is "
            "ignored.",
            "Remove the setting.",
            "warning",
        ),
        ProblemInfo(
            "middleware-order",
            "corskit's Django middleware runs after CommonMiddleware",
            "CommonMiddleware answers some requests itself (APPEND_SLASH and PREPEND_WWW redirects) "
            "without calling the middleware below it, so those answers carry no CORS headers and "
            "the browser reports a CORS error instead of following the redirect.",
            "Put 'corskit.django.CorsMiddleware' above 'django.middleware.common.CommonMiddleware' "
            "in MIDDLEWARE (as high as possible).",
            "warning",
        ),
    )
)
