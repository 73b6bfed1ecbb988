"""Settings for branchtrack, read from the environment (12-factor).

Every knob an operator turns lives in an environment variable; the defaults make a
first look (`make demo`) work with no server: an SQLite file and in-process tasks.
"""

import os
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", default=False)
# Only the demo and the test suite may run on the built-in key; production refuses it
# (see settings_production).
INSECURE_DEV_SECRET_KEY = "dev-only-insecure-key-branchtrack-not-for-production"
SECRET_KEY = os.environ.get("SECRET_KEY", INSECURE_DEV_SECRET_KEY)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "branchtrack.apps.AdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_filters",
    "treebeard",
    "simple_history",
    "rest_framework",
    "drf_spectacular",
    "branchtrack.web.background_jobs.apps.BackgroundJobsConfig",
    "org",
    "security",
    "supervision",
    "projects",
    "pairings",
    "assessment",
    "notifications",
    "api",
    "operations",
]

MIDDLEWARE = [
    # First: /healthz, /readyz and /metrics answer before the HTTPS redirect, the session and the language.
    "operations.middleware.OperationsEndpointsMiddleware",
    "operations.middleware.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "security.middleware.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # Writing requests, and a user's requests for a few seconds after a write, read the primary.
    "branchtrack.web.replica.ReadYourWritesMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "security.middleware.PrivateResponsesMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, so it is the first to see a view's exception: PostgreSQL down -> a 503 page, not a traceback.
    "security.middleware.DatabaseUnavailableMiddleware",
]

ROOT_URLCONF = "branchtrack.urls"
WSGI_APPLICATION = "branchtrack.wsgi.application"
ASGI_APPLICATION = "branchtrack.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "branchtrack.web.navigation.navigation",
                "notifications.context_processors.notifications",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "60")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The demo serves requests in threads. A transaction takes SQLite's write lock when it begins and
    # waits for it, so two simultaneous saves queue (and the optimistic-lock check refuses the stale
    # one) instead of the second failing with "database is locked" halfway through.
    DATABASES["default"]["OPTIONS"] = {"transaction_mode": "IMMEDIATE", "timeout": 20}
# A PostgreSQL streaming replica for heavy reads (branchtrack/web/replica.py, docs/deploy.md): dashboards'
# snapshots, the year-end export and the ranking read there; a user who wrote in the last
# REPLICA_READ_YOUR_WRITES_SECONDS reads the primary. In the test run the alias mirrors the test database.
if os.environ.get("REPLICA_DATABASE_URL"):
    DATABASES["replica"] = dj_database_url.parse(
        os.environ["REPLICA_DATABASE_URL"],
        conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "60")),
    )
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
REPLICA_DATABASE = "replica" if "replica" in DATABASES else ""
DATABASE_ROUTERS = ["branchtrack.web.replica.ReplicaRouter"]
REPLICA_READ_YOUR_WRITES_SECONDS = int(os.environ.get("REPLICA_READ_YOUR_WRITES_SECONDS", "10"))
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = ["org.auth_backend.UserWithOrgBackend"]
AUTH_USER_MODEL = "branchtrack.User"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = os.environ.get("TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Largest upload accepted (import files, activity photos and PDFs).
UPLOAD_MAX_BYTES = int(os.environ.get("UPLOAD_MAX_BYTES", str(10 * 1024 * 1024)))
# Bounds of a table import (.xlsx/.csv), checked before and while reading so that no file, however
# crafted, costs more than a few tens of MB or seconds (README "Importing tables"). A partial dict in a
# test's settings keeps the other defaults (branchtrack.web.tabular.import_limit).
IMPORT_LIMITS = {
    "max_bytes": UPLOAD_MAX_BYTES,  # the file as uploaded
    "max_uncompressed_bytes": 50 * 1024 * 1024,  # .xlsx: all zip members together, as declared
    "max_compression_ratio": 100,  # .xlsx: any member over 1 MiB unpacked; a zip bomb is 1000:1
    "max_zip_members": 200,  # .xlsx: a workbook of one sheet has about ten
    "max_rows": 20_000,  # rows read, the header and blank rows included
    "max_columns": 50,  # cells in any one row up to its last non-empty cell
    "max_cells": 400_000,  # cells read in the whole file
    "max_errors": 200,  # row errors listed; the rest are counted ("and 4,812 more")
    "max_preview_rows": 500,  # rows to create or change listed on the preview; the rest are counted
    "preview_max_age_seconds": 3600,  # an uploaded file waits this long for its confirmation
}
# Where an uploaded import file waits, under a random name, between its preview and its confirmation.
IMPORT_STAGING_DIR = Path(os.environ.get("IMPORT_STAGING_DIR", BASE_DIR / "import-staging"))

# Redis is the Celery broker and the cache. Without REDIS_URL (the demo) tasks run
# eagerly in the web process and the cache is process-local.
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Sessions come from the cache and are written through to the database (operations/sessions.py: Redis
# down falls back to the database alone).
SESSION_ENGINE = "operations.sessions"
# How long a session's cached copy lives (seconds): a sign-out during a Redis outage cannot delete it.
SESSION_CACHE_MAX_AGE = int(os.environ.get("SESSION_CACHE_MAX_AGE", "300"))

CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", default=not REDIS_URL)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = TIME_ZONE
# Publishing must not hang a web request when the broker is down: fail fast, the
# nightly beat job catches up.
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_BROKER_TRANSPORT_OPTIONS = {"max_retries": 1, "socket_connect_timeout": 2}
CELERY_TASK_PUBLISH_RETRY = False
CELERY_BEAT_SCHEDULE: dict = {}
# 走遍支部: nightly coverage roll-up (catches up on any on-commit job lost to a broker outage) and
# escalation of newly overdue problems to their owner unit's admins.
from celery.schedules import crontab  # noqa: E402

CELERY_BEAT_SCHEDULE["supervision-rollup-nightly"] = {
    "task": "supervision.rollup_all_campaigns",
    "schedule": crontab(hour=1, minute=30),
}
CELERY_BEAT_SCHEDULE["supervision-escalate-overdue"] = {
    "task": "supervision.escalate_overdue_problems",
    "schedule": crontab(hour=1, minute=45),
}
# Planned visits whose day has passed become missed (idempotent: a second run changes nothing).
# Notifications: reminders (problems due in 3 days, visits tomorrow, rating windows closing, dormant
# pairings) each morning; deliveries whose retry is due, or that a lost task left behind, every five minutes.
CELERY_BEAT_SCHEDULE["notifications-daily-reminders"] = {
    "task": "notifications.send_daily_reminders",
    "schedule": crontab(hour=7, minute=0),
}
# Each unit administrator's digest of last week (a second run that Monday sends nothing twice).
CELERY_BEAT_SCHEDULE["notifications-weekly-digest"] = {
    "task": "notifications.send_weekly_digests",
    "schedule": crontab(hour=7, minute=0, day_of_week="mon"),
}
CELERY_BEAT_SCHEDULE["notifications-due-deliveries"] = {
    "task": "notifications.send_due_deliveries",
    "schedule": crontab(minute="*/5"),
}
# Messages a minute to one channel (a DingTalk robot accepts 20).
# Encrypts the channels' signing secrets at rest (any long random string; several, comma-separated,
# rotate it: the first encrypts). Default: SECRET_KEY, so changing that makes stored secrets unreadable.
NOTIFICATION_SECRET_KEY = os.environ.get("NOTIFICATION_SECRET_KEY") or SECRET_KEY
NOTIFICATION_CHANNEL_RATE_PER_MINUTE = int(os.environ.get("NOTIFICATION_CHANNEL_RATE_PER_MINUTE", "20"))
CELERY_BEAT_SCHEDULE["supervision-missed-plans"] = {
    "task": "supervision.mark_missed_plans",
    "schedule": crontab(hour=0, minute=15),
}

# LOG_FORMAT=json: one JSON object per line (for a log shipper); text otherwise. Both carry the request id.
LOG_FORMAT = os.environ.get("LOG_FORMAT", "text")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "operations.json_logs.RequestIdFilter"}},
    "formatters": {
        "json": {"()": "operations.json_logs.JsonFormatter"},
        "text": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["request_id"],
            "formatter": "json" if LOG_FORMAT == "json" else "text",
        }
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        # WeasyPrint logs each rendering step at INFO and every CSS property it skips at WARNING.
        "weasyprint.progress": {"level": "WARNING"},
        "weasyprint": {"level": "ERROR"},
        # One access line per request with its id (operations.middleware); off with ACCESS_LOG=0.
        "branchtrack.request": {"level": "INFO" if env_bool("ACCESS_LOG", default=True) else "WARNING"},
    },
}
# The worker logs through LOGGING above (JSON too), not Celery's own set-up.
CELERY_WORKER_HIJACK_ROOT_LOGGER = False

# Operations (docs/deploy.md): /readyz fails when no worker has beaten for this long (beat queues the
# heartbeat every 30 s); /metrics wants `Authorization: Bearer METRICS_TOKEN`, or the loopback without it.
OPS_WORKER_HEARTBEAT_MAX_AGE = int(os.environ.get("OPS_WORKER_HEARTBEAT_MAX_AGE", "120"))
METRICS_TOKEN = os.environ.get("METRICS_TOKEN", "")
CELERY_BEAT_SCHEDULE["operations-worker-heartbeat"] = {
    "task": "operations.worker_heartbeat",
    "schedule": 30.0,
}

SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
# Own origin only, and no inline <script>, style="" or event handlers anywhere (security/).
CONTENT_SECURITY_POLICY = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "img-src": ["'self'", "data:"],
    "font-src": ["'self'"],
    "connect-src": ["'self'"],
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'none'"],
}
# Browser features pages may use: the visit form's photo input (camera, `capture`) and location (the
# offline visit records where it was made); everything else is off, for us and for anything embedded.
PERMISSIONS_POLICY = ", ".join(
    [
        "camera=(self)",
        "geolocation=(self)",
        *(
            f"{feature}=()"
            for feature in (
                "accelerometer",
                "autoplay",
                "bluetooth",
                "browsing-topics",
                "display-capture",
                "gyroscope",
                "hid",
                "magnetometer",
                "microphone",
                "midi",
                "payment",
                "serial",
                "usb",
                "xr-spatial-tracking",
            )
        ),
    ]
)
# Login throttling: this many failures within the window lock the account (or the address).
LOGIN_THROTTLE_WINDOW_SECONDS = int(os.environ.get("LOGIN_THROTTLE_WINDOW_SECONDS", "900"))
LOGIN_THROTTLE_USERNAME_LIMIT = int(os.environ.get("LOGIN_THROTTLE_USERNAME_LIMIT", "5"))
LOGIN_THROTTLE_IP_LIMIT = int(os.environ.get("LOGIN_THROTTLE_IP_LIMIT", "30"))
# Behind a reverse proxy that appends the client to X-Forwarded-For; otherwise leave off (spoofable).
# Email (escalated problems). Without EMAIL_HOST, mail is written to the log (the console).
EMAIL_HOST = os.environ.get("EMAIL_HOST", "")
EMAIL_BACKEND = (
    "django.core.mail.backends.smtp.EmailBackend"
    if EMAIL_HOST
    else "django.core.mail.backends.console.EmailBackend"
)
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS")
EMAIL_TIMEOUT = 10
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "branchtrack@localhost")
# Links in emails point here.
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000")

LOGIN_THROTTLE_TRUST_X_FORWARDED_FOR = env_bool("LOGIN_THROTTLE_TRUST_X_FORWARDED_FOR")

BRANCHTRACK_ROLE_LABELS = {
    "admin": _("Administrator"),
    "staff": _("Party-affairs staff"),
    "reviewer": _("Department reviewer"),
    "secretary": _("Branch secretary"),
}

# The REST API (api/): tokens or the session, the pages' permission API, one error shape.
API_RATE_LIMIT = os.environ.get("API_RATE_LIMIT", "600/minute")
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "api.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["api.access.RoleAndTokenAccess"],
    "DEFAULT_THROTTLE_CLASSES": ["api.throttling.PerTokenRateThrottle"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": [
        "rest_framework.parsers.JSONParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_SCHEMA_CLASS": "api.schema.ApiAutoSchema",
    # OPTIONS describes nothing beyond the schema: 405, like any other undocumented method.
    "DEFAULT_METADATA_CLASS": None,
    "EXCEPTION_HANDLER": "api.errors.api_exception_handler",
    "DEFAULT_PAGINATION_CLASS": "api.pagination.ApiCursorPagination",
    "PAGE_SIZE": 50,
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "branchtrack API",
    "DESCRIPTION": "Party-building campaigns: every object you may see on the pages, scoped the same way.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "ENUM_NAME_OVERRIDES": {
        "UnitKindEnum": "org.models.Unit.Kind",
        "FindingKindEnum": "supervision.models.Finding.Kind",
        "FindingStatusEnum": "supervision.models.Finding.Status",
        "VisitStatusEnum": "supervision.models.Visit.Status",
        "ProjectStatusEnum": "projects.models.BranchProject.Status",
        "RoundStatusEnum": "projects.models.RatingRound.Status",
        "PairingStatusEnum": "pairings.models.Pairing.Status",
    },
}
