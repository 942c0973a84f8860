"""Annotating: making, changing, deleting and restoring annotations in the reader."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import BooleanField, ExpressionWrapper, F, Q, Subquery
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.html import format_html
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_POST

from annotations import editing
from annotations.forms import AnnotationEditForm, AnnotationForm
from annotations.models import Annotation, Claim, Tag
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


def annotation_or_404(request, annotation_id) -> Annotation:
    annotation = get_object_or_404(
        Annotation.objects.with_details().select_related("article__outlet", "article__story"),
        pk=annotation_id,
    )
    if annotation.deleted and not is_moderator(request.user):
        raise Http404("This annotation was deleted.")
    return annotation


@require_http_methods(["GET", "HEAD", "POST"])
@editor_required
def annotation_edit(request, annotation_id):
    annotation = annotation_or_404(request, annotation_id)
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
    annotation = annotation_or_404(request, annotation_id)
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
    annotation = annotation_or_404(request, annotation_id)
    if annotation.deleted:
        editing.restore_annotation(annotation, request.user)
        messages.success(request, "Annotation restored.")
    return redirect(annotation)
