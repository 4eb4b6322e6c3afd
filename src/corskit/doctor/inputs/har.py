"""A HAR 1.2 file (http://www.softwareishard.com/blog/har-12-spec/) -> the cross-origin
fetch/XHR requests in it, each with what was recorded for it.

Read as Chromium's and Firefox's DevTools export it, and as Playwright's ``record_har_path``
writes it:

* which entries are fetch/XHR: Chromium's ``_resourceType`` (``fetch``, ``xhr``; ``preflight``
  for a preflight); without it (Firefox, Playwright), a request that carries ``Origin`` or
  ``Sec-Fetch-Mode: cors`` and is not a preflight;
* the page's origin: the ``Origin`` header, else the ``Referer``'s origin, else the page the
  entry belongs to (``pageref`` -> ``pages[].title``, which Chromium and Playwright set to the
  page URL); an entry whose URL has that same origin is not cross-origin and is left out;
* the preflight: the ``OPTIONS`` entry with ``Access-Control-Request-Method`` for the same URL
  recorded before the request (Chromium links it with ``_initiator.type == "preflight"``);
  Playwright's recorder keeps no preflights;
* redirects: a 3xx entry's ``redirectURL`` followed to the next entry for that URL;
* a request the browser stopped: ``response.status`` 0 (Chromium, with ``_error``) or -1
  (Playwright), and headers that are only the provisional ones (no ``Origin``).

Responses without ``content`` (or without ``text``) are fine: CORS is decided by status and
headers.  Nothing here is printed; :func:`corskit.doctor.inputs.request.mask` masks cookies and
credentials wherever a caller prints headers.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urljoin

from .request import CopiedRequest, InputError, build_request, origin_of

__all__ = ["HarError", "HarExchange", "HarRequest", "parse_har"]

MAX_BYTES = 64 << 20  # a HAR of a long session is large; refuse what cannot be one
MAX_ENTRIES = 20000

_CORS_TYPES = frozenset({"fetch", "xhr"})


class HarError(InputError):
    """A HAR file that cannot be read."""


@dataclass(frozen=True)
class HarExchange:
    """One recorded request and its response (``status`` None when none was received)."""

    index: int
    method: str
    url: str
    request_headers: tuple[tuple[str, str], ...]
    status: int | None
    response_headers: tuple[tuple[str, str], ...]
    redirect_url: str | None = None
    error: str | None = None
    body: str | None = None


@dataclass(frozen=True)
class HarRequest:
    """A cross-origin fetch/XHR found in a HAR: the request to check (``request``), its
    recorded ``preflight`` (None when none was recorded), the recorded ``hops`` of the request
    itself (one per redirect; empty when it was never sent), whether the browser stopped it
    (``failed_in_browser``) and whether the HAR could have held a preflight at all
    (``has_preflights``: False for Playwright's recorder)."""

    index: int
    kind: str
    request: CopiedRequest
    preflight: HarExchange | None
    hops: tuple[HarExchange, ...]
    failed_in_browser: bool
    has_preflights: bool
    page_url: str | None = None
    notes: tuple[str, ...] = field(default=())

    @property
    def label(self) -> str:
        """``METHOD URL`` for tables."""
        return f"{self.request.method} {self.request.url}"


# ------------------------------------------------------------------------------------------
# reading entries


def _pairs(items: Any, where: str) -> tuple[tuple[str, str], ...]:
    if items is None:
        return ()
    if not isinstance(items, list):
        raise HarError(f"{where} is not a list")
    out = []
    for item in items:
        if not isinstance(item, dict) or not isinstance(item.get("name"), str):
            raise HarError(f"{where} has an item without a name")
        out.append((item["name"], str(item.get("value", ""))))
    return tuple(out)


def _status(response: dict[str, Any]) -> int | None:
    status = response.get("status")
    if not isinstance(status, int) or status <= 0:
        return None
    return status


def _exchange(index: int, entry: Any) -> HarExchange:
    if not isinstance(entry, dict):
        raise HarError(f"entry {index} is not an object")
    request = entry.get("request")
    response = entry.get("response") or {}
    if not isinstance(request, dict) or not isinstance(response, dict):
        raise HarError(f"entry {index} has no request object")
    method, url = request.get("method"), request.get("url")
    if not isinstance(method, str) or not isinstance(url, str):
        raise HarError(f"entry {index}: request.method and request.url must be strings")
    post = request.get("postData")
    body = post.get("text") if isinstance(post, dict) else None
    redirect = response.get("redirectURL") or None
    error = response.get("_error") or entry.get("_error") or None
    return HarExchange(
        index=index,
        method=method,
        url=url,
        request_headers=_pairs(request.get("headers"), f"entry {index} request.headers"),
        status=_status(response),
        response_headers=tuple(
            (n.lower(), v)
            for n, v in _pairs(response.get("headers"), f"entry {index} response.headers")
        ),
        redirect_url=urljoin(url, redirect) if isinstance(redirect, str) else None,
        error=error if isinstance(error, str) else None,
        body=body if isinstance(body, str) else None,
    )


def _header(exchange: HarExchange, name: str) -> str | None:
    return next((v for n, v in exchange.request_headers if n.lower() == name), None)


def _is_preflight(entry: dict[str, Any], exchange: HarExchange) -> bool:
    if entry.get("_resourceType") == "preflight":
        return True
    return (
        exchange.method == "OPTIONS"
        and _header(exchange, "access-control-request-method") is not None
    )


def _is_cors_candidate(entry: dict[str, Any], exchange: HarExchange) -> bool:
    kind = entry.get("_resourceType")
    if isinstance(kind, str):
        return kind.lower() in _CORS_TYPES
    mode = (_header(exchange, "sec-fetch-mode") or "").lower()
    has_origin = _header(exchange, "origin") is not None
    return mode == "cors" or (has_origin and mode not in ("navigate", "no-cors", "websocket"))


# ------------------------------------------------------------------------------------------
# the whole file


def _load(text: str | bytes) -> tuple[list[Any], dict[str, str]]:
    if len(text) > MAX_BYTES:
        raise HarError(f"the file is {len(text)} bytes (at most {MAX_BYTES})")
    try:
        data = json.loads(text)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise HarError(f"not JSON: {exc}") from None
    log = data.get("log") if isinstance(data, dict) else None
    if not isinstance(log, dict) or not isinstance(log.get("entries"), list):
        raise HarError('not a HAR file: no "log" object with an "entries" list')
    entries = log["entries"]
    if len(entries) > MAX_ENTRIES:
        raise HarError(f"{len(entries)} entries (at most {MAX_ENTRIES})")
    pages: dict[str, str] = {}
    for page in log.get("pages") or []:
        if isinstance(page, dict) and isinstance(page.get("id"), str):
            pages[page["id"]] = str(page.get("title", ""))
    return entries, pages


def _follow(first: HarExchange, later: list[HarExchange]) -> tuple[HarExchange, ...]:
    hops = [first]
    current = first
    for _ in range(20):
        if (
            current.redirect_url is None
            or current.status is None
            or not 300 <= current.status < 400
        ):
            break
        nxt = next(
            (e for e in later if e.index > current.index and e.url == current.redirect_url), None
        )
        if nxt is None:
            break
        hops.append(nxt)
        current = nxt
    return tuple(hops)


def _find_preflight(
    exchange: HarExchange, preflights: list[HarExchange], used: set[int]
) -> HarExchange | None:
    """The unused preflight for the same URL nearest to *exchange* (DevTools may list a
    preflight just after the request it belongs to)."""
    candidates = [p for p in preflights if p.url == exchange.url and p.index not in used]
    if not candidates:
        return None
    best = min(candidates, key=lambda p: (abs(p.index - exchange.index), p.index > exchange.index))
    used.add(best.index)
    return best


def _to_request(exchange: HarExchange, page_url: str | None) -> CopiedRequest:
    return build_request(
        url=exchange.url,
        method=exchange.method,
        headers=list(exchange.request_headers),
        body=exchange.body,
        source="har",
        referrer=page_url,
    )


def parse_har(text: str | bytes) -> list[HarRequest]:
    """Every cross-origin fetch/XHR in a HAR file, in the order recorded.

    Raises :class:`HarError` (a :class:`ValueError`) with a one-line message."""
    entries, pages = _load(text)
    exchanges = [_exchange(i, e) for i, e in enumerate(entries)]
    preflights = [x for e, x in zip(entries, exchanges, strict=True) if _is_preflight(e, x)]
    has_preflights = bool(preflights) or any("_resourceType" in e for e in entries)
    used: set[int] = set()
    later_hops: set[int] = set()
    found: list[HarRequest] = []
    for entry, exchange in zip(entries, exchanges, strict=True):
        if _is_preflight(entry, exchange) or not _is_cors_candidate(entry, exchange):
            continue
        if exchange.index in later_hops:
            continue  # a redirect hop of a request already found
        page_url = pages.get(str(entry.get("pageref", "")))
        try:
            request = _to_request(exchange, page_url)
        except InputError:
            continue  # not http(s): not a CORS request
        if request.origin is None or request.origin == origin_of(exchange.url):
            continue
        kind = "XMLHttpRequest" if str(entry.get("_resourceType", "")).lower() == "xhr" else "fetch"
        hops = _follow(exchange, exchanges)
        later_hops.update(h.index for h in hops[1:])
        failed = hops[-1].status is None
        found.append(
            HarRequest(
                index=exchange.index,
                kind=kind,
                request=request,
                preflight=_find_preflight(exchange, preflights, used),
                hops=hops if not (failed and len(hops) == 1) else (),
                failed_in_browser=failed or bool(hops[-1].error),
                has_preflights=has_preflights,
                page_url=page_url,
            )
        )
    return found
