"""Slugs never stop mid-word: a title too long for its slug is shortened between words."""

import pytest

from annotations.models import Claim
from sources.models import Outlet, Story, cut_slug, unique_slug
from tests.factories import make_claim

# Its slug cut at 60 characters by position alone would end "…-memoir-sa".
LONG_TITLE = "The alliance expected Kyiv to fall within days, the memoir says, and offered exile"


def test_a_slug_that_fits_is_kept_whole():
    assert cut_slug("the-barrier-failed", 18) == "the-barrier-failed"


def test_a_long_slug_is_cut_at_the_last_hyphen_before_the_limit():
    assert cut_slug("the-barrier-failed-twice", 15) == "the-barrier"
    assert cut_slug("the-barrier-failed-twice", 12) == "the-barrier"


def test_a_cut_that_falls_on_a_hyphen_keeps_the_word_before_it():
    assert cut_slug("the-barrier-failed-twice", 18) == "the-barrier-failed"


def test_a_single_overlong_word_is_still_cut():
    assert cut_slug("pneumonoultramicroscopic-silicovolcanoconiosis", 10) == "pneumonoul"


def test_unicode_slugs_are_cut_between_words():
    assert cut_slug("гавань-закрыта-для-всех-судов", 20) == "гавань-закрыта-для"
    assert cut_slug("港口-关闭", 4) == "港口"


@pytest.mark.django_db
def test_a_story_title_longer_than_its_slug_ends_on_a_whole_word():
    slug = unique_slug(Story, LONG_TITLE, max_length=60)
    assert slug == "the-alliance-expected-kyiv-to-fall-within-days-the-memoir"
    assert len(slug) <= 60


@pytest.mark.django_db
def test_numbered_slugs_are_cut_between_words_too():
    Story.objects.create(title=LONG_TITLE, slug=unique_slug(Story, LONG_TITLE, max_length=40))
    slug = unique_slug(Story, LONG_TITLE, max_length=40)
    assert slug == "the-alliance-expected-kyiv-to-fall-2"
    assert len(slug) <= 40


@pytest.mark.django_db
def test_a_long_unicode_title_ends_on_a_whole_word():
    title = "Гавань закрыта для всех судов до конца недели, сообщили в порту"
    slug = unique_slug(Outlet, title, max_length=30, allow_unicode=True)
    assert slug == "гавань-закрыта-для-всех-судов"
    assert len(slug) <= 30


@pytest.mark.django_db
def test_a_single_overlong_word_fills_the_slug():
    slug = unique_slug(Story, "a" * 100)
    assert slug == "a" * 80


@pytest.mark.django_db
def test_a_long_claim_statement_gets_a_slug_of_whole_words():
    claim = make_claim(statement=LONG_TITLE)
    assert claim.slug == "the-alliance-expected-kyiv-to-fall-within-days-the-memoir"
    assert len(claim.slug) <= Claim._meta.get_field("slug").max_length
