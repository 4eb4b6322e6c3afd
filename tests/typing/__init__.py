"""Typing tests: files type-checked by ``mypy --strict`` (see ``test_typing.py``)."""
