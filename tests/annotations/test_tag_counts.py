"""Stored tag-use counts (annotations.counters): the database keeps them right whatever
path a write takes, and `manage.py recount` counts them all again."""

from collections import Counter

import pytest
from django.core.management import call_command
from django.utils import timezone

from annotations.editing import delete_annotation, restore_annotation, update_annotation
from annotations.models import Annotation, TaggedAnnotation, TagOutletUse, TagStoryUse
from annotations.vocabulary import merge_tag
from sources.models import Article
from tests.factories import (
    ARTICLE_TEXT,
    make_annotation,
    make_article,
    make_outlet,
    make_story,
    make_tag,
)

db = pytest.mark.django_db


def stored() -> tuple[dict, dict]:
    """The stored counts, per (tag, outlet) and per (tag, story), those above 0."""
    outlets = {
        (row.tag_id, row.outlet_id): row.uses for row in TagOutletUse.objects.filter(uses__gt=0)
    }
    stories = {
        (row.tag_id, row.story_id): row.uses for row in TagStoryUse.objects.filter(uses__gt=0)
    }
    return outlets, stories


def counted() -> tuple[dict, dict]:
    """The same counts, counted from the live annotations themselves."""
    links = TaggedAnnotation.objects.filter(content_object__deleted__isnull=True).values_list(
        "tag", "content_object__article__outlet", "content_object__article__story"
    )
    outlets, stories = Counter(), Counter()
    for tag, outlet, story in links:
        outlets[tag, outlet] += 1
        stories[tag, story] += 1
    return dict(outlets), dict(stories)


def assert_counts_right():
    assert stored() == counted()


@pytest.fixture
def world():
    """Two outlets, two stories, three articles with an annotation each, two tags."""
    first, second = make_outlet(), make_outlet()
    one, two = make_story(), make_story()
    articles = [
        make_article(outlet=first, story=one, text=f"{ARTICLE_TEXT}\n\nUpdate 1."),
        make_article(outlet=first, story=two, text=f"{ARTICLE_TEXT}\n\nUpdate 2."),
        make_article(outlet=second, story=one, text=f"{ARTICLE_TEXT}\n\nUpdate 3."),
    ]
    annotations = [make_annotation(article, "memo shows") for article in articles]
    quote, framing = make_tag(), make_tag()
    for annotation in annotations:
        annotation.tags.add(quote)
    annotations[0].tags.add(framing)
    return {
        "outlets": (first, second),
        "stories": (one, two),
        "articles": articles,
        "annotations": annotations,
        "tags": (quote, framing),
    }


@db
def test_tagging_counts_each_use_per_outlet_and_story(world):
    (quote, framing), (first, second) = world["tags"], world["outlets"]
    one, two = world["stories"]

    outlets, stories = stored()

    assert outlets == {(quote.pk, first.pk): 2, (quote.pk, second.pk): 1, (framing.pk, first.pk): 1}
    assert stories == {(quote.pk, one.pk): 2, (quote.pk, two.pk): 1, (framing.pk, one.pk): 1}


@db
def test_an_editor_changing_tags_moves_the_counts(world, editor):
    quote, framing = world["tags"]
    annotation = world["annotations"][1]

    update_annotation(annotation, editor, {"tags": [framing.name]})

    outlets, _ = stored()
    assert outlets[quote.pk, world["outlets"][0].pk] == 1
    assert outlets[framing.pk, world["outlets"][0].pk] == 2
    assert_counts_right()


@db
def test_deleting_and_restoring_an_annotation_counts_it_out_and_back(world, editor):
    quote, _ = world["tags"]
    second = world["outlets"][1]
    annotation = world["annotations"][2]

    delete_annotation(annotation, editor)
    assert (quote.pk, second.pk) not in stored()[0]
    assert_counts_right()

    restore_annotation(annotation, editor)
    assert stored()[0][quote.pk, second.pk] == 1
    assert_counts_right()


@db
def test_saving_an_annotation_unchanged_counts_nothing_twice(world):
    annotation = world["annotations"][0]
    annotation.note = "Edited."
    annotation.save()

    assert_counts_right()


@db
def test_deleting_rows_for_good_takes_their_uses_away(world):
    world["annotations"][0].delete()
    assert_counts_right()

    # An article's deletion takes its annotations and their tag links with it.
    world["articles"][2].delete()
    assert_counts_right()
    assert world["outlets"][1].pk not in {outlet for _, outlet in stored()[0]}


@db
def test_merging_a_tag_moves_its_uses(world, make_editor):
    quote, framing = world["tags"]
    moderator = make_editor("moderator", is_staff=True)

    merge_tag(framing, quote, moderator)

    # The annotation that had both keeps one: quote's counts do not change.
    outlets, _ = stored()
    assert outlets == {(quote.pk, world["outlets"][0].pk): 2, (quote.pk, world["outlets"][1].pk): 1}
    assert_counts_right()


@db
def test_bulk_writes_that_skip_signals_are_counted_too(world):
    """bulk_create and update() send no signal: the database counts them all the same."""
    quote, framing = world["tags"]
    _, second = world["outlets"]
    one, two = world["stories"]

    TaggedAnnotation.objects.bulk_create(
        TaggedAnnotation(content_object=annotation, tag=framing)
        for annotation in world["annotations"][1:]
    )
    assert stored()[0][framing.pk, second.pk] == 1
    assert_counts_right()

    Annotation.objects.filter(pk=world["annotations"][0].pk).update(deleted=timezone.now())
    assert_counts_right()

    # An article moved to another outlet and story takes its uses along.
    Article.objects.filter(pk=world["articles"][1].pk).update(outlet=second, story=one)
    assert_counts_right()
    assert (quote.pk, two.pk) not in stored()[1]

    context = make_tag()
    TaggedAnnotation.objects.filter(tag=framing).update(tag=context)
    assert stored()[0][context.pk, second.pk] == 2
    Annotation.objects.filter(pk=world["annotations"][2].pk).update(article=world["articles"][0])
    assert_counts_right()


@db
def test_recount_puts_wrong_counts_right(world):
    TagOutletUse.objects.update(uses=99)
    TagStoryUse.objects.all().delete()

    call_command("recount", stdout=None)

    assert_counts_right()
    assert sum(stored()[0].values()) == 4
