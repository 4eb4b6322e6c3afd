"""Apps for `corskit lint` on other libraries' layers."""

from __future__ import annotations

from . import apps
from .misspelt_flask import create_app

glob = apps.flask_cors_glob()
hand = apps.flask_after_request()
misspelt = create_app()
