"""Property tests: Access-Control-Request-Headers parsing against a slow reference."""

from __future__ import annotations

import time

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from corskit.headers import MAX_EMPTY_ITEMS, parse_header_list

from .reference import ref_parse_header_list

FUZZ = settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])

NAMES = st.sampled_from(
    [
        b"content-type",
        b"X-Custom",
        b"authorization",
        b"x-a",
        b"A",
        b"x_y",
        b"x.y",
        b"~!#$%&'*+-.^_`|",
    ]
)
JUNK = st.sampled_from(
    [b"", b" ", b"\t", b"  ", b"a b", b"x\x00", b"\xff", b"x:y", b'"q"', b"(c)", b"x\r\n", b"\x7f"]
)
ITEM = st.one_of(NAMES, NAMES.map(lambda n: b" " + n + b"\t"), JUNK, st.binary(max_size=6))


@st.composite
def lines(draw: st.DrawFn) -> list[bytes]:
    """One to three header lines, each a comma list of items (names, padding, junk)."""
    out = []
    for _ in range(draw(st.integers(1, 3))):
        items = draw(st.lists(ITEM, max_size=8))
        sep = draw(st.sampled_from([b",", b", ", b" ,", b",,"]))
        out.append(sep.join(items))
    return out


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(lines(), st.integers(0, 200))
def test_parse_header_list_agrees_with_reference(value: list[bytes], limit: int) -> None:
    got = parse_header_list(value, limit)
    assert got == ref_parse_header_list(value, limit, MAX_EMPTY_ITEMS), value


@FUZZ
@given(st.lists(st.binary(max_size=30), min_size=1, max_size=4), st.integers(0, 100))
def test_parse_header_list_on_any_bytes(value: list[bytes], limit: int) -> None:
    got = parse_header_list(value, limit)
    assert got == ref_parse_header_list(value, limit, MAX_EMPTY_ITEMS)
    if got is not None:
        for name in got:
            assert name and name == name.lower() and b"," not in name


@FUZZ
@given(st.lists(NAMES, min_size=1, max_size=10))
def test_a_list_a_browser_sends_parses_to_its_names(names: list[bytes]) -> None:
    """Browsers send sorted, lower-cased, de-duplicated names joined by ","."""
    browser = sorted({n.lower() for n in names})
    assert parse_header_list([b",".join(browser)], 10_000) == browser


def test_hostile_lists_cost_linear_time() -> None:
    """10,000 commas or 100 KB: refused by length before any per-item work."""
    for value in (b"," * 10_000, (b"x-custom, " * 10_240)[:102_400], b"a," * 50_000):
        start = time.perf_counter()
        for _ in range(100):
            assert parse_header_list([value], 4096) is None
        assert (time.perf_counter() - start) / 100 < 0.001  # far below 1 ms each
    # Within the limit but all empty items: refused after MAX_EMPTY_ITEMS.
    assert parse_header_list([b"," * 100], 4096) is None
