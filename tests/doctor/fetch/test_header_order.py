"""The replay of Blink's request-header hash map (corskit.doctor.fetch.header_order): the hash
against the test vectors Chromium's own string-hasher tests use, and the order against what
Chromium 150 was seen to do (tests/doctor/browser/test_header_order_browser.py checks it live)."""

from __future__ import annotations

import struct

import pytest

from corskit.doctor.fetch.header_order import (
    blink_map_order,
    case_folding_hash,
    cors_check_order,
    first_refused,
    in_chromium_order,
    rapidhash,
)


@pytest.mark.parametrize(
    ("data", "low32"),
    [
        (b"", 0x74EBC84B),
        (b"\x00", 0x8249B3F8),
        (bytes([0x41, 0x95, 0xFF, 0x50, 0x01]), 0xE0A5DDE6),
        (struct.pack("<5H", 0x41, 0x95, 0xFFFF, 0x1080, 0x01), 0xEEA75C1E),
    ],
)
def test_rapidhash_matches_chromium_test_vectors(data: bytes, low32: int) -> None:
    assert rapidhash(data) & 0xFFFFFFFF == low32


def test_rapidhash_long_inputs_take_every_path() -> None:
    # 17-32, 33-48 and over-48-byte inputs run different loops; all stay 64-bit and distinct.
    values = {rapidhash(bytes(range(n))) for n in (17, 33, 49, 97, 200)}
    assert len(values) == 5
    assert all(0 <= v < 1 << 64 for v in values)


def test_case_folding_hash_ignores_case_and_keeps_24_bits() -> None:
    assert case_folding_hash("X-Custom") == case_folding_hash("x-custom")
    assert case_folding_hash("X-Custom") != case_folding_hash("x-custom2")
    for name in ("a", "Authorization", "x-" + "q" * 60):
        assert 0 < case_folding_hash(name) <= 0xFFFFFF


@pytest.mark.parametrize(
    ("names", "named"),
    [
        (["X-Zeta", "X-Alpha"], "x-zeta"),
        (["X-B", "X-A", "X-C"], "x-c"),
        (["X-C", "X-A", "X-B"], "x-c"),
        (["Content-Type", "Authorization"], "authorization"),
        (["Authorization", "Content-Type"], "authorization"),
        (["X-Q", "X-P"], "x-q"),
    ],
)
def test_the_named_header_is_the_one_chromium_named(names: list[str], named: str) -> None:
    # the observations of docs/browser.md ("Which disallowed header is named")
    assert first_refused(names, allowed=[]) == named


def test_order_does_not_depend_on_how_the_script_wrote_the_headers() -> None:
    assert blink_map_order(["X-A", "x-b", "X-C"]) == blink_map_order(["x-c", "X-B", "x-a"])


def test_growing_the_table_reorders() -> None:
    # 12 names plus Chromium's 4 need a 64-slot table: every name still appears once.
    names = [f"x-h{i}" for i in range(12)]
    order = blink_map_order(names)
    assert sorted(order) == sorted(
        [*names, "sec-ch-ua", "sec-ch-ua-mobile", "sec-ch-ua-platform", "user-agent"]
    )
    assert cors_check_order(names) == [n for n in order if n in names]


def test_allowed_headers_are_skipped_and_none_left_gives_none() -> None:
    assert first_refused(["X-Zeta", "X-Alpha"], allowed=["x-zeta"]) == "x-alpha"
    assert first_refused(["X-Zeta", "X-Alpha"], allowed=["X-ZETA", "x-alpha"]) is None


def test_other_request_headers_move_the_unsafe_ones() -> None:
    # Content-Type text/plain is safelisted but still occupies a slot of the table.
    alone = cors_check_order(["x-q", "x-p", "x-a", "x-b"])
    shared = [
        n
        for n in cors_check_order(["x-q", "x-p", "x-a", "x-b", "content-type"])
        if n != "content-type"
    ]
    assert sorted(alone) == sorted(shared)


def test_no_client_hints_for_a_url_that_is_not_trustworthy() -> None:
    headers = [("X-Zeta", "1"), ("X-Alpha", "1"), ("Content-Type", "text/plain")]
    ordered = in_chromium_order(headers, trustworthy_url=False)
    assert sorted(ordered) == sorted(headers)
    expected = cors_check_order([n for n, _ in headers], added=("user-agent",))
    assert [n.lower() for n, _ in ordered] == expected
