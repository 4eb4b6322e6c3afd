"""The sans-IO CORS engine: request headers in, a :class:`Decision` out.

No framework, no I/O. Adapters (ASGI, WSGI) read the request's ``Origin``,
``Access-Control-Request-Method``, ``-Headers`` and ``-Private-Network`` as bytes, ask the
engine, and apply the decision. Everything that can be worked out from the policy is
worked out once, in :class:`Engine`'s constructor; per request the work is a few
dict/set lookups, and hostile input is cut off by length before any per-item work.

>>> from corskit import CORSPolicy
>>> engine = CORSPolicy(allow_origins=["https://app.example.com"], allow_methods=["PUT"],
...                     allow_headers=["x-token"]).engine
>>> d = engine.preflight(b"https://app.example.com", b"PUT", [b"x-token"], None)
>>> d.allowed, d.reason, d.status
(True, 'preflight-allowed', 204)
>>> d = engine.preflight(b"https://app.example.com", b"DELETE", [], None)
>>> d.allowed, d.reason, d.status, d.headers
(False, 'method-not-allowed', 403, ())
>>> engine.actual(b"https://evil.example").reason
'origin-not-allowed'
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from .headers import SAFELISTED_METHODS, parse_header_list
from .origins import MAX_ORIGIN_LENGTH
from .problems import escape

if TYPE_CHECKING:
    from .policy import CORSPolicy

__all__ = ["Decision", "Engine", "Reason", "log_decision", "logger"]

logger = logging.getLogger("corskit")

Header = tuple[bytes, bytes]


class Reason:
    """Machine-readable reason codes carried by every :class:`Decision`."""

    PREFLIGHT_ALLOWED = "preflight-allowed"
    ACTUAL_ALLOWED = "actual-allowed"
    NO_ORIGIN = "no-origin"
    ORIGIN_NOT_ALLOWED = "origin-not-allowed"
    ORIGIN_NULL = "origin-null"
    ORIGIN_DUPLICATED = "origin-duplicated"
    METHOD_NOT_ALLOWED = "method-not-allowed"
    HEADER_NOT_ALLOWED = "header-not-allowed"
    AUTHORIZATION_NOT_COVERED = "authorization-not-covered-by-wildcard"
    HEADER_LIST_MALFORMED = "header-list-malformed"
    HEADER_LIST_TOO_LONG = "header-list-too-long"
    # Dynamic origins and per-route policies (corskit.dynamic, corskit.routing).
    ORIGIN_CHECK_TIMEOUT = "origin-check-timeout"
    ORIGIN_CHECK_ERROR = "origin-check-error"
    PATH_AMBIGUOUS = "path-ambiguous"

    ALL = (
        PREFLIGHT_ALLOWED,
        ACTUAL_ALLOWED,
        NO_ORIGIN,
        ORIGIN_NOT_ALLOWED,
        ORIGIN_NULL,
        ORIGIN_DUPLICATED,
        METHOD_NOT_ALLOWED,
        HEADER_NOT_ALLOWED,
        AUTHORIZATION_NOT_COVERED,
        HEADER_LIST_MALFORMED,
        HEADER_LIST_TOO_LONG,
        ORIGIN_CHECK_TIMEOUT,
        ORIGIN_CHECK_ERROR,
        PATH_AMBIGUOUS,
    )


@dataclass(frozen=True, slots=True)
class Decision:
    """What to do with one request.

    - ``allowed``: the response grants CORS access (for a preflight: answer with success).
    - ``reason``: a :class:`Reason` code; ``detail`` names the offending method or header.
    - ``headers``: CORS headers to add (on a preflight, every header but ``Vary``).
    - ``vary``: field names to merge into ``Vary`` (``b""`` for none).
    - ``status``: for a preflight, the status to answer with; 0 otherwise.
    """

    allowed: bool
    reason: str
    headers: tuple[Header, ...] = ()
    vary: bytes = b""
    status: int = 0
    detail: str = ""
    #: ``headers`` plus the ``Vary`` header: what the adapters append, precomputed once.
    tail: tuple[Header, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        tail = (*self.headers, (b"vary", self.vary)) if self.vary else self.headers
        object.__setattr__(self, "tail", tail)


_METHOD_TOKEN = re.compile(rb"[!#$%&'*+\-.^_`|~0-9A-Za-z]{1,64}")
_CACHE_SIZE = 1024  # bounded caches: cleared when full, so hostile input cannot grow them
# Preflight decisions are cached by their inputs when these total at most this many bytes.
_CACHEABLE_PREFLIGHT = 2048
# An Origin is echoed only when it is visible ASCII without commas: a regex or a pattern
# can never put CR, LF, NUL or a list into Access-Control-Allow-Origin (tests/fuzz).
_ECHOABLE = re.compile(rb"[!-+\--~]+")
_MAX_WILDCARD_LIST = 4096  # bytes of Access-Control-Request-Headers accepted with allow_headers=["*"]

ACAO = b"access-control-allow-origin"
ACAC = b"access-control-allow-credentials"


class Engine:
    """The compiled form of a :class:`~corskit.CORSPolicy`. Built by the policy."""

    __slots__ = (
        "_acrh_cache",
        "_any_header",
        "_any_method",
        "_denied",
        "_expose",
        "_granted_cache",
        "_granted_preflight_cache",
        "_header_limit",
        "_headers_ok",
        "_listed_authorization",
        "_matcher",
        "_method_headers",
        "_method_limit",
        "_origin_limit",
        "_pf_tail",
        "_pna",
        "_preflight_cache",
        "_preflight_failed",
        "_preflight_prefix_any",
        "_status",
        "_vary",
        "_wildcard_actual",
        "actual_cache",
        "credentials",
        "no_origin",
        "null_to_func",
        "origin_func",
        "preflight_vary",
        "wildcard",
    )

    def __init__(self, policy: CORSPolicy) -> None:
        self._matcher = policy.matcher
        self.credentials = policy.allow_credentials
        # Fetch: CORS protocol and HTTP caches. "*" (no credentials) is a static answer:
        # send it on every response and do not vary; otherwise the answer depends on Origin.
        self.wildcard = policy.allows_all_origins and not policy.allow_credentials
        cred: tuple[Header, ...] = ((ACAC, b"true"),) if self.credentials else ()
        self._expose: tuple[Header, ...] = (
            ((b"access-control-expose-headers", ", ".join(policy.expose_headers).encode("ascii")),)
            if policy.expose_headers
            else ()
        )
        #: origin -> decision for actual requests (allowed and refused), bounded; the
        #: adapters read it directly on their hot path and call :meth:`actual` on a miss.
        self.actual_cache: dict[bytes, Decision] = {}
        # No longer Origin can be allowed; longer ones are refused before being hashed.
        self._origin_limit = max([MAX_ORIGIN_LENGTH, *(len(o) for o in policy.allow_origins)])
        # Dynamic origins (corskit.dynamic): the adapters ask the function only after the
        # static check refused; the request headers it reads are part of every answer's Vary.
        self.origin_func = policy.allow_origin_func
        self.null_to_func = policy.dangerously_allow_null_origin
        self._granted_cache: dict[bytes, Decision] = {}
        self._granted_preflight_cache: dict[tuple[bytes, bytes, bytes | tuple[bytes, ...], bytes | None], Decision] = {}
        func_vary = self.origin_func.vary if self.origin_func is not None else b""
        vary = b"" if self.wildcard else (b"Origin, " + func_vary if func_vary else b"Origin")
        self._vary = vary
        self._wildcard_actual = Decision(True, Reason.ACTUAL_ALLOWED, ((ACAO, b"*"), *self._expose), vary)
        self.no_origin = (
            Decision(True, Reason.NO_ORIGIN, self._wildcard_actual.headers, vary)
            if self.wildcard
            else Decision(False, Reason.NO_ORIGIN, (), vary)
        )
        self._denied = {
            r: Decision(False, r, (), vary)
            for r in (
                Reason.ORIGIN_NOT_ALLOWED,
                Reason.ORIGIN_NULL,
                Reason.ORIGIN_DUPLICATED,
                Reason.ORIGIN_CHECK_TIMEOUT,
                Reason.ORIGIN_CHECK_ERROR,
            )
        }

        # Preflight -------------------------------------------------------------------
        self._pna = policy.allow_private_network
        fields = [b"Origin", b"Access-Control-Request-Method", b"Access-Control-Request-Headers"]
        if self._pna:
            fields.append(b"Access-Control-Request-Private-Network")
        if func_vary:
            fields.append(func_vary)
        self.preflight_vary = b", ".join(fields)
        self._status = policy.preflight_status
        self._preflight_prefix_any: tuple[Header, ...] = ((ACAO, b"*"),) if self.wildcard else ()
        tail: list[Header] = list(cred)
        if policy.max_age is not None:
            # -1 disables caching: browsers read 0 as "do not cache" (Fetch: Max-Age).
            tail.append((b"access-control-max-age", str(max(policy.max_age, 0)).encode()))
        self._pf_tail = tuple(tail)
        self._any_method = "*" in policy.allow_methods
        # Fetch: CORS-preflight fetch, method check: safelisted methods always pass.
        methods = {m.encode("ascii") for m in policy.allow_methods if m != "*"} | {
            m.encode("ascii") for m in SAFELISTED_METHODS
        }
        self._method_headers = {m: (b"access-control-allow-methods", m) for m in methods}
        self._method_limit = max([64, *(len(m) for m in methods)])
        self._any_header = "*" in policy.allow_headers
        self._listed_authorization = "authorization" in policy.allow_headers
        # Fetch: CORS-preflight fetch, header check: every name the browser lists (it lists
        # Accept, Accept-Language, Content-Language and Content-Type only when their values
        # are not CORS-safelisted, e.g. application/json) must be allowed; none is implied.
        self._headers_ok = frozenset(n.encode("ascii") for n in policy.allow_headers if n != "*")
        # The longest list a browser could send that this policy allows: every allowed
        # name once, with a comma and a little whitespace each. Anything longer is refused
        # before it is split (bounded, linear work; rs/cors's quadratic-parse lesson).
        self._header_limit = (
            _MAX_WILDCARD_LIST
            if self._any_header
            else sum(len(n) + 3 for n in self._headers_ok) + 16
        )
        self._acrh_cache: dict[bytes | tuple[bytes, ...], tuple[bytes, str, str]] = {}
        self._preflight_cache: dict[tuple[bytes, bytes, bytes | tuple[bytes, ...], bytes | None], Decision] = {}
        self._preflight_failed = {
            r: Decision(False, r, (), self.preflight_vary, 403)
            for r in (
                Reason.ORIGIN_NOT_ALLOWED,
                Reason.ORIGIN_NULL,
                Reason.ORIGIN_DUPLICATED,
                Reason.METHOD_NOT_ALLOWED,
                Reason.HEADER_NOT_ALLOWED,
                Reason.AUTHORIZATION_NOT_COVERED,
                Reason.HEADER_LIST_MALFORMED,
                Reason.HEADER_LIST_TOO_LONG,
                Reason.ORIGIN_CHECK_TIMEOUT,
                Reason.ORIGIN_CHECK_ERROR,
            )
        }

    # -- actual requests ------------------------------------------------------------------

    def actual(self, origin: bytes) -> Decision:
        """Decide an actual (non-preflight) request that carries ``Origin: origin``."""
        if self.wildcard:
            return self._wildcard_actual
        if len(origin) > self._origin_limit:  # hostile size: refused before it is hashed
            return self._denied[Reason.ORIGIN_NOT_ALLOWED]
        decision = self.actual_cache.get(origin)
        if decision is not None:
            return decision
        if not self._matcher.matches(origin) or not _ECHOABLE.fullmatch(origin):
            # Refusals are cached too (shared objects): a refused origin costs one lookup.
            decision = self._denied[Reason.ORIGIN_NULL if origin == b"null" else Reason.ORIGIN_NOT_ALLOWED]
        else:
            decision = Decision(
                True, Reason.ACTUAL_ALLOWED, ((ACAO, origin), *self._cred_headers(), *self._expose), self._vary
            )
        if len(self.actual_cache) >= _CACHE_SIZE:
            self.actual_cache.clear()
        self.actual_cache[origin] = decision
        return decision

    def duplicated_origin(self, preflight: bool) -> Decision:
        """The decision for a request with more than one ``Origin`` header (never from a browser)."""
        table = self._preflight_failed if preflight else self._denied
        return table[Reason.ORIGIN_DUPLICATED]

    def _cred_headers(self) -> tuple[Header, ...]:
        return ((ACAC, b"true"),) if self.credentials else ()

    # -- dynamic origins (called by corskit.dynamic after the origin function answered) ----

    def granted(self, origin: bytes) -> Decision:
        """The decision for an actual request whose origin the policy's function allowed."""
        decision = self._granted_cache.get(origin)
        if decision is None:
            decision = Decision(
                True, Reason.ACTUAL_ALLOWED, ((ACAO, origin), *self._cred_headers(), *self._expose), self._vary
            )
            if len(self._granted_cache) >= _CACHE_SIZE:
                self._granted_cache.clear()
            self._granted_cache[origin] = decision
        return decision

    def refused(self, reason: str, preflight: bool = False) -> Decision:
        """The refusal with *reason* (``origin-not-allowed``, ``origin-check-timeout``, ...)."""
        table = self._preflight_failed if preflight else self._denied
        decision = table.get(reason)
        if decision is None:
            decision = Decision(False, reason, (), self.preflight_vary if preflight else self._vary, 403 if preflight else 0)
        return decision

    # -- preflights -----------------------------------------------------------------------

    def preflight(
        self,
        origin: bytes,
        method: bytes,
        header_lines: list[bytes],
        private_network: bytes | None,
        granted: bool = False,
    ) -> Decision:
        """Decide a CORS preflight (``OPTIONS`` + ``Origin`` + ``Access-Control-Request-Method``).

        Checks run in Fetch order: origin, then method, then headers. ``granted=True``:
        the policy's origin function allowed the origin (see :mod:`corskit.dynamic`).
        Decisions are cached (bounded) by their inputs; hostile sizes are never hashed.
        """
        count = len(header_lines)
        acrh: bytes | tuple[bytes, ...] = header_lines[0] if count == 1 else tuple(header_lines)
        size = len(acrh) if count == 1 else sum(map(len, header_lines))
        if granted or size + len(origin) + len(method) + len(private_network or b"") > _CACHEABLE_PREFLIGHT:
            if granted and size + len(origin) + len(method) + len(private_network or b"") <= _CACHEABLE_PREFLIGHT:
                return self._granted_preflight(origin, method, header_lines, private_network, acrh, size)
            return self._preflight(origin, method, header_lines, private_network, granted, acrh, size)
        key = (origin, method, acrh, private_network)
        decision = self._preflight_cache.get(key)
        if decision is None:
            decision = self._preflight(origin, method, header_lines, private_network, False, acrh, size)
            if len(self._preflight_cache) >= _CACHE_SIZE:
                self._preflight_cache.clear()
            self._preflight_cache[key] = decision
        return decision

    def _granted_preflight(
        self,
        origin: bytes,
        method: bytes,
        header_lines: list[bytes],
        private_network: bytes | None,
        acrh: bytes | tuple[bytes, ...],
        size: int,
    ) -> Decision:
        """A preflight whose origin the origin function allowed, cached like the others
        (the function's own answer is checked, with its TTL, before every call)."""
        key = (origin, method, acrh, private_network)
        decision = self._granted_preflight_cache.get(key)
        if decision is None:
            decision = self._preflight(origin, method, header_lines, private_network, True, acrh, size)
            if len(self._granted_preflight_cache) >= _CACHE_SIZE:
                self._granted_preflight_cache.clear()
            self._granted_preflight_cache[key] = decision
        return decision

    def _preflight(
        self,
        origin: bytes,
        method: bytes,
        header_lines: list[bytes],
        private_network: bytes | None,
        granted: bool,
        acrh: bytes | tuple[bytes, ...],
        size: int,
    ) -> Decision:
        # 1. Origin (Fetch: CORS check, as the browser will run it on our answer).
        if self.wildcard:
            headers: list[Header] = list(self._preflight_prefix_any)
        else:
            actual = self.actual(origin)
            if not actual.allowed and not granted:
                return self._preflight_failed[actual.reason]
            headers = [(ACAO, origin)]
        # 2. Method: byte-exact (Fetch: CORS-preflight fetch, method check).
        method_header = self._method_headers.get(method) if len(method) <= self._method_limit else None
        if method_header is None:
            if not (self._any_method and _METHOD_TOKEN.fullmatch(method)):
                return self._fail(Reason.METHOD_NOT_ALLOWED, method)
            method_header = (b"access-control-allow-methods", method)
        headers.append(method_header)
        # 3. Headers: case-insensitive; "*" never covers Authorization.
        if header_lines:
            if size > self._header_limit:  # refused by length before it is hashed or split
                return self._preflight_failed[Reason.HEADER_LIST_TOO_LONG]
            else:
                # Several lines are keyed as a tuple: never the same key as one line that
                # holds the same bytes (lines are joined with "," when parsed).
                cached = self._acrh_cache.get(acrh)
                if cached is None:
                    cached = self._check_header_list(header_lines)
                    if len(self._acrh_cache) >= _CACHE_SIZE:
                        self._acrh_cache.clear()
                    self._acrh_cache[acrh] = cached
                verdict = cached
            value, reason, detail = verdict
            if reason:
                return self._fail(reason, detail)
            if value:
                headers.append((b"access-control-allow-headers", value))
        headers.extend(self._pf_tail)
        if self._pna and private_network is not None and private_network.strip().lower() == b"true":
            headers.append((b"access-control-allow-private-network", b"true"))
        return Decision(True, Reason.PREFLIGHT_ALLOWED, tuple(headers), self.preflight_vary, self._status)

    def _fail(self, reason: str, detail: bytes | str) -> Decision:
        base = self._preflight_failed[reason]
        if not detail:
            return base
        text = detail if isinstance(detail, str) else escape(detail.decode("latin-1"), 64)
        return Decision(False, reason, (), base.vary, 403, text)

    def _check_header_list(self, lines: list[bytes]) -> tuple[bytes, str, str]:
        """(value to echo in Access-Control-Allow-Headers, reason or "", detail)."""
        if sum(len(line) for line in lines) > self._header_limit:
            return b"", Reason.HEADER_LIST_TOO_LONG, ""
        names = parse_header_list(lines, self._header_limit)
        if names is None:
            return b"", Reason.HEADER_LIST_MALFORMED, ""
        for name in names:
            if name in self._headers_ok:
                continue
            if not self._any_header:
                return b"", Reason.HEADER_NOT_ALLOWED, name.decode("ascii")
            if name == b"authorization":
                # Fetch: CORS non-wildcard request-header name; must be listed explicitly.
                return b"", Reason.AUTHORIZATION_NOT_COVERED, "authorization"
        return b",".join(dict.fromkeys(names)), "", ""

    # -- WebSocket ----------------------------------------------------------------------

    def websocket(self, origin: bytes) -> Decision:
        """Check a WebSocket handshake's ``Origin`` against the policy (CSWSH defence)."""
        if self.wildcard or self._matcher.matches(origin):
            return Decision(True, Reason.ACTUAL_ALLOWED)
        return self._denied[Reason.ORIGIN_NULL if origin == b"null" else Reason.ORIGIN_NOT_ALLOWED]


def log_decision(decision: Decision, kind: str, method: str, path: str, origin: bytes | None) -> None:
    """Log a refusal at debug level on the ``corskit`` logger, safe against log injection."""
    if logger.isEnabledFor(logging.DEBUG):
        logger.debug(
            "corskit: %s refused: reason=%s%s method=%s path=%s origin=%s",
            kind,
            decision.reason,
            f" detail={escape(decision.detail, 80)}" if decision.detail else "",
            escape(method, 32),
            escape(path, 200),
            escape(origin.decode("latin-1"), 200) if origin is not None else "-",
        )
