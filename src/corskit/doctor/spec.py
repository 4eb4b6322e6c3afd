"""Former home of the Fetch standard's tables and parsers: the code lives in :mod:`corskit.doctor.fetch.spec`; this module
keeps ``corskit.doctor.spec`` importable."""

from .fetch.spec import *  # noqa: F403
from .fetch.spec import __all__ as __all__
