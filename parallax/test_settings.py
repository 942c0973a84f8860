"""Settings for the test suite: production-like (DEBUG off), with HTTPS redirects off."""

import os

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
