"""Former home of the browsers' console messages: the code lives in :mod:`corskit.doctor.fetch.messages`; this module
keeps ``corskit.doctor.messages`` importable."""

from .fetch.messages import *  # noqa: F403
from .fetch.messages import __all__ as __all__
