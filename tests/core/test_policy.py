"""CORSPolicy validation, opt-ins, origin patterns and normalisation."""

from __future__ import annotations

import re
import warnings

import pytest

from corskit import CORSConfigError, CORSConfigWarning, CORSPolicy

from .helpers import codes_of, policy, problems_of

APP = "https://app.example.com"


# --- refusals at start-up ------------------------------------------------------------


def test_wildcard_with_credentials_is_refused() -> None:
    assert codes_of(allow_origins=["*"], allow_credentials=True) == [
        "wildcard-origin-with-credentials"
    ]
    # '*' beside other entries still means every origin
    assert codes_of(allow_origins=[APP, "*"], allow_credentials=True) == [
        "wildcard-origin-with-credentials"
    ]


@pytest.mark.parametrize(
    "field", ["allow_origins", "allow_methods", "allow_headers", "expose_headers"]
)
def test_a_str_instead_of_a_list_is_refused_with_the_list_as_fix(field: str) -> None:
    value = {
        "allow_origins": "https://a.example.com,https://b.example.com",
        "allow_methods": "GET,POST",
        "allow_headers": "X-A, X-B",
        "expose_headers": "X-A,X-B",
    }[field]
    settings = {"allow_origins": [APP], field: value}
    (problem,) = problems_of(**settings)
    assert (problem.code, problem.field) == ("str-instead-of-list", field)
    items = [x.strip() for x in value.split(",")]
    assert problem.fix == f"Use {field}={items!r}."


def test_a_str_never_becomes_a_substring_match() -> None:
    # Starlette: allow_origins="https://example.com" lets "https://example.co" in.
    with pytest.raises(CORSConfigError):
        CORSPolicy(allow_origins="https://example.com")


def test_bytes_instead_of_a_list_is_refused() -> None:
    assert codes_of(allow_origins=b"https://app.example.com") == ["str-instead-of-list"]


@pytest.mark.parametrize(
    ("origin", "code", "fixed"),
    [
        ("https://app.example.com/api/v1", "origin-has-path", "https://app.example.com"),
        ("https://app.example.com/", "origin-trailing-slash", "https://app.example.com"),
        ("http://localhost:5173/", "origin-trailing-slash", "http://localhost:5173"),
        ("https://app.example.com?x=1", "origin-has-query", "https://app.example.com"),
        ("https://app.example.com#frag", "origin-has-fragment", "https://app.example.com"),
        ("HTTPS://app.example.com", "origin-uppercase", "https://app.example.com"),
        ("https://APP.example.com", "origin-uppercase", "https://app.example.com"),
        ("https://app.example.com:443", "origin-default-port", "https://app.example.com"),
        ("http://app.example.com:80", "origin-default-port", "http://app.example.com"),
        ("app.example.com", "origin-missing-scheme", "https://app.example.com"),
        ("localhost:3000", "origin-missing-scheme", "https://localhost:3000"),
    ],
)
def test_malformed_origins_are_refused_with_the_corrected_origin(
    origin: str, code: str, fixed: str
) -> None:
    (problem,) = problems_of(allow_origins=[origin])
    assert (problem.code, problem.field, problem.value) == (code, "allow_origins", origin)
    assert f"'{fixed}'" in problem.fix


def test_every_mistake_in_one_origin_is_named() -> None:
    problems = problems_of(allow_origins=["HTTPS://App.Example.com:443/"])
    assert [p.code for p in problems] == [
        "origin-trailing-slash",
        "origin-uppercase",
        "origin-default-port",
    ]
    assert problems[-1].fix == "Use 'https://app.example.com'."


@pytest.mark.parametrize("origin", ["null", "NULL", "Null"])
def test_null_origin_is_refused(origin: str) -> None:
    assert codes_of(allow_origins=[origin]) == ["origin-null"]


@pytest.mark.parametrize("origin", ["file://", "file:///home/me/index.html", "FILE:///C:/x.html"])
def test_file_origins_are_refused(origin: str) -> None:
    assert codes_of(allow_origins=[origin]) == ["origin-file-scheme"]


@pytest.mark.parametrize(
    "origin",
    [
        "https://api.*.example.com",
        "https://*example.com",
        "https://app*.example.com",
        "https://example.*",
        "https://*",
        "https://*.*.example.com",
        "https://app.example.com.*",
        "https://*.127.0.0.1",
    ],
)
def test_wildcards_outside_a_leading_label_or_the_port_are_refused(origin: str) -> None:
    assert codes_of(allow_origins=[origin]) == ["origin-bad-wildcard"]


@pytest.mark.parametrize(
    "origin", ["https://app.example.com:8*", "http*://app.example.com", "*://app.example.com"]
)
def test_partial_wildcards_in_scheme_or_port_are_refused(origin: str) -> None:
    codes = codes_of(allow_origins=[origin])
    assert codes and set(codes) <= {"origin-invalid", "origin-bad-wildcard"}


@pytest.mark.parametrize(
    "origin",
    [
        " https://app.example.com",
        "https://app.example.com ",
        "",
        "https://",
        "https://exa mple.com",
        "https://app.example.com:0",
        "https://app.example.com:65536",
        "https://app.example.com:08080",
        "https://app.example.com:",
        "https://bücher.example",
        "https://[::1",
        "https://[0:0:0:0:0:0:0:1]",
        "https://[::ffff:127.0.0.1]",
        "https://256.1.1.1",
        "1ttp://app.example.com",
    ],
)
def test_values_that_cannot_be_an_origin_are_refused(origin: str) -> None:
    codes = codes_of(allow_origins=[origin])
    assert codes and all(c.startswith("origin-") for c in codes), codes


@pytest.mark.parametrize(
    "origin",
    [
        "https://app.example.com",
        "http://localhost",
        "http://localhost:5173",
        "http://127.0.0.1:8000",
        "http://[::1]:8000",
        "https://xn--bcher-kva.example",
        "https://under_score.example.com",
        "connector://localhost",
        "chrome-extension://abcdefghijklmnop",
        "https://*.example.com",
        "http://localhost:*",
        "https://*.example.com:*",
        "*",
    ],
)
def test_valid_origins_and_patterns_are_accepted(origin: str) -> None:
    assert codes_of(allow_origins=[origin]) == []


@pytest.mark.parametrize(
    "origin", ["https://*.github.io", "https://*.co.uk", "https://*.com", "https://*.vercel.app"]
)
def test_public_suffix_wildcards_are_refused_with_credentials(origin: str) -> None:
    assert codes_of(allow_origins=[origin], allow_credentials=True) == [
        "public-suffix-wildcard-with-credentials"
    ]
    assert codes_of(allow_origins=[origin]) == []  # without credentials nothing can be stolen


@pytest.mark.parametrize(
    "origin", ["http://*.localhost", "http://*.localhost:*", "https://*.app.localhost"]
)
def test_localhost_subdomain_wildcards_are_not_public_suffixes(origin: str) -> None:
    # RFC 6761: every name under localhost is the local machine; nobody else can own one.
    assert codes_of(allow_origins=[origin], allow_credentials=True) == []


@pytest.mark.parametrize(
    "origin", ["http://app.example.com", "http://*.example.com", "http://192.168.1.10:8080"]
)
def test_plain_http_with_credentials_is_refused(origin: str) -> None:
    (problem,) = problems_of(allow_origins=[origin], allow_credentials=True)
    assert problem.code == "insecure-origin-with-credentials"
    assert "'" + origin.replace("http://", "https://") + "'" in problem.fix
    assert codes_of(allow_origins=[origin]) == []


@pytest.mark.parametrize(
    "origin",
    [
        "http://localhost",
        "http://localhost:3000",
        "http://localhost:*",
        "http://127.0.0.1:8000",
        "http://[::1]:8000",
        "http://app.localhost:3000",
    ],
)
def test_plain_http_loopback_with_credentials_is_accepted(origin: str) -> None:
    assert codes_of(allow_origins=[origin], allow_credentials=True) == []


# --- regexes -----------------------------------------------------------------------------


@pytest.mark.parametrize("regex", ["(", "https://[a-z", "*.example.com", "(?P<x"])
def test_invalid_regex_is_refused(regex: str) -> None:
    assert codes_of(allow_origin_regex=regex) == ["regex-invalid"]


@pytest.mark.parametrize(
    "regex", [".*", ".+", "https?://.*", "https://.*", "https://.+", "https?://[^/]+", r"\S+"]
)
def test_regex_matching_everything_is_refused(regex: str) -> None:
    assert "regex-matches-everything" in codes_of(allow_origin_regex=regex)


def test_regex_with_unescaped_dot_is_refused_because_it_matches_lookalikes() -> None:
    regex = "https://.*.example.com"
    assert re.fullmatch(regex, "https://evilexample.com")  # the reason
    assert codes_of(allow_origin_regex=regex) == ["regex-unescaped-dot"]
    assert codes_of(allow_origin_regex=r"https://app.example\.com") == ["regex-unescaped-dot"]


@pytest.mark.parametrize(
    "regex",
    [
        r"https://.*example\.com",
        r"https://([a-z]+\.)?example\.com.*",
        r"https://[a-z.]*example\.com",
    ],
)
def test_regex_matching_lookalike_hosts_is_refused(regex: str) -> None:
    assert codes_of(allow_origin_regex=regex) == ["regex-matches-lookalike"]


@pytest.mark.parametrize(
    "regex",
    [
        r"https://([a-z0-9-]+\.)*example\.com",
        r"https://(app|admin)\.example\.com",
        r"https://[a-z0-9-]+\.example\.com",
        r"http://localhost:[0-9]+",
    ],
)
def test_safe_regexes_are_accepted(regex: str) -> None:
    assert codes_of(allow_origin_regex=regex) == []


def test_regex_matching_null_is_refused() -> None:
    assert codes_of(allow_origin_regex=r"null|https://app\.example\.com") == ["regex-matches-null"]


def test_regex_is_full_match_and_case_sensitive() -> None:
    m = policy(allow_origin_regex=r"https://(app|admin)\.example\.com").matcher
    assert m.matches(b"https://app.example.com")
    assert not m.matches(b"https://app.example.com.evil.test")
    assert not m.matches(b"https://xapp.example.com")
    assert not m.matches(b"https://APP.example.com")


# --- methods and headers ---------------------------------------------------------------


@pytest.mark.parametrize("method", ["GET, POST", "GET POST", "GE T", "G(ET)", "", "PUT\r\n"])
def test_invalid_methods_are_refused(method: str) -> None:
    assert codes_of(allow_origins=[APP], allow_methods=[method]) == ["method-invalid"]


@pytest.mark.parametrize("method", ["CONNECT", "TRACE", "TRACK", "connect", "Trace"])
def test_forbidden_methods_are_refused(method: str) -> None:
    assert codes_of(allow_origins=[APP], allow_methods=[method]) == ["method-forbidden"]


def test_methods_are_normalised_as_fetch_does() -> None:
    p = policy(allow_origins=[APP], allow_methods=["get", "put", "delete", "PATCH", "QUERY", "PUT"])
    assert p.allow_methods == ("GET", "PUT", "DELETE", "PATCH", "QUERY")


def test_lowercase_patch_is_kept_and_warned_about() -> None:
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        p = CORSPolicy(allow_origins=[APP], allow_methods=["patch"])
    assert p.allow_methods == ("patch",)
    assert [w.code for w in p.warnings] == ["method-lowercase"]
    assert any("method-lowercase" in str(w.message) for w in seen)


@pytest.mark.parametrize("name", ["X Token", "x-a, x-b", "x:y", "", "ü", "x\ny"])
def test_invalid_request_header_names_are_refused(name: str) -> None:
    assert codes_of(allow_origins=[APP], allow_headers=[name]) == ["header-invalid"]


@pytest.mark.parametrize(
    "name",
    [
        "Cookie",
        "cookie2",
        "Host",
        "Origin",
        "Content-Length",
        "Referer",
        "Connection",
        "Sec-Fetch-Mode",
        "sec-ch-ua",
        "Proxy-Authorization",
        "proxy-anything",
        "Access-Control-Request-Method",
        "access-control-request-headers",
        "Transfer-Encoding",
        "Upgrade",
        "DNT",
        "Set-Cookie",
        "Keep-Alive",
    ],
)
def test_forbidden_request_header_names_are_refused(name: str) -> None:
    assert codes_of(allow_origins=[APP], allow_headers=[name]) == ["header-forbidden"]


@pytest.mark.parametrize(
    "name",
    [
        "Access-Control-Allow-Origin",
        "access-control-allow-credentials",
        "Access-Control-Allow-Methods",
        "Access-Control-Allow-Headers",
        "Access-Control-Max-Age",
        "Access-Control-Expose-Headers",
    ],
)
def test_cors_response_header_names_are_refused_as_request_headers(name: str) -> None:
    assert codes_of(allow_origins=[APP], allow_headers=[name]) == ["header-response-only"]


def test_request_header_names_are_lowercased_and_deduplicated() -> None:
    p = policy(allow_origins=[APP], allow_headers=["X-Token", "x-token", "Authorization", "*"])
    assert p.allow_headers == ("x-token", "authorization", "*")


@pytest.mark.parametrize("name", ["Set-Cookie", "set-cookie2"])
def test_set_cookie_cannot_be_exposed(name: str) -> None:
    assert codes_of(allow_origins=[APP], expose_headers=[name]) == ["expose-header-forbidden"]


@pytest.mark.parametrize(
    "name",
    [
        "Origin",
        "Access-Control-Request-Method",
        "access-control-request-headers",
        "Access-Control-Max-Age",
    ],
)
def test_request_and_preflight_names_cannot_be_exposed(name: str) -> None:
    assert codes_of(allow_origins=[APP], expose_headers=[name]) == ["expose-header-prohibited"]


def test_invalid_exposed_names_are_refused() -> None:
    assert codes_of(allow_origins=[APP], expose_headers=["X-A, X-B"]) == ["expose-header-invalid"]


def test_expose_wildcard_is_refused_with_credentials_only() -> None:
    assert codes_of(allow_origins=[APP], expose_headers=["*"], allow_credentials=True) == [
        "expose-wildcard-with-credentials"
    ]
    assert policy(allow_origins=[APP], expose_headers=["*"]).expose_headers == ("*",)


def test_exposed_names_are_normalised_and_safelisted_ones_dropped() -> None:
    p = policy(allow_origins=[APP], expose_headers=["X-Total", "x-total", "Content-Type", "ETag"])
    assert p.expose_headers == ("x-total", "etag")


# --- max_age, preflight_status, types ----------------------------------------------------


@pytest.mark.parametrize("max_age", [86401, 10**9, -2, -600])
def test_max_age_out_of_range_is_refused(max_age: int) -> None:
    assert codes_of(allow_origins=[APP], max_age=max_age) == ["max-age-out-of-range"]


@pytest.mark.parametrize("max_age", [-1, 0, 5, 600, 7200, None])
def test_max_age_in_range_is_silent(max_age: int | None) -> None:
    assert codes_of(allow_origins=[APP], max_age=max_age) == []


@pytest.mark.parametrize("max_age", [7201, 86400])
def test_max_age_above_chromium_cap_warns(max_age: int) -> None:
    with pytest.warns(CORSConfigWarning, match="max-age-above-chromium-cap"):
        p = CORSPolicy(allow_origins=[APP], max_age=max_age)
    assert p.max_age == max_age


@pytest.mark.parametrize("status", [200, 204])
def test_preflight_status_200_or_204(status: int) -> None:
    assert policy(allow_origins=[APP], preflight_status=status).preflight_status == status


@pytest.mark.parametrize("status", [201, 299, 400, True])
def test_other_preflight_statuses_are_refused(status: int) -> None:
    assert codes_of(allow_origins=[APP], preflight_status=status) == ["preflight-status-invalid"]


@pytest.mark.parametrize(
    "settings",
    [
        {"allow_credentials": "true"},
        {"allow_credentials": 1},
        {"allow_private_network": "no"},
        {"max_age": "600"},
        {"max_age": 6.5},
        {"max_age": True},
        {"allow_origins": 5},
        {"allow_origins": [APP, 5]},
        {"allow_origin_regex": 5},
        {"dangerously_allow_null_origin": "yes"},
    ],
)
def test_wrong_types_are_refused(settings: dict[str, object]) -> None:
    assert "wrong-type" in codes_of(**{"allow_origins": [APP], **settings})


def test_no_origin_at_all_warns() -> None:
    with pytest.warns(CORSConfigWarning, match="no-origins-allowed"):
        CORSPolicy()


# --- dangerously_* opt-ins ---------------------------------------------------------------


def test_null_origin_needs_the_opt_in() -> None:
    assert codes_of(allow_origins=["null"]) == ["origin-null"]
    p = policy(allow_origins=["null"], dangerously_allow_null_origin=True)
    assert p.matcher.matches(b"null")
    assert p.engine.actual(b"null").headers[0] == (b"access-control-allow-origin", b"null")
    # the opt-in accepts exactly the serialised 'null', nothing else
    assert codes_of(allow_origins=["NULL"], dangerously_allow_null_origin=True) == ["origin-null"]


def test_insecure_origins_with_credentials_need_the_opt_in() -> None:
    p = policy(
        allow_origins=["http://intranet.example"],
        allow_credentials=True,
        dangerously_tolerate_insecure_origins=True,
    )
    assert p.matcher.matches(b"http://intranet.example")


def test_public_suffix_wildcards_with_credentials_need_the_opt_in() -> None:
    p = policy(
        allow_origins=["https://*.github.io"],
        allow_credentials=True,
        dangerously_tolerate_public_suffix_wildcards=True,
    )
    assert p.matcher.matches(b"https://someone.github.io")


def test_opt_ins_do_not_excuse_other_problems() -> None:
    codes = codes_of(
        allow_origins=["*"],
        allow_credentials=True,
        dangerously_allow_null_origin=True,
        dangerously_tolerate_insecure_origins=True,
        dangerously_tolerate_public_suffix_wildcards=True,
    )
    assert codes == ["wildcard-origin-with-credentials"]


# --- origin patterns --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("origin", "allowed"),
    [
        ("https://a.example.com", True),
        ("https://a.b.example.com", True),
        ("https://x-1.y_2.example.com", True),
        ("https://example.com", False),  # never the bare domain
        ("http://a.example.com", False),  # scheme is part of the pattern
        ("https://a.example.com:8443", False),  # so is the (default) port
        ("https://.example.com", False),
        ("https://a..example.com", False),
        ("https://evilexample.com", False),
        ("https://a.example.com.evil.test", False),
        ("https://a.example.co", False),
        ("https://A.EXAMPLE.COM", False),  # browsers serialise in lower case
        ("https://a.example.com/", False),
    ],
)
def test_subdomain_pattern(origin: str, allowed: bool) -> None:
    assert (
        policy(allow_origins=["https://*.example.com"]).matcher.matches(origin.encode()) is allowed
    )


@pytest.mark.parametrize(
    ("origin", "allowed"),
    [
        ("http://localhost", True),  # the default port too
        ("http://localhost:80", True),
        ("http://localhost:3000", True),
        ("http://localhost:65535", True),
        ("https://localhost:3000", False),
        ("http://localhost.evil.test:3000", False),
        ("http://127.0.0.1:3000", False),
        ("http://localhost:0", False),
        ("http://localhost:", False),
        ("http://localhost:*", False),
        ("http://localhost:3000/", False),
        ("http://evil.localhost:3000", False),
    ],
)
def test_any_port_pattern(origin: str, allowed: bool) -> None:
    assert policy(allow_origins=["http://localhost:*"]).matcher.matches(origin.encode()) is allowed


@pytest.mark.parametrize(
    ("origin", "allowed"),
    [
        ("https://a.example.com", True),
        ("https://a.example.com:8443", True),
        ("https://a.b.example.com:1", True),
        ("https://example.com:8443", False),
        ("http://a.example.com:8443", False),
    ],
)
def test_both_wildcards_together(origin: str, allowed: bool) -> None:
    assert (
        policy(allow_origins=["https://*.example.com:*"]).matcher.matches(origin.encode())
        is allowed
    )


def test_patterns_exact_origins_and_regex_combine() -> None:
    m = policy(
        allow_origins=["https://example.com", "https://*.example.com", "http://localhost:*"],
        allow_origin_regex=r"https://(a|b)\.example\.org",
    ).matcher
    for origin in [
        "https://example.com",
        "https://www.example.com",
        "http://localhost:5173",
        "https://a.example.org",
    ]:
        assert m.matches(origin.encode()), origin
    for origin in [
        "https://c.example.org",
        "http://example.com",
        "null",
        "",
        "https://example.com.evil.test",
    ]:
        assert not m.matches(origin.encode()), origin


def test_exact_origins_match_byte_for_byte() -> None:
    m = policy(allow_origins=["https://app.example.com", "http://[::1]:8000"]).matcher
    assert m.matches(b"https://app.example.com")
    assert m.matches(b"http://[::1]:8000")
    for origin in [
        b"https://app.example.com:443",
        b"https://App.example.com",
        b"https://app.example.com/",
        b"https://app.example.co",
        b"https://app.example.comm",
        b"app.example.com",
        b"https://app",
    ]:
        assert not m.matches(origin), origin


def test_hostile_request_origins_do_not_match_patterns() -> None:
    m = policy(allow_origins=["https://*.example.com", "http://localhost:*"]).matcher
    for origin in [
        b"https://a.example.com" + b"x" * 100_000,
        b"\xff\xfe.example.com",
        b"https://a.example.com\r\n",
        b"https://" + b"a." * 20_000 + b"example.com",
    ]:
        assert not m.matches(origin)


# --- the policy object -------------------------------------------------------------------


def test_policy_is_immutable() -> None:
    p = policy(allow_origins=[APP])
    with pytest.raises(AttributeError):
        p.allow_origins = ("*",)
    with pytest.raises(AttributeError):
        del p.max_age


def test_settings_round_trip_and_replace_revalidates() -> None:
    p = policy(
        allow_origins=[APP, APP], allow_methods=["put"], allow_headers=["X-Token"], max_age=60
    )
    assert p.allow_origins == (APP,)
    assert CORSPolicy(**p.settings()) == p
    assert hash(CORSPolicy(**p.settings())) == hash(p)
    assert p.replace(max_age=120).max_age == 120
    with pytest.raises(CORSConfigError):
        p.replace(allow_origins=["*"], allow_credentials=True)
    assert "allow_origins=['https://app.example.com']" in repr(p)


def test_starlette_defaults() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CORSConfigWarning)
        p = CORSPolicy()
    assert p.allow_origins == ()
    assert p.allow_methods == ("GET",)
    assert p.allow_headers == ()
    assert p.allow_credentials is False
    assert p.allow_origin_regex is None
    assert p.allow_private_network is False
    assert p.expose_headers == ()
    assert p.max_age == 600
    assert p.preflight_status == 204


def test_starlette_positional_order() -> None:
    p = CORSPolicy([APP], ["PUT"], ["x-token"], True, None, False, ["x-total"], 60)
    assert (
        p.allow_origins,
        p.allow_methods,
        p.allow_headers,
        p.allow_credentials,
        p.expose_headers,
        p.max_age,
    ) == ((APP,), ("PUT",), ("x-token",), True, ("x-total",), 60)
