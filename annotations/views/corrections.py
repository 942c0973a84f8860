"""Correcting an article's text from its page, and the pages of its earlier texts."""

from django import forms
from django.conf import settings
from django.contrib import messages
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.html import format_html
from django.views.decorators.http import require_http_methods

from parallax.permissions import editor_required
from sources.importer import file_size
from sources.models import Article
from sources.revisions import CorrectionRefused, revise_text


class CorrectionForm(forms.Form):
    """The corrected text, as pasted, and the version of the text the editor started from
    (so a correction made meanwhile by someone else is not overwritten unseen)."""

    # Kept as typed: white space is part of an article's text.
    text = forms.CharField(
        strip=False,
        label="Corrected text",
        widget=forms.Textarea(attrs={"rows": 24, "spellcheck": "false"}),
        help_text="The whole text as the outlet now publishes it, typos included.",
    )
    text_version = forms.IntegerField(min_value=1, widget=forms.HiddenInput)

    def clean_text(self):
        text = self.cleaned_data["text"]
        # The same bound as one imported file: a pasted text is no bigger than a file.
        limit = settings.PARALLAX_MAX_UPLOAD_FILE_BYTES
        if len(text.encode("utf-8")) > limit:
            raise forms.ValidationError(
                f"The text is too long: at most {file_size(limit)}, the limit for one "
                "imported file."
            )
        if not text.strip():
            raise forms.ValidationError("The text is empty: an article cannot lose all its text.")
        return text


def _stale_message(article: Article) -> str:
    """Who replaced the text the editor started from, and when."""
    latest = (
        article.versions.select_related("created_by")
        .only("created", "created_by__username")
        .order_by("-number")
        .first()
    )
    if latest is None:
        return "The text was corrected since you opened this page."
    who = latest.created_by.get_username() if latest.created_by else "someone"
    when = latest.created.strftime("%-d %b %Y, %H:%M")
    return (
        f"The text was corrected by {who} ({when}) since you opened this page. "
        "Your text is kept below; the current text is shown beside it. Compare them, "
        "then save again to replace it."
    )


@require_http_methods(["GET", "HEAD", "POST"])
@editor_required
def article_correct(request, article_id):
    """Paste a corrected text: the earlier one is kept as a version, the annotations follow
    (sources.revisions.revise_text), and the counts say what happened to them."""
    article = get_object_or_404(
        Article.objects.select_related("outlet", "story").defer("raw"), pk=article_id
    )
    initial = {"text": article.text, "text_version": article.text_version}
    form = CorrectionForm(request.POST or None, initial=initial)
    stale = False
    if request.method == "POST" and form.is_valid():
        started_from = form.cleaned_data["text_version"]
        correction = None
        try:
            with transaction.atomic():
                # Locked until revise_text is done: no correction slips in between.
                locked = Article.objects.select_for_update().only("text_version").get(pk=article.pk)
                stale = locked.text_version != started_from
                if not stale:
                    correction = revise_text(
                        article, form.cleaned_data["text"], user=request.user, source="reader"
                    )
        except CorrectionRefused as refused:
            form.add_error(None, refused.message)
        if stale:
            # Nothing typed is lost, and saving again now replaces the newer text knowingly.
            data = request.POST.copy()
            data["text_version"] = str(locked.text_version)
            article.refresh_from_db()
            form = CorrectionForm(data, initial=initial)
            form.is_valid()
            form.add_error(None, _stale_message(article))
        elif correction is not None:
            if not correction.changed:
                messages.info(request, "The text is unchanged: nothing was corrected.")
            else:
                messages.success(request, _corrected_message(article, correction.counts))
            return redirect(article)
    return render(
        request,
        "annotations/article_correct.html",
        {"article": article, "form": form, "stale": stale},
    )


def _corrected_message(article: Article, counts: dict[str, int]) -> str:
    in_place = counts.get("anchored", 0)
    text = (
        f"Text corrected (now version {article.text_version}): {in_place} "
        f"annotation{'' if in_place == 1 else 's'} in place, {counts.get('moved', 0)} moved, "
        f"{counts.get('review', 0)} to review, {counts.get('orphaned', 0)} orphaned."
    )
    if counts.get("review", 0) or counts.get("orphaned", 0):
        url = reverse("annotations:article-review", args=[article.pk])
        return format_html('{} <a href="{}">Review them</a>.', text, url)
    return text
