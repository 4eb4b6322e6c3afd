"""Property tests: origin parsing, serialisation, and the compiled matcher.

The compiled :class:`corskit.origins.OriginMatcher` (sets, dicts, a suffix walk) must
agree with :func:`tests.fuzz.reference.ref_matches` (a plain loop over the patterns) on
random patterns and random, often malformed, request origins.
"""

from __future__ import annotations

from collections.abc import Callable

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from corskit.origins import OriginMatcher, OriginPattern, parse_pattern

from .reference import SERIALISED_ORIGIN, RefPattern, parse_origin, ref_matches

FUZZ = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])

SCHEMES = st.sampled_from(["http", "https", "ws", "app"])
LABEL = st.sampled_from(["a", "b", "x-y", "ex", "example", "com", "org", "localhost", "_srv", "9z"])
HOST = st.lists(LABEL, min_size=1, max_size=4).map(".".join)
PORT = st.sampled_from(["", "", "8080", "5173", "1", "65535"])


@st.composite
def patterns(draw: st.DrawFn) -> tuple[str, RefPattern]:
    """A valid configured origin (text) and its reference meaning."""
    kind = draw(st.sampled_from(["exact", "exact", "sub", "anyport", "sub+anyport"]))
    scheme = draw(SCHEMES)
    host = draw(HOST)
    port = "*" if "anyport" in kind else draw(PORT)
    sub = kind.startswith("sub")
    if sub and "." not in host:
        host = host + ".com"  # "*.<tld>" is refused with credentials only; keep it tidy
    text = f"{scheme}://{'*.' if sub else ''}{host}{':' + port if port else ''}"
    return text, RefPattern(scheme=scheme, host=host, subdomains=sub, port=port)


MUTATIONS: list[Callable[[str], str]] = [
    lambda s: s,
    lambda s: s,
    lambda s: s,
    lambda s: s.upper(),
    lambda s: s + "/",
    lambda s: s + ":443",
    lambda s: s + ":0",
    lambda s: s + ":080",
    lambda s: s + ":",
    lambda s: s.replace("://", "://."),
    lambda s: s.replace(".", "..", 1),
    lambda s: s.replace("://", "://evil.com/"),
    lambda s: s.replace("://", "://a b."),
    lambda s: s.replace("://", "://a\x00."),
    lambda s: s.replace("://", "://a\r\nx."),
    lambda s: s.replace("://", "://user@"),
    lambda s: s.replace("://", "://\u00e9."),
    lambda s: s + " ",
    lambda s: " " + s,
    lambda s: s.replace("://", ":/"),
    lambda s: s.replace("://", "://*."),
    lambda s: s + ":*",
]


@st.composite
def origins(draw: st.DrawFn) -> bytes:
    """A request Origin: usually well-formed and near the patterns, sometimes mangled."""
    if draw(st.integers(0, 9)) == 0:
        return draw(st.binary(max_size=40))
    if draw(st.integers(0, 19)) == 0:
        return b"null"
    scheme = draw(SCHEMES)
    host = draw(HOST)
    port = draw(st.sampled_from(["", "", "8080", "5173", "1", "65535", "443", "80"]))
    text = f"{scheme}://{host}{':' + port if port else ''}"
    text = draw(st.sampled_from(MUTATIONS))(text)
    return text.encode("utf-8")


@st.composite
def near(draw: st.DrawFn, texts: list[str]) -> bytes:
    """A request Origin derived from one of the configured patterns, then maybe mangled."""
    text = draw(st.sampled_from(texts))
    text = text.replace(
        "*.", draw(st.sampled_from(["", "a.", "x-y.b.", "A.", "a b.", "a\x00.", "evil.com/."])), 1
    )
    text = text.replace(":*", draw(st.sampled_from(["", ":8080", ":80", ":443", ":0", ":1"])), 1)
    text = draw(st.sampled_from(MUTATIONS))(text)
    return text.encode("utf-8")


@FUZZ
@given(st.data(), st.lists(patterns(), min_size=1, max_size=5))
def test_compiled_matcher_agrees_with_reference(
    data: st.DataObject, pats: list[tuple[str, RefPattern]]
) -> None:
    parsed: list[OriginPattern | None] = []
    for text, _ in pats:
        pattern, problems = parse_pattern(text)
        assert pattern is not None, (text, [p.code for p in problems])
        parsed.append(pattern)
    matcher = OriginMatcher(parsed)
    refs = [ref for _, ref in pats]
    texts = [t for t, _ in pats]
    reqs = data.draw(st.lists(st.one_of(origins(), near(texts)), min_size=1, max_size=8))
    for origin in reqs:
        assert matcher.matches(origin) == ref_matches(refs, origin), (origin, texts)


@FUZZ
@given(SCHEMES, HOST, PORT)
def test_valid_origin_round_trips(scheme: str, host: str, port: str) -> None:
    """A serialised origin parses as an exact pattern that serialises back to itself."""
    text = f"{scheme}://{host}{':' + port if port else ''}"
    pattern, problems = parse_pattern(text)
    assert problems == [] and pattern is not None
    assert (pattern.kind, pattern.scheme, pattern.host, pattern.port) == (
        "exact",
        scheme,
        host,
        port,
    )
    again = f"{pattern.scheme}://{pattern.host}{':' + pattern.port if pattern.port else ''}"
    assert again == text == pattern.text
    assert parse_origin(text) == (scheme, host, port)
    assert SERIALISED_ORIGIN.fullmatch(text)
    assert OriginMatcher([pattern]).matches(text.encode())


@FUZZ
@given(patterns())
def test_patterns_round_trip(pat: tuple[str, RefPattern]) -> None:
    text, _ = pat
    pattern, problems = parse_pattern(text)
    assert pattern is not None and problems == []
    assert pattern.text == text
    assert parse_pattern(pattern.text)[0] == pattern


@FUZZ
@given(SCHEMES, HOST, PORT, st.sampled_from(["upper", "slash", "path", "default-port", "query"]))
def test_non_canonical_origins_are_refused_with_a_fix_that_parses(
    scheme: str, host: str, port: str, how: str
) -> None:
    """Every way of writing an origin wrongly is refused, and the suggested fix is valid."""
    canonical = f"{scheme}://{host}{':' + port if port else ''}"
    if how == "default-port":
        if scheme not in ("http", "https") or port:
            return
        text = f"{canonical}:{'80' if scheme == 'http' else '443'}"
    else:
        text = {
            "upper": canonical.upper(),
            "slash": canonical + "/",
            "path": canonical + "/api",
            "query": canonical + "?x=1",
        }[how]
    pattern, problems = parse_pattern(text)
    assert pattern is None and problems
    fixes = [p.fix for p in problems if p.fix.startswith("Use '")]
    assert fixes, [p.code for p in problems]
    suggestion = fixes[0].split("'")[1]
    assert suggestion == canonical
    assert parse_pattern(suggestion)[1] == []


@FUZZ
@given(st.text(max_size=60))
def test_parse_pattern_never_raises(text: str) -> None:
    pattern, problems = parse_pattern(text)
    assert (pattern is None) == bool(problems) or text == "*"
    for p in problems:
        for part in (p.code, p.value, p.why):
            assert "\n" not in part and "\r" not in part and "\x00" not in part


@FUZZ
@given(st.text(max_size=60))
def test_problem_fixes_are_one_line(text: str) -> None:
    for p in parse_pattern(text)[1]:
        assert "\n" not in p.fix and "\r" not in p.fix and "\x00" not in p.fix
        assert p.fix.isprintable()


@FUZZ
@given(st.binary(max_size=80))
def test_matcher_never_raises_on_any_bytes(origin: bytes) -> None:
    matcher = OriginMatcher(
        [
            parse_pattern(t)[0]
            for t in ("https://a.com", "https://*.example.com:*", "http://localhost:*")
        ]
    )
    assert matcher.matches(origin) in (True, False)
