"""Find it in the other outlets, in a browser, on the real sample corpus: from Modern.az's
Kissinger quote The Dissident's same words are offered and annotated under the same claim
without leaving the page; from online.ua's "close the airspace", a search of the story
for "close the sky" offers Modern.az's passage."""

import io

from django.core.management import call_command
from playwright.sync_api import expect

from annotations.models import Annotation
from sources.models import Article
from tests.browser.helpers import check_page, log_in, select
from tests.factories import make_annotation, make_claim
from tests.helpers import SAMPLE_CORPUS, require_sample_corpus


def open_find_panel(page, annotation):
    card = page.locator(f"#annotation-{annotation.pk}")
    card.get_by_role("link", name="Find in other outlets").click()
    panel = page.locator("#find-panel")
    expect(panel.locator("#find-results")).to_be_visible()
    expect(page.locator("#find-heading")).to_be_focused()
    return panel


def test_find_the_same_words_and_annotate_them_in_another_outlet(page, editor, axe_violations):
    require_sample_corpus()
    call_command("import_articles", str(SAMPLE_CORPUS), stdout=io.StringIO())
    modern = Article.objects.get(outlet__name="Modern.az")
    dissident = Article.objects.get(outlet__name="The Dissident")
    claim = make_claim(
        story=modern.story, statement="Kissinger saw Ukraine as a bridge between East and West"
    )
    source = make_annotation(modern, "bridge between East and West", claim=claim)
    source.tags.add("quote")

    log_in(page, "editor")
    page.goto(modern.get_absolute_url())
    panel = open_find_panel(page, source)
    hit = panel.locator(".find-hit", has_text="The Dissident").first
    expect(hit.locator(".badge")).to_have_text("same words")
    expect(hit.locator("blockquote")).to_have_text("bridge between East and West")
    check_page(page, axe_violations)
    url_before = page.url

    hit.get_by_role("button", name="Annotate these words under the claim").click()
    expect(hit.locator(".find-status a")).to_have_text("Annotated: open it")
    assert page.url == url_before  # never left the page
    made = Annotation.objects.get(article=dissident)
    assert (made.claim, made.exact, list(made.tags.names())) == (
        claim,
        "bridge between East and West",
        ["quote"],
    )
    assert made.author == editor

    # The panel closes, and focus goes back to the link that opened it.
    panel.get_by_role("button", name="Close").click()
    expect(panel).to_be_hidden()
    expect(
        page.locator(f"#annotation-{source.pk}").get_by_role("link", name="Find in other outlets")
    ).to_be_focused()


def test_a_search_of_the_story_in_other_words(page, editor):
    require_sample_corpus()
    call_command("import_articles", str(SAMPLE_CORPUS), stdout=io.StringIO())
    online = Article.objects.get(outlet__name="online.ua")
    claim = make_claim(story=online.story, statement="Zelensky asked NATO to close the sky")
    source = make_annotation(online, "close the airspace", claim=claim)

    log_in(page, "editor")
    page.goto(online.get_absolute_url())
    panel = open_find_panel(page, source)
    field = panel.get_by_label("Words to find in the story's other articles")
    expect(field).to_have_value("close the airspace")
    field.fill("close the sky")
    field.press("Enter")
    hit = panel.locator(".find-hit", has_text="Modern.az").first
    expect(hit.locator("blockquote")).to_contain_text("close the sky")
    expect(hit.locator(".badge")).to_have_text("same words")
    expect(panel.get_by_label("Words to find in the story's other articles")).to_be_focused()


def test_from_a_selection_the_words_are_found_and_annotated_elsewhere(page, editor):
    require_sample_corpus()
    call_command("import_articles", str(SAMPLE_CORPUS), stdout=io.StringIO())
    modern = Article.objects.get(outlet__name="Modern.az")
    dissident = Article.objects.get(outlet__name="The Dissident")

    log_in(page, "editor")
    page.goto(modern.get_absolute_url())
    select(page, "bridge between East and West")
    page.locator("#annotate-form").get_by_role("button", name="Find in other outlets").click()
    panel = page.locator("#find-panel")
    expect(page.locator("#annotate-form")).to_be_hidden()
    expect(page.locator("#find-heading")).to_be_focused()
    hit = panel.locator(".find-hit", has_text="The Dissident").first
    expect(hit.locator("blockquote")).to_have_text("bridge between East and West")
    hit.get_by_role("button", name="Annotate these words").click()
    expect(hit.locator(".find-status a")).to_have_text("Annotated: open it")
    made = Annotation.objects.get(article=dissident)
    assert (made.exact, made.claim) == ("bridge between East and West", None)
