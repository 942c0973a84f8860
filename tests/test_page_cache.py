"""Reader pages served from the rendered cache (parallax/page_cache.py), keyed by the
content generation (parallax/generation.py): a repeat visit costs one query, a browser's
repeat a 304, and every kind of write shows on the next visit."""

import gzip
import io
import shutil
import socket
import subprocess
import time

import psycopg
import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection
from django.http import HttpResponse
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.csp import LazyNonce

from annotations import w3c
from annotations.models import Annotation, Claim, Tag
from parallax import generation, page_cache
from sources import quotations
from sources.models import Outlet, Quotation, Story
from sources.revisions import revise_text
from tests.databases import connection_params
from tests.factories import (
    MEMO_RECOUNTED,
    MEMO_TEXT,
    make_annotation,
    make_article,
    make_claim,
    make_outlet,
    make_story,
)
from tests.helpers import selection
from tests.url_world import build_world, url_patterns, variants

pytestmark = [pytest.mark.django_db, pytest.mark.page_cache]


def visit(url: str, **headers):
    """An anonymous reader's request, from a browser of its own (no cookie)."""
    return Client().get(url, headers=headers)


def queries_of(url: str, **headers):
    with CaptureQueriesContext(connection) as queries:
        response = visit(url, **headers)
    return response, len(queries)


def cached(url: str) -> str:
    """The page a reader gets, once the cache is known to hold it: the next reader is
    served the same bytes with one query (the generation)."""
    first = visit(url)
    assert first.status_code == 200, url
    again, count = queries_of(url)
    assert (again.status_code, count) == (200, 1), url
    assert again.content == first.content
    return again.content.decode()


def fresh(url: str) -> str:
    response = visit(url)
    assert response.status_code == 200, url
    return response.content.decode()


@pytest.fixture
def superuser(django_user_model):
    return django_user_model.objects.create_superuser("root", password="pw-root-12345")


@pytest.fixture
def published():
    """A published claim with one outlet's excerpt."""
    article = make_article(outlet=make_outlet(name="Harbour Gazette"))
    claim = make_claim(story=article.story, statement="The memo was internal")
    claim.status = Claim.Status.PUBLISHED
    claim.save()
    make_annotation(article, "memo shows", claim=claim, note="First note")
    return claim


# ---- Served from the cache ----


@pytest.mark.parametrize("outlets", [1, 30], ids=["1-outlet", "30-outlets"])
def test_a_repeat_visit_is_the_same_bytes_for_one_query(outlets, django_assert_num_queries):
    article = make_article()
    claim = make_claim(story=article.story, status=Claim.Status.PUBLISHED)
    make_annotation(article, "memo shows", claim=claim)
    for _ in range(outlets - 1):
        other = make_article(story=article.story)
        make_annotation(other, "memo shows", claim=claim)
    url = claim.get_absolute_url()
    first = visit(url)
    assert first.status_code == 200
    # The generation; the page comes from the cache.
    with django_assert_num_queries(1):
        again = visit(url)
    assert again.content == first.content
    assert again["Content-Type"] == first["Content-Type"]


def test_every_reader_page_is_served_from_the_cache(django_user_model):
    world = build_world()
    urls = [
        world.url(pattern, variant)
        for pattern in url_patterns()
        if pattern.key.startswith("reading:")
        for variant in variants(pattern)
    ]
    urls.append(reverse("reading:search") + "?q=memo")
    served = {}
    for url in urls:
        first = visit(url)
        again, count = queries_of(url)
        served[url] = (first.status_code, count)
        if first.status_code == 200:
            assert again.content == first.content, url
    assert [url for url, (status, count) in served.items() if status == 200 and count != 1] == []
    # The draft claim's pages answer 404, and a 404 is never kept.
    draft = world.draft_claim.get_absolute_url()
    assert served[draft][0] == 404 and served[draft][1] > 1


def test_a_cached_answer_keeps_the_security_headers(published):
    url = published.get_absolute_url()
    first = visit(url)
    again, count = queries_of(url)
    assert count == 1
    for header in (
        "Content-Security-Policy",
        "X-Frame-Options",
        "X-Content-Type-Options",
        "Referrer-Policy",
        "Cross-Origin-Opener-Policy",
        "Vary",
    ):
        assert again[header] == first[header], header
    assert "script-src 'self'" in again["Content-Security-Policy"]
    assert again["X-Frame-Options"] == "DENY"
    assert not again.cookies


def test_head_is_served_from_the_cache_too(published):
    url = published.get_absolute_url()
    cached(url)
    with CaptureQueriesContext(connection) as queries:
        response = Client().head(url)
    assert (response.status_code, len(queries)) == (200, 1)
    assert response.content == b""


def from_the_shared_cache(url: str) -> str:
    """The page as another process gets it: from the configured cache, not from the pages
    this process served last."""
    page = cached(url)
    page_cache.recent.clear()
    again, count = queries_of(url, accept_encoding="gzip")
    assert (again.status_code, count) == (200, 1)
    assert gzip.decompress(again.content).decode() == page
    return page


def test_a_file_cache_serves_the_same_way(published, settings, tmp_path):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(tmp_path),
        }
    }
    url = published.get_absolute_url()
    assert "The memo was internal" in from_the_shared_cache(url)
    assert any(tmp_path.rglob("*.djcache"))
    Claim.objects.filter(pk=published.pk).update(statement="The memo was leaked")
    assert "The memo was leaked" in fresh(url)


@pytest.fixture
def redis_server(tmp_path):
    """A redis-server of the test's own on a free port, when the machine has one."""
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.skip("redis-server is not installed")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    process = subprocess.Popen(
        [binary, "--port", str(port), "--save", "", "--appendonly", "no", "--dir", str(tmp_path)],
        stdout=subprocess.DEVNULL,
    )
    try:
        for _ in range(100):
            with socket.socket() as client:
                if client.connect_ex(("127.0.0.1", port)) == 0:
                    break
            time.sleep(0.05)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_redis_serves_the_same_way(published, settings, redis_server):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": redis_server,
        }
    }
    url = published.get_absolute_url()
    assert "The memo was internal" in from_the_shared_cache(url)
    Claim.objects.filter(pk=published.pk).update(statement="The memo was leaked")
    assert "The memo was leaked" in fresh(url)


def test_a_process_keeps_only_so_many_bytes_of_recent_pages():
    recent = page_cache.RecentPages(limit=100)
    recent.put("a", (b"x" * 40, {}, {}))
    recent.put("b", (b"x" * 40, {}, {}))
    assert recent.get("a") is not None  # now the most recent
    recent.put("c", (b"x" * 40, {}, {}))
    assert [key for key in "abc" if recent.get(key)] == ["a", "c"]
    assert recent.size == 80
    recent.put("huge", (b"x" * 101, {}, {}))
    assert recent.get("huge") is None and recent.size == 80


# ---- Never personal ----


def test_editors_neither_get_nor_fill_cached_pages(published, editor_client, editor):
    url = published.get_absolute_url()
    with CaptureQueriesContext(connection) as queries:
        assert editor_client.get(url).status_code == 200
    # The editor's page filled nothing: the first reader's visit renders the page.
    first, count = queries_of(url)
    assert count > 1
    assert "Signed in as" not in first.content.decode()
    # And a cached page is not what an editor gets.
    assert queries_of(url)[1] == 1
    with CaptureQueriesContext(connection) as queries:
        page = editor_client.get(url).content.decode()
    assert len(queries) > 1
    assert f"Signed in as {editor.username}" in page
    assert "ETag" not in editor_client.get(url)


def test_a_session_cookie_is_never_served_a_cached_page(published):
    url = published.get_absolute_url()
    cached(url)
    browser = Client()
    browser.cookies[settings.SESSION_COOKIE_NAME] = "not-a-session"
    with CaptureQueriesContext(connection) as queries:
        assert browser.get(url).status_code == 200
    assert len(queries) > 1


def test_a_draft_never_reaches_readers_through_the_cache(editor_client, editor):
    article = make_article()
    draft = make_claim(
        story=article.story, statement="A draft readers must not see", created_by=editor
    )
    make_annotation(article, "memo shows", claim=draft)
    url = draft.get_absolute_url()
    assert "A draft readers must not see" in editor_client.get(url).content.decode()
    for _ in range(2):
        assert visit(url).status_code == 404
    assert "A draft readers must not see" not in cached(reverse("reading:claims"))
    assert "A draft readers must not see" not in cached(article.get_absolute_url())

    editor_client.post(
        reverse("annotations:claim-publish", args=[draft.slug]), {"status": "published"}
    )

    assert "A draft readers must not see" in fresh(url)
    assert "A draft readers must not see" in fresh(reverse("reading:claims"))


# ---- 304 ----


def test_a_repeat_visit_with_the_etag_is_not_modified_until_a_write(published):
    url = published.get_absolute_url()
    first = visit(url)
    etag = first["ETag"]
    assert first["Cache-Control"] == "no-cache"

    response, count = queries_of(url, if_none_match=etag)
    assert (response.status_code, count) == (304, 1)
    assert response.content == b""
    assert response["ETag"] == etag

    Claim.objects.filter(pk=published.pk).update(statement="The memo was leaked")
    response = visit(url, if_none_match=etag)
    assert response.status_code == 200
    assert response["ETag"] != etag
    assert "The memo was leaked" in response.content.decode()


def test_a_repeat_visit_with_the_date_is_not_modified_until_a_write(published):
    url = published.get_absolute_url()
    first = visit(url)
    last_modified = first["Last-Modified"]

    response, count = queries_of(url, if_modified_since=last_modified)
    assert (response.status_code, count) == (304, 1)

    # The generation's time moves with the write; backdate the date the browser holds
    # rather than wait for the clock to pass a second.
    Claim.objects.filter(pk=published.pk).update(statement="The memo was leaked")
    response = visit(url, if_modified_since="Mon, 01 Jan 2024 00:00:00 GMT")
    assert response.status_code == 200
    assert "The memo was leaked" in response.content.decode()


def test_the_etag_differs_by_address(published):
    one = visit(published.get_absolute_url())["ETag"]
    other = visit(published.get_absolute_url() + "?view=timeline")["ETag"]
    assert one != other


# ---- Compressed for the browsers that take it ----

BROWSER = "gzip, deflate, br, zstd"


def uncached(url: str, settings) -> bytes:
    """The page as rendered, with the page cache off."""
    settings.PARALLAX_PAGE_CACHE = False
    page = visit(url).content
    settings.PARALLAX_PAGE_CACHE = True
    return page


def test_a_browser_gets_the_page_gzipped_from_the_cache(published, settings):
    url = published.get_absolute_url()
    page = uncached(url, settings)
    first = visit(url, accept_encoding=BROWSER)
    # The generation; the stored gzip bytes are sent as they are.
    again, count = queries_of(url, accept_encoding=BROWSER)
    assert count == 1
    for response in (first, again):
        assert response.status_code == 200
        assert response["Content-Encoding"] == "gzip"
        assert int(response["Content-Length"]) == len(response.content) < len(page) / 2
        assert gzip.decompress(response.content) == page
    assert again.content == first.content


@pytest.mark.parametrize("accept_encoding", [None, "", "identity", "br", "gzip;q=0", "*;q=0"])
def test_a_client_that_does_not_take_gzip_gets_the_page_plain(published, settings, accept_encoding):
    url = published.get_absolute_url()
    page = uncached(url, settings)
    headers = {} if accept_encoding is None else {"accept_encoding": accept_encoding}
    # Stored by a browser's visit, unzipped for this client.
    visit(url, accept_encoding=BROWSER)
    response, count = queries_of(url, **headers)
    assert (response.status_code, count) == (200, 1)
    assert "Content-Encoding" not in response
    assert int(response["Content-Length"]) == len(response.content)
    assert response.content == page


def test_both_answers_vary_by_accept_encoding(published):
    url = published.get_absolute_url()
    for headers in ({"accept_encoding": BROWSER}, {}, {"accept_encoding": BROWSER}, {}):
        response = visit(url, **headers)
        assert "Accept-Encoding" in [v.strip() for v in response["Vary"].split(",")]


def test_each_encoding_has_a_strong_etag_of_its_own(published):
    """RFC 9110 8.8.3: a strong ETag names one representation, content coding included."""
    url = published.get_absolute_url()
    zipped = visit(url, accept_encoding=BROWSER)["ETag"]
    plain = visit(url)["ETag"]
    assert zipped != plain
    assert zipped.startswith('"') and plain.startswith('"')
    assert visit(url, accept_encoding=BROWSER)["ETag"] == zipped
    assert visit(url)["ETag"] == plain


@pytest.mark.parametrize("accept_encoding", [BROWSER, ""], ids=["gzip", "plain"])
def test_a_repeat_visit_with_its_etag_is_not_modified_in_each_encoding(published, accept_encoding):
    url = published.get_absolute_url()
    first = visit(url, accept_encoding=accept_encoding)
    etag = first["ETag"]
    response, count = queries_of(url, accept_encoding=accept_encoding, if_none_match=etag)
    assert (response.status_code, count) == (304, 1)
    assert response.content == b""
    assert response["ETag"] == etag
    assert "Accept-Encoding" in response["Vary"]
    assert "script-src 'self'" in response["Content-Security-Policy"]
    response = visit(url, accept_encoding=accept_encoding, if_modified_since=first["Last-Modified"])
    assert response.status_code == 304

    Claim.objects.filter(pk=published.pk).update(statement="The memo was leaked")
    response = visit(url, accept_encoding=accept_encoding, if_none_match=etag)
    assert response.status_code == 200
    assert response["ETag"] != etag


def test_the_other_encodings_etag_gets_the_whole_page(published):
    """A browser holding the plain page that now takes gzip gets the gzip page, not a 304
    for bytes it does not have."""
    url = published.get_absolute_url()
    plain = visit(url)["ETag"]
    response = visit(url, accept_encoding=BROWSER, if_none_match=plain)
    assert response.status_code == 200
    assert response["Content-Encoding"] == "gzip"
    zipped = response["ETag"]
    assert visit(url, if_none_match=zipped).status_code == 200


def test_a_gzipped_hit_keeps_the_security_headers(published):
    url = published.get_absolute_url()
    first = visit(url)
    again, count = queries_of(url, accept_encoding=BROWSER)
    assert count == 1 and again["Content-Encoding"] == "gzip"
    for header in (
        "Content-Security-Policy",
        "X-Frame-Options",
        "X-Content-Type-Options",
        "Referrer-Policy",
        "Cross-Origin-Opener-Policy",
    ):
        assert again[header] == first[header], header
    assert "script-src 'self'" in again["Content-Security-Policy"]


@pytest.mark.parametrize("accept_encoding", [BROWSER, ""], ids=["gzip", "plain"])
def test_head_answers_with_the_headers_of_the_get(published, accept_encoding):
    url = published.get_absolute_url()
    headers = {"accept_encoding": accept_encoding}
    # Before the page is stored (a HEAD does not store it), then from the cache.
    before = Client().head(url, headers=headers)
    get = visit(url, **headers)
    with CaptureQueriesContext(connection) as queries:
        head = Client().head(url, headers=headers)
    assert (head.status_code, len(queries)) == (200, 1)
    for response in (before, head):
        assert response.content == b""
        for header in ("ETag", "Content-Length", "Content-Type", "Vary", "Last-Modified"):
            assert response[header] == get[header], header
        assert response.get("Content-Encoding") == get.get("Content-Encoding")
        assert "script-src 'self'" in response["Content-Security-Policy"]


@pytest.mark.parametrize(
    "value, takes",
    [
        ("gzip", True),
        ("gzip, deflate, br, zstd", True),
        ("br;q=1.0, GZip;q=0.5", True),
        ("x-gzip", True),
        ("*", True),
        ("br, *;q=0.1", True),
        ("", False),
        ("identity", False),
        ("br, deflate", False),
        ("gzip;q=0", False),
        ("gzip;q=0.000, *", False),
        ("*;q=0", False),
        ("gzip;q=nonsense", False),
    ],
)
def test_which_accept_encoding_takes_gzip(value, takes):
    assert page_cache.accepts_gzip(value) is takes


@pytest.mark.parametrize("place", ["above", "below"])
def test_gzip_middleware_never_compresses_twice(published, settings, place):
    """Above the page cache, GZipMiddleware leaves the gzipped page alone; below it, the
    answers it compressed are served as they are but not stored."""
    url = published.get_absolute_url()
    page = uncached(url, settings)
    middleware = list(settings.MIDDLEWARE)
    at = middleware.index("parallax.page_cache.PageCacheMiddleware") + (place == "below")
    middleware.insert(at, "django.middleware.gzip.GZipMiddleware")
    settings.MIDDLEWARE = middleware
    for _ in range(2):
        response = visit(url, accept_encoding=BROWSER)
        assert response["Content-Encoding"] == "gzip"
        assert gzip.decompress(response.content) == page
    assert visit(url).content == page


def test_a_page_that_used_the_csp_nonce_is_not_stored():
    request = RequestFactory().get("/")
    request._csp_nonce = LazyNonce()
    assert page_cache.storable(request, HttpResponse("<p>page</p>"))
    str(request._csp_nonce)  # as a template printing it does
    assert not page_cache.storable(request, HttpResponse("<p>page</p>"))


def test_a_views_own_csp_policy_is_put_back_on_every_hit():
    rendered = HttpResponse("<p>page</p>")
    rendered._csp_config = {"img-src": ["https://maps.example.org"]}
    stored = page_cache.to_store(rendered, last_modified=0)
    for gzipped in (True, False):
        response = page_cache.answer(stored, '"key"', gzipped, plain=None)
        assert response._csp_config == {"img-src": ["https://maps.example.org"]}
        assert not hasattr(response, "_csp_ro_config")


# ---- Every kind of write shows on the next visit ----


def test_annotating_from_the_page(editor_client, published):
    article = make_article(outlet=make_outlet(name="Quay Tribune"), story=published.story)
    url = published.get_absolute_url()
    assert "how 1 outlet worded this claim" in cached(url)
    response = editor_client.post(
        reverse("annotations:annotation-create", args=[article.pk]),
        selection(article, "memo shows", claim=published.statement, tags="admission"),
    )
    assert response.status_code == 201
    assert "how 2 outlets worded this claim" in fresh(url)


def test_editing_an_annotation(editor_client, editor):
    annotation = make_annotation(make_article(), "memo shows", author=editor, note="First note")
    url = annotation.get_absolute_url()
    assert "First note" in cached(url)
    response = editor_client.post(
        reverse("annotations:annotation-edit", args=[annotation.pk]),
        {"tags": "", "note": "Second note", "stance": "", "claim": "", "version": 1},
    )
    assert response.status_code == 302
    page = fresh(url)
    assert "Second note" in page and "First note" not in page


def test_changing_an_annotations_tags(editor_client, editor):
    annotation = make_annotation(make_article(), "the hinges were corroded", author=editor)
    url = reverse("reading:tag", args=["framing"])
    assert "the hinges were corroded" not in cached(url)
    editor_client.post(
        reverse("annotations:annotation-edit", args=[annotation.pk]),
        {"tags": "framing", "note": "", "stance": "", "claim": "", "version": 1},
    )
    assert "the hinges were corroded" in fresh(url)


def test_merging_a_tag(client, editor, django_user_model):
    moderator = django_user_model.objects.create_user("mod", password="pw-mod-12345", is_staff=True)
    client.force_login(moderator)
    annotation = make_annotation(make_article(), "memo shows", author=editor)
    proposal = Tag.objects.create(
        name="spin", slug="spin", status=Tag.Status.PROPOSED, proposed_by=editor
    )
    annotation.tags.add(proposal)
    url = reverse("reading:tag", args=["framing"])
    assert "memo shows" not in cached(url)
    client.post(
        reverse("annotations:tag-merge", args=["spin"]),
        {"into": Tag.objects.get(name="framing").pk},
    )
    assert "memo shows" in fresh(url)


def test_editing_a_claim(editor_client, editor):
    claim = make_claim(statement="Old wording", status=Claim.Status.PUBLISHED, created_by=editor)
    url = reverse("reading:claims")
    assert "Old wording" in cached(url)
    response = editor_client.post(
        reverse("annotations:claim-edit", args=[claim.slug]),
        {"statement": "New wording", "version": 1},
    )
    assert response.status_code == 302
    page = fresh(url)
    assert "New wording" in page and "Old wording" not in page


def test_publishing_a_claim(editor_client, editor):
    claim = make_claim(statement="Soon published", created_by=editor)
    url = reverse("reading:claims")
    assert "Soon published" not in cached(url)
    editor_client.post(
        reverse("annotations:claim-publish", args=[claim.slug]), {"status": "published"}
    )
    assert "Soon published" in fresh(url)


def test_a_change_in_the_admin(client, superuser):
    claim = make_claim(statement="Old wording", status=Claim.Status.PUBLISHED)
    url = reverse("reading:claims")
    assert "Old wording" in cached(url)
    client.force_login(superuser)
    response = client.post(
        reverse("admin:annotations_claim_change", args=[claim.pk]),
        {
            "story": claim.story_id,
            "slug": claim.slug,
            "statement": "Wording from the admin",
            "status": "published",
        },
    )
    assert response.status_code == 302
    assert "Wording from the admin" in fresh(url)


LIGHTHOUSE = (
    "Lighthouse keeper retires after forty winters\n\n"
    "The last keeper of the Grey Point light handed over the keys on Sunday, "
    "forty winters after he first climbed its hundred and twelve steps.\n"
)


def test_an_import_from_the_command_line(tmp_path):
    story = make_story(title="Grey Point light")
    url = story.get_absolute_url()
    assert "Lighthouse keeper retires" not in cached(url)
    (tmp_path / "lighthouse.txt").write_text(LIGHTHOUSE)
    call_command(
        "import_articles",
        str(tmp_path / "lighthouse.txt"),
        "--outlet",
        "Coastal Courier",
        "--story",
        "Grey Point light",
        stdout=io.StringIO(),
    )
    assert "Lighthouse keeper retires" in fresh(url)


def test_a_backup_loaded_with_import_corpus(tmp_path, published):
    """A restore writes in bulk, through no view: the pages show it all the same."""
    url = published.get_absolute_url()
    backup = tmp_path / "backup.jsonl"
    call_command("export_corpus", str(backup), stdout=io.StringIO(), stderr=io.StringIO())
    Annotation.objects.all().delete()
    assert "First note" not in cached(url)

    call_command("import_corpus", str(backup), stdout=io.StringIO(), stderr=io.StringIO())

    assert "First note" in fresh(url)


def test_annotations_imported_in_the_w3c_format(editor):
    article = make_article(outlet=make_outlet(name="Lagoon Post"), url="https://post.test/a")
    url = article.get_absolute_url()
    assert "Imported note" not in cached(url)
    # Words the text holds once, so the quote alone places them.
    quote = article.text[: article.text.index(" ", 25)]
    assert article.text.count(quote) == 1
    annotation = {
        "@context": "http://www.w3.org/ns/anno.jsonld",
        "type": "Annotation",
        "body": [{"type": "TextualBody", "purpose": "commenting", "value": "Imported note"}],
        "target": {
            "source": "https://post.test/a",
            "selector": [{"type": "TextQuoteSelector", "exact": quote}],
        },
    }

    report = w3c.import_annotations(annotation, editor, base_url="https://parallax.test")

    assert [outcome.status for outcome in report.outcomes] == [w3c.CREATED]
    assert "Imported note" in fresh(url)


def test_an_upload_from_the_import_page(editor_client):
    story = make_story(title="Grey Point light")
    url = story.get_absolute_url()
    assert "Lighthouse keeper retires" not in cached(url)
    files = [
        SimpleUploadedFile(
            "manifest.csv", b"file,outlet,story\nlighthouse.txt,Courier,Grey Point light\n"
        ),
        SimpleUploadedFile("lighthouse.txt", LIGHTHOUSE.encode()),
    ]
    response = editor_client.post(
        reverse("sources:import"), {"form": "upload", "upload-files": files}
    )
    assert response.status_code in (200, 302)
    assert "Lighthouse keeper retires" in fresh(url)


def test_a_correction_from_the_article_page(editor_client):
    article = make_article(text=MEMO_TEXT)
    url = article.get_absolute_url()
    assert "failed three times" not in cached(url)
    response = editor_client.post(
        reverse("annotations:article-correct", args=[article.pk]),
        {"text": MEMO_RECOUNTED, "text_version": 1},
    )
    assert response.status_code == 302
    assert "failed three times" in fresh(url)


def test_a_review_decision_after_a_correction(editor_client, editor):
    article = make_article(text=MEMO_TEXT)
    annotation = make_annotation(article, "failed twice before the storm", author=editor)
    revise_text(article, MEMO_RECOUNTED, user=editor, source="reader")
    quote = "failed three times before the storm"
    start = MEMO_RECOUNTED.index(quote)
    Annotation.objects.filter(pk=annotation.pk).update(
        anchor_status=Annotation.AnchorStatus.REVIEW,
        proposed_start=start,
        proposed_end=start + len(quote),
        anchored_version=1,
    )
    annotation.refresh_from_db()
    url = annotation.get_absolute_url()
    assert "failed three times before the storm" not in cached(url)
    response = editor_client.post(
        reverse("annotations:annotation-accept", args=[annotation.pk]),
        {"version": annotation.version},
    )
    assert response.status_code == 302
    assert "failed three times before the storm" in fresh(url)


LONG = "We never tested the flood gates before the storm season began"


def quoting(story, outlet_name, paragraph):
    article = make_article(
        outlet=make_outlet(name=outlet_name), story=story, text=f"Title\n\n{paragraph}"
    )
    quotations.extract(article)
    return article


def gates(article) -> Quotation:
    return Quotation.objects.get(article=article, text__icontains="flood gates")


def test_taking_a_rendering_out_of_a_trace_and_joining_one(editor_client):
    story = make_story(title="Harbour gates")
    wire = quoting(story, "Harbour Wire", f"“{LONG},” Ana Lind admitted.")
    tribune = quoting(
        story,
        "Dock Tribune",
        "“We never checked the flood gates before the storm season began,” Ana Lind said.",
    )
    quotations.trace(list(Quotation.objects.filter(article__in=[wire, tribune])))
    assert gates(wire).trace_id == gates(tribune).trace_id is not None
    url = gates(wire).get_absolute_url()
    assert "<strong>Dock Tribune</strong>" in cached(url)

    take_out = reverse("annotations:quotation-take-out", args=[tribune.pk, gates(tribune).key])
    editor_client.post(take_out, {"next": url})
    assert "<strong>Dock Tribune</strong>" not in fresh(url)
    assert "<strong>Dock Tribune</strong>" not in cached(url)

    join = reverse("annotations:quotation-join", args=[wire.pk, gates(wire).key])
    editor_client.post(join, {"other_article": tribune.pk, "other_key": gates(tribune).key})
    assert "<strong>Dock Tribune</strong>" in fresh(url)


def test_a_bulk_update_that_sends_no_signal():
    outlet = make_outlet(name="Old Outlet Name")
    url = outlet.get_absolute_url()
    assert "Old Outlet Name" in cached(url)
    Outlet.objects.filter(pk=outlet.pk).update(name="New Outlet Name")
    assert "New Outlet Name" in fresh(url)


def test_a_raw_sql_write():
    story = make_story(title="Old story title")
    url = story.get_absolute_url()
    assert "Old story title" in cached(url)
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE sources_story SET title = %s WHERE id = %s", ["New story title", story.pk]
        )
    assert "New story title" in fresh(url)


def test_renaming_an_account_moves_the_generation_and_a_login_does_not(editor):
    before = generation.current(connection)
    editor.last_login = None
    editor.save(update_fields=["last_login"])
    assert generation.current(connection) == before
    editor.username = "renamed"
    editor.save()
    assert generation.current(connection).number > before.number


# ---- The generation itself ----


def test_every_content_table_has_the_triggers():
    """A model added to sources/ or annotations/ gets them after migrating; one that no
    reader page shows is named in generation.NOT_SHOWN."""
    tables = set(generation.content_tables())
    assert {"sources_article", "sources_passage", "annotations_annotation"} <= tables
    assert "sources_quotationshingle" not in tables
    assert tables | {"auth_user"} <= generation.triggered_tables(connection)


def test_a_write_rolled_back_leaves_the_generation_as_it_was():
    from django.db import transaction

    before = generation.current(connection)
    with pytest.raises(RuntimeError), transaction.atomic():
        make_story()
        raise RuntimeError
    assert generation.current(connection) == before


def postgresql_only():
    if connection.vendor != "postgresql":
        pytest.skip("runs when the suite runs on PostgreSQL (DATABASE_URL=postgres://…)")


def test_postgresql_bumps_once_per_transaction():
    postgresql_only()
    from django.db import transaction

    before = generation.current(connection)
    with transaction.atomic():
        Story.objects.bulk_create(Story(title=f"Story {n}", slug=f"s-{n}") for n in range(50))
        for _ in range(5):
            make_story()
    generation.current(connection)  # a read inside the transaction: the next write bumps
    make_story()
    assert generation.current(connection).number == before.number + 2


@pytest.mark.django_db(transaction=True)
def test_postgresql_writers_do_not_wait_for_each_other_on_the_generation():
    """Two transactions writing at once each take a shard of their own: the second does
    not wait for the first to commit (it would fail its lock timeout)."""
    postgresql_only()
    params = connection_params(connection.settings_dict["NAME"])
    generation.install(connection)
    before = generation.current(connection)
    with psycopg.connect(**params) as first, psycopg.connect(**params) as second:
        first.execute(
            "INSERT INTO sources_story (title, slug, description, created) VALUES ('One', 'one', '', now())"
        )
        second.execute("SET lock_timeout = '2s'")
        second.execute(
            "INSERT INTO sources_story (title, slug, description, created) VALUES ('Two', 'two', '', now())"
        )
        second.commit()
        first.commit()
    assert generation.current(connection).number == before.number + 2


@pytest.mark.django_db(transaction=True)
def test_postgresql_stamps_the_generation_at_commit():
    """Last-Modified is the commit's time, not the first write's: a transaction that
    started earlier but commits later still moves it forward."""
    postgresql_only()
    from django.db import transaction

    generation.install(connection)
    with transaction.atomic():
        make_story()
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT max(changed_at), clock_timestamp() FROM parallax_contentgeneration"
            )
            written, committing = cursor.fetchone()
    stamped = generation.current(connection).changed_at
    assert written < committing < stamped
