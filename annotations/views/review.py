"""The review list: annotations a correction of their article's text could not place for
sure, and an editor's decisions on them (accept the proposed place, move, orphan)."""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from annotations import anchoring
from annotations.editing import StaleEdit
from annotations.models import Annotation
from annotations.review import annotations_to_review, old_place, review_items
from parallax.permissions import can_change, editor_required
from reading.passages import article_blocks
from sources.models import Article

REVIEW_PER_PAGE = 20
AnchorStatus = Annotation.AnchorStatus


def _review_page(request, annotations, article: Article | None):
    paginator = Paginator(annotations, REVIEW_PER_PAGE)
    # get_page() turns a missing, malformed or too-large number into the nearest page.
    page = paginator.get_page(request.GET.get("page"))
    return render(
        request,
        "annotations/review_list.html",
        {
            "article": article,
            "site_wide": article is None,
            "page": page,
            "page_range": paginator.get_elided_page_range(page.number, on_each_side=2),
            "items": review_items(list(page.object_list)),
            "back": request.get_full_path(),
        },
    )


@require_safe
@editor_required
def article_review(request, article_id):
    article = get_object_or_404(
        Article.objects.select_related("outlet", "story").defer("text", "raw"), pk=article_id
    )
    return _review_page(request, annotations_to_review(article), article)


@require_safe
@editor_required
def review_list(request):
    return _review_page(request, annotations_to_review(), None)


def _annotation_or_404(annotation_id) -> Annotation:
    return get_object_or_404(
        Annotation.objects.visible().select_related("article"), pk=annotation_id
    )


def _back(request, annotation: Annotation):
    """Back to the page the decision was made on, else the article's review list."""
    target = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(target)
    return redirect("annotations:article-review", annotation.article_id)


def _posted_version(request) -> int | None:
    """The annotation's version the page was showing (None when not sent): a decision made
    on a page older than the annotation's last change is refused, not applied blindly."""
    value = request.POST.get("version", "")
    return int(value) if value.isdigit() else None


def _changed_since(stale: StaleEdit, outcome: str) -> str:
    """Who changed the annotation since the editor's page was made, and what that meant."""
    return f"{stale.changed_by} changed this annotation since you opened the page; {outcome}"


def _decide(request, annotation: Annotation, decide, done: str):
    """Apply one decision (an anchoring function), then go back with what happened."""
    try:
        decide(annotation, request.user, version=_posted_version(request))
    except anchoring.AnchoringRefused as refused:
        messages.error(request, refused.message)
    except StaleEdit as stale:
        messages.error(request, _changed_since(stale, "nothing was done. Look at it again below."))
    else:
        messages.success(request, done)
    return _back(request, annotation)


@require_POST
@editor_required
def annotation_accept(request, annotation_id):
    annotation = _annotation_or_404(annotation_id)
    if annotation.anchor_status != AnchorStatus.REVIEW or annotation.proposed_start is None:
        messages.error(request, "This annotation has no proposed place to accept.")
        return _back(request, annotation)
    quote = annotation.exact[:60]
    return _decide(
        request,
        annotation,
        anchoring.accept_proposal,
        f"Accepted: the annotation on “{quote}” now stands on its proposed place.",
    )


@require_POST
@editor_required
def annotation_orphan(request, annotation_id):
    annotation = _annotation_or_404(annotation_id)
    if annotation.anchor_status != AnchorStatus.REVIEW:
        messages.error(request, "Only an annotation in review can be marked orphaned.")
        return _back(request, annotation)
    return _decide(
        request,
        annotation,
        anchoring.orphan_annotation,
        f"Marked orphaned: the annotation on “{annotation.exact[:60]}” keeps its tags, claim "
        "and note, and its claim's page still shows it.",
    )


class MoveForm(forms.Form):
    """A new place in the current text, as the move page's script fills it from a selection
    (or as typed without the script). `exact` and `text_version` tell a selection made on
    a text that has changed since the page was opened."""

    start = forms.IntegerField(min_value=0, label="From character")
    end = forms.IntegerField(min_value=1, label="To character")
    exact = forms.CharField(required=False, strip=False, widget=forms.HiddenInput)
    text_version = forms.IntegerField(min_value=1, widget=forms.HiddenInput)
    # The annotation's version the page showed (see annotations.editing._next_version).
    version = forms.IntegerField(min_value=1, widget=forms.HiddenInput)

    def __init__(self, *args, article: Article, **kwargs):
        super().__init__(*args, **kwargs)
        self.article = article

    def clean(self):
        data = super().clean()
        start, end, version = data.get("start"), data.get("end"), data.get("text_version")
        if start is None or end is None or version is None:
            return data
        if version != self.article.text_version:
            raise ValidationError(
                "The article's text was corrected since you opened this page. "
                "Select the words again in the text below."
            )
        text = self.article.text
        if not start < end <= len(text):
            raise ValidationError(
                f"Choose a place inside the article's text: from 0 to {len(text)} characters, "
                "the start before the end."
            )
        if not text[start:end].strip():
            raise ValidationError("Select some words, not only white space.")
        exact = data.get("exact")
        if exact and text[start:end] != exact:
            raise ValidationError("The selection does not match the article's text. Try again.")
        return data


@require_http_methods(["GET", "HEAD", "POST"])
@editor_required
def annotation_move(request, annotation_id):
    """Choose a new place for an annotation by selecting words in the current text. Any
    editor decides for an annotation in review or orphaned; an anchored one (whose words
    this would change) only its author or a moderator."""
    annotation = get_object_or_404(
        Annotation.objects.visible().with_details().select_related("article__outlet"),
        pk=annotation_id,
    )
    if annotation.anchor_status == AnchorStatus.ANCHORED and not can_change(
        request.user, annotation
    ):
        raise PermissionDenied("Only its author or a moderator can move an anchored annotation.")
    article = annotation.article
    initial = {"text_version": article.text_version, "version": annotation.version}
    form = MoveForm(request.POST or None, initial=initial, article=article)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            anchoring.move_annotation(
                annotation, data["start"], data["end"], request.user, version=data["version"]
            )
        except anchoring.AnchoringRefused as refused:
            form.add_error(None, refused.message)
        except StaleEdit as stale:
            form.add_error(
                None,
                _changed_since(
                    stale, "nothing was moved. It may no longer need moving: see the review list."
                ),
            )
        else:
            messages.success(
                request, f"Moved: the annotation now quotes “{annotation.exact[:60]}”."
            )
            return redirect(reverse("annotations:article-review", args=[article.pk]))
    old_text = None
    if annotation.anchored_version == article.text_version:
        old_text = article.text
    else:
        version = article.versions.filter(number=annotation.anchored_version).only("text").first()
        old_text = version.text if version else None
    passages = list(article.passages.order_by("ordinal"))
    return render(
        request,
        "annotations/annotation_move.html",
        {
            "annotation": annotation,
            "article": article,
            "old": old_place(annotation, old_text),
            "blocks": article_blocks(article.text, passages, []),
            "form": form,
        },
    )
