"""Property-based test of the route table: for random paths built from dot segments,
';params', percent-encodings, doubled and back slashes, no two readings that plausible
servers make get different policies unless the answer is ``path-ambiguous``.
(Bounded: a few hundred examples per run; the atheris target tests/fuzz/atheris_routes.py
runs the same property for as long as it is given.)"""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from corskit import RouteTable

from .server_readings import PIECES, ROUTES, check

TABLE = RouteTable(ROUTES)

paths = st.lists(st.sampled_from(PIECES), min_size=1, max_size=8).map(
    lambda parts: "/" + "/".join(parts)
)
glued = st.lists(st.sampled_from(PIECES), min_size=1, max_size=6).map(
    lambda parts: "/" + "".join(parts)
)


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(paths)
def test_readings_never_disagree_without_path_ambiguous(raw: str) -> None:
    check(TABLE, raw)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(paths | glued, min_size=1, max_size=3).map("".join))
def test_concatenated_pieces(raw: str) -> None:
    check(TABLE, raw)


def test_known_confusions() -> None:
    for raw in [
        "/api/x/..;/admin/users",
        "/public/..;/api/me",
        "/api/x/..%3b/admin",
        "/public/;/../api",
    ]:
        check(TABLE, raw)
