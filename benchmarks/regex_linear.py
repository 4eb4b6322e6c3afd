"""Time of ``allow_origin_regex`` matching on crafted Origins: linear for every accepted regex.

Run it from the repository root::

    .venv/bin/python benchmarks/regex_linear.py

For each regex that corskit accepts (a sample of the shapes people write) it builds
crafted Origins meant to make a backtracking engine work hardest (long runs of the
characters the repetitions take, ending in a character that makes the match fail), at
lengths 64 and 512 (the longest Origin corskit matches), and prints the ratio of the
times. Linear time gives about 8 (512 / 64); quadratic about 64, exponential far more.
For contrast, the regexes corskit refuses (``regex-not-linear``) are timed on the same
kind of input at lengths 16 and 24 only (longer would not finish). The script exits 1
when an accepted regex's ratio is above 16 (twice the linear ratio).
"""

from __future__ import annotations

import re
import sys
import time

from corskit.regex_linear import regex_linear_problem

ACCEPTED = [
    r"https://([a-z0-9-]+\.)*example\.com",
    r"https://([a-z0-9-]{1,63}\.)*example\.com(:\d+)?",
    r"https://(app|admin|www)\.example\.com",
    r"https://[a-z]+-pr-\d+\.preview\.example\.com",
    r"https://.*\.example\.com",
    r"https://[a-z0-9]+\.[a-z0-9]+\.example\.com",
    r"http://localhost:\d+",
    r"https://(\.[a-z]+)*\.example\.com",
]
REFUSED = [
    r"https://([a-z0-9]+)*\.example\.com",
    r"https://(\w+\.?)+\.example\.com",
    r"https://.*\..*\..*\.example\.com",
]
FILLERS = ["a", "a.", "a-", "1", "a1.", ".a"]


def crafted(length: int) -> list[str]:
    """Origins of about *length* characters that fail at their last character."""
    out = []
    for scheme in ("https://", "http://localhost:"):
        for filler in FILLERS:
            body = (filler * length)[: length - len(scheme) - 1]
            out += [scheme + body + "!", scheme + body + ".example.co"]
    return out


def worst(pattern: re.Pattern[str], origins: list[str], rounds: int) -> float:
    """The slowest origin's time per match, best of *rounds*."""
    slowest = 0.0
    for origin in origins:
        best = float("inf")
        for _ in range(rounds):
            start = time.perf_counter()
            pattern.fullmatch(origin)
            best = min(best, time.perf_counter() - start)
        slowest = max(slowest, best)
    return slowest


def main() -> int:
    failed = False
    print(f"{'regex':55} {'64 B':>10} {'512 B':>10} {'ratio':>7}")
    for source in ACCEPTED:
        assert regex_linear_problem(source) is None, source
        compiled = re.compile(source)
        short, long_ = worst(compiled, crafted(64), 50), worst(compiled, crafted(512), 50)
        ratio = long_ / short
        failed |= ratio > 16
        print(f"{source:55} {short * 1e6:8.1f}us {long_ * 1e6:8.1f}us {ratio:7.1f}")
    print("\nrefused (regex-not-linear), for contrast:")
    print(f"{'regex':55} {'16 B':>10} {'24 B':>10} {'ratio':>7}")
    for source in REFUSED:
        assert regex_linear_problem(source) is not None, source
        compiled = re.compile(source)
        short, long_ = worst(compiled, crafted(16), 3), worst(compiled, crafted(24), 1)
        print(f"{source:55} {short * 1e6:8.1f}us {long_ * 1e6:8.1f}us {long_ / short:7.1f}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
