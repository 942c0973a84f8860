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
        ("proposed place", "3–9", None, False),
        ("found by", "diff", None, False),
    ]
    assert created.rows() == [("tags", ["blame", "echo"], None, False)]


def test_fields_are_shown_in_one_order_whatever_order_the_database_keeps():
    """PostgreSQL's jsonb keeps an object's keys shortest first, SQLite as written: the
    history (and the backup, which writes the same pairs) orders them itself."""
    annotation = make_annotation(make_article(), "memo shows")
    written = {
        "score": 0.9,
        "zeta": 1,
        "note": ["", "Checked."],
        "alpha": 2,
        "quote": ["memo", "memo shows"],
        "start": [1, 2],
    }
    revision = AnnotationRevision.objects.create(
        annotation=annotation, action=AnnotationRevision.Action.CHANGED, changes=written
    )
    stored = AnnotationRevision.objects.get(pk=revision.pk)

    expected = ["quote", "start", "note", "score", "alpha", "zeta"]
    assert [field for field, *_ in stored.rows()] == expected
    assert [field for field, _ in stored.ordered_changes()] == expected


def test_the_annotation_page_shows_a_move_as_before_and_after(editor_client):
    annotation = make_annotation(make_article(), "memo shows")
    AnnotationRevision.objects.create(
        annotation=annotation,
        action=AnnotationRevision.Action.REANCHORED,
        changes={"start": [120, 135]},
    )

    page = editor_client.get(annotation.get_absolute_url()).content.decode()

    assert "<del>120</del> → <ins>135</ins>" in page
