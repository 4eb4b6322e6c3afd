"""Finding a usable Chromium (Debian's package, driven by Playwright) and its launch flags."""

from __future__ import annotations

import os
import shutil

INSTALL_HINT = "run `bash scripts/ensure-browser.sh` (installs Debian's chromium and playwright)"

# Candidate binaries, most direct first. /usr/lib/chromium/chromium avoids the Debian wrapper's
# harmless `[: ... unexpected operator` shell error (docs/browser.md, "How a browser run works").
CHROMIUM_CANDIDATES: tuple[str, ...] = ("/usr/lib/chromium/chromium", "/usr/bin/chromium")

LAUNCH_ARGS: tuple[str, ...] = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)


class BrowserUnavailable(RuntimeError):
    """Chromium or the playwright package is missing, or the browser failed to start.

    ``str()`` is a one-line message that says how to fix it.
    """


def find_chromium(override: str | None = None) -> str:
    """Locate the Chromium binary.

    Order: *override* (``--chromium PATH``), the ``CORSKIT_CHROMIUM`` environment variable,
    ``/usr/lib/chromium/chromium``, ``/usr/bin/chromium``, then ``chromium`` /
    ``chromium-browser`` on ``PATH``. Raises :class:`BrowserUnavailable`.
    """
    from_env = not override and bool(os.environ.get("CORSKIT_CHROMIUM"))
    override = override or os.environ.get("CORSKIT_CHROMIUM") or None
    if override:
        path = os.path.expanduser(override)
        if os.path.isfile(path) and os.access(path, os.X_OK):
            return path
        found = shutil.which(path)
        if found:
            return found
        source = "CORSKIT_CHROMIUM" if from_env else "--chromium"
        raise BrowserUnavailable(f"{source} {override!r} is not an executable file")
    for candidate in CHROMIUM_CANDIDATES:
        if os.path.isfile(candidate) and os.access(candidate, os.X_OK):
            return candidate
    for name in ("chromium", "chromium-browser"):
        found = shutil.which(name)
        if found:
            return found
    raise BrowserUnavailable(f"Chromium not found; {INSTALL_HINT}, or pass --chromium PATH")


def browser_available(chromium_path: str | None = None) -> str | None:
    """Return ``None`` when a browser run is possible, else a one-line reason."""
    try:
        find_chromium(chromium_path)
    except BrowserUnavailable as exc:
        return str(exc)
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return f"the Python package playwright is not installed; {INSTALL_HINT}"
    return None
