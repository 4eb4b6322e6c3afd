"""A configuration corskit refuses: '*' with credentials, and a trailing slash."""

from __future__ import annotations

from .settings import *  # noqa: F403

CORSKIT = {"allow_origins": ["*", "https://app.example.com/"], "allow_credentials": True}
