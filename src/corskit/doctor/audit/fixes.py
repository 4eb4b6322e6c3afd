"""CORS settings found inside an in-process app, and fixes written in their own words."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Any

from ..fetch.netspace import registrable_domain
from ..layers import starlette
from .model import ORIGIN_CLASSES, CORSConfig, Exchange, host_of
from .probes import (
    split_origin,
)


def find_cors_configs(app: Any) -> list[CORSConfig]:
    """The corskit and Starlette CORS settings in *app*, outermost first, found the way the
    doctor finds them (:func:`corskit.doctor.appinfo.find_cors_settings`: a corskit
    ``CORSMiddleware``'s ``.policy``, Starlette/FastAPI ``user_middleware`` entries, built
    Starlette middleware, wrappers followed through ``.app``)."""
    from ..appinfo import find_cors_settings

    try:
        found = find_cors_settings(app, every_layer=False)
    except Exception:  # an exotic app object must not break the audit
        return []
    return [CORSConfig(s.kind, s.where, dict(s.settings)) for s in found]


def _suggest_regex(regex: str, origin: str | None) -> str:
    """A safer replacement for *regex*: a subdomain regex if it was a wildcard, else the
    escaped known-good origin."""
    if origin is None:
        return r"https://app\.example\.com"
    scheme, host, port = split_origin(origin)
    if any(t in regex for t in (".*", ".+", "[", "\\w")):
        domain = registrable_domain(host) or host
        return f"{scheme}://[a-z0-9-]+\\.{re.escape(domain)}" + (f":{port}" if port else "")
    return re.escape(origin)


def concrete_fixes(
    cls: str, ex: Exchange, configs: Sequence[CORSConfig], origin: str | None
) -> list[str]:
    """The keyword changes that fix *cls* in the CORS settings found in the app."""
    lines: list[str] = []
    probe = ex.probe.origin or ""
    keep = origin or "https://app.example.com"
    for cfg in configs:
        if cfg.kind == "starlette":
            lines += _starlette_fixes(cls, cfg.settings, probe, keep, origin)
        elif cfg.kind == "corskit":
            lines += _corskit_fixes(cls, cfg.settings, probe, keep)
    return list(dict.fromkeys(lines))


def _starlette_fixes(
    cls: str, s: dict[str, Any], probe: str, keep: str, origin: str | None
) -> list[str]:
    lines: list[str] = []
    ao = s.get("allow_origins", ())
    creds = bool(s.get("allow_credentials"))
    regex = s.get("allow_origin_regex")
    if cls in ORIGIN_CLASSES:
        if isinstance(ao, str) and probe and probe in ao:
            lines.append(
                f"Starlette: allow_origins={ao!r} is a string, so Starlette tests substrings "
                f"({probe!r} is inside it); pass a list: allow_origins=[{ao!r}]."
            )
        elif not isinstance(ao, str) and "*" in ao and creds:
            lines.append(
                "Starlette: allow_origins=['*'] with allow_credentials=True echoes every origin; "
                f"use allow_origins=[{keep!r}] (or allow_credentials=False for public data)."
            )
        elif not isinstance(ao, str) and probe in ao:
            rest = [o for o in ao if o != probe]
            lines.append(
                f"Starlette: remove {probe!r} from allow_origins (allow_origins={rest!r})."
            )
        elif starlette.regex_accepts(regex, probe):
            lines.append(
                f"Starlette: allow_origin_regex={_py(str(regex))} accepts {probe!r}; use "
                f"allow_origin_regex={_py(_suggest_regex(str(regex), origin))} or list exact origins in allow_origins."
            )
    elif cls == "wildcard-origin" and not isinstance(ao, str) and "*" in ao:
        lines.append(
            f"Starlette: allow_origins=['*'] suits public data only; for private data use allow_origins=[{keep!r}]."
        )
    elif cls == "preflight-reflection" and "*" in (s.get("allow_headers") or ()):
        lines.append(
            "Starlette: allow_headers=['*'] echoes every requested header, Authorization included; "
            "list the ones you use: allow_headers=['content-type', 'authorization']."
        )
    elif cls == "private-network" and s.get("allow_private_network"):
        lines.append(
            "Starlette: allow_private_network=True grants Private Network Access to every allowed origin; "
            "set allow_private_network=False, or pair it with an explicit allow_origins list."
        )
    return lines


def _corskit_fixes(cls: str, s: dict[str, Any], probe: str, keep: str) -> list[str]:
    lines: list[str] = []
    ao = tuple(s.get("allow_origins", ()))
    regex = s.get("allow_origin_regex")
    if cls in ORIGIN_CLASSES:
        if probe == "null" and s.get("dangerously_allow_null_origin"):
            lines.append(
                "corskit: drop dangerously_allow_null_origin=True and remove 'null' from allow_origins."
            )
        elif probe in ao:
            lines.append(f"corskit: remove {probe!r} from allow_origins.")
        elif starlette.regex_accepts(regex, probe):
            lines.append(
                f"corskit: allow_origin_regex={_py(str(regex))} accepts {probe!r}; replace it with patterns, "
                f"e.g. allow_origins=[{keep!r}] or ['https://*.{registrable_domain(host_of(keep)) or 'example.com'}']."
            )
        else:
            pattern = _matching_pattern(ao, probe)
            if pattern:
                extra = (
                    " (and drop dangerously_tolerate_public_suffix_wildcards=True)"
                    if s.get("dangerously_tolerate_public_suffix_wildcards")
                    else ""
                )
                lines.append(
                    f"corskit: the pattern {pattern!r} admits {probe!r}; list exact origins instead{extra}."
                )
    elif cls == "private-network" and s.get("allow_private_network"):
        lines.append(
            "corskit: allow_private_network=True grants Private Network Access to every allowed origin; "
            "keep it only with an explicit allow_origins list."
        )
    elif cls == "preflight-reflection" and "*" in tuple(s.get("allow_headers", ())):
        lines.append(
            "corskit: allow_headers=['*'] allows every request header; list the ones you use."
        )
    return lines


def _py(text: str) -> str:
    """*text* as a Python literal, raw when it has backslashes (regexes read better)."""
    if "\\" in text and "'" not in text and not text.endswith("\\"):
        return f"r'{text}'"
    return repr(text)


def _matching_pattern(patterns: Iterable[str], origin: str) -> str | None:
    try:
        scheme, host, port = split_origin(origin)
    except ValueError:
        return None
    for p in patterns:
        if "*." not in p:
            continue
        pscheme, _, rest = p.partition("://")
        phost, _, pport = rest[2:].partition(":")
        if (
            pscheme == scheme
            and host.endswith("." + phost)
            and (pport in ("*", "") if port is None else pport in ("*", port))
        ):
            return p
    return None
