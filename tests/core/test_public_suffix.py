"""Public-suffix checks on a default install: the shipped Public Suffix List, read once,
without the optional ``publicsuffixlist`` package."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import time

import pytest

from corskit import CORSConfigError, CORSPolicy, public_suffix

SUFFIXES = ["r2.dev", "duckdns.org", "github.io", "co.uk"]


@pytest.mark.parametrize("suffix", SUFFIXES)
def test_wildcards_over_public_suffixes_with_credentials_are_refused(suffix: str) -> None:
    with pytest.raises(CORSConfigError) as info:
        CORSPolicy(allow_origins=[f"https://*.{suffix}"], allow_credentials=True)
    assert [p.code for p in info.value.problems] == ["public-suffix-wildcard-with-credentials"]
    escaped = suffix.replace(".", r"\.")
    with pytest.raises(CORSConfigError) as info:
        CORSPolicy(allow_origin_regex=rf"https://[a-z0-9-]+\.{escaped}", allow_credentials=True)
    assert [p.code for p in info.value.problems] == ["public-suffix-wildcard-with-credentials"]


def test_own_domains_under_a_public_suffix_are_fine() -> None:
    CORSPolicy(
        allow_origins=["https://*.myapp.github.io", "https://*.example.co.uk"],
        allow_credentials=True,
    )
    assert not public_suffix.is_public_suffix("myapp.r2.dev")


def test_rules_wildcards_and_exceptions() -> None:
    is_public = public_suffix.is_public_suffix
    assert is_public("com") and is_public("co.uk") and is_public("github.io")
    assert is_public("anything.ck")  # *.ck
    assert not is_public("www.ck")  # !www.ck
    assert is_public("xn--55qx5d.cn")  # 公司.cn, compared in punycode
    assert not is_public("localhost") and not is_public("app.localhost")
    assert not is_public("example.com")


def test_default_install_without_the_optional_package() -> None:
    # A fresh interpreter where importing publicsuffixlist fails, as on `pip install corskit`.
    code = textwrap.dedent(
        """
        import sys
        sys.modules["publicsuffixlist"] = None
        from corskit import CORSConfigError, CORSPolicy
        refused = []
        for suffix in ("r2.dev", "duckdns.org", "github.io", "co.uk"):
            try:
                CORSPolicy(allow_origins=[f"https://*.{suffix}"], allow_credentials=True)
            except CORSConfigError as exc:
                refused += [p.code for p in exc.problems]
        print(" ".join(refused))
        """
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
    )
    assert out.stdout.split() == ["public-suffix-wildcard-with-credentials"] * 4


def test_the_list_is_loaded_once_and_lookups_are_cheap() -> None:
    public_suffix.is_public_suffix("example.com")
    rules = public_suffix._rules
    assert rules is not None and len(rules.plain) > 5000
    start = time.perf_counter()
    for _ in range(1000):
        public_suffix.is_public_suffix("duckdns.org")
    assert time.perf_counter() - start < 0.5  # about 1 ms for all; the list is never re-read
    assert public_suffix._rules is rules
    assert public_suffix.list_version().startswith("20")
