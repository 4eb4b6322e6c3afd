"""A project moved over from django-cors-headers unchanged: its CORS_* settings only."""

from __future__ import annotations

from .settings import *  # noqa: F403

del CORSKIT  # noqa: F821
CORS_ALLOWED_ORIGINS = ["https://app.example.com"]
CORS_ALLOW_CREDENTIALS = True
CORS_URLS_REGEX = r"^/api/"
