"""The history shows a [before, after] pair as a change for every kind of step but a
creation, which records the whole state."""

import pytest

from annotations.models import AnnotationRevision
from tests.factories import make_annotation, make_article

pytestmark = pytest.mark.django_db


def test_a_pair_is_a_change_except_in_a_creation():
    annotation = make_annotation(make_article(), "memo shows")
    moved = AnnotationRevision(
        annotation=annotation,
        action=AnnotationRevision.Action.REANCHORED,
        changes={"start": [120, 135], "found by": "diff", "proposed place": "3–9"},
    )
    created = AnnotationRevision(
        annotation=annotation,
        action=AnnotationRevision.Action.CREATED,
        changes={"tags": ["blame", "echo"]},
    )

    assert moved.rows() == [
        ("start", 120, 135, True),
        ("found by", "diff", None, False),
        ("proposed place", "3–9", None, False),
    ]
    assert created.rows() == [("tags", ["blame", "echo"], None, False)]


def test_the_annotation_page_shows_a_move_as_before_and_after(editor_client):
    annotation = make_annotation(make_article(), "memo shows")
    AnnotationRevision.objects.create(
        annotation=annotation,
        action=AnnotationRevision.Action.REANCHORED,
        changes={"start": [120, 135]},
    )

    page = editor_client.get(annotation.get_absolute_url()).content.decode()

    assert "<del>120</del> → <ins>135</ins>" in page
