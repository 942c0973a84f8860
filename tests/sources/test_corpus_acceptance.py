"""Acceptance on the real sample corpus in ../shared/corpus (read from there, never copied)."""

import datetime
import io

import pytest
from django.core.management import call_command

from sources.models import Article, Outlet, Passage, Story
from tests.helpers import SAMPLE_CORPUS, require_sample_corpus

pytestmark = pytest.mark.django_db


@pytest.fixture
def corpus():
    require_sample_corpus()
    out = io.StringIO()
    call_command("import_articles", str(SAMPLE_CORPUS), stdout=out)
    return out.getvalue()


def article(outlet):
    return Article.objects.get(outlet__name=outlet)


def texts(article, kind):
    return [p.text for p in article.passages.filter(kind=kind)]


def test_five_articles_of_five_outlets_under_one_story(corpus):
    assert Article.objects.count() == 5
    assert Outlet.objects.count() == 5
    assert Story.objects.count() == 1
    assert Story.objects.get().title == 'Stoltenberg memoir "On My Watch"'
    assert "README.md: skipped: not listed in manifest.csv" in corpus
    assert "5 created, 0 already there, 1 skipped, 0 failed" in corpus


def test_second_import_creates_nothing(corpus):
    before = (Article.objects.count(), Passage.objects.count(), Outlet.objects.count())
    out = io.StringIO()
    call_command("import_articles", str(SAMPLE_CORPUS), stdout=out)
    assert "0 created, 5 already there" in out.getvalue()
    assert before == (Article.objects.count(), Passage.objects.count(), Outlet.objects.count())


def test_titles(corpus):
    assert article("Naked Capitalism").title == (
        "Former NATO Chief Stoltenberg Says Alliance Let Ukraine Down, Washington Was ‘Defeatist’"
    )
    assert article("Modern.az").title == "“We do not want to die for Ukraine”"
    assert article("online.ua").title == (
        "Stoltenberg recalled a painful conversation with Zelensky in February 2022"
    )
    meduza = article("Meduza").title
    assert meduza.startswith("‘If President Putin wants less NATO on his borders")
    assert meduza.endswith("An interview with NATO Secretary General Jens Stoltenberg")
    dissident = article("The Dissident").title
    assert dissident.startswith("Jens Stoltenberg, the Secretary General of NATO")
    assert len(dissident) <= 90


def test_manifest_title_overrides(tmp_path):
    require_sample_corpus()
    folder = tmp_path / "batch"
    folder.mkdir()
    (folder / "modern-az.txt").write_bytes((SAMPLE_CORPUS / "modern-az.txt").read_bytes())
    (folder / "manifest.csv").write_text(
        "file,outlet,story,title\nmodern-az.txt,Modern.az,Memoir,Our own title\n"
    )
    call_command("import_articles", str(folder), stdout=io.StringIO())
    assert Article.objects.get().title == "Our own title"


def test_dates(corpus):
    assert article("The Dissident").published == datetime.date(2025, 11, 12)
    assert article("online.ua").published == datetime.date(2025, 11, 9)
    assert article("Modern.az").published == datetime.date(2025, 10, 13)
    assert article("Meduza").published == datetime.date(2022, 4, 7)
    assert article("Naked Capitalism").published is None
    for outlet in ("The Dissident", "online.ua"):
        assert not article(outlet).text.lstrip().startswith("date")
        assert "date 2025-" not in article(outlet).text


def test_naked_capitalism_comments_preface_and_boilerplate(corpus):
    nc = article("Naked Capitalism")
    comments = texts(nc, "comment")
    # Every commenter's name line (26 of them, nested up to 5 deep) and every comment line.
    authors = [
        t for t in comments if t[0].isdigit() and t.split(". ", 1)[0].isdigit() and len(t) < 40
    ]
    assert len(authors) == 26
    assert max(p.depth for p in nc.passages.filter(kind="comment")) == 5
    assert comments[-1].startswith("Of course it is now 2025, not 2021.")
    tail = nc.text[nc.text.index("27 comments") :]
    body_after = [
        p
        for p in nc.passages.filter(kind__in=["body", "preface", "headline"])
        if p.start >= nc.text.index("27 comments")
    ]
    assert body_after == [], "nothing after the comments header may count as article text"
    assert "Comments are closed." in texts(nc, "boilerplate")
    assert "Print Friendly, PDF & Email" in texts(nc, "boilerplate")
    assert tail.endswith("Comments are closed.")
    preface = texts(nc, "preface")
    assert preface[0].startswith("Conor here:")
    assert preface[-1] == "Let the finger pointing begin."
    assert texts(nc, "body")[0].startswith("By Ray Furlong")


def test_meduza_captions_and_boilerplate(corpus):
    meduza = article("Meduza")
    captions = texts(meduza, "caption")
    for credit in (
        "Valentin Sobolev / TASS",
        "Steohanie Lecocq / EPA/ Scanpix / LETA",
        "Francois Walschaerts / AFP / Scanpix / LETA",
    ):
        assert credit in captions
    assert captions.count("NATO Secretary General Jens Stoltenberg during the interview") == 3
    boilerplate = texts(meduza, "boilerplate")
    assert "Skip to main content" in boilerplate
    assert boilerplate.count("Follow Meduza’s war coverage here") == 2
    assert texts(meduza, "headline")[0] == meduza.title


def test_modern_az_site_name_date_and_widgets(corpus):
    modern = article("Modern.az")
    boilerplate = texts(modern, "boilerplate")
    assert "Modern.az" in boilerplate
    assert "13 October 2025, 11:25" in boilerplate
    assert boilerplate[-3:] == [
        modern.text.splitlines()[-3],
        modern.text.splitlines()[-2],
        modern.text.splitlines()[-1],
    ]
    assert texts(modern, "body")[-1].startswith("Jens Stoltenberg's memoirs consist of eight parts")


def test_online_ua_repeated_name_lines_are_captions(corpus):
    online = article("online.ua")
    assert texts(online, "caption") == [
        "Jens Stoltenberg",
        "Jens Stoltenberg",
        "NATO External Secretary",
    ]
    assert texts(online, "headline")[0] == online.title


def test_texts_keep_their_typos_and_lose_nothing(corpus):
    dissident = article("The Dissident")
    assert "Stolentenberg" in dissident.text
    assert texts(dissident, "boilerplate") == [dissident.text.splitlines()[-1]]
    for a in Article.objects.all():
        source = (SAMPLE_CORPUS / a.source_name).read_text()
        assert "".join(a.text.split()) in "".join(source.split())
        assert " ".join(p.text for p in a.passages.all()).split() == a.text.split()
