"""Importing articles from the browser."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_http_methods

from parallax.permissions import editor_required
from sources import uploads
from sources.forms import PasteForm, UploadForm
from sources.importer import Status


@require_http_methods(["GET", "HEAD", "POST"])
@editor_required
@csrf_exempt
def import_articles(request):
    # The upload limits are checked while the body is read, so their handler
    # must be in place before anything reads request.POST. The CSRF middleware
    # would read it first; the check is made by csrf_protect below instead.
    limit_handler = uploads.UploadLimitHandler(request)
    request.upload_handlers.insert(0, limit_handler)
    return _import_articles(request, limit_handler)


@csrf_protect
def _import_articles(request, limit_handler):
    limits = limit_handler.limits
    upload_form = UploadForm(limits=limits, prefix="upload")
    paste_form = PasteForm(limits=limits, prefix="paste")
    report = paste_result = None

    if request.method == "POST" and request.POST.get("form") == "paste":
        paste_form = PasteForm(request.POST, limits=limits, prefix="paste")
        if paste_form.is_valid():
            outcome = uploads.import_pasted(**paste_form.import_arguments())
            if outcome.status == Status.CREATED:
                messages.success(request, f"Imported “{outcome.article.title}”.")
                return redirect(outcome.article)
            paste_result = uploads.Report([outcome]).rows[0]
    elif request.method == "POST":
        upload_form = UploadForm(
            request.POST,
            request.FILES,
            limits=limits,
            refused=limit_handler.problem,
            prefix="upload",
        )
        if upload_form.is_valid():
            budget = limits.budget()
            outcomes = uploads.import_uploads(
                upload_form.cleaned_data["files"],
                outlet=upload_form.cleaned_data["outlet_name"],
                story=upload_form.cleaned_data["story_title"],
                limits=limits,
                budget=budget,
            )
            report = uploads.Report(outcomes, budget=budget)
            upload_form = UploadForm(limits=limits, prefix="upload")

    return render(
        request,
        "sources/import.html",
        {
            "upload_form": upload_form,
            "paste_form": paste_form,
            "report": report,
            "paste_result": paste_result,
        },
    )
