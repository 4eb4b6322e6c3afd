"""Former home of the audit's SARIF output: the code lives in :mod:`corskit.doctor.audit.sarif`; this module
keeps ``corskit.doctor.sarif`` importable."""

from .audit.sarif import *  # noqa: F403
from .audit.sarif import __all__ as __all__
