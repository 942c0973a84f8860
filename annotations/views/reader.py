"""The article reader, annotation pages, and annotating."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import BooleanField, Case, ExpressionWrapper, F, Q, Subquery, Value, When
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.html import format_html
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from annotations import editing, sharing
from annotations.forms import AnnotationEditForm, AnnotationForm
from annotations.models import Annotation, Claim, Tag
from annotations.reading import article_blocks, legend_tags
from annotations.review import old_place
from parallax.permissions import can_change, editor_required, is_editor, is_moderator
from sources.models import Article

# The annotate form's tag group offers this many tags of the vocabulary on the keys 1 to 9.
SHORTCUT_TAGS = 9
# The claim picker lists at most this many of a story's claims (the last used first);
# the server still looks a typed statement up among all of them.
PICKER_CLAIMS = 500


def claims_for_editor(story_id: int, user):
    """The story's claims for the claim picker, in one query: the one this editor used
    last in the story first (marked `last_used`), then by statement."""
    last_used = (
        Annotation.objects.visible()
        .filter(author=user, article__story=story_id, claim__isnull=False)
        .order_by("-created", "-pk")
        .values("claim_id")[:1]
    )
    return (
        Claim.objects.filter(story=story_id)
        .annotate(
            last_used=ExpressionWrapper(Q(pk=Subquery(last_used)), output_field=BooleanField())
        )
        .order_by(F("last_used").desc(nulls_last=True), "statement")
        .only("statement")[:PICKER_CLAIMS]
    )


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
    article = get_object_or_404(Article.objects.select_related("outlet", "story"), pk=article_id)
    passages = list(article.passages.order_by("ordinal"))
    editor = is_editor(request.user)
    listed = article.annotations.visible().with_details().order_by("start", "end", "pk")
    if not editor:
        # Readers see what stands on the current text; editors also what a correction of
        # the text left in review or orphaned (their offsets point into an earlier text).
        listed = listed.anchored()
    annotations, unanchored = [], []
    for annotation in listed:
        annotation.can_change = can_change(request.user, annotation)
        is_anchored = annotation.anchor_status == Annotation.AnchorStatus.ANCHORED
        (annotations if is_anchored else unanchored).append(annotation)
    context = {
        "article": article,
        "blocks": article_blocks(article.text, passages, annotations),
        "annotations": annotations,
        "unanchored": unanchored,
        "corrected_on": corrected_on(article),
        "legend_tags": legend_tags(annotations),
        "share": sharing.article_share(request, article, annotation_count=len(annotations)),
    }
    if editor:
        vocabulary = list(Tag.objects.vocabulary().only("name"))
        context["form"] = AnnotationForm(article=article)
        context["story_claims"] = claims_for_editor(article.story_id, request.user)
        context["vocabulary"] = vocabulary
        context["shortcut_tags"] = vocabulary[:SHORTCUT_TAGS]
        context["next_article"] = next_outlet_article(article)
    return render(request, "annotations/article_detail.html", context)


@require_POST
def annotation_create(request, article_id):
    """Save a selection made in the reader; answers JSON for the page's script."""
    if not is_editor(request.user):
        return JsonResponse({"error": "Log in as an editor to annotate."}, status=403)
    article = get_object_or_404(Article, pk=article_id)
    form = AnnotationForm(request.POST, article=article)
    # A plain form (the "find it in the other outlets" page without its script) says where
    # to go back to; the reader's script asks for JSON.
    back = request.POST.get("next", "")
    plain = "application/json" not in request.headers.get("Accept", "") and back
    if plain and not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        back = article.get_absolute_url()
    if not form.is_valid():
        errors = {field: [str(e) for e in errs] for field, errs in form.errors.items()}
        message = " ".join(" ".join(errs) for errs in errors.values())
        if plain:
            messages.error(request, f"Not annotated: {message}")
            return redirect(back)
        return JsonResponse({"error": message, "errors": errors}, status=400)
    annotation, created = editing.create_annotation(article, request.user, form.cleaned_data)
    if plain:
        messages.success(
            request,
            format_html(
                'Annotated in {}: <a href="{}">see it</a>.',
                article.outlet.name,
                annotation.get_absolute_url(),
            ),
        )
        return redirect(back)
    return JsonResponse(
        {"id": annotation.pk, "url": annotation.get_absolute_url(), "exact": annotation.exact},
        # The same form sent again is answered with the annotation it made the first time.
        status=201 if created else 200,
    )


def _annotation_or_404(request, annotation_id) -> Annotation:
    annotation = get_object_or_404(
        Annotation.objects.with_details().select_related("article__outlet", "article__story"),
        pk=annotation_id,
    )
    if annotation.deleted and not is_moderator(request.user):
        raise Http404("This annotation was deleted.")
    return annotation


@require_safe
def annotation_detail(request, annotation_id):
    annotation = _annotation_or_404(request, annotation_id)
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
        "annotations/annotation_detail.html",
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


@require_http_methods(["GET", "HEAD", "POST"])
@editor_required
def annotation_edit(request, annotation_id):
    annotation = _annotation_or_404(request, annotation_id)
    if not can_change(request.user, annotation) or annotation.deleted:
        raise PermissionDenied("You can change only your own annotations.")
    current = {
        "tags": ", ".join(tag.name for tag in annotation.tag_list),
        "claim": annotation.claim.statement if annotation.claim_id else "",
        "stance": annotation.stance,
        "note": annotation.note,
        "version": annotation.version,
    }
    form = AnnotationEditForm(request.POST or None, initial=current, article=annotation.article)
    theirs = None
    if request.method == "POST" and form.is_valid():
        try:
            editing.update_annotation(
                annotation, request.user, form.cleaned_data, version=form.cleaned_data["version"]
            )
        except editing.StaleEdit as stale:
            # Nothing typed is lost: the form keeps it, next to what the other editor saved,
            # and carries the version now stored, so saving again replaces theirs knowingly.
            data = request.POST.copy()
            data["version"] = str(annotation.version)
            form = AnnotationEditForm(data, article=annotation.article)
            form.is_valid()
            form.add_error(None, stale.message)
            theirs = current | {"changed_by": stale.changed_by}
        else:
            messages.success(request, "Annotation saved.")
            return redirect(annotation)
    vocabulary = list(Tag.objects.vocabulary().only("name"))
    return render(
        request,
        "annotations/annotation_edit.html",
        {
            "annotation": annotation,
            "form": form,
            "theirs": theirs,
            "story_claims": claims_for_editor(annotation.article.story_id, request.user),
            "vocabulary": vocabulary,
            "shortcut_tags": vocabulary[:SHORTCUT_TAGS],
        },
    )


@require_POST
@editor_required
def annotation_delete(request, annotation_id):
    annotation = _annotation_or_404(request, annotation_id)
    if not can_change(request.user, annotation):
        raise PermissionDenied("You can delete only your own annotations.")
    if not annotation.deleted:
        editing.delete_annotation(annotation, request.user)
        messages.success(request, "Annotation deleted. A moderator can restore it.")
    return redirect(annotation.article)


@require_POST
@editor_required
def annotation_restore(request, annotation_id):
    if not is_moderator(request.user):
        raise PermissionDenied("Only moderators can restore annotations.")
    annotation = _annotation_or_404(request, annotation_id)
    if annotation.deleted:
        editing.restore_annotation(annotation, request.user)
        messages.success(request, "Annotation restored.")
    return redirect(annotation)
