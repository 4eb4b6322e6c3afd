"""The django-cors-headers configurations of the audit corpus, and what the audit must find.

Kept apart from :mod:`tests.doctor.audit.django_site`, which configures Django for its whole
process: importing this module configures nothing.
"""

from __future__ import annotations

from typing import Any

VARIANTS: dict[str, dict[str, Any]] = {
    "allow-all": {"CORS_ALLOW_ALL_ORIGINS": True, "CORS_ALLOW_CREDENTIALS": True},
    "regex-no-dollar": {
        "CORS_ALLOWED_ORIGIN_REGEXES": [r"^https://app\.example\.com"],
        "CORS_ALLOW_CREDENTIALS": True,
    },
    "correct": {
        "CORS_ALLOWED_ORIGINS": ["https://app.example.com"],
        "CORS_ALLOW_CREDENTIALS": True,
    },
}

#: variant -> (class id -> severity) the audit must report.
EXPECTED: dict[str, dict[str, str]] = {
    "allow-all": {"origin-reflection": "high"},
    "regex-no-dollar": {"prefix-match": "high"},
    "correct": {},
}
