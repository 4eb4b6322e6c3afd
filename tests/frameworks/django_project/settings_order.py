"""corskit's middleware below CommonMiddleware (its redirects would carry no CORS headers)."""

from __future__ import annotations

from .settings import *  # noqa: F403

MIDDLEWARE = [
    "django.middleware.common.CommonMiddleware",
    "corskit.django.CorsMiddleware",
]
