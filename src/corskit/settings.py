"""Configuration from the environment: ``CORSPolicy.from_env`` and pydantic-settings.

>>> env = {"CORS_PROFILE": "development"}
>>> policy = CORSPolicy.from_env(environ=env)
>>> "http://localhost:5173" in policy.allow_origins, "http://127.0.0.1:3000" in policy.allow_origins
(True, True)

Variables (prefix ``CORS_`` by default; one per :class:`~corskit.CORSPolicy` setting)::

    CORS_ALLOW_ORIGINS=https://app.example.com,https://admin.example.com   (or a JSON array)
    CORS_ALLOW_METHODS=GET,POST,PATCH        CORS_ALLOW_HEADERS=Content-Type,Authorization
    CORS_ALLOW_CREDENTIALS=true              CORS_EXPOSE_HEADERS=X-Total-Count
    CORS_ALLOW_ORIGIN_REGEX=...              CORS_ALLOW_PRIVATE_NETWORK=false
    CORS_MAX_AGE=600 (or "none")             CORS_PREFLIGHT_STATUS=204
    CORS_DANGEROUSLY_ALLOW_NULL_ORIGIN=false (and the other dangerously_* flags)
    CORS_PROFILE=development|production      CORS_DEV_PORTS=3000,5173 (development only)

Booleans are ``true/false``, ``1/0``, ``yes/no`` or ``on/off`` (any case); an empty
value counts as unset. Profiles:

- ``development``: the origins of the usual local front-end dev servers, on
  ``localhost``, ``127.0.0.1`` and ``[::1]`` (ports :data:`DEV_PORTS`, or
  ``CORS_DEV_PORTS``), are added to ``CORS_ALLOW_ORIGINS``; methods and headers default
  to ``*``. A warning (``env-development-in-production``) is issued when a production
  marker is set (``ENV``, ``APP_ENV``, ``ENVIRONMENT``, ``PYTHON_ENV``, ``NODE_ENV``,
  ``FLASK_ENV``, ``DJANGO_ENV`` or ``STAGE`` = ``production``/``prod``).
- ``production``: ``CORS_ALLOW_ORIGINS`` (or ``CORS_ALLOW_ORIGIN_REGEX``) is required
  (``env-production-needs-origins``); localhost origins are warned about.
- unset: exactly the variables given, with the policy's defaults.

Every problem is reported at once in one :class:`~corskit.CORSConfigError` (bad
values, ``env-*`` codes and the policy's own codes); misspelt ``CORS_*`` names give an
``env-unknown-variable`` warning.

pydantic-settings (optional dependency, imported only when used)::

    from corskit.settings import CORSSettings

    class Settings(BaseSettings):
        cors: CORSSettings = CORSSettings()
    policy = CORSSettings().policy()      # reads CORS_* like from_env
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Mapping
from typing import Any

from .environment import _ENV_SETTINGS, _apply_profile, _port, build
from .environment import DEV_PORTS as DEV_PORTS  # re-exported: the public names stay here
from .environment import PRODUCTION_MARKERS as PRODUCTION_MARKERS
from .environment import SettingsFileError as SettingsFileError
from .environment import SettingsSource as SettingsSource
from .environment import parse_bool as parse_bool
from .environment import parse_list as parse_list
from .environment import production_marker as production_marker
from .environment import read_env as read_env
from .environment import read_toml as read_toml
from .policy import CORSPolicy
from .problems import CORSConfigError, CORSConfigWarning, Problem

__all__ = [  # and CORSSettings (built on first use)
    "DEV_PORTS",
    "PRODUCTION_MARKERS",
    "SettingsFileError",
    "SettingsSource",
    "build_policy",
    "evaluate",
    "policy_from_env",
    "read_env",
    "read_toml",
]


def evaluate(
    source: SettingsSource, environ: Mapping[str, str] | None = None
) -> tuple[CORSPolicy | None, list[Problem]]:
    """The policy *source* gives (None when it has errors) and every problem, errors and
    warnings, without raising or warning: what ``corskit lint`` reports, and exactly what
    :func:`build_policy` would raise or attach."""
    problems = list(source.problems)
    env = os.environ if environ is None else environ
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CORSConfigWarning)
        try:
            settings = _apply_profile(
                source.values, source.profile, env, None, problems, source.prefix
            )
            policy = CORSPolicy(**settings)
        except CORSConfigError as exc:
            return None, [*problems, *exc.problems]
    if any(p.severity == "error" for p in problems):
        return None, problems
    return policy, [*policy.warnings, *problems]


def policy_from_env(
    prefix: str = "CORS_", environ: Mapping[str, str] | None = None, **overrides: Any
) -> CORSPolicy:
    """:meth:`CORSPolicy.from_env <corskit.CORSPolicy.from_env>`, as a function."""
    return CORSPolicy.from_env(prefix, environ, **overrides)


def build_policy(
    values: Mapping[str, Any],
    profile: str | None,
    environ: Mapping[str, str] | None = None,
    overrides: Mapping[str, Any] | None = None,
    problems: list[Problem] | None = None,
    *,
    prefix: str = "CORS_",
    stacklevel: int = 4,
) -> CORSPolicy:
    """:func:`corskit.environment.build` with :class:`~corskit.CORSPolicy`."""
    return build(
        values, profile, environ, overrides, problems,
        prefix=prefix, stacklevel=stacklevel, factory=CORSPolicy,
    )  # fmt: skip


# -- pydantic-settings ------------------------------------------------------------------------

_settings_class: Any = None


def _make_settings_class() -> Any:
    try:
        from typing import Annotated

        from pydantic import field_validator
        from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ImportError(
            "corskit.settings.CORSSettings needs pydantic-settings: pip install pydantic-settings"
        ) from exc

    ListField = Annotated[list[str], NoDecode]

    class CORSSettings(BaseSettings):
        """CORS settings read by pydantic-settings (``CORS_*`` variables, ``.env`` files),
        with the same parsing and profiles as :meth:`CORSPolicy.from_env`.
        ``.policy()`` builds the validated :class:`~corskit.CORSPolicy`."""

        model_config = SettingsConfigDict(env_prefix="CORS_", extra="ignore")

        allow_origins: ListField = []
        allow_methods: ListField | None = None
        allow_headers: ListField = []
        allow_credentials: bool = False
        allow_origin_regex: str | None = None
        allow_private_network: bool = False
        expose_headers: ListField = []
        max_age: int | None = 600
        preflight_status: int = 204
        dangerously_allow_null_origin: bool = False
        dangerously_tolerate_insecure_origins: bool = False
        dangerously_tolerate_public_suffix_wildcards: bool = False
        profile: str | None = None
        dev_ports: Annotated[list[int], NoDecode] = []

        @field_validator(
            "allow_origins", "allow_methods", "allow_headers", "expose_headers", mode="before"
        )
        @classmethod
        def _split(cls, value: Any) -> Any:
            return parse_list(value) if isinstance(value, str) else value

        @field_validator("dev_ports", mode="before")
        @classmethod
        def _ports(cls, value: Any) -> Any:
            return [_port(x) for x in parse_list(value)] if isinstance(value, str) else value

        def policy(self, environ: Mapping[str, str] | None = None, **overrides: Any) -> CORSPolicy:
            """The validated policy (profile applied; *overrides* win)."""
            data = self.model_dump()
            values = {k: v for k, v in data.items() if k in _ENV_SETTINGS or k == "dev_ports"}
            fields_set = self.model_fields_set
            for name in ("allow_methods", "allow_headers", "max_age"):
                if name not in fields_set:  # let the profile (or the policy) pick the default
                    values.pop(name, None)
            if values.get("allow_methods") is None:
                values.pop("allow_methods", None)
            profile = (data.get("profile") or "").strip().lower() or None
            return build_policy(values, profile, environ, overrides)

    return CORSSettings


def __getattr__(name: str) -> Any:
    """``CORSSettings`` is built on first access, so pydantic stays an optional import."""
    global _settings_class
    if name == "CORSSettings":
        if _settings_class is None:
            _settings_class = _make_settings_class()
        return _settings_class
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
