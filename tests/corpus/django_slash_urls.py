"""The corpus' Django URLs as Django projects usually declare them: ``/api/items/``."""

from __future__ import annotations

from django.urls import path  # type: ignore[import-untyped]

from tests.corpus.django_urls import items

urlpatterns = [path("api/items/", items)]
