"""Former home of the audit's text report: the code lives in :mod:`corskit.doctor.audit.report`;
this module keeps ``corskit.doctor.audit_report`` importable."""

from .audit.report import *  # noqa: F403
from .audit.report import __all__ as __all__
