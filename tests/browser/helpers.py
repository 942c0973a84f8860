"""Checks and steps shared by the browser tests."""

from tests.conftest import EDITOR_PASSWORD


def log_in(page, username):
    """Log in through the login page, as a person would."""
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(EDITOR_PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="Log in").click()
    page.wait_for_load_state("networkidle")


def horizontal_overflow(page) -> int:
    """How many pixels the page is wider than the window (0 or less: it fits)."""
    return page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )


def check_page(page, axe_violations):
    """The page ran cleanly: no axe serious/critical finding, no overflow, no console error."""
    page.wait_for_load_state("networkidle")
    assert axe_violations(page) == [], page.url
    assert horizontal_overflow(page) <= 0, page.url
    assert page.problems.csp_violations == [], page.url
    assert page.problems.all() == [], page.url


def select(page, text, mouse=True):
    """Select `text` in the article; with `mouse`, release the mouse as a mouse would."""
    page.evaluate(
        """([text, mouse]) => {
          const article = document.getElementById("article-text");
          const walker = document.createTreeWalker(article, NodeFilter.SHOW_TEXT);
          for (let node = walker.nextNode(); node; node = walker.nextNode()) {
            const at = node.data.indexOf(text);
            if (at < 0) continue;
            const range = document.createRange();
            range.setStart(node, at);
            range.setEnd(node, at + text.length);
            getSelection().removeAllRanges();
            getSelection().addRange(range);
            if (mouse) node.parentElement.dispatchEvent(new MouseEvent("mouseup", { bubbles: true }));
            return;
          }
          throw new Error("not found: " + text);
        }""",
        [text, mouse],
    )
    if mouse:
        page.locator("#annotate-form").wait_for(state="visible")
