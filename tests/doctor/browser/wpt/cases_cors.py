"""Cases from the web-platform-tests' cors/ directory, as data.

Those tests use ``XMLHttpRequest``; the suite sends the same request with ``fetch()`` in mode
``cors`` (credentials ``same-origin``, or ``include`` for ``withCredentials``), which the CORS
protocol treats alike (https://fetch.spec.whatwg.org/#http-cors-protocol). The page is
``http://127.0.0.1:A``; the tests' other host (``www1.``) is ``localhost:A`` and the third
one (``www2.``) ``localhost:B``.
"""

from __future__ import annotations

from urllib.parse import quote

from tests.doctor.browser.wpt.model import LENIENT, Case, Numbered, Origins, allowed, enc

D = "cors/"


def _lenient(value: str) -> str | None:
    """The doctor's reader refuses these bytes in a header value."""
    return LENIENT if any(c in value for c in "\0\x0b\x0c") else None


def basic(o: Origins) -> list[Case]:
    n = Numbered("c-basic", D + "basic.htm", o.a)
    for label, base in (
        ("same origin", o.a),
        ("other host", o.ra),
        ("other port", o.b),
        ("other host and port", o.rb),
        ("https, other host", o.sra),
        ("https, same host", o.sa),
    ):
        url = f"{base}/cors/makeheader?get_value=hest_er_best"
        n.add(f"{label}, no ACAO", url + "&origin=none", wpt=allowed(base == o.a))
        n.add(f"{label}, ACAO echoes Origin", url)
    return n.cases


def _origin_values(o: Origins) -> tuple[list[str], list[str]]:
    page, host = o.a, o.a.split("//", 1)[1]
    bare = host.split(".", 1)[1]  # the host without its first label, as the test computes it
    passing = ["*", " *  ", "\t*", page, " " + page, " " + page + "   \t ", "\t" + page]
    failing = [o.ra, "//" + host, "://" + host, "ftp://" + host, "http:://" + host, "http:/" + host]
    failing += ["http:" + host, host, page + "?", page + "/", page + " /", page + "#", page + "%23"]
    failing += [page + ":80", page + ", *", page + "\0", page.upper(), "HTTP://" + host, "-", "**"]
    failing += [",*", "*,", "\0*", "\x0b*", "\x0c*", "*\0", "*\x0b", "*\x0c", "'*'", '"*"', "* *"]
    failing += ["* null", "*http://*", "*" + page, "* " + page, "*, " + page, "\0" + page]
    failing += [
        "null " + page,
        "http://example.net",
        "null",
        "null *",
        "",
        page + "/cors/origin.htm",
    ]
    failing += [page + "/cors/", o.ra + "/cors/", bare, "." + bare, "*." + bare, "http://" + bare]
    failing += ["http://." + bare, "http://*." + bare]
    return passing, failing


def origin(o: Origins) -> list[Case]:
    n = Numbered("c-origin", D + "origin.htm", o.a)
    passing, failing = _origin_values(o)
    for ok, values in ((True, passing), (False, failing)):
        for value in values:
            url = f"{o.ra}/cors/makeheader?origin={enc(value)}"
            n.add(f"ACAO {value!r}", url, wpt=allowed(ok), doctor_xfail=_lenient(value))
    pairs = (("", "*"), ("*", ""), ("*", "*"), ("", o.a), ("*", o.a), (o.a, o.a))
    for first, second in pairs:
        url = f"{o.ra}/cors/makeheader?origin={enc(first)}&origin2={enc(second)}"
        n.add(f"two ACAO lines {first!r} and {second!r}", url, wpt="blocked")
    return n.cases


def remote_origin(o: Origins) -> list[Case]:
    """The same checks from a page on the other host fetching the first one."""
    n = Numbered("c-remote", D + "remote-origin.htm", o.ra)
    page, host, top = o.ra, o.ra.split("//", 1)[1], o.a
    passing = ["*", " *  ", "\t*", page, " " + page, " " + page + "   \t ", "\t" + page]
    failing = [top, "//" + host, "://" + host, "ftp://" + host, "http:://" + host, "http:/" + host]
    failing += ["http:" + host, host, page + "?", page + "/", page + " /", page + "#", page + "%23"]
    failing += [page + ":80", page + ", *", page + "\0", page.upper(), "HTTP://" + host]
    failing += ["http://" + host.upper(), "-", "**", "\0*", "*\0", "'*'", '"*"', "* *", "*http://*"]
    failing += ["*" + page, "* " + page, "*, " + page, "\0" + page, "null " + page]
    failing += ["http://example.net", "null", "", top + "/cors/remote-origin.htm", top + "/cors/"]
    failing += [page + "/cors/"]
    for ok, values in ((True, passing), (False, failing)):
        for value in values:
            url = f"{o.a}/cors/makeheader?origin={enc(value)}"
            n.add(f"ACAO {value!r}", url, wpt=allowed(ok), doctor_xfail=_lenient(value))
    return n.cases


def credentials_flag(o: Origins) -> list[Case]:
    n = Numbered("c-creds", D + "credentials-flag.htm", o.a)
    for value in (
        "TRUE",
        "True",
        '"true"',
        "'true'",
        "false",
        "1",
        "0",
        ",true",
        "true,",
        "true\x0b",
        "true\x0c",
    ):
        url = f"{o.ra}/cors/makeheader?credentials={quote(value, safe=',')}"
        n.add(
            f"ACAC {value!r}",
            url,
            credentials="include",
            wpt="blocked",
            doctor_xfail=_lenient(value),
        )
    return n.cases


def request_headers(o: Origins) -> list[Case]:
    n = Numbered("c-reqheaders", D + "request-headers.htm", o.a)
    url = o.ra + "/cors/makeheader?headers="
    n.add("x-print allowed", url + "x-print", headers=(("x-print", "unicorn"),))
    safe = (
        ("content-type", "text/plain"),
        ("accept", "test"),
        ("accept-language", "nn"),
        ("content-language", "nn"),
    )
    n.add(
        "x-print allowed, safelisted ones not listed",
        url + "x-print,",
        headers=(("x-print", "unicorn"), *safe),
    )
    two = (("x-print", "unicorn"), ("y-print", "unicorn"))
    n.add("y-print not allowed", url + "x-print", headers=two, wpt="blocked")
    two = (("x-print", "unicorn"), ("y-print", "narwhal"))
    n.add("ACAH with empty items and other case", url + ",y-lol,x-PriNT,%20,,,Y-PRINT", headers=two)
    return n.cases


RESPONSE_HEADER_CHECKS = (
    ("X-Custom-Header-Comma",),
    ("X-Second-Expose",),
    (" x-custom-header",),
    ("x-custom-header-bytes",),
    ("Date",),
    ("Cache-Control",),
    ("Content-Language",),
    ("Expires",),
    ("Last-Modified",),
    ("Pragma",),
    ("Content-Length",),
    ("Content-Type",),
    ("Server",),
    ("X-Powered-By",),
    ("x-custom-header", "x-custom-header-empty", "set-cookie", "set-cookie2", "x-nonexposed"),
    ("x-custom-header", "x-nonexposed"),
    ("x-custom-header", "x-nonexposed"),
)


def response_headers(o: Origins) -> list[Case]:
    n = Numbered("c-respheaders", D + "response-headers.htm", o.a)
    for names in RESPONSE_HEADER_CHECKS:
        n.add(
            "readable: " + ", ".join(n.strip() for n in names),
            o.ra + "/cors/asis",
            readable=tuple(x.strip() for x in names),
        )
    return n.cases


SIMPLE_HEADER_SETS: tuple[tuple[tuple[str, str], ...], ...] = (
    (("Accept", "test"),),
    (("accept-language", "test"),),
    (("CONTENT-language", "test"),),
    (("Content-Type", "application/x-www-form-urlencoded"),),
    (("content-type", "multipart/form-data"),),
    (("content-type", "text/plain"),),
    (
        ("accept", "test"),
        ("accept-language", "test"),
        ("content-language", "test"),
        ("content-type", "text/plain; parameter=whatever"),
    ),
)


def simple_requests(o: Origins) -> list[Case]:
    n = Numbered("c-simple", D + "simple-requests.htm", o.a)
    url = o.ra + "/cors/preflight?token={T}"

    def add(method: str, headers: tuple[tuple[str, str], ...]) -> None:
        body = None if method.upper() in ("GET", "HEAD") else "data"
        names = ", ".join(h for h, _ in headers)
        n.add(f"{method} with {names}", url, method=method, headers=headers, body=body)

    for headers in SIMPLE_HEADER_SETS:
        for method in ("GET", "HEAD", "POST"):
            add(method, headers)
    add("Get", (("content-type", "text/plain; parameter=extra_bonus"),))
    add("post", (("content-type", "text/plain"),))
    four = (
        ("Accept", "jewelry"),
        ("accept-language", "nn-NO,nn,en"),
        ("content-type", "text/plain; parameter=extra"),
        ("content-Language", "nn-NO"),
    )
    n.add("POST with four safelisted headers", url, method="POST", headers=four)
    return n.cases


def status(o: Origins) -> list[Case]:
    n = Numbered("c-status", D + "status.htm", o.a)
    rows = (
        (False, None, 400, 0),
        (False, 200, None, 0),
        (True, None, 400, 400),
        (True, 200, 400, 400),
        (True, 400, None, 0),
    )
    for i, (allow, pre, resp, expect) in enumerate(rows, 1):
        url = f"{o.ra}/cors/makeheader?{i}" + ("&headers=x-custom" if allow else "&origin=none")
        url += f"&code={resp}" if resp else ""
        url += f"&preflight={pre}" if pre else ""
        headers = (("X-Custom", "preflight"),) if pre else ()
        n.add(
            f"allowed={allow}, preflight {pre}, response {resp}",
            url,
            headers=headers,
            wpt=allowed(bool(expect)),
        )
    return n.cases


def status_preflight(o: Origins) -> list[Case]:
    n = Numbered("c-statuspre", D + "status-preflight.htm", o.a)
    rows = (
        ("GET", 200), ("GET", 204), ("GET", 400), ("GET", 401),
        ("HEAD", 200), ("HEAD", 204), ("HEAD", 400), ("HEAD", 401), ("HEAD", 501), ("HEAD", 699),
        ("POST", 204), ("POST", 400), ("POST", 401), ("POST", 404), ("PUT", 699), ("CHICKEN", 501),
    )  # fmt: skip
    for i, (method, code) in enumerate(rows, 1):
        url = f"{o.ra}/cors/status?{i}&code={code}&headers=x-nonsimple&preflight=200"
        n.add(
            f"{method} answered {code} after a preflight",
            url,
            method=method,
            headers=(("x-nonsimple", "true"),),
        )
    return n.cases


def status_async(o: Origins) -> list[Case]:
    n = Numbered("c-statusasync", D + "status-async.htm", o.a)
    rows = (
        ("GET", 200, "OK", "Not today.", ""),
        ("GET", 201, "OK/Created", "Not today 01.", ""),
        ("GET", 202, "OK/Accepted", "Not today 02.", ""),
        ("GET", 203, "OK/Non-Authoritative Information", "Not today 03.", ""),
        ("GET", 204, "OK/No Content", "", ""),
        ("GET", 205, "OK/Reset Content", "", ""),
        ("GET", 206, "OK/Partial Content", "Not today 06.", ""),
        ("GET", 209, "OK", "Not today 09.", ""),
        ("GET", 299, "OK", "Not today 99.", ""),
        ("POST", 200, "OK", "<x>402</x>", "text/xml"),
        ("HEAD", 200, "OK", "Nice!", "text/doesnotmatter"),
        ("PUT", 200, "OK", "400", "text/plain"),
        ("CHICKEN", 200, "OK", "bah", ""),
    )
    for method, code, text, content, kind in rows:
        query = f"code={code}&text={quote(text, safe='/')}&content={quote(content, safe='/!')}&type={quote(kind, safe='/')}"
        n.add(f"{method} answered {code}", f"{o.ra}/cors/status?{query}", method=method)
    fails = (
        ("GET", 400, 400, False), ("HEAD", 401, 401, False), ("POST", 404, 404, False),
        ("POST", 500, 500, False), ("PUT", 699, 0, False), ("CHICKEN", 501, 0, False),
        ("GET", 400, 0, True), ("HEAD", 401, 0, True), ("POST", 404, 0, True),
        ("PUT", 699, 0, True), ("CHICKEN", 501, 0, True),
    )  # fmt: skip
    for method, code, expect, nonsimple in fails:
        url = f"{o.ra}/cors/status?code={code}&headers=x-nonsimple&text=OHAI"
        headers = (("x-nonsimple", "true"),) if nonsimple else ()
        what = f"{method} answered {code}" + (" with a non-safelisted header" if nonsimple else "")
        n.add(what, url, method=method, headers=headers, wpt=allowed(bool(expect)))
    return n.cases


def _chain(urls: list[str], tag: int) -> str:
    """The first URL, redirecting (``location``) through the others to the last one."""
    tail = urls[-1] + f"&get_value=last&{tag}_{len(urls) - 1}"
    for i in range(len(urls) - 2, -1, -1):
        tail = urls[i] + "&location=" + enc(tail) + f"&{tag}_{i}"
    return tail


def redirect_origin(o: Origins) -> list[Case]:
    n = Numbered("c-redirorigin", D + "redirect-origin.htm", o.a)
    hosts = {"local": o.a, "remote": o.ra, "remote2": o.rb}
    page = o.a
    pairs = [("*", "*"), ("*", page), ("*", "null"), ("*", "none"), (page, "*"), (page, page)]
    pairs += [(page, "null"), (page, "none"), ("null", "*"), ("none", "*")]
    # which pairs of ACAO values (first hop, second hop) let the page read the response
    blocks = (
        ("local", "remote", "1100110011"),
        ("remote", "local", "1010101000"),
        ("remote", "remote", "1100110000"),
        ("remote", "remote2", "1010101000"),
    )
    rows = [
        (f, a, s, b, bit == "1")
        for f, s, bits in blocks
        for (a, b), bit in zip(pairs, bits, strict=True)
    ]
    rows += [("remote", "*", "remote", o.ra, False), ("remote", "*", "remote2", o.ra, False)]
    rows += [("remote", o.ra, "remote", "*", False)]
    for i, (first, a, second, b, ok) in enumerate(rows):
        urls = [
            f"{hosts[first]}/cors/makeheader?origin={a}",
            f"{hosts[second]}/cors/makeheader?origin={b}",
        ]
        n.add(f"{first} (ACAO {a}) to {second} (ACAO {b})", _chain(urls, i), wpt=allowed(ok))
    return n.cases


def redirect_preflight(o: Origins) -> list[Case]:
    n = Numbered("c-redirpre", D + "redirect-preflight.htm", o.a)
    for i, code in enumerate((301, 302, 303, 307, 308)):
        target = enc(f"{o.ra}/cors/makeheader?headers=x-test&{2 * i}")
        url = f"{o.ra}/cors/makeheader?preflight=200&headers=x-test&location={target}&code={code}&{2 * i + 1}"
        n.add(f"{code} after a preflight answered 200", url, headers=(("x-test", "test"),))
    return n.cases


def redirect_preflight_2(o: Origins) -> list[Case]:
    n = Numbered("c-redirpre2", D + "redirect-preflight-2.htm", o.a)
    header = (("custom-header", "admin"),)
    last = enc(f"{o.ra}/cors/makeheader?origin=*&ident={{T}}")
    n.add(
        "same origin to other host, header not allowed",
        f"{o.a}/cors/makeheader?origin=*&location={last}",
        headers=header,
        wpt="blocked",
    )
    last = enc(f"{o.ra}/cors/makeheader?headers=custom-header&origin=*&token={{T}}")
    n.add(
        "same origin to other host, header allowed",
        f"{o.a}/cors/makeheader?origin=*&location={last}",
        headers=header,
    )
    return n.cases


def redirect_userinfo(o: Origins) -> list[Case]:
    n = Numbered("c-userinfo", D + "redirect-userinfo.htm", o.a)
    rows = (
        ("test:test@", False),
        ("user:@", False),
        ("user:@", False),
        (":@", True),
        (":pass@", False),
        ("@", True),
    )
    for i, (userinfo, ok) in enumerate(rows):
        urls = [
            f"{o.ra}/cors/makeheader?",
            o.ra.replace("://", "://" + userinfo) + "/cors/makeheader?",
        ]
        n.add(f"redirect to a URL with {userinfo!r}", _chain(urls, i), wpt=allowed(ok))
    return n.cases


def preflight_failure(o: Origins) -> list[Case]:
    n = Numbered("c-prefail", D + "preflight-failure.htm", o.a)
    codes = (200, 299, *range(300, 309), *range(400, 418), *range(500, 506), 680, 790)
    for i, code in enumerate(codes):
        target = enc(f"{o.ra}/cors/makeheader?headers=x-test&{2 * i}")
        url = f"{o.ra}/cors/makeheader?headers=x-test&location={target}&code={code}&preflight={code}&{2 * i + 1}"
        n.add(
            f"preflight answered {code}",
            url,
            headers=(("x-test", "test"),),
            wpt=allowed(200 <= code <= 299),
        )
    return n.cases


CONTENT_TYPES = (
    ("text /plain", True), ("text\t/\tplain", True), ("text/plain;", False), ("text/plain;garbage", False),
    ("text/plain;garbage\u0001\u0002", True), ("text/plain,", True), (",text/plain", True),
    ("text/plain,text/plain", True), ("text/plain,x/x", True), ("text/plain\u000b", True),
    ("text/plain\u000c", True), ("application/www-form-urlencoded", True),
    ("application/x-www-form-urlencoded;\u007f", True), ("multipart/form-data", False),
    ('multipart/form-data;"', True),
)  # fmt: skip
RANGES = (
    ("100-200", True), ("MB=100-200", True), ("bytes=100-200", False), ("bytes =100-200", True),
    ("bytes\t=100-200", True), ("bytes=  100-200", True), ("bytes=\t\t100-200", True),
    ("bytes= \t100-200", True), ("bytes=100 -200", True), ("bytes=100\t-200", True),
    ("bytes=100- 200", True), ("bytes=100-\t200", True), ("bytes=100-200hello", True),
    ("bytes=abc-def", True), ("bytes=100-200,300-400", True), ("bytes=-200", True),
    ("bytes=200-", False), ("bytes=200-100", True), ("bytes=1" + "0" * 60 + "-2" + "0" * 60, True),
    ("bytes 100-200", True), ("bytes = 100-200", True), (",bytes=100-200", True),
    ("bytes=,100-200", True),
)  # fmt: skip


def safelisted_request_header(o: Origins) -> list[Case]:
    n = Numbered("c-safelist", D + "cors-safelisted-request-header.any.js", o.a)
    url = o.ra + "/cors/preflight?token={T}"
    for name, rows in (("content-type", CONTENT_TYPES), ("range", RANGES)):
        for value, preflight in rows:
            what = f"{name} {value[:30]!r} " + (
                "needs a preflight" if preflight else "is safelisted"
            )
            n.add(
                what,
                url,
                method="POST",
                headers=((name, value),),
                body="data",
                wpt=allowed(not preflight),
            )
    return n.cases


EXPOSE_INPUTS = (
    ("access-control-expose-headers: BB-8", True),
    ("Access-Control-Expose-Headers: bb-8,,@#$#%%&^&^*()()11!", False),
    ("Access-Control-Expose-Headers: bb-8, no no", False),
    ("Access-Control-Expose-Headers: @#$#%%&^&^*()()11!,bb-8", False),
    ("Access-Control-Expose-Headers: bb-8\r\nAccess-Control-Expose-Headers: no", True),
    ("Access-Control-Expose-Headers: bb-8\r\nAccess-Control-Expose-Headers: no no", False),
    ("Access-Control-Expose-Headers: no\r\nAccess-Control-Expose-Headers: bb-8", True),
    ("Access-Control-Expose-Headers:\r\nAccess-Control-Expose-Headers: bb-8", True),
    ("Access-Control-Expose-Headers: ,bb-8", True),
    ("Access-Control-Expose-Headers: bb-8\u000c", False),
    ("Access-Control-Expose-Headers: bb-8\u000b", False),
    ("Access-Control-Expose-Headers: bb-8\u000b,bb-8", False),
    ("Access-Control-Expose-Headers: 'bb-8'", False),
    ("Access-Control-Expose-Headers: 'bb-8',bb-8", True),
    ('Access-Control-Expose-Headers: "bb-8",bb-8', False),
)


def expose_parsing(o: Origins) -> list[Case]:
    n = Numbered("c-exposeparse", D + "access-control-expose-headers-parsing.window.js", o.a)
    for line, exposed in EXPOSE_INPUTS:
        what = f"{line[30:]!r} {'exposes' if exposed else 'does not expose'} bb-8"
        url = f"{o.ra}/cors/expose?expose={enc(line)}"
        n.add(what, url, readable=("bb-8", "content-language"), doctor_xfail=_lenient(line))
    return n.cases


BUILDERS = (
    basic,
    origin,
    remote_origin,
    credentials_flag,
    request_headers,
    response_headers,
    simple_requests,
    status,
    status_preflight,
    status_async,
    redirect_origin,
    redirect_preflight,
    redirect_preflight_2,
    redirect_userinfo,
    preflight_failure,
    safelisted_request_header,
    expose_parsing,
)
