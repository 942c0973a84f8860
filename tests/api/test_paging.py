"""Cursor paging: walking any list page by page gives every row once, in order; cursors are
refused when they are not the list's own. The cursor's encoding is checked without a
database."""

import datetime

import pytest

from annotations.models import Annotation, Claim
from reading.api import keyset
from tests.api.helpers import API, walk
from tests.factories import (
    ARTICLE_TEXT,
    make_annotation,
    make_article,
    make_claim,
    make_outlet,
    make_story,
)

ROWS = 23


@pytest.fixture
def many(db):
    """ROWS outlets, stories, articles, published claims and annotations, all in one story
    with one claim carrying every annotation."""
    story = make_story()
    claim = make_claim(story=story, status=Claim.Status.PUBLISHED, statement="Carried by all")
    article = None
    for n in range(ROWS):
        make_story()
        make_claim(story=story, status=Claim.Status.PUBLISHED, statement=f"Claim {n % 5} {n}")
        article = make_article(
            outlet=make_outlet(), story=story, text=f"{ARTICLE_TEXT}\n\nUpdate {n}."
        )
        make_annotation(article, "memo shows", claim=claim)
    # One article with ROWS annotations of its own, for its collection.
    for n in range(ROWS):
        start = n
        annotation = Annotation(article=article, start=start, end=start + 5, claim=claim)
        annotation.set_quote_from_offsets()
        annotation.save()
    return story, claim, article


def every_row(pages, key):
    return [item[key] for page in pages for item in page["items"]]


@pytest.mark.parametrize(
    ("path", "key"),
    [
        ("outlets/", "slug"),
        ("stories/", "slug"),
        ("articles/", "id"),
        ("claims/", "slug"),
        ("annotations/", "id"),
    ],
)
@pytest.mark.parametrize("limit", [1, 4, 7, 200])
def test_walking_a_list_gives_every_row_once_in_order(client, many, path, key, limit):
    whole = client.get(f"{API}{path}?limit=200").json()
    assert whole["next"] is None
    everything = [item[key] for item in whole["items"]]
    assert len(everything) >= ROWS

    pages = walk(client, f"{API}{path}?limit={limit}")

    assert every_row(pages, key) == everything
    assert len(set(everything)) == len(everything)
    assert all(len(page["items"]) == limit for page in pages[:-1])
    assert 1 <= len(pages[-1]["items"]) <= limit


def test_a_claims_and_an_articles_annotations_walk_the_same_way(client, many):
    _, claim, article = many
    for path, total in (
        (f"claims/{claim.slug}/annotations/", 2 * ROWS),
        (f"articles/{article.pk}/annotations/", ROWS + 1),
    ):
        pages = walk(client, f"{API}{path}?limit=5")
        ids = every_row(pages, "id")
        assert len(ids) == len(set(ids)) == total
        assert ids == sorted(ids)


def test_filters_are_kept_from_page_to_page(client, many):
    story, _, _ = many
    pages = walk(client, f"{API}articles/?story={story.slug}&limit=3")

    assert len(every_row(pages, "id")) == ROWS
    assert all(f"story={story.slug}" in page["next"] for page in pages[:-1])


def test_a_forged_cursor_is_refused_not_obeyed_beyond_its_list(client, many):
    forged = keyset.encode(keyset.Cursor(("not a date", 1), 0))
    assert client.get(f"{API}stories/?cursor={forged}").status_code == 400
    wrong_type = keyset.encode(keyset.Cursor(("abc",), 0))
    assert client.get(f"{API}articles/?cursor={wrong_type}").status_code == 400


# The cursor alone -----------------------------------------------------------------------


def test_a_cursor_survives_its_encoding():
    moment = datetime.datetime(2026, 3, 1, 9, 30, 0, 123456, tzinfo=datetime.UTC)
    cursor = keyset.Cursor((moment, 42), 10)

    decoded = keyset.decode(keyset.encode(cursor), ("-created", "-pk"))

    assert decoded == keyset.Cursor((moment.isoformat(), 42), 10)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "!!!",
        "e30",  # {}
        keyset.encode(keyset.Cursor((1, 2), 0)),  # two keys for a one-field order
        "W10",  # []
        "eyJrIjpbdHJ1ZV0sImkiOjB9",  # {"k":[true],"i":0}
        "eyJrIjpbMV0sImkiOi0xfQ",  # {"k":[1],"i":-1}
        "eyJrIjpbW11dLCJpIjowfQ",  # {"k":[[]],"i":0}
        "x" * (keyset.MAX_CURSOR_LENGTH + 1),
    ],
)
def test_refuses_what_is_not_a_cursor(text):
    with pytest.raises(keyset.BadCursor):
        keyset.decode(text, ("pk",))


def test_after_reads_each_field_in_its_direction():
    condition = str(keyset.after(("-created", "title", "pk"), ("2026-01-01", "b", 3)))

    assert "created__lt" in condition and "title__gt" in condition and "pk__gt" in condition
