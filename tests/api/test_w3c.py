"""The API speaks the W3C Web Annotation format to clients that ask for it (Accept), and
all it serves that way meets the MUST assertions of the W3C Working Group's tests
(annotations.w3c_validation). An article's page names its annotation container."""

import pytest
from django.test import Client

from annotations.models import Annotation
from annotations.w3c import ANNO_CONTEXT, MEDIA_TYPE
from annotations.w3c_validation import W3CValidator
from tests.api.helpers import API, build_world
from tests.helpers import SHARED, require_shared

pytestmark = pytest.mark.django_db

WEB_ANNOTATION_TESTS = SHARED / "standards" / "web-annotation-tests"
W3C = {"HTTP_ACCEPT": MEDIA_TYPE}
# The same type without its profile: the format too.
LD = {"HTTP_ACCEPT": "application/ld+json"}


@pytest.fixture(scope="module")
def validator():
    return W3CValidator(require_shared(WEB_ANNOTATION_TESTS, "the W3C Web Annotation tests"))


@pytest.fixture
def world(editor):
    return build_world(author=editor)


def failures(found) -> list[str]:
    return [failure.assertion for failure in found]


def ld(client, url, accept=W3C):
    response = client.get(url, **accept)
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == MEDIA_TYPE
    assert "Accept" in response["Vary"]
    return response.json()


def check_page(validator, page):
    assert failures(validator.page_failures(page)) == []
    for item in page["items"]:
        assert failures(validator.annotation_failures({"@context": ANNO_CONTEXT, **item})) == []


def collection_pages(client, validator, url, accept=W3C) -> list[dict]:
    """The collection at `url`, checked, and each of its pages, checked, following `next`."""
    collection = ld(client, url, accept)
    assert failures(validator.collection_failures(collection)) == []
    assert collection["type"] == "AnnotationCollection"
    assert collection["id"] == f"http://testserver{url.split('?')[0]}"
    pages = [{"@context": ANNO_CONTEXT, **collection["first"]}]
    while pages[-1].get("next"):
        pages.append(ld(client, pages[-1]["next"], accept))
        assert pages[-1]["partOf"]["id"] == collection["id"]
    for page in pages:
        check_page(validator, page)
    return pages


@pytest.mark.parametrize("accept", [W3C, LD], ids=["profile", "no profile"])
def test_an_annotation_in_the_w3c_format_conforms(client, validator, world, accept):
    for annotation in (*world.annotations, world.on_draft):
        url = f"{API}annotations/{annotation.pk}/"
        data = ld(client, url, accept)

        assert failures(validator.annotation_failures(data)) == []
        # Its id is this address, which answers in this format.
        assert data["id"] == f"http://testserver{url}"
        assert ld(client, data["id"], accept) == data


def test_json_is_still_the_api_own(client, world):
    for accept in ("application/json", "*/*", None):
        headers = {"HTTP_ACCEPT": accept} if accept else {}
        response = client.get(f"{API}annotations/{world.annotations[0].pk}/", **headers)
        assert response["Content-Type"].startswith("application/json")
        assert response["Vary"].startswith("Accept")
        assert response.json()["exact"] == "failed two inspections"


def test_readers_get_no_draft_claim_in_the_format(client, world, make_editor):
    url = f"{API}annotations/{world.on_draft.pk}/"
    editor_client = Client()
    editor_client.force_login(make_editor(username="second"))

    reader = ld(client, url)
    editor = ld(editor_client, url)
    assert not any(b.get("purpose") == "classifying" for b in reader.get("body", []))
    assert any(b.get("purpose") == "classifying" for b in editor["body"])


@pytest.mark.parametrize("limit", [1, 2, 50])
def test_an_articles_annotation_collection_and_its_pages_conform(client, validator, world, limit):
    article = world.articles[0]
    url = f"{API}articles/{article.pk}/annotations/?limit={limit}"

    pages = collection_pages(client, validator, url)

    ids = [item["id"] for page in pages for item in page["items"]]
    expected = [world.annotations[0].pk, world.on_draft.pk]
    assert ids == [f"http://testserver{API}annotations/{pk}/" for pk in expected]
    assert [page["startIndex"] for page in pages] == list(range(0, len(expected), limit))


def test_a_claims_annotation_collection_conforms(client, validator, world):
    url = f"{API}claims/{world.published.slug}/annotations/?limit=2"

    pages = collection_pages(client, validator, url, LD)

    assert sum(len(page["items"]) for page in pages) == 3
    assert pages[0]["partOf"] == {"id": f"http://testserver{url.split('?')[0]}"}


def test_an_empty_collection_conforms(client, validator, world):
    article = world.articles[2]
    Annotation.objects.filter(article=article).delete()

    pages = collection_pages(client, validator, f"{API}articles/{article.pk}/annotations/")

    assert pages[0]["items"] == []


def test_the_annotations_list_offers_json_only(client, world):
    assert client.get(f"{API}annotations/", **W3C).status_code == 406
    assert client.get(f"{API}annotations/{world.deleted.pk}/", **W3C).status_code == 404


def test_an_articles_page_names_its_annotation_container(client, world):
    article = world.articles[0]

    response = client.get(article.get_absolute_url())

    container = f"http://testserver{API}articles/{article.pk}/annotations/"
    assert response["Link"] == f'<{container}>; rel="http://www.w3.org/ns/oa#annotationService"'
    assert client.get(container, **W3C)["Content-Type"] == MEDIA_TYPE


@pytest.mark.page_cache
def test_the_link_is_kept_with_a_cached_page(world):
    article = world.articles[1]
    container = f"http://testserver{API}articles/{article.pk}/annotations/"

    answers = [Client().get(article.get_absolute_url()) for _ in range(2)]

    assert [a.status_code for a in answers] == [200, 200]
    assert all(container in a["Link"] for a in answers)
