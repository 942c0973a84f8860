"""Reader pages served from a rendered cache to anonymous readers.

A shared link is opened by many readers who are not logged in, and the page they get is
the same for all of them until something they could see is written. So the answer to
an anonymous GET of a reader page (the routes of reading.urls) is kept in Django's cache
under a key made of its address and the content generation (parallax/generation.py),
which every such write moves in its own transaction. No write has to find the pages it
changed: after it commits, every page is looked up under a new key, and the old entries
age out of the cache.

The middleware sits before sessions, authentication and CSRF, so a hit costs one query
(the generation) and one cache read. ETag (the key) and Last-Modified (the generation's
time) let a browser's repeat visit cost a 304.

Nothing personal is ever kept: only requests without a session (no cookie but the CSRF
one, no Authorization header) are served or stored, and only 200 answers that set no
cookie and use no CSRF token.
"""

import functools
import hashlib
from dataclasses import dataclass

import django
from django.conf import settings
from django.core.cache import caches
from django.db import DatabaseError, connection
from django.http import HttpResponse
from django.urls import Resolver404, resolve
from django.utils import timezone
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.http import http_date

from parallax import generation

# The app whose routes are the reader pages: public, the same for every anonymous reader.
READER_NAMESPACE = "reading"
# What the code of a release is made of: a deploy that changes any of it changes every
# key, so no page rendered by the old templates is served by the new code.
RELEASE_FOLDERS = ("parallax", "sources", "annotations", "reading", "templates", "static")


@dataclass(frozen=True)
class Release:
    fingerprint: str
    # The newest of those files, as a Unix time: a page is no older than its template.
    time: int


@functools.cache
def release() -> Release:
    """A digest of the code and templates, worked out once per process (about 2 MB read)."""
    digest = hashlib.blake2b(django.get_version().encode(), digest_size=16)
    newest = 0.0
    root = settings.BASE_DIR
    for folder in RELEASE_FOLDERS:
        for path in sorted((root / folder).rglob("*")):
            if not path.is_file() or "__pycache__" in path.parts:
                continue
            digest.update(str(path.relative_to(root)).encode() + b"\0")
            digest.update(path.read_bytes())
            newest = max(newest, path.stat().st_mtime)
    return Release(digest.hexdigest(), int(newest))


def page_cache():
    return caches["default"]


def for_every_reader(request) -> bool:
    """True when the answer cannot depend on who asks: a GET or HEAD of a reader page,
    without a session or anything else that could make it personal."""
    if request.method not in ("GET", "HEAD"):
        return False
    if "HTTP_AUTHORIZATION" in request.META:
        return False
    # The session cookie means a login (an editor sees drafts); the messages cookie
    # carries a message for this reader. Only the CSRF cookie says nothing about anyone.
    if any(name != settings.CSRF_COOKIE_NAME for name in request.COOKIES):
        return False
    try:
        match = resolve(request.path_info)
    except Resolver404:
        return False
    return match.namespace == READER_NAMESPACE


def storable(request, response) -> bool:
    """Whether this answer may be served to any other anonymous reader."""
    user = getattr(request, "user", None)
    return (
        response.status_code == 200
        and not response.streaming
        and not response.cookies
        # The page holds a CSRF token (a form) meant for this reader's cookie alone.
        and not request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
        and not (user is not None and user.is_authenticated)
        and "private" not in response.get("Cache-Control", "")
        and "no-store" not in response.get("Cache-Control", "")
    )


def validators(request, current: generation.Generation) -> tuple[str, int]:
    """The page's ETag (also its cache key) and its Last-Modified, as a Unix time."""
    code = release()
    variant = request.build_absolute_uri()  # the host and scheme too: pages print links
    # A claim page prints the day it was read ("accessed 5 December 2026", for a
    # citation): a page is kept for one day at most.
    today = timezone.now().date().isoformat()
    digest = hashlib.blake2b(digest_size=20)
    for part in (code.fingerprint, str(current.number), str(current.token), today, variant):
        digest.update(part.encode() + b"\0")
    return f'"{digest.hexdigest()}"', max(int(current.changed_at.timestamp()), code.time)


def read_generation() -> generation.Generation | None:
    """The generation, read as the request's first query. With CONN_HEALTH_CHECKS a
    persistent connection is first checked with a query of its own; here the read is the
    check: a connection that fails it is closed and the read made again on a new one."""
    checking = (
        connection.health_check_enabled
        and not connection.health_check_done
        and connection.connection is not None
    )
    if not checking:
        return generation.current(connection)
    connection.health_check_done = True
    try:
        return generation.current(connection)
    except DatabaseError:
        if connection.in_atomic_block:
            raise
        connection.close()
        return generation.current(connection)


class PageCacheMiddleware:
    """Serves and fills the cache of reader pages; see the module's docstring."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not (
            settings.PARALLAX_PAGE_CACHE
            and connection.vendor in generation.VENDORS
            and for_every_reader(request)
        ):
            return self.get_response(request)
        current = read_generation()
        if current is None:
            return self.get_response(request)
        etag, last_modified = validators(request, current)
        key = f"page:{etag.strip(chr(34))}"
        cache = page_cache()
        stored = cache.get(key)
        if stored is not None:
            content, headers = stored
            response = HttpResponse(content, headers=headers)
        else:
            response = self.get_response(request)
            if not storable(request, response):
                return response
            response["ETag"] = etag
            response["Last-Modified"] = http_date(last_modified)
            # Browsers keep the page but ask each time; the answer is a 304 until a write.
            patch_cache_control(response, no_cache=True)
            # A HEAD answer's body may be dropped on its way: only a GET fills the cache.
            if request.method == "GET":
                cache.set(key, (response.content, dict(response.items())))
        return get_conditional_response(
            request, etag=etag, last_modified=last_modified, response=response
        )


def connect_signals() -> None:
    """Tests that change a setting get pages rendered with it: settings are not in the key."""
    from django.test.signals import setting_changed

    def forget_pages(**kwargs):
        page_cache().clear()

    setting_changed.connect(forget_pages, dispatch_uid="parallax-page-cache", weak=False)
