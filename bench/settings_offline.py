"""The bench settings, serving static files as production does: collected, gzip-compressed by WhiteNoise.

(Without the manifest's hashed names: the vendored Chart.js still points at a source map the
repository does not hold, which the manifest storage refuses; issue 14, item 2.)
"""

from bench.settings import *  # noqa: F403
from bench.settings import STORAGES

STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"}}
