"""Production settings for bench/scale.py's gunicorn: parallax.settings with DEBUG off, the
static files collected into a folder of the run's own (PARALLAX_BENCH_STATIC_ROOT) and
served by WhiteNoise from its manifest, as in production; PARALLAX_BENCH_NO_CACHE=1
replaces every configured cache with Django's dummy cache and turns the rendered-page
cache off, to compare."""

import os

os.environ.setdefault("SECRET_KEY", "bench-only-secret-key-not-for-any-real-site")
os.environ.setdefault("ALLOWED_HOSTS", "127.0.0.1,localhost")
os.environ["DEBUG"] = "false"
# Plain HTTP on loopback: no redirect to HTTPS.
for name in ("SECURE_SSL_REDIRECT", "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE"):
    os.environ[name] = "false"
os.environ["SECURE_HSTS_SECONDS"] = "0"

from parallax.settings import *  # noqa: E402, F403

STATIC_ROOT = os.environ["PARALLAX_BENCH_STATIC_ROOT"]
if os.environ.get("PARALLAX_BENCH_NO_CACHE") == "1":
    CACHES = {
        alias: {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}
        for alias in globals().get("CACHES", {"default": {}})
    }
    PARALLAX_PAGE_CACHE = False
