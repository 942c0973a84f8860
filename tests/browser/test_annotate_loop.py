"""The editor's core loop on the real sample corpus, counted in key presses.

One claim annotated in three outlets' articles of one story: one tag by its number key,
the claim new the first time (its 77-character statement typed) and picked from the
combobox after that, saved with Ctrl+Enter, and on to the next outlet's article by its
link. Key presses count from the selection made (not counted) to the annotation saved.
"""

import io
import re

from django.core.management import call_command
from playwright.sync_api import expect

from annotations.models import Annotation
from sources.models import Article
from tests.browser.helpers import log_in
from tests.browser.test_annotate_flow import the_vocabulary
from tests.helpers import SAMPLE_CORPUS, require_sample_corpus

STATEMENT = "NATO leaders expected Kyiv to fall within days and offered Zelensky an escape"
BUDGET = 110


class CountedKeyboard:
    """page.keyboard, counting every key press: one per press, one per character typed."""

    def __init__(self, page):
        self.keyboard = page.keyboard
        self.presses = 0

    def press(self, key):
        self.presses += 1
        self.keyboard.press(key)

    def type(self, text):
        self.presses += len(text)
        self.keyboard.type(text)


def a_sentence(article) -> str:
    """A sentence of the article's body, found once in its text."""
    for passage in article.passages.filter(kind="body").order_by("ordinal"):
        text = article.text[passage.start : passage.end]
        for sentence in re.findall(r"[^.!?\n]+[.!?]", text):
            sentence = sentence.strip()
            if 40 <= len(sentence) <= 240 and article.text.count(sentence) == 1:
                return sentence
    raise AssertionError(f"no sentence to select in {article}")


def select_sentence(page, sentence):
    """Select `sentence` in the article and release the mouse, as a mouse would."""
    page.evaluate(
        """(sentence) => {
          const article = document.getElementById("article-text");
          const walker = document.createTreeWalker(article, NodeFilter.SHOW_TEXT);
          for (let node = walker.nextNode(); node; node = walker.nextNode()) {
            const at = node.data.indexOf(sentence);
            if (at < 0) continue;
            const range = document.createRange();
            range.setStart(node, at);
            range.setEnd(node, at + sentence.length);
            getSelection().removeAllRanges();
            getSelection().addRange(range);
            node.parentElement.dispatchEvent(new MouseEvent("mouseup", { bubbles: true }));
            return;
          }
          throw new Error("sentence not found: " + sentence);
        }""",
        sentence,
    )
    page.locator("#annotate-form").wait_for(state="visible")


def wait_saved(page, annotations_before):
    page.locator("#annotate-form").wait_for(state="hidden")
    page.locator("#annotation-list > li").nth(annotations_before).wait_for()
    expect(page.locator("#annotate-status")).to_have_text("Saved")


def test_one_claim_in_three_outlets_takes_at_most_110_key_presses(page, editor):
    require_sample_corpus()
    call_command("import_articles", str(SAMPLE_CORPUS), stdout=io.StringIO())
    first_tag = the_vocabulary()[0]
    story = Article.objects.first().story
    start = story.articles.order_by("outlet__name", "published", "pk").first()

    log_in(page, editor.username)
    page.goto(start.get_absolute_url())
    counts = []
    visited = []
    for round_ in range(3):
        article = Article.objects.get(pk=int(page.url.rstrip("/").split("/")[-1]))
        visited.append(article)
        select_sentence(page, a_sentence(article))
        keys = CountedKeyboard(page)
        # The form opens with focus in the tag group: key 1 is the vocabulary's first tag.
        keys.press("1")
        keys.press("Tab")
        if round_ == 0:
            keys.type(STATEMENT)
            # Nothing matches: Enter highlights "Create new claim", the next Enter picks it.
            keys.press("Enter")
            keys.press("Enter")
        else:
            # The claim used last in this story is the first option.
            keys.press("ArrowDown")
            keys.press("Enter")
        assert page.get_by_label("Claim", exact=True).input_value() == STATEMENT
        keys.press("Control+Enter")
        wait_saved(page, 0)
        counts.append(keys.presses)
        if round_ < 2:
            with page.expect_navigation():
                page.get_by_role("link", name="Next outlet’s article in this story").click()
            page.wait_for_load_state("networkidle")

    for n, count in enumerate(counts, 1):
        print(f"annotation {n} ({visited[n - 1].outlet.name}): {count} key presses")
    print(f"total: {sum(counts)} key presses (budget {BUDGET})")
    assert sum(counts) <= BUDGET

    annotations = Annotation.objects.select_related("claim", "article__outlet")
    assert len({a.article.outlet_id for a in annotations}) == 3
    assert [a.article for a in annotations.order_by("pk")] == visited
    for annotation in annotations:
        assert annotation.claim.statement == STATEMENT
        assert list(annotation.tags.names()) == [first_tag]
        assert annotation.author == editor
    assert len({a.claim_id for a in annotations}) == 1
    assert page.problems.all() == []
