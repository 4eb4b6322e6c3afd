"""What users already have, turned into requests the doctor can check.

* :mod:`.console`: a pasted browser console message -> :class:`~.console.ConsoleMessage`
  (and :mod:`.console_causes`: plain words, ranked causes, the ``corskit check`` command);
* :mod:`.curl`: DevTools' "Copy as cURL" (bash and cmd) -> :class:`~.request.CopiedRequest`;
* :mod:`.fetchcopy`: DevTools' "Copy as fetch" -> :class:`~.request.CopiedRequest`;
* :mod:`.har`: a HAR 1.2 file -> the cross-origin fetch/XHR requests in it, with what was
  recorded for each.

Every parser is pure: text in, dataclasses out; bad input raises a :class:`ValueError`
subclass whose message is one line.
"""
