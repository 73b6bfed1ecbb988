"""The installable app: web app manifest, service worker and the offline fallback page.

The service worker is served at `/sw.js` (a view, not a static file) so its scope is the whole
site. It imports the vendored Workbox build files and idb from our own static files (no CDN: the
intranet is closed) and precaches the shell: CSS, scripts, icons and the offline page, each with a
revision made from its content, so a changed file is fetched again and an unchanged one never is.
Pages are kept as they are visited (per user, see static/js/sw_main.js).
"""

from __future__ import annotations

import hashlib
import json

from django.conf import settings
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET

# Imported by the service worker, in dependency order.
WORKER_SCRIPTS = [
    "vendor/workbox/workbox-core.prod.js",
    "vendor/workbox/workbox-routing.prod.js",
    "vendor/workbox/workbox-strategies.prod.js",
    "vendor/workbox/workbox-precaching.prod.js",
    "vendor/workbox/workbox-expiration.prod.js",
    "vendor/workbox/workbox-cacheable-response.prod.js",
    "vendor/idb/umd.js",
    "js/outbox.js",
    "js/sw_main.js",
]

# The shell every page needs, and what the visit form needs on top: kept before the first
# offline moment, so a page that was visited once opens without a network.
PRECACHED_STATIC = [
    "css/branchtrack.css",
    "js/branchtrack.js",
    "js/offline.js",
    "js/outbox.js",
    "js/supervision.js",
    "js/visit_offline.js",
    "vendor/idb/umd.js",
    "favicon.svg",
    "icons/icon-192.png",
]

THEME_COLOR = "#b71c1c"


def _static_bytes(path: str) -> bytes:
    """A static file's content, wherever it lives (app folders in development, STATIC_ROOT after collectstatic)."""
    found = finders.find(path)
    if found:
        with open(found, "rb") as handle:
            return handle.read()
    with staticfiles_storage.open(path) as handle:
        return handle.read()


def _revision(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()[:16]


def precache_entries() -> list[dict]:
    entries = [{"url": static(path), "revision": _revision(_static_bytes(path))} for path in PRECACHED_STATIC]
    # The offline page holds no user data: the same for everyone, so it may be precached.
    offline_page = render(None, "offline.html", {}).content
    entries.append({"url": reverse("offline"), "revision": _revision(offline_page)})
    return entries


@require_GET
@cache_control(no_cache=True, max_age=0)
def service_worker(request):
    config = {
        "precache": precache_entries(),
        "offlineUrl": reverse("offline"),
        "staticUrl": settings.STATIC_URL,
        "syncTag": "bt-outbox",
    }
    scripts = ", ".join(json.dumps(static(path)) for path in WORKER_SCRIPTS)
    body = f"self.BT_CONFIG = {json.dumps(config, sort_keys=True)};\nimportScripts({scripts});\n"
    response = HttpResponse(body, content_type="text/javascript; charset=utf-8")
    response["Service-Worker-Allowed"] = "/"
    return response


@require_GET
def manifest(request):
    """zh-Hans first (the request's language otherwise); icons for the home screen and the splash."""
    data = {
        "name": _("Party building · branchtrack"),
        "short_name": _("Party building"),
        "description": _("Supervision visits, branch projects and pairings; visits work without a signal."),
        "lang": request.LANGUAGE_CODE,
        "dir": "ltr",
        "id": "/",
        "start_url": "/",
        "scope": "/",
        "display": "standalone",
        "orientation": "any",
        "background_color": "#ffffff",
        "theme_color": THEME_COLOR,
        "icons": [
            {"src": static("icons/icon-192.png"), "sizes": "192x192", "type": "image/png", "purpose": "any"},
            {"src": static("icons/icon-512.png"), "sizes": "512x512", "type": "image/png", "purpose": "any"},
            {
                "src": static("icons/icon-maskable-512.png"),
                "sizes": "512x512",
                "type": "image/png",
                "purpose": "maskable",
            },
        ],
    }
    return JsonResponse(
        data, content_type="application/manifest+json", json_dumps_params={"ensure_ascii": False}
    )


@require_GET
def offline(request):
    """Shown for a page that was never opened online (its content is not on this phone)."""
    return render(request, "offline.html", {})
