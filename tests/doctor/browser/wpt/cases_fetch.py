"""Cases from the web-platform-tests' fetch/api/cors/ directory, as data."""

from __future__ import annotations

from tests.doctor.browser.wpt.model import Case, Numbered, Origins, allowed, enc

D = "fetch/api/cors/"


def basic(o: Origins) -> list[Case]:
    n = Numbered("f-basic", D + "cors-basic.any.js", o.a)
    for label, base in (
        ("same host, other port", o.b),
        ("other host", o.ra),
        ("other host and port", o.rb),
        ("https, other host", o.sra),
        ("https, same host", o.sa),
    ):
        n.add(f"{label}: no ACAO", f"{base}/fetch/top", wpt="blocked")
        n.add(f"{label}: ACAO *", f"{base}/fetch/top?h=Access-Control-Allow-Origin:*")
    return n.cases


def no_preflight(o: Origins) -> list[Case]:
    n = Numbered("f-nopre", D + "cors-no-preflight.any.js", o.a)
    url = "/fetch/preflight?token={T}&max_age=0"
    for label, base in (
        ("other host", o.ra),
        ("same host, other port", o.b),
        ("other host and port", o.rb),
        ("https, other host", o.sra),
        ("https, same host", o.sa),
    ):
        n.add(f"GET to {label}", base + url)
    n.add("POST without body", o.ra + url, method="POST")
    n.add("HEAD", o.ra + url, method="HEAD")
    for name, value in (
        ("Accept", "*/*"),
        ("Accept-Language", "fr"),
        ("Content-Language", "fr"),
        ("Content-Type", "application/x-www-form-urlencoded"),
        ("Content-Type", "multipart/form-data"),
        ("Content-Type", "text/plain"),
        ("Content-Type", "text/plain;charset=utf-8"),
        ("Content-Type", "Text/Plain;charset=utf-8"),
    ):
        n.add(f"GET with safelisted {name}: {value}", o.ra + url, headers=((name, value),))
    return n.cases


def origin(o: Origins) -> list[Case]:
    n = Numbered("f-origin", D + "cors-origin.any.js", o.a)
    targets = (
        ("other host", o.ra, "GET"),
        ("same host, other port", o.b, "GET"),
        ("other host and port", o.rb, "GET"),
        ("other host, POST", o.ra, "POST"),
        ("other host, HEAD", o.ra, "HEAD"),
        ("other host, PUT (preflight)", o.ra, "PUT"),
        ("https, other host", o.sra, "GET"),
        ("https, same host", o.sa, "GET"),
    )
    for label, base, method in targets:
        for ok, value in ((True, o.a), (False, base)):
            url = f"{base}/fetch/preflight?token={{T}}&max_age=0&origin={enc(value)}&allow_methods={method}"
            n.add(
                f"{label}: ACAO {'page origin' if ok else 'target origin'}",
                url,
                method=method,
                wpt=allowed(ok),
            )
    n.add(
        "ACAO empty",
        o.ra + "/fetch/preflight?token={T}&max_age=0&origin=&allow_methods=GET",
        wpt="blocked",
    )
    return n.cases


PREFLIGHT_HEADERS = (
    ("x-test-header1", "allowedOrRefused"),
    ("x-test-header2", "allowedOrRefused"),
    ("X-test-header3", "allowedOrRefused"),
    ("x-test-header-b", "allowedOrRefused"),
    ("x-test-header-D", "allowedOrRefused"),
    ("x-test-header-C", "allowedOrRefused"),
    ("x-test-header-a", "allowedOrRefused"),
    ("Content-Type", "allowedOrRefused"),
)
SAFE_HEADERS = (("Accept", "*"), ("Accept-Language", "bzh"), ("Content-Language", "eu"))


def _preflighted(
    n: Numbered,
    what: str,
    url: str,
    method: str,
    ok: bool,
    headers: tuple[tuple[str, str], ...] = (),
    safe: tuple[tuple[str, str], ...] = (),
) -> None:
    """A request whose preflight the server allows (method and the non-safe headers) or not."""
    url += ("&" if "?" in url else "?") + "token={T}&max_age=0"
    if ok:
        url += f"&allow_methods={method}&control_request_headers"
        if headers:
            url += "&allow_headers=" + "%20%2C".join(name.lower() for name, _ in headers)
    n.add(what, url, method=method, headers=headers + safe, wpt=allowed(ok))


def preflight(o: Origins) -> list[Case]:
    n = Numbered("f-pre", D + "cors-preflight.any.js", o.a)
    url = o.ra + "/fetch/preflight"
    for method in ("DELETE", "PUT", "PATCH", "NEW"):
        _preflighted(n, f"{method}, allowed", url, method, True)
        if method == "PUT":
            _preflighted(
                n,
                "PUT, allowed, same User-Agent",
                url + "?checkUserAgentHeaderInPreflight",
                method,
                True,
            )
        _preflighted(n, f"{method}, refused", url, method, False)
    _preflighted(
        n, "GET with one header, allowed", url, "GET", True, (("x-test-header1", "allowed"),)
    )
    _preflighted(
        n, "GET with one header, refused", url, "GET", False, (("x-test-header1", "refused"),)
    )
    for method in ("GET", "PUT"):
        for ok in (True, False):
            word = "allowed" if ok else "refused"
            _preflighted(
                n,
                f"{method} with eight headers, {word}",
                url,
                method,
                ok,
                PREFLIGHT_HEADERS,
                SAFE_HEADERS,
            )
    _preflighted(n, "PUT with safelisted headers only", url, "PUT", True, (), SAFE_HEADERS)
    return n.cases


NOT_SAFELISTED = (
    ("accept", '"'),
    ("accept", "0123456789" * 12 + "012345678"),
    ("accept-language", "\u0001"),
    ("accept-language", "@"),
    ("authorization", "basics"),
    ("content-language", "\u0001"),
    ("content-language", "@"),
    ("content-type", "text/html"),
    ("content-type", "text/plain; long=" + "0123456789" * 11 + "01"),
    ("range", "bytes 0-"),
    ("test", "hi"),
)


def not_safelisted(o: Origins) -> list[Case]:
    n = Numbered("f-notsafe", D + "cors-preflight-not-cors-safelisted.any.js", o.a)
    for name, value in NOT_SAFELISTED:
        _preflighted(
            n,
            f"{name} {value[:20]!r} needs a preflight",
            o.ra + "/fetch/preflight",
            "GET",
            True,
            ((name, value),),
        )
    return n.cases


def preflight_status(o: Origins) -> list[Case]:
    n = Numbered("f-prestatus", D + "cors-preflight-status.any.js", o.a)
    statuses = (200, 201, 202, 203, 204, 205, 206, 300, 301, 302, 303, 304, 305, 306, 307, 308)
    for status in (*statuses, 400, 401, 402, 403, 404, 405, 501, 502, 503, 504, 505):
        url = f"{o.ra}/fetch/preflight?token={{T}}&max_age=0&allow_headers=x-force-preflight&preflight_status={status}"
        n.add(
            f"preflight answered {status}",
            url,
            headers=(("x-force-preflight", ""),),
            wpt=allowed(200 <= status < 300),
        )
    return n.cases


def response_validation(o: Origins) -> list[Case]:
    n = Numbered("f-validation", D + "cors-preflight-response-validation.any.js", o.a)
    base = f"{o.ra}/fetch/preflight?token={{T}}&max_age=0&allow_headers=x-force-preflight"
    force = (("x-force-preflight", ""),)
    n.add("ACAH with a space in a name", base + ",Bad%20value", headers=force, wpt="blocked")
    n.add(
        "ACAM with a space in a method",
        base + "&allow_methods=Bad%20value",
        headers=force,
        wpt="blocked",
    )
    return n.cases


def _star(
    n: Numbered,
    o: Origins,
    ok: bool,
    creds: bool,
    allow_m: str,
    allow_h: str,
    method: str,
    header: tuple[str, str] | None,
) -> None:
    url = o.ra + "/fetch/preflight?"
    if creds:
        url += f"origin={o.a}&credentials&"
    url += f"allow_methods={enc(allow_m).replace('%2C', ',')}&allow_headers={enc(allow_h).replace('%2C', ',')}"
    what = f"{method} {header[0] if header else 'no header'} (allowed {allow_m} / {allow_h})" + (
        ", credentials" if creds else ""
    )
    n.add(
        what,
        url,
        method=method,
        headers=(header,) if header else (),
        credentials="include" if creds else "same-origin",
        wpt=allowed(ok),
    )


def preflight_star(o: Origins) -> list[Case]:
    n = Numbered("f-star", D + "cors-preflight-star.any.js", o.a)
    xt = ("X-Test", "1")
    rows: list[tuple[bool, bool, str, str, str, tuple[str, str] | None]] = [
        (True, False, "get", "x-test", "GET", xt),
        (True, False, "*", "x-test", "SUPER", xt),
        (True, False, "*", "*", "OK", xt),
        (False, True, "*", "*", "OK", xt),
        (False, True, "*", "", "PUT", None),
        (False, True, "get", "*", "GET", xt),
        (False, True, "*", "*", "GET", xt),
        (True, True, "*", "*", "*", ("*", "1")),
    ]
    for up in ("GET", "HEAD", "POST"):
        low = up.lower()
        rows += [
            (True, True, a, "*", m, None) for a, m in ((up, up), (up, low), (low, up), (low, low))
        ]
    for up in ("DELETE", "PUT"):
        low = up.lower()
        rows += [(True, True, up, "*", up, None), (True, True, up, "*", low, None)]
        rows += [(False, True, low, "*", up, None), (False, True, low, "*", low, None)]
    rows += [
        (True, True, "PATCH", "*", "PATCH", None),
        (False, True, "PATCH", "*", "patch", None),
        (False, True, "patch", "*", "PATCH", None),
        (True, True, "patch", "*", "patch", None),
        (False, False, "*", "*", "POST", ("Authorization", "123")),
        (True, False, "*", "*, Authorization", "POST", ("Authorization", "123")),
    ]
    for row in rows:
        _star(n, o, *row)
    return n.cases


def preflight_redirect(o: Origins) -> list[Case]:
    n = Numbered("f-preredir", D + "cors-preflight-redirect.any.js", o.a)
    target = enc(o.ra + "/fetch/preflight")
    for code in (301, 302, 303, 307, 308):
        for on_preflight in (True, False):
            url = f"{o.ra}/fetch/redirect?token={{T}}&max_age=0&redirect_status={code}&location={target}"
            url += (
                "&redirect_preflight" if on_preflight else ""
            ) + "&allow_headers=x-force-preflight"
            where = "the preflight" if on_preflight else "the request after its preflight"
            n.add(f"{code} on {where}", url, headers=(("x-force-preflight", ""),), wpt="blocked")
    return n.cases


def redirect(o: Origins) -> list[Case]:
    n = Numbered("f-redir", D + "cors-redirect.any.js", o.a)
    legs = (
        ("other host to itself", o.ra, o.ra),
        ("other host to another origin", o.ra, o.b),
        ("same origin to other host", o.a, o.ra),
        ("other host to the page's origin", o.ra, o.a),
    )
    for code in (301, 302, 303, 307, 308):
        for label, start, end in legs:
            url = f"{start}/fetch/redirect?token={{T}}&max_age=0&redirect_status={code}&location={enc(end + '/fetch/preflight')}"
            n.add(f"{code} {label}", url)
    return n.cases


def redirect_credentials(o: Origins) -> list[Case]:
    n = Numbered("f-redircred", D + "cors-redirect-credentials.any.js", o.a)
    legs = (
        ("same origin to other port", o.a, o.b, ("", "user:password", "user:", ":password")),
        ("other port to the page's origin", o.b, o.a, ("user:password", "user:", ":password")),
        ("other port to itself", o.b, o.b, ("user:password", "user:", ":password")),
        ("other port to other host", o.b, o.ra, ("user:password", "user:", ":password")),
    )
    for code in (301, 302, 303, 307, 308):
        for label, start, end, userinfos in legs:
            for userinfo in userinfos:
                location = (end + "/fetch/preflight").replace(
                    "://", f"://{userinfo}@" if userinfo else "://"
                )
                url = f"{start}/fetch/redirect?redirect_status={code}&location={location}"
                n.add(
                    f"{code} {label}, userinfo {userinfo or 'none'}", url, wpt=allowed(not userinfo)
                )
    return n.cases


def redirect_preflight(o: Origins) -> list[Case]:
    n = Numbered("f-redirpre", D + "cors-redirect-preflight.any.js", o.a)
    legs = (
        ("same origin to other host", o.a, o.ra),
        ("other host to the page's origin", o.ra, o.a),
        ("other host to other port", o.ra, o.b),
    )
    header = (("x-w3c", "test"),)
    for code in (301, 302, 303, 307, 308):
        for label, start, end in legs:
            base = f"{start}/fetch/redirect?token={{T}}&max_age=0&redirect_status={code}"
            good = enc(end + "/fetch/preflight?allow_headers=x-w3c")
            n.add(
                f"{code} {label}, x-w3c allowed",
                f"{base}&allow_headers=x-w3c&location={good}",
                headers=header,
            )
            bad = enc(end + "/fetch/preflight")
            n.add(
                f"{code} {label}, x-w3c not allowed",
                f"{base}&location={bad}",
                headers=header,
                wpt="blocked",
            )
    return n.cases


def filtering(o: Origins) -> list[Case]:
    n = Numbered("f-filter", D + "cors-filtering.sub.any.js", o.a)
    url = o.b + "/fetch/top?"
    plain = (
        ("Cache-Control", "no-cache"),
        ("Content-Language", "fr"),
        ("Content-Type", "text/html"),
        ("Expires", "04 May 1988 22:22:22 GMT"),
        ("Last-Modified", "04 May 1988 22:22:22 GMT"),
        ("Pragma", "no-cache"),
        ("Content-Length", "3"),
        ("Age", "27"),
        ("Server", "wptServe"),
        ("Warning", "Mind the gap"),
        ("Set-Cookie", "name=value"),
        ("Set-Cookie2", "name=value"),
    )
    for name, value in plain:
        n.add(
            f"{name} with ACAO *",
            url + f"h={name}:{enc(value)}&h=Access-Control-Allow-Origin:*",
            readable=(name,),
        )
    exposed = (
        ("Age", "27"),
        ("Server", "wptServe"),
        ("Warning", "Mind the gap"),
        ("Set-Cookie", "name=value"),
        ("Set-Cookie2", "name=value"),
    )
    for creds in (False, True):
        for name, value in exposed:
            if creds and not name.startswith("Set-Cookie"):
                continue
            query = f"h={name}:{enc(value)}&h=Access-Control-Allow-Origin:{enc(' ' + o.a)}"
            query += (
                f"&h=Access-Control-Allow-Credentials:true&h=Access-Control-Expose-Headers:{name}"
            )
            credentials = "include" if creds else "omit"
            n.add(
                f"{name} exposed, credentials {credentials}",
                url + query,
                credentials=credentials,
                readable=(name,),
            )
    return n.cases


def expose_star(o: Origins) -> list[Case]:
    n = Numbered("f-exposestar", D + "cors-expose-star.sub.any.js", o.a)
    shared = o.b + "/fetch/top?h=Access-Control-Expose-Headers:*&h=Test:X&h=Set-Cookie:X&h=*:whoa"
    names = ("test", "set-cookie", "*", "content-type")
    n.add("ACEH * with ACAO *", shared + "&h=Access-Control-Allow-Origin:*", readable=names)
    creds = f"&h=Access-Control-Allow-Origin:{enc(o.a)}&h=Access-Control-Allow-Credentials:true"
    n.add("ACEH * with credentials", shared + creds, credentials="include", readable=names)
    n.add(
        "ACEH set-cookie,*",
        shared + "&h=Access-Control-Allow-Origin:*&h=Access-Control-Expose-Headers:set-cookie,*",
        readable=names,
    )
    return n.cases


def multiple_origins(o: Origins) -> list[Case]:
    n = Numbered("f-multi", D + "cors-multiple-origins.sub.any.js", o.a)
    lists = (
        ['""', "http://example.com", o.a],
        ['""', "http://example.com", "*"],
        ['""', o.a, o.a],
        ["*", "http://example.com", "*"],
        ["*", "http://example.com", o.a],
        ["", "http://example.com", "https://example2.com"],
    )
    for values in lists:
        n.add(
            f"{len(values)} ACAO lines",
            o.b + "/fetch/preflight?origin=" + enc(", ".join(values)),
            wpt="blocked",
        )
    return n.cases


def sandboxed(o: Origins) -> list[Case]:
    n = Numbered("f-sandbox", D + "sandboxed-iframe.html", "null")
    n.add("null page, no ACAO", o.a + "/fetch/top", wpt="blocked")
    n.add(
        "null page, ACAO null",
        o.a + "/fetch/top?h=access-control-allow-origin:null&h=cache-control:no-store",
    )
    return n.cases


BUILDERS = (
    basic,
    no_preflight,
    origin,
    preflight,
    not_safelisted,
    preflight_status,
    response_validation,
    preflight_star,
    preflight_redirect,
    redirect,
    redirect_credentials,
    redirect_preflight,
    filtering,
    expose_star,
    multiple_origins,
    sandboxed,
)
