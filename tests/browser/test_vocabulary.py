"""A moderator works through proposed tags in Chromium, at desktop and phone widths: pages
clean under the CSP, no serious axe findings, no sideways scroll."""

import pytest
from django.contrib.auth import get_user_model

from annotations.models import Annotation, Tag
from annotations.vocabulary import tags_for_names
from tests.browser.helpers import check_page, log_in
from tests.conftest import EDITOR_PASSWORD
from tests.factories import make_annotation, make_article

SIZES = {"desktop": (1280, 900), "phone": (375, 740)}


@pytest.mark.parametrize("size", SIZES, ids=list(SIZES))
def test_moderator_merges_and_rejects_proposals_from_the_vocabulary_page(
    page, axe_violations, size
):
    page.set_viewport_size(dict(zip(("width", "height"), SIZES[size], strict=True)))
    users = get_user_model().objects
    editor = users.create_user("editor", password=EDITOR_PASSWORD)
    users.create_user("mod", password=EDITOR_PASSWORD, is_staff=True)
    # The vocabulary the migrations seed is gone after an earlier test flushed the database.
    accepted = {"status": Tag.Status.ACCEPTED}
    framing, _ = Tag.objects.get_or_create(name="framing", defaults={"position": 1, **accepted})
    Tag.objects.get_or_create(name="admission", defaults={"position": 2, **accepted})
    admission_ru, hedge = tags_for_names(["признание", "hedge words everywhere"], editor)
    annotation = make_annotation(make_article(), "memo shows")
    annotation.tags.add(framing, admission_ru, hedge)

    # A reader sees the proposals marked on the article, and the vocabulary without them.
    page.goto(annotation.article.get_absolute_url())
    check_page(page, axe_violations)
    assert page.locator(".tag-chip.tag-proposed").count() == 2
    page.goto("/tags/")
    check_page(page, axe_violations)
    assert page.get_by_role("heading", name="Proposed").count() == 0

    log_in(page, "mod")
    page.goto("/tags/")
    check_page(page, axe_violations)
    item = page.locator(f"#tag-{admission_ru.pk}")
    item.get_by_label("Merge into").select_option(label="admission")
    with page.expect_navigation():
        item.get_by_role("button", name="Merge “признание”").click()
    assert "is merged into “admission”: 1 annotation changed." in page.content()

    with page.expect_navigation():
        page.get_by_role("link", name="Reject… “hedge words everywhere”").click()
    check_page(page, axe_violations)
    with page.expect_navigation():
        page.get_by_role("button", name="Reject “hedge words everywhere”").click()
    check_page(page, axe_violations)

    tags = [tag.name for tag in Annotation.objects.get(pk=annotation.pk).tag_list]
    assert tags == ["framing", "admission"]
    assert not Tag.objects.filter(status=Tag.Status.PROPOSED).exists()
