"""The corpus: CORS breakages reconstructed from public reports, one row each.

Each :class:`Case` names the thread it was rebuilt from (``source``), the framework and the
CORS library, the page's origin and its ``fetch()``, the broken configuration in the library's
own setting names, the cause the thread confirmed (``cause``: the doctor's symptom code;
``phrase``: words the doctor's explanation must contain) and the fix that worked there
(``true_fix``: settings, in the library's names, with their complete new values; or
``true_shape``/``true_path`` when the fix was a change to the app or the URL). The apps are
the corpus' own (:mod:`tests.corpus.apps`), written for this table; only the configuration
and the request come from the reports; ``rebuilt_from`` names the stack of a report whose
mistake is rebuilt here with another framework or library. ``verification`` says what the
doctor must say of its own fix after trying it on a copy of the app: verified, for every fix
that changes the settings of a layer it found, or the kind of reason it gives for a fix it
cannot try (the app's middleware order or authentication code, the app's code, a server
behind a proxy the doctor knows by its URL only).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from tests.corpus.apps import Shape

JSON = ("Content-Type", "application/json")
TOKEN = ("Authorization", "Bearer t0ken")
COMMON = "django.middleware.common.CommonMiddleware"
CORSHEADERS = "corsheaders.middleware.CorsMiddleware"
CORSKIT_DJANGO = "corskit.django.CorsMiddleware"


VERIFIED = "verified"
#: why the doctor does not check a fix, by kind: words its ``not_verified_reason`` contains
NOT_CHECKED = {
    "authentication": "its authentication code, which the doctor does not rebuild",
    "middleware order": "the order of the app's middleware, which the doctor does not rebuild",
    "app code": "the fix is in the app's code",
    "url target": "the doctor cannot change a remote server's configuration",
}


@dataclass(frozen=True)
class Case:
    id: str
    source: str
    framework: str  # fastapi, starlette, flask, django, litestar
    library: str  # starlette, corskit, flask-cors, django-cors-headers, litestar
    origin: str
    config: dict[str, Any]
    cause: str
    phrase: str
    true_fix: dict[str, Any] = field(default_factory=dict)
    method: str = "GET"
    headers: tuple[tuple[str, str], ...] = ()
    credentials: str = "same-origin"
    path: str = "/api/items"
    shape: Shape = field(default_factory=Shape)
    true_shape: Shape | None = None
    true_path: str | None = None
    #: when the report used another stack, which one (the mistake is rebuilt with this one)
    rebuilt_from: str = ""
    #: what the doctor says of its own fix once it has tried it on a copy of the app:
    #: VERIFIED, or the kind of reason it gives for not checking it (one of NOT_CHECKED)
    verification: str = VERIFIED

    @property
    def body(self) -> str | None:
        return "{}" if self.method in ("POST", "PUT", "PATCH") else None


VITE = "http://localhost:5173"
REACT = "http://localhost:3000"
APP = "https://app.example.com"

CASES: list[Case] = [
    # ------------------------------------------------------------ FastAPI + Starlette
    Case(
        "fastapi-wildcard-with-credentials",
        "https://github.com/fastapi/fastapi/pull/1895",
        "fastapi",
        "starlette",
        REACT,
        {"allow_origins": ["*"]},
        "wildcard-with-credentials",
        "credentialed",
        {"allow_origins": [REACT], "allow_credentials": True},
        credentials="include",
    ),
    Case(
        "fastapi-post-not-in-default-methods",
        "https://github.com/fastapi/fastapi/issues/133",
        "fastapi",
        "starlette",
        VITE,
        {"allow_origins": [VITE]},
        "method-not-allowed",
        "POST is not in allow_methods",
        {"allow_origins": [VITE], "allow_methods": ["GET", "POST"]},
        method="POST",
        headers=(JSON,),
    ),
    Case(
        "fastapi-origin-trailing-slash",
        "https://github.com/rafsaf/minimal-fastapi-postgres-template/pull/61",
        "fastapi",
        "starlette",
        VITE,
        {"allow_origins": [VITE + "/"]},
        "origin-typo",
        "trailing slash",
        {"allow_origins": [VITE]},
    ),
    Case(
        "fastapi-origin-with-path",
        "https://github.com/fastapi/fastapi/issues/5308",
        "fastapi",
        "starlette",
        REACT,
        {"allow_origins": [REACT + "/bar"], "allow_credentials": True, "allow_methods": ["*"]},
        "origin-typo",
        "a path",
        {"allow_origins": [REACT], "allow_credentials": True, "allow_methods": ["*"]},
    ),
    Case(
        "fastapi-localhost-page-127-listed",
        "https://github.com/moja-global/FLINT.Cloud/issues/119",
        "fastapi",
        "starlette",
        "http://localhost:8000",
        {"allow_origins": ["http://127.0.0.1:8000"]},
        "localhost-vs-127",
        "different origins",
        {"allow_origins": ["http://127.0.0.1:8000", "http://localhost:8000"]},
        rebuilt_from="FLINT.Cloud's REST API (its origins list)",
    ),
    Case(
        "fastapi-auth-middleware-outside-cors",
        "https://github.com/fastapi/fastapi/issues/2693",
        "fastapi",
        "starlette",
        VITE,
        {"allow_origins": [VITE], "allow_headers": ["Authorization"]},
        "preflight-rejected",
        "runs before",
        {"allow_origins": [VITE], "allow_headers": ["Authorization"]},
        headers=(TOKEN,),
        shape=Shape(auth="outside"),
        true_shape=Shape(auth="skip-options"),
        verification="authentication",
    ),
    Case(
        "fastapi-500-without-cors-headers",
        "https://github.com/Kludex/starlette/issues/1116",
        "fastapi",
        "starlette",
        REACT,
        {"allow_origins": ["*"], "allow_methods": ["*"], "allow_headers": ["*"]},
        "server-error-without-cors",
        "ServerErrorMiddleware",
        {"allow_origins": ["*"], "allow_methods": ["*"], "allow_headers": ["*"]},
        shape=Shape(crash=True),
        true_shape=Shape(crash=False),
        verification="app code",
    ),
    Case(
        "fastapi-regex-in-allow-origins",
        "https://github.com/OpenGradient/BitQuant/pull/134",
        "fastapi",
        "starlette",
        "http://localhost:3001",
        {"allow_origins": [r"^http://localhost:(3000|3001)$"], "allow_credentials": True},
        "origin-not-allowed",
        "pattern",
        {
            "allow_origins": [],
            "allow_origin_regex": r"^http://localhost:(3000|3001)$",
            "allow_credentials": True,
        },
    ),
    Case(
        "fastapi-delete-with-methods-listed",
        "https://github.com/axios/axios/issues/1860",
        "fastapi",
        "starlette",
        APP,
        {"allow_origins": [APP], "allow_methods": ["GET", "PATCH", "POST"]},
        "method-not-allowed",
        "DELETE is not in allow_methods",
        {"allow_origins": [APP], "allow_methods": ["GET", "PATCH", "POST", "DELETE"]},
        method="DELETE",
        rebuilt_from="an API behind axios (the backend is not named)",
    ),
    Case(
        "fastapi-http-page-https-listed",
        "https://runebook.dev/en/docs/http/cors/errors/corsalloworiginnotmatchingorigin",
        "fastapi",
        "starlette",
        "http://app.example.com",
        {"allow_origins": [APP]},
        "origin-not-allowed",
        "is not in allow_origins",
        {"allow_origins": [APP, "http://app.example.com"]},
        rebuilt_from="a troubleshooting page (no framework named)",
    ),
    # ------------------------------------------------------------ Starlette
    Case(
        "starlette-graphql-post-and-authorization",
        "https://github.com/Kludex/starlette/issues/798",
        "starlette",
        "starlette",
        "http://localhost:8080",
        {"allow_origins": ["http://localhost:8080"]},
        "method-not-allowed",
        "'authorization'",
        {
            "allow_origins": ["http://localhost:8080"],
            "allow_methods": ["GET", "POST"],
            "allow_headers": ["Authorization"],
        },
        method="POST",
        headers=(JSON, TOKEN),
    ),
    Case(
        "starlette-credentials-not-allowed",
        "https://github.com/python-discord/pixels/pull/104",
        "starlette",
        "starlette",
        VITE,
        {"allow_origins": [VITE]},
        "credentials-not-allowed",
        "allow_credentials is False",
        {"allow_origins": [VITE], "allow_credentials": True},
        credentials="include",
        rebuilt_from="FastAPI (the review drops allow_credentials; a page sending cookies then fails)",
    ),
    Case(
        "starlette-corskit-authorization-wildcard",
        "https://github.com/fastapi/fastapi/pull/14115",
        "starlette",
        "corskit",
        APP,
        {"allow_origins": [APP], "allow_credentials": True, "allow_headers": ["*"]},
        "authorization-wildcard",
        "does not cover Authorization",
        {"allow_origins": [APP], "allow_credentials": True, "allow_headers": ["Authorization"]},
        headers=(TOKEN,),
        credentials="include",
        rebuilt_from="FastAPI with Starlette's CORSMiddleware",
    ),
    Case(
        "starlette-corskit-patch-missing",
        "https://github.com/adamchainz/django-cors-headers/issues/624",
        "starlette",
        "corskit",
        REACT,
        {"allow_origins": [REACT], "allow_methods": ["GET", "POST", "PUT", "DELETE"]},
        "method-not-allowed",
        "PATCH is not in allow_methods",
        {"allow_origins": [REACT], "allow_methods": ["*"], "allow_headers": ["Content-Type"]},
        method="PATCH",
        headers=(JSON,),
        rebuilt_from="Django with django-cors-headers",
    ),
    # ------------------------------------------------------------ Litestar
    Case(
        "litestar-wildcard-with-credentials",
        "https://github.com/litestar-org/litestar/pull/4963",
        "litestar",
        "litestar",
        VITE,
        {"allow_credentials": True},
        "wildcard-with-credentials",
        "credentialed",
        {"allow_origins": [VITE], "allow_credentials": True},
        credentials="include",
        rebuilt_from="FastAPI (the review drops allow_credentials; a page sending cookies then fails)",
    ),
    Case(
        "litestar-empty-allow-methods",
        "https://github.com/modern-python/litestar-sqlalchemy-template/pull/34",
        "litestar",
        "litestar",
        VITE,
        {"allow_origins": [VITE], "allow_methods": [""], "allow_headers": [""]},
        "method-not-allowed",
        "PUT",
        {"allow_origins": [VITE], "allow_methods": ["*"], "allow_headers": ["*"]},
        method="PUT",
        headers=(JSON,),
    ),
    Case(
        "litestar-origin-trailing-slash",
        "https://github.com/rafsaf/minimal-fastapi-postgres-template/pull/61",
        "litestar",
        "litestar",
        REACT,
        {"allow_origins": [REACT + "/"]},
        "origin-typo",
        "trailing slash",
        {"allow_origins": [REACT]},
        rebuilt_from="FastAPI (origins read from settings as URLs, written back with a slash)",
    ),
    Case(
        "litestar-authorization-not-allowed",
        "https://github.com/hungdn1701/ptit-microservice-textbook/issues/30",
        "litestar",
        "litestar",
        APP,
        {
            "allow_origins": [APP],
            "allow_methods": ["GET", "POST"],
            "allow_headers": ["Content-Type"],
        },
        "header-not-allowed",
        "authorization",
        {
            "allow_origins": [APP],
            "allow_methods": ["GET", "POST"],
            "allow_headers": ["Content-Type", "Authorization"],
        },
        headers=(TOKEN,),
        rebuilt_from="Spring Cloud Gateway (allowed-headers left out)",
    ),
    # ------------------------------------------------------------ Flask + flask-cors
    Case(
        "flask-cors-credentials-with-default-origins",
        "https://github.com/corydolphin/flask-cors/issues/132",
        "flask",
        "flask-cors",
        "http://localhost:8080",
        {},
        "credentials-not-allowed",
        "supports_credentials is False",
        {"supports_credentials": True},
        method="POST",
        credentials="include",
    ),
    Case(
        "flask-cors-misspelt-supports-credentials",
        "https://github.com/corydolphin/flask-cors/issues/197",
        "flask",
        "flask-cors",
        "http://localhost:8002",
        {"origins": ["http://localhost:8002"], "support_credentials": True},
        "flask-cors-unknown-option",
        "support_credentials",
        {"origins": ["http://localhost:8002"], "supports_credentials": True},
        credentials="include",
        shape=Shape(written_in="tests.corpus.flask_misspelt"),
        true_shape=Shape(),
    ),
    Case(
        "flask-cors-x-requested-with",
        "https://github.com/corydolphin/flask-cors/issues/279",
        "flask",
        "flask-cors",
        APP,
        {"origins": [APP], "allow_headers": ["Content-Type"]},
        "header-not-allowed",
        "x-requested-with",
        {"origins": [APP], "allow_headers": ["Content-Type", "X-Requested-With"]},
        method="POST",
        headers=(JSON, ("X-Requested-With", "XMLHttpRequest")),
    ),
    Case(
        "flask-cors-credentials-preflight",
        "https://github.com/corydolphin/flask-cors/issues/321",
        "flask",
        "flask-cors",
        REACT,
        {"resources": {r"*": {"origins": ["http://localhost:8080", REACT]}}},
        "credentials-not-allowed",
        "credentials",
        {
            "resources": {r"*": {"origins": ["http://localhost:8080", REACT]}},
            "supports_credentials": True,
        },
        method="POST",
        headers=(JSON, ("X-CSRFToken", "t0ken")),
        credentials="include",
    ),
    Case(
        "flask-cors-methods-without-delete",
        "https://github.com/corydolphin/flask-cors/issues/55",
        "flask",
        "flask-cors",
        VITE,
        {"origins": [VITE], "methods": ["GET", "POST"]},
        "method-not-allowed",
        "DELETE is not in methods",
        {"origins": [VITE], "methods": ["GET", "POST", "DELETE"]},
        method="DELETE",
    ),
    Case(
        "flask-cors-auth-hook-refuses-preflight",
        "https://github.com/corydolphin/flask-cors/issues/170",
        "flask",
        "flask-cors",
        REACT,
        {"origins": [REACT]},
        "preflight-rejected",
        "401",
        {"origins": [REACT]},
        headers=(TOKEN,),
        shape=Shape(auth="outside"),
        true_shape=Shape(auth="skip-options"),
        verification="authentication",
    ),
    Case(
        "flask-cors-allow-headers-one-string",
        "https://github.com/corydolphin/flask-cors/issues/145",
        "flask",
        "flask-cors",
        REACT,
        {
            "resources": r"/*",
            "allow_headers": "Origin, Content-Type, Accept, Authorization, X-Request-With",
            "supports_credentials": True,
        },
        "header-not-allowed",
        "several header names in one string",
        {
            "resources": r"/*",
            "allow_headers": [
                "Origin",
                "Content-Type",
                "Accept",
                "Authorization",
                "X-Request-With",
            ],
            "supports_credentials": True,
        },
        headers=(TOKEN,),
    ),
    Case(
        "flask-cors-path-outside-resources",
        "https://github.com/corydolphin/flask-cors/issues/248",
        "flask",
        "flask-cors",
        "http://localhost:5000",
        {"origins": ["http://localhost:5000"], "resources": {"/a": {"origins": "*"}}},
        "path-not-covered",
        "no pattern of resources",
        {
            "origins": ["http://localhost:5000"],
            "resources": {"/a": {"origins": "*"}, r"/api/*": {}},
        },
    ),
    Case(
        "flask-cors-query-method-not-in-defaults",
        "https://github.com/corydolphin/flask-cors/pull/413",
        "flask",
        "flask-cors",
        VITE,
        {},
        "method-not-allowed",
        "QUERY is not in methods",
        {"methods": ["DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT", "QUERY"]},
        method="QUERY",
        headers=(JSON,),
    ),
    Case(
        "flask-cors-wildcard-twice-behind-nginx",
        "https://github.com/zejn/prometapi/issues/4",
        "flask",
        "flask-cors",
        "http://localhost:8080",
        {"send_wildcard": True},
        "duplicate-acao",
        "reverse proxy",
        {"send_wildcard": True},
        shape=Shape(proxy="*"),
        true_shape=Shape(),
        rebuilt_from="a Python API behind nginx (the framework is not named)",
        verification="url target",
    ),
    # ------------------------------------------------------------ Flask + corskit
    Case(
        "flask-corskit-credentials-not-allowed",
        "https://github.com/corydolphin/flask-cors/issues/133",
        "flask",
        "corskit",
        "http://127.0.0.1:5000",
        {"allow_origins": ["http://127.0.0.1:5000"]},
        "credentials-not-allowed",
        "allow_credentials is False",
        {"allow_origins": ["http://127.0.0.1:5000"], "allow_credentials": True},
        method="POST",
        credentials="include",
        rebuilt_from="flask-cors",
    ),
    Case(
        "flask-corskit-authorization-wildcard",
        "https://github.com/rotationalio/whisper/pull/10",
        "flask",
        "corskit",
        APP,
        {"allow_origins": [APP], "allow_headers": ["*"], "allow_credentials": True},
        "authorization-wildcard",
        "does not cover Authorization",
        {"allow_origins": [APP], "allow_headers": ["Authorization"], "allow_credentials": True},
        headers=(TOKEN,),
        credentials="include",
        rebuilt_from="a Go API whose CORS policy listed '*' headers",
    ),
    Case(
        "flask-corskit-patch-not-allowed",
        "https://github.com/django/djangoproject.com/issues/833",
        "flask",
        "corskit",
        VITE,
        {"allow_origins": [VITE], "allow_methods": ["GET", "POST", "PUT"]},
        "method-not-allowed",
        "PATCH is not in allow_methods",
        {
            "allow_origins": [VITE],
            "allow_methods": ["GET", "POST", "PUT", "PATCH"],
            "allow_headers": ["*"],
        },
        method="PATCH",
        headers=(JSON,),
        rebuilt_from="Django REST framework with a hand-written header middleware",
    ),
    # ------------------------------------------------------------ Django + django-cors-headers
    Case(
        "django-cors-headers-below-common-middleware",
        "https://github.com/WordPress/openverse-api/pull/189",
        "django",
        "django-cors-headers",
        VITE,
        {"MIDDLEWARE": [COMMON, CORSHEADERS], "CORS_ALLOWED_ORIGINS": [VITE]},
        "cors-middleware-order",
        "APPEND_SLASH",
        {"MIDDLEWARE": [CORSHEADERS, COMMON], "CORS_ALLOWED_ORIGINS": [VITE]},
        shape=Shape(slash=True),
        verification="middleware order",
    ),
    Case(
        "django-cors-headers-origin-without-scheme",
        "https://github.com/do-community/django-todo-react/issues/1",
        "django",
        "django-cors-headers",
        REACT,
        {"MIDDLEWARE": [CORSHEADERS, COMMON], "CORS_ALLOWED_ORIGINS": ["localhost:3000"]},
        "origin-typo",
        "no scheme",
        {"MIDDLEWARE": [CORSHEADERS, COMMON], "CORS_ALLOWED_ORIGINS": [REACT]},
    ),
    Case(
        "django-cors-headers-patch-not-allowed",
        "https://github.com/adamchainz/django-cors-headers/issues/624",
        "django",
        "django-cors-headers",
        REACT,
        {
            "MIDDLEWARE": [CORSHEADERS, COMMON],
            "CORS_ALLOWED_ORIGINS": [REACT],
            "CORS_ALLOW_METHODS": ["GET", "PUT", "POST", "DELETE", "HEAD", "OPTIONS"],
        },
        "method-not-allowed",
        "PATCH is not in CORS_ALLOW_METHODS",
        {
            "MIDDLEWARE": [CORSHEADERS, COMMON],
            "CORS_ALLOWED_ORIGINS": [REACT],
            "CORS_ALLOW_METHODS": ["GET", "PUT", "POST", "DELETE", "HEAD", "OPTIONS", "PATCH"],
        },
        method="PATCH",
        headers=(JSON,),
    ),
    Case(
        "django-cors-headers-x-csrftoken",
        "https://github.com/adamchainz/django-cors-headers/issues/15",
        "django",
        "django-cors-headers",
        APP,
        {
            "MIDDLEWARE": [CORSHEADERS, COMMON],
            "CORS_ALLOWED_ORIGINS": [APP],
            "CORS_ALLOW_HEADERS": ["x-requested-with", "content-type", "accept", "origin"],
        },
        "header-not-allowed",
        "x-csrftoken",
        {
            "MIDDLEWARE": [CORSHEADERS, COMMON],
            "CORS_ALLOWED_ORIGINS": [APP],
            "CORS_ALLOW_HEADERS": [
                "x-requested-with",
                "content-type",
                "accept",
                "origin",
                "x-csrftoken",
            ],
        },
        method="POST",
        headers=(JSON, ("X-CSRFToken", "t0ken")),
    ),
    Case(
        "django-cors-headers-port-missing",
        "https://github.com/adamchainz/django-cors-headers/issues/637",
        "django",
        "django-cors-headers",
        "http://0.0.0.0:3000",
        {
            "MIDDLEWARE": [CORSHEADERS, COMMON],
            "CORS_ALLOWED_ORIGINS": ["http://localhost:3000", "http://0.0.0.0"],
        },
        "origin-not-allowed",
        "is not in CORS_ALLOWED_ORIGINS",
        {
            "MIDDLEWARE": [CORSHEADERS, COMMON],
            "CORS_ALLOWED_ORIGINS": ["http://localhost:3000", "http://0.0.0.0:3000"],
        },
    ),
    Case(
        "django-cors-headers-credentials-annotation",
        "https://github.com/adamchainz/django-cors-headers/issues/863",
        "django",
        "django-cors-headers",
        APP,
        {"MIDDLEWARE": [CORSHEADERS, COMMON], "CORS_ALLOWED_ORIGINS": [APP]},
        "credentials-not-allowed",
        "credentials",
        {
            "MIDDLEWARE": [CORSHEADERS, COMMON],
            "CORS_ALLOWED_ORIGINS": [APP],
            "CORS_ALLOW_CREDENTIALS": True,
        },
        method="PATCH",
        headers=(JSON,),
        credentials="include",
    ),
    Case(
        "django-cors-headers-urls-regex-misses-path",
        "https://github.com/adamchainz/django-cors-headers/issues/830",
        "django",
        "django-cors-headers",
        VITE,
        {
            "MIDDLEWARE": [CORSHEADERS, COMMON],
            "CORS_ALLOWED_ORIGINS": [VITE],
            "CORS_URLS_REGEX": r"^/api/v2/.*$",
        },
        "path-not-covered",
        "CORS_URLS_REGEX",
        {
            "MIDDLEWARE": [CORSHEADERS, COMMON],
            "CORS_ALLOWED_ORIGINS": [VITE],
            "CORS_URLS_REGEX": r"^/api/.*$",
        },
    ),
    Case(
        "django-cors-headers-credentials-method-and-header",
        "https://github.com/adamchainz/django-cors-headers/issues/863",
        "django",
        "django-cors-headers",
        VITE,
        {
            "MIDDLEWARE": [CORSHEADERS, COMMON],
            "CORS_ALLOWED_ORIGINS": [VITE],
            "CORS_ALLOW_METHODS": ["GET", "POST"],
        },
        "credentials-not-allowed",
        "PATCH is not in CORS_ALLOW_METHODS",
        {
            "MIDDLEWARE": [CORSHEADERS, COMMON],
            "CORS_ALLOWED_ORIGINS": [VITE],
            "CORS_ALLOW_METHODS": ["GET", "POST", "PATCH"],
            "CORS_ALLOW_HEADERS": ["content-type", "x-api-key"],
            "CORS_ALLOW_CREDENTIALS": True,
        },
        method="PATCH",
        headers=(JSON, ("X-Api-Key", "k1")),
        credentials="include",
        rebuilt_from="the same settings with a PATCH and a custom header (three causes at once)",
    ),
    Case(
        "django-cors-headers-and-nginx-both-send-acao",
        "https://github.com/adamchainz/django-cors-headers/issues/97",
        "django",
        "django-cors-headers",
        "http://localhost:4200",
        {"MIDDLEWARE": [CORSHEADERS, COMMON], "CORS_ALLOW_ALL_ORIGINS": True},
        "duplicate-acao",
        "reverse proxy",
        {"MIDDLEWARE": [CORSHEADERS, COMMON], "CORS_ALLOW_ALL_ORIGINS": True},
        shape=Shape(proxy="*"),
        true_shape=Shape(),
        verification="url target",
    ),
    # ------------------------------------------------------------ Django + corskit
    Case(
        "django-corskit-below-common-middleware",
        "https://github.com/onaio/onadata/pull/3021",
        "django",
        "corskit",
        VITE,
        {"MIDDLEWARE": [COMMON, CORSKIT_DJANGO], "CORSKIT": {"allow_origins": [VITE]}},
        "middleware-order",
        "APPEND_SLASH",
        {"MIDDLEWARE": [CORSKIT_DJANGO, COMMON], "CORSKIT": {"allow_origins": [VITE]}},
        shape=Shape(slash=True),
        rebuilt_from="django-cors-headers",
        verification="middleware order",
    ),
    Case(
        "django-corskit-put-not-allowed",
        "https://github.com/expressjs/cors/issues/80",
        "django",
        "corskit",
        APP,
        {
            "MIDDLEWARE": [CORSKIT_DJANGO, COMMON],
            "CORSKIT": {"allow_origins": [APP], "allow_methods": ["GET", "POST"]},
        },
        "method-not-allowed",
        "PUT is not in",
        {
            "MIDDLEWARE": [CORSKIT_DJANGO, COMMON],
            "CORSKIT": {
                "allow_origins": [APP],
                "allow_methods": ["GET", "POST", "PUT"],
                "allow_headers": ["content-type"],
            },
        },
        method="PUT",
        headers=(JSON,),
        rebuilt_from="Express with the cors package",
    ),
    Case(
        "django-corskit-localhost-vs-127",
        "https://github.com/rafsaf/minimal-fastapi-postgres-template/pull/21",
        "django",
        "corskit",
        "http://localhost:8000",
        {
            "MIDDLEWARE": [CORSKIT_DJANGO, COMMON],
            "CORSKIT": {"allow_origins": ["http://127.0.0.1:8000"]},
        },
        "localhost-vs-127",
        "different origins",
        {
            "MIDDLEWARE": [CORSKIT_DJANGO, COMMON],
            "CORSKIT": {"allow_origins": ["http://127.0.0.1:8000", "http://localhost:8000"]},
        },
        rebuilt_from="a FastAPI template (127.0.0.1 beside localhost)",
    ),
]

BY_ID = {case.id: case for case in CASES}
assert len(BY_ID) == len(CASES), "case ids are unique"
