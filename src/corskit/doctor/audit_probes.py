"""Former home of the audit's probes: the code lives in :mod:`corskit.doctor.audit.probes`; this module
keeps ``corskit.doctor.audit_probes`` importable."""

from .audit.probes import *  # noqa: F403
from .audit.probes import __all__ as __all__
