"""The bench settings, serving as production does: static files collected and gzip-compressed by
WhiteNoise, and pages gzip-compressed (production's nginx does that with `gzip on`; the bench has no
nginx, so Django's GZipMiddleware, which pads its output against BREACH, stands in for it).

(Static files without the manifest's hashed names: the vendored Chart.js still points at a source
map the repository does not hold, which the manifest storage refuses; issue 14, item 2.)
"""

from bench.settings import *  # noqa: F403
from bench.settings import MIDDLEWARE, STORAGES

STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"}}
MIDDLEWARE = ["django.middleware.gzip.GZipMiddleware", *MIDDLEWARE]
