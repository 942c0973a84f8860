"""Annotating by selection in a real Chromium, under the real CSP."""

import pytest

from annotations.models import Annotation
from sources.importer import import_paths
from tests.browser.helpers import log_in

REPORT = """\
Harbour gate failed twice before the storm

The east gate of the harbour barrier failed two inspections before the storm, an internal memo shows.

The mayor admitted on Tuesday that he had known about the failures since October. He said nobody had asked him.

Residents of the low town said they had never been told about the failed inspections.
"""

SENTENCE = "The mayor admitted on Tuesday that he had known about the failures since October."


@pytest.fixture
def article(tmp_path, transactional_db):
    path = tmp_path / "gate.txt"
    path.write_text(REPORT)
    (outcome,) = import_paths([path], outlet="Harbour Wire", story="Harbour gate")
    return outcome.article


def select(page, first_words, last_words):
    """Select from the start of `first_words` to the end of `last_words`, as a mouse would."""
    page.evaluate(
        """([first, last]) => {
          const article = document.getElementById("article-text");
          const walker = document.createTreeWalker(article, NodeFilter.SHOW_TEXT);
          let start = null, end = null;
          for (let node = walker.nextNode(); node; node = walker.nextNode()) {
            if (!start && node.data.includes(first)) start = [node, node.data.indexOf(first)];
            if (node.data.includes(last)) end = [node, node.data.indexOf(last) + last.length];
          }
          const range = document.createRange();
          range.setStart(...start);
          range.setEnd(...end);
          const selection = window.getSelection();
          selection.removeAllRanges();
          selection.addRange(range);
          start[0].parentElement.dispatchEvent(new MouseEvent("mouseup", { bubbles: true }));
        }""",
        [first_words, last_words],
    )


def annotate(page, tags=(), claim="", stance="", note=""):
    form = page.locator("#annotate-form")
    form.wait_for(state="visible")
    for tag in tags:
        page.get_by_label("Add another tag").fill(tag)
        # Enter adds the tag and must not submit the form.
        page.get_by_label("Add another tag").press("Enter")
    assert form.is_visible()
    if claim:
        page.get_by_label("Claim", exact=True).fill(claim)
        # A new claim: Enter highlights "Create new claim", the second Enter picks it.
        page.get_by_label("Claim", exact=True).press("Enter")
        page.get_by_label("Claim", exact=True).press("Enter")
    if stance:
        page.get_by_label("Stance").select_option(stance)
    if note:
        page.get_by_label("Note").fill(note)
    page.get_by_role("button", name="Save").click()
    form.wait_for(state="hidden")


def test_editor_annotates_a_sentence_and_it_stays(page, article, editor, axe_violations):
    log_in(page, editor.username)
    page.goto(article.get_absolute_url())
    assert axe_violations(page) == []

    select(page, "The mayor admitted", "since October.")
    annotate(
        page,
        tags=["admission"],
        claim="The mayor knew of the failures for months",
        stance="reports",
        note="He says nobody asked.",
    )

    # The highlight appears without a reload.
    highlight = page.locator("#article-text mark.hl")
    highlight.first.wait_for()
    assert highlight.all_inner_texts() == [SENTENCE]
    annotation = Annotation.objects.get()
    assert annotation.exact == SENTENCE
    assert list(annotation.tags.names()) == ["admission"]
    assert annotation.claim.statement == "The mayor knew of the failures for months"
    assert annotation.author == editor

    page.reload()
    assert page.locator("#article-text mark.hl").all_inner_texts() == [SENTENCE]
    item = page.locator(f"#annotation-{annotation.pk}")
    assert "admission" in item.inner_text()
    assert "He says nobody asked." in item.inner_text()

    with page.expect_navigation():
        item.get_by_role("link", name="Permalink").click()
    page.wait_for_load_state("networkidle")
    assert SENTENCE in page.locator(".in-context").inner_text()
    assert "The mayor knew of the failures for months" in page.content()
    with page.expect_navigation():
        page.get_by_role("link", name="Show in the article").click()
    page.wait_for_load_state("networkidle")
    assert page.url.endswith(f"#hl-{annotation.pk}")
    assert page.locator("mark.is-target").all_inner_texts() == [SENTENCE]
    assert page.problems.all() == []


def test_a_selection_across_two_passages(page, article, editor):
    log_in(page, editor.username)
    page.goto(article.get_absolute_url())

    select(page, "an internal memo shows.", "The mayor admitted")
    annotate(page, tags=["framing"])

    marks = page.locator("#article-text mark.hl")
    marks.first.wait_for()
    assert marks.all_inner_texts() == ["an internal memo shows.", "The mayor admitted"]
    annotation = Annotation.objects.get()
    assert annotation.exact == "an internal memo shows.\n\nThe mayor admitted"
    page.reload()
    assert page.locator("#article-text mark.hl").count() == 2
    assert page.problems.all() == []


def test_anonymous_visitor_sees_highlights_and_no_editing_control(
    page, article, editor, axe_violations
):
    start = article.text.index(SENTENCE)
    annotation = Annotation(article=article, start=start, end=start + len(SENTENCE), author=editor)
    annotation.set_quote_from_offsets()
    annotation.save()
    annotation.tags.add("admission")

    page.goto(article.get_absolute_url())
    page.wait_for_load_state("networkidle")

    assert page.locator("#article-text mark.hl").all_inner_texts() == [SENTENCE]
    assert page.locator("#annotate-form").count() == 0
    assert page.get_by_role("button", name="Annotate selection").count() == 0
    assert page.get_by_role("link", name="Edit").count() == 0
    select(page, "The east gate", "storm")
    page.wait_for_timeout(200)
    assert page.locator("form").filter(has_text="Save").count() == 0
    assert axe_violations(page) == []
    assert page.problems.all() == []


def test_the_form_works_with_the_keyboard_alone(page, article, editor):
    log_in(page, editor.username)
    page.goto(article.get_absolute_url())
    # A keyboard user selects with Shift+arrows (caret browsing); here the selection is
    # made by script, without a mouse event, and the rest is keys only.
    page.evaluate(
        """() => {
          const node = [...document.querySelectorAll("#article-text .passage")]
            .find((p) => p.textContent.startsWith("Residents")).firstChild;
          const range = document.createRange();
          range.setStart(node, 0);
          range.setEnd(node, "Residents of the low town".length);
          getSelection().removeAllRanges();
          getSelection().addRange(range);
        }"""
    )
    button = page.get_by_role("button", name="Annotate selection")
    button.focus()
    page.keyboard.press("Enter")
    assert page.get_by_label("Add another tag").evaluate("el => el === document.activeElement")
    page.keyboard.type("context")
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    page.keyboard.type("Residents were not told")
    # A new claim: Enter highlights "Create new claim", the second Enter picks it.
    page.keyboard.press("Enter")
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    assert page.get_by_label("This is a new claim").is_checked()
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    page.keyboard.type("Low town only.")
    page.keyboard.press("Tab")
    assert page.get_by_role("button", name="Save").evaluate("el => el === document.activeElement")
    page.keyboard.press("Enter")
    page.locator("#annotate-form").wait_for(state="hidden")

    annotation = Annotation.objects.get()
    assert annotation.exact == "Residents of the low town"
    assert list(annotation.tags.names()) == ["context"]
    assert annotation.claim.statement == "Residents were not told"
    assert annotation.note == "Low town only."
