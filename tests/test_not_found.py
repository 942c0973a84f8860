"""The 404 and 500 pages are the site's own (header, search box, home link); the 404 page
says the same words for a missing page and a draft, so a draft's existence never leaks."""

from urllib.parse import quote

import pytest
from django.test import RequestFactory
from django.urls import reverse

from annotations.models import Claim
from parallax.views import server_error
from tests.factories import make_claim

NOT_FOUND_WORDS = "This page does not exist, or is not published yet."


def assert_branded(page: str):
    """The site header with its search box, and a way home."""
    assert '<header class="site-header">' in page
    assert 'action="/search/"' in page
    assert '<label for="site-search-q">Search</label>' in page
    assert 'name="q"' in page
    assert 'href="/">Go to the home page</a>' in page


def without_path(page: str, path: str) -> str:
    """The page with the one place it names its own address (the login link's next=) blanked."""
    return page.replace(quote(path, safe="/"), "PATH")


@pytest.mark.django_db
def test_a_draft_claim_and_a_missing_one_answer_the_same_404_to_a_reader(client):
    draft = make_claim(statement="A secret in the making", status=Claim.Status.DRAFT)
    draft_path = draft.get_absolute_url()
    missing_path = reverse("reading:claim", args=["never-was-a-claim"])

    draft_response = client.get(draft_path)
    missing_response = client.get(missing_path)

    assert draft_response.status_code == missing_response.status_code == 404
    draft_page = draft_response.content.decode()
    missing_page = missing_response.content.decode()
    assert NOT_FOUND_WORDS in draft_page
    assert "A secret in the making" not in draft_page
    assert without_path(draft_page, draft_path) == without_path(missing_page, missing_path)


@pytest.mark.django_db
def test_an_editor_still_opens_the_draft(editor_client):
    draft = make_claim(statement="A secret in the making", status=Claim.Status.DRAFT)
    assert editor_client.get(draft.get_absolute_url()).status_code == 200


@pytest.mark.django_db
def test_the_404_page_is_branded_and_asks_nothing_of_the_database(
    client, django_assert_num_queries
):
    # A reader with no session: the header needs no query at all.
    with django_assert_num_queries(0):
        response = client.get("/no-such-page/")
    assert response.status_code == 404
    page = response.content.decode()
    assert NOT_FOUND_WORDS in page
    assert "<title>Page not found · Parallax</title>" in page
    assert_branded(page)


@pytest.mark.django_db
def test_the_404_page_shows_an_editor_who_they_are(editor_client):
    response = editor_client.get("/no-such-page/")
    assert response.status_code == 404
    page = response.content.decode()
    assert "Signed in as editor" in page
    assert_branded(page)


@pytest.mark.django_db
def test_a_hostile_path_is_escaped_on_the_404_page(client):
    response = client.get('/no-such-page/"><script>alert(1)</script>')
    assert response.status_code == 404
    assert "<script>alert(1)" not in response.content.decode()


@pytest.mark.django_db
def test_the_500_page_is_branded_and_asks_nothing_of_the_database(django_assert_num_queries):
    request = RequestFactory().get("/")
    with django_assert_num_queries(0):
        try:
            {}["missing"]
        except KeyError:
            response = server_error(request)
    assert response.status_code == 500
    page = response.content.decode()
    assert "Something went wrong on our side" in page
    assert_branded(page)
    assert 'href="/accounts/login/">Log in</a>' in page
