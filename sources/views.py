"""Importing articles from the browser, at once or as background jobs."""

import csv

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_http_methods, require_safe

from parallax.permissions import editor_required, is_moderator
from sources import jobs, uploads
from sources.forms import PasteForm, UploadForm
from sources.importer import Status, file_size
from sources.models import ImportJob

# "My imports" shows this many jobs a page.
JOBS_PER_PAGE = 25


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
        if upload_form.is_valid() and jobs.runs_in_background(upload_form.cleaned_data["files"]):
            job = jobs.start(
                request.user,
                upload_form.cleaned_data["files"],
                outlet=upload_form.cleaned_data["outlet_name"],
                story=upload_form.cleaned_data["story_title"],
            )
            return redirect(job)
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


def _job_for(request, job_id: int) -> ImportJob:
    """The job, for the editor who started it or a moderator; 404 for anyone else, so a
    job's number tells nothing. A job whose worker stopped is put back in the queue."""
    jobs_seen = ImportJob.objects.select_related("created_by")
    if not is_moderator(request.user):
        jobs_seen = jobs_seen.filter(created_by=request.user)
    job = get_object_or_404(jobs_seen, pk=job_id)
    if job.state == ImportJob.State.RUNNING and jobs.resume_stale(
        ImportJob.objects.filter(pk=job.pk)
    ):
        job.refresh_from_db()
    return job


@require_safe
@editor_required
@never_cache
def import_job(request, job_id):
    """A background import: its progress while it runs (updated by static/js/import-job.js,
    or by the refresh link), then its report."""
    job = _job_for(request, job_id)
    report = jobs.report(job) if job.finished_work else None
    return render(
        request,
        "sources/import_job.html",
        {
            "job": job,
            "file_count": job.files.count(),
            "progress": jobs.Progress.of(job),
            # Queued this long, the job has most likely no worker to run it.
            "no_worker": job.state == ImportJob.State.QUEUED
            and job.heartbeat is not None
            and job.heartbeat < jobs.stale_cutoff(),
            "report": report,
            "stories": report.stories() if report else [],
        },
    )


@require_safe
@editor_required
@never_cache
def import_job_status(request, job_id):
    """The job's progress as JSON, for the job page's script: one query."""
    return JsonResponse(jobs.Progress.of(_job_for(request, job_id)).as_json())


@require_safe
@editor_required
def import_job_csv(request, job_id):
    """The job's report as a spreadsheet: one row per file or record."""
    job = _job_for(request, job_id)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="import-{job.pk}-report.csv"'
    writer = csv.writer(response)
    writer.writerow(["file", "result", "reason", "article"])
    for row in jobs.report(job).rows:
        address = request.build_absolute_uri(row.article.get_absolute_url()) if row.article else ""
        writer.writerow([_cell(row.name), row.label, _cell(row.reason), address])
    return response


def _cell(value: str) -> str:
    # A spreadsheet runs a cell that starts with one of these as a formula.
    return f"'{value}" if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


@require_safe
@editor_required
@never_cache
def import_jobs(request):
    """ "My imports": the editor's background imports, newest first."""
    mine = ImportJob.objects.filter(created_by=request.user)
    jobs.resume_stale(mine)
    paginator = Paginator(mine.order_by("-created", "-pk"), JOBS_PER_PAGE)
    page = paginator.get_page(request.GET.get("page"))
    return render(
        request,
        "sources/import_jobs.html",
        {
            "page": page,
            "page_range": paginator.get_elided_page_range(page.number),
            "rows": [(job, jobs.Progress.of(job)) for job in page],
        },
    )
