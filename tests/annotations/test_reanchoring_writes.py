"""What a correction writes to annotations (annotations.anchoring), and an editor's
decisions on the review pages: accept a proposed place, move, orphan."""

import pytest

from annotations.anchoring import (
    AnchoringRefused,
    accept_proposal,
    move_annotation,
    orphan_annotation,
)
from annotations.editing import StaleEdit, delete_annotation, update_annotation
from annotations.models import Annotation, AnnotationRevision
from sources.revisions import revise_text
from tests.factories import make_annotation, make_article, make_claim

pytestmark = pytest.mark.django_db

Status = Annotation.AnchorStatus
Action = AnnotationRevision.Action

PARAGRAPHS = [
    "Harbour authority admits gates were never tested",
    "The harbour authority admitted on Monday that the new storm gates had never been "
    "tested at full tide before the February surge flooded the quay.",
    "“We relied on the manufacturer’s figures,” the authority’s chief engineer told the "
    "council, adding that a full test had been planned for the spring.",
    "Residents of the lower town, where forty homes were flooded, said they had warned the "
    "authority about the gates for two years.",
    "The council will hold a public inquiry into the failure, its leader said on Tuesday.",
]
TEXT = "\n\n".join(PARAGRAPHS)


def text_with(*changes):
    """TEXT with paragraphs replaced (index, new paragraph or None to drop it)."""
    paragraphs = list(PARAGRAPHS)
    for index, paragraph in changes:
        paragraphs[index] = paragraph
    return "\n\n".join(p for p in paragraphs if p is not None)


INSERTED = "Correction: an earlier version of this article misnamed the authority.\n\n" + TEXT


@pytest.fixture
def article():
    return make_article(text=TEXT)


def annotate(article, quote, **fields):
    return make_annotation(article, quote, **fields)


def test_a_paragraph_added_before_shifts_every_annotation_exactly(article, editor):
    claim = make_claim(story=article.story)
    tested = annotate(article, "had never been tested at full tide", claim=claim, note="Key")
    tested.tags.add("admission", "framing")
    warned = annotate(article, "they had warned the authority", stance="reports")

    correction = revise_text(article, INSERTED, user=editor, source="reader")

    assert correction.counts == {"anchored": 2, "moved": 0, "review": 0, "orphaned": 0}
    for old in (tested, warned):
        new = Annotation.objects.get(pk=old.pk)
        assert new.anchor_status == Status.ANCHORED
        assert new.anchored_version == 2
        assert new.exact == old.exact
        assert INSERTED[new.start : new.end] == old.exact
        assert new.start == INSERTED.index(old.exact)
        assert new.prefix == INSERTED[max(0, new.start - 32) : new.start]
        assert new.suffix == INSERTED[new.end : new.end + 32]
        assert new.version == old.version + 1
        revision = new.revisions.get()
        assert (revision.action, revision.user) == (Action.REANCHORED, None)
        assert revision.changes["start"] == [old.start, new.start]
        assert revision.changes["text version"] == [1, 2]
        assert revision.changes["found by"] == "diff"
    tested.refresh_from_db()
    assert (tested.claim, tested.note) == (claim, "Key")
    assert sorted(tested.tags.names()) == ["admission", "framing"]


def test_an_annotation_the_correction_does_not_move_records_nothing(article):
    opening = annotate(article, "Harbour authority admits")
    revise_text(article, TEXT + "\n\nUpdated on Wednesday.", source="shell")

    opening.refresh_from_db()
    assert (opening.start, opening.anchor_status, opening.anchored_version) == (
        0,
        Status.ANCHORED,
        2,
    )
    assert opening.version == 1
    assert not opening.revisions.exists()


def test_deleted_annotations_follow_the_text_too(article, editor):
    gone = annotate(article, "a public inquiry")
    delete_annotation(gone, editor)

    revise_text(article, INSERTED, source="shell")

    gone.refresh_from_db()
    assert gone.deleted is not None
    assert INSERTED[gone.start : gone.end] == "a public inquiry"
    assert gone.anchored_version == 2


def test_an_annotation_whose_words_are_gone_is_orphaned_and_keeps_its_place(article):
    inquiry = annotate(article, "will hold a public inquiry into the failure", note="Kept")
    inquiry.tags.add("context")
    before = Annotation.objects.get(pk=inquiry.pk)

    correction = revise_text(article, text_with((4, None)), source="shell")

    assert correction.counts["orphaned"] == 1
    after = Annotation.objects.get(pk=inquiry.pk)
    assert after.anchor_status == Status.ORPHANED
    assert (after.start, after.end, after.exact, after.prefix, after.suffix) == (
        before.start,
        before.end,
        before.exact,
        before.prefix,
        before.suffix,
    )
    assert (after.anchored_version, after.proposed_start, after.proposed_end) == (1, None, None)
    assert after.note == "Kept" and list(after.tags.names()) == ["context"]
    assert after.revisions.get().action == Action.ORPHANED
    assert Annotation.objects.orphaned().get() == after
    assert not Annotation.objects.anchored().exists()


def test_an_orphan_stays_an_orphan_through_later_corrections(article):
    inquiry = annotate(article, "will hold a public inquiry into the failure")
    revise_text(article, text_with((4, None)), source="shell")
    revise_text(article, INSERTED, source="shell")

    inquiry.refresh_from_db()
    assert (inquiry.anchor_status, inquiry.anchored_version) == (Status.ORPHANED, 1)
    assert inquiry.revisions.count() == 1


def review_case(article):
    """An annotation the correction sends to review: several of its words changed."""
    engineer = annotate(article, "We relied on the manufacturer’s figures")
    new_text = text_with(
        (
            2,
            "“We relied on the supplier’s own test figures,” the authority’s chief engineer "
            "told the council, adding that a full test had been planned for the spring.",
        )
    )
    return engineer, new_text


def test_an_annotation_that_cannot_be_placed_with_confidence_goes_to_review(article):
    engineer, new_text = review_case(article)
    before = Annotation.objects.get(pk=engineer.pk)

    correction = revise_text(article, new_text, source="shell")

    after = Annotation.objects.get(pk=engineer.pk)
    assert after.anchor_status == Status.REVIEW, correction.counts
    assert correction.counts["review"] == 1
    assert (after.start, after.end, after.exact, after.anchored_version) == (
        before.start,
        before.end,
        before.exact,
        1,
    )
    proposed = new_text[after.proposed_start : after.proposed_end]
    assert proposed.startswith("We relied on the supplier")
    assert after.revisions.get().action == Action.TO_REVIEW
    assert list(Annotation.objects.in_review()) == [after]


def test_a_later_correction_proposes_a_place_in_the_newest_text(article):
    engineer, new_text = review_case(article)
    revise_text(article, new_text, source="shell")
    newest = "Correction appended at the top.\n\n" + new_text
    revise_text(article, newest, source="shell")

    engineer.refresh_from_db()
    assert engineer.anchor_status == Status.REVIEW
    assert engineer.anchored_version == 1
    proposed = newest[engineer.proposed_start : engineer.proposed_end]
    assert proposed.startswith("We relied on the supplier")


def test_an_editor_whose_form_was_open_saves_the_note_without_moving_the_anchor(article, editor):
    tested = annotate(article, "had never been tested at full tide")
    opened = Annotation.objects.get(pk=tested.pk)
    revise_text(article, INSERTED, source="shell")

    # The form was opened on version 1: the correction moved the annotation since.
    with pytest.raises(StaleEdit):
        update_annotation(opened, editor, {"note": "Late"}, version=1)
    current = Annotation.objects.get(pk=tested.pk)
    update_annotation(current, editor, {"note": "Late"}, version=current.version)

    saved = Annotation.objects.get(pk=tested.pk)
    assert saved.note == "Late"
    assert INSERTED[saved.start : saved.end] == "had never been tested at full tide"


@pytest.mark.parametrize("size", [3, 12])
def test_the_receiver_takes_the_same_queries_whatever_the_count(
    article, django_assert_num_queries, size
):
    words = TEXT.split()
    for n in range(size):
        # Spans one to three words long all over the text, every one moved by the edit.
        start = TEXT.index(words[n * 3 + 4])
        annotation = Annotation(article=article, start=start, end=start + len(words[n * 3 + 4]))
        annotation.set_quote_from_offsets()
        annotation.save()
    gone = annotate(article, "will hold a public inquiry into the failure")
    new_text = "Correction appended at the top.\n\n" + text_with((4, None))

    # The article locked; another article of the outlet with the new text; the earlier
    # text stored; the article updated; its passages deleted and created again; the
    # annotations (locked); their new places in one update; their history in one insert;
    # savepoints around the transaction. Eight more find the text's one quotation again and
    # trace it (sources.quotations: the outlet, the earlier quotations and their traces,
    # the editors' decisions, the new quotation and its word runs; its trace read again,
    # the decisions about traces, the candidates), the same whatever the annotations.
    with django_assert_num_queries(19):
        correction = revise_text(article, new_text, source="shell")

    assert correction.counts["anchored"] + correction.counts["moved"] == size
    assert Annotation.objects.get(pk=gone.pk).anchor_status == Status.ORPHANED
    assert AnnotationRevision.objects.count() == size + 1


@pytest.mark.parametrize("size", [2, 8])
def test_annotations_already_in_review_get_new_proposals_in_the_same_queries(
    article, django_assert_num_queries, size
):
    start = TEXT.index("We relied on the manufacturer’s figures")
    for _ in range(size):
        annotation = Annotation(article=article, start=start, end=start + 39)
        annotation.set_quote_from_offsets()
        annotation.save()
    _, new_text = review_case(article)
    revise_text(article, new_text, source="shell")
    assert Annotation.objects.in_review().count() == size + 1
    newest = "Correction appended at the top.\n\n" + new_text

    # The article locked; another article of the outlet with the new text; the earlier
    # text stored; the article updated; its passages deleted and created again; the
    # annotations (locked); the earlier text they were anchored on; their proposals in
    # one update (no history: they stay in review); savepoints around the transaction; and
    # the quotation found again and traced, as above (three more: the earlier quotation
    # and its word runs deleted, the quotation read first by Django's delete).
    with django_assert_num_queries(22):
        revise_text(article, newest, source="shell")

    proposals = set(Annotation.objects.in_review().values_list("proposed_start", "proposed_end"))
    [(proposed_start, proposed_end)] = proposals
    assert "relied on the supplier" in newest[proposed_start:proposed_end]


# An editor's decisions ---------------------------------------------------------------


def in_review(article, quote, proposed):
    """An annotation a correction sent to review, its proposal the words `proposed`."""
    annotation = annotate(article, quote)
    Annotation.objects.filter(pk=annotation.pk).update(
        anchor_status=Status.REVIEW,
        proposed_start=article.text.index(proposed),
        proposed_end=article.text.index(proposed) + len(proposed),
    )
    annotation.refresh_from_db()
    return annotation


def test_accepting_a_proposal_anchors_the_annotation_there(article, editor):
    annotation = in_review(article, "Harbour authority", "harbour authority admitted")

    accept_proposal(annotation, editor, version=annotation.version)

    annotation.refresh_from_db()
    start = TEXT.index("harbour authority admitted")
    assert (annotation.start, annotation.exact) == (start, "harbour authority admitted")
    assert annotation.prefix == TEXT[max(0, start - 32) : start]
    assert (annotation.anchor_status, annotation.proposed_start) == (Status.ANCHORED, None)
    assert (annotation.anchored_version, annotation.version) == (1, 2)
    revision = annotation.revisions.get()
    assert (revision.action, revision.user) == (Action.ACCEPTED, editor)
    assert revision.changes["quote"] == ["Harbour authority", "harbour authority admitted"]


def test_accepting_without_a_proposal_is_refused(article, editor):
    annotation = annotate(article, "Harbour authority")
    with pytest.raises(AnchoringRefused, match="no proposed place"):
        accept_proposal(annotation, editor)
    assert not annotation.revisions.exists()


def test_a_stale_decision_is_refused(article, editor, make_editor):
    annotation = in_review(article, "Harbour authority", "harbour authority admitted")
    orphan_annotation(Annotation.objects.get(pk=annotation.pk), make_editor("other"))

    with pytest.raises(StaleEdit):
        accept_proposal(annotation, editor, version=1)


def test_moving_anchors_the_annotation_on_the_words_chosen(article, editor):
    annotation = in_review(article, "Harbour authority", "harbour authority admitted")
    start = TEXT.index("forty homes")

    move_annotation(annotation, start, start + len("forty homes"), editor)

    annotation.refresh_from_db()
    assert (annotation.exact, annotation.anchor_status) == ("forty homes", Status.ANCHORED)
    assert annotation.revisions.get().action == Action.MOVED


@pytest.mark.parametrize(
    ("start", "end", "message"),
    [(10, 5, "outside"), (0, len(TEXT) + 1, "outside"), (-1, 4, "outside")],
)
def test_moving_outside_the_text_is_refused(article, editor, start, end, message):
    annotation = annotate(article, "Harbour authority")
    with pytest.raises(AnchoringRefused, match=message):
        move_annotation(annotation, start, end, editor)


def test_moving_onto_white_space_only_is_refused(article, editor):
    annotation = annotate(article, "Harbour authority")
    gap = TEXT.index("\n\n")
    with pytest.raises(AnchoringRefused, match="white space"):
        move_annotation(annotation, gap, gap + 2, editor)


def test_orphaning_keeps_the_old_place_and_records_who(article, editor):
    annotation = in_review(article, "Harbour authority", "harbour authority admitted")

    orphan_annotation(annotation, editor)

    annotation.refresh_from_db()
    assert (annotation.anchor_status, annotation.exact) == (Status.ORPHANED, "Harbour authority")
    assert annotation.proposed_start is None
    revision = annotation.revisions.get()
    assert (revision.action, revision.user) == (Action.ORPHANED, editor)


def test_an_annotation_in_review_can_still_be_edited(article, editor):
    annotation = in_review(article, "Harbour authority", "harbour authority admitted")
    revise_text(article, "Another text altogether, shorter.", source="shell")
    annotation.refresh_from_db()

    update_annotation(annotation, editor, {"note": "Checked"}, version=annotation.version)

    assert Annotation.objects.get(pk=annotation.pk).note == "Checked"
