"""The one build setting pyproject.toml does not hold yet (setuptools calls it experimental
there): the optional C versions of the ASGI adapter's two per-request loops.

``optional=True``: without a C compiler the installation goes on, and corskit runs the
Python versions of those loops (``corskit.asgi``), which are the reference anyway.
"""

from setuptools import Extension, setup

setup(ext_modules=[Extension("corskit._speedups", ["src/corskit/_speedups.c"], optional=True)])
