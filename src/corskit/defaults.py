"""Every setting of :class:`corskit.CORSPolicy` and its default: the one table."""

from __future__ import annotations

from typing import Any

__all__ = ["SETTINGS", "SETTING_NAMES"]

# Every setting and its default, in the order of CORSPolicy's parameters: the one table
# that settings(), repr() and the adapters (settings.py, django.py) read.
SETTINGS: dict[str, Any] = {
    "allow_origins": (),
    "allow_methods": ("GET",),
    "allow_headers": (),
    "allow_credentials": False,
    "allow_origin_regex": None,
    "allow_private_network": False,
    "expose_headers": (),
    "max_age": 600,
    "preflight_status": 204,
    "dangerously_allow_null_origin": False,
    "dangerously_tolerate_insecure_origins": False,
    "dangerously_tolerate_public_suffix_wildcards": False,
    "allow_origin_func": None,
}
SETTING_NAMES = tuple(SETTINGS)
