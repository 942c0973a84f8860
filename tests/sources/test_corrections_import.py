"""A record from a stored article's URL with a new text corrects that article: through the
import_articles command and through the browser import, with what became of its annotations."""

import io
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from annotations.models import Annotation
from sources.importer import Status, import_paths
from sources.models import Article, ArticleVersion, Passage
from tests.factories import make_claim

pytestmark = pytest.mark.django_db

URL = "https://harbour.example/gates"
PARAGRAPHS = [
    "Harbour authority admits gates were never tested",
    "The harbour authority admitted on Monday that the new storm gates had never been "
    "tested at full tide before the February surge flooded the quay.",
    "Residents of the lower town, where forty homes were flooded, said they had warned the "
    "authority about the gates for two years.",
    "The council will hold a public inquiry into the failure, its leader said on Tuesday.",
]
TEXT = "\n\n".join(PARAGRAPHS)
# A correction note added at the top, the last paragraph withdrawn.
CORRECTED = "\n\n".join(
    [
        PARAGRAPHS[0],
        "Correction: an earlier version of this article misnamed the council's leader.",
        *PARAGRAPHS[1:3],
    ]
)


def record(text, **fields):
    return json.dumps(
        {"text": text, "url": URL, "outlet": "Harbour Wire", "story": "Gates", **fields}
    )


def run_command(path):
    out, err = io.StringIO(), io.StringIO()
    call_command("import_articles", str(path), stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def annotate(article, quote, **fields):
    start = article.text.index(quote)
    annotation = Annotation(article=article, start=start, end=start + len(quote), **fields)
    annotation.set_quote_from_offsets()
    annotation.save()
    return annotation


def annotated_article(tmp_path):
    path = tmp_path / "gates.json"
    path.write_text(record(TEXT))
    run_command(path)
    article = Article.objects.get()
    claim = make_claim(story=article.story, statement="The gates were never tested")
    kept = annotate(article, "had never been tested at full tide", claim=claim, note="Key")
    kept.tags.add("admission")
    warned = annotate(article, "they had warned the authority", stance="reports", note="Residents")
    warned.tags.add("context", "framing")
    gone = annotate(article, "a public inquiry into the failure", claim=claim)
    gone.tags.add("correction")
    return path, article


def what_annotations_say():
    return sorted(
        (a.pk, a.claim_id, a.note, a.stance, tuple(sorted(a.tags.names())))
        for a in Annotation.objects.all()
    )


def test_the_command_corrects_the_article_and_reports_its_annotations(tmp_path):
    path, article = annotated_article(tmp_path)
    said = what_annotations_say()

    path.write_text(record(CORRECTED))
    out, err = run_command(path)

    assert err == ""
    assert "gates.json: corrected — Harbour authority admits gates were never tested" in out
    assert ": 2 annotations kept in place, 0 moved, 0 to review, 1 orphaned" in out
    assert "0 created, 1 corrected, 0 already there, 0 skipped, 0 failed" in out
    stored = Article.objects.get()
    assert (stored.pk, stored.text, stored.text_version) == (article.pk, CORRECTED, 2)
    version = ArticleVersion.objects.get()
    assert (version.text, version.source, version.created_by) == (TEXT, "import", None)
    assert what_annotations_say() == said
    assert Annotation.objects.anchored().count() == 2
    assert Annotation.objects.orphaned().get().exact == "a public inquiry into the failure"
    for annotation in Annotation.objects.anchored():
        assert CORRECTED[annotation.start : annotation.end] == annotation.exact
    assert Passage.objects.filter(article=article).count() == 4


def test_the_same_record_again_is_already_there(tmp_path):
    path, _ = annotated_article(tmp_path)
    path.write_text(record(CORRECTED))
    run_command(path)

    out, _ = run_command(path)

    assert "0 created, 1 already there, 0 skipped, 0 failed" in out
    assert Article.objects.get().text_version == 2
    assert ArticleVersion.objects.count() == 1


def test_a_record_naming_another_outlet_still_corrects_the_article_of_its_url(tmp_path):
    path, article = annotated_article(tmp_path)
    path.write_text(record(CORRECTED, outlet="Another Wire"))

    [outcome] = import_paths([path])

    assert outcome.status == Status.CORRECTED
    assert outcome.article.pk == article.pk
    assert Article.objects.get().outlet.name == "Harbour Wire"
    assert outcome.correction.counts["orphaned"] == 1


def test_a_correction_to_a_text_another_article_of_its_outlet_has_is_refused(tmp_path):
    path, article = annotated_article(tmp_path)
    other = tmp_path / "other.json"
    other.write_text(record(CORRECTED, url="https://harbour.example/other"))
    import_paths([other])
    path.write_text(record(CORRECTED, outlet="Another Wire"))

    [outcome] = import_paths([path])

    assert outcome.status == Status.FAILED
    assert outcome.reason.startswith(f"not a correction of #{article.pk}: Another article")
    assert Article.objects.get(pk=article.pk).text == TEXT


def test_a_correction_from_an_html_page_keeps_its_comments_apart(tmp_path):
    page = (
        "<html><head><title>Gates</title><link rel=canonical href='{url}'></head><body>"
        "<article><h1>Harbour authority admits gates were never tested</h1>{body}</article>"
        "<section class='comments'><h2>Comments</h2><p>They knew and did nothing.</p></section>"
        "</body></html>"
    )
    body = "".join(f"<p>{p}</p>" for p in PARAGRAPHS[1:])
    path = tmp_path / "gates.html"
    path.write_text(page.format(url=URL, body=body))
    [first] = import_paths([path], outlet="Harbour Wire", story="Gates")
    kinds = list(Passage.objects.filter(article=first.article).values_list("kind", flat=True))

    path.write_text(page.format(url=URL, body=body + "<p>Updated on Wednesday.</p>"))
    [second] = import_paths([path], outlet="Harbour Wire", story="Gates")

    assert second.status == Status.CORRECTED
    new_kinds = list(Passage.objects.filter(article=first.article).values_list("kind", flat=True))
    assert new_kinds.count("comment") == kinds.count("comment") >= 1
    assert "Updated on Wednesday." in Article.objects.get().text


def test_the_browser_import_reports_a_correction(tmp_path, editor_client):
    _, article = annotated_article(tmp_path)
    said = what_annotations_say()

    response = editor_client.post(
        reverse("sources:import"),
        {
            "form": "upload",
            "upload-files": [SimpleUploadedFile("gates.json", record(CORRECTED).encode())],
        },
    )

    assert response.status_code == 200
    report = response.context["report"]
    [row] = report.rows
    assert (row.label, row.article.pk) == ("corrected", article.pk)
    assert row.reason == "2 annotations kept in place, 0 moved, 0 to review, 1 orphaned"
    assert report.summary == "0 created, 1 corrected, 0 already there, 0 skipped, 0 failed"
    page = response.content.decode()
    assert "0 of 1 file imported; 1 corrected." in page
    assert "2 annotations kept in place, 0 moved, 0 to review, 1 orphaned" in page
    assert "1 corrected" in page
    assert Article.objects.get().text == CORRECTED
    assert what_annotations_say() == said


def test_a_correction_to_an_empty_text_is_refused(tmp_path):
    path, _ = annotated_article(tmp_path)
    # Nothing but a crawler's header line, which the layout removes.
    path.write_text(record("date: 2024-03-01\n  \n"))

    [outcome] = import_paths([path])

    assert outcome.status == Status.FAILED
    assert outcome.reason == "no text left to import"
    assert Article.objects.get().text == TEXT


def test_a_correction_holding_a_nul_is_refused(tmp_path):
    path, _ = annotated_article(tmp_path)
    path.write_bytes(b"Harbour authority\n\nThe gates\x00 failed.")

    out = io.StringIO()
    with pytest.raises(SystemExit):
        call_command("import_articles", str(path), stdout=out, stderr=out)

    assert "NUL" in out.getvalue()
    assert Article.objects.get().text == TEXT
