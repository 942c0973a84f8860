"""Every list of the API answers in a fixed number of SQL queries whatever the number of
rows, for readers and for editors (their session, user and group cost three more)."""

import pytest
from django.test import Client

from annotations.models import Annotation, Claim
from tests.api.helpers import API
from tests.factories import (
    ARTICLE_TEXT,
    make_annotation,
    make_article,
    make_claim,
    make_outlet,
    make_story,
    make_tag,
)


def make_rows(count: int):
    story = make_story(slug="the-story")
    claim = make_claim(story=story, status=Claim.Status.PUBLISHED, slug="the-claim")
    make_claim(story=story, statement="A draft")
    tag = make_tag(slug="the-tag")
    article = None
    for n in range(count):
        article = make_article(
            outlet=make_outlet(), story=story, text=f"{ARTICLE_TEXT}\n\nUpdate {n}."
        )
        make_annotation(article, "memo shows", claim=claim, note=f"n{n}").tags.add(tag)
        make_annotation(article, "chief engineer", note="other").tags.add(tag, make_tag())
        make_claim(story=story, status=Claim.Status.PUBLISHED, statement=f"Claim {n}")
    # The last article gets `count` more, so its own list grows too.
    for n in range(count):
        annotation = Annotation(article=article, start=n, end=n + 5, claim=claim, author=None)
        annotation.set_quote_from_offsets()
        annotation.save()
        annotation.tags.add(tag)
    return article


# Each list, its queries as a reader, and how many more an editor's cost: the rows (each
# with its counts as subqueries); for annotations their tags (one query for all); for
# claims their stories and stored counts; for an article's or a claim's annotations the
# article or claim first. Lists that show drafts or draft claims ask who the user is: an
# editor's session, user and groups (parallax.permissions.is_editor, cached after); the
# others never read the session.
LISTS = [
    ("outlets/", 1, 0),
    ("stories/", 1, 0),
    ("articles/", 1, 0),
    ("articles/?story=the-story", 1, 0),
    ("claims/", 2, 3),
    ("claims/?story=the-story", 2, 3),
    ("annotations/", 2, 3),
    ("annotations/?claim=the-claim&tag=the-tag", 2, 3),
    ("articles/{article}/annotations/", 3, 3),
    ("claims/the-claim/annotations/", 3, 3),
]


@pytest.mark.django_db
@pytest.mark.parametrize("count", [2, 9])
@pytest.mark.parametrize(("path", "queries", "editor_queries"), LISTS, ids=[p for p, *_ in LISTS])
def test_a_list_runs_a_fixed_number_of_queries(
    count, path, queries, editor_queries, django_assert_num_queries, make_editor
):
    article = make_rows(count)
    url = API + path.format(article=article.pk)
    editor = Client()
    editor.force_login(make_editor())

    with django_assert_num_queries(queries):
        response = Client().get(url)
    assert response.status_code == 200 and len(response.json()["items"]) >= count
    with django_assert_num_queries(queries + editor_queries):
        assert editor.get(url).status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("count", [2, 9])
def test_a_w3c_collection_runs_a_fixed_number_of_queries(count, django_assert_num_queries):
    article = make_rows(count)
    accept = 'application/ld+json; profile="http://www.w3.org/ns/anno.jsonld"'

    # The claim, its annotations with their articles, authors and claims, and their tags.
    with django_assert_num_queries(3):
        response = Client().get(f"{API}claims/the-claim/annotations/", HTTP_ACCEPT=accept)
    assert len(response.json()["first"]["items"]) == 2 * count
    with django_assert_num_queries(3):
        Client().get(f"{API}articles/{article.pk}/annotations/", HTTP_ACCEPT=accept)
