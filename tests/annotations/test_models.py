import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from annotations.models import Annotation, Claim, Tag
from sources.models import Article, Passage
from tests.factories import make_annotation, make_article, make_claim, make_outlet

pytestmark = pytest.mark.django_db


def test_vocabulary_has_the_nine_tags_with_definitions_and_colours():
    tags = {tag.name: tag for tag in Tag.objects.all()}
    assert set(tags) >= {
        "admission",
        "framing",
        "quote",
        "paraphrase",
        "omission",
        "editorialising",
        "attribution",
        "context",
        "correction",
    }
    for tag in tags.values():
        assert tag.definition
        assert tag.colour.startswith("#") and len(tag.colour) == 7


def test_annotation_quote_must_match_the_text_at_its_offsets():
    article = make_article()
    start = article.text.index("failed two")
    annotation = Annotation(article=article, start=start, end=start + 10, exact="passed two")
    with pytest.raises(ValidationError) as error:
        annotation.full_clean()
    assert "does not match the article text" in str(error.value)
    assert "failed two" in str(error.value)


def test_annotation_outside_the_text_is_refused():
    article = make_article()
    annotation = Annotation(article=article, start=5, end=len(article.text) + 5, exact="x")
    with pytest.raises(ValidationError, match="does not match"):
        annotation.full_clean()


def test_annotation_keeps_quote_selector_and_tags():
    article = make_article()
    annotation = make_annotation(
        article, "the hinges were corroded", stance="quotes", note="Key quote"
    )
    annotation.tags.add("quote", "admission")
    annotation.refresh_from_db()
    assert annotation.exact == "the hinges were corroded"
    assert annotation.prefix.endswith("“We knew ")
    assert annotation.suffix.startswith(",” the chief")
    assert sorted(annotation.tags.names()) == ["admission", "quote"]
    assert Tag.objects.get(name="quote").colour == "#bde0fe"


def test_new_tags_can_be_created_by_editors():
    annotation = make_annotation(make_article(), "memo shows")
    annotation.tags.add("hedging")
    assert Tag.objects.filter(name="hedging").exists()


def test_claim_from_another_story_is_refused():
    annotation = make_annotation(make_article(), "memo shows")
    annotation.claim = make_claim()
    with pytest.raises(ValidationError, match="another story"):
        annotation.full_clean()


def test_claim_gets_a_unique_slug_and_starts_as_draft():
    article = make_article()
    first = make_claim(story=article.story, statement="The barrier failed twice")
    second = make_claim(story=article.story, statement="The barrier failed twice")
    assert first.slug == "the-barrier-failed-twice"
    assert second.slug == "the-barrier-failed-twice-2"
    assert first.status == Claim.Status.DRAFT


def test_database_refuses_empty_spans_and_duplicate_urls():
    article = make_article(url="https://example.org/a")
    with pytest.raises(IntegrityError), transaction.atomic():
        Passage.objects.create(article=article, ordinal=1, start=10, end=10)
    with pytest.raises(IntegrityError), transaction.atomic():
        Annotation.objects.create(article=article, start=9, end=3, exact="")
    with pytest.raises(IntegrityError), transaction.atomic():
        make_article(url="https://example.org/a")
    # Articles without a URL do not collide with one another.
    make_article(url="")
    make_article(url="")
    assert Article.objects.filter(url="").count() == 2


def test_same_text_twice_in_one_outlet_is_refused():
    outlet = make_outlet()
    make_article(outlet=outlet)
    with pytest.raises(IntegrityError), transaction.atomic():
        make_article(outlet=outlet)
