"""The WSGI adapter (Flask, Django, any PEP 3333 application), on the same engine.

>>> from corskit.wsgi import CORSMiddleware
>>> def app(environ, start_response):
...     start_response("200 OK", [("Content-Type", "text/plain")])
...     return [b"hello"]
>>> wrapped = CORSMiddleware(app, allow_origins=["https://app.example.com"])
>>> wrapped.policy.allow_origins
('https://app.example.com',)

Flask::

    app = Flask(__name__)
    app.wsgi_app = CORSMiddleware(app.wsgi_app, allow_origins=["https://app.example.com"])

Django (``wsgi.py``)::

    application = CORSMiddleware(get_wsgi_application(), allow_origins=[...])

The keywords, ``policy=``, ``routes=``, ``debug=`` and :meth:`CORSMiddleware.reconfigure`
are those of the ASGI middleware. Preflights are answered here, without calling the
application. Every response of the application gets the CORS headers, error responses
included: an exception that escapes the application before the response has started
is logged (logger ``corskit``) and answered with a ``500`` that carries the CORS
headers, so the browser shows the real error instead of a CORS error.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable, Iterator
from types import TracebackType
from typing import TYPE_CHECKING, Any

from .engine import Decision, Engine, OriginCheck, PreflightFields, log_decision, logger
from .headers import merge_vary
from .live import LiveConfiguration
from .options import GET_ONLY, MAX_AGE, NO_NAMES, CorskitOptions, RoutesSetting, collect_settings
from .policy import CORSPolicy
from .problems import escape
from .routing import RouteTable

if TYPE_CHECKING:
    from typing_extensions import Unpack  # typing.Unpack from Python 3.11

__all__ = ["CORSMiddleware"]

ExcInfo = tuple[type[BaseException], BaseException, TracebackType | None] | tuple[None, None, None]
StartResponse = Callable[..., Callable[[bytes], object]]
WSGIApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]

_CORS_NAMES = frozenset(
    {
        "access-control-allow-origin",
        "access-control-allow-credentials",
        "access-control-expose-headers",
    }
)
_REASONS = {200: "200 OK", 204: "204 No Content", 403: "403 Forbidden"}
_ERROR_BODY = b"Internal Server Error\n"


def _environ_getter(
    environ: dict[str, Any], names: tuple[bytes, ...]
) -> Callable[[bytes], bytes | None]:
    """A getter over a WSGI environ for the header *names* an origin function reads."""

    def get(name: bytes) -> bytes | None:
        key = name.decode("ascii").upper().replace("-", "_")
        value = environ.get(key if key in ("CONTENT_TYPE", "CONTENT_LENGTH") else "HTTP_" + key)
        return value.encode("latin-1") if isinstance(value, str) else None

    return get


def _preflight_fields(environ: dict[str, Any]) -> PreflightFields | None:
    """(Access-Control-Request-Method, -Headers lines, -Private-Network), or None without
    Access-Control-Request-Method (then it is not a preflight)."""
    acrm = environ.get("HTTP_ACCESS_CONTROL_REQUEST_METHOD")
    if acrm is None:
        return None
    acrh = environ.get("HTTP_ACCESS_CONTROL_REQUEST_HEADERS")
    pna = environ.get("HTTP_ACCESS_CONTROL_REQUEST_PRIVATE_NETWORK")
    return (
        acrm.encode("latin-1"),
        [acrh.encode("latin-1")] if acrh is not None else [],
        pna.encode("latin-1") if pna is not None else None,
    )


def _latin1(headers: Iterable[tuple[bytes, bytes]]) -> list[tuple[str, str]]:
    return [(n.decode("latin-1"), v.decode("latin-1")) for n, v in headers]


class CORSMiddleware(LiveConfiguration):
    """WSGI CORS middleware. Takes the keywords of :class:`corskit.CORSPolicy`, or ``policy=``."""

    def __init__(
        self,
        app: WSGIApp,
        allow_origins: Iterable[str] = NO_NAMES,
        allow_methods: Iterable[str] = GET_ONLY,
        allow_headers: Iterable[str] = NO_NAMES,
        allow_credentials: bool = False,
        allow_origin_regex: str | None = None,
        allow_private_network: bool = False,
        expose_headers: Iterable[str] = NO_NAMES,
        max_age: int | None = MAX_AGE,
        *,
        policy: CORSPolicy | None = None,
        routes: RoutesSetting | None = None,
        debug: bool = False,
        **settings: Unpack[CorskitOptions],
    ) -> None:
        self.app = app
        given = collect_settings(
            (
                allow_origins,
                allow_methods,
                allow_headers,
                allow_credentials,
                allow_origin_regex,
                allow_private_network,
                expose_headers,
                max_age,
            ),
            settings,
        )
        self._configure(policy, (), given, routes)
        self.debug = debug

    # -- per request ---------------------------------------------------------------------

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        state = self._state
        engine: Engine = state[1]
        if state[2] is not None:
            engine = _route(state[2], environ) or engine
        origin_text = environ.get("HTTP_ORIGIN")
        origin = origin_text.encode("latin-1") if origin_text is not None else None
        # WSGI servers join repeated headers with ","; no origin contains one.
        duplicated = origin is not None and b"," in origin
        fields = (
            _preflight_fields(environ)
            if origin is not None and environ.get("REQUEST_METHOD") == "OPTIONS"
            else None
        )
        decision = engine.classify(origin, duplicated, fields, environ, _environ_getter)
        if isinstance(decision, OriginCheck):  # the origin function must answer first
            decision = engine.after_origin_check(
                decision, decision.func.check_sync(decision.origin, decision.get)
            )
        if fields is not None and origin is not None:
            return self._answer_preflight(environ, decision, origin, start_response)
        if not decision.allowed and origin is not None:
            log_decision(
                decision,
                "request",
                environ.get("REQUEST_METHOD", "GET"),
                environ.get("PATH_INFO", ""),
                origin,
            )
        if not decision.headers and not decision.vary:
            return self.app(environ, start_response)
        return self._run(environ, start_response, decision)

    def _run(
        self, environ: dict[str, Any], start_response: StartResponse, decision: Decision
    ) -> Iterable[bytes]:
        def start_with_cors(
            status: str, headers: list[tuple[str, str]], exc_info: ExcInfo | None = None
        ) -> Callable[[bytes], object]:
            return start_response(status, _apply(headers, decision), exc_info)

        try:
            result = self.app(environ, start_with_cors)
        except Exception:
            return self._error(environ, start_response, decision, sys.exc_info())
        return self._guard(result, environ, start_response, decision)

    def _guard(
        self,
        result: Iterable[bytes],
        environ: dict[str, Any],
        start_response: StartResponse,
        decision: Decision,
    ) -> Iterator[bytes]:
        """Yield the body; an exception before the first chunk becomes a 500 with CORS headers."""
        sent = False
        try:
            for chunk in result:
                sent = True  # the server sends the headers with the first chunk
                yield chunk
        except Exception:
            if sent:
                logger.error(
                    "corskit: the WSGI application failed after its response started", exc_info=True
                )
                raise
            yield from self._error(environ, start_response, decision, sys.exc_info())
        finally:
            close = getattr(result, "close", None)
            if close is not None:
                close()

    def _error(
        self,
        environ: dict[str, Any],
        start_response: StartResponse,
        decision: Decision,
        exc_info: ExcInfo,
    ) -> list[bytes]:
        # The method and path come from the client: escaped, so that CR, LF or terminal
        # escapes in them cannot forge log lines (log_decision does the same).
        logger.error(
            "corskit: unhandled exception in the WSGI application (%s %s); answering 500 with CORS headers",
            escape(environ.get("REQUEST_METHOD", "GET"), 32),
            escape(environ.get("PATH_INFO", ""), 200),
            exc_info=exc_info,
        )
        headers = _apply(
            [
                ("Content-Type", "text/plain; charset=utf-8"),
                ("Content-Length", str(len(_ERROR_BODY))),
            ],
            decision,
        )
        start_response("500 Internal Server Error", headers, exc_info)
        return [_ERROR_BODY]

    def _answer_preflight(
        self,
        environ: dict[str, Any],
        decision: Decision,
        origin: bytes,
        start_response: StartResponse,
    ) -> list[bytes]:
        headers = _latin1([*decision.headers, (b"vary", decision.vary)])
        body = b""
        if decision.allowed:
            if decision.status == 200:
                headers.append(("Content-Length", "0"))
        else:
            log_decision(decision, "preflight", "OPTIONS", environ.get("PATH_INFO", ""), origin)
            if self.debug:
                detail = f" ({decision.detail})" if decision.detail else ""
                body = f"corskit: preflight refused: {decision.reason}{detail}\n".encode()
            headers += [
                ("Content-Type", "text/plain; charset=utf-8"),
                ("Content-Length", str(len(body))),
            ]
        start_response(_REASONS.get(decision.status, f"{decision.status} CORS"), headers)
        return [body] if body else []


def _route(table: RouteTable, environ: dict[str, Any]) -> Engine | None:
    """The engine of the route the request targets (None: the default policy).

    PATH_INFO is the decoded path below SCRIPT_NAME, as bytes decoded as latin-1 (PEP
    3333); frameworks read it as UTF-8. ``RAW_URI`` / ``REQUEST_URI`` (gunicorn, uWSGI,
    waitress) let encoded slashes be seen when present.
    """
    path_info: str = environ.get("PATH_INFO", "") or "/"
    path = path_info.encode("latin-1", "replace").decode("utf-8", "replace")
    raw: bytes | None = None
    uri = environ.get("RAW_URI") or environ.get("REQUEST_URI")
    if isinstance(uri, str) and "%" in uri:
        raw_path = uri.split("?", 1)[0].encode("latin-1", "replace")
        script = environ.get("SCRIPT_NAME", "").encode("latin-1", "replace")
        if script and raw_path.startswith(script):
            raw_path = raw_path[len(script) :]
        if raw_path.startswith(b"/"):
            raw = raw_path
    return table.lookup(path, raw)


def _apply(headers: list[tuple[str, str]], decision: Decision) -> list[tuple[str, str]]:
    """The app's headers with the decision's CORS headers set and ``Vary`` merged."""
    out: list[tuple[str, str]] = []
    vary_at = -1
    replace = bool(decision.headers)
    for name, value in headers:
        low = name.lower()
        if low == "vary":
            if vary_at >= 0:  # several Vary fields: fold them into the first
                first_name, first_value = out[vary_at]
                out[vary_at] = (first_name, f"{first_value}, {value}")
                continue
            vary_at = len(out)
        elif replace and low in _CORS_NAMES:
            continue  # ours replace the app's (a duplicate ACAO fails the CORS check)
        out.append((name, value))
    out.extend(_latin1(decision.headers))
    if decision.vary:
        if vary_at < 0:
            out.append(("Vary", decision.vary.decode("latin-1")))
        else:
            name, value = out[vary_at]
            out[vary_at] = (
                name,
                merge_vary(value.encode("latin-1"), decision.vary).decode("latin-1"),
            )
    return out
