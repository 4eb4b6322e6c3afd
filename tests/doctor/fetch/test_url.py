"""The doctor's URL parser (corskit.doctor.fetch.url) against what Chromium sends: the URL
Standard's basic URL parser with Chromium's differences, as observed in Chromium 150."""

from __future__ import annotations

import pytest

from corskit.doctor.fetch.url import canonical_host, is_valid_url, parse_url

BASE = "http://127.0.0.1:8000/x/y?q"


@pytest.mark.parametrize(
    ("written", "sent"),
    [
        # what Chromium 150 put on the wire for these (tests/doctor/browser/test_fidelity_browser.py)
        ("/a b/c\"d?x='y' z", "http://127.0.0.1:8000/a%20b/c%22d?x=%27y%27%20z"),
        ("/p'q!$&()*+,;=:@[]~x", "http://127.0.0.1:8000/p'q!$&()*+,;=:@[]~x"),
        ("/g<h>/i`j{k}|l^m", "http://127.0.0.1:8000/g%3Ch%3E/i%60j%7Bk%7D%7Cl%5Em"),
        ("/s?f`g{h}|i^j[k]\\l<m>", "http://127.0.0.1:8000/s?f`g{h}|i^j[k]\\l%3Cm%3E"),
        ("/b\\c/./d/../e/%2e/f%2E%2E/g", "http://127.0.0.1:8000/b/c/e/f%2E%2E/g"),
        ("/u?\u00e9#frag", "http://127.0.0.1:8000/u?%C3%A9"),
        ("/\u00e9\u00a0\t\nx", "http://127.0.0.1:8000/%C3%A9%C2%A0x"),
        ("/%zz%4a?%zz%4a", "http://127.0.0.1:8000/%zz%4a?%zz%4a"),
        ("  http://EXAMPLE.com:80/a/..  ", "http://example.com/"),
        ("https://h:443", "https://h/"),
        ("http://a b/", "http://a%20b/"),
        ("http://0x7f.1/", "http://127.0.0.1/"),
        ("http://[0:0::1]:8080/", "http://[::1]:8080/"),
        ("http:", BASE),
        ("?n", "http://127.0.0.1:8000/x/y?n"),
        ("#f", BASE),
        ("z/../w", "http://127.0.0.1:8000/x/w"),
        ("//other:1/z", "http://other:1/z"),
        ("FTP://h/x", "ftp://h/x"),
        ("data:,x", "data:,x"),
    ],
)
def test_urls_serialised_as_chromium_sends_them(written: str, sent: str) -> None:
    assert parse_url(written, BASE).serialize() == sent


@pytest.mark.parametrize(
    "bad",
    ["https://", "http://[::1", "//:0", "http://h:65536/", "http://ho%23st/", "http://1.2.3.4.5/"],
)
def test_urls_chromium_refuses(bad: str) -> None:
    with pytest.raises(ValueError):
        parse_url(bad, BASE)


def test_relative_without_base_is_refused() -> None:
    with pytest.raises(ValueError):
        parse_url("/a b")


def test_fragment_kept_only_on_request() -> None:
    assert parse_url("http://h/a#b c").serialize(fragment=True) == "http://h/a#b%20c"


def test_hosts() -> None:
    assert canonical_host("Ex\u00e4mple.COM") == "xn--exmple-cua.com"
    assert canonical_host("ho%20st") == "ho%20st"
    assert is_valid_url("foo://bar") and is_valid_url("localhost:5173")
    assert not is_valid_url("Null") and not is_valid_url("http://ho|st")
