"""Search in a browser: the header box, facets that narrow, and a hit that opens the article
at its passage (a folded comment opened for it)."""

from playwright.sync_api import expect

from sources.models import Passage
from tests.browser.helpers import check_page
from tests.factories import make_article, make_outlet, make_story

COMMENTED = (
    "Harbour gates fail again\n\n"
    "The council asked the minister to close the harbour before the storm.\n\n"
    "27 comments\n\n"
    "Reader One\n\n"
    "The zeppelin over the port was the real story here."
)


def test_a_search_from_the_header_opens_the_article_at_the_passage(page, axe_violations):
    story = make_story(title="Harbour storm")
    wire = make_outlet(name="Harbour Wire", language="en")
    gazette = make_outlet(name="Quay Gazette", language="en")
    article = make_article(outlet=wire, story=story, title="Gates fail", text=COMMENTED)
    # The last two passages are a reader's comment (folded in the reader).
    article.passages.filter(ordinal__gte=4).update(kind=Passage.Kind.COMMENT)
    make_article(
        outlet=gazette, story=story, title="Quay", text="Quay\n\nA zeppelin was seen at dawn."
    )

    page.goto("/")
    box = page.get_by_role("searchbox", name="Search", exact=True)
    box.fill("zeppelin")
    with page.expect_navigation():
        box.press("Enter")
    hits = page.locator(".search-hit")
    expect(hits).to_have_count(2)
    expect(hits.first.locator("mark")).to_have_text("zeppelin")
    check_page(page, axe_violations)

    # A facet narrows to one outlet, and says so.
    facets = page.get_by_role("complementary")
    with page.expect_navigation():
        facets.get_by_role("link", name="Harbour Wire").click()
    expect(hits).to_have_count(1)
    expect(page.locator(".filter-chip")).to_contain_text("Outlet: Harbour Wire")
    expect(hits.first).to_contain_text("Reader comment")

    # The hit opens the article at its passage: a reader comment, folded by default.
    with page.expect_navigation():
        hits.first.get_by_role("link", name="Gates fail").click()
    assert page.url.endswith(article.get_absolute_url() + "#p5")
    target = page.locator("#p5")
    expect(target).to_have_class("passage passage-comment depth-0 is-target")
    expect(target).to_be_visible()
    expect(target).to_be_in_viewport()
    assert page.problems.all() == []
