"""Firefox's "Copy as cURL" and "Copy as fetch" texts for tests.

Provenance: Firefox cannot run here, so these are not recordings.  The fetch copies are made by
:func:`firefox_fetch_copy`, a transcription of Firefox DevTools' ``generateFetchString``
(devtools/client/netmonitor/src/widgets/RequestListContextMenu.js): forbidden headers dropped,
``credentials`` "include" when Cookie or Authorization was sent, ``JSON.stringify(options, null,
4)`` and ``await fetch("URL", ...);``.  The cURL copies follow the format Firefox's curl.js
writes (one line; ``-X`` when the method is not GET, or POST with a body; ``-H 'Name: value'``;
``--data-raw``), with the header list and order Firefox 128 sends for a cross-origin fetch().
"""

from __future__ import annotations

import json

UA = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"

POST_HEADERS = [
    ("Host", "127.0.0.1:8000"),
    ("User-Agent", UA),
    ("Accept", "*/*"),
    ("Accept-Language", "en-US,en;q=0.5"),
    ("Accept-Encoding", "gzip, deflate, br, zstd"),
    ("Content-Type", "application/json"),
    ("X-Trace-Id", "abc123"),
    ("Origin", "http://localhost:5173"),
    ("Connection", "keep-alive"),
    ("Referer", "http://localhost:5173/"),
    ("Cookie", "sid=s3cr3t; theme=dark"),
    ("Sec-Fetch-Dest", "empty"),
    ("Sec-Fetch-Mode", "cors"),
    ("Sec-Fetch-Site", "cross-site"),
    ("Priority", "u=4"),
]

_FORBIDDEN = {
    "accept-charset", "accept-encoding", "access-control-request-headers",
    "access-control-request-method", "connection", "content-length", "cookie", "cookie2",
    "date", "dnt", "expect", "host", "keep-alive", "origin", "referer", "te", "trailer",
    "transfer-encoding", "upgrade", "via",
}  # fmt: skip


def firefox_fetch_copy(
    url: str, method: str, headers: list[tuple[str, str]], body: str | None
) -> str:
    """Firefox's generateFetchString, transcribed."""
    kept = {n: v for n, v in headers if n.lower() not in _FORBIDDEN}
    referrer = next((v for n, v in headers if n.lower() == "referer"), None)
    credentials = (
        "include" if any(n.lower() in ("cookie", "authorization") for n, _ in headers) else "omit"
    )
    options: dict[str, object] = {"credentials": credentials, "headers": kept}
    if referrer is not None:
        options["referrer"] = referrer
    if body is not None:
        options["body"] = body
    options["method"] = method
    options["mode"] = "cors"
    return f'await fetch("{url}", {json.dumps(options, indent=4, ensure_ascii=False)});'


FIREFOX_CURL_BASH = (
    "curl 'http://127.0.0.1:8000/c/items/7' -X PUT"
    + "".join(f" -H '{n}: {v}'" for n, v in POST_HEADERS if n not in ("Host", "Cookie"))
    + " -H 'Cookie: sid=s3cr3t; theme=dark'"
    + """ --data-raw '{"n":7,"note":"a b"}'"""
)

FIREFOX_CURL_CMD = (
    'curl.exe ^"http://127.0.0.1:8000/c/items/7^" -X PUT'
    + "".join(
        f' -H ^"{n}: {v}^"'.replace(";", ";").replace("&", "^&")
        for n, v in POST_HEADERS
        if n not in ("Host", "Cookie")
    )
    + ' -H ^"Cookie: sid=s3cr3t; theme=dark^"'
    + ' --data-raw ^"^{^\\^"n^\\^":7,^\\^"note^\\^":^\\^"a b^\\^"^}^"'
)

FIREFOX_FETCH = firefox_fetch_copy(
    "http://127.0.0.1:8000/c/items/7", "PUT", POST_HEADERS, '{"n":7,"note":"a b"}'
)
