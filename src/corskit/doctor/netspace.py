"""Former home of address spaces (Local Network Access): the code lives in :mod:`corskit.doctor.fetch.netspace`; this module
keeps ``corskit.doctor.netspace`` importable."""

from .fetch.netspace import *  # noqa: F403
from .fetch.netspace import __all__ as __all__
