"""Background imports in a browser: a large upload lands on its job page, whose progress line
follows the job without a reload and which shows the report when the job ends."""

from django.utils import timezone

from sources.importer import Status
from sources.models import ImportJob, ImportOutcome
from tests.browser.helpers import check_page, log_in

FERRY = (
    "Island ferry cancelled for a third day\n\nGales kept the ferry in port, the operator said.\n"
)


def test_a_large_upload_lands_on_its_job_page_with_the_report(
    page, make_editor, settings, tmp_path, axe_violations
):
    settings.PARALLAX_IMPORT_INLINE_BYTES = 0
    make_editor("importer")
    log_in(page, "importer")
    (tmp_path / "ferry.txt").write_text(FERRY, encoding="utf-8")
    (tmp_path / "broken.json").write_text('{"title": "Half', encoding="utf-8")
    page.goto("/import/")
    page.get_by_label("Files", exact=True).set_input_files(
        [tmp_path / "ferry.txt", tmp_path / "broken.json"]
    )
    page.locator("#upload-form").get_by_label("Or a new outlet").fill("Island Herald")
    page.locator("#upload-form").get_by_label("Or a new story").fill("Ferries")

    with page.expect_navigation(url="**/import/jobs/*/"):
        page.get_by_role("button", name="Import files").click()

    job = ImportJob.objects.get()
    page.get_by_role("heading", name=f"Import {job.pk}", level=1).wait_for()
    assert page.locator("[data-job-progress]").inner_text() == (
        "2 of 2 files read: 1 imported, 1 failed."
    )
    assert page.get_by_role("heading", name="Import report").is_visible()
    assert page.get_by_role("link", name="Download the report (CSV)").is_visible()
    check_page(page, axe_violations)

    page.get_by_role("link", name="All your imports").click()
    page.get_by_role("heading", name="Your imports", level=1).wait_for()
    assert page.get_by_role("link", name=f"Import {job.pk}").is_visible()
    check_page(page, axe_violations)


def test_the_progress_line_follows_a_running_job_then_the_report_shows(
    page, make_editor, axe_violations
):
    editor = make_editor("importer")
    job = ImportJob.objects.create(
        created_by=editor, state="running", total=4, done=1, heartbeat=timezone.now()
    )
    log_in(page, "importer")
    page.goto(job.get_absolute_url())
    line = page.locator("[data-job-progress]")
    assert line.inner_text() == "1 of 4 files read: 0 imported, 0 failed."
    assert line.get_attribute("aria-live") == "polite"
    assert page.get_by_role("link", name="Refresh").is_visible()
    check_page(page, axe_violations)

    # The worker gets on: the line says so without a reload.
    ImportJob.objects.filter(pk=job.pk).update(
        done=3, imported=2, failed=1, heartbeat=timezone.now()
    )
    page.get_by_text("3 of 4 files read: 2 imported, 1 failed.").wait_for()
    assert page.get_by_role("heading", name="Import report").count() == 0

    # It ends: the page loads again with the report.
    ImportOutcome.objects.create(
        job=job, entry=1, sequence=1, name="a.json", status=Status.FAILED, reason="not valid JSON"
    )
    ImportJob.objects.filter(pk=job.pk).update(state="done", done=4, finished=timezone.now())
    page.get_by_role("heading", name="Import report").wait_for()
    assert page.get_by_role("link", name="Refresh").count() == 0
    check_page(page, axe_violations)
