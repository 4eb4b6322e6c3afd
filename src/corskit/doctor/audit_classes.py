"""Former home of the audit's vulnerability classes: the code lives in :mod:`corskit.doctor.audit.classes`; this module
keeps ``corskit.doctor.audit_classes`` importable."""

from .audit.classes import *  # noqa: F403
from .audit.classes import __all__ as __all__
