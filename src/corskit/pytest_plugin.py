"""The pytest plugin corskit installs: the ``cors`` fixture.

``cors`` is a :class:`corskit.testing.CORSTester`::

    def test_front_end_can_post(cors):
        cors.assert_allowed(app, origin="https://app.example.com", method="POST",
                            path="/items", headers={"Content-Type": "application/json"})

Bind a default app in a fixture of your own (``cors.app = app``) to leave it out of each call.
"""

from __future__ import annotations

import pytest

from corskit.testing import CORSTester

__all__ = ["cors"]


@pytest.fixture
def cors() -> CORSTester:
    """CORS assertions that run the corskit doctor in-process (see :mod:`corskit.testing`)."""
    return CORSTester()
