"""Former home of whether a cookie is stored and sent: the code lives in :mod:`corskit.doctor.fetch.cookies`; this module
keeps ``corskit.doctor.cookies`` importable."""

from .fetch.cookies import *  # noqa: F403
from .fetch.cookies import __all__ as __all__
