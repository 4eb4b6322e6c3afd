"""The route cache: bounded by entries and by bytes, never holding over-long paths, and
keyed on everything the answer depends on (the raw path and the decoded path)."""

from __future__ import annotations

import gc
import os

import pytest

from corskit import CORSPolicy, RouteTable, routing

ROUTES = {
    "/public": CORSPolicy(allow_origins=["*"]),
    "/api/admin": CORSPolicy(allow_origins=["https://admin.example"], allow_credentials=True),
}


def _rss() -> int:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def test_paths_over_the_length_limit_are_never_cached() -> None:
    table = RouteTable(ROUTES)
    long_path = "/public/" + "a" * 60_000
    assert table.lookup(long_path) is routing.refusal_engine()  # over MAX_PATH: refused
    assert table.lookup("/public/" + "b" * 4000) is table.policies["/public"].engine
    assert len(table._cache) == 0


def test_the_cache_is_bounded_by_bytes() -> None:
    table = RouteTable(ROUTES)
    for i in range(3000):
        table.lookup(f"/public/{i:06d}/" + "x" * 1900)
        assert table._cache.size_in_bytes <= routing._CACHE_BYTES
        assert len(table._cache) <= routing._CACHE_SIZE
    assert sum(len(k) for k in table._cache if isinstance(k, str)) <= routing._CACHE_BYTES


def test_the_cache_key_holds_the_decoded_path_too() -> None:
    # Same raw_path, different decoded path (a proxy or root_path rewrite): the answer
    # depends on both, so a cached answer for one must not serve the other.
    table = RouteTable(ROUTES)
    raw = b"/public/%78"
    assert table.lookup("/public/x", raw) is table.policies["/public"].engine
    assert table.lookup("/api/admin/x", raw) is not table.policies["/public"].engine


@pytest.mark.parametrize("size", [60_000, 2_000])
def test_flood_of_distinct_paths_keeps_memory_bounded(size: int) -> None:
    table = RouteTable(ROUTES)
    gc.collect()
    before = _rss()
    count = 4096 if size > 10_000 else 40_000
    for i in range(count):
        path = f"/public/{i}/" + "a" * size
        table.lookup(path, path.encode() + b"%41")
    gc.collect()
    grown = _rss() - before
    assert grown < 64 * 1024 * 1024, f"RSS grew by {grown / 2**20:.1f} MB"
