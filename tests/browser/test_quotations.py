"""Traced quotations in a real Chromium: marked in the reader without breaking selection,
the trace panel and the story's most-quoted words for a reader at desktop and phone widths,
and an editor annotating every rendering at once."""

import datetime

import pytest

from annotations.models import Annotation
from sources import quotations
from sources.models import Quotation
from tests.browser.helpers import check_page, log_in
from tests.browser.test_annotate import annotate, select
from tests.factories import make_article, make_outlet, make_story

WORDS = "We never tested the flood gates before the storm season began"


@pytest.fixture
def coverage(transactional_db):
    story = make_story(title="Harbour gates")
    texts = {
        "Harbour Wire": f"Gates untested\n\nThe minister spoke on Monday. “{WORDS},” Ana Lind "
        "admitted to reporters at the quay.\n\nThe council meets on Friday.",
        "Quay Gazette": "Minister concedes\n\nAna Lind bluntly admitted: “We never tested the "
        "flood gates.” Her deputy declined to comment.",
        "Dock Tribune": "A confession\n\n“We never checked the flood gates before the storm "
        "season began,” Ana Lind said.",
    }
    articles = []
    for day, (outlet, text) in enumerate(texts.items(), 1):
        article = make_article(
            outlet=make_outlet(name=outlet),
            story=story,
            title=text.split("\n")[0],
            text=text,
            published=datetime.date(2026, 3, day),
        )
        articles.append(article)
        quotations.extract(article)
    quotations.trace(list(Quotation.objects.all()))
    return story, articles


@pytest.mark.parametrize("width", [1280, 390], ids=["desktop", "phone"])
def test_a_reader_follows_a_quotation_to_its_trace(page, axe_violations, coverage, width):
    story, (wire, *_) = coverage
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(wire.get_absolute_url())
    assert page.locator("#article-text .quoted").inner_text() == WORDS + ","
    check_page(page, axe_violations)

    with page.expect_navigation():
        page.locator(".quote-notes").get_by_role("link", name="also quoted by 2 outlets").click()
    assert page.get_by_role("heading", name="Each outlet’s rendering").is_visible()
    assert (
        page.locator("#first-appearance").inner_text().startswith("First appearance: Harbour Wire")
    )
    assert (
        page.locator(".rendering-words del.diff-cut").inner_text()
        == "before the storm season began,"
    )
    assert page.locator(".rendering-words ins.diff-changed").inner_text() == "checked"
    check_page(page, axe_violations)

    page.goto(story.get_absolute_url())
    assert page.get_by_role("heading", name="Most-quoted words").is_visible()
    assert page.get_by_text("quoted by 3 outlets").is_visible()
    check_page(page, axe_violations)


def test_a_selection_across_a_marked_quotation_keeps_its_offsets(page, coverage, editor):
    _, (wire, *_) = coverage
    log_in(page, editor.username)
    page.goto(wire.get_absolute_url())
    # From plain text into the marked quotation (the line under the paragraph quotes its
    # first words only: "the storm season" is found in the paragraph).
    select(page, "spoke on Monday", "the storm season")
    annotate(page, tags=["framing"])
    annotation = Annotation.objects.get()
    assert (
        annotation.exact
        == "spoke on Monday. “We never tested the flood gates before the storm season"
    )
    assert wire.text[annotation.start : annotation.end] == annotation.exact
    assert page.problems.all() == []


def test_an_editor_annotates_every_rendering_at_once(page, axe_violations, coverage, editor):
    _, articles = coverage
    log_in(page, editor.username)
    quotation = Quotation.objects.get(article=articles[0], text__startswith="We never")
    page.goto(quotation.get_absolute_url())
    check_page(page, axe_violations)

    form = page.locator("#trace-annotate-form")
    form.get_by_label("Add another tag").fill("admission")
    form.get_by_label("Add another tag").press("Enter")
    claim = form.get_by_label("Claim", exact=True)
    claim.fill("The gates were never tested")
    claim.press("Enter")
    claim.press("Enter")
    with page.expect_navigation():
        form.get_by_role("button", name="Annotate all 3").click()

    assert page.get_by_text("Annotated 3 renderings.").is_visible()
    made = Annotation.objects.order_by("article_id")
    assert [a.article_id for a in made] == [a.pk for a in articles]
    assert {a.claim.statement for a in made} == {"The gates were never tested"}
    assert all(list(a.tags.names()) == ["admission"] for a in made)
    check_page(page, axe_violations)
