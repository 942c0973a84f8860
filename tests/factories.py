"""Small factories for model rows, with texts written for the tests."""

from itertools import count

from annotations.models import Annotation, Claim, Tag
from sources.models import Article, Outlet, Passage, Story
from sources.text.layout import analyse

_n = count(1)

ARTICLE_TEXT = (
    "Barrier failed twice, memo shows\n\n"
    "The flood barrier had failed two inspections before the storm, an internal memo shows.\n\n"
    "“We knew the hinges were corroded,” the chief engineer wrote."
)

# An article the correction tests correct: MEMO_TEXT, then MEMO_RECOUNTED (a figure
# changed in the second paragraph, the third paragraph withdrawn).
MEMO_TEXT = (
    "Barrier failed, memo shows\n\n"
    "The flood barrier failed twice before the storm, an internal memo shows.\n\n"
    "The chief engineer wrote that the hinges were corroded.\n\n"
    "Officials declined to comment on the report."
)
MEMO_RECOUNTED = (
    "Barrier failed, memo shows\n\n"
    "The flood barrier failed three times before the storm, an internal memo shows.\n\n"
    "Officials declined to comment on the report."
)


def make_outlet(**fields) -> Outlet:
    n = next(_n)
    return Outlet.objects.create(**{"name": f"Outlet {n}", **fields})


def make_story(**fields) -> Story:
    n = next(_n)
    return Story.objects.create(**{"title": f"Story {n}", **fields})


def make_article(*, passages: bool = True, **fields) -> Article:
    """An article whose text is cut into passages the way the importer cuts it."""
    n = next(_n)
    fields.setdefault("outlet", make_outlet())
    fields.setdefault("story", make_story())
    article = Article.objects.create(**{"title": f"Article {n}", "text": ARTICLE_TEXT, **fields})
    if passages:
        Passage.objects.bulk_create(
            Passage(
                article=article, ordinal=i, start=p.start, end=p.end, kind=p.kind, depth=p.depth
            )
            for i, p in enumerate(analyse(article.text).passages, 1)
        )
    return article


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


def make_tag(**fields) -> Tag:
    n = next(_n)
    fields = {"name": f"tag {n}", "slug": f"tag-{n}", "status": Tag.Status.ACCEPTED, **fields}
    return Tag.objects.create(**fields)


def make_coverage(outlets: int, articles_per_outlet: int, tags=()) -> Story:
    """A story covered by `outlets` outlets with `articles_per_outlet` articles each. Every
    article has an annotation under the story's published claim carrying `tags`; the story
    also has a draft claim."""
    story = make_story()
    claim = make_claim(story=story, status=Claim.Status.PUBLISHED)
    make_claim(story=story, status=Claim.Status.DRAFT)
    for _ in range(outlets):
        outlet = make_outlet()
        for i in range(articles_per_outlet):
            # A different text each time: an outlet cannot hold the same text twice.
            article = make_article(
                outlet=outlet, story=story, text=f"{ARTICLE_TEXT}\n\nUpdate {i}."
            )
            annotation = make_annotation(article, "memo shows", claim=claim)
            annotation.tags.add(*tags)
    return story
