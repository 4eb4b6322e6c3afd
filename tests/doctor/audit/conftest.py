"""pytest settings for the audit tests.

``django_site`` configures Django's settings for the whole process when imported (it is the
application of the uvicorn processes started by :func:`tests.doctor.audit.helpers.django_servers`),
so ``--doctest-modules`` must not import it into the test process: Django would then keep its
django-cors-headers settings for every other test that uses Django in this process.
"""

collect_ignore = ["django_site.py"]
