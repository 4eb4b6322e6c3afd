"""Will the browser keep this cookie and send it back on the cross-origin request?

CORS decides whether JavaScript may *read* a response; whether a cookie travels with the
request is decided separately by the credentials mode and the cookie's own attributes.  The
doctor sees ``Set-Cookie`` on the responses it receives and explains, per cookie, why Chromium
would not store or not send it (a "cookie that will not be sent"; RFC 6265bis, SameSite:
https://httpwg.org/http-extensions/draft-ietf-httpbis-rfc6265bis.html#name-samesite-cookies).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from .netspace import address_space, same_site
from .spec import Origin, origin_of_url

__all__ = ["CookieIssue", "SetCookie", "analyse_set_cookie", "parse_set_cookie"]


@dataclass(frozen=True)
class SetCookie:
    """A parsed ``Set-Cookie`` value (RFC 6265bis, attribute names lower-cased)."""

    name: str
    value: str
    attributes: dict[str, str] = field(default_factory=dict)

    @property
    def samesite(self) -> str | None:
        """``strict`` / ``lax`` / ``none``, or None when absent or unrecognised."""
        v = self.attributes.get("samesite")
        if v is None:
            return None
        v = v.strip().lower()
        return v if v in ("strict", "lax", "none") else None

    @property
    def secure(self) -> bool:
        """The ``Secure`` attribute is present."""
        return "secure" in self.attributes


@dataclass(frozen=True)
class CookieIssue:
    """One reason a cookie will not be stored or sent (or a portability warning)."""

    cookie: str
    code: str
    severity: Literal["error", "warning"]
    text: str
    fix: str


def parse_set_cookie(value: str) -> SetCookie | None:
    """Parse one ``Set-Cookie`` header value; None when it has no ``=`` in the name/value pair."""
    pair, *attrs = value.split(";")
    if "=" not in pair:
        return None
    name, _, val = pair.partition("=")
    attributes: dict[str, str] = {}
    for attr in attrs:
        key, _, aval = attr.partition("=")
        key = key.strip().lower()
        if key:
            attributes[key] = aval.strip()
    return SetCookie(name.strip(), val.strip(), attributes)


def analyse_set_cookie(
    value: str,
    *,
    response_url: str,
    page: Origin,
    credentials: str,
) -> list[CookieIssue]:
    """Explain what Chromium does with ``Set-Cookie: value`` received from *response_url* by a
    ``fetch()`` from a page at *page* with the given credentials mode."""
    cookie = parse_set_cookie(value)
    if cookie is None:
        return []
    issues: list[CookieIssue] = []
    name = cookie.name
    try:
        target = origin_of_url(response_url)
    except ValueError:
        return []
    cross_origin = not page.same_origin(target)
    cross_site = not same_site(page, target)
    insecure_url = target.scheme == "http" and address_space(target.host) != "loopback"

    if cross_origin and credentials != "include":
        issues.append(
            CookieIssue(
                name,
                "cookie-credentials-mode",
                "error",
                f"the request's credentials mode is '{credentials}', so on this cross-origin"
                f" request the browser ignores Set-Cookie for '{name}' and sends no cookies",
                "call fetch() with credentials: 'include' (and allow credentials on the server)",
            )
        )
    if cookie.secure and insecure_url:
        issues.append(
            CookieIssue(
                name,
                "cookie-secure-over-http",
                "error",
                f"cookie '{name}' has the Secure attribute but was set over plain http://"
                f" ({target.host}); browsers reject it",
                "serve the API over https (or drop Secure only for local development on localhost)",
            )
        )
    samesite = cookie.samesite
    if samesite == "none" and not cookie.secure:
        issues.append(
            CookieIssue(
                name,
                "cookie-samesite-none-without-secure",
                "error",
                f"cookie '{name}' has SameSite=None without Secure; Chromium rejects it",
                "add the Secure attribute (SameSite=None; Secure), which needs https",
            )
        )
    if cross_site:
        if samesite in (None, "lax", "strict"):
            shown = (
                "absent (Chromium treats it as Lax)" if samesite is None else samesite.capitalize()
            )
            issues.append(
                CookieIssue(
                    name,
                    "cookie-samesite",
                    "error",
                    f"cookie '{name}' has SameSite {shown}; the page {page.serialize()} and"
                    f" {target.serialize()} are different sites, so the browser does not send"
                    " it on this fetch",
                    "set SameSite=None; Secure on the cookie (https only), or serve the page and"
                    " the API from the same site (e.g. app.example.com and api.example.com)",
                )
            )
        elif samesite == "none" and cookie.secure:
            issues.append(
                CookieIssue(
                    name,
                    "cookie-third-party",
                    "warning",
                    f"cookie '{name}' is a third-party cookie for {page.serialize()}: Chromium"
                    " sends it unless the user blocks third-party cookies (Incognito does);"
                    " Safari blocks it and Firefox partitions it",
                    "serve the page and the API from the same site, or use a token in the"
                    " Authorization header instead of a cookie",
                )
            )
    return issues
