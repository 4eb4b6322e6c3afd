#!/usr/bin/env bash
# Make sure headless Chromium (Debian's `chromium` package), the Python `playwright` package and
# headless Firefox (Debian's `firefox-esr` package, driven over WebDriver BiDi with no extra
# package) are available for corskit's browser features and the differential suites
# (tests/doctor/browser).
#
# Idempotent: does nothing when all three are already present. Never downloads a browser build
# (`playwright install` is deliberately not used; Playwright is pointed at Debian's binary).
# Always exits 0; when something cannot be installed it says why, and the browser tests skip
# locally (or fail when CI is set).
#
# Usage: bash scripts/ensure-browser.sh [path/to/venv]   (default: .venv next to this script's repo)
set -u

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="${1:-$repo_root/.venv}"

say() { printf 'ensure-browser: %s\n' "$*"; }

find_chromium() {
    for candidate in /usr/lib/chromium/chromium /usr/bin/chromium; do
        if [ -x "$candidate" ]; then printf '%s\n' "$candidate"; return 0; fi
    done
    command -v chromium 2>/dev/null && return 0
    return 1
}

# apt_install PACKAGE: install one Debian package as root, or say how to.
apt_install() {
    package="$1"
    if [ "$(id -u)" -ne 0 ]; then
        say "$package is missing and this script is not running as root; install it with:"
        say "    sudo apt-get install -y $package"
        return 1
    fi
    if ! command -v apt-get >/dev/null 2>&1; then
        say "$package is missing and apt-get is not available (not a Debian-like system);"
        say "install it with your package manager and pass its path (--chromium / --firefox PATH)"
        return 1
    fi
    # apt-get update only when the package is not known yet (fresh containers have empty lists).
    if ! apt-cache show "$package" >/dev/null 2>&1; then
        say "running apt-get update (package lists are empty or stale)"
        DEBIAN_FRONTEND=noninteractive apt-get update -qq || say "apt-get update failed"
    fi
    say "installing Debian package $package"
    if DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$package" >/dev/null; then
        return 0
    fi
    say "apt-get install $package failed; the browser tests will skip (or fail under CI)"
    return 1
}

# --- 1. Chromium --------------------------------------------------------------------------
if path="$(find_chromium)"; then
    say "chromium already installed: $path"
elif apt_install chromium; then
    if path="$(find_chromium)"; then
        say "installed chromium: $path"
    else
        say "apt-get reported success but no chromium binary was found"
    fi
fi

# --- 1b. Firefox ESR (WebDriver BiDi is built in: no geckodriver, no Python package) ------
find_firefox() {
    for candidate in /usr/lib/firefox-esr/firefox-esr /usr/bin/firefox-esr /usr/bin/firefox; do
        if [ -x "$candidate" ]; then printf '%s\n' "$candidate"; return 0; fi
    done
    command -v firefox-esr 2>/dev/null && return 0
    return 1
}

if path="$(find_firefox)"; then
    say "firefox already installed: $path"
elif apt_install firefox-esr; then
    if path="$(find_firefox)"; then
        say "installed firefox-esr: $path"
    else
        say "apt-get reported success but no firefox-esr binary was found"
    fi
fi

# --- 2. Python playwright (the driver only; never `playwright install`) -------------------
py="$venv/bin/python"
if [ ! -x "$py" ]; then
    say "no Python venv at $venv; create it first (python3 -m venv .venv && .venv/bin/pip install -e '.[dev]')"
elif "$py" -c "import playwright.sync_api" >/dev/null 2>&1; then
    version="$("$py" -c "from importlib.metadata import version; print(version('playwright'))" 2>/dev/null)"
    say "python playwright already installed in $venv ($version)"
else
    say "installing python playwright into $venv"
    if "$py" -m pip install -q "playwright>=1.45"; then
        say "installed python playwright"
    else
        say "pip install playwright failed; the browser tests will skip (or fail under CI)"
    fi
fi
exit 0
