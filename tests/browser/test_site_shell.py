"""The site's shell in a browser: the branded 404 page, the header's search box, dark mode
on every kind of page."""

import datetime

import pytest
from playwright.sync_api import expect

from annotations.models import Claim
from tests.browser.helpers import check_page, horizontal_overflow, log_in
from tests.factories import (
    make_annotation,
    make_article,
    make_claim,
    make_outlet,
    make_story,
    make_tag,
)

NOT_FOUND_WORDS = "This page does not exist, or is not published yet."


def make_world() -> dict[str, str]:
    """One story in two outlets with a published claim, a draft, a tag; the reader pages'
    paths by kind."""
    story = make_story(title="The barrier that failed", description="How the flood came.")
    times = make_outlet(name="The Daily Times", country="United Kingdom", language="en")
    post = make_outlet(name="Morning Post")
    claim = make_claim(
        story=story,
        statement="The barrier failed two inspections before the storm",
        status=Claim.Status.PUBLISHED,
    )
    make_claim(story=story, statement="A draft readers never see", status=Claim.Status.DRAFT)
    tag = make_tag(name="hinge fault", colour="#cdb4db")
    first = make_article(
        outlet=times, story=story, title="Barrier failed twice", published=datetime.date(2024, 3, 3)
    )
    make_article(outlet=post, story=story, title="Memo on the barrier")
    annotation = make_annotation(first, "memo shows", claim=claim, note="Said on record.")
    annotation.tags.add(tag)
    return {
        "home": "/",
        "story": story.get_absolute_url(),
        "outlet": times.get_absolute_url(),
        "tag": tag.get_absolute_url(),
        "article": first.get_absolute_url(),
        "annotation": annotation.get_absolute_url(),
        "claims": "/claims/",
        "vocabulary": "/tags/",
        "login": "/accounts/login/",
        "search": f"/search/?q=barrier+OR+memo&outlet={times.slug}",
        "search claims": "/search/?q=barrier&in=claims",
        "search notes": "/search/?q=record&in=annotations",
        "search with nothing found": "/search/?q=zeppelin",
        # Last: its console error (the 404 itself) stays on the page's record.
        "404": "/no-such-page/",
    }


def check_not_found_page(page, axe_violations):
    """check_page for a page answered with 404, which Chromium reports as a console error
    of its own (the one problem expected)."""
    page.wait_for_load_state("networkidle")
    assert axe_violations(page) == [], page.url
    assert horizontal_overflow(page) <= 0, page.url
    assert page.problems.csp_violations == [], page.url
    expected = [
        f"Failed to load resource: the server responded with a status of 404 (Not Found) ({page.url})"
    ]
    assert page.problems.all() == expected


def page_background(page) -> str:
    return page.evaluate("getComputedStyle(document.body).backgroundColor")


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_404_page_is_branded_and_accessible(page, axe_violations, scheme):
    page.emulate_media(color_scheme=scheme)
    draft = make_claim(statement="A draft readers never see", status=Claim.Status.DRAFT)
    response = page.goto(draft.get_absolute_url())
    assert response.status == 404
    assert page.get_by_text(NOT_FOUND_WORDS).is_visible()
    assert "A draft readers never see" not in page.content()
    header = page.locator("header.site-header")
    assert header.get_by_role("link", name="Parallax").is_visible()
    assert header.get_by_role("searchbox", name="Search", exact=True).is_visible()
    assert page.get_by_role("link", name="Go to the home page").is_visible()
    check_not_found_page(page, axe_violations)


def test_the_search_box_submits_to_search(page):
    make_claim(statement="The barrier failed twice", status=Claim.Status.PUBLISHED)
    page.goto("/no-such-page/")
    box = page.get_by_role("searchbox", name="Search", exact=True)
    box.fill("barrier")
    with page.expect_navigation():
        box.press("Enter")
    assert page.url.endswith("/search/?q=barrier")
    claims_tab = page.get_by_role("navigation", name="What to search").get_by_role(
        "link", name="Claims"
    )
    expect(claims_tab).to_contain_text("1")


def test_the_header_fits_a_phone(page):
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto("/no-such-page/")
    assert horizontal_overflow(page) <= 0
    box = page.get_by_role("searchbox", name="Search", exact=True).bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 390
    assert box["width"] >= 120


def test_dark_mode_changes_the_page_background(page):
    page.goto("/")
    light = page_background(page)
    page.emulate_media(color_scheme="dark")
    dark = page_background(page)
    assert light == "rgb(255, 255, 255)"
    assert dark == "rgb(19, 20, 23)"


BACKGROUNDS = {"light": "rgb(255, 255, 255)", "dark": "rgb(19, 20, 23)"}


@pytest.mark.parametrize("scheme", ["dark", "light"])
def test_every_reader_page_is_accessible_in_either_scheme(page, axe_violations, scheme):
    paths = make_world()
    page.emulate_media(color_scheme=scheme)
    for kind, path in paths.items():
        page.goto(path)
        assert page_background(page) == BACKGROUNDS[scheme], kind
        if kind == "404":
            check_not_found_page(page, axe_violations)
        else:
            check_page(page, axe_violations)


@pytest.mark.parametrize("width", [1280, 390])
def test_the_import_page_is_accessible_in_dark_mode(page, axe_violations, make_editor, width):
    make_editor("importer")
    page.set_viewport_size({"width": width, "height": 844})
    log_in(page, "importer")
    page.emulate_media(color_scheme="dark")
    page.goto("/import/")
    assert page_background(page) == "rgb(19, 20, 23)"
    check_page(page, axe_violations)


def test_the_favicons_are_served(page):
    page.goto("/")
    icons = page.eval_on_selector_all(
        "link[rel~=icon], link[rel=apple-touch-icon]", "links => links.map(l => l.href)"
    )
    assert len(icons) == 4
    for href in icons:
        response = page.request.get(href)
        assert response.status == 200, href
        assert response.headers["content-type"] in ("image/png", "image/svg+xml"), href


@pytest.mark.parametrize("scheme", ["dark", "light"])
def test_every_editor_page_is_accessible_in_either_scheme(
    page, axe_violations, make_editor, scheme
):
    """The pages only editors and moderators see (forms, drafts, the unused-claims flag),
    as a moderator sees them, with every control showing."""
    paths = make_world()
    moderator = make_editor("moderator", is_staff=True)
    draft = Claim.objects.get(statement="A draft readers never see")
    published = Claim.objects.get(status=Claim.Status.PUBLISHED)
    annotation = published.annotations.get()
    paths = {
        "home": "/",
        "story": paths["story"],
        "article with the annotate button": paths["article"],
        "annotation": paths["annotation"],
        "annotation edit": f"/annotations/{annotation.pk}/edit/",
        "published claim": published.get_absolute_url(),
        "draft claim with no annotation": draft.get_absolute_url(),
        "claim rename": f"{published.get_absolute_url()}edit/",
        "claim merge": f"{published.get_absolute_url()}merge/",
        "unused claims": "/claims/?unused=1",
        "vocabulary": "/tags/",
        "import": "/import/",
    }
    log_in(page, moderator.username)
    page.emulate_media(color_scheme=scheme)
    for kind, path in paths.items():
        response = page.goto(path)
        assert response.status == 200, kind
        assert page_background(page) == BACKGROUNDS[scheme], kind
        check_page(page, axe_violations)
    # The draft's own controls were on its page: the notice and the delete button.
    page.goto(draft.get_absolute_url())
    assert page.get_by_role("button", name="Publish and copy link").is_visible()
    assert page.get_by_role("button", name="Delete this claim").is_visible()
