"""Settings for the test suite: production-like (DEBUG off), with HTTPS redirects off."""

import os
import tempfile
from pathlib import Path

os.environ.setdefault("SECRET_KEY", "test-suite-only-secret-key-not-for-any-real-site")
os.environ.setdefault("ALLOWED_HOSTS", "testserver,localhost,127.0.0.1")
os.environ["DEBUG"] = "false"
for name in ("SECURE_SSL_REDIRECT", "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE"):
    os.environ[name] = "false"
os.environ["SECURE_HSTS_SECONDS"] = "0"

from parallax.settings import *  # noqa: E402, F403

# Tests never run collectstatic; serve static files from the source folders.
STORAGES["staticfiles"] = {  # noqa: F405
    "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
}
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# Tasks run as they are enqueued, in the test's own transaction: the job code is the same.
# Tests that start a real worker (tests/sources/test_import_jobs.py) keep the database queue.
if os.environ.get("PARALLAX_TEST_REAL_WORKER") != "1":
    TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
# Uploads waiting for an import job go to a folder of the run's own, not var/media.
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT") or tempfile.mkdtemp(prefix="parallax-media-"))

# The cache of rendered reader pages is in memory (each test process has its own, and no
# folder is left behind) and off: a page served from it has no `response.context` and
# runs one query, not the view's. Tests marked `page_cache` turn it on (tests/conftest.py);
# PARALLAX_TEST_PAGE_CACHE=1 turns it on everywhere, to check that no test reads a stale
# page after a write.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
PARALLAX_PAGE_CACHE = os.environ.get("PARALLAX_TEST_PAGE_CACHE") == "1"
