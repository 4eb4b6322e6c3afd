"""The Django layer tests hold whoever configured Django's settings first in the process.

Django's settings belong to the process and the first ``settings.configure()`` wins. Here the
audit corpus's django-cors-headers site (``CORS_ALLOWED_ORIGINS``, ``CORS_ALLOW_CREDENTIALS``
and its own ``MIDDLEWARE``) configures them before the tests run, in a pytest process of its own.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]

RUN = (
    "import sys, pytest, tests.doctor.audit.django_site; "
    "sys.exit(pytest.main(['-q', '-p', 'no:cacheprovider', '-k', 'django', "
    "'tests/doctor/layers/test_models.py', 'tests/doctor/layers/test_diagnose_layers.py']))"
)


def test_django_layer_tests_pass_after_another_module_configured_django() -> None:
    proc = subprocess.run(
        [sys.executable, "-c", RUN], cwd=ROOT, capture_output=True, text=True, timeout=240
    )
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-2000:]
    assert " passed" in proc.stdout and "deselected" in proc.stdout
