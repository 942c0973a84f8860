"""A small world of rows for the API's tests, and ways to read its answers."""

from dataclasses import dataclass

from django.utils import timezone

from annotations.models import Annotation, Claim
from sources.models import Article, Outlet, Story
from tests.factories import (
    ARTICLE_TEXT,
    make_annotation,
    make_article,
    make_claim,
    make_outlet,
    make_story,
    make_tag,
)

API = "/api/v1/"


@dataclass
class World:
    story: Story
    outlets: list[Outlet]
    articles: list[Article]
    published: Claim
    draft: Claim
    annotations: list[Annotation]
    # On the draft claim, and deleted (on the published claim).
    on_draft: Annotation
    deleted: Annotation


def build_world(author=None) -> World:
    """A story covered by three outlets; a published claim carried by each, with tags and
    stances that differ; a draft claim carried by one; a deleted annotation."""
    story = make_story(title="Harbour gate")
    outlets = [make_outlet(name=name) for name in ("Alpha Post", "Beta Daily", "Gamma Wire")]
    articles = [
        make_article(outlet=outlet, story=story, text=f"{ARTICLE_TEXT}\n\nBy {outlet.name}.")
        for outlet in outlets
    ]
    published = make_claim(
        story=story, statement="The barrier failed twice", status=Claim.Status.PUBLISHED
    )
    draft = make_claim(story=story, statement="The engineer knew")
    # Not the vocabulary's own "framing" and "quote", which a migration makes.
    framing = make_tag(name="spin angle", slug="spin-angle")
    quote = make_tag(name="verbatim", slug="verbatim")
    stances = [Annotation.Stance.REPORTS, Annotation.Stance.DISPUTES, Annotation.Stance.REPORTS]
    annotations = []
    for article, stance, tags in zip(
        articles, stances, ([framing], [quote], [framing, quote]), strict=True
    ):
        annotation = make_annotation(
            article, "failed two inspections", claim=published, stance=stance, author=author
        )
        annotation.tags.add(*tags)
        annotations.append(annotation)
    on_draft = make_annotation(articles[0], "hinges were corroded", claim=draft, note="Draft.")
    deleted = make_annotation(articles[1], "memo shows", claim=published)
    Annotation.objects.filter(pk=deleted.pk).update(deleted=timezone.now())
    return World(story, outlets, articles, published, draft, annotations, on_draft, deleted)


def walk(client, url: str, **headers) -> list[dict]:
    """Every page of a list, following `next`; the pages, in order."""
    pages = []
    while url:
        response = client.get(url, **headers)
        assert response.status_code == 200, response.content
        pages.append(response.json())
        url = pages[-1]["next"]
        assert len(pages) < 1000
    return pages
