"""A Django + django-cors-headers API for the audit corpus, one configuration per process.

Django settings are global to a process, so each variant runs in its own uvicorn process
(see :func:`tests.doctor.audit.helpers.django_server`); ``CORSKIT_AUDIT_DJANGO`` picks the variant:

* ``allow-all``: ``CORS_ALLOW_ALL_ORIGINS = True`` with credentials (reflects every origin);
* ``regex-no-dollar``: ``CORS_ALLOWED_ORIGIN_REGEXES = [r"^https://app\\.example\\.com"]``,
  which django-cors-headers applies with ``re.match`` (start-anchored only);
* ``correct``: ``CORS_ALLOWED_ORIGINS = ["https://app.example.com"]`` with credentials.
"""

from __future__ import annotations

import os

from django.conf import settings  # type: ignore[import-untyped]

from tests.doctor.audit.django_variants import EXPECTED, VARIANTS  # noqa: F401  (EXPECTED re-exported)

VARIANT = os.environ.get("CORSKIT_AUDIT_DJANGO", "correct")

if not settings.configured:
    settings.configure(
        DEBUG=False,
        SECRET_KEY="corskit-audit-corpus",
        ROOT_URLCONF=__name__,
        ALLOWED_HOSTS=["*"],
        INSTALLED_APPS=["corsheaders"],
        MIDDLEWARE=[
            "corsheaders.middleware.CorsMiddleware",
            "django.middleware.common.CommonMiddleware",
        ],
        **VARIANTS[VARIANT],
    )

from django.core.asgi import get_asgi_application  # type: ignore[import-untyped]  # noqa: E402
from django.http import HttpRequest, JsonResponse  # type: ignore[import-untyped]  # noqa: E402
from django.urls import path  # type: ignore[import-untyped]  # noqa: E402


def me(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"user": "alice", "email": "alice@example.com", "balance": 1234})


urlpatterns = [path("", me), path("api/me", me)]

application = get_asgi_application()
