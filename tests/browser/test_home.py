from tests.browser.helpers import horizontal_overflow


def test_home_runs_cleanly_under_the_csp(page):
    response = page.goto("/")
    # Let late requests (the favicon, modules) finish so their errors count.
    page.wait_for_load_state("networkidle")

    assert response.status == 200
    assert "'unsafe-inline'" not in response.headers["content-security-policy"]
    assert page.get_by_role("heading", name="Stories").is_visible()
    # The module script ran (it is blocked if the CSP is wrong).
    assert page.evaluate("document.documentElement.classList.contains('js')")
    assert page.problems.csp_violations == []
    assert page.problems.all() == []


def test_home_has_no_serious_accessibility_violation(page, axe_violations):
    page.goto("/")

    assert axe_violations(page) == []
    assert page.problems.all() == []


def test_home_fits_a_phone_screen(page):
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto("/")

    overflow = horizontal_overflow(page)
    assert overflow <= 0
