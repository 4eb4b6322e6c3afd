"""URLs with trailing slashes, as Django projects declare them (for APPEND_SLASH)."""

from __future__ import annotations

from django.http import HttpRequest, JsonResponse  # type: ignore[import-untyped]
from django.urls import path  # type: ignore[import-untyped]


def items(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"items": ["a", "b"]})


urlpatterns = [path("api/items/", items)]
