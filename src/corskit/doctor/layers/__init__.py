"""Models of the CORS layers users run, one module per library: what the layer sends for a
request, so the doctor can name the setting that caused a failure and word the fix."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from . import corskit, starlette

if TYPE_CHECKING:
    from ..appinfo import CORSSettings
    from ..fetch import Outcome

__all__ = ["config_reason", "corskit", "server_reason_from_body", "starlette"]


def config_reason(
    settings: CORSSettings, origin: str, method: str, unsafe: list[str], preflight: bool
) -> tuple[str, str]:
    """How the configured middleware decides this request: (reason, detail) where reason is
    one of corskit's engine reasons ("origin-not-allowed", "method-not-allowed",
    "header-not-allowed", "authorization-not-covered-by-wildcard", ...) or "" when allowed."""
    if settings.kind == "corskit":
        policy = (
            settings.policy if settings.policy is not None else corskit.build(settings.settings)
        )
        if policy is not None:
            return corskit.decide(policy, origin, method, unsafe, preflight)
    # a corskit configuration that does not build is read with Starlette's semantics
    return starlette.decide(settings, origin, method, unsafe, preflight)


def server_reason_from_body(outcome: Outcome) -> tuple[str, str]:
    """Read a refusal reason from the failing response body (corskit debug=True or
    Starlette's "Disallowed CORS ..." text)."""
    resp = outcome.failed_response
    if resp is None:
        return "", ""
    text = resp.body[:2000].decode("utf-8", "replace")
    m = re.search(r"Disallowed CORS ([a-z, -]+)", text)
    if m:
        first = m.group(1).split(",")[0].strip()
        return {
            "origin": "origin-not-allowed",
            "method": "method-not-allowed",
            "headers": "header-not-allowed",
        }.get(first, ""), ""
    for reason in (
        "authorization-not-covered-by-wildcard",
        "origin-not-allowed",
        "method-not-allowed",
        "header-not-allowed",
        "header-list-too-long",
        "header-list-malformed",
    ):
        if reason in text:
            return reason, ""
    return "", ""
