"""Settings for Parallax, read from the environment (and a development `.env`).

DEBUG is off unless asked for; without DEBUG the app refuses to start until
SECRET_KEY and ALLOWED_HOSTS are given.
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

from parallax.env import env_bool, env_int, env_list, load_dotenv

BASE_DIR = Path(__file__).resolve().parent.parent
load_dotenv(BASE_DIR / ".env")

DEBUG = env_bool("DEBUG", False)

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Set it in the environment for production, or set "
            "DEBUG=true for development (bin/run writes a development .env for you)."
        )
    SECRET_KEY = "django-insecure-development-only-key-never-use-in-production"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"] if DEBUG else [])
if not ALLOWED_HOSTS:
    raise ImproperlyConfigured(
        "ALLOWED_HOSTS is not set. Give the host names this site answers to, "
        "comma-separated (ALLOWED_HOSTS=parallax.example.org)."
    )
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    # Its sitemap.xml templates, for reading/sitemaps.py.
    "django.contrib.sitemaps",
    "taggit",
    "axes",
    # The task queue in the database, and its worker (manage.py db_worker).
    "django_tasks_db",
    "sources",
    "annotations",
    "reading",
    # Project-wide models (the audit log, login delays); after auth and axes, whose
    # admin pages it replaces.
    "parallax",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Above WhiteNoise, which answers static files itself: they get the CSP too.
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Before sessions, auth and CSRF: a reader page cached for anonymous readers costs
    # one query and one cache read (parallax/page_cache.py).
    "parallax.page_cache.PageCacheMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: it turns a locked-out login into a 429 answer.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "parallax.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "parallax.context_processors.roles",
            ],
        },
    },
]

WSGI_APPLICATION = "parallax.wsgi.application"
ASGI_APPLICATION = "parallax.asgi.application"

# An embedded SQLite file by default; DATABASE_URL=postgres://… for PostgreSQL.
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'var' / 'parallax.sqlite3'}",
        conn_max_age=env_int("CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Several gunicorn workers write to one file. WAL lets readers go on while one
    # writer writes; writers take the write lock when their transaction begins
    # (IMMEDIATE), so one that read first cannot fail at once with "database is
    # locked" when it comes to write; and a writer waits up to 20 s for the lock
    # instead of failing. synchronous stays FULL: a write acknowledged is on disk.
    # Options given in DATABASE_URL win.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        **DATABASES["default"].get("OPTIONS", {}),
    }
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # No JIT compilation: it pays for analytic queries that run for seconds, while ours
    # are short lookups, and on tables an import has just filled (nothing has analysed
    # them yet) the planner overprices those and compiles them, which takes longer than
    # running them (bench/imports.py's tracing: 34 ms a lookup of 50 quotations with
    # JIT, 10 ms without). Set at connection, it costs no query. Options given in
    # DATABASE_URL win (a pooler that refuses startup options: ?options= to clear it).
    DATABASES["default"]["OPTIONS"] = {
        "options": "-c jit=off",
        **DATABASES["default"].get("OPTIONS", {}),
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Files kept for a while, such as an upload waiting for the import worker. A worker on
# another machine must read the same storage: a shared folder, or an object store
# configured in STORAGES["default"].
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT") or BASE_DIR / "var" / "media")
MEDIA_URL = "media/"
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

# Rendered reader pages for anonymous readers (parallax/page_cache.py), keyed by the
# content generation, so no entry is ever stale: each server may keep its own. Redis when
# REDIS_URL is set (shared by every app server). Otherwise files under var/cache: a hit
# reads a file the system keeps in memory, where the database cache would cost a second
# query per hit and a write into the database (SQLite's one write lock) per miss.
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "TIMEOUT": 60 * 60 * 24,
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": Path(os.environ.get("CACHE_DIR") or BASE_DIR / "var" / "cache"),
            "TIMEOUT": 60 * 60 * 24,
            # Entries of earlier generations are never read again; past this many files
            # a third of them, chosen at random, make room.
            "OPTIONS": {"MAX_ENTRIES": 3000},
        }
    }
# Off by default with DEBUG: a template edited under runserver would not show until the
# next write (the key holds a digest of the code taken when the process starts).
PARALLAX_PAGE_CACHE = env_bool("PAGE_CACHE", not DEBUG)

# Content-Security-Policy on every response: our own files only, nothing inline,
# nothing from a third party. Templates never use inline script or style.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}

SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# HTTPS in production; each can be switched off from the environment (for
# example behind a proxy that terminates TLS and redirects by itself).
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", not DEBUG)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", not DEBUG)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 60 * 60 * 24 * 365)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", not DEBUG)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", not DEBUG)
if env_bool("BEHIND_TLS_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Upload limits of the import page, shown on it; a file over them gets a message
# saying so, not an error page. A pasted text is held to the per-file limit.
PARALLAX_MAX_UPLOAD_FILE_BYTES = 10 * 1000 * 1000
PARALLAX_MAX_UPLOAD_BYTES = 50 * 1000 * 1000
PARALLAX_MAX_UPLOAD_FILES = 200
# What the zip archives of one upload (a zip inside a zip included) may unpack to and
# how many files they may hold, checked from each archive's directory before it is read.
PARALLAX_MAX_UPLOAD_UNPACKED_BYTES = 50 * 1000 * 1000
PARALLAX_MAX_UPLOAD_MEMBERS = 2000
# New articles one upload may create, and files and JSON records it may read (each a
# report row, whatever became of it); past either, one row says where the upload
# stopped. They keep an upload's work bounded by counting, well inside a worker's
# timeout. The import_articles command has neither limit.
PARALLAX_MAX_UPLOAD_ARTICLES = 1000
PARALLAX_MAX_UPLOAD_RECORDS = 2000
# Background work (browser imports) on Django's tasks framework. Queued in the database
# and run by `manage.py db_worker`, which needs no other service; with REDIS_URL, queued
# in Redis and run by `manage.py rq_worker` (parallax/rq_tasks.py: our own small backend
# on RQ, as django-tasks-rq runs on the django-tasks backport, not on django.tasks). Its
# queue names start with TASKS_QUEUE_PREFIX, so sites sharing a Redis keep apart.
if REDIS_URL:
    TASKS = {
        "default": {
            "BACKEND": "parallax.rq_tasks.RQBackend",
            "QUEUES": ["default"],
            "OPTIONS": {
                "REDIS_URL": REDIS_URL,
                "QUEUE_PREFIX": os.environ.get("TASKS_QUEUE_PREFIX") or "parallax",
            },
        }
    }
else:
    TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
# A browser upload up to this size (all its files together) is imported before the page
# answers; a larger one becomes a background job (sources/jobs.py).
PARALLAX_IMPORT_INLINE_BYTES = env_int("IMPORT_INLINE_BYTES", 256 * 1000)
# A running import whose worker has not reported for this long is taken as dead and
# resumed (by its page, the imports list, or `manage.py resume_imports`).
PARALLAX_IMPORT_STALE_MINUTES = env_int("IMPORT_STALE_MINUTES", 5)
# A claim page shows at most this many excerpts; its filters narrow a claim carried wider.
PARALLAX_CLAIM_PAGE_EXCERPTS = 500
# Writes to the API (reading/api/writes.py): at most this many per window of seconds, per
# token, or per address for a browser session; beyond, 429 with Retry-After.
PARALLAX_API_WRITES_PER_WINDOW = env_int("API_WRITES_PER_MINUTE", 120)
PARALLAX_API_WRITE_WINDOW_SECONDS = 60
# The body of an API write; a W3C import (a collection of annotations) may be larger.
PARALLAX_API_MAX_BODY_BYTES = 100 * 1000
PARALLAX_API_MAX_IMPORT_BYTES = 2 * 1000 * 1000
# Django answers 400 past this; one more than ours, so the import page can say it in words.
DATA_UPLOAD_MAX_NUMBER_FILES = PARALLAX_MAX_UPLOAD_FILES + 1
# Form data outside files (a pasted text): room for one article and the other fields.
DATA_UPLOAD_MAX_MEMORY_SIZE = PARALLAX_MAX_UPLOAD_FILE_BYTES + 100 * 1000

# Failed logins (django-axes, see parallax/login.py). Five failures for one username from
# one address lock that pair for 15 minutes; the same account from elsewhere still logs in.
# Failures for an account from any address beyond a few make it wait a little between tries.
AUTHENTICATION_BACKENDS = [
    "parallax.login.LoginThrottleBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_HANDLER = "parallax.login.LoginThrottleHandler"
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
# Tries while locked are refused unchecked and do not restart the 15 minutes.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_HTTP_RESPONSE_CODE = 429
AXES_LOCKOUT_CALLABLE = "parallax.login.lockout_response"
AXES_CLIENT_IP_CALLABLE = "parallax.login.client_address"
# Proxies in front of the app that append the client's address to X-Forwarded-For;
# 0 takes the connection's address (REMOTE_ADDR).
PARALLAX_NUM_PROXIES = env_int("NUM_PROXIES", 0)
if PARALLAX_NUM_PROXIES < 0:
    raise ImproperlyConfigured(f"NUM_PROXIES must be 0 or more, not {PARALLAX_NUM_PROXIES}")

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "reading:home"
LOGOUT_REDIRECT_URL = "reading:home"

# Tags are case-insensitive: "Admission" and "admission" are one tag.
TAGGIT_CASE_INSENSITIVE = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}
