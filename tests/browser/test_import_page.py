"""The import page in Chromium: the drop zone, the upload's progress, errors and the report."""

import re

import pytest
from playwright.sync_api import expect

from sources.models import Article, Story
from tests.browser.helpers import check_page, log_in

GOOD = "Harbour gate failed twice\n\nThe east gate of the harbour barrier failed two inspections.\n"
BROKEN = '{"title": "Half an article",'

# Two files, one broken, as the browser builds them for a drop.
DROPPED_FILES = """(files) => {
  const transfer = new DataTransfer();
  for (const [name, text] of files) transfer.items.add(new File([text], name));
  return transfer;
}"""


@pytest.fixture
def import_page(page, make_editor):
    make_editor("importer")
    log_in(page, "importer")
    page.goto("/import/")
    page.wait_for_load_state("networkidle")
    return page


def drop(page, files):
    """Drops files on the drop zone, as a person dragging them from a file manager would."""
    transfer = page.evaluate_handle(DROPPED_FILES, files)
    zone = page.locator("[data-drop-zone]")
    zone.dispatch_event("dragenter", {"dataTransfer": transfer})
    zone.dispatch_event("dragover", {"dataTransfer": transfer})
    zone.dispatch_event("drop", {"dataTransfer": transfer})


def chosen_files(page) -> list[str]:
    return page.evaluate(
        "[...document.getElementById('id_upload-files').files].map((file) => file.name)"
    )


def test_files_dropped_on_the_zone_are_chosen_named_and_can_be_cleared(import_page):
    page = import_page
    zone = page.get_by_role("group", name="Drop zone for files")
    expect(zone.get_by_text("Drag files onto this box, or use the button.")).to_be_visible()

    drop(page, [["gate.txt", GOOD], ["broken.json", BROKEN]])

    assert chosen_files(page) == ["gate.txt", "broken.json"]
    expect(zone.get_by_text("2 files chosen:")).to_be_visible()
    expect(zone.get_by_role("listitem")).to_have_text(["gate.txt", "broken.json"])

    # A second drop adds to the files chosen; one of the same name replaces its namesake.
    drop(page, [["more.txt", GOOD + "More.\n"], ["gate.txt", GOOD]])
    assert chosen_files(page) == ["gate.txt", "broken.json", "more.txt"]
    expect(zone.get_by_text("3 files chosen:")).to_be_visible()

    zone.get_by_role("button", name="Clear the chosen files").click()

    assert chosen_files(page) == []
    expect(zone.get_by_role("listitem")).to_have_count(0)
    expect(page.get_by_label("Files", exact=True)).to_be_focused()
    assert page.problems.all() == []


def test_the_upload_shows_its_progress_then_the_report_failures_first(import_page, axe_violations):
    page = import_page
    drop(page, [["gate.txt", GOOD], ["broken.json", BROKEN]])
    page.locator("#id_upload-new_story").fill("Harbour gate")
    expect(page.get_by_label("Upload progress")).to_be_hidden()
    held = []
    page.route(
        "**/import/",
        lambda route: held.append(route) if route.request.method == "POST" else route.continue_(),
    )

    page.get_by_role("button", name="Import files").click()

    # The request is held until the page has been looked at.
    button = page.locator("[data-import-button]")
    expect(button).to_have_text("Importing 2 files…")
    expect(button).to_be_disabled()
    expect(page.get_by_label("Upload progress")).to_be_visible()
    assert page.locator("progress").count() == 1
    expect(page.locator("[data-upload-status]")).to_have_text(
        re.compile(r"^(Uploading: \d+%|Importing on the server…)$")
    )
    expect(page.locator("[data-upload-status]")).to_have_attribute("role", "status")
    while not held:
        page.wait_for_timeout(20)
    held[0].continue_()

    heading = page.get_by_role("heading", name="Import report")
    expect(heading).to_be_focused()
    assert page.url.endswith("/import/")
    expect(page.locator(".report-headline")).to_have_text("1 of 2 files imported; 1 failed.")
    tables = page.locator(".report-table")
    expect(tables.nth(0).locator("tbody td:nth-child(1)")).to_have_text(["broken.json"])
    expect(tables.nth(0).locator("tbody td:nth-child(3)")).to_have_text(
        re.compile("^not valid JSON")
    )
    expect(tables.nth(1).locator("tbody td:nth-child(1)")).to_have_text(["gate.txt"])
    story = Story.objects.get(title="Harbour gate")
    story_link = page.get_by_role("link", name="Harbour gate", exact=True)
    assert story_link.get_attribute("href") == story.get_absolute_url()
    article = Article.objects.get()
    assert page.get_by_role("link", name=article.title).get_attribute("href") == (
        article.get_absolute_url()
    )
    # The page that replaced the form works as one loaded afresh: its drop zone too.
    drop(page, [["again.txt", GOOD]])
    assert chosen_files(page) == ["again.txt"]

    check_page(page, axe_violations)
    page.emulate_media(color_scheme="dark")
    check_page(page, axe_violations)


def test_errors_are_summarised_focused_and_lead_to_their_field(import_page, axe_violations):
    page = import_page
    check_page(page, axe_violations)
    page.emulate_media(color_scheme="dark")
    check_page(page, axe_violations)
    page.emulate_media(color_scheme="light")
    Story.objects.create(title="Storm week")
    page.reload()
    drop(page, [["gate.txt", GOOD]])
    page.locator("#id_upload-story").select_option(label="Storm week")
    page.locator("#id_upload-new_story").fill("Another story")

    page.get_by_role("button", name="Import files").click()

    summary = page.get_by_role("alert")
    expect(summary.get_by_role("heading", name="There is a problem")).to_be_visible()
    expect(summary).to_be_focused()
    expect(summary.get_by_role("link")).to_have_text(
        [
            "Choose the files again.",
            "Choose an existing story or type a new one, not both.",
        ]
    )
    # What was typed and chosen is kept; the files must be chosen again.
    expect(page.locator("#id_upload-new_story")).to_have_value("Another story")
    expect(page.locator("#id_upload-story")).to_have_value(str(Story.objects.get().pk))
    expect(page.get_by_text("Choose the files again: a browser cannot keep")).to_be_visible()
    check_page(page, axe_violations)
    page.emulate_media(color_scheme="dark")
    check_page(page, axe_violations)

    summary.get_by_role("link", name="Choose an existing story").click()

    expect(page.locator("#id_upload-new_story")).to_be_focused()
    assert Article.objects.count() == 0


def test_a_paste_with_errors_loads_with_its_summary_focused(import_page):
    page = import_page
    page.get_by_label("Text", exact=True).fill("A headline\n\nA paragraph of text.")

    page.get_by_role("button", name="Import text").click()

    summary = page.get_by_role("alert")
    expect(summary).to_be_focused()
    summary.get_by_role("link", name="Choose the outlet from the list").click()
    expect(page.locator("#id_paste-outlet")).to_be_focused()
    assert page.problems.all() == []


def test_without_javascript_the_plain_form_uploads(browser, live_server, make_editor):
    make_editor("importer")
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    page = context.new_page()
    log_in(page, "importer")
    page.goto("/import/")
    expect(page.get_by_text("Drag files onto this box")).to_be_hidden()
    expect(page.get_by_label("Upload progress")).to_be_hidden()
    page.get_by_label("Files", exact=True).set_input_files(
        [
            {"name": "gate.txt", "mimeType": "text/plain", "buffer": GOOD.encode()},
            {"name": "broken.json", "mimeType": "application/json", "buffer": BROKEN.encode()},
        ]
    )

    page.get_by_role("button", name="Import files").click()

    expect(page.locator(".report-headline")).to_have_text("1 of 2 files imported; 1 failed.")
    expect(page.locator(".report-table").nth(0).locator("tbody td:nth-child(1)")).to_have_text(
        ["broken.json"]
    )
    assert Article.objects.count() == 1
    context.close()
