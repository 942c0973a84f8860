"""The annotate form in a real Chromium: the claim combobox, tag keys, where the form
stands against the selection, focus after Save and Escape, and axe in light and dark."""

import importlib

import pytest
from django.utils.text import slugify
from playwright.sync_api import expect

from annotations.models import Annotation, Claim, Tag
from sources.importer import import_paths
from tests.browser.helpers import check_page, log_in, select
from tests.factories import make_annotation, make_claim

PARAGRAPHS = [
    "The east gate of the harbour barrier failed two inspections before the storm, "
    "an internal memo shows.",
    "The mayor admitted on Tuesday that he had known about the failures since October. "
    "He said nobody had asked him.",
    *[
        f"Paragraph {n} of the background: the barrier was built in 1983 and repaired in "
        f"{1990 + n}, when the engineers reported that the hinges of the east gate were "
        "already corroded and the budget for the repair was cut twice."
        for n in range(1, 13)
    ],
    "Residents of the low town said they had never been told about the failed inspections.",
]
REPORT = "Harbour gate failed twice before the storm\n\n" + "\n\n".join(PARAGRAPHS) + "\n"
SENTENCE = "The mayor admitted on Tuesday that he had known about the failures since October."
LAST = "Residents of the low town said they had never been told about the failed inspections."

CLAIMS = [
    "The mayor knew of the failures since October",
    "The mayor knew nothing",
    "The gate failed twice",
]


def the_vocabulary() -> list[str]:
    """The curated vocabulary the migrations made (a transactional test flushes it), in
    the moderators' order; returns its names."""
    seeded = importlib.import_module("annotations.migrations.0002_vocabulary").VOCABULARY
    for position, (name, colour, definition) in enumerate(seeded):
        Tag.objects.update_or_create(
            name=name,
            defaults={
                "slug": slugify(name),
                "colour": colour,
                "definition": definition,
                "position": position,
                "status": Tag.Status.ACCEPTED,
            },
        )
    return list(Tag.objects.vocabulary().values_list("name", flat=True))


@pytest.fixture
def article(tmp_path, transactional_db):
    the_vocabulary()
    path = tmp_path / "gate.txt"
    path.write_text(REPORT)
    (outcome,) = import_paths([path], outlet="Harbour Wire", story="Harbour gate")
    for statement in CLAIMS:
        make_claim(story=outcome.article.story, statement=statement)
    return outcome.article


def pending_rect(page):
    """The pending selection's box (the highlight the form keeps while it is open)."""
    return page.evaluate(
        """() => {
          const [range] = CSS.highlights.get("pending");
          const r = range.getBoundingClientRect();
          return { x: r.x, y: r.y, width: r.width, height: r.height };
        }"""
    )


def intersects(a, b):
    return (
        a["x"] < b["x"] + b["width"]
        and b["x"] < a["x"] + a["width"]
        and a["y"] < b["y"] + b["height"]
        and b["y"] < a["y"] + a["height"]
    )


def inside_viewport(page, box):
    size = page.viewport_size
    return (
        box["x"] >= 0
        and box["y"] >= 0
        and box["x"] + box["width"] <= size["width"]
        and box["y"] + box["height"] <= size["height"]
    )


def is_focused(locator):
    return locator.evaluate("el => el === document.activeElement")


def claim_box(page):
    return page.get_by_role("combobox", name="Claim")


def test_enter_on_a_partial_statement_picks_or_asks_and_never_creates(page, article, editor):
    log_in(page, editor.username)
    page.goto(article.get_absolute_url())
    select(page, SENTENCE)
    form = page.locator("#annotate-form")
    box = claim_box(page)
    listbox = page.locator(f"#{box.get_attribute('aria-controls')}")
    assert listbox.get_attribute("role") == "listbox"
    assert box.get_attribute("aria-expanded") == "false"

    # One claim matches the words typed (any case, any accent): Enter picks it.
    box.click()
    page.keyboard.type("GÂTE fail")
    assert box.get_attribute("aria-expanded") == "true"
    page.keyboard.press("Enter")
    assert form.is_visible()
    assert box.input_value() == "The gate failed twice"
    assert box.get_attribute("aria-expanded") == "false"
    assert not page.get_by_label("This is a new claim").is_checked()

    # Two match: Enter opens the list and asks, highlighting nothing.
    box.fill("")
    page.keyboard.type("the mayor knew")
    page.keyboard.press("Enter")
    assert form.is_visible()
    options = listbox.get_by_role("option")
    assert options.all_inner_texts() == [
        "The mayor knew nothing",
        "The mayor knew of the failures since October",
        "Create new claim “the mayor knew”",
    ]
    assert box.get_attribute("aria-activedescendant") is None
    # The arrow keys move the highlight, which Enter takes.
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    highlighted = listbox.locator("[aria-selected=true]")
    assert highlighted.get_attribute("id") == box.get_attribute("aria-activedescendant")
    assert highlighted.inner_text() == "The mayor knew of the failures since October"
    page.keyboard.press("Enter")
    assert box.input_value() == "The mayor knew of the failures since October"
    assert form.is_visible()

    # Nothing matches: Enter highlights "Create new claim" and still sends nothing.
    box.fill("")
    page.keyboard.type("The mayor resigns")
    page.keyboard.press("Enter")
    assert listbox.locator("[aria-selected=true]").inner_text() == (
        "Create new claim “The mayor resigns”"
    )
    assert not page.get_by_label("This is a new claim").is_checked()
    # The first Escape closes the list, not the form.
    page.keyboard.press("Escape")
    assert box.get_attribute("aria-expanded") == "false"
    assert form.is_visible()

    # Saving the unknown statement anyway: the server refuses, naming the closest claims,
    # and everything typed stays.
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("2")
    box.fill("The mayor knew of the failres")
    page.keyboard.press("Control+Enter")
    error = page.locator("#annotate-error")
    expect(error).to_contain_text("Did you mean “The mayor knew of the failures since October”")
    assert form.is_visible()
    assert box.input_value() == "The mayor knew of the failres"
    assert page.locator(".tag-key[aria-pressed=true]").count() == 1
    assert is_focused(box)
    assert not Annotation.objects.exists()
    assert Claim.objects.count() == len(CLAIMS)
    refused = [p for p in page.problems.all() if "status of 400" in p]
    assert len(refused) == 1

    # The explicit row makes the new claim.
    box.fill("")
    page.keyboard.type("The mayor resigns")
    page.keyboard.press("ArrowUp")
    page.keyboard.press("Enter")
    assert page.get_by_label("This is a new claim").is_checked()
    page.keyboard.press("Control+Enter")
    form.wait_for(state="hidden")
    annotation = Annotation.objects.get()
    assert annotation.claim.statement == "The mayor resigns"
    assert page.problems.all() == refused


def test_number_keys_toggle_tags_only_inside_the_tag_group(page, article, editor):
    log_in(page, editor.username)
    page.goto(article.get_absolute_url())
    select(page, SENTENCE)
    vocabulary = list(Tag.objects.vocabulary().values_list("name", flat=True)[:9])
    keys = page.locator(".tag-key")
    assert keys.all_inner_texts() == [f"{n} {name}" for n, name in enumerate(vocabulary, 1)]
    # The form opens with focus in the tag group.
    assert is_focused(page.get_by_label("Add another tag"))

    page.keyboard.press("3")
    page.keyboard.press("5")
    page.keyboard.press("3")
    assert page.locator(".tag-key[aria-pressed=true]").all_inner_texts() == [f"5 {vocabulary[4]}"]
    # A free name still types, and Enter adds it as a chip without sending the form.
    page.keyboard.type("harbour politics")
    page.keyboard.press("Enter")
    assert page.locator("#annotate-form [data-tag-chips] li").all_inner_texts() == [
        "harbour politics ×"
    ]
    # Outside the group a digit is only a character.
    page.keyboard.press("Tab")
    page.keyboard.type("1")
    assert claim_box(page).input_value() == "1"
    assert page.locator(".tag-key[aria-pressed=true]").count() == 1
    claim_box(page).fill("")
    page.keyboard.press("Control+Enter")
    page.locator("#annotate-form").wait_for(state="hidden")
    assert sorted(Annotation.objects.get().tags.names()) == sorted(
        [vocabulary[4], "harbour politics"]
    )


@pytest.mark.parametrize("text", [SENTENCE, LAST])
def test_the_form_stands_beside_the_selection_with_save_in_view_at_1280(
    page, article, editor, text
):
    page.set_viewport_size({"width": 1280, "height": 800})
    log_in(page, editor.username)
    page.goto(article.get_absolute_url())
    select(page, text, mouse=False)
    page.evaluate(
        "t => [...document.querySelectorAll('.passage')].find(p => p.textContent.includes(t))"
        ".scrollIntoView({block: 'end'})",
        text,
    )
    page.locator("#article-text").dispatch_event("mouseup")
    form = page.locator("#annotate-form")
    form.wait_for(state="visible")
    assert not intersects(form.bounding_box(), pending_rect(page))
    assert inside_viewport(page, page.get_by_role("button", name="Save").bounding_box())
    assert inside_viewport(page, pending_rect(page))


def test_on_a_phone_the_form_is_a_bottom_sheet_below_the_selection(page, article, editor):
    page.set_viewport_size({"width": 390, "height": 844})
    log_in(page, editor.username)
    page.goto(article.get_absolute_url())
    select(page, LAST)
    form = page.locator("#annotate-form")
    sheet = form.bounding_box()
    assert sheet["y"] + sheet["height"] == pytest.approx(844, abs=1)
    assert sheet["height"] <= 844 * 0.5 + 1
    selected = pending_rect(page)
    assert not intersects(sheet, selected)
    assert selected["y"] >= 0
    assert inside_viewport(page, page.get_by_role("button", name="Save").bounding_box())


def test_opened_from_the_keyboard_it_scrolls_into_view_with_focus_on_the_tags(
    page, article, editor
):
    page.set_viewport_size({"width": 1280, "height": 800})
    log_in(page, editor.username)
    page.goto(article.get_absolute_url())
    select(page, LAST, mouse=False)
    page.evaluate("() => window.scrollTo(0, 0)")
    button = page.get_by_role("button", name="Annotate selection")
    button.focus()
    page.keyboard.press("Enter")
    form = page.locator("#annotate-form")
    form.wait_for(state="visible")
    assert is_focused(page.get_by_label("Add another tag"))
    assert inside_viewport(page, form.bounding_box())
    assert inside_viewport(page, pending_rect(page))
    assert not intersects(form.bounding_box(), pending_rect(page))

    # Escape: the form closes, focus goes back to the button, the selection stays.
    page.keyboard.press("Escape")
    assert form.is_hidden()
    assert is_focused(button)
    assert page.evaluate("() => getSelection().toString()") == LAST
    assert page.evaluate("() => CSS.highlights.has('pending')") is False


def test_escape_returns_to_the_selection_and_save_to_the_new_card(page, article, editor):
    log_in(page, editor.username)
    page.goto(article.get_absolute_url())
    select(page, SENTENCE)
    assert page.evaluate("() => CSS.highlights.get('pending').size") == 1
    page.keyboard.press("Escape")
    assert page.locator("#annotate-form").is_hidden()
    assert page.evaluate("() => getSelection().toString()") == SENTENCE
    assert page.evaluate("() => document.activeElement.closest('#article-text') !== null")

    select(page, SENTENCE)
    page.keyboard.press("1")
    page.keyboard.press("Control+Enter")
    page.locator("#annotate-form").wait_for(state="hidden")
    annotation = Annotation.objects.get()
    card = page.locator(f"#annotation-{annotation.pk}")
    card.wait_for()
    expect(page.locator("#annotate-status")).to_have_text("Saved")
    assert page.locator("#annotate-status").get_attribute("role") == "status"
    assert is_focused(card)
    assert card.get_attribute("tabindex") == "-1"
    assert page.get_by_role("link", name="Next outlet’s article in this story").count() == 0
    assert page.problems.all() == []


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_open_form_passes_axe(page, article, editor, axe_violations, scheme):
    page.emulate_media(color_scheme=scheme)
    log_in(page, editor.username)
    page.goto(article.get_absolute_url())
    select(page, SENTENCE)
    page.keyboard.press("1")
    page.keyboard.press("Tab")
    page.keyboard.type("The mayor")
    page.keyboard.press("ArrowDown")
    assert claim_box(page).get_attribute("aria-expanded") == "true"
    check_page(page, axe_violations)


def test_edit_uses_the_same_tag_keys_and_claim_combobox(page, article, editor, axe_violations):
    annotation = make_annotation(article, SENTENCE, author=editor)
    annotation.tags.add(Tag.objects.vocabulary().first().name, "harbour politics")
    first, second = Tag.objects.vocabulary().values_list("name", flat=True)[:2]
    log_in(page, editor.username)
    page.goto(f"/annotations/{annotation.pk}/edit/")
    keys = page.locator(".tag-key")
    assert keys.first.get_attribute("aria-pressed") == "true"
    assert page.locator("[data-tag-chips] li").all_inner_texts() == ["harbour politics ×"]
    check_page(page, axe_violations)

    page.get_by_label("Add another tag").focus()
    page.keyboard.press("1")
    page.keyboard.press("2")
    page.keyboard.press("Tab")
    page.keyboard.type("gate")
    page.keyboard.press("Enter")
    assert claim_box(page).input_value() == "The gate failed twice"
    with page.expect_navigation():
        page.keyboard.press("Control+Enter")
    annotation.refresh_from_db()
    assert sorted(annotation.tags.names()) == sorted([second, "harbour politics"])
    assert annotation.claim.statement == "The gate failed twice"
    assert first not in annotation.tags.names()


def test_edit_works_without_javascript(browser, live_server, article, editor):
    annotation = make_annotation(article, SENTENCE, author=editor)
    annotation.tags.add("quote")
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    page = context.new_page()
    try:
        log_in(page, editor.username)
        page.goto(f"/annotations/{annotation.pk}/edit/")
        tags = page.get_by_label("Tags, separated by commas")
        assert tags.input_value() == "quote"
        tags.fill("quote, framing")
        page.get_by_label("Claim", exact=True).fill("The mayor lied")
        with page.expect_navigation():
            page.get_by_role("button", name="Save").click()
        assert "Did you mean" in page.content() or "No claim of this story" in page.content()
        assert page.get_by_label("Tags, separated by commas").input_value() == "quote, framing"
        page.get_by_label("This is a new claim").check()
        with page.expect_navigation():
            page.get_by_role("button", name="Save").click()
        annotation.refresh_from_db()
        assert annotation.claim.statement == "The mayor lied"
        assert sorted(annotation.tags.names()) == ["framing", "quote"]
    finally:
        context.close()
