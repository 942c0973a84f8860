"""Claims no live annotation uses any more: flagged to editors on the claims index and the
story page, with a filter for them on the index; readers see neither."""

import pytest
from django.test import Client
from django.utils import timezone

from annotations.models import Annotation, Claim
from tests.factories import (
    make_annotation,
    make_article,
    make_claim,
    make_coverage,
    make_outlet,
    make_story,
    make_tag,
)

db = pytest.mark.django_db
URL = "/claims/"
PUBLISHED, DRAFT = Claim.Status.PUBLISHED, Claim.Status.DRAFT
BADGE = '<span class="badge badge-unused">No annotations left</span>'
FILTER = '<input type="checkbox" id="claim-unused" name="unused" value="1"'


def flagged_link(claim):
    return (
        f'{BADGE} <a href="{claim.get_absolute_url()}">'
        "Delete it, or annotate under it, from its page</a>"
    )


def story_with_an_unused_claim():
    """A story with a used claim, a published claim whose only annotation was deleted, and
    a draft no annotation ever used."""
    story = make_story()
    used = make_claim(story=story, statement="Still used.", status=PUBLISHED)
    emptied = make_claim(story=story, statement="Emptied out.", status=PUBLISHED)
    never = make_claim(story=story, statement="Never used.", status=DRAFT)
    article = make_article(outlet=make_outlet(), story=story)
    make_annotation(article, "memo shows", claim=used)
    gone = make_annotation(article, "internal memo", claim=emptied)
    Annotation.objects.filter(pk=gone.pk).update(deleted=timezone.now())
    return story, used, emptied, never


def statements(response):
    return [claim.statement for claim in response.context["page"].object_list]


# The claims index


@db
def test_index_flags_claims_with_no_annotation_left_to_editors(editor_client):
    _, used, emptied, never = story_with_an_unused_claim()

    html = editor_client.get(URL).content.decode()

    assert flagged_link(emptied) in html
    assert flagged_link(never) in html
    assert html.count(BADGE) == 2
    assert f'<a href="{used.get_absolute_url()}">Delete it' not in html


@db
def test_index_filters_editors_to_the_unused_claims(editor_client):
    story_with_an_unused_claim()

    response = editor_client.get(URL, {"unused": "1"})

    assert statements(response) == ["Emptied out.", "Never used."]
    html = response.content.decode()
    assert f"{FILTER} checked>" in html
    assert '<a href="/claims/">Clear filters</a>' in html
    assert statements(editor_client.get(URL)) == ["Emptied out.", "Never used.", "Still used."]


@db
def test_index_says_so_when_no_claim_is_unused(editor_client):
    claim = make_claim(status=PUBLISHED)
    make_annotation(make_article(story=claim.story), "memo shows", claim=claim)

    html = editor_client.get(URL, {"unused": "1"}).content.decode()

    assert "No claims match among the claims with no annotation." in html


@db
def test_readers_get_neither_the_flag_nor_the_filter(client, django_user_model):
    story_with_an_unused_claim()

    logged_in = Client()
    logged_in.force_login(django_user_model.objects.create_user("reader", password="x-unused-1"))
    for reader in (client, logged_in):
        response = reader.get(URL, {"unused": "1"})
        # The filter is ignored: a reader sees every published claim, unflagged.
        assert statements(response) == ["Emptied out.", "Still used."]
        html = response.content.decode()
        assert "No annotations left" not in html
        assert FILTER not in html


@db
@pytest.mark.parametrize("outlets, articles", [(3, 3), (30, 20)], ids=["9", "600"])
def test_index_filtered_to_unused_claims_runs_a_fixed_number_of_queries(
    editor_client, django_assert_num_queries, outlets, articles
):
    make_coverage(outlets, articles, tags=[make_tag()])

    # 1. the session, 2. the user, 3. is the user in the editors group,
    # 4. stories with claims, 5. tags, 6. how many claims match, 7. this page of them
    with django_assert_num_queries(7):
        response = editor_client.get(URL, {"unused": "1"})

    # make_coverage's draft claim has no annotation.
    assert [c.outlet_count for c in response.context["page"].object_list] == [0]


# The story page


@db
def test_story_page_flags_unused_claims_to_editors_in_the_list_and_the_grid(editor_client):
    story, used, emptied, never = story_with_an_unused_claim()

    html = editor_client.get(story.get_absolute_url()).content.decode()

    assert flagged_link(emptied) in html
    assert flagged_link(never) in html
    assert (
        f'<th scope="row"><a href="{emptied.get_absolute_url()}">Emptied out.</a> {BADGE}</th>'
    ) in html
    assert (
        f'<a href="{never.get_absolute_url()}">Never used.</a> '
        f'<span class="badge badge-draft">Draft</span> {BADGE}</th>'
    ) in html
    assert f'<a href="{used.get_absolute_url()}">Still used.</a></th>' in html


@db
def test_story_page_never_flags_claims_to_readers(client):
    story, *_ = story_with_an_unused_claim()

    html = client.get(story.get_absolute_url()).content.decode()

    assert "Emptied out." in html
    assert "No annotations left" not in html
    assert "badge-unused" not in html
