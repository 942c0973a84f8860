"""Twenty editors writing at once, through gunicorn with three workers, lose nothing.

Each test drives a real server (gunicorn, three worker processes) on a database of
its own, from twenty threads that each log in as their own editor and post the
forms a browser posts. The test database of pytest-django lives in this process
and cannot be shared with gunicorn's workers, so the server's database is set up
and read back by subprocesses (tests/concurrency_helpers.py).

Two databases:
- a SQLite file: the default deployment, where concurrent writers once got
  "database is locked" (WAL does not apply to the in-memory test database);
- a PostgreSQL database made for the test and dropped after it, when the suite
  itself runs on PostgreSQL. Only then is a server known to be there, with
  credentials for it; CI runs the suite on both.
"""

import threading
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import pytest
from django.utils.text import slugify

from tests.concurrency_helpers import (
    Session,
    form_fields,
    gunicorn,
    run_helper,
    server_errors,
)
from tests.databases import KINDS, database_of_its_own

pytestmark = pytest.mark.concurrency

WRITERS = 20
ANNOTATIONS_PER_WRITER = 3


@dataclass
class Site:
    url: str
    database_url: str
    data: dict
    server: object

    def stored(self) -> dict:
        return run_helper(self.database_url, "inspect")

    def errors(self) -> str:
        return "\n".join(server_errors(self.server.log_text())) or "(nothing in the server log)"


@pytest.fixture(scope="module", params=KINDS)
def site(request, tmp_path_factory):
    folder = tmp_path_factory.mktemp(f"concurrency-{request.param}")
    with database_of_its_own(request.param, folder, "concurrency") as database_url:
        data = run_helper(database_url, "setup", str(WRITERS))
        with gunicorn(database_url, folder / "gunicorn.log", workers=3) as server:
            yield Site(url=server.url, database_url=database_url, data=data, server=server)


@pytest.fixture(scope="module")
def sessions(site):
    """One logged-in browser per editor (each logs in once: login throttling counts)."""
    browsers = []
    for username in site.data["usernames"]:
        browser = Session(site.url)
        browser.login(username)
        browsers.append(browser)
    return browsers


def selection(text: str, quote: str) -> dict:
    """What the reader's script sends for a selection of `quote`: offsets and context."""
    start = text.index(quote)
    end = start + len(quote)
    return {
        "start": start,
        "end": end,
        "exact": quote,
        "prefix": text[max(0, start - 32) : start],
        "suffix": text[end : end + 32],
    }


def annotate_form(browser: Session, article_id: int) -> dict:
    """The annotate form of the article page, as loaded by this editor's browser."""
    page = browser.get(f"/articles/{article_id}/")
    assert page.status == 200, page.status
    return form_fields(page.body, form_id="annotate-form")


def in_parallel(work, sessions):
    """Runs work(index, browser) in one thread per editor, all released at once."""
    barrier = threading.Barrier(len(sessions), timeout=120)

    def run(index):
        return work(index, sessions[index], barrier)

    with ThreadPoolExecutor(max_workers=len(sessions)) as pool:
        return list(pool.map(run, range(len(sessions))))


def test_twenty_concurrent_writers_get_no_server_error_and_every_saved_write_is_stored(
    site, sessions
):
    article, text = site.data["article"], site.data["text"]

    def write(index, browser, barrier):
        form = annotate_form(browser, article)
        barrier.wait()
        answers = []
        for n in range(ANNOTATIONS_PER_WRITER):
            paragraph = 1 + index * ANNOTATIONS_PER_WRITER + n
            fields = {
                **form,
                **selection(text, f"engineer {paragraph} wrote"),
                # A tag every writer names for the first time at once, and one they all know.
                "tags": "quote,contested",
                # Some annotations name no claim, some the story's claim, some a new one.
                "claim": ["", "The barrier failed two inspections", f"Claim of writer {index}"][n],
                # Each writer picked "Create new claim" for its own claim.
                "new_claim": "1",
                "stance": "reports",
                "note": f"note {index}-{n}",
                "submission": str(uuid.uuid4()),
            }
            answers.append(("create", browser.post(f"/articles/{article}/annotations/", fields)))
        # Each editor publishes the claim it has just made, from the claim's page.
        claim_path = f"/claims/{slugify(f'Claim of writer {index}')}/"
        claim_page = browser.get(claim_path)
        if claim_page.status == 200:
            publish = form_fields(claim_page.body, action=f"{claim_path}publish/")
            claim_page = browser.post(f"{claim_path}publish/", publish)
        answers.append(("publish", claim_page))
        # Each editor changes the note of its first annotation through the edit page.
        created = answers[0][1]
        if created.status == 201:
            edit_path = f"/annotations/{created.json()['id']}/edit/"
            edit_page = browser.get(edit_path)
            fields = form_fields(edit_page.body, has_field="note")
            fields["note"] = f"edited by writer {index}"
            answers.append(("edit", browser.post(edit_path, fields)))
        return answers

    results = in_parallel(write, sessions)

    answers = [answer for writer in results for answer in writer]
    server_failures = [(kind, a.status, a.body[:300]) for kind, a in answers if a.status >= 500]
    assert server_failures == [], site.errors()
    creates = [a for kind, a in answers if kind == "create"]
    assert [a.status for a in creates] == [201] * WRITERS * ANNOTATIONS_PER_WRITER, [
        a.body[:300] for a in creates if a.status != 201
    ]
    assert [a.status for kind, a in answers if kind == "edit"] == [302] * WRITERS
    assert [a.status for kind, a in answers if kind == "publish"] == [302] * WRITERS

    stored = site.stored()
    for index, writer in enumerate(results):
        for n, (_, answer) in enumerate(writer[:ANNOTATIONS_PER_WRITER]):
            saved = stored["annotations"].get(str(answer.json()["id"]))
            assert saved is not None, f"acknowledged annotation {answer.json()} is missing"
            assert saved["author"] == f"writer{index + 1:02d}"
            assert saved["tags"] == ["contested", "quote"]
            expected_note = f"edited by writer {index}" if n == 0 else f"note {index}-{n}"
            assert saved["note"] == expected_note
    own_claims = [
        c for c in stored["claims"].values() if c["statement"].startswith("Claim of writer")
    ]
    assert len(own_claims) == WRITERS
    assert {c["status"] for c in own_claims} == {site.data["published"]}


def test_twenty_writers_naming_the_same_new_claim_at_once_make_one_claim(site, sessions):
    article, text = site.data["article"], site.data["text"]
    statement = "The minister knew about the corrosion in March"

    def write(index, browser, barrier):
        form = annotate_form(browser, article)
        barrier.wait()
        fields = {
            **form,
            # Everyone selects the same words of the same paragraph.
            **selection(text, "The flood barrier failed two inspections before the storm"),
            "tags": "admission",
            "claim": statement,
            "new_claim": "1",
            "stance": "reports",
            "note": f"writer {index}",
            "submission": str(uuid.uuid4()),
        }
        return browser.post(f"/articles/{article}/annotations/", fields)

    answers = in_parallel(write, sessions)

    assert [a.status for a in answers if a.status >= 500] == [], site.errors()
    assert [a.status for a in answers] == [201] * WRITERS, [a.body[:300] for a in answers]
    stored = site.stored()
    claims = {
        pk: claim
        for pk, claim in stored["claims"].items()
        if claim["statement"].lower() == statement.lower()
    }
    assert len(claims) == 1, f"{len(claims)} claims named “{statement}”: {claims}"
    (claim_id,) = claims
    for answer in answers:
        saved = stored["annotations"][str(answer.json()["id"])]
        assert str(saved["claim"]) == claim_id
