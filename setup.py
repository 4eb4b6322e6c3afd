"""The one build setting pyproject.toml does not hold yet (setuptools calls it experimental
there): the optional C versions of the ASGI adapter's two per-request loops.

``optional=True``: without a C compiler the installation goes on, and corskit runs the
Python versions of those loops (``corskit._loops``), which are the reference anyway.

The module is built against the stable ABI of CPython 3.10 (``Py_LIMITED_API``): one
``_speedups.abi3.so`` and one ``cp310-abi3`` wheel per platform serve every supported
Python version.
"""

from setuptools import Extension, setup

setup(
    ext_modules=[
        Extension(
            "corskit._speedups",
            ["src/corskit/_speedups.c"],
            optional=True,
            py_limited_api=True,
            define_macros=[("Py_LIMITED_API", "0x030A0000")],
        )
    ],
    options={"bdist_wheel": {"py_limited_api": "cp310"}},
)
