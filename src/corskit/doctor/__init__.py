"""The corskit doctor: a browser-exact CORS simulation that explains blocked requests.

One sub-package or module per concern (see docs/architecture.md):

* :mod:`~corskit.doctor.wire` and :mod:`~corskit.doctor.transports` — put
  :class:`WireRequest` objects on the wire (HTTP/1.1 over a socket, read as Chromium reads it
  by :mod:`~corskit.doctor.http1`, or an ASGI/WSGI app in-process) and read
  :class:`WireResponse` objects back, within a time budget.
* :mod:`~corskit.doctor.fetch` — the browser model: URLs and origins, the Fetch algorithms
  (main fetch, CORS-preflight fetch, HTTP-redirect fetch, CORS check), address spaces,
  cookies and the browsers' console messages.
* :mod:`~corskit.doctor.layers` — the CORS layers users run (corskit, Starlette), modelled
  once.
* :mod:`~corskit.doctor.appinfo` — find the CORS settings inside an app object.
* :mod:`~corskit.doctor.diagnose` and :mod:`~corskit.doctor.causes` — turn an outcome
  (+ settings) into a cause and a fix.
* :mod:`~corskit.doctor.render` — the one colour rule (:class:`~corskit.doctor.render.Style`),
  text and JSON output of ``corskit check``.
* :mod:`~corskit.doctor.inputs` — console messages, cURL and fetch copies, HAR files.
* :mod:`~corskit.doctor.audit` — the attacker's view (``corskit audit``).
* :mod:`~corskit.doctor.browser` — real Chromium, and its comparison with the simulation.

Importing this package imports nothing heavy.
"""
