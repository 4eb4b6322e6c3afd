"""The corpus' Django URLs: ``/api/items`` (no trailing slash)."""

from __future__ import annotations

from django.http import HttpRequest, JsonResponse  # type: ignore[import-untyped]
from django.urls import path  # type: ignore[import-untyped]
from django.views.decorators.csrf import csrf_exempt  # type: ignore[import-untyped]


def _items(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"items": ["a", "b"]})


items = csrf_exempt(_items)


urlpatterns = [path("api/items", items)]
