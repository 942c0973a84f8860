"""Importing W3C Web Annotations made by other tools (annotations.w3c.import_annotations):
found by their quote in our text whatever their offsets say, stored as the annotate page
stores them, in review when unsure, refused with a reason, one at a time."""

import zlib

import pytest
from django.db import DatabaseError
from django.urls import reverse

from annotations import w3c
from annotations.models import Annotation, AnnotationRevision, Claim, Tag
from annotations.review import annotations_to_review
from annotations.w3c import (
    CREATED,
    IN_REVIEW,
    MAX_ANNOTATIONS,
    MAX_BODIES,
    MAX_QUOTE_LENGTH,
    REFUSED,
    ImportRefused,
    address_variants,
    annotation_collection,
    annotation_page,
    annotation_to_w3c,
    for_w3c,
    import_annotations,
)
from tests.factories import make_annotation, make_article, make_claim, make_outlet
from tests.helpers import selection

pytestmark = pytest.mark.django_db

BASE = "https://parallax.example/"
ADDRESS = "https://lakeside.example/news/2026/ferry-engines"
NBSP = "\u00a0"

# An invented report, in straight quotation marks as our importer kept it. One sentence is
# quoted twice ("We postponed the overhaul"), in different surroundings.
PARAGRAPHS = [
    "Ferry operator concedes engines were overdue for service",
    "The Lakeside Ferry Company conceded on Thursday that the engines of its oldest boat, "
    "the Heron, were three months overdue for service when it lost power in the middle of "
    "the lake with 112 passengers on board.",
    '"We postponed the overhaul because the spare parts had not arrived," the company\'s '
    "operations director told the regional assembly, adding that the boat had passed every "
    "safety check the law requires.",
    'Passengers who spent four hours on the drifting boat said the crew "did their best" '
    "but that the radio on the upper deck did not work and nobody told them why.",
    "The Heron was built in 1987 and carries up to 240 passengers between the four towns "
    "on the lake. Its sister boat, the Grebe, was serviced in the spring.",
    "Members of the assembly will question the director again next month. "
    '"We postponed the overhaul" is not an explanation, one of them said on Friday.',
]
TEXT = "\n\n".join(PARAGRAPHS)


def curly(text: str) -> str:
    """The text as a browser page shows it: typographic quotation marks and apostrophes."""
    out, opening = [], True
    for char in text:
        if char == '"':
            out.append("“" if opening else "”")
            opening = not opening
        elif char == "'":
            out.append("’")
        else:
            out.append(char)
    return "".join(out)


@pytest.fixture
def article():
    return make_article(text=TEXT, url=ADDRESS)


def hypothesis(
    quote: str,
    *,
    prefix: str,
    suffix: str,
    start: int,
    source: str = ADDRESS,
    note: str = "",
    tags=(),
) -> dict:
    """An annotation as Hypothesis's JSON-LD export writes one: a list of one target with
    no type, its client's selectors, a markdown note, the tags, a creator as an account."""
    selectors = [
        {
            "type": "RangeSelector",
            "startSelector": {"type": "XPathSelector", "value": "/main[1]/p[2]"},
            "endSelector": {"type": "XPathSelector", "value": "/main[1]/p[2]"},
        },
        {"type": "TextPositionSelector", "start": start, "end": start + len(quote)},
        {"type": "TextQuoteSelector", "exact": quote, "prefix": prefix, "suffix": suffix},
    ]
    return {
        "@context": "http://www.w3.org/ns/anno.jsonld",
        "type": "Annotation",
        "id": f"https://hypothes.is/a/{zlib.crc32(quote.encode())}",
        "created": "2026-11-02T10:00:00.000000+00:00",
        "modified": "2026-11-02T10:00:00.000000+00:00",
        "creator": "acct:reader@hypothes.is",
        "body": [
            {"type": "TextualBody", "value": note, "format": "text/markdown"},
            *({"type": "TextualBody", "value": tag, "purpose": "tagging"} for tag in tags),
        ],
        "target": [{"source": source, "selector": selectors}],
    }


def around(quote: str, occurrence: int = 0) -> tuple[int, str, str]:
    """Where `quote` stands in TEXT (its n-th occurrence), and 32 characters either side,
    as the other tool saw them: curly quotation marks, a non-breaking space or two."""
    start = -1
    for _ in range(occurrence + 1):
        start = TEXT.index(quote, start + 1)
    end = start + len(quote)
    prefix = curly(TEXT[max(0, start - 32) : start]).replace(" ", NBSP, 1)
    suffix = curly(TEXT[end : end + 32]).replace(" ", NBSP, 1)
    return start, prefix, suffix


def run(data, user, **options):
    return import_annotations(data, user, base_url=BASE, **options)


# Found where the words are ---------------------------------------------------------------


def test_a_hypothesis_export_anchors_at_our_words_whatever_its_offsets_say(article, editor):
    overdue = "three months overdue for service"
    spoken = '"We postponed the overhaul because the spare parts had not arrived,"'
    radio = "the radio on the upper deck did not work"
    wanted = [overdue, spoken, radio]
    exported = []
    for quote, shift in zip(wanted, (310, -250, 420), strict=True):
        start, prefix, suffix = around(quote)
        # Their quote as their page showed it; their offsets count another text.
        theirs = curly(quote).replace(" ", NBSP, 2)
        exported.append(
            hypothesis(theirs, prefix=prefix, suffix=suffix, start=max(0, start + shift))
        )

    report = run(exported, editor)

    assert report.counts == {CREATED: 3, IN_REVIEW: 0, REFUSED: 0}
    for outcome, quote in zip(report.outcomes, wanted, strict=True):
        annotation = outcome.annotation
        assert (annotation.start, annotation.end) == (
            TEXT.index(quote),
            TEXT.index(quote) + len(quote),
        )
        # Stored as our text reads, as the annotate page stores a selection.
        assert annotation.exact == quote
        assert annotation.prefix == TEXT[max(0, annotation.start - 32) : annotation.start]
        assert annotation.anchor_status == Annotation.AnchorStatus.ANCHORED
        assert annotation.author == editor
        assert outcome.source_id.startswith("https://hypothes.is/a/")


def test_the_context_chooses_among_repeated_words_not_the_offsets(article, editor):
    quote = "We postponed the overhaul"
    first, _, _ = around(quote, 0)
    second, prefix, suffix = around(quote, 1)
    # Their offsets point exactly at the first occurrence; their context is the second's.
    exported = hypothesis(quote, prefix=prefix, suffix=suffix, start=first)

    report = run(exported, editor)

    annotation = report.outcomes[0].annotation
    assert report.outcomes[0].status == CREATED
    assert (annotation.start, annotation.end) == (second, second + len(quote))


def test_equal_places_go_to_review_at_the_one_nearest_the_offsets(editor):
    line = "Services resume on Monday."
    text = "\n\n".join([PARAGRAPHS[0], line, PARAGRAPHS[1], line, PARAGRAPHS[4]])
    article = make_article(text=text, url=ADDRESS)
    later = text.index(line, text.index(line) + 1)
    # The same words in the same paragraph-bounded context twice: only the offsets tell.
    exported = hypothesis(line, prefix="\n\n", suffix="\n\n", start=later + 40)

    report = run(exported, editor)

    outcome = report.outcomes[0]
    annotation = Annotation.objects.get()
    assert outcome.status == IN_REVIEW
    assert annotation.anchor_status == Annotation.AnchorStatus.REVIEW
    assert (annotation.proposed_start, annotation.proposed_end) == (later, later + len(line))
    assert text[annotation.proposed_start : annotation.proposed_end] == line
    assert list(annotations_to_review(article)) == [annotation]
    # Offsets nearer the first place propose the first.
    earlier = text.index(line)
    exported = hypothesis(line, prefix="\n\n", suffix="\n\n", start=max(0, earlier - 30))
    again = run(exported, editor).outcomes[0].annotation
    assert (again.proposed_start, again.proposed_end) == (earlier, earlier + len(line))


def test_reworded_words_go_to_review_keeping_the_quote_they_came_with(article, editor):
    # Their page had "two hours"; ours says "four hours": a word changed, not the marks.
    start, prefix, suffix = around("spent four hours on the drifting boat")
    theirs = "spent two hours on the drifting boat"
    exported = hypothesis(theirs, prefix=prefix, suffix=suffix, start=start + 200, note="Long?")

    report = run(exported, editor)

    outcome = report.outcomes[0]
    annotation = outcome.annotation
    assert outcome.status == IN_REVIEW
    assert annotation.anchor_status == Annotation.AnchorStatus.REVIEW
    assert TEXT[annotation.proposed_start : annotation.proposed_end] == (
        "spent four hours on the drifting boat"
    )
    assert (annotation.exact, annotation.prefix, annotation.suffix) == (theirs, prefix, suffix)
    assert annotation.note == "Long?"
    # The annotate page's history row, then the move to review with what it is based on.
    created, to_review = annotation.revisions.order_by("pk")
    assert (created.action, created.user) == (AnnotationRevision.Action.CREATED, editor)
    assert (to_review.action, to_review.user) == (AnnotationRevision.Action.TO_REVIEW, editor)
    assert to_review.changes["status"] == ["anchored", "review"]
    assert to_review.changes["quote"] == ["spent four hours on the drifting boat", theirs]
    assert to_review.changes["found by"].startswith("import")


# Refused, with the reason -----------------------------------------------------------------


def test_a_quote_that_is_not_in_the_article_is_refused_with_the_reason(article, editor):
    exported = hypothesis(
        "the captain resigned", prefix="On Friday ", suffix=" in protest.", start=100
    )

    report = run(exported, editor)

    outcome = report.outcomes[0]
    assert outcome.status == REFUSED
    assert (
        outcome.reason
        == f"The quote “the captain resigned” is not in the text of “{article.title}”."
    )
    assert outcome.annotation is None
    assert not Annotation.objects.exists()


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        (lambda a: a["target"][0]["selector"].pop(), "It has no TextQuoteSelector"),
        (lambda a: a.update(target="https://lakeside.example/"), "It has no TextQuoteSelector"),
        (lambda a: a.pop("type"), "Malformed: its type is not “Annotation”."),
        (lambda a: a["target"][0].pop("source"), "Malformed: its target has no source"),
        (
            lambda a: a["target"][0]["selector"][2].update(exact=["a"]),
            "Malformed: the TextQuoteSelector's exact",
        ),
        (
            lambda a: a["target"][0]["selector"][2].update(exact=" \n "),
            "The TextQuoteSelector quotes no words.",
        ),
        (
            lambda a: a["target"][0]["selector"][2].update(exact="x" * (MAX_QUOTE_LENGTH + 1)),
            f"Too large: the quote has {MAX_QUOTE_LENGTH + 1:,} characters, at most",
        ),
        (
            lambda a: a.update(body=[{"type": "TextualBody", "value": "x"}] * (MAX_BODIES + 1)),
            f"Too large: {MAX_BODIES + 1} bodies, at most {MAX_BODIES}.",
        ),
        (
            lambda a: a.update(body=[{"type": "TextualBody", "value": "x" * 5001}]),
            "Too large: the note has 5,001 characters, at most 5,000.",
        ),
        (
            lambda a: a["body"].append({"purpose": "tagging", "value": "?!"}),
            "“?!” is not a tag name",
        ),
        (
            lambda a: a["target"].append(dict(a["target"][0])),
            "It targets 2 places; a Parallax annotation holds one span of text.",
        ),
        (
            lambda a: a["target"][0].update(source="https://elsewhere.example/story"),
            "No article here has the address “https://elsewhere.example/story”.",
        ),
        (
            lambda a: a["target"][0].update(source="https://[::1/story"),
            "No article here has the address “https://[::1/story”.",
        ),
    ],
)
def test_what_cannot_be_an_annotation_here_is_refused_saying_why(article, editor, change, reason):
    start, prefix, suffix = around("the Heron, were three months")
    exported = hypothesis("the Heron, were three months", prefix=prefix, suffix=suffix, start=start)
    change(exported)

    report = run([exported, "not an annotation"], editor)

    assert [o.status for o in report.outcomes] == [REFUSED, REFUSED]
    assert report.outcomes[0].reason.startswith(reason), report.outcomes[0].reason
    assert report.outcomes[1].reason == "Malformed: an annotation must be a JSON object."
    assert not Annotation.objects.exists()


def test_more_annotations_than_the_bound_are_refused_whole(article, editor, monkeypatch):
    start, prefix, suffix = around("oldest boat")
    one = hypothesis("oldest boat", prefix=prefix, suffix=suffix, start=start)
    page = annotation_page(f"{BASE}p", [one] * (MAX_ANNOTATIONS + 1), start_index=0)

    with pytest.raises(ImportRefused) as refused:
        run(page, editor)

    assert refused.value.message == (
        f"More than {MAX_ANNOTATIONS} annotations: import them in several parts."
    )
    assert not Annotation.objects.exists()
    # The same bound, smaller: counted across pages and lists, and reached exactly.
    monkeypatch.setattr(w3c, "MAX_ANNOTATIONS", 3)
    with pytest.raises(ImportRefused):
        run([one, annotation_page(f"{BASE}p", [one] * 3, start_index=0)], editor)
    assert run([one, annotation_page(f"{BASE}p", [one] * 2, start_index=0)], editor).counts == {
        CREATED: 3,
        IN_REVIEW: 0,
        REFUSED: 0,
    }


@pytest.mark.parametrize("data", ["an annotation", 42, None])
def test_input_that_is_not_annotations_is_refused_whole(editor, data):
    with pytest.raises(ImportRefused, match="not W3C annotations"):
        run(data, editor)


def test_a_collection_whose_pages_are_elsewhere_is_refused_whole(editor):
    collection = annotation_collection(f"{BASE}c", label="C", total=3, first=f"{BASE}c?page=1")

    with pytest.raises(ImportRefused, match="pages are not in the file"):
        run(collection, editor)


# Collections: one bad annotation costs only itself ----------------------------------------


def test_a_collection_with_one_bad_annotation_stores_the_others_and_nothing_of_it(article, editor):
    good = []
    for quote in ("oldest boat", "the regional assembly", "built in 1987"):
        start, prefix, suffix = around(quote)
        good.append(
            hypothesis(quote, prefix=prefix, suffix=suffix, start=start, tags=["fleet age"])
        )
    bad = hypothesis(
        "the ferry sank", prefix="", suffix="", start=10, tags=["ghost tag"], note="Gone."
    )
    bad["body"].append({"type": "TextualBody", "purpose": "classifying", "value": "The ferry sank"})
    page = annotation_page(f"{BASE}p1", [good[0], bad, good[1]], start_index=0)
    page["next"] = annotation_page(f"{BASE}p2", [good[2]], start_index=3)
    collection = annotation_collection(f"{BASE}c", label="Export", total=4, first=page)
    claims, tags = Claim.objects.count(), Tag.objects.count()

    report = run(collection, editor)

    assert [o.status for o in report.outcomes] == [CREATED, REFUSED, CREATED, CREATED]
    assert [o.index for o in report.outcomes] == [0, 1, 2, 3]
    assert "“the ferry sank” is not in the text" in report.outcomes[1].reason
    assert Annotation.objects.count() == 3
    assert Claim.objects.count() == claims
    assert Tag.objects.count() == tags + 1
    assert not Tag.objects.filter(name="ghost tag").exists()
    assert AnnotationRevision.objects.count() == 3


def test_a_failure_while_one_is_written_leaves_nothing_of_it(article, editor, monkeypatch):
    real = w3c.create_annotation

    def failing(article, user, data):
        made = real(article, user, data)
        if data["note"] == "Fails":
            # After its claim, proposed tag, annotation and history row were written.
            raise DatabaseError("disk full")
        return made

    monkeypatch.setattr(w3c, "create_annotation", failing)
    exported = []
    for quote, note in (("oldest boat", "Fine"), ("the regional assembly", "Fails")):
        start, prefix, suffix = around(quote)
        one = hypothesis(quote, prefix=prefix, suffix=suffix, start=start, note=note)
        one["body"] += [
            {"type": "TextualBody", "purpose": "tagging", "value": f"tag for {note}"},
            {"type": "TextualBody", "purpose": "classifying", "value": f"Claim {note}"},
        ]
        exported.append(one)

    report = run(exported, editor)

    assert [o.status for o in report.outcomes] == [CREATED, REFUSED]
    assert report.outcomes[1].reason == "Not stored: disk full"
    assert report.outcomes[1].notes == []
    assert report.outcomes[0].notes == ["New draft claim: “Claim Fine”."]
    assert list(Annotation.objects.values_list("note", flat=True)) == ["Fine"]
    assert list(Claim.objects.values_list("statement", flat=True)) == ["Claim Fine"]
    assert not Tag.objects.filter(name="tag for fails").exists()
    assert Tag.objects.filter(name="tag for fine").exists()


# Tags, claims, stance and note ------------------------------------------------------------


def test_tags_outside_the_vocabulary_come_in_as_proposed_tags(article, editor):
    start, prefix, suffix = around("did not work")
    exported = hypothesis(
        "did not work",
        prefix=prefix,
        suffix=suffix,
        start=start,
        tags=["Admission", "Broken  Radio", "broken radio"],
    )

    report = run(exported, editor)

    outcome = report.outcomes[0]
    names = [tag.name for tag in outcome.annotation.tag_list]
    assert names == ["admission", "broken radio"]
    assert outcome.proposed_tags == ["broken radio"]
    proposed = Tag.objects.get(name="broken radio")
    assert (proposed.status, proposed.proposed_by) == (Tag.Status.PROPOSED, editor)
    assert Tag.objects.get(name="admission").status == Tag.Status.ACCEPTED


def test_note_bodies_without_a_purpose_are_the_note_and_other_bodies_are_reported(article, editor):
    start, prefix, suffix = around("every safety check")
    exported = hypothesis("every safety check", prefix=prefix, suffix=suffix, start=start)
    exported["body"] = [
        {"type": "TextualBody", "value": "First thought.", "format": "text/markdown"},
        {"type": "TextualBody", "value": "Second thought.", "purpose": "replying"},
        {"type": "TextualBody", "value": "Disputes", "purpose": "assessing"},
        {"id": "https://example.org/audio.mp3", "type": "Sound"},
        "https://example.org/elsewhere",
    ]

    report = run(exported, editor)

    outcome = report.outcomes[0]
    assert outcome.status == CREATED
    assert outcome.annotation.note == "First thought.\n\nSecond thought."
    assert outcome.annotation.stance == Annotation.Stance.DISPUTES
    assert outcome.notes == [
        "A body (Sound) was not kept: only text bodies are.",
        "The body “https://example.org/elsewhere” (an address) was not kept.",
    ]


def test_a_claim_is_found_by_its_page_then_by_its_statement_else_made_as_a_draft(article, editor):
    known = make_claim(story=article.story, statement="The engines were overdue")
    other_story = make_claim(statement="Elsewhere entirely")
    exported = []
    claims = [
        # Our claim page, as we write it.
        {
            "type": "SpecificResource",
            "purpose": "classifying",
            "source": {"id": f"{BASE}claims/{known.slug}/", "label": "whatever"},
        },
        # A statement of the story's claim, in other spacing and case.
        {"type": "TextualBody", "purpose": "classifying", "value": "the engines  WERE overdue"},
        # Another story's claim page and a statement nobody has: a new draft claim.
        {
            "type": "TextualBody",
            "purpose": "classifying",
            "id": f"{BASE}claims/{other_story.slug}/",
            "value": "Parts were late",
        },
    ]
    for quote, body in zip(("oldest boat", "the Heron", "spare parts"), claims, strict=True):
        start, prefix, suffix = around(quote)
        one = hypothesis(quote, prefix=prefix, suffix=suffix, start=start)
        one["body"].append(body)
        exported.append(one)

    report = run(exported, editor)

    first, second, third = (o.annotation for o in report.outcomes)
    assert first.claim == known
    assert second.claim == known
    assert third.claim.statement == "Parts were late"
    assert third.claim.story == article.story
    assert third.claim.status == Claim.Status.DRAFT
    assert third.claim.revisions.get().action == "created"
    assert report.outcomes[2].notes == ["New draft claim: “Parts were late”."]


# Finding the article -------------------------------------------------------------------------


def test_addresses_match_over_trivial_differences():
    variants = address_variants("http://Lakeside.example/news/ferry/?id=4#annotations")

    assert "https://lakeside.example/news/ferry?id=4" in variants
    assert "https://lakeside.example/news/ferry/?id=4" in variants
    assert "http://Lakeside.example/news/ferry/?id=4" in variants
    assert all("#" not in variant for variant in variants)
    assert address_variants("urn:x-pdf:1234") == []
    assert address_variants("https://[::1") == []


@pytest.mark.parametrize(
    "source",
    [
        ADDRESS,
        ADDRESS + "/",
        ADDRESS.replace("https:", "http:"),
        ADDRESS + "#comments",
        ADDRESS.replace("lakeside", "LAKESIDE"),
    ],
)
def test_the_article_is_found_by_its_original_address_spelled_another_way(article, editor, source):
    start, prefix, suffix = around("oldest boat")
    exported = hypothesis("oldest boat", prefix=prefix, suffix=suffix, start=start, source=source)

    report = run(exported, editor)

    assert report.outcomes[0].annotation.article == article


def test_the_article_is_found_by_its_page_here(editor):
    article = make_article(text=TEXT, url="")
    start, prefix, suffix = around("oldest boat")
    source = f"http://parallax.example/articles/{article.pk}/"
    exported = hypothesis("oldest boat", prefix=prefix, suffix=suffix, start=start, source=source)

    report = run(exported, editor)

    assert report.outcomes[0].annotation.article == article
    elsewhere = f"https://other.example/articles/{article.pk}/"
    exported["target"][0]["source"] = elsewhere
    assert run(exported, editor).outcomes[0].reason.startswith("No article here")


# The same rows as the annotate page ----------------------------------------------------------


def test_an_import_writes_the_history_the_annotate_page_writes(article, editor, editor_client):
    quote = "the drifting boat"
    editor_client.post(
        reverse("annotations:annotation-create", args=[article.pk]),
        selection(article, quote, tags="admission", stance="quotes", note="N"),
    )
    by_page = Annotation.objects.get()
    start, prefix, suffix = around(quote)
    exported = hypothesis(quote, prefix=prefix, suffix=suffix, start=start, note="N")
    exported["body"] += [
        {"type": "TextualBody", "purpose": "tagging", "value": "admission"},
        {"type": "TextualBody", "purpose": "assessing", "value": "quotes"},
    ]

    imported = run(exported, editor).outcomes[0].annotation

    page_rows = list(by_page.revisions.values_list("action", "user", "changes"))
    import_rows = list(imported.revisions.values_list("action", "user", "changes"))
    assert import_rows == page_rows


# Round trip ---------------------------------------------------------------------------------


def test_what_we_write_lands_at_the_same_places_on_another_copy(article, editor):
    claim = make_claim(
        story=article.story, statement="The engines were overdue", status=Claim.Status.PUBLISHED
    )
    made = [
        make_annotation(article, "three months overdue", claim=claim, stance="reports"),
        make_annotation(article, "We postponed the overhaul", note="The first time."),
        make_annotation(article, "the boat had passed every safety check"),
    ]
    # The second occurrence of a repeated sentence: only its context tells it apart.
    second = TEXT.index("We postponed the overhaul", made[1].end)
    made.append(
        Annotation.objects.create(
            article=article,
            start=second,
            end=second + len("We postponed the overhaul"),
            exact="We postponed the overhaul",
            prefix=TEXT[second - 32 : second],
            suffix=TEXT[second + 25 : second + 57],
            note="The second time.",
        )
    )
    made[0].tags.add("admission", "timing")
    made[2].tags.add("context")
    page = annotation_page(
        f"{BASE}export",
        [annotation_to_w3c(a, BASE) for a in for_w3c(Annotation.objects.order_by("pk"))],
        start_index=0,
    )
    copy = make_article(text=TEXT, outlet=make_outlet(), story=article.story, url="")

    report = run(page, editor, onto=copy)

    assert report.counts == {CREATED: 4, IN_REVIEW: 0, REFUSED: 0}
    for original, outcome in zip(made, report.outcomes, strict=True):
        landed = outcome.annotation
        assert landed.article == copy
        assert (landed.start, landed.end, landed.exact) == (
            original.start,
            original.end,
            original.exact,
        )
        assert [t.name for t in landed.tag_list] == [t.name for t in original.tag_list]
        assert (landed.claim, landed.stance, landed.note) == (
            original.claim,
            original.stance,
            original.note,
        )


def test_quotes_searched_for_by_their_context_are_bounded(article, editor, monkeypatch):
    monkeypatch.setattr(w3c, "MAX_CONTEXT_SEARCHES", 1)
    exported = []
    for quote in ("spent four hours on the drifting boat", "carries up to 240 passengers"):
        start, prefix, suffix = around(quote)
        reworded = quote.replace("four", "two").replace("240", "200")
        exported.append(hypothesis(reworded, prefix=prefix, suffix=suffix, start=start))

    report = run(exported, editor)

    assert [o.status for o in report.outcomes] == [IN_REVIEW, REFUSED]
    assert "more than 1 quotes of this import were looked for" in report.outcomes[1].reason
    assert Annotation.objects.count() == 1
