import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from annotations.models import Annotation, Claim, Tag
from annotations.vocabulary import tags_for_names
from sources.models import Article, Passage
from tests.factories import make_annotation, make_article, make_claim, make_outlet, make_story

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


def test_a_new_name_from_an_editor_is_proposed_not_added_to_the_vocabulary(editor):
    [tag] = tags_for_names(["hedging"], editor)

    assert tag.is_proposed
    assert tag.proposed_by == editor
    assert not Tag.objects.vocabulary().filter(name="hedging").exists()


def test_tag_names_are_one_name_whatever_their_case_in_any_script(editor):
    [first] = tags_for_names(["Признание"], editor)
    [again] = tags_for_names(["признание"], editor)
    [strasse] = tags_for_names(["Straße"], editor)

    assert again == first
    assert tags_for_names(["STRASSE", "strasse"], editor) == [strasse]
    assert Tag.objects.filter(name__in=["Признание", "Straße"]).count() == 2
    assert Tag.objects.filter(key="признание").count() == 1


def test_the_database_refuses_a_tag_that_differs_only_in_case():
    Tag.objects.create(name="Признание")

    with pytest.raises(IntegrityError), transaction.atomic():
        Tag.objects.create(name="  признание ")


def test_the_database_refuses_a_tag_without_a_slug():
    tag = Tag.objects.create(name="hedging")

    with pytest.raises(IntegrityError), transaction.atomic():
        Tag.objects.filter(pk=tag.pk).update(slug="")


def test_a_tag_gets_a_slug_in_its_own_script():
    assert Tag.objects.create(name="Признание").slug == "признание"
    assert Tag.objects.create(name="🔥 Hot take").slug == "hot-take"
    assert Tag.objects.create(name="承认").slug == "承认"


@pytest.mark.parametrize("name", ["!!!", "🔥", "— …", "   "])
def test_a_tag_name_needs_a_letter_or_digit(name, editor):
    with pytest.raises(ValidationError, match="a tag needs at least one letter or digit"):
        Tag(name=name).full_clean()
    with pytest.raises(ValueError, match="a tag needs at least one letter or digit"):
        tags_for_names([name + " "], editor)
    assert not Tag.objects.filter(name=name).exists()


def test_vocabulary_is_accepted_tags_in_the_moderators_order(editor):
    tags_for_names(["hedging"], editor)
    Tag.objects.filter(name="quote").update(position=0)

    names = list(Tag.objects.vocabulary().values_list("name", flat=True))

    assert names[:3] == ["quote", "admission", "framing"]
    assert "hedging" not in names


def test_claim_from_another_story_is_refused():
    annotation = make_annotation(make_article(), "memo shows")
    annotation.claim = make_claim()
    with pytest.raises(ValidationError, match="another story"):
        annotation.full_clean()


def test_claim_gets_a_unique_slug_and_starts_as_draft():
    first = make_claim(statement="The barrier failed twice")
    # The same statement in another story: a claim of its own, with a slug of its own.
    second = make_claim(statement="The barrier failed twice")
    assert first.slug == "the-barrier-failed-twice"
    assert second.slug == "the-barrier-failed-twice-2"
    assert first.status == Claim.Status.DRAFT


def test_claim_statements_are_unique_per_story_whatever_their_case():
    story = make_story()
    make_claim(story=story, statement="Гавань закрыта")
    with pytest.raises(IntegrityError), transaction.atomic():
        make_claim(story=story, statement="ГАВАНЬ  закрыта")
    assert make_claim(statement="Гавань закрыта").story != story


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


def test_a_tag_made_without_saying_so_is_only_proposed():
    """Nothing silently grows the vocabulary: taggit's add("name"), the shell, an import."""
    annotation = make_annotation(make_article(), "memo shows")
    annotation.tags.add("a name nobody chose")
    tag = Tag.objects.get(name="a name nobody chose")
    assert tag.status == Tag.Status.PROPOSED
    assert tag not in Tag.objects.vocabulary()
