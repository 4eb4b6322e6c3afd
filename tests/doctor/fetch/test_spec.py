"""The Fetch primitives, driven by the standard's own tables and examples
(Fetch: CORS-safelisted method and request-header, CORS-preflight fetch; WPT cors/origin.htm for the CORS check)."""

from __future__ import annotations

import pytest

from corskit.doctor import messages
from corskit.doctor.fetch import cors_check, max_age_per_browser, readable_response_headers
from corskit.doctor.spec import (
    cors_unsafe_request_header_names,
    extract_list,
    get_decode_split,
    is_cors_safelisted_request_header,
    is_forbidden_method,
    is_forbidden_request_header,
    normalize_method,
    origin_of_url,
    parse_mime_type,
    parse_origin,
    parse_single_range,
)
from corskit.doctor.transports import WireResponse

# -- method normalisation (fetch.bs:588-599) -------------------------------------------------


@pytest.mark.parametrize(
    ("written", "sent"),
    [
        ("get", "GET"),
        ("Get", "GET"),
        ("post", "POST"),
        ("put", "PUT"),
        ("delete", "DELETE"),
        ("options", "OPTIONS"),
        ("head", "HEAD"),
        ("patch", "patch"),  # PATCH is not normalised
        ("Patch", "Patch"),
        ("PATCH", "PATCH"),
        ("custom", "custom"),
        ("QUERY", "QUERY"),
    ],
)
def test_normalize_method(written: str, sent: str) -> None:
    assert normalize_method(written) == sent


@pytest.mark.parametrize("method", ["CONNECT", "trace", "Track"])
def test_forbidden_methods(method: str) -> None:
    assert is_forbidden_method(method)


# -- CORS-safelisted request-headers (fetch.bs:1011-1107) ----------------------------------------

SAFELIST_TABLE = [
    ("Accept", "*/*", True),
    ("accept", "text/html, application/json;q=0.9", True),
    ("Accept", 'text/html; "q"', False),  # '"' is a CORS-unsafe request-header byte
    ("Accept", "a(b)", False),
    ("Accept", "a@b", False),
    ("Accept", "x" * 128, True),
    ("Accept", "x" * 129, False),  # 128-byte limit
    ("Accept-Language", "en-US,en;q=0.9", True),
    ("Accept-Language", "de-CH *", True),
    ("Accept-Language", "en_US", False),  # '_' is not allowed
    ("Content-Language", "fr", True),
    ("Content-Language", "fr/ch", False),
    ("Content-Type", "text/plain", True),
    ("Content-Type", "TEXT/PLAIN", True),
    ("Content-Type", "text/plain;charset=UTF-8", True),
    ("Content-Type", "text/plain; charset=utf-8", True),
    ("Content-Type", 'text/plain; charset="utf-8"', False),  # quote is an unsafe byte
    ("Content-Type", "application/x-www-form-urlencoded", True),
    ("Content-Type", "multipart/form-data; boundary=something", True),
    ("Content-Type", "application/json", False),
    ("Content-Type", "text/html", False),
    ("Content-Type", "text/", False),  # not a MIME type
    ("Content-Type", "text/plain, application/json", False),
    ("Content-Type", "text/plain;" + "a" * 120, False),  # over 128 bytes
    ("Range", "bytes=0-", True),
    ("Range", "bytes=0-499", True),
    ("Range", "bytes=500-500", True),
    ("Range", "bytes=-500", False),  # suffix range: start is null
    ("Range", "bytes=500-100", False),
    ("Range", "bytes= 0-1", False),  # no whitespace allowed
    ("Range", "bytes=0-1,3-4", False),
    ("Range", "items=0-1", False),
    ("Range", "BYTES=100-200", False),  # the unit is compared case-sensitively
    ("Range", "Bytes=100-200", False),
    ("Range", "bytesx=0-1", False),
    ("X-Custom", "1", False),
    ("Authorization", "Bearer x", False),
    ("DPR", "2", False),  # Chromium-only; the spec list does not have it
]


@pytest.mark.parametrize(("name", "value", "safe"), SAFELIST_TABLE)
def test_safelisted_request_header(name: str, value: str, safe: bool) -> None:
    assert is_cors_safelisted_request_header(name, value) is safe


def test_unsafe_names_sorted_lowercase_set() -> None:
    headers = [
        ("X-B", "1"),
        ("content-type", "application/json"),
        ("X-A", "2"),
        ("x-b", "3"),
        ("Accept", "*/*"),
    ]
    assert sorted(cors_unsafe_request_header_names(headers)) == ["content-type", "x-a", "x-b"]


def test_1024_byte_rule() -> None:
    # The safelisted values add up; past 1,024 bytes every one of them becomes unsafe.
    eight = [("Accept-Language", "a" * 128)] * 8  # exactly 1,024 bytes: still safe
    assert cors_unsafe_request_header_names(eight) == []
    nine = [*eight, ("Content-Language", "b")]  # 1,025 bytes
    assert sorted(cors_unsafe_request_header_names(nine)) == ["accept-language", "content-language"]
    # unsafe headers do not count towards the limit
    mixed = [*eight, ("X-Long", "c" * 500)]
    assert cors_unsafe_request_header_names(mixed) == ["x-long"]


def test_chromium_extra_safelisted() -> None:
    headers = [("DPR", "2"), ("Save-Data", "on")]
    assert sorted(cors_unsafe_request_header_names(headers)) == ["dpr", "save-data"]
    assert cors_unsafe_request_header_names(headers, chromium=True) == []


@pytest.mark.parametrize(
    ("name", "value", "forbidden"),
    [
        ("Cookie", "a=1", True),
        ("Origin", "x", True),
        ("Sec-Fetch-Mode", "cors", True),
        ("Proxy-Authorization", "x", True),
        ("Content-Length", "1", True),
        ("X-HTTP-Method-Override", "TRACE", True),
        ("X-HTTP-Method-Override", "PATCH", False),
        ("Authorization", "x", False),
        ("X-Custom", "x", False),
    ],
)
def test_forbidden_request_headers(name: str, value: str, forbidden: bool) -> None:
    assert is_forbidden_request_header(name, value) is forbidden


def test_parse_mime_type() -> None:
    mime = parse_mime_type(' Text/HTML ;Charset="utf-8"; foo=bar;charset=x')
    assert mime is not None
    assert mime.essence == "text/html"
    assert dict(mime.parameters) == {"charset": "utf-8", "foo": "bar"}
    assert parse_mime_type("/plain") is None
    assert parse_mime_type("text") is None
    assert parse_mime_type("te xt/plain") is None


def test_parse_single_range() -> None:
    assert parse_single_range("bytes=0-") == (0, None)
    assert parse_single_range("bytes=-5") == (None, 5)
    assert parse_single_range("bytes=-") is None
    assert parse_single_range("bytes = 1 - 2", allow_whitespace=True) == (1, 2)


# -- get, decode, and split: the examples table at fetch.bs:718-802 --------------------------------

GET_DECODE_SPLIT = [
    # header lines (name, value), result for A
    ([("A", "nosniff,")], ["nosniff", ""]),
    ([("A", "")], [""]),
    ([], None),
    ([("A", 'text/html;", x/x')], ['text/html;", x/x']),
    ([("A", 'text/html;"')], ['text/html;"']),
    ([("A", 'x/x;test="hi",y/y')], ['x/x;test="hi"', "y/y"]),
    ([("A", 'x/x;test="hi"'), ("C", "**bingo**"), ("A", "y/y")], ['x/x;test="hi"', "y/y"]),
    ([("A", "x / x,,,1")], ["x / x", "", "", "1"]),
    ([("A", '"1,2", 3')], ['"1,2"', "3"]),
    ([("A", '"1,2"'), ("D", "4"), ("A", "3")], ['"1,2"', "3"]),
]


@pytest.mark.parametrize(("lines", "expected"), GET_DECODE_SPLIT)
def test_get_decode_split(lines: list[tuple[str, str]], expected: list[str] | None) -> None:
    response = WireResponse(200, [(k.lower(), v) for k, v in lines], b"", "http://x/")
    assert get_decode_split(response.get("A")) == expected


def test_extract_list_like_chromium() -> None:
    assert extract_list(None) is None
    assert extract_list("GET, POST,,PUT ") == ["GET", "POST", "PUT"]
    assert extract_list("") == []
    with pytest.raises(ValueError, match="GET POST"):
        extract_list("GET POST")
    with pytest.raises(ValueError):
        extract_list("GET;POST")


# -- origin serialisation (fetch.bs:3648-3682, HTML "serialization of an origin") -------------------

ORIGINS = [
    ("https://example.com", "https://example.com"),
    ("HTTPS://Example.COM/", "https://example.com"),
    ("https://example.com:443", "https://example.com"),
    ("http://example.com:80/path?q#f", "http://example.com"),
    ("http://example.com:8080", "http://example.com:8080"),
    ("https://user:pw@example.com/", "https://example.com"),
    ("http://[0:0::1]:8000/", "http://[::1]:8000"),
    ("http://[2001:DB8::1]/", "http://[2001:db8::1]"),
    ("http://0x7f.1/", "http://127.0.0.1"),
    ("http://2130706433/", "http://127.0.0.1"),
    ("https://bücher.example/", "https://xn--bcher-kva.example"),
    ("null", "null"),
]


@pytest.mark.parametrize(("text", "serialised"), ORIGINS)
def test_origin_serialisation(text: str, serialised: str) -> None:
    assert parse_origin(text).serialize() == serialised


@pytest.mark.parametrize(
    "bad", ["example.com", "ftp:", "http://", "http://a:99999", "chrome-extension://abc"]
)
def test_malformed_origins(bad: str) -> None:
    with pytest.raises(ValueError):
        parse_origin(bad)


def test_same_origin() -> None:
    a = origin_of_url("http://localhost:5173/x")
    assert a.same_origin(origin_of_url("http://LOCALHOST:5173/y"))
    assert not a.same_origin(origin_of_url("http://127.0.0.1:5173/"))
    assert not a.same_origin(origin_of_url("https://localhost:5173/"))


# -- the CORS check (WPT cors/origin.htm; Chromium's cors_error_string.cc) --------------------------------

ORIGIN = "http://web.example:8080"


@pytest.mark.parametrize(
    ("acao", "credentials", "error"),
    [
        (["*"], "omit", None),
        ([" *  "], "omit", None),
        (["\t*"], "omit", None),
        ([ORIGIN], "omit", None),
        ([f"  {ORIGIN} "], "omit", None),
        ([], "omit", "MissingAllowOriginHeader"),
        (["*"], "include", "WildcardOriginNotAllowed"),
        ([ORIGIN.upper()], "omit", "AllowOriginMismatch"),
        ([ORIGIN + "/"], "omit", "AllowOriginMismatch"),
        (["http://web.example:80"], "omit", "AllowOriginMismatch"),
        ([ORIGIN + "?"], "omit", "AllowOriginMismatch"),
        ([ORIGIN + "#"], "omit", "AllowOriginMismatch"),
        (["null"], "omit", "AllowOriginMismatch"),
        ([""], "omit", "InvalidAllowOriginValue"),
        (["*.example"], "omit", "InvalidAllowOriginValue"),
        (
            ["web.example:8080"],
            "omit",
            "AllowOriginMismatch",
        ),  # GURL parses 'web.example:' as a scheme
        (["example.com"], "omit", "InvalidAllowOriginValue"),
        (["*", "*"], "omit", "MultipleAllowOriginValues"),  # "get" joins duplicates with ", "
        ([f"{ORIGIN}, *"], "omit", "MultipleAllowOriginValues"),
        ([f"{ORIGIN} https://other"], "omit", "MultipleAllowOriginValues"),
    ],
)
def test_cors_check(acao: list[str], credentials: str, error: str | None) -> None:
    response = WireResponse(
        200, [("access-control-allow-origin", v) for v in acao], b"", "http://x/"
    )
    assert cors_check(response, ORIGIN, credentials).error == error  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("acac", "ok"),
    [
        ("true", True),
        ("True", False),
        ("TRUE", False),
        ('"true"', False),
        ("1", False),
        (None, False),
    ],
)
def test_allow_credentials_is_case_sensitive(acac: str | None, ok: bool) -> None:
    headers = [("access-control-allow-origin", ORIGIN)]
    if acac is not None:
        headers.append(("access-control-allow-credentials", acac))
    result = cors_check(WireResponse(200, headers, b"", "http://x/"), ORIGIN, "include")
    assert result.ok is ok
    if not ok:
        assert result.error == "InvalidAllowCredentials"
        assert result.params["value"] == (acac or "")


def test_readable_headers() -> None:
    headers = [
        ("content-type", "text/plain"),
        ("x-total", "3"),
        ("x-other", "1"),
        ("set-cookie", "a=1"),
        ("access-control-expose-headers", "X-Total"),
    ]
    resp = WireResponse(200, headers, b"", "http://x/")
    assert readable_response_headers(resp, cors=True, credentials="omit") == [
        "content-type",
        "x-total",
    ]
    star = WireResponse(
        200, [*headers[:4], ("access-control-expose-headers", "*")], b"", "http://x/"
    )
    assert "x-other" in readable_response_headers(star, cors=True, credentials="omit")
    assert "set-cookie" not in readable_response_headers(star, cors=True, credentials="omit")
    # with credentials '*' is just a header named '*'
    assert readable_response_headers(star, cors=True, credentials="include") == ["content-type"]
    assert "set-cookie" not in readable_response_headers(resp, cors=False, credentials="omit")


@pytest.mark.parametrize(
    ("value", "chromium", "firefox", "safari"),
    [
        (None, 5, 5, 5),
        ("600", 600, 600, 600),
        ("86400", 7200, 86400, 600),
        ("100000", 7200, 86400, 600),
        ("abc", 5, 0, 5),
        ("-1", 0, 0, 0),
        ("0", 0, 0, 0),
    ],
)
def test_max_age_caps(value: str | None, chromium: int, firefox: int, safari: int) -> None:
    assert max_age_per_browser(value) == {
        "chromium": chromium,
        "firefox": firefox,
        "safari": safari,
    }


def test_every_cors_error_has_a_message() -> None:
    assert len(messages.CORS_ERRORS) == 25
    for error in messages.CORS_ERRORS:
        text = messages.chromium_detail(
            error,
            value="v",
            method="M",
            header="H",
            location="u",
            space="local",
            target_space="public",
        )
        assert text
        assert text.startswith(
            "Response to preflight request doesn't pass access control check: "
        ) == (error in messages.PREFLIGHT_PREFIXED)


def test_encode_hint() -> None:
    assert messages.encode_hint("a\u00e9\n") == "a\\u00E9\\u000A"
    detail = messages.chromium_detail("AllowOriginMismatch", value="https://\u00e9.example")
    assert "https://\\u00E9.example" in detail


def test_xhr_wording() -> None:
    text = messages.chromium_message(
        "WildcardOriginNotAllowed", url="http://a/", origin="http://b", kind="XMLHttpRequest"
    )
    assert text.startswith("Access to XMLHttpRequest at 'http://a/' from origin 'http://b'")
    assert text.endswith("controlled by the withCredentials attribute.")
    fetch_text = messages.chromium_message(
        "AllowOriginMismatch", url="http://a/", origin="http://b", value="x"
    )
    assert fetch_text.endswith("Have the server send the header with a valid value.")
