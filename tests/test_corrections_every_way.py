"""One correction, four ways in: the import_articles command, the browser import, the
article page and the admin all go through revise_text, so each leaves the annotations in
exactly the same places, with the same statuses, and with their tags, claims, stances and
notes untouched."""

import io
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from annotations.models import Annotation
from sources.models import Article, ArticleVersion
from tests.factories import make_claim

pytestmark = pytest.mark.django_db

URL = "https://harbour.example/gates-every-way"
TEXT = "\n\n".join(
    [
        "Harbour authority admits gates were never tested",
        "The harbour authority admitted on Monday that the new storm gates had never been "
        "tested at full tide before the February surge flooded the quay.",
        "Residents of the lower town, where forty homes were flooded, said they had warned "
        "the authority about the gates for two years.",
        "“We were told the gates would hold,” said Anna Berg, who runs a bakery on the quay.",
        "The council will hold a public inquiry into the failure, its leader said on Tuesday.",
    ]
)
# A note added at the top, a word fixed inside one annotation, another paragraph's
# figure corrected, curly quotation marks made straight, the last paragraph withdrawn.
CORRECTED = "\n\n".join(
    [
        "Harbour authority admits gates were never tested",
        "Correction: an earlier version of this article misnamed the council's leader.",
        "The harbour authority admitted on Monday that the new storm gates had never been "
        "tested at high tide before the February surge flooded the quay.",
        "Residents of the lower town, where forty-two homes were flooded, said they had warned "
        "the authority about the gates for two years.",
        '"We were told the gates would hold," said Anna Berg, who runs a bakery on the quay.',
    ]
)
QUOTES = {
    "tide": "had never been tested at full tide",
    "warned": "they had warned the authority",
    "berg": "We were told the gates would hold,",
    "inquiry": "a public inquiry into the failure",
}
# What every way in must leave: status, the words at the annotation's place in the
# corrected text (anchored), or at its proposed place (review), or nothing (orphaned).
EXPECTED = {
    "tide": ("review", None, "had never been tested at high tide"),
    "warned": ("anchored", "they had warned the authority", None),
    "berg": ("anchored", "We were told the gates would hold,", None),
    "inquiry": ("orphaned", None, None),
}
COUNTS = "2 annotations kept in place, 0 moved, 1 to review, 1 orphaned"


def record(text):
    return json.dumps(
        {"text": text, "url": URL, "outlet": "Harbour Wire", "story": "Gates", "title": "Gates"}
    )


def run_command(path):
    out, err = io.StringIO(), io.StringIO()
    call_command("import_articles", str(path), stdout=out, stderr=err)
    return out.getvalue() + err.getvalue()


def imported_and_annotated(tmp_path):
    path = tmp_path / "gates.json"
    path.write_text(record(TEXT))
    run_command(path)
    article = Article.objects.get()
    claim = make_claim(story=article.story, statement="The gates were never tested at full tide")
    for n, (key, quote) in enumerate(QUOTES.items()):
        start = article.text.index(quote)
        annotation = Annotation(
            article=article,
            start=start,
            end=start + len(quote),
            claim=claim if n % 2 == 0 else None,
            stance="reports" if n % 2 else "",
            note=f"Note on {key}",
        )
        annotation.set_quote_from_offsets()
        annotation.save()
        annotation.tags.add("admission" if n % 2 == 0 else "context", "quote")
    return path, article


def what_annotations_say():
    return sorted(
        (a.pk, a.claim_id, a.stance, a.note, tuple(sorted(a.tags.names())))
        for a in Annotation.objects.all()
    )


def outcome():
    text = Article.objects.get().text
    found = {}
    for annotation in Annotation.objects.all():
        [key] = [k for k, quote in QUOTES.items() if annotation.exact.startswith(quote[:10])]
        anchored = annotation.anchor_status == "anchored"
        proposed = annotation.proposed_start is not None
        found[key] = (
            annotation.anchor_status,
            text[annotation.start : annotation.end] if anchored else None,
            text[annotation.proposed_start : annotation.proposed_end] if proposed else None,
        )
    return found


def by_command(tmp_path, path, client, admin_client):
    path.write_text(record(CORRECTED))
    return run_command(path)


def by_browser_import(tmp_path, path, client, admin_client):
    upload = SimpleUploadedFile("gates.json", record(CORRECTED).encode())
    response = client.post(reverse("sources:import"), {"form": "upload", "upload-files": [upload]})
    assert response.status_code == 200
    return response.content.decode()


def by_article_page(tmp_path, path, client, admin_client):
    article = Article.objects.get()
    response = client.post(
        reverse("annotations:article-correct", args=[article.pk]),
        # A browser sends a textarea's line breaks as CRLF.
        {"text": CORRECTED.replace("\n", "\r\n"), "text_version": 1},
        follow=True,
    )
    assert response.status_code == 200
    return response.content.decode()


def by_admin(tmp_path, path, client, admin_client):
    article = Article.objects.get()
    response = admin_client.post(
        reverse("admin:sources_article_correct", args=[article.pk]),
        {"text": CORRECTED},
        follow=True,
    )
    assert response.status_code == 200
    return response.content.decode()


WAYS = {
    "command": (by_command, "import"),
    "browser import": (by_browser_import, "import"),
    "article page": (by_article_page, "reader"),
    "admin": (by_admin, "admin"),
}


@pytest.mark.parametrize("way", WAYS)
def test_every_way_in_corrects_the_same_way(way, tmp_path, editor_client, admin_client):
    path, article = imported_and_annotated(tmp_path)
    said = what_annotations_say()
    correct, source = WAYS[way]

    reply = correct(tmp_path, path, editor_client, admin_client)

    stored = Article.objects.get()
    assert (stored.pk, stored.text, stored.text_version) == (article.pk, CORRECTED, 2)
    version = ArticleVersion.objects.get()
    assert (version.number, version.text, version.source) == (1, TEXT, source)
    assert outcome() == EXPECTED
    assert what_annotations_say() == said
    # Each way tells the editor what became of the annotations, in its own words.
    if way in ("command", "browser import"):
        assert "corrected" in reply and COUNTS in reply
    elif way == "admin":
        assert COUNTS in reply
    else:
        assert "2 annotations in place, 0 moved, 1 to review, 1 orphaned" in reply
