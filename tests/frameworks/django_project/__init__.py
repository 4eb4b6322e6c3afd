"""A small Django project with ``corskit.django`` in ``MIDDLEWARE``, configured in settings.

``settings`` is the project as a user writes it (a ``CORSKIT`` dict); the other settings
modules change one thing each. Run only in a process of its own (Django's settings are
per process): see ``tests/frameworks/django_server.py``.
"""
