"""Every case of the suite, and the tests of the same WPT files that it does not run.

The cases were written from the web-platform-tests at commit
:data:`~tests.doctor.browser.wpt.model.WPT_COMMIT` (directories cors/, fetch/api/cors/ and the
cross-origin tests of fetch/api/redirect/): the requests, the handlers' answers and the
expected results carry over; the code and the wording are this project's own.
"""

from __future__ import annotations

from tests.doctor.browser.wpt import cases_cors, cases_fetch, cases_redirect
from tests.doctor.browser.wpt.model import Case, Origins, Skipped

#: Placeholder origins: the case ids and their number do not depend on the ports.
PLACEHOLDER = Origins(
    a="http://127.0.0.1:1",
    b="http://127.0.0.1:2",
    ra="http://localhost:1",
    rb="http://localhost:2",
    sa="https://127.0.0.1:3",
    sra="https://localhost:3",
)


def all_cases(origins: Origins = PLACEHOLDER) -> list[Case]:
    """Every case, in a stable order, for the server's *origins*."""
    builders = (*cases_fetch.BUILDERS, *cases_cors.BUILDERS, *cases_redirect.BUILDERS)
    cases = [case for build in builders for case in build(origins)]
    ids = [case.id for case in cases]
    if len(set(ids)) != len(ids):
        raise AssertionError("duplicate case ids")
    return cases


NO_CORS = "mode no-cors or same-origin, or redirect manual/error: the doctor models mode cors with redirect follow"
SEVERAL = "needs state across several fetches (cookies set by one and sent by the next, the preflight cache)"
REFERRER = (
    "checks the Referer header under a referrer policy, which the CORS verdict does not depend on"
)
WORKERS = "runs in a worker, a data: URL iframe, an unload handler or with keepalive"
NOT_FETCH = (
    "checks XMLHttpRequest's own API (state errors, upload events, a sync flag), not a CORS verdict"
)
OTHER = "another feature (conditional requests and caching, client hints, image tainting, cache partitioning)"
SAME_ORIGIN = "same-origin only: no CORS check takes place"

SKIPPED: tuple[Skipped, ...] = (
    Skipped("fetch/api/cors/cors-basic.any.js", 5, NO_CORS),
    Skipped("fetch/api/cors/cors-preflight-referrer.any.js", 12, REFERRER),
    Skipped("fetch/api/cors/cors-preflight-cache.any.js", 1, SEVERAL),
    Skipped("fetch/api/cors/cors-cookies.any.js", 6, SEVERAL),
    Skipped("fetch/api/cors/cors-cookies-redirect.any.js", 4, SEVERAL),
    Skipped("fetch/api/cors/cors-keepalive.any.js", 20, WORKERS),
    Skipped("fetch/api/cors/data-url-*.html", 9, WORKERS),
    Skipped("cors/credentials-flag.htm", 3, SEVERAL),
    Skipped("cors/credentials-flag.htm", 1, NOT_FETCH),
    Skipped("cors/request-headers.htm", 2, NOT_FETCH),
    Skipped("cors/late-upload-events.htm", 2, NOT_FETCH),
    Skipped("cors/preflight-cache.htm", 6, SEVERAL),
    Skipped("cors/304.htm", 4, OTHER),
    Skipped("cors/script-304.html", 2, OTHER),
    Skipped("cors/client-hint-request-headers.htm", 8, OTHER),
    Skipped("cors/client-hint-request-headers-2.tentative.htm", 1, OTHER),
    Skipped("cors/simple-requests-ch.tentative.htm", 1, OTHER),
    Skipped("cors/image-tainting-in-cross-origin-iframe.sub.html", 1, OTHER),
    Skipped("cors/preflight-cache-partitioning.sub.window.js", 1, OTHER),
    Skipped("fetch/api/redirect/redirect-origin.any.js", 10, SAME_ORIGIN),
    Skipped("fetch/api/redirect/redirect-mode.any.js", 30, SAME_ORIGIN),
    Skipped("fetch/api/redirect/redirect-mode.any.js", 26, NO_CORS),
    Skipped("fetch/api/redirect/redirect-to-dataurl.any.js", 3, NO_CORS),
    Skipped("fetch/api/redirect/redirect-back-to-original-origin.any.js", 1, NO_CORS),
    Skipped("fetch/api/redirect/redirect-referrer.any.js", 16, REFERRER),
    Skipped("fetch/api/redirect/redirect-referrer-override.any.js", 64, REFERRER),
)

#: The files of fetch/api/redirect/ whose tests are all same-origin (not counted above).
SAME_ORIGIN_FILES = (
    "redirect-count.any.js",
    "redirect-empty-location.any.js",
    "redirect-keepalive.any.js",
    "redirect-keepalive.https.any.js",
    "redirect-location-escape.tentative.any.js",
    "redirect-location.any.js",
    "redirect-method.any.js",
    "redirect-schemes.any.js",
    "redirect-upload.h2.any.js",
)
