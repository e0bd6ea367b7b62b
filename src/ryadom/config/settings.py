"""Settings for every environment, read from the environment (one module, no per-env files)."""

from __future__ import annotations

import datetime
import os
import re
import tempfile
from pathlib import Path

import dj_database_url
from csp.constants import NONE as CSP_NONE
from csp.constants import SELF as CSP_SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _
from whitenoise.compress import Compressor

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
    "ryadom.audit.apps.BackOfficeAdminConfig",  # django.contrib.admin, third-party names in Russian
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_tasks",
    "django_tasks_db",
    # Security (docs/security.md): second factor, sign-in lockout; ninja serves the API
    # docs' scripts from our own static files, which the Content-Security-Policy allows.
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
    "ninja",
    "ryadom.core",
    "ryadom.accounts",
    "ryadom.security",
    "ryadom.geo",
    "ryadom.catalogue",
    "ryadom.institutions",
    "ryadom.organisations",
    "ryadom.volunteers",
    "ryadom.veterans",
    "ryadom.care",
    "ryadom.aftercare",
    "ryadom.entitlements",
    "ryadom.referrals",
    "ryadom.dispatch",
    "ryadom.audit",
    "ryadom.attachments",
    "ryadom.notifications",
    "ryadom.telegram",
    "ryadom.web",
    "ryadom.analytics",
    "ryadom.openings",
    "ryadom.privacy",
    "ryadom.interop",
    "ryadom.imports",
    "ryadom.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "ryadom.security.middleware.SessionLifetimeMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "ryadom.security.middleware.SecondFactorMiddleware",
    "ryadom.security.middleware.RateLimitMiddleware",
    # Inside the rate limit and sign-in checks: only the API call itself is rolled back.
    "ryadom.core.middleware.ApiWriteTransactionMiddleware",
    "ryadom.audit.context.AuditContextMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    # Last, as django-axes asks: it turns a locked-out sign-in into the lockout page.
    "axes.middleware.AxesMiddleware",
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
else:
    # A kept connection is checked before a request uses it: after PostgreSQL restarts, the
    # next request opens a new one instead of failing on the broken one.
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "ryadom.security.backends.LockoutBackend",
    "django.contrib.auth.backends.ModelBackend",
]
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
# Uploaded files: outside the web root, handed out only by a view that checks permission.
RYADOM_UPLOADS_DIR = Path(os.environ.get("RYADOM_UPLOADS_DIR", VAR_DIR / "uploads"))
# A veteran's personal data is anonymised this long after discharge and the last closed request.
RYADOM_RETENTION_DAYS = int(os.environ.get("RYADOM_RETENTION_DAYS", "365"))
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
# Source maps (the API docs' scripts bring 11 MB of them) are fetched only by a developer's
# tools: not worth compressing, which took half of collectstatic's time.
WHITENOISE_SKIP_COMPRESS_EXTENSIONS = [*Compressor.SKIP_COMPRESS_EXTENSIONS, "map"]

# --- Security (docs/security.md) -------------------------------------------------------------
# Production (RYADOM_PRODUCTION=1) needs a secret key from the environment and turns HTTPS on
# unless told otherwise; `ryadom check --deploy` is clean with it (tests/security).
PRODUCTION = env_bool("RYADOM_PRODUCTION", False)
# A session ends after 30 idle minutes (activity moves the end forward, written at most once
# a minute by ryadom.security.middleware.SessionLifetimeMiddleware rather than on every request
# as SESSION_SAVE_EVERY_REQUEST would), and 12 hours after signing in whatever happens.
SESSION_COOKIE_AGE = int(os.environ.get("RYADOM_SESSION_IDLE_SECONDS", str(30 * 60)))
SESSION_MAX_AGE = int(os.environ.get("RYADOM_SESSION_MAX_SECONDS", str(12 * 60 * 60)))
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
if env_bool("RYADOM_HTTPS", PRODUCTION):
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = True
    SECURE_HSTS_SECONDS = 60 * 60 * 24 * 365
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_REDIRECT_EXEMPT = [r"^api/v1/health$"]  # the load balancer probes over plain HTTP

# Content-Security-Policy (django-csp 4): no inline scripts or styles anywhere, no framing.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [CSP_SELF],
        "script-src": [CSP_SELF],
        "style-src": [CSP_SELF],
        "img-src": [CSP_SELF, "data:"],
        "font-src": [CSP_SELF],
        "connect-src": [CSP_SELF],
        "form-action": [CSP_SELF],
        "frame-ancestors": [CSP_NONE],
        "base-uri": [CSP_NONE],
        "object-src": [CSP_NONE],
    }
}

# Second factor (django-otp): required for staff roles (ryadom.security.twofactor).
TWO_FACTOR_REQUIRED = env_bool("RYADOM_2FA_REQUIRED", True)
OTP_TOTP_ISSUER = "Ryadom"

# Sign-in lockout (django-axes): 5 wrong passwords for one account from one address pause
# sign-in there for 15 minutes; a right password resets the count.
AXES_FAILURE_LIMIT = int(os.environ.get("RYADOM_LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = datetime.timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "ryadom.security.backends.lockout_response"
AXES_VERBOSE = False
AXES_DISABLE_ACCESS_LOG = True  # successful sign-ins are not kept: only failures count
# One answer to "which address is this" for lockout and rate limits; a forwarded header is
# believed only from as many proxies of ours as are declared here.
AXES_CLIENT_IP_CALLABLE = "ryadom.core.http.client_ip"
TRUSTED_PROXY_COUNT = int(os.environ.get("RYADOM_TRUSTED_PROXY_COUNT", "0"))


def _rate(bucket: str, default: str) -> tuple[int, int]:
    """(attempts, seconds) from RYADOM_RATE_<BUCKET> or the default: "60/h", "10/10m"."""
    name = f"RYADOM_RATE_{bucket.upper()}"
    value = os.environ.get(name, default)
    match = re.fullmatch(r"\s*([1-9]\d*)\s*/\s*(\d*)\s*([smhd])\s*", value)
    if match is None or match[2] == "0":
        raise ImproperlyConfigured(
            f"{name}={value!r}: write attempts per period, e.g. 60/h, 3000/h or 10/10m (s, m, h, d)"
        )
    unit = {"s": 1, "m": 60, "h": 3600, "d": 86400}[match[3]]
    return int(match[1]), int(match[2] or 1) * unit


# Rate limits (ryadom.security.ratelimit): bucket → (attempts, seconds) per person or address
# (per client for integration clients' API tokens); each can be set by RYADOM_RATE_<BUCKET>.
RATE_LIMITS: dict[str, tuple[int, int]] = {
    "login": _rate("login", "60/10m"),  # POSTs per address; wrong passwords also lock (axes)
    "signup": _rate("signup", "10/h"),
    "one_time_code": _rate("one_time_code", "5/h"),
    "intake": _rate("intake", "60/h"),  # POSTs: the ask form takes three per request
    "second_factor": _rate("second_factor", "10/10m"),
    # A hospital's or a region's system posting for all its wards (docs/security.md).
    "integration": _rate("integration", "3000/h"),
}
# Counters live in the cache: the local memory of one process by default, Redis when
# several processes serve the site (their counts must add up).
_cache_url = os.environ.get("RYADOM_CACHE_URL", "")
CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": _cache_url}
        if _cache_url
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}

# Background work: the database backend by default; a worker runs `ryadom db_worker
# --queue-name '*'`. Two queues: "urgent" for what someone is waiting for right now (sign-in
# codes, urgent messages), served first by every worker, and "default" for everything else
# (docs/operations.md, "Task queues").
TASK_QUEUES = ["urgent", "default"]
TASKS = {
    "default": {
        "BACKEND": os.environ.get("RYADOM_TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
        "QUEUES": TASK_QUEUES,
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
    # The bot's webhook is /telegram/webhook/<secret>/ (empty: the bot is off); its public name
    # makes the t.me link shown with a link code (docs/telegram.md).
    "TELEGRAM_WEBHOOK_SECRET": os.environ.get("RYADOM_TELEGRAM_WEBHOOK_SECRET", ""),
    "TELEGRAM_BOT_USERNAME": os.environ.get("RYADOM_TELEGRAM_BOT_USERNAME", ""),
    "HTTP_TIMEOUT_SECONDS": float(os.environ.get("RYADOM_NOTIFICATIONS_HTTP_TIMEOUT", "10")),
    # Temporary failures are retried after BACKOFF, 2×BACKOFF, 4×BACKOFF… (capped at
    # BACKOFF_MAX); after MAX_ATTEMPTS attempts the message is failed for good.
    "MAX_ATTEMPTS": int(os.environ.get("RYADOM_NOTIFICATIONS_MAX_ATTEMPTS", "6")),
    "BACKOFF_SECONDS": int(os.environ.get("RYADOM_NOTIFICATIONS_BACKOFF", "60")),
    "BACKOFF_MAX_SECONDS": int(os.environ.get("RYADOM_NOTIFICATIONS_BACKOFF_MAX", "3600")),
    # How long a worker may hold a message it is sending before another attempt may take it
    # over (a worker killed mid-send). Keep it well above the e-mail and HTTP timeouts.
    "LEASE_SECONDS": int(os.environ.get("RYADOM_NOTIFICATIONS_LEASE", "300")),
    # The task queues deliveries go to: urgent messages (sign-in codes among them) to
    # URGENT_QUEUE, which workers serve first, the rest to QUEUE. Both must be among the
    # backend's TASKS queues and served by a worker; an empty URGENT_QUEUE sends all to QUEUE.
    "QUEUE": os.environ.get("RYADOM_NOTIFICATIONS_QUEUE", "default"),
    "URGENT_QUEUE": os.environ.get("RYADOM_NOTIFICATIONS_URGENT_QUEUE", "urgent"),
    # New requests: at most N volunteers alerted per need, each at most M alerts a day.
    "ALERTS_PER_NEED": int(os.environ.get("RYADOM_ALERTS_PER_NEED", "5")),
    "ALERTS_PER_VOLUNTEER_PER_DAY": int(os.environ.get("RYADOM_ALERTS_PER_VOLUNTEER_DAY", "3")),
    # Requesters' status links (/s/<token>/) stay valid this many days.
    "STATUS_LINK_DAYS": int(os.environ.get("RYADOM_STATUS_LINK_DAYS", "30")),
    # Coordinators' daily digest, at this local time of their region.
    "DIGEST_AT": os.environ.get("RYADOM_DIGEST_AT", "08:00"),
}
# Referrals to partner services (referrals/conf.py): the partner's time to answer, the
# reminder before it ends, how long the partner's signed link works, how often the sweep runs.
REFERRALS = {
    "ANSWER_HOURS": int(os.environ.get("RYADOM_REFERRAL_ANSWER_HOURS", "72")),
    "REMIND_BEFORE_HOURS": int(os.environ.get("RYADOM_REFERRAL_REMIND_BEFORE_HOURS", "24")),
    "LINK_MAX_AGE_DAYS": int(os.environ.get("RYADOM_REFERRAL_LINK_DAYS", "30")),
    "SWEEP_MINUTES": int(os.environ.get("RYADOM_REFERRAL_SWEEP_MINUTES", "60")),
}
# The Redis-backed task backend (RYADOM_TASKS_BACKEND=django_tasks_rq.RQBackend) reads its
# queues from django-rq; workers run `ryadom rqworker --job-class django_tasks_rq.Job
# --worker-class rq.worker.SimpleWorker --with-scheduler urgent default` (the order is the
# priority: RQ takes the next job from the first queue that has one).
_redis_url = os.environ.get("RYADOM_REDIS_URL", "redis://127.0.0.1:6379/0")
RQ_QUEUES = {name: {"URL": _redis_url} for name in TASK_QUEUES}
if TASKS["default"]["BACKEND"] == "django_tasks_rq.RQBackend":
    INSTALLED_APPS.append("django_rq")
