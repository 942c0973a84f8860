"""Relating two claims in a real Chromium, under the real CSP."""

import pytest

from annotations.models import Claim, ClaimRelation
from tests.browser.test_annotate import log_in
from tests.factories import make_annotation, make_article, make_claim, make_story

ADMISSION = "The mayor admits he knew about the corroded hinges"
DENIAL = "The mayor denies knowing about the corroded hinges"


@pytest.fixture
def claims(transactional_db):
    story = make_story(title="Harbour gate")
    admission = make_claim(story=story, statement=ADMISSION, status=Claim.Status.PUBLISHED)
    denial = make_claim(story=story, statement=DENIAL, status=Claim.Status.PUBLISHED)
    make_claim(story=story, statement="The council was told in October")
    article = make_article(story=story)
    make_annotation(article, "hinges were corroded", claim=admission, stance="reports")
    make_annotation(article, "memo shows", claim=denial, stance="disputes")
    return admission, denial


def relations(page) -> list[str]:
    return [
        " ".join(text.replace("Remove", "").split())
        for text in page.locator(".relation-list li").all_inner_texts()
    ]


def test_editor_relates_two_claims_and_both_pages_show_it(page, claims, editor, axe_violations):
    admission, denial = claims
    log_in(page, editor.username)
    page.goto(admission.get_absolute_url())
    assert page.get_by_text("No related claims yet.").is_visible()
    assert axe_violations(page) == []

    page.get_by_label("Relation").select_option("contradicts")
    page.get_by_label("Other claim").fill(DENIAL)
    with page.expect_navigation():
        page.get_by_role("button", name="Add relation").click()
    page.wait_for_load_state("networkidle")

    assert page.url.endswith(admission.get_absolute_url())
    assert page.locator(".messages").inner_text().startswith("Related: this claim contradicts")
    assert relations(page) == [f"This claim contradicts {DENIAL}"]
    assert ClaimRelation.objects.get().created_by == editor
    # Checked without the flash message: base.html's <ul role="status"> trips axe's
    # "listitem" rule on every page that shows one (reported, not ours to change here).
    page.reload()
    assert relations(page) == [f"This claim contradicts {DENIAL}"]
    assert axe_violations(page) == []

    with page.expect_navigation():
        page.get_by_role("link", name=DENIAL).click()
    page.wait_for_load_state("networkidle")
    assert page.url.endswith(denial.get_absolute_url())
    assert relations(page) == [f"This claim is contradicted by {ADMISSION}"]
    assert "is contradicted by “" + ADMISSION in page.locator(".history").inner_text()

    # The creator may take it back, from either side.
    with page.expect_navigation():
        page.get_by_role("button", name="Remove").click()
    page.wait_for_load_state("networkidle")
    assert page.get_by_text("No related claims yet.").is_visible()
    assert not ClaimRelation.objects.exists()
    assert page.problems.all() == []


def test_a_rejected_relation_keeps_what_was_typed(page, claims, editor, axe_violations):
    admission, _ = claims
    log_in(page, editor.username)
    page.goto(admission.get_absolute_url())

    page.get_by_label("Relation").select_option("narrows")
    page.get_by_label("Other claim").fill("A claim nobody made")
    with page.expect_navigation():
        page.get_by_role("button", name="Add relation").click()
    page.wait_for_load_state("networkidle")

    assert "No claim reads “A claim nobody made”" in page.locator(".form-error").inner_text()
    assert page.get_by_label("Other claim").input_value() == "A claim nobody made"
    assert page.get_by_label("Relation").input_value() == "narrows"
    assert axe_violations(page) == []
    assert page.problems.all() == []
    assert not ClaimRelation.objects.exists()
