"""settings.py as a user writes it: ``corskit.django`` installed and configured with CORSKIT."""

from __future__ import annotations

from corskit import CORSPolicy
from corskit.django import DjangoOptions

DEBUG = False
SECRET_KEY = "corskit-test-not-secret"
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
ROOT_URLCONF = "tests.frameworks.django_project.urls"
USE_TZ = True
LOGGING_CONFIG = None
INSTALLED_APPS = ["corskit.django"]
MIDDLEWARE = [
    "corskit.django.CorsMiddleware",
    "django.middleware.common.CommonMiddleware",
]

CORSKIT: DjangoOptions = {
    "allow_origins": ["https://app.example.com"],
    "allow_methods": ["GET", "POST", "PATCH"],
    "allow_headers": ["Content-Type", "X-CSRFToken"],
    "allow_credentials": True,
    "expose_headers": ["X-Total-Count"],
    "routes": {"/public": CORSPolicy(allow_origins=["*"], allow_methods=["GET"])},
}
