"""Importing W3C Web Annotations through the API (POST /api/v1/w3c/import/, on
annotations.w3c.import_annotations): found by their quote whatever their offsets say,
each refused one refused with its reason and nothing of it stored, the whole input
refused with 400, bounded in bytes and nesting, for editors only."""

import itertools
import json

import pytest
from django.test import Client

from annotations.models import Annotation, AnnotationRevision, Claim
from parallax.tokens import issue_token
from tests.annotations.test_w3c_import import ADDRESS, PARAGRAPHS, TEXT, around, hypothesis
from tests.api.helpers import API
from tests.factories import make_article

pytestmark = pytest.mark.django_db

URL = f"{API}w3c/import/"
LD = 'application/ld+json; profile="http://www.w3.org/ns/anno.jsonld"'
_names = itertools.count()


@pytest.fixture
def article():
    return make_article(text=TEXT, url=ADDRESS)


def post(user, data, *, content_type=LD, url=URL, raw: str | None = None):
    headers = {}
    if user is not None:
        headers["HTTP_AUTHORIZATION"] = f"Bearer {issue_token(user, f'import {next(_names)}')[1]}"
    body = raw if raw is not None else json.dumps(data, ensure_ascii=False)
    return Client().post(url, body, content_type=content_type, **headers)


def exported(quote: str, shift: int, **fields) -> dict:
    """`quote` as Hypothesis exports it: curly quotation marks and non-breaking spaces in
    its context, its offsets `shift` characters away from ours."""
    start, prefix, suffix = around(quote)
    return hypothesis(quote, prefix=prefix, suffix=suffix, start=start + shift, **fields)


def test_a_hypothesis_annotation_anchors_at_our_words(article, editor):
    quote = '"We postponed the overhaul because the spare parts had not arrived,"'
    # Hypothesis quotes the page as browsers show it: curly quotation marks.
    item = exported(quote, -250, note="Blames suppliers.", tags=["framing"])
    item["target"][0]["selector"][2]["exact"] = (
        "“We postponed the overhaul because the spare parts had not arrived,”"
    )

    response = post(editor, item)

    assert response.status_code == 201, response.content
    report = response.json()
    assert report["counts"] == {"created": 1, "review": 0, "refused": 0}
    [outcome] = report["annotations"]
    assert outcome["status"] == "created"
    assert outcome["source_id"] == item["id"]
    annotation = Annotation.objects.get(pk=outcome["id"])
    assert (annotation.start, annotation.exact) == (TEXT.index(quote), quote)
    assert (annotation.author, annotation.note) == (editor, "Blames suppliers.")
    assert AnnotationRevision.objects.filter(annotation=annotation, action="created").exists()
    assert outcome["api_url"] == f"http://testserver{API}annotations/{annotation.pk}/"
    assert Client().get(outcome["api_url"]).json()["note"] == "Blames suppliers."


def test_a_quote_not_in_the_article_is_refused_with_its_reason_and_nothing_of_it_stays(
    article, editor
):
    good = exported("three months overdue for service", 310)
    missing = hypothesis(
        "the captain was asleep", prefix="when ", suffix=" and", start=40, tags=["brand new"]
    )
    collection = {
        "@context": "http://www.w3.org/ns/anno.jsonld",
        "type": "AnnotationCollection",
        "first": {"type": "AnnotationPage", "items": [good, missing]},
    }

    response = post(editor, collection, content_type="application/json")

    assert response.status_code == 201
    report = response.json()
    assert report["counts"] == {"created": 1, "review": 0, "refused": 1}
    refused = report["annotations"][1]
    assert refused["status"] == "refused"
    assert "is not in the text" in refused["reason"]
    assert refused["id"] is None and refused["api_url"] is None
    assert Annotation.objects.count() == 1
    assert not Annotation.objects.filter(exact__contains="captain").exists()


def test_an_unsure_place_is_created_in_review_and_reported_so(editor):
    line = "Services resume on Monday."
    text = "\n\n".join([PARAGRAPHS[0], line, PARAGRAPHS[1], line, PARAGRAPHS[4]])
    make_article(text=text, url=ADDRESS)
    later = text.index(line, text.index(line) + 1)
    # The same words in the same context twice: only the offsets tell, so an editor decides.
    item = hypothesis(line, prefix="\n\n", suffix="\n\n", start=later + 40)

    response = post(editor, item)

    assert response.status_code == 201
    assert response.json()["counts"] == {"created": 0, "review": 1, "refused": 0}
    outcome = response.json()["annotations"][0]
    annotation = Annotation.objects.get(pk=outcome["id"])
    assert annotation.anchor_status == Annotation.AnchorStatus.REVIEW
    assert annotation.proposed_start == later


def test_all_refused_answers_200_and_stores_nothing(article, editor):
    response = post(editor, hypothesis("no such words", prefix="", suffix="", start=0))

    assert response.status_code == 200
    assert response.json()["counts"]["refused"] == 1
    assert not Annotation.objects.exists()


@pytest.mark.parametrize(
    ("raw", "words"),
    [
        ('"just a string"', "Nothing was imported: This is not W3C annotations"),
        ("{broken", "not JSON"),
        ("[" * 33 + "]" * 33, "deeper than 32 levels"),
    ],
)
def test_an_input_refused_whole_is_a_400_that_says_why(article, editor, raw, words):
    response = post(editor, None, raw=raw)

    assert response.status_code == 400
    assert words in response.json()["error"]
    assert not Annotation.objects.exists()


def test_a_body_over_the_bound_is_a_413(article, editor, settings):
    settings.PARALLAX_API_MAX_IMPORT_BYTES = 5000
    item = exported("three months overdue for service", 0, note="x" * 6000)

    response = post(editor, item)

    assert response.status_code == 413
    assert "5,000 bytes" in response.json()["error"]
    assert not Annotation.objects.exists()


def test_only_json_is_taken(article, editor):
    response = post(editor, None, raw="<annotation/>", content_type="text/xml")

    assert response.status_code == 415


def test_only_editors_import(article, editor, django_user_model):
    item = exported("three months overdue for service", 0)
    reader = django_user_model.objects.create_user("reader", password="x")

    assert post(None, item).status_code == 401
    assert post(reader, item).status_code == 403
    assert not Annotation.objects.exists()


def test_annotations_go_onto_the_article_asked_for(article, editor):
    copy = make_article(text=TEXT, url="https://mirror.example/ferry")
    item = exported("three months overdue for service", 0)

    response = post(editor, item, url=f"{URL}?article={copy.pk}")

    assert response.status_code == 201
    assert Annotation.objects.get().article == copy
    assert post(editor, item, url=f"{URL}?article=999999").status_code == 404


def test_a_claim_an_import_makes_is_a_draft_readers_never_see(article, editor):
    item = exported("three months overdue for service", 0)
    item["body"].append(
        {"type": "TextualBody", "purpose": "classifying", "value": "The ferry was unsafe"}
    )

    response = post(editor, item)

    outcome = response.json()["annotations"][0]
    assert "New draft claim" in " ".join(outcome["notes"])
    claim = Claim.objects.get(statement="The ferry was unsafe")
    assert claim.status == Claim.Status.DRAFT
    anonymous = Client().get(outcome["api_url"]).content.decode()
    assert "The ferry was unsafe" not in anonymous
    assert Client().get(f"{API}claims/{claim.slug}/").status_code == 404
