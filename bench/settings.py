"""Settings for the benchmark: the app's own settings, plus a urlconf with one trivial view.

The trivial view is the yardstick of the load test: the same middleware, served the same way, but
no database work of its own, so a page's throughput can be read as a share of the framework's.
"""

from branchtrack.settings import *  # noqa: F403
from branchtrack.settings import ALLOWED_HOSTS

ROOT_URLCONF = "bench.urls"
# The runner drives pages with Django's test client, whose requests name this host.
ALLOWED_HOSTS = [*ALLOWED_HOSTS, "testserver"]
