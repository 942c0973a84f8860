"""WSGI entry point, for gunicorn: `gunicorn parallax.wsgi`."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "parallax.settings")

application = get_wsgi_application()
