"""Moved to :mod:`corskit.doctor.layers.appinfo` (kept importable under this name)."""

from __future__ import annotations

from .layers.appinfo import CORSSettings, as_settings, find_cors_settings, primary_settings

__all__ = ["CORSSettings", "as_settings", "find_cors_settings", "primary_settings"]
