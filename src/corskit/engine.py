"""The sans-IO CORS engine: request headers in, a :class:`Decision` out.

The layer rule of corskit's core, which this module is the middle of: **a module imports
only modules above it** in ::

    bounded / _calls / public_suffix / regex_linear -> problems -> headers / origins
        -> dynamic -> engine -> policy -> routing / settings -> live -> options -> _loops
        -> asgi / wsgi

so the engine never imports :mod:`corskit.policy`: it is compiled from explicit inputs,
and the policy builds it (``policy.engine``). ``tests/core/test_layers.py`` checks the
rule, type-only imports included; ``docs/architecture.md`` draws it.

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
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from . import dynamic
from .bounded import BoundedCache
from .dynamic import HeaderGetter, OriginFunction, Verdict
from .headers import SAFELISTED_METHODS, SAFELISTED_REQUEST_HEADER_NAMES, parse_header_list
from .origins import MAX_ORIGIN_LENGTH, OriginMatcher
from .problems import escape

__all__ = [
    "Decision",
    "Engine",
    "OriginCheck",
    "PreflightFields",
    "Reason",
    "log_decision",
    "logger",
]

logger = logging.getLogger("corskit")

Header = tuple[bytes, bytes]
#: Access-Control-Request-Method, the Access-Control-Request-Headers lines, -Private-Network.
PreflightFields = tuple[bytes, list[bytes], "bytes | None"]
#: Builds a header getter for the origin function from the adapter's own request object
#: (ASGI's raw header list, a WSGI environ) and the names the function reads.
GetterFactory = Callable[[Any, tuple[bytes, ...]], HeaderGetter]


class Reason:
    """Machine-readable reason codes carried by every :class:`Decision`."""

    PREFLIGHT_ALLOWED = "preflight-allowed"
    ACTUAL_ALLOWED = dynamic.ALLOWED
    NO_ORIGIN = "no-origin"
    ORIGIN_NOT_ALLOWED = dynamic.NOT_ALLOWED
    ORIGIN_NULL = "origin-null"
    ORIGIN_DUPLICATED = "origin-duplicated"
    METHOD_NOT_ALLOWED = "method-not-allowed"
    HEADER_NOT_ALLOWED = "header-not-allowed"
    AUTHORIZATION_NOT_COVERED = "authorization-not-covered-by-wildcard"
    HEADER_LIST_MALFORMED = "header-list-malformed"
    HEADER_LIST_TOO_LONG = "header-list-too-long"
    # The origin function's failures (its verdicts, owned by corskit.dynamic) and
    # per-route policies (corskit.routing).
    ORIGIN_CHECK_TIMEOUT = dynamic.TIMEOUT
    ORIGIN_CHECK_ERROR = dynamic.ERROR
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


_ORIGIN_REFUSALS = (
    Reason.ORIGIN_NOT_ALLOWED,
    Reason.ORIGIN_NULL,
    Reason.ORIGIN_DUPLICATED,
    Reason.ORIGIN_CHECK_TIMEOUT,
    Reason.ORIGIN_CHECK_ERROR,
)
_PREFLIGHT_REFUSALS = (
    *_ORIGIN_REFUSALS,
    Reason.METHOD_NOT_ALLOWED,
    Reason.HEADER_NOT_ALLOWED,
    Reason.AUTHORIZATION_NOT_COVERED,
    Reason.HEADER_LIST_MALFORMED,
    Reason.HEADER_LIST_TOO_LONG,
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


@dataclass(frozen=True, slots=True)
class OriginCheck:
    """The engine's answer when only the policy's origin function can decide.

    The adapter asks the function (``await check.func.check(check.origin, check.get)``
    under ASGI, ``check.func.check_sync(...)`` under WSGI) and hands the verdict back to
    :meth:`Engine.after_origin_check`, which returns the :class:`Decision`.
    """

    func: OriginFunction
    origin: bytes
    get: HeaderGetter
    #: The preflight's fields; None for an actual request or a WebSocket handshake.
    fields: PreflightFields | None = None
    websocket: bool = False


_METHOD_TOKEN = re.compile(rb"[!#$%&'*+\-.^_`|~0-9A-Za-z]{1,64}")
_CACHE_SIZE = 1024  # bounded caches (corskit.bounded), so hostile input cannot grow them
_CACHE_BYTES = 4 * 1024 * 1024
# Preflight decisions are cached by their inputs when these total at most this many bytes.
_CACHEABLE_PREFLIGHT = 2048
# An Origin is echoed only when it is visible ASCII without commas: a regex or a pattern
# can never put CR, LF, NUL or a list into Access-Control-Allow-Origin (tests/fuzz).
_ECHOABLE = re.compile(rb"[!-+\--~]+")
_MAX_WILDCARD_LIST = (
    4096  # bytes of Access-Control-Request-Headers accepted with allow_headers=["*"]
)
# What a browser can send as Origin (Fetch: origin serialisation): lower-case scheme and
# host, optional port, nothing else. Anything else never reaches the user's function.
_ORIGIN_SHAPE = re.compile(
    rb"[a-z][a-z0-9+.\-]*://(?:[a-z0-9_\-.]+|\[[0-9a-f:.]+\])(?::[0-9]{1,5})?"
)
_MAX_ASKED_ORIGIN = 512

ACAO = b"access-control-allow-origin"
ACAC = b"access-control-allow-credentials"


def _cache() -> BoundedCache[Any, Any]:
    return BoundedCache(_CACHE_SIZE, _CACHE_BYTES)


class Engine:
    """The compiled form of a CORS configuration, from explicit inputs.

    :class:`~corskit.CORSPolicy` validates the settings and builds its engine
    (``policy.engine``); the engine never sees the policy. Every input is keyword-only:

    - ``matcher``: the compiled static origins (:class:`~corskit.origins.OriginMatcher`);
      ``allow_origins`` only sizes the longest Origin worth hashing.
    - ``origin_func``: asked about origins the matcher refuses (see :meth:`classify`);
      ``null_to_func``: ``null`` is asked too.
    - the other inputs are the policy's settings of the same names, already normalised.
    """

    __slots__ = (
        "_acrh_cache",
        "_actual_get",
        "_any_header",
        "_any_method",
        "_askable",
        "_denied",
        "_expose",
        "_granted_cache",
        "_granted_get",
        "_granted_preflight_cache",
        "_granted_preflight_get",
        "_header_limit",
        "_headers_ok",
        "_matcher",
        "_method_headers",
        "_method_limit",
        "_origin_limit",
        "_pf_tail",
        "_pna",
        "_preflight_cache",
        "_preflight_failed",
        "_preflight_get",
        "_preflight_prefix_any",
        "_status",
        "_vary",
        "_wildcard_actual",
        "_ws_no_origin",
        "actual_cache",
        "credentials",
        "decided",
        "decided_get",
        "no_origin",
        "null_to_func",
        "origin_func",
        "preflight_vary",
        "wildcard",
    )

    def __init__(
        self,
        *,
        matcher: OriginMatcher,
        allow_origins: Iterable[str] = (),
        allow_methods: Iterable[str] = ("GET",),
        allow_headers: Iterable[str] = (),
        allow_credentials: bool = False,
        allow_private_network: bool = False,
        expose_headers: Iterable[str] = (),
        max_age: int | None = 600,
        preflight_status: int = 204,
        origin_func: OriginFunction | None = None,
        null_to_func: bool = False,
    ) -> None:
        self._matcher = matcher
        self.credentials = allow_credentials
        # Fetch: CORS protocol and HTTP caches. "*" (no credentials) is a static answer:
        # send it on every response and do not vary; otherwise the answer depends on Origin.
        self.wildcard = matcher.allows_all and not allow_credentials
        # No longer Origin can be allowed; longer ones are refused before being hashed.
        self._origin_limit = max([MAX_ORIGIN_LENGTH, *(len(o) for o in allow_origins)])
        self.origin_func = origin_func
        self.null_to_func = null_to_func
        # The static refusals the origin function may overturn (see classify).
        self._askable = frozenset(
            (Reason.ORIGIN_NOT_ALLOWED, Reason.ORIGIN_NULL)
            if null_to_func
            else (Reason.ORIGIN_NOT_ALLOWED,)
        )
        exposed = ", ".join(expose_headers).encode("ascii")
        self._expose: tuple[Header, ...] = (
            ((b"access-control-expose-headers", exposed),) if exposed else ()
        )
        #: origin -> decision for actual requests (allowed and refused), bounded.
        self.actual_cache: BoundedCache[bytes, Decision] = _cache()
        self._granted_cache: BoundedCache[bytes, Decision] = _cache()
        self._granted_preflight_cache: BoundedCache[Any, Decision] = _cache()
        self._preflight_cache: BoundedCache[Any, Decision] = _cache()
        self._acrh_cache: BoundedCache[Any, tuple[bytes, str, str]] = _cache()
        #: origin -> the final decision :meth:`classify` gives an actual request carrying
        #: that one ``Origin``: what adapters may look up before calling it. The decision
        #: cache itself when every decision in it is final (no origin function); with one,
        #: an empty dict (a refusal there may still be overturned by the function).
        self.decided: dict[bytes, Decision] = self.actual_cache if origin_func is None else {}
        # The caches' bound ``get`` methods, taken once: CPython's fast path for ``d.get(k)``
        # needs an exact dict, and a BoundedCache is a subclass (a bound method is fast).
        # Callers read one into a local and call that: ``self._x(...)`` is a method load,
        # which CPython 3.11 does not specialise for an attribute the instance holds.
        #: ``decided.get``, for the adapters.
        self.decided_get: Callable[[bytes], Decision | None] = self.decided.get
        self._actual_get = self.actual_cache.get
        self._granted_get = self._granted_cache.get
        self._preflight_get = self._preflight_cache.get
        self._granted_preflight_get = self._granted_preflight_cache.get
        self._compile_actual()
        self._compile_preflight(
            allow_methods, allow_headers, allow_private_network, max_age, preflight_status
        )

    def _compile_actual(self) -> None:
        func_vary = self.origin_func.vary if self.origin_func is not None else b""
        vary = b"" if self.wildcard else (b"Origin, " + func_vary if func_vary else b"Origin")
        self._vary = vary
        self._wildcard_actual = Decision(
            True, Reason.ACTUAL_ALLOWED, ((ACAO, b"*"), *self._expose), vary
        )
        self.no_origin = (
            Decision(True, Reason.NO_ORIGIN, self._wildcard_actual.headers, vary)
            if self.wildcard
            else Decision(False, Reason.NO_ORIGIN, (), vary)
        )
        self._ws_no_origin = Decision(True, Reason.NO_ORIGIN)  # not a browser: nothing to defend
        self._denied = {r: Decision(False, r, (), vary) for r in _ORIGIN_REFUSALS}

    def _compile_preflight(
        self,
        allow_methods: Iterable[str],
        allow_headers: Iterable[str],
        private_network: bool,
        max_age: int | None,
        status: int,
    ) -> None:
        self._pna = private_network
        fields = [b"Origin", b"Access-Control-Request-Method", b"Access-Control-Request-Headers"]
        if self._pna:
            fields.append(b"Access-Control-Request-Private-Network")
        if self.origin_func is not None and self.origin_func.vary:
            fields.append(self.origin_func.vary)
        self.preflight_vary = b", ".join(fields)
        self._status = status
        self._preflight_prefix_any: tuple[Header, ...] = ((ACAO, b"*"),) if self.wildcard else ()
        tail: list[Header] = list(self._cred_headers())
        if max_age is not None:
            # -1 disables caching: browsers read 0 as "do not cache" (Fetch: Max-Age).
            tail.append((b"access-control-max-age", str(max(max_age, 0)).encode()))
        self._pf_tail = tuple(tail)
        methods_given = tuple(allow_methods)
        self._any_method = "*" in methods_given
        # Fetch: CORS-preflight fetch, method check: safelisted methods always pass.
        methods = {m.encode("ascii") for m in methods_given if m != "*"} | {
            m.encode("ascii") for m in SAFELISTED_METHODS
        }
        self._method_headers = {m: (b"access-control-allow-methods", m) for m in methods}
        self._method_limit = max([64, *(len(m) for m in methods)])
        headers_given = tuple(allow_headers)
        self._any_header = "*" in headers_given
        # The names of the CORS-safelisted request-headers (Accept, Accept-Language,
        # Content-Language, Content-Type) are always allowed, as Starlette allows them: a
        # browser lists them when their values are not safelisted (Content-Type:
        # application/json), and only an allowed origin gets this far (docs/differences.md, D19).
        self._headers_ok = frozenset(
            n.encode("ascii")
            for n in (*headers_given, *SAFELISTED_REQUEST_HEADER_NAMES)
            if n != "*"
        )
        # The longest list a browser could send that this policy allows: every allowed
        # name once, with a comma and a little whitespace each. Anything longer is refused
        # before it is split (bounded, linear work; rs/cors's quadratic-parse lesson).
        self._header_limit = (
            _MAX_WILDCARD_LIST
            if self._any_header
            else sum(len(n) + 3 for n in self._headers_ok) + 16
        )
        self._preflight_failed = {
            r: Decision(False, r, (), self.preflight_vary, 403) for r in _PREFLIGHT_REFUSALS
        }

    @classmethod
    def refusing(cls, reason: str) -> Engine:
        """An engine that grants nothing: every request carrying ``Origin`` is refused with
        *reason* (per-route policies answer ambiguous paths with one, ``path-ambiguous``)."""
        engine = cls(matcher=OriginMatcher([]))
        for table, vary, status in (
            (engine._denied, engine._vary, 0),
            (engine._preflight_failed, engine.preflight_vary, 403),
        ):
            refusal = Decision(False, reason, (), vary, status)
            for key in [*table, reason]:
                if key != Reason.ORIGIN_DUPLICATED:
                    table[key] = refusal
        return engine

    # -- one request, whatever the adapter ------------------------------------------------

    def classify(
        self,
        origin: bytes | None,
        duplicated: bool,
        fields: PreflightFields | None,
        source: Any,
        getter: GetterFactory,
        websocket: bool = False,
    ) -> Decision | OriginCheck:
        """Decide one request, for every adapter (ASGI HTTP and WebSocket, WSGI).

        - *origin*: the ``Origin`` value (None: absent); *duplicated*: more than one.
        - *fields*: a preflight's fields when the request is ``OPTIONS`` and carries
          ``Access-Control-Request-Method`` (Fetch: CORS-preflight request), else None.
        - *source*, *getter*: the adapter's request object and how to read the headers
          the origin function declares, used only when the function is consulted.

        Returns a :class:`Decision`, or an :class:`OriginCheck` when the origin function
        must answer first (its cached answers are used here, without a call).
        """
        if origin is None:
            return self._ws_no_origin if websocket else self.no_origin
        if duplicated:  # never from a browser: refused
            return (self._preflight_failed if fields is not None else self._denied)[
                Reason.ORIGIN_DUPLICATED
            ]
        if fields is not None:
            decision = self.preflight(origin, fields[0], fields[1], fields[2])  # no *-call: faster
        elif websocket:
            decision = self.websocket(origin)
        else:
            cached = self._actual_get  # read, then called: see decided_get
            decision = cached(origin) or self.actual(origin)
        func = self.origin_func
        if decision.allowed or func is None:
            return decision
        # The function is asked about what the static list refused (oversized values are
        # refused unhashed), and about ``null`` when the policy says so, never for a
        # WebSocket handshake. Inline, as is a cached answer: this runs on every request
        # the function decides.
        reason = decision.reason
        if (
            reason not in self._askable
            or len(origin) > _MAX_ASKED_ORIGIN
            or (websocket and reason == Reason.ORIGIN_NULL)
        ):
            return decision
        names = func.header_names  # none: the function reads no header, no getter to build
        get = getter(source, names) if names else dynamic.no_headers
        verdict = func.cached(origin, get)
        if verdict is None:
            return self._check_to_run(decision, func, origin, get, fields, websocket)
        if verdict[0]:  # the common hit (what _after returns), without its frame
            if fields is None:
                granted = self._granted_get
                return granted(origin) or self.granted(origin)
            return self.preflight(origin, fields[0], fields[1], fields[2], True)
        return self._after(origin, fields, verdict)

    def _check_to_run(
        self,
        decision: Decision,
        func: OriginFunction,
        origin: bytes,
        get: HeaderGetter,
        fields: PreflightFields | None,
        websocket: bool,
    ) -> Decision | OriginCheck:
        """No cached answer: the check the adapter runs, or the static refusal for a value
        not shaped like a serialised origin (the function is never asked about those, so
        the cache holds nothing else and a hit needs no shape check)."""
        if decision.reason == Reason.ORIGIN_NOT_ALLOWED and _ORIGIN_SHAPE.fullmatch(origin) is None:
            return decision
        return OriginCheck(func, origin, get, fields, websocket)

    def after_origin_check(self, check: OriginCheck, verdict: Verdict) -> Decision:
        """The decision once the origin function gave *verdict* ``(allowed, reason)``."""
        return self._after(check.origin, check.fields, verdict)

    def _after(self, origin: bytes, fields: PreflightFields | None, verdict: Verdict) -> Decision:
        allowed, reason = verdict
        if fields is not None:
            if not allowed:
                return self.refused(reason, preflight=True)
            return self.preflight(origin, fields[0], fields[1], fields[2], True)
        if allowed:  # the cache first: the decision for an allowed origin is built once
            return self._granted_get(origin) or self.granted(origin)
        return self.refused(reason)

    # -- actual requests ------------------------------------------------------------------

    def actual(self, origin: bytes) -> Decision:
        """Decide an actual (non-preflight) request that carries ``Origin: origin``."""
        if self.wildcard:
            return self._wildcard_actual
        if len(origin) > self._origin_limit:  # hostile size: refused before it is hashed
            return self._denied[Reason.ORIGIN_NOT_ALLOWED]
        cached = self._actual_get
        decision = cached(origin)
        if decision is not None:
            return decision
        if not self._matcher.matches(origin) or not _ECHOABLE.fullmatch(origin):
            # Refusals are cached too (shared objects): a refused origin costs one lookup.
            decision = self._denied[
                Reason.ORIGIN_NULL if origin == b"null" else Reason.ORIGIN_NOT_ALLOWED
            ]
        else:
            decision = Decision(
                True,
                Reason.ACTUAL_ALLOWED,
                ((ACAO, origin), *self._cred_headers(), *self._expose),
                self._vary,
            )
        return self.actual_cache.remember(origin, decision)

    def duplicated_origin(self, preflight: bool) -> Decision:
        """The decision for a request with more than one ``Origin`` header (never from a browser)."""
        table = self._preflight_failed if preflight else self._denied
        return table[Reason.ORIGIN_DUPLICATED]

    def _cred_headers(self) -> tuple[Header, ...]:
        return ((ACAC, b"true"),) if self.credentials else ()

    # -- after the origin function answered ----------------------------------------------

    def granted(self, origin: bytes) -> Decision:
        """The decision for an actual request whose origin the policy's function allowed."""
        decision = self._granted_get(origin)
        if decision is None:
            decision = self._granted_cache.remember(
                origin,
                Decision(
                    True,
                    Reason.ACTUAL_ALLOWED,
                    ((ACAO, origin), *self._cred_headers(), *self._expose),
                    self._vary,
                ),
            )
        return decision

    def refused(self, reason: str, preflight: bool = False) -> Decision:
        """The refusal with *reason* (``origin-not-allowed``, ``origin-check-timeout``, ...)."""
        table = self._preflight_failed if preflight else self._denied
        decision = table.get(reason)
        if decision is None:
            decision = Decision(
                False,
                reason,
                (),
                self.preflight_vary if preflight else self._vary,
                403 if preflight else 0,
            )
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
        the policy's origin function allowed the origin (see :meth:`after_origin_check`).
        Decisions are cached (bounded) by their inputs; hostile sizes are never hashed.
        """
        count = len(header_lines)
        acrh: bytes | tuple[bytes, ...] = header_lines[0] if count == 1 else tuple(header_lines)
        size = len(acrh) if count == 1 else sum(map(len, header_lines))
        if size + len(origin) + len(method) + len(private_network or b"") > _CACHEABLE_PREFLIGHT:
            return self._preflight(
                origin, method, header_lines, private_network, granted, acrh, size
            )
        key = (origin, method, acrh, private_network)
        decision = (self._granted_preflight_get if granted else self._preflight_get)(key)
        if decision is None:
            cache = self._granted_preflight_cache if granted else self._preflight_cache
            decision = cache.remember(
                key,
                self._preflight(origin, method, header_lines, private_network, granted, acrh, size),
            )
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
        method_header = (
            self._method_headers.get(method) if len(method) <= self._method_limit else None
        )
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
                verdict = self._acrh_cache.get(acrh)
                if verdict is None:
                    verdict = self._acrh_cache.remember(acrh, self._check_header_list(header_lines))
            value, reason, detail = verdict
            if reason:
                return self._fail(reason, detail)
            if value:
                headers.append((b"access-control-allow-headers", value))
        headers.extend(self._pf_tail)
        if self._pna and private_network is not None and private_network.strip().lower() == b"true":
            headers.append((b"access-control-allow-private-network", b"true"))
        return Decision(
            True, Reason.PREFLIGHT_ALLOWED, tuple(headers), self.preflight_vary, self._status
        )

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


def log_decision(
    decision: Decision, kind: str, method: str, path: str, origin: bytes | None
) -> None:
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
