"""manage.py export_annotations: every published annotation in one W3C collection that the
Working Group's own assertions accept, drafts and deleted ones left out, read a chunk at a
time."""

import io
import json

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from annotations.models import Annotation, Claim
from annotations.w3c import import_annotations
from annotations.w3c_validation import W3CValidator
from tests.factories import make_annotation, make_article, make_claim, make_outlet, make_tag
from tests.helpers import SHARED, require_shared

pytestmark = pytest.mark.django_db
BASE = "https://parallax.example/"
TEXT = (
    "Harbour board admits the crane was idle\n\n"
    "The harbour board admitted on Monday that its new crane stood idle for six weeks.\n\n"
    "“We were waiting for a certificate,” a spokesman said."
)


@pytest.fixture(scope="module")
def validator():
    folder = SHARED / "standards" / "web-annotation-tests"
    return W3CValidator(require_shared(folder, "the W3C Web Annotation tests"))


@pytest.fixture
def world():
    article = make_article(
        outlet=make_outlet(name="Harbour Herald"), text=TEXT, url="https://herald.test/crane"
    )
    published = make_claim(story=article.story, status=Claim.Status.PUBLISHED)
    draft = make_claim(story=article.story, statement="A draft claim nobody may read")
    tagged = make_annotation(article, "stood idle for six weeks", claim=published, note="Key")
    tagged.tags.add(make_tag(name="idle crane", slug="idle-crane"))
    make_annotation(article, "waiting for a certificate", claim=draft, stance="quotes")
    gone = make_annotation(article, "harbour board admitted")
    Annotation.objects.filter(pk=gone.pk).update(deleted=timezone.now())
    return article


def exported(*options) -> tuple[dict, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("export_annotations", "--base-url", BASE, *options, stdout=out, stderr=err)
    return json.loads(out.getvalue()), err.getvalue()


def test_the_collection_and_each_annotation_pass_the_working_groups_assertions(world, validator):
    document, report = exported()

    assert validator.collection_failures(document) == []
    page = document["first"]
    assert validator.page_failures({"@context": document["@context"], **page}) == []
    for item in page["items"]:
        assert validator.annotation_failures({"@context": document["@context"], **item}) == []
    assert document["total"] == len(page["items"]) == 2
    assert "2 annotations written to standard output." in report


def test_drafts_and_deleted_annotations_stay_out_and_the_rights_are_said(world):
    document, _ = exported()
    text = json.dumps(document)

    assert "A draft claim nobody may read" not in text
    assert "harbour board admitted" not in text
    assert "belong to the outlets" in document["label"]
    sources = {item["target"]["source"] for item in document["first"]["items"]}
    assert sources == {"https://herald.test/crane"}
    bodies = [body for item in document["first"]["items"] for body in item["body"]]
    assert {"type": "TextualBody", "purpose": "tagging", "value": "idle crane"} in bodies


def test_without_texts_the_quotes_are_left_out_and_positions_kept(world):
    document, _ = exported("--without-texts")

    assert "stood idle" not in json.dumps(document)
    assert "left out" in document["label"]
    for item in document["first"]["items"]:
        assert [s["type"] for s in item["target"]["selector"]] == ["TextPositionSelector"]


def test_another_parallax_reads_it_back_onto_its_copy(world, editor):
    document, _ = exported()
    copy = make_article(outlet=make_outlet(name="Copy Desk"), text=TEXT)

    report = import_annotations(document, editor, base_url=BASE, onto=copy)

    assert report.counts == {"created": 2, "review": 0, "refused": 0}
    assert sorted(copy.annotations.values_list("exact", flat=True)) == [
        "stood idle for six weeks",
        "waiting for a certificate",
    ]


@pytest.mark.parametrize("annotations", [3, 9])
def test_reads_two_queries_a_chunk_and_one_for_the_total(annotations):
    article = make_article(text=TEXT)
    for _ in range(annotations):
        make_annotation(article, "new crane").tags.add(make_tag())
    with CaptureQueriesContext(connection) as queries:
        exported("--chunk-size", "4")
    chunks = -(-annotations // 4) + 1  # the last one finds nothing more
    # The transaction's savepoint and its release aside.
    reads = [q for q in queries if q["sql"].startswith("SELECT")]
    assert len(reads) == 1 + 2 * (chunks - 1) + 1


def test_refuses_an_address_that_is_not_http(world):
    with pytest.raises(CommandError, match="--base-url must be an http"):
        call_command("export_annotations", "--base-url", "parallax.example")


def test_writes_a_file_whole_or_not_at_all(world, tmp_path):
    path = tmp_path / "annotations.jsonld"
    call_command("export_annotations", str(path), "--base-url", BASE, stderr=io.StringIO())

    assert json.loads(path.read_text())["total"] == 2
    assert not (tmp_path / "annotations.jsonld.partial").exists()
