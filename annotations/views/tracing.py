"""Editing from a quotation's page: annotating every rendering of the same words at once,
and correcting what extraction got wrong (a speaker, a verb, a trace that groups different
words or misses the same ones). Each correction is a QuotationDecision that every later
extraction and tracing keeps."""

from django.contrib import messages
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from annotations import editing
from annotations.forms import AnnotationFieldsForm, QuotationCorrectionForm
from parallax.permissions import editor_required
from reading.views.quotations import quotation_or_404, quotation_page
from sources import quotations as tracing
from sources.models import Quotation


def _back(request, quotation: Quotation):
    """Back to the page the form was on (a trace panel acts on each of its renderings),
    else to the quotation's own page."""
    back = request.POST.get("next", "")
    if back and url_has_allowed_host_and_scheme(
        back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(back)
    return redirect(quotation.get_absolute_url())


def _plural(count: int, one: str, many: str | None = None) -> str:
    return f"{count} {one if count == 1 else many or one + 's'}"


@require_POST
@editor_required
def quotation_annotate(request, article_id, key):
    """One action: every rendering of the words in this story, annotated under one claim."""
    quotation = quotation_or_404(article_id, key)
    form = AnnotationFieldsForm(request.POST, article=quotation.article)
    if form.is_valid() and not form.cleaned_data["claim"]:
        form.add_error("claim", "Name the claim these words make: every rendering goes under it.")
    if not form.is_valid():
        messages.error(request, "Nothing was annotated: see the form below.")
        return quotation_page(request, quotation, form=form, status=400)
    story = quotation.article.story_id
    if quotation.trace_id is None:
        renderings, elsewhere = [quotation], 0
    else:
        traced = list(
            Quotation.objects.filter(trace=quotation.trace_id)
            .select_related("article")
            .only("pk", "article_id", "start", "end", "article__story_id")
            .order_by("article_id", "start")
        )
        renderings = [q for q in traced if q.article.story_id == story]
        elsewhere = len(traced) - len(renderings)
    made, left = editing.annotate_quotations(renderings, request.user, form.cleaned_data)
    parts = [f"Annotated {_plural(len(made), 'rendering')}."]
    if left:
        parts.append(f"{_plural(left, 'was', 'were')} annotated so already and left as they were.")
    if elsewhere:
        verb = "was" if elsewhere == 1 else "were"
        parts.append(
            f"{_plural(elsewhere, 'rendering')} in other stories {verb} not annotated: "
            "a claim belongs to one story."
        )
    messages.success(request, " ".join(parts))
    return _back(request, quotation)


@require_POST
@editor_required
def quotation_correct(request, article_id, key):
    """An editor's speaker and verb for one quotation."""
    quotation = quotation_or_404(article_id, key)
    form = QuotationCorrectionForm(request.POST)
    if not form.is_valid():
        problems = " ".join(" ".join(errors) for errors in form.errors.values())
        messages.error(request, f"Not corrected: {problems}")
        return _back(request, quotation)
    speaker = " ".join(form.cleaned_data["speaker"].split())
    verb = " ".join(form.cleaned_data["verb"].split())
    changes = {
        "speaker": speaker if speaker != quotation.speaker else None,
        "verb": verb if verb != quotation.verb else None,
    }
    if changes == {"speaker": None, "verb": None}:
        messages.info(request, "Nothing to correct: the speaker and verb are as they were.")
        return _back(request, quotation)
    tracing.correct(quotation, user=request.user, **changes)
    said = [f"{name} “{value}”" for name, value in changes.items() if value is not None]
    messages.success(
        request,
        f"Corrected in {quotation.article.outlet.name}: {' and '.join(said)}. "
        "Every later extraction keeps it.",
    )
    return _back(request, quotation)


@require_POST
@editor_required
def quotation_take_out(request, article_id, key):
    """Not the same words: the quotation leaves its trace and stays apart from it."""
    quotation = quotation_or_404(article_id, key)
    if quotation.trace_id is None:
        messages.info(request, "This quotation is in no trace.")
        return _back(request, quotation)
    tracing.take_out(quotation, user=request.user)
    messages.success(
        request,
        f"Taken out of the trace: {quotation.article.outlet.name}’s words stay apart from "
        "the other renderings in every later tracing.",
    )
    return _back(request, quotation)


@require_POST
@editor_required
def quotation_join(request, article_id, key):
    """The same words: another quotation (and its trace) joins this one's trace."""
    quotation = quotation_or_404(article_id, key)
    other_article = request.POST.get("other_article", "")
    other_key = request.POST.get("other_key", "")[:32]
    other = (
        Quotation.objects.filter(article=other_article, key=other_key)
        .select_related("article__outlet")
        .only("pk", "article_id", "key", "text", "trace_id", "article__outlet__name")
        .order_by("start", "pk")
        .first()
        if other_article.isdigit() and other_key
        else None
    )
    if other is None:
        messages.error(request, "Not joined: the other quotation was not found.")
        return _back(request, quotation)
    try:
        tracing.join(quotation, other, user=request.user)
    except ValueError as error:
        messages.error(request, f"Not joined: {error}")
        return _back(request, quotation)
    messages.success(
        request,
        f"Joined: {other.article.outlet.name}’s words are in this trace, in every later tracing.",
    )
    return _back(request, quotation)
