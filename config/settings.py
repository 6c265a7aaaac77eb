"""Settings, every one of them read from the environment.

Two runtime profiles share this one module:

* embedded (nothing set): SQLite under ``var/``, the in-memory channel layer,
  a local-memory cache and the analysis run in-process. ``make run`` uses it.
* services (``DATABASE_URL`` and ``REDIS_URL`` set, as in docker-compose and
  CI): PostgreSQL, Redis as channel layer, cache and Celery broker.

The contract variables are listed in ``platform/env.example``.
"""

from __future__ import annotations

import secrets
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
env = environ.Env()

VAR_DIR = Path(env.str("VAR_DIR", default=str(BASE_DIR / "var")))
DATABASE_URL = env.str("DATABASE_URL", default="")
REDIS_URL = env.str("REDIS_URL", default="")
DEBUG = env.bool("DEBUG", default=False)


def _embedded_secret_key() -> str:
    """A per-checkout random key, so the embedded demo never runs on a published one."""
    path = VAR_DIR / "secret_key"
    if not path.exists():
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if DATABASE_URL:
        raise ImproperlyConfigured("SECRET_KEY must be set when DATABASE_URL is (services profile).")
    SECRET_KEY = _embedded_secret_key()

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "channels",
    "ideation",
    "bots",
    "worker",
]

MIDDLEWARE = [
    "config.middleware.HealthCheckMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.middleware.gzip.GZipMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "config.middleware.SecurityHeadersMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

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
            ],
            # The web adapter's template tags (ideation/web/templatetags/): ideation.web is a
            # package of the ideation app, not an app of its own, so its libraries are named here.
            "libraries": {
                "consult": "ideation.web.templatetags.consult",
                "live": "ideation.web.templatetags.live",
                "report": "ideation.web.templatetags.report",
            },
        },
    },
]

# --- Database ---------------------------------------------------------------
if DATABASE_URL:
    _db = env.db_url_config(DATABASE_URL)
    if _db["ENGINE"] == "django.db.backends.postgresql":
        # psycopg's pool: no connection setup per request (see GOTCHAS.md).
        _db.setdefault("OPTIONS", {})
        if env.bool("DATABASE_POOL", default=True):
            _db["OPTIONS"]["pool"] = {"min_size": 1, "max_size": env.int("DATABASE_POOL_SIZE", default=8)}
            _db["CONN_MAX_AGE"] = 0
    DATABASES = {"default": _db}
else:
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": VAR_DIR / "db.sqlite3",
            "OPTIONS": {
                # WAL and immediate transactions: the web requests and the
                # in-process analysis thread write without "database is locked".
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
            },
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Redis: cache, channel layer, Celery broker -------------------------------
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env.str("CACHE_KEY_PREFIX", default="consult"),
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
    CHANNEL_LAYERS = {
        "default": {
            # Redis Pub/Sub: each process keeps one subscription connection that reconnects
            # and resubscribes by itself after an outage. (The list-based RedisChannelLayer
            # shares one blocking read per process; cancelling it while Redis restarts could
            # leave every socket of the process waiting forever.) Events sent while a screen
            # is not subscribed are lost either way: the consumers' heartbeat catches up.
            "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
            "CONFIG": {
                "hosts": [{"address": REDIS_URL, "socket_timeout": 5, "socket_connect_timeout": 2}],
                "prefix": env.str("CHANNEL_LAYER_PREFIX", default="asgi"),
            },
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}

# Analyses: "celery" (workers, services profile), "thread" (in-process, embedded
# profile) or "off"; debounced per consultation (ideation/events/).
# Live pushes and analysis requests of one process are sent together, at most every this many seconds
# (ideation/events/coalesce.py); 0 sends each at once.
EVENTS_COALESCE_SECONDS = env.float("EVENTS_COALESCE_SECONDS", default=0.05)
ANALYSIS_RUNNER = env.str("ANALYSIS_RUNNER", default="celery" if REDIS_URL else "thread")
ANALYSIS_TASK = "worker.tasks.analyse_consultation"
ANALYSIS_DEBOUNCE_SECONDS = env.float("ANALYSIS_DEBOUNCE_SECONDS", default=2.0)
# Theme suggestion runs go the same way as analyses (ANALYSIS_RUNNER).
THEMING_TASK = "worker.tasks.suggest_themes"

CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_TRANSPORT_OPTIONS = {"socket_connect_timeout": 1, "socket_timeout": 2}

# --- Sessions, cookies, security ---------------------------------------------
# Sessions only serve facilitators (Django staff); participants carry a signed
# cookie of their own (ideation/web/participant_cookie.py) and no session row.
SESSION_ENGINE = "django.contrib.sessions.backends.db"
MESSAGE_STORAGE = "django.contrib.messages.storage.cookie.CookieStorage"
SESSION_COOKIE_HTTPONLY = True
CSRF_FAILURE_VIEW = "ideation.web.views.errors.csrf_failure"

HTTPS = env.bool("HTTPS", default=bool(DATABASE_URL))
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_SSL_REDIRECT = HTTPS
SECURE_HSTS_SECONDS = 31_536_000 if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if HTTPS else None
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "admin:login"

# --- Languages -----------------------------------------------------------------
LANGUAGE_CODE = "en"
LANGUAGES = [
    ("en", "English"),
    ("fr", "Français"),
    ("es", "Español"),
    ("ar", "العربية"),
]
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600
LANGUAGE_COOKIE_SAMESITE = "Lax"
LANGUAGE_COOKIE_SECURE = HTTPS
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = "UTC"
USE_TZ = True

# --- Static files ----------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = Path(env.str("STATIC_ROOT", default=str(VAR_DIR / "static")))
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "config.storage.StaticStorage"},
}
# Without collectstatic (tests, a fresh checkout) serve straight from the sources.
WHITENOISE_USE_FINDERS = env.bool("WHITENOISE_USE_FINDERS", default=not (STATIC_ROOT / "staticfiles.json").exists())

# --- The consultation domain ---------------------------------------------------
# Participant cookie: a signed, opaque participant id; nothing else.
PARTICIPANT_COOKIE_AGE = 365 * 24 * 3600
# Abuse limits for anonymous participation.
STATEMENTS_PER_HOUR = env.int("STATEMENTS_PER_HOUR", default=10)
NEW_PARTICIPANTS_PER_MINUTE = env.int("NEW_PARTICIPANTS_PER_MINUTE", default=20)
# How many reverse proxies sit in front (for the client address used, hashed
# and only in the cache, by the new-participant limit).
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)

# --- Telegram -------------------------------------------------------------------
TELEGRAM_BOT_TOKEN = env.str("TELEGRAM_BOT_TOKEN", default="")
TELEGRAM_API_URL = env.str("TELEGRAM_API_URL", default="https://api.telegram.org").rstrip("/")
TELEGRAM_WEBHOOK_SECRET = env.str("TELEGRAM_WEBHOOK_SECRET", default="")
# The bot's @username without the @, for "join on Telegram" links (t.me/<username>?start=<slug>).
TELEGRAM_BOT_USERNAME = env.str("TELEGRAM_BOT_USERNAME", default="").lstrip("@")
# The key of the HMAC that turns a Telegram user id into the stored participant key.
# Changing it (or SECRET_KEY, its default) makes the bot forget who is who.
TELEGRAM_KEY_SECRET = env.str("TELEGRAM_KEY_SECRET", default="") or SECRET_KEY
# Updates the bot handles at once (one at a time per user, always).
TELEGRAM_CONCURRENT_UPDATES = env.int("TELEGRAM_CONCURRENT_UPDATES", default=16)

# --- Logging: no IP addresses, no message texts --------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        # httpx logs every request URL at INFO, and Bot API URLs hold the bot token.
        "httpx": {"level": "WARNING"},
        "httpcore": {"level": "WARNING"},
        "telegram": {"level": "WARNING"},
    },
}
