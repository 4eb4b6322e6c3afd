"""DevTools' "Copy as fetch" -> :class:`~.request.CopiedRequest`.

Chromium writes ``fetch("URL", {...});`` and Firefox ``await fetch("URL", {...});``; in both the
second argument is JSON (``JSON.stringify`` of the init object, indented by 2 in Chromium and 4
in Firefox): ``headers`` (Chromium lower-cases the names and leaves out the forbidden ones
except a few; Firefox keeps the names as sent and leaves out the forbidden ones), ``referrer``,
``body`` (a string, or ``null``), ``method``, ``mode`` and ``credentials``.  DevTools guesses
``credentials``: ``"include"`` when the request carried a cookie or ``Authorization``, else
``"omit"``; the real mode the page used is not recorded.  It is read as given, except that
``"include"`` next to an ``Authorization`` header is read as fetch()'s default
``"same-origin"`` (the copy cannot tell a cookie from that header; give ``--credentials
include`` when the page sends cookies too).  The page's
origin comes from ``referrer`` (the forbidden ``Origin`` header is never in these copies).
"""

from __future__ import annotations

import json
import re
from typing import Any, cast

from .request import CopiedRequest, Credentials, InputError, build_request

__all__ = ["FetchCopyError", "parse_fetch_copy"]

MAX_TEXT = 1 << 20

_CALL = re.compile(
    r"^\s*(?:await\s+)?fetch\(\s*(?P<url>\"(?:[^\"\\]|\\.)*\"|'(?:[^'\\]|\\.)*')\s*"
    r"(?:,\s*(?P<init>\{.*\}))?\s*\)\s*;?\s*$",
    re.S,
)
_CREDENTIALS = ("omit", "same-origin", "include")


class FetchCopyError(InputError):
    """A "Copy as fetch" text that cannot be read."""


def _js_string(literal: str) -> str:
    if literal.startswith("'"):
        literal = '"' + literal[1:-1].replace('\\"', '"').replace('"', '\\"') + '"'
    try:
        value = json.loads(literal)
    except json.JSONDecodeError:
        raise FetchCopyError(f"the URL {literal[:80]} is not a string literal") from None
    if not isinstance(value, str):
        raise FetchCopyError("the URL is not a string")
    return value


def _init(text: str | None) -> dict[str, Any]:
    if text is None:
        return {}
    try:
        init = json.loads(text)
    except json.JSONDecodeError as exc:
        raise FetchCopyError(
            f"the second argument of fetch() is not the JSON DevTools writes ({exc.msg} at"
            f" line {exc.lineno})"
        ) from None
    if not isinstance(init, dict):
        raise FetchCopyError("the second argument of fetch() is not an object")
    return init


def _headers(init: dict[str, Any]) -> list[tuple[str, str]]:
    headers = init.get("headers") or {}
    if not isinstance(headers, dict):
        raise FetchCopyError('"headers" is not an object of name: value pairs')
    out = []
    for name, value in headers.items():
        if not isinstance(value, str):
            raise FetchCopyError(f"the value of header {name!r} is not a string")
        out.append((str(name), value))
    return out


def parse_fetch_copy(text: str) -> CopiedRequest:
    """Parse a "Copy as fetch" text (Chromium's or Firefox's).

    Raises :class:`FetchCopyError` (a :class:`ValueError`) with a one-line message."""
    if len(text) > MAX_TEXT:
        raise FetchCopyError(f"the text is {len(text)} characters long (at most {MAX_TEXT})")
    match = _CALL.match(text)
    if match is None:
        raise FetchCopyError('not a fetch() call: expected fetch("URL", {...});')
    url = _js_string(match["url"])
    init = _init(match["init"])
    method = init.get("method") or "GET"
    body = init.get("body")
    credentials = init.get("credentials") or "same-origin"
    referrer = init.get("referrer")
    if not isinstance(method, str) or not (body is None or isinstance(body, str)):
        raise FetchCopyError('"method" and "body" must be strings (or body null)')
    if credentials not in _CREDENTIALS:
        raise FetchCopyError(f'"credentials" is {credentials!r}: expected one of {_CREDENTIALS}')
    headers = _headers(init)
    if credentials == "include" and any(n.lower() == "authorization" for n, _ in headers):
        # DevTools writes "include" whenever Authorization was sent, cookie or not: the page's
        # own mode is unknown, so fetch()'s default is assumed (corskit check --credentials
        # include says otherwise).
        credentials = "same-origin"
    try:
        return build_request(
            url=url,
            method=method,
            headers=headers,
            body=body,
            source="fetch",
            credentials=cast(Credentials, credentials),
            referrer=referrer if isinstance(referrer, str) else None,
        )
    except InputError as exc:
        raise FetchCopyError(str(exc)) from None
