"""Django middleware written by users, for the doctor to name (imported by path from MIDDLEWARE)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import HttpResponse  # type: ignore[import-untyped]

FRONT = "https://app.example.com"


class TokenRequired:
    """Refuses every request without an Authorization header (preflights included)."""

    def __init__(self, get_response: Callable[[Any], Any]) -> None:
        self.get_response = get_response

    def __call__(self, request: Any) -> Any:
        if "HTTP_AUTHORIZATION" not in request.META:
            return HttpResponse(status=401)
        return self.get_response(request)


class AddCorsHeaders:
    """Hand-written CORS: adds the headers to the responses of the views (never answers a
    preflight itself)."""

    def __init__(self, get_response: Callable[[Any], Any]) -> None:
        self.get_response = get_response

    def __call__(self, request: Any) -> Any:
        response = self.get_response(request)
        response["Access-Control-Allow-Origin"] = FRONT
        response["Access-Control-Allow-Methods"] = "GET, PUT"
        return response
