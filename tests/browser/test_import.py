"""The import page in a browser: the sample corpus uploaded twice through the real form."""

import pytest

from sources.models import Article
from tests.browser.helpers import horizontal_overflow
from tests.conftest import EDITOR_PASSWORD
from tests.helpers import SAMPLE_CORPUS, require_sample_corpus

FILES = [
    "manifest.csv",
    "the-dissident.txt",
    "naked-capitalism-rferl.txt",
    "modern-az.txt",
    "online-ua.txt",
    "meduza-2022-interview.txt",
]


@pytest.fixture
def import_page(page, make_editor):
    """The import page, reached as an editor who logged in through the login page."""
    make_editor("importer")
    page.goto("/import/")
    # Anonymous, so the page sends us to log in first and back afterwards.
    page.get_by_label("Username").fill("importer")
    page.get_by_label("Password").fill(EDITOR_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("heading", name="Import articles", level=1).wait_for()
    return page


def upload_corpus(page):
    require_sample_corpus()
    page.get_by_label("Files", exact=True).set_input_files([SAMPLE_CORPUS / name for name in FILES])
    # The page sends the files in the background and shows the answer in place.
    with page.expect_response(lambda response: response.request.method == "POST"):
        page.get_by_role("button", name="Import files").click()
    page.get_by_role("button", name="Import files", exact=True).and_(
        page.locator(":enabled")
    ).wait_for()
    page.get_by_role("heading", name="Import report").wait_for()


def report_rows(page):
    return page.locator(".report-table tbody tr")


def test_the_sample_corpus_uploads_once_then_is_already_there(import_page):
    page = import_page

    upload_corpus(page)

    assert page.get_by_role("status").filter(has_text="created").inner_text() == (
        "5 created, 0 already there, 0 skipped, 0 failed"
    )
    rows = report_rows(page)
    assert rows.count() == 5
    assert sorted(rows.locator("td:nth-child(1)").all_inner_texts()) == sorted(FILES[1:])
    assert rows.locator("td:nth-child(2)").all_inner_texts() == ["created"] * 5
    articles = Article.objects.all()
    assert len(articles) == 5
    for article in articles:
        link = page.get_by_role("link", name=article.title, exact=True)
        assert link.get_attribute("href") == article.get_absolute_url()

    upload_corpus(page)

    assert page.get_by_role("status").filter(has_text="created").inner_text() == (
        "0 created, 5 already there, 0 skipped, 0 failed"
    )
    assert report_rows(page).locator("td:nth-child(2)").all_inner_texts() == (["already there"] * 5)
    assert Article.objects.count() == 5
    assert page.problems.csp_violations == []
    assert page.problems.all() == []


def test_a_link_in_the_report_opens_the_article(import_page):
    page = import_page
    upload_corpus(page)
    article = Article.objects.get(source_name="modern-az.txt")

    page.get_by_role("link", name=article.title, exact=True).click()

    page.wait_for_url(f"**{article.get_absolute_url()}")
    assert page.problems.all() == []


def test_the_import_page_has_no_serious_accessibility_violation(import_page, axe_violations):
    page = import_page
    page.wait_for_load_state("networkidle")

    assert axe_violations(page) == []

    # The page with its report, and the paste form with its errors.
    upload_corpus(page)
    assert axe_violations(page) == []
    page.get_by_label("Text", exact=True).fill("A headline\n\nA paragraph of text.")
    page.get_by_role("button", name="Import text").click()
    page.locator("#id_paste-outlet_error").get_by_text("Choose the outlet from the list").wait_for()
    assert axe_violations(page) == []
    assert page.problems.all() == []


def test_the_import_page_fits_a_phone_screen(import_page):
    page = import_page
    page.set_viewport_size({"width": 390, "height": 844})
    upload_corpus(page)

    overflow = horizontal_overflow(page)
    assert overflow <= 0
