"""Browser tests: Debian's Chromium driven through Playwright's sync API.

Every test here is marked `browser`, runs against pytest-django's live_server
and gets a `page` that records console errors, uncaught exceptions and CSP
violations, so a test can assert that a page ran cleanly under our CSP.
"""

import os

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import sync_playwright

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-gpu",
]
# axe impact levels we refuse; "minor" and "moderate" are left to review.
BLOCKING_IMPACTS = {"serious", "critical"}


def pytest_collection_modifyitems(config, items):
    here = os.path.dirname(__file__)
    for item in items:
        if str(item.path).startswith(here):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser():
    # Playwright's sync API runs an event loop in this thread; Django's ORM
    # refuses to run in a thread with a loop unless told it is safe.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    if not os.path.exists(CHROMIUM):
        pytest.fail(f"browser tests need Chromium at {CHROMIUM} (apt-get install chromium)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
        )
        yield browser
        browser.close()


class PageProblems:
    """What went wrong while a page ran: console errors, exceptions, CSP violations."""

    def __init__(self):
        self.console_errors = []
        self.page_errors = []

    @property
    def csp_violations(self):
        return [m for m in self.console_errors if "Content Security Policy" in m]

    def listen(self, page):
        page.on("console", self._on_console)
        page.on("pageerror", lambda error: self.page_errors.append(str(error)))

    def _on_console(self, message):
        # Chromium reports CSP violations as console errors, so they land here too.
        if message.type == "error":
            self.console_errors.append(f"{message.text} ({message.location.get('url', '')})")

    def all(self):
        return self.console_errors + self.page_errors


@pytest.fixture
def page(browser, live_server, transactional_db):
    """A fresh page with the app's real headers (CSP included); see `page.problems`."""
    context = browser.new_context(base_url=live_server.url)
    page = context.new_page()
    page.problems = PageProblems()
    page.problems.listen(page)
    yield page
    context.close()


@pytest.fixture
def axe_violations():
    """Returns a function: page -> its serious and critical axe-core violations.

    axe is injected with page.evaluate, which runs through the DevTools protocol
    and so is not subject to the page's CSP: the page keeps its real policy.
    """

    def run(page):
        results = Axe().run(page)
        return [
            f"{v['id']} ({v['impact']}): {v['help']} at "
            + ", ".join(" ".join(node["target"]) for node in v["nodes"])
            for v in results.response["violations"]
            if v["impact"] in BLOCKING_IMPACTS
        ]

    return run
