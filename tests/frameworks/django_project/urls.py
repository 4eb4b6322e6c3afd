"""The project's views: an API, a failing view, a public path, and a sync and an async view."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, JsonResponse  # type: ignore[import-untyped]
from django.urls import path  # type: ignore[import-untyped]


def items(request: HttpRequest) -> Any:
    response = JsonResponse({"items": ["a", "b"], "method": request.method})
    response["X-Total-Count"] = "2"
    response["Vary"] = "Accept-Encoding"
    return response


def boom(request: HttpRequest) -> Any:
    raise RuntimeError("something broke")


async def info(request: HttpRequest) -> Any:
    return JsonResponse({"name": "demo"})


def other(request: HttpRequest) -> Any:
    return JsonResponse({"other": True})


urlpatterns = [
    path("api/items", items),
    path("api/items/", items),
    path("api/boom", boom),
    path("public/info", info),
    path("other", other),
    path("slashy/", other),
]
