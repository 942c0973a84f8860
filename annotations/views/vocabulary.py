"""The tag vocabulary page, and the moderators' steps on it: accept, merge, reject, reorder."""

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from annotations.models import Tag
from annotations.vocabulary import (
    VocabularyError,
    accept_tag,
    merge_tag,
    move_tag,
    reject_tag,
)
from parallax.permissions import is_editor, is_moderator, moderator_required
from reading import queries

# Proposals wait on one page at a time; a moderator works through them in order.
PROPOSED_PER_PAGE = 50
STEPS = {"up": -1, "down": 1}


class TagMergeForm(forms.Form):
    into = forms.ModelChoiceField(
        queryset=Tag.objects.none(),
        label="Merge into",
        error_messages={"invalid_choice": "Choose a tag of the vocabulary to merge into."},
    )

    def __init__(self, *args, tag, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["into"].queryset = Tag.objects.vocabulary().exclude(pk=tag.pk)


@require_safe
def vocabulary(request):
    """The vocabulary in order, for everyone; the proposals, for editors and moderators."""
    accepted = list(queries.vocabulary_with_counts())
    context = {"accepted": accepted, "moderator": is_moderator(request.user)}
    if is_editor(request.user):
        paginator = Paginator(queries.proposed_tags(), PROPOSED_PER_PAGE)
        page = paginator.get_page(request.GET.get("page"))
        context["proposed"] = page
        context["page_range"] = paginator.get_elided_page_range(page.number, on_each_side=2)
    return render(request, "annotations/vocabulary.html", context)


@require_POST
@moderator_required
def tag_accept(request, slug):
    tag = get_object_or_404(Tag, slug=slug)
    _moderate(
        request,
        lambda: accept_tag(tag, request.user),
        lambda _: f"“{tag.name}” is in the vocabulary now, last in order.",
    )
    return redirect("annotations:vocabulary")


@require_POST
@moderator_required
def tag_merge(request, slug):
    tag = get_object_or_404(Tag, slug=slug)
    form = TagMergeForm(request.POST, tag=tag)
    if not form.is_valid():
        messages.error(request, " ".join(form.errors["into"]))
        return redirect("annotations:vocabulary")
    into = form.cleaned_data["into"]
    _moderate(
        request,
        lambda: merge_tag(tag, into, request.user),
        lambda changed: (
            f"“{tag.name}” is merged into “{into.name}”: {_annotations(changed)} changed."
        ),
    )
    return redirect("annotations:vocabulary")


@require_http_methods(["GET", "HEAD", "POST"])
@moderator_required
def tag_reject(request, slug):
    """A confirmation page naming what rejecting changes; its POST rejects the proposal."""
    tag = get_object_or_404(queries.proposed_tags(), slug=slug)
    if request.method != "POST":
        return render(request, "annotations/tag_reject.html", {"tag": tag})
    _moderate(
        request,
        lambda: reject_tag(tag, request.user),
        lambda changed: f"“{tag.name}” is rejected: {_annotations(changed)} lost it.",
    )
    return redirect("annotations:vocabulary")


@require_POST
@moderator_required
def tag_move(request, slug):
    tag = get_object_or_404(Tag, slug=slug)
    direction = request.POST.get("direction", "")
    if direction not in STEPS:
        return HttpResponseBadRequest("Move a tag “up” or “down”.")
    _moderate(
        request,
        lambda: move_tag(tag, request.user, STEPS[direction]),
        lambda _: f"“{tag.name}” moved {direction}.",
    )
    # Back to the row, so a moderator moving a tag several places keeps it in view.
    return redirect(reverse("annotations:vocabulary") + f"#tag-{tag.pk}")


def _moderate(request, step, success) -> None:
    """Take a moderation step and say how it went: `success(result)` when it was taken,
    the reason when it could not be (another moderator acted first, say)."""
    try:
        result = step()
    except VocabularyError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, success(result))


def _annotations(count: int) -> str:
    return f"{count} annotation{'' if count == 1 else 's'}"
