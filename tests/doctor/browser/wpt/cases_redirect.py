"""The cross-origin cases of the web-platform-tests' fetch/api/redirect/ directory, as data."""

from __future__ import annotations

from tests.doctor.browser.wpt.model import Case, Numbered, Origins, enc

D = "fetch/api/redirect/"
DATA_URL = "data:text/plain;base64,cmVzcG9uc2UncyBib2R5"


def redirect_origin(o: Origins) -> list[Case]:
    n = Numbered("r-origin", D + "redirect-origin.any.js", o.a)
    legs = (
        ("same origin to other host", o.a, o.ra + "/fetch/inspect?cors&headers=origin"),
        ("other host to itself", o.ra, o.ra + "/fetch/inspect?cors&headers=origin"),
        ("other host to the page's origin", o.ra, o.a + "/fetch/inspect?headers=origin&cors"),
    )
    for code in (301, 302, 303, 307, 308):
        for method in ("GET", "POST"):
            for label, start, end in legs:
                url = f"{start}/fetch/redirect?token={{T}}&max_age=0&redirect_status={code}&location={enc(end)}"
                n.add(
                    f"{method} {code} {label}", url, method=method, readable=("x-request-origin",)
                )
    return n.cases


def redirect_mode(o: Origins) -> list[Case]:
    n = Numbered("r-mode", D + "redirect-mode.any.js", o.a)
    location = enc("top?h=Access-Control-Allow-Origin:*")
    for code in (301, 302, 303, 307, 308):
        n.add(
            f"other host, {code} to a relative URL",
            f"{o.ra}/fetch/redirect?redirect_status={code}&location={location}",
        )
    return n.cases


def redirect_to_data(o: Origins) -> list[Case]:
    n = Numbered("r-data", D + "redirect-to-dataurl.any.js", o.a)
    for label, start in (("same origin", o.a), ("other host", o.ra)):
        n.add(
            f"{label} redirects to a data: URL",
            f"{start}/fetch/redirect?cors&location={enc(DATA_URL)}",
            wpt="blocked",
        )
    return n.cases


def back_to_origin(o: Origins) -> list[Case]:
    n = Numbered("r-back", D + "redirect-back-to-original-origin.any.js", o.a)
    target = enc(o.a + "/fetch/top?h=Access-Control-Allow-Origin:*")
    n.add(
        "other host 303 back to the page's origin",
        f"{o.ra}/fetch/redirect?redirect_status=303&location={target}",
    )
    return n.cases


BUILDERS = (redirect_origin, redirect_mode, redirect_to_data, back_to_origin)
