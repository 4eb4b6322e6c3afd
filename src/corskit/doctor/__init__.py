"""The corskit doctor: a browser-exact CORS simulation that explains blocked requests.

Modules (one concern each):

* :mod:`~corskit.doctor.transports` — put :class:`WireRequest` objects on the wire (HTTP via
  httpx, or an ASGI/WSGI app in-process) and read :class:`WireResponse` objects back.
* :mod:`~corskit.doctor.fetch` — the Fetch-standard client simulation (``simulate``), pure
  functions plus a driver over a transport.
* :mod:`~corskit.doctor.messages` — Chromium's ``CorsError`` names and console texts, and
  Firefox's equivalents.
* :mod:`~corskit.doctor.appinfo` — find the CORS settings inside an app object.
* :mod:`~corskit.doctor.diagnose` — turn an outcome (+ settings) into a cause and a fix.
* :mod:`~corskit.doctor.render` — text (colour on a TTY) and JSON output.

Importing this package imports nothing heavy.
"""
