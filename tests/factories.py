"""Small factories for model rows, with texts written for the tests."""

from itertools import count

from annotations.models import Annotation, Claim
from sources.models import Article, Outlet, Story

_n = count(1)

ARTICLE_TEXT = (
    "Barrier failed twice, memo shows\n\n"
    "The flood barrier had failed two inspections before the storm, an internal memo shows.\n\n"
    "“We knew the hinges were corroded,” the chief engineer wrote."
)


def make_outlet(**fields) -> Outlet:
    n = next(_n)
    return Outlet.objects.create(**{"name": f"Outlet {n}", **fields})


def make_story(**fields) -> Story:
    n = next(_n)
    return Story.objects.create(**{"title": f"Story {n}", **fields})


def make_article(**fields) -> Article:
    n = next(_n)
    fields.setdefault("outlet", make_outlet())
    fields.setdefault("story", make_story())
    return Article.objects.create(**{"title": f"Article {n}", "text": ARTICLE_TEXT, **fields})


def make_claim(**fields) -> Claim:
    fields.setdefault("story", make_story())
    return Claim.objects.create(**{"statement": f"Claim number {next(_n)}", **fields})


def make_annotation(article: Article, quote: str, **fields) -> Annotation:
    start = article.text.index(quote)
    annotation = Annotation(article=article, start=start, end=start + len(quote), **fields)
    annotation.set_quote_from_offsets()
    annotation.full_clean()
    annotation.save()
    return annotation
