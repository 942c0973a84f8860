"""The article reader, an annotation's own page, and the article's earlier texts."""

from django.db.models import Case, F, Value, When
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.http import require_safe

from annotations.forms import AnnotationForm
from annotations.models import Annotation, Tag
from annotations.review import old_place, version_changes
from annotations.views.annotating import SHORTCUT_TAGS, annotation_or_404, claims_for_editor
from parallax.permissions import can_change, is_editor
from reading import queries, sharing
from reading.fragments import annotation_urls
from reading.passages import article_blocks, legend_tags
from sources.models import Article, ArticleVersion

# The reader lists at most this many of an article's quotations.
ARTICLE_QUOTATIONS = 300


def next_outlet_article(article: Article) -> Article | None:
    """The story's next article from another outlet, in a stable order (outlet name, date,
    pk), wrapping round to the first after the last outlet. One query."""
    return (
        Article.objects.filter(story=article.story_id)
        .exclude(outlet=article.outlet_id)
        .select_related("outlet")
        .only("title", "outlet__name")
        .annotate(
            wrapped=Case(
                When(outlet__name__gt=article.outlet.name, then=Value(0)), default=Value(1)
            )
        )
        .order_by("wrapped", "outlet__name", F("published").asc(nulls_last=True), "pk")
        .first()
    )


def corrected_on(article: Article):
    """When the article's current text replaced an earlier one (None if never corrected):
    one query, only for a corrected article."""
    if article.text_version <= 1:
        return None
    return (
        article.versions.filter(number=article.text_version - 1)
        .values_list("created", flat=True)
        .first()
    )


@require_safe
def article_detail(request, article_id):
    # The raw input is never shown here (the text is).
    article = get_object_or_404(
        Article.objects.select_related("outlet", "story").defer("raw"), pk=article_id
    )
    passages = list(article.passages.order_by("ordinal"))
    editor = is_editor(request.user)
    listed = (
        # Not article.annotations, which hands the article to each of hundreds of rows, a
        # costly step per row for a link nothing on the page follows.
        Annotation.objects.filter(article=article)
        .visible()
        # Each claim and editor made once however many annotations share them (an
        # article's 400 annotations name a few dozen claims and one or two editors), by
        # its key rather than joined to every row: a query each, when any has one.
        .prefetch_related("claim", "author")
        .order_by("start", "end", "pk")
    )
    if not editor:
        # Readers see what stands on the current text; editors also what a correction of
        # the text left in review or orphaned (their offsets point into an earlier text).
        listed = listed.anchored()
    annotations, unanchored = [], []
    for annotation in queries.attach_tags(list(listed), among=listed):
        annotation.can_change = editor and can_change(request.user, annotation)
        is_anchored = annotation.anchor_status == Annotation.AnchorStatus.ANCHORED
        (annotations if is_anchored else unanchored).append(annotation)
    quotations = list(queries.article_quotations(article)[:ARTICLE_QUOTATIONS])
    traced = [q for q in quotations if q.trace_id is not None]
    context = {
        "article": article,
        "blocks": article_blocks(article.text, passages, annotations, traced),
        "quotations": quotations,
        "annotations": annotations,
        "unanchored": unanchored,
        "corrected_on": corrected_on(article),
        "legend_tags": legend_tags(annotations),
        "annotation_urls": annotation_urls(article.pk),
        "shows_drafts": editor,
        "share": sharing.article_share(request, article, annotation_count=len(annotations)),
    }
    if editor:
        vocabulary = list(Tag.objects.vocabulary().only("name"))
        context["form"] = AnnotationForm(article=article)
        context["story_claims"] = claims_for_editor(article.story_id, request.user)
        context["vocabulary"] = vocabulary
        context["shortcut_tags"] = vocabulary[:SHORTCUT_TAGS]
        context["next_article"] = next_outlet_article(article)
    response = render(request, "reading/article_detail.html", context)
    # Web Annotation Protocol, 4.1: a resource names its annotation container in a Link
    # header with this rel; ours is the article's annotations in the API.
    container = request.build_absolute_uri(reverse("api:article-annotations", args=[article.pk]))
    response["Link"] = f'<{container}>; rel="http://www.w3.org/ns/oa#annotationService"'
    return response


@require_safe
def annotation_detail(request, annotation_id):
    annotation = annotation_or_404(request, annotation_id)
    article = annotation.article
    blocks, earlier = [], None
    if annotation.anchored_version == article.text_version:
        # The quote in its context: the passages it touches.
        passages = list(
            article.passages.filter(start__lt=annotation.end, end__gt=annotation.start).order_by(
                "ordinal"
            )
        )
        blocks = article_blocks(article.text, passages, [annotation])
    else:
        # Made on (or left on) an earlier text: its offsets point into that text, so its
        # words are shown there, never at the same offsets of the current text.
        version = article.versions.filter(number=annotation.anchored_version).only("text").first()
        earlier = old_place(annotation, version.text if version else None)
    revisions = annotation.revisions.select_related("user")
    return render(
        request,
        "reading/annotation_detail.html",
        {
            "annotation": annotation,
            "article": article,
            "blocks": blocks,
            "earlier": earlier,
            "revisions": revisions,
            "can_change": can_change(request.user, annotation),
            "share": sharing.annotation_share(request, annotation),
        },
    )


@require_safe
def article_versions(request, article_id):
    """The article's texts: the current one and every earlier one kept."""
    article = get_object_or_404(
        Article.objects.select_related("outlet", "story").defer("text", "raw"), pk=article_id
    )
    versions = article.versions.select_related("created_by").defer("text").order_by("-number")
    return render(
        request,
        "reading/article_versions.html",
        {"article": article, "versions": list(versions)},
    )


@require_safe
def article_version_detail(request, article_id, number):
    """One text of the article, with the words that differ from the current text marked.
    The current version's number shows the current text."""
    article = get_object_or_404(
        Article.objects.select_related("outlet", "story").defer("raw"), pk=article_id
    )
    version = None
    if number != article.text_version:
        version = get_object_or_404(
            ArticleVersion.objects.select_related("created_by"), article=article, number=number
        )
    changes = version_changes(version.text, article.text) if version else None
    return render(
        request,
        "reading/article_version_detail.html",
        {"article": article, "version": version, "number": number, "changes": changes},
    )
