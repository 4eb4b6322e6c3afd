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


def _executable(path: str) -> bool:
    return os.path.isfile(path) and os.access(path, os.X_OK)


def find_binary(
    override: str | None,
    *,
    env_var: str,
    option: str,
    candidates: tuple[str, ...],
    path_names: tuple[str, ...],
    missing: str,
) -> str:
    """Locate a browser binary: *override* (the command-line *option*), then the *env_var*
    environment variable, then the *candidates* that are executable files, then *path_names*
    on ``PATH``. Raises :class:`BrowserUnavailable` (with *missing* when nothing is found)."""
    from_env = not override and bool(os.environ.get(env_var))
    override = override or os.environ.get(env_var) or None
    if override:
        path = os.path.expanduser(override)
        if _executable(path):
            return path
        found = shutil.which(path)
        if found:
            return found
        source = env_var if from_env else option
        raise BrowserUnavailable(f"{source} {override!r} is not an executable file")
    for candidate in candidates:
        if _executable(candidate):
            return candidate
    for name in path_names:
        found = shutil.which(name)
        if found:
            return found
    raise BrowserUnavailable(missing)


def find_chromium(override: str | None = None) -> str:
    """Locate the Chromium binary.

    Order: *override* (``--chromium PATH``), the ``CORSKIT_CHROMIUM`` environment variable,
    ``/usr/lib/chromium/chromium``, ``/usr/bin/chromium``, then ``chromium`` /
    ``chromium-browser`` on ``PATH``. Raises :class:`BrowserUnavailable`.
    """
    return find_binary(
        override,
        env_var="CORSKIT_CHROMIUM",
        option="--chromium",
        candidates=CHROMIUM_CANDIDATES,
        path_names=("chromium", "chromium-browser"),
        missing=f"Chromium not found; {INSTALL_HINT}, or pass --chromium PATH",
    )


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
