"""Reader pages served from a rendered cache to anonymous readers.

A shared link is opened by many readers who are not logged in, and the page they get is
the same for all of them until something they could see is written. So the answer to
an anonymous GET of a reader page (the routes of reading.urls) is kept in Django's cache
under a key made of its address and the content generation (parallax/generation.py),
which every such write moves in its own transaction. No write has to find the pages it
changed: after it commits, every page is looked up under a new key, and the old entries
age out of the cache.

The middleware sits before sessions, authentication and CSRF, so a hit costs one query
(the generation) and one cache read, or none: each process also keeps the pages it served
last (RecentPages), and the page of a link many readers open is served from there. ETag
(the key) and Last-Modified (the generation's time) let a browser's repeat visit cost a
304.

A page is kept gzipped, compressed once when it is stored (a claim page of 440 KiB keeps
as about 43 KiB), with its headers as a small dict: a hit reads and sends those bytes as
they are to a browser, which asks with `Accept-Encoding: gzip`, and unzips them only for
a client that does not. The two representations get strong ETags of their own (RFC 9110
8.8.3: a content coding is part of the representation), and both answers say `Vary:
Accept-Encoding`. Compressing is safe from BREACH here: a stored page holds no secret
(no CSRF token, nothing of a session). Django's GZipMiddleware, if ever added, goes above
this one: it leaves an answer that has a Content-Encoding alone, and below this one it
would hand over answers already compressed, which are served but not stored.

The CSP header is not stored: ContentSecurityPolicyMiddleware, above this one, writes it
on every answer, cached ones and 304s included, from the settings or from a view's own
policy (csp_override), which is stored with the page and put back on each hit. A page
that used the request's CSP nonce holds a value meant for one answer: it is not stored.

Nothing personal is ever kept: only requests without a session (no cookie but the CSRF
one, no Authorization header) are served or stored, and only 200 answers that set no
cookie and use no CSRF token.
"""

import functools
import gzip
import hashlib
import threading
from collections import OrderedDict
from dataclasses import dataclass

import django
from django.conf import settings
from django.core.cache import caches
from django.db import DatabaseError, connection
from django.http import HttpResponse
from django.urls import Resolver404, get_urlconf, resolve
from django.utils import timezone
from django.utils.cache import get_conditional_response, patch_cache_control, patch_vary_headers
from django.utils.http import http_date

from parallax import generation

# The app whose routes are the reader pages: public, the same for every anonymous reader.
READER_NAMESPACE = "reading"
# What the code of a release is made of: a deploy that changes any of it changes every
# key, so no page rendered by the old templates is served by the new code.
RELEASE_FOLDERS = ("parallax", "sources", "annotations", "reading", "templates", "static")
# Compressed once per page and generation and read many times: the smallest output is
# worth the few more milliseconds (about 13 ms for a claim page of 440 KiB).
GZIP_LEVEL = 9
# Set per representation on every answer, never stored with a page.
PER_REPRESENTATION = frozenset({"content-length", "content-encoding", "etag"})
# What each process keeps of the pages it served last, in gzip bytes (RecentPages).
RECENT_BYTES = 8 * 1024 * 1024
# The attributes by which a view sets its own policy (django.views.decorators.csp), read
# by ContentSecurityPolicyMiddleware on the way out.
CSP_ATTRIBUTES = ("_csp_config", "_csp_ro_config")


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
    return reader_page(get_urlconf(), request.path_info)


@functools.lru_cache(maxsize=1024)
def reader_page(urlconf: str | None, path: str) -> bool:
    """Whether a path is one of reading.urls' routes. Remembered: resolving walks every
    app's patterns (about 0.1 ms for a claim page), and a hit has little else to do."""
    try:
        match = resolve(path, urlconf)
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
        # Compressed below this middleware (GZipMiddleware placed under it): not the page.
        and not response.has_header("Content-Encoding")
        # The page holds a CSRF token (a form) meant for this reader's cookie alone.
        and not request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
        # The page prints a CSP nonce, valid for this one answer (LazyNonce is true once
        # a nonce was made).
        and not getattr(request, "_csp_nonce", None)
        and not (user is not None and user.is_authenticated)
        and "private" not in response.get("Cache-Control", "")
        and "no-store" not in response.get("Cache-Control", "")
    )


@functools.lru_cache(maxsize=256)
def accepts_gzip(accept_encoding: str) -> bool:
    """Whether an Accept-Encoding value takes gzip (RFC 9110 12.5.3): named, or covered by
    "*", with a weight above 0. Browsers send a few values, hence the cache."""
    anything = False
    for item in accept_encoding.split(","):
        coding, *parameters = (part.strip().lower() for part in item.split(";"))
        weight = 1.0
        for parameter in parameters:
            name, _, value = parameter.partition("=")
            if name.strip() == "q":
                try:
                    weight = float(value)
                except ValueError:
                    weight = 0.0
        if coding in ("gzip", "x-gzip"):
            return weight > 0
        if coding == "*":
            anything = weight > 0
    return anything


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
        gzipped = accepts_gzip(request.META.get("HTTP_ACCEPT_ENCODING", ""))
        key = f"page:{etag.strip(chr(34))}"
        stored = recent.get(key)
        if stored is None:
            stored = page_cache().get(key)
            if stored is not None:
                recent.put(key, stored)
        plain = None
        if stored is None:
            rendered = self.get_response(request)
            if not storable(request, rendered):
                return rendered
            stored = to_store(rendered, last_modified)
            plain = rendered.content
            # A HEAD answer's body may be dropped on its way: only a GET fills the cache.
            if request.method == "GET":
                page_cache().set(key, stored)
                recent.put(key, stored)
        response = answer(stored, etag, gzipped, plain)
        return get_conditional_response(
            request, etag=response["ETag"], last_modified=last_modified, response=response
        )


class RecentPages:
    """The pages this process served last, by cache key, up to a number of bytes: a shared
    link's page is then served without reading the cache at all. An entry is never stale:
    its key holds the generation, so after a write it is simply not asked for again."""

    def __init__(self, limit: int):
        self.limit = limit
        self.size = 0
        self.entries: OrderedDict[str, tuple[bytes, dict, dict]] = OrderedDict()
        self.lock = threading.Lock()  # a threaded server's requests share the process

    def get(self, key: str):
        with self.lock:
            stored = self.entries.get(key)
            if stored is not None:
                self.entries.move_to_end(key)
            return stored

    def put(self, key: str, stored: tuple[bytes, dict, dict]) -> None:
        if len(stored[0]) > self.limit:
            return
        with self.lock:
            if key in self.entries:
                self.entries.move_to_end(key)
                return
            self.entries[key] = stored
            self.size += len(stored[0])
            while self.size > self.limit:
                _, oldest = self.entries.popitem(last=False)
                self.size -= len(oldest[0])

    def clear(self) -> None:
        with self.lock:
            self.entries.clear()
            self.size = 0


recent = RecentPages(RECENT_BYTES)


def to_store(response, last_modified: int) -> tuple[bytes, dict, dict]:
    """What the cache keeps of a rendered page: its body gzipped, the headers every
    representation shares, and the view's own CSP policy if it set one."""
    response["Last-Modified"] = http_date(last_modified)
    # Browsers keep the page but ask each time; the answer is a 304 until a write.
    patch_cache_control(response, no_cache=True)
    patch_vary_headers(response, ["Accept-Encoding"])
    headers = {
        name: value for name, value in response.items() if name.lower() not in PER_REPRESENTATION
    }
    policy = {name: getattr(response, name) for name in CSP_ATTRIBUTES if hasattr(response, name)}
    # mtime 0: the same page compresses to the same bytes, as its strong ETag promises.
    return gzip.compress(response.content, GZIP_LEVEL, mtime=0), headers, policy


def answer(stored: tuple[bytes, dict, dict], etag: str, gzipped: bool, plain: bytes | None):
    """The stored page as the client takes it: the gzip bytes as they are, or unzipped
    (`plain`, when the page was just rendered, saves the unzipping)."""
    body, headers, policy = stored
    if not gzipped:
        body = gzip.decompress(body) if plain is None else plain
    response = HttpResponse(body, headers=headers)
    response["Content-Length"] = str(len(body))
    if gzipped:
        response["Content-Encoding"] = "gzip"
        response["ETag"] = f'{etag[:-1]}-gzip"'
    else:
        response["ETag"] = etag
    for name, value in policy.items():
        setattr(response, name, value)
    return response


def connect_signals() -> None:
    """Tests that change a setting get pages rendered with it: settings are not in the key."""
    from django.test.signals import setting_changed

    def forget_pages(**kwargs):
        page_cache().clear()
        recent.clear()
        reader_page.cache_clear()  # ROOT_URLCONF, say

    setting_changed.connect(forget_pages, dispatch_uid="parallax-page-cache", weak=False)
