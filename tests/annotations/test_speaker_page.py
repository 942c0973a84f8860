"""A speaker's page: per outlet, the verbs it puts in front of that speaker's words."""

import pytest
from django.urls import reverse

from sources import quotations
from sources.models import Quotation
from tests.factories import make_article, make_outlet, make_story

pytestmark = pytest.mark.django_db


def quoting(outlet, story, *sentences):
    text = "Title\n\n" + "\n\n".join(sentences)
    article = make_article(outlet=outlet, story=story, text=text)
    quotations.extract(article)
    return article


@pytest.fixture
def coverage():
    story = make_story(title="Harbour gates")
    wire, gazette = make_outlet(name="Harbour Wire"), make_outlet(name="Quay Gazette")
    quoting(
        wire,
        story,
        "“We never tested the flood gates,” Ana Lind said.",
        "“The money was there all along,” Ana Lind said.",
    )
    quoting(gazette, story, "Ana Lind bluntly admitted: “We never tested the flood gates.”")
    return story


def test_each_outlets_verbs_with_their_counts(client, coverage):
    response = client.get(reverse("reading:speaker", args=["ana-lind"]))
    assert response.status_code == 200
    outlets = {o.name: o.verbs for o in response.context["outlets"]}
    assert outlets == {"Harbour Wire": [("said", 2)], "Quay Gazette": [("bluntly admitted", 1)]}
    html = response.content.decode()
    assert "<h1>Ana Lind</h1>" in html
    assert "bluntly admitted (1)" in html and "said (2)" in html
    assert "3 quotations in 2 outlets" in html
    # Each quotation links to its own page (its trace, when other outlets quote it).
    for quotation in Quotation.objects.all():
        assert quotation.get_absolute_url() in html


def test_an_unknown_speaker_is_not_found(client, coverage):
    assert client.get(reverse("reading:speaker", args=["nobody"])).status_code == 404


def test_the_page_runs_one_query_whatever_the_count(client, django_assert_num_queries):
    story = make_story()
    total = 0
    for outlets in (1, 10):
        for _ in range(outlets):
            quoting(make_outlet(), story, "“The gates were never tested at all,” Ana Lind said.")
        total += outlets
        # The quotations with their articles and outlets, in one query.
        with django_assert_num_queries(1):
            response = client.get(reverse("reading:speaker", args=["ana-lind"]))
        assert response.context["count"] == total
        assert len(response.context["outlets"]) == total
