"""Correcting an article in a real Chromium: the editor pastes a corrected text on the
article page, reviews what the correction could not place (accepting one proposal,
orphaning another), and the claim page still shows the orphans, marked. The correction
form, the review list and the versions pages pass axe in light and dark mode."""

import pytest
from django.contrib.auth.models import Group
from playwright.sync_api import expect

from annotations.models import Annotation, AnnotationRevision, Claim
from sources.revisions import revise_text
from tests.browser.helpers import check_page, log_in, select
from tests.conftest import EDITOR_PASSWORD
from tests.factories import make_annotation, make_article, make_claim

Status = Annotation.AnchorStatus

HEADLINE = "Harbour gate failed twice before the storm"
BACKGROUND = [
    f"Paragraph {n} of the background: the barrier was built in 1983 and repaired in "
    f"{1990 + n}, when the city council discussed the cost of the works at length."
    for n in range(1, 6)
]
# Untouched by the correction: re-anchored exactly.
KEPT = "Residents of the low town said they had never been told about the inspections."
# A word inside each quote changed: the re-anchoring proposes a place, an editor decides.
MAYOR_OLD = "The mayor admitted on Tuesday that he had known about the failures since October."
MAYOR_NEW = "The mayor admitted on Wednesday that he had known about the failures since October."
CHIEF_OLD = "The harbour chief said the east gate had been inspected by three engineers."
CHIEF_NEW = "The harbour chief said the east gate had been inspected by four engineers."
# Deleted by the correction: orphaned.
GONE = "An anonymous source claimed the memo had been shredded on the night of the storm."

QUOTES = {
    "kept": "never been told about the inspections",
    "accept": "admitted on Tuesday that he had known",
    "orphan": "inspected by three engineers",
    "gone": "the memo had been shredded",
}


def text(*middle: str) -> str:
    return "\n\n".join([HEADLINE, BACKGROUND[0], *middle, *BACKGROUND[1:], KEPT]) + "\n"


OLD_TEXT = text(MAYOR_OLD, CHIEF_OLD, GONE)
NEW_TEXT = text(MAYOR_NEW, CHIEF_NEW)


@pytest.fixture
def corrected_world(transactional_db, django_user_model):
    editor = django_user_model.objects.create_user("editor", password=EDITOR_PASSWORD)
    editor.groups.add(Group.objects.get_or_create(name="editors")[0])
    article = make_article(text=OLD_TEXT, title="Harbour gate failed")
    claim = make_claim(
        story=article.story,
        statement="The harbour gate failed before the storm",
        status=Claim.Status.PUBLISHED,
    )
    annotations = {
        key: make_annotation(article, quote, claim=claim, author=editor, note=f"note {key}")
        for key, quote in QUOTES.items()
    }
    return article, claim, annotations


def check_both_schemes(page, axe_violations):
    check_page(page, axe_violations)
    page.emulate_media(color_scheme="dark")
    check_page(page, axe_violations)
    page.emulate_media(color_scheme="light")


def test_editor_corrects_reviews_and_the_claim_page_keeps_the_orphans(
    page, axe_violations, corrected_world
):
    article, claim, annotations = corrected_world
    log_in(page, "editor")

    # The correction form, reached from the article page.
    page.goto(article.get_absolute_url())
    page.get_by_role("link", name="Correct the text").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Correct the text of")
    check_both_schemes(page, axe_violations)
    page.get_by_label("Corrected text").fill(NEW_TEXT)
    with page.expect_navigation():
        page.get_by_role("button", name="Save the corrected text").click()

    # Back on the article: the counts, and the notice every reader sees.
    message = page.locator(".messages")
    expect(message).to_contain_text("Text corrected (now version 2)")
    expect(message).to_contain_text("2 to review, 1 orphaned")
    expect(page.locator("#correction-notice")).to_contain_text("this text was changed on")
    expect(page.locator("#review-notice")).to_contain_text("3 annotations need review")
    for key in ("accept", "orphan", "gone"):
        annotations[key].refresh_from_db()
        assert page.locator(f"#hl-{annotations[key].pk}").count() == 0
    annotations["kept"].refresh_from_db()
    assert annotations["kept"].anchor_status == Status.ANCHORED
    expect(page.locator(f"#hl-{annotations['kept'].pk}")).to_have_count(1)
    assert annotations["accept"].anchor_status == Status.REVIEW
    assert annotations["orphan"].anchor_status == Status.REVIEW
    assert annotations["gone"].anchor_status == Status.ORPHANED

    # The review list: old and proposed places, the changed words marked.
    message.get_by_role("link", name="Review them").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Annotations to review")
    accept_item = page.locator(f"#review-{annotations['accept'].pk}")
    expect(accept_item.locator("del")).to_have_text("Tuesday")
    expect(accept_item.locator("ins")).to_have_text("Wednesday")
    check_both_schemes(page, axe_violations)

    with page.expect_navigation():
        accept_item.get_by_role("button", name="Accept proposed place").click()
    expect(page.locator(".messages")).to_contain_text("Accepted")
    orphan_item = page.locator(f"#review-{annotations['orphan'].pk}")
    with page.expect_navigation():
        orphan_item.get_by_role("button", name="Mark orphaned").click()
    expect(page.locator(".messages")).to_contain_text("Marked orphaned")

    accepted, orphaned = annotations["accept"], annotations["orphan"]
    accepted.refresh_from_db()
    orphaned.refresh_from_db()
    assert accepted.anchor_status == Status.ANCHORED
    assert accepted.exact == "admitted on Wednesday that he had known"
    assert orphaned.anchor_status == Status.ORPHANED
    actions = {
        pk: list(AnnotationRevision.objects.filter(annotation=pk).values_list("action", flat=True))
        for pk in (accepted.pk, orphaned.pk)
    }
    assert actions[accepted.pk][0] == AnnotationRevision.Action.ACCEPTED
    assert actions[orphaned.pk][0] == AnnotationRevision.Action.ORPHANED
    # Nothing lost: every annotation kept its note and claim.
    for annotation in Annotation.objects.filter(article=article):
        assert annotation.claim_id == claim.pk
        assert annotation.note.startswith("note ")

    # The versions pages, readable in both schemes.
    page.goto(article.get_absolute_url())
    page.locator("#correction-notice").get_by_role("link", name="See earlier versions").click()
    check_both_schemes(page, axe_violations)
    page.get_by_role("link", name="Version 1").click()
    expect(page.locator(".version-text del").first).to_be_visible()
    check_both_schemes(page, axe_violations)

    # The claim page: both orphans still in the outlet's column, marked.
    page.goto(claim.get_absolute_url())
    for key in ("orphan", "gone"):
        excerpt = page.locator(f"article.excerpt:has(#excerpt-{annotations[key].pk})")
        expect(excerpt.locator(".badge-orphaned")).to_have_text("orphaned")
        expect(excerpt.locator("mark")).to_have_text(QUOTES[key])
    expect(page.locator(".badge-orphaned")).to_have_count(2)


def test_editor_moves_an_orphan_by_selecting_words(page, axe_violations, corrected_world):
    article, _, annotations = corrected_world
    revise_text(article, NEW_TEXT, source="shell")
    gone = annotations["gone"]
    gone.refresh_from_db()
    assert gone.anchor_status == Status.ORPHANED
    log_in(page, "editor")
    page.goto(f"/annotations/{gone.pk}/move/")
    check_both_schemes(page, axe_violations)
    words = "known about the failures"
    select(page, words, mouse=False)
    expect(page.locator("#move-selected")).to_have_text(words)
    with page.expect_navigation():
        page.get_by_role("button", name="Move it here").click()
    expect(page.locator(".messages")).to_contain_text("Moved")
    gone.refresh_from_db()
    assert (gone.anchor_status, gone.exact) == (Status.ANCHORED, words)
    assert NEW_TEXT[gone.start : gone.end] == words
