"""The configuration a running middleware holds, and how it is swapped while it runs.

Both adapters (ASGI and WSGI) keep ``(policy, engine, route table)`` in one attribute,
``_state``, which a request reads once: a swap is one assignment, so no request ever
sees half of one. Everything is validated before anything is swapped.
"""

from __future__ import annotations

import threading
from typing import Any

from .engine import Engine
from .policy import CORSPolicy
from .routing import RouteTable

__all__ = ["LiveConfiguration"]

_SWAP_LOCK = threading.Lock()  # serialises writers; readers never take it


class LiveConfiguration:
    """The ``policy``, ``routes`` and :meth:`reconfigure` of a middleware."""

    _state: tuple[CORSPolicy, Engine, RouteTable | None]

    def _configure(
        self,
        policy: CORSPolicy | None,
        args: tuple[Any, ...],
        settings: dict[str, Any],
        routes: Any,
    ) -> None:
        if policy is not None and (args or settings):
            raise TypeError("give either policy= or CORS settings, not both")
        self.policy = policy if policy is not None else CORSPolicy(*args, **settings)
        if routes is not None:
            self.routes = routes

    @property
    def policy(self) -> CORSPolicy:
        """The (default) policy in force. Assigning a new :class:`CORSPolicy` swaps it atomically."""
        return self._state[0]

    @policy.setter
    def policy(self, policy: CORSPolicy) -> None:
        if not isinstance(policy, CORSPolicy):
            raise TypeError(
                "policy must be a corskit.CORSPolicy (validated before it is swapped in)"
            )
        with _SWAP_LOCK:
            current = getattr(self, "_state", None)
            self._state = (policy, policy.engine, current[2] if current is not None else None)

    @property
    def routes(self) -> dict[str, CORSPolicy]:
        """The per-route policies (normalised prefix -> policy). Assigning a new mapping
        validates it and swaps it in atomically; ``{}`` or None removes them."""
        table = self._state[2]
        return dict(table.policies) if table is not None else {}

    @routes.setter
    def routes(self, routes: Any) -> None:
        table = RouteTable(routes) if routes else None
        with _SWAP_LOCK:
            self._state = (self._state[0], self._state[1], table)

    def reconfigure(
        self, policy: CORSPolicy | None = None, *, routes: Any = ..., **settings: Any
    ) -> None:
        """Swap the configuration of the running middleware, atomically.

        Give a ready ``policy=`` or the keyword settings of a new policy (a complete
        configuration, not a patch: use ``self.policy.replace(...)`` for a patch), and/or
        ``routes=`` (omitted: unchanged). Everything is validated before anything is
        swapped: a :class:`~corskit.CORSConfigError` leaves the old configuration in force.
        Requests already running finish with the configuration they started with.
        """
        if policy is not None and settings:
            raise TypeError("give either policy= or CORS settings, not both")
        if policy is not None and not isinstance(policy, CORSPolicy):
            raise TypeError("policy must be a corskit.CORSPolicy")
        new_policy = (
            policy if policy is not None else (CORSPolicy(**settings) if settings else None)
        )
        table = RouteTable(routes) if routes is not ... and routes else None
        with _SWAP_LOCK:
            current = self._state
            chosen = new_policy if new_policy is not None else current[0]
            self._state = (chosen, chosen.engine, current[2] if routes is ... else table)
