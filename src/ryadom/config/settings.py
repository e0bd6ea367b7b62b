"""Settings for every environment, read from the environment (one module, no per-env files)."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent  # src/ryadom
# Runtime files (SQLite database, collected static) live in a var/ directory chosen by the
# environment, never next to the code.
VAR_DIR = Path(os.environ.get("RYADOM_VAR_DIR", Path.cwd() / "var"))


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    return default if value is None else value.lower() in {"1", "true", "yes", "on"}


DEBUG = env_bool("RYADOM_DEBUG", False)
SECRET_KEY = os.environ.get("RYADOM_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG and env_bool("RYADOM_PRODUCTION", False):
        raise RuntimeError("RYADOM_SECRET_KEY must be set in production")
    SECRET_KEY = "insecure-development-key-change-me"  # noqa: S105 - development only
ALLOWED_HOSTS = os.environ.get("RYADOM_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]").split(",")
CSRF_TRUSTED_ORIGINS = [
    o for o in os.environ.get("RYADOM_CSRF_TRUSTED_ORIGINS", "").split(",") if o
]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_tasks",
    "django_tasks_db",
    "ryadom.core",
    "ryadom.accounts",
    "ryadom.geo",
    "ryadom.catalogue",
    "ryadom.institutions",
    "ryadom.organisations",
    "ryadom.volunteers",
    "ryadom.veterans",
    "ryadom.care",
    "ryadom.audit",
    "ryadom.notifications",
    "ryadom.web",
    "ryadom.openings",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "ryadom.config.urls"
# Where people reach the site; links in messages start with it.
SITE_URL = os.environ.get("RYADOM_SITE_URL", "http://127.0.0.1:8000").rstrip("/")
WSGI_APPLICATION = "ryadom.config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# SQLite (WAL) by default so the demo needs nothing installed; PostgreSQL when DATABASE_URL says.
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{VAR_DIR / 'ryadom.sqlite3'}", conn_max_age=60
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        # WAL lets readers run beside one writer; IMMEDIATE makes a write transaction take
        # the write lock at BEGIN, so two writers queue instead of failing on upgrade.
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
    # Tests use a file, not shared-cache memory: race tests run threads with their own
    # connections, which must wait on SQLite's lock the way production does.
    # One file per process, so concurrent test runs (and xdist workers) never share one.
    DATABASES["default"]["TEST"] = {
        "NAME": str(Path(tempfile.gettempdir()) / f"ryadom-test-{os.getpid()}.sqlite3")
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "ru"
LANGUAGES = [("ru", _("Russian")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = "Europe/Moscow"
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = DEBUG

SESSION_COOKIE_AGE = 60 * 60 * 8
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if env_bool("RYADOM_HTTPS", False):
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = True
    SECURE_HSTS_SECONDS = 60 * 60 * 24 * 365
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Background work: the database backend by default; a worker runs `ryadom db_worker`.
TASKS = {
    "default": {
        "BACKEND": os.environ.get("RYADOM_TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
    }
}
# How long the oldest waiting task may wait before /api/v1/health reports the worker as down.
WORKER_STALE_AFTER_SECONDS = int(os.environ.get("RYADOM_WORKER_STALE_AFTER", "120"))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("RYADOM_LOG_LEVEL", "INFO")},
}


# --- Notifications (ryadom.notifications; see docs/notifications.md) ---------------------------
# E-mail goes out through Django's SMTP backend, configured with Django's own EMAIL_* settings.
EMAIL_HOST = os.environ.get("RYADOM_EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("RYADOM_EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("RYADOM_EMAIL_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("RYADOM_EMAIL_PASSWORD", "")
EMAIL_USE_TLS = env_bool("RYADOM_EMAIL_USE_TLS", False)  # STARTTLS, usually port 587
EMAIL_USE_SSL = env_bool("RYADOM_EMAIL_USE_SSL", False)  # implicit TLS, usually port 465
EMAIL_TIMEOUT = int(os.environ.get("RYADOM_EMAIL_TIMEOUT", "20"))
DEFAULT_FROM_EMAIL = os.environ.get("RYADOM_EMAIL_FROM", "Рядом <noreply@ryadom.local>")
NOTIFICATIONS = {
    # SMS: an HTTP gateway that takes {"to", "text"} as JSON with the key in a header.
    "SMS_GATEWAY_URL": os.environ.get("RYADOM_SMS_GATEWAY_URL", ""),
    "SMS_GATEWAY_KEY": os.environ.get("RYADOM_SMS_GATEWAY_KEY", ""),
    # Telegram Bot API; the base URL is configurable so a proxy or a test server can stand in.
    "TELEGRAM_API_BASE": os.environ.get("RYADOM_TELEGRAM_API_BASE", "https://api.telegram.org"),
    "TELEGRAM_BOT_TOKEN": os.environ.get("RYADOM_TELEGRAM_BOT_TOKEN", ""),
    "HTTP_TIMEOUT_SECONDS": float(os.environ.get("RYADOM_NOTIFICATIONS_HTTP_TIMEOUT", "10")),
    # Temporary failures are retried after BACKOFF, 2×BACKOFF, 4×BACKOFF… (capped at
    # BACKOFF_MAX); after MAX_ATTEMPTS attempts the message is failed for good.
    "MAX_ATTEMPTS": int(os.environ.get("RYADOM_NOTIFICATIONS_MAX_ATTEMPTS", "6")),
    "BACKOFF_SECONDS": int(os.environ.get("RYADOM_NOTIFICATIONS_BACKOFF", "60")),
    "BACKOFF_MAX_SECONDS": int(os.environ.get("RYADOM_NOTIFICATIONS_BACKOFF_MAX", "3600")),
    # How long a worker may hold a message it is sending before another attempt may take it
    # over (a worker killed mid-send). Keep it well above the e-mail and HTTP timeouts.
    "LEASE_SECONDS": int(os.environ.get("RYADOM_NOTIFICATIONS_LEASE", "300")),
    # The task queue deliveries go to; a worker must serve it.
    "QUEUE": os.environ.get("RYADOM_NOTIFICATIONS_QUEUE", "default"),
}
# The Redis-backed task backend (RYADOM_TASKS_BACKEND=django_tasks_rq.RQBackend) reads its
# queues from django-rq; workers run `ryadom rqworker --job-class django_tasks_rq.Job
# --with-scheduler default`.
RQ_QUEUES = {"default": {"URL": os.environ.get("RYADOM_REDIS_URL", "redis://127.0.0.1:6379/0")}}
if TASKS["default"]["BACKEND"] == "django_tasks_rq.RQBackend":
    INSTALLED_APPS.append("django_rq")
