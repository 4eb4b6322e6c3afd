"""A minimal, single-file Django API behind corskit's WSGI middleware.

Run it (port 8001)::

    pip install corskit django
    python examples/django_app/app.py
    curl -i -H 'Origin: https://app.example.com' http://127.0.0.1:8001/api/items

In a regular Django project, wrap the application in ``wsgi.py`` the same way::

    from django.core.wsgi import get_wsgi_application
    from corskit import CORSPolicy, WSGICORSMiddleware

    application = WSGICORSMiddleware(get_wsgi_application(), policy=CORSPolicy.from_env())

Django turns view exceptions into 500 responses itself; corskit adds the CORS headers
to them like to any other response (and answers 500 with CORS headers itself if an
exception ever escapes Django).
"""

from __future__ import annotations

import sys

from django.conf import settings

if not settings.configured:
    settings.configure(
        DEBUG=False,
        SECRET_KEY="corskit-example-not-secret",
        ROOT_URLCONF=__name__,
        ALLOWED_HOSTS=["127.0.0.1", "localhost", "testserver"],
        MIDDLEWARE=[],
        INSTALLED_APPS=[],
        LOGGING_CONFIG=None,
    )

import django
from django.core.wsgi import get_wsgi_application
from django.http import HttpRequest, JsonResponse
from django.urls import path

from corskit import CORSPolicy, WSGICORSMiddleware

django.setup()


def items(request: HttpRequest) -> JsonResponse:
    if request.method == "POST":
        return JsonResponse({"ok": True}, status=201)
    return JsonResponse({"items": ["a", "b"]})


def boom(request: HttpRequest) -> JsonResponse:
    raise RuntimeError("something broke")


def info(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"name": "demo", "version": 1})


urlpatterns = [
    path("api/items", items),
    path("api/boom", boom),
    path("public/info", info),
]

application = WSGICORSMiddleware(
    get_wsgi_application(),
    allow_origins=["https://app.example.com", "http://localhost:5173"],
    allow_methods=["GET", "POST"],
    allow_headers=["Content-Type", "X-CSRFToken"],
    allow_credentials=True,
    routes={"/public": CORSPolicy(allow_origins=["*"], allow_methods=["GET"])},
)

if __name__ == "__main__":
    from wsgiref.simple_server import make_server

    port = int(sys.argv[1]) if len(sys.argv) > 1 else 8001
    print(f"serving on http://127.0.0.1:{port}")
    make_server("127.0.0.1", port, application).serve_forever()
