"""Each endpoint of the read API through the test client: what readers and editors see
(drafts for editors only, deleted annotations never), the filters, and the errors, all
JSON."""

import pytest
from django.test import Client

from annotations.models import ClaimAlias
from tests.api.helpers import API, build_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(editor):
    return build_world(author=editor)


@pytest.fixture
def anonymous():
    """A client of its own: `client` is the one editor_client logs in."""
    return Client()


def slugs(response, key="slug") -> list:
    assert response.status_code == 200, response.content
    return [item[key] for item in response.json()["items"]]


# Outlets, stories, articles ----------------------------------------------------------


def test_lists_outlets_by_name_with_their_article_counts(client, world):
    items = client.get(f"{API}outlets/?limit=200").json()["items"]
    names = [item["name"] for item in items]
    ours = [item for item in items if item["name"] in ("Alpha Post", "Beta Daily", "Gamma Wire")]

    assert names == sorted(names)
    assert [i["name"] for i in ours] == ["Alpha Post", "Beta Daily", "Gamma Wire"]
    assert [i["article_count"] for i in ours] == [1, 1, 1]
    assert items[0]["api_url"] == f"http://testserver{API}outlets/{items[0]['slug']}/"
    assert items[0]["page"] == f"http://testserver/outlets/{items[0]['slug']}/"


def test_an_outlet_and_a_story_have_their_own_address(client, world):
    outlet = client.get(f"{API}outlets/{world.outlets[1].slug}/")
    story = client.get(f"{API}stories/{world.story.slug}/")

    assert outlet.status_code == 200 and outlet.json()["name"] == "Beta Daily"
    assert story.status_code == 200
    assert (story.json()["title"], story.json()["article_count"]) == ("Harbour gate", 3)
    assert story.json()["outlet_count"] == 3


def test_lists_stories_newest_first(client, world):
    later = type(world.story).objects.create(title="Later story", slug="later-story")

    items = client.get(f"{API}stories/?limit=200").json()["items"]

    # (The factories make a few more stories along the way.)
    assert items[0]["slug"] == later.slug and world.story.slug in [i["slug"] for i in items]
    created = [item["created"] for item in items]
    assert created == sorted(created, reverse=True)


def test_lists_articles_of_a_story_or_an_outlet_without_their_text(client, world):
    other = build_world.__globals__["make_article"]()
    every = slugs(client.get(f"{API}articles/"), "id")
    in_story = slugs(client.get(f"{API}articles/?story={world.story.slug}"), "id")
    of_outlet = slugs(client.get(f"{API}articles/?outlet={world.outlets[2].slug}"), "id")

    assert every == [*(a.pk for a in world.articles), other.pk]
    assert in_story == [a.pk for a in world.articles]
    assert of_outlet == [world.articles[2].pk]
    assert "text" not in client.get(f"{API}articles/").json()["items"][0]


def test_an_article_has_its_text_and_passages(client, world):
    article = world.articles[0]
    data = client.get(f"{API}articles/{article.pk}/").json()

    assert data["text"] == article.text
    passages = data["passages"]
    assert [p["ordinal"] for p in passages] == sorted(p["ordinal"] for p in passages)
    assert data["text"][passages[0]["start"] : passages[0]["end"]].startswith("Barrier failed")
    assert data["annotations_url"] == f"http://testserver{API}articles/{article.pk}/annotations/"


# Claims --------------------------------------------------------------------------------


def test_readers_never_see_a_draft_claim(client, world):
    assert slugs(client.get(f"{API}claims/")) == [world.published.slug]
    for path in (f"claims/{world.draft.slug}/", f"claims/{world.draft.slug}/annotations/"):
        response = client.get(API + path)
        assert response.status_code == 404
        assert response.json() == {"error": "No such claim."}


def test_editors_see_drafts(editor_client, world):
    assert set(slugs(editor_client.get(f"{API}claims/"))) == {
        world.published.slug,
        world.draft.slug,
    }
    response = editor_client.get(f"{API}claims/{world.draft.slug}/")
    assert response.status_code == 200
    assert response.json()["status"] == "draft"


def test_the_claims_list_filters_as_the_claims_index_does(anonymous, editor_client, world):
    cases = [
        "",
        f"story={world.story.slug}",
        "story=nothing-here",
        "tag=spin-angle",
        "tag=verbatim",
        "q=barrier",
        "q=engineer",
        "unused=1",
    ]
    for who in (anonymous, editor_client):
        for query in cases:
            page = who.get(f"/claims/?{query}")
            api_query = query.replace("unused=1", "unused=true")
            listed = slugs(who.get(f"{API}claims/?{api_query}"))
            assert listed == [c.slug for c in page.context["page"].object_list], query


def test_a_claim_has_its_comparison(client, world):
    data = client.get(f"{API}claims/{world.published.slug}/").json()

    comparison = data["comparison"]
    assert [c["outlet"]["name"] for c in comparison["columns"]] == [
        "Alpha Post",
        "Beta Daily",
        "Gamma Wire",
    ]
    excerpt = comparison["columns"][0]["excerpts"][0]
    assert excerpt["quote"] == "failed two inspections"
    assert excerpt["annotation"] == world.annotations[0].pk
    assert [t["name"] for t in excerpt["tags"]] == ["spin angle"]
    # The deleted annotation is not an excerpt.
    shown = [e["annotation"] for c in comparison["columns"] for e in c["excerpts"]]
    assert world.deleted.pk not in shown
    assert data["outlet_count"] == 3


FILTERS = [
    "",
    "stance=disputes",
    "stance=reports",
    "tags=spin-angle",
    "tags=spin-angle,verbatim",
    "outlets={0}",
    "outlets={0},{2}&tags=verbatim",
    "outlets={0}&outlets={1}",
    "outlets=unknown-outlet",
    "tags=no-such-tag&stance=reports",
]


@pytest.mark.parametrize("query", FILTERS)
def test_the_comparison_filters_exactly_as_the_claim_page(client, world, query):
    query = query.format(*(o.slug for o in world.outlets))
    page = client.get(f"/claims/{world.published.slug}/?{query}", follow=True)
    comparison = page.context["comparison"]
    data = client.get(f"{API}claims/{world.published.slug}/?{query}").json()["comparison"]

    def outlets(rows):
        return [o.slug for o in rows]

    assert [
        (c["outlet"]["slug"], [e["annotation"] for e in c["excerpts"]]) for c in data["columns"]
    ] == [(c.outlet.slug, [e.annotation.pk for e in c.excerpts]) for c in comparison.columns]
    assert [o["slug"] for o in data["not_covered"]] == outlets(comparison.not_covered)
    assert [o["slug"] for o in data["filtered_out"]] == outlets(comparison.filtered_out)
    assert data["filters"] == {
        "outlets": list(comparison.filters.outlets),
        "tags": list(comparison.filters.tags),
        "stance": comparison.filters.stance,
    }


def test_a_former_slug_answers_with_the_claims_new_address(client, world):
    ClaimAlias.objects.create(claim=world.published, slug="old-name")

    response = client.get(f"{API}claims/old-name/?stance=reports")

    assert response.status_code == 301
    new = f"http://testserver{API}claims/{world.published.slug}/?stance=reports"
    assert response["Location"] == new
    assert response.json() == {"moved_to": new}


def test_a_drafts_former_slug_is_unknown_to_readers(client, world):
    ClaimAlias.objects.create(claim=world.draft, slug="old-draft")

    assert client.get(f"{API}claims/old-draft/").status_code == 404


# Annotations -----------------------------------------------------------------------


def test_deleted_annotations_are_never_served(anonymous, editor_client, admin_client, world):
    for who in (anonymous, editor_client, admin_client):
        assert who.get(f"{API}annotations/{world.deleted.pk}/").status_code == 404
        listed = slugs(who.get(f"{API}annotations/?limit=200"), "id")
        assert world.deleted.pk not in listed
        claim_list = slugs(who.get(f"{API}claims/{world.published.slug}/annotations/"), "id")
        assert claim_list == [a.pk for a in world.annotations]


def test_readers_see_an_annotation_but_not_its_draft_claim(anonymous, editor_client, world):
    path = f"{API}annotations/{world.on_draft.pk}/"

    assert anonymous.get(path).json()["claim"] is None
    assert editor_client.get(path).json()["claim"]["slug"] == world.draft.slug
    assert slugs(anonymous.get(f"{API}annotations/?claim={world.draft.slug}"), "id") == []
    assert slugs(editor_client.get(f"{API}annotations/?claim={world.draft.slug}"), "id") == [
        world.on_draft.pk
    ]


def test_annotations_filter_by_article_claim_and_tag(client, world):
    a, b, c = world.annotations

    assert slugs(client.get(f"{API}annotations/?article={world.articles[0].pk}"), "id") == [
        a.pk,
        world.on_draft.pk,
    ]
    by_claim = slugs(client.get(f"{API}annotations/?claim={world.published.slug}"), "id")
    assert by_claim == [a.pk, b.pk, c.pk]
    assert slugs(client.get(f"{API}annotations/?tag=verbatim"), "id") == [b.pk, c.pk]
    both = f"{API}annotations/?tag=spin-angle&article={world.articles[2].pk}"
    assert slugs(client.get(both), "id") == [c.pk]


def test_an_annotation_has_its_quote_tags_and_addresses(client, world):
    annotation = world.annotations[2]
    data = client.get(f"{API}annotations/{annotation.pk}/").json()

    assert data["exact"] == "failed two inspections"
    assert (data["start"], data["end"]) == (annotation.start, annotation.end)
    assert [t["name"] for t in data["tags"]] == ["spin angle", "verbatim"]
    assert data["claim"]["slug"] == world.published.slug
    assert data["author"] == "editor"
    assert data["page"] == f"http://testserver/annotations/{annotation.pk}/"


# Errors -------------------------------------------------------------------------------

BAD = [
    "outlets/?limit=0",
    "outlets/?limit=201",
    "stories/?limit=abc",
    "articles/?cursor=not-a-cursor",
    "annotations/?article=abc",
    "annotations/?article=0",
    "claims/?unused=perhaps",
    "claims/{claim}/?stance=admits",
    "articles/{article}/annotations/?limit=-1",
    "claims/?cursor=" + "x" * 1001,
]


@pytest.mark.parametrize("path", BAD)
def test_bad_parameters_are_a_400_in_json(client, world, path):
    path = path.format(claim=world.published.slug, article=world.articles[0].pk)

    response = client.get(API + path)

    assert response.status_code == 400
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["error"]


def test_a_page_size_beyond_the_bound_names_the_bound(client, world):
    error = client.get(f"{API}annotations/?limit=1000").json()

    assert "200" in error["error"] and error["problems"][0]["name"] == "limit"
    assert error["max_limit"] == 200


def test_a_cursor_of_another_list_is_refused(client, world):
    cursor = client.get(f"{API}outlets/?limit=1").json()["next"].split("cursor=")[1]

    response = client.get(f"{API}stories/?cursor={cursor}")

    assert response.status_code == 400
    assert response.json() == {"error": "The cursor is not one this list gave."}


UNKNOWN = [
    "outlets/no-such-outlet/",
    "stories/no-such-story/",
    "articles/999999/",
    "articles/999999/annotations/",
    "annotations/999999/",
    "annotations/99999999999999999999999/",
    "claims/no-such-claim/",
    "claims/no-such-claim/annotations/",
    "no-such-thing/",
    "outlets/ünïcode/",
    "claims/two%0Alines/",
    "../v2/outlets/",
]


@pytest.mark.parametrize("path", UNKNOWN)
def test_unknown_addresses_are_a_404_in_json(client, world, path):
    response = client.get(API + path)

    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["error"]


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_writes_are_a_405_in_json(client, world, method):
    response = getattr(client, method)(f"{API}outlets/")

    assert response.status_code == 405
    assert response["Allow"] == "GET, HEAD"
    assert response.json()["error"] == f"{method.upper()} is not allowed here."


def test_head_answers_as_get(client, world):
    for path in ("outlets/", f"claims/{world.published.slug}/", "schema", "docs"):
        response = client.head(API + path)
        assert response.status_code == 200, path
        assert response.content == b""
    assert client.head(f"{API}annotations/{world.deleted.pk}/").status_code == 404


def test_lists_never_read_an_articles_text(client, world):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for path in ("articles/", "annotations/", f"articles/{world.articles[0].pk}/annotations/"):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(API + path).status_code == 200
        selected = " ".join(q["sql"] for q in queries.captured_queries)
        assert '"sources_article"."text"' not in selected, path
        assert '"sources_article"."raw"' not in selected, path


def test_a_type_the_api_does_not_make_is_a_406_in_json(client, world):
    response = client.get(f"{API}outlets/", HTTP_ACCEPT="text/html")

    assert response.status_code == 406
    assert response.json()["error"]
    # A browser's Accept header ends in */*: it gets JSON.
    browser = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
    assert client.get(f"{API}outlets/", HTTP_ACCEPT=browser).status_code == 200


def test_an_address_without_its_final_slash_is_sent_to_the_one_with_it(client, world):
    response = client.get(f"{API}outlets?limit=1")

    assert response.status_code == 301
    assert response["Location"] == f"{API}outlets/?limit=1"


def test_the_index_names_every_list(client):
    data = client.get(API).json()

    assert data["outlets"] == f"http://testserver{API}outlets/"
    assert data["schema"] == f"http://testserver{API}schema"
