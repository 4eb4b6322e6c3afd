"""Finding Firefox and the profile it runs with: preferences that keep every connection on
loopback and take nothing away from the CORS answer."""

from __future__ import annotations

import json

from .discovery import BrowserUnavailable, find_binary

FIREFOX_INSTALL_HINT = (
    "run `bash scripts/ensure-browser.sh` (installs Debian's firefox-esr), or pass --firefox PATH"
)

#: Candidate binaries, most direct first (Debian's firefox-esr package, then Mozilla's builds).
FIREFOX_CANDIDATES: tuple[str, ...] = (
    "/usr/lib/firefox-esr/firefox-esr",
    "/usr/bin/firefox-esr",
    "/usr/bin/firefox",
)

#: Preferences written to the fresh profile's ``user.js``. Background services (updates,
#: telemetry, Safe Browsing, studies, remote settings, captive-portal and connectivity checks,
#: DNS over HTTPS, push, prefetching) are off; everything that is not loopback goes to a proxy
#: on a closed loopback port (``{dead_port}``), so nothing can leave the machine, while
#: loopback itself is never proxied. Third-party cookies are allowed and unpartitioned, so
#: ``credentials: 'include'`` sends the cookie as the Chromium runs do; HTTPS-Only/First and
#: Local Network Access prompts are off, so neither changes a CORS answer.
PREFS: dict[str, bool | int | str] = {
    "app.normandy.api_url": "",
    "app.normandy.enabled": False,
    "app.shield.optoutstudies.enabled": False,
    "app.update.auto": False,
    "app.update.disabledForTesting": True,
    "app.update.enabled": False,
    "browser.aboutwelcome.enabled": False,
    "browser.discovery.enabled": False,
    "browser.newtabpage.activity-stream.feeds.section.topstories": False,
    "browser.newtabpage.activity-stream.feeds.snippets": False,
    "browser.newtabpage.activity-stream.telemetry": False,
    "browser.newtabpage.enabled": False,
    "browser.ping-centre.telemetry": False,
    "browser.region.network.url": "",
    "browser.region.update.enabled": False,
    "browser.safebrowsing.blockedURIs.enabled": False,
    "browser.safebrowsing.downloads.enabled": False,
    "browser.safebrowsing.downloads.remote.enabled": False,
    "browser.safebrowsing.malware.enabled": False,
    "browser.safebrowsing.phishing.enabled": False,
    "browser.safebrowsing.provider.google4.gethashURL": "",
    "browser.safebrowsing.provider.google4.updateURL": "",
    "browser.safebrowsing.provider.mozilla.gethashURL": "",
    "browser.safebrowsing.provider.mozilla.updateURL": "",
    "browser.search.geoip.url": "",
    "browser.search.update": False,
    "browser.shell.checkDefaultBrowser": False,
    "browser.startup.homepage_override.mstone": "ignore",
    "browser.startup.page": 0,
    "browser.tabs.warnOnClose": False,
    "captivedetect.canonicalURL": "",
    "datareporting.healthreport.uploadEnabled": False,
    "datareporting.policy.dataSubmissionEnabled": False,
    "dom.push.connection.enabled": False,
    "dom.push.enabled": False,
    "dom.push.serverURL": "",
    "dom.security.https_first": False,
    "dom.security.https_only_mode": False,
    "extensions.blocklist.enabled": False,
    "extensions.getAddons.cache.enabled": False,
    "extensions.update.enabled": False,
    "geo.provider.network.url": "",
    "media.gmp-gmpopenh264.enabled": False,
    "media.gmp-manager.url": "",
    "network.captive-portal-service.enabled": False,
    "network.connectivity-service.enabled": False,
    "network.cookie.cookieBehavior": 0,
    "network.dns.disablePrefetch": True,
    "network.http.speculative-parallel-limit": 0,
    "network.lna.blocking": False,
    "network.lna.enabled": False,
    "network.predictor.enabled": False,
    "network.prefetch-next": False,
    "network.proxy.allow_hijacking_localhost": False,
    "network.proxy.http": "127.0.0.1",
    "network.proxy.http_port": "{dead_port}",
    "network.proxy.no_proxies_on": "localhost, 127.0.0.1, [::1]",
    "network.proxy.ssl": "127.0.0.1",
    "network.proxy.ssl_port": "{dead_port}",
    "network.proxy.type": 1,
    "network.trr.mode": 5,
    "privacy.trackingprotection.enabled": False,
    "services.settings.server": "http://127.0.0.1:{dead_port}/",
    "toolkit.telemetry.enabled": False,
    "toolkit.telemetry.server": "",
    "toolkit.telemetry.unified": False,
}


def user_js(dead_port: int) -> str:
    """The ``user.js`` text of :data:`PREFS`, with the closed proxy port filled in."""
    lines = []
    for name, value in sorted(PREFS.items()):
        if value == "{dead_port}":
            value = dead_port
        elif isinstance(value, str):
            value = value.replace("{dead_port}", str(dead_port))
        lines.append(f"user_pref({json.dumps(name)}, {json.dumps(value)});")
    return "\n".join(lines) + "\n"


def find_firefox(override: str | None = None) -> str:
    """Locate Firefox: *override* (``--firefox PATH``), ``CORSKIT_FIREFOX``, the candidates
    above, then ``firefox-esr`` / ``firefox`` on ``PATH``. Raises :class:`BrowserUnavailable`."""
    return find_binary(
        override,
        env_var="CORSKIT_FIREFOX",
        option="--firefox",
        candidates=FIREFOX_CANDIDATES,
        path_names=("firefox-esr", "firefox"),
        missing=f"Firefox not found; {FIREFOX_INSTALL_HINT}",
    )


def firefox_available(firefox_path: str | None = None) -> str | None:
    """Return ``None`` when a Firefox run is possible, else a one-line reason."""
    try:
        find_firefox(firefox_path)
    except BrowserUnavailable as exc:
        return str(exc)
    return None
