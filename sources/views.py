"""Importing articles from the browser."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_http_methods

from parallax.permissions import editor_required
from sources import uploads
from sources.forms import PasteForm, UploadForm
from sources.importer import Status, file_size


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
    stories = []

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
            stories = report.stories()
            upload_form = UploadForm(limits=limits, prefix="upload")

    # A browser cannot put files back in a file input: after a problem they are chosen again.
    files_lost = upload_form.is_bound and bool(upload_form.errors)
    return render(
        request,
        "sources/import.html",
        {
            "upload_form": upload_form,
            "paste_form": paste_form,
            "report": report,
            "stories": stories,
            "paste_result": paste_result,
            "limits": limits,
            "sizes": {
                "files": f"{limits.files:,}",
                "file": file_size(limits.file_bytes),
                "upload": file_size(limits.request_bytes),
                "members": f"{limits.members:,}",
            },
            "files_lost": files_lost,
            "problems": error_links(upload_form, "upload-form", files_lost)
            + error_links(paste_form, "paste-form"),
        },
    )


def error_links(form, form_id: str, files_lost: bool = False) -> list[dict]:
    """A bound form's errors, each with the address of its field, for the page's summary.

    An error of the whole form points at the form; when the files must be
    chosen again, the summary says so, pointing at the file input.
    """
    links = []
    # In the order the fields stand on the page, not the order they were checked.
    for name in ["__all__", *form.fields]:
        href = f"#{form_id}" if name == "__all__" else f"#{form[name].id_for_label}"
        links.extend({"href": href, "text": message} for message in form.errors.get(name, []))
    if files_lost and "files" not in form.errors:
        links.insert(
            0, {"href": f"#{form['files'].id_for_label}", "text": "Choose the files again."}
        )
    return links
