"""Where traced quotations show: marked in the article reader with who else quotes them, a
quotation's page (the trace panel) with each outlet's rendering against the longest, and a
story's most-quoted words; and editing from a trace (annotating every rendering at once,
correcting a speaker or verb, taking a rendering out, joining one)."""

import datetime
import re
from html import unescape

import pytest
from django.test import Client
from django.urls import reverse

from annotations.models import Annotation, AnnotationRevision, Claim
from sources import quotations
from sources.models import Quotation, QuotationDecision
from tests.factories import make_article, make_outlet, make_story

pytestmark = pytest.mark.django_db

LONG = "We never tested the flood gates before the storm season began"


# Thirteen different statements, for articles quoting many.
STATEMENTS = [
    "Tide tables were ignored when the new sluice was designed",
    "The north gate rusted through in the winter of the flood",
    "Our engineers warned the council about corroded hinges twice",
    "Nobody signed the inspection report for the eastern sluice",
    "Pumps at the quay station failed during every spring tide",
    "Contractors billed the harbour for repairs never carried out",
    "Fishermen reported cracks along the breakwater last autumn",
    "The emergency plan assumed sandbags that were never ordered",
    "Insurance lapsed because premiums went unpaid for months",
    "Divers found the foundations eroded beneath the lighthouse",
    "Residents of the lower town were evacuated far too late",
    "Budget lines for maintenance vanished from the final accounts",
    "Alarm sirens along the promenade stayed silent that night",
]


def published(day: int) -> datetime.date:
    return datetime.date(2026, 3, day)


def quoting(story, outlet_name, *paragraphs, day=None):
    """An article of a new outlet holding `paragraphs`, its quotations extracted."""
    article = make_article(
        outlet=make_outlet(name=outlet_name),
        story=story,
        text="Title\n\n" + "\n\n".join(paragraphs),
        published=published(day) if day else None,
    )
    quotations.extract(article)
    return article


def trace_all(*articles):
    quotations.trace(list(Quotation.objects.filter(article__in=articles)))


@pytest.fixture
def story():
    return make_story(title="Harbour gates")


@pytest.fixture
def coverage(story):
    """Three outlets quoting the minister's words (whole, trimmed, one word changed), one
    of them also quoting words nobody else does."""
    wire = quoting(
        story,
        "Harbour Wire",
        f"“{LONG},” Ana Lind admitted.",
        "“The budget is a matter for the council alone,” Mayor Ortiz said.",
        day=3,
    )
    gazette = quoting(
        story,
        "Quay Gazette",
        "Ana Lind bluntly admitted: “We never tested the flood gates.”",
        day=2,
    )
    tribune = quoting(
        story,
        "Dock Tribune",
        "“We never checked the flood gates before the storm season began,” Ana Lind said.",
        day=5,
    )
    trace_all(wire, gazette, tribune)
    return wire, gazette, tribune


def minister(article) -> Quotation:
    return Quotation.objects.get(article=article, text__icontains="flood gates")


def visible_text(html: str) -> str:
    return unescape(re.sub(r"<[^>]+>", "", html))


# ---- The article reader ----


def test_the_reader_marks_traced_quotations_and_says_who_else_quotes_them(client, coverage):
    wire = coverage[0]
    response = client.get(wire.get_absolute_url())
    html = response.content.decode()
    traced = minister(wire)
    assert traced.trace_id is not None
    marked = re.findall(r'<span class="quoted" data-quotation="(\w+)">(.*?)</span>', html)
    assert [(key, visible_text(words)) for key, words in marked] == [(traced.key, LONG + ",")]
    assert f'id="q-{traced.key}"' in html
    assert "also quoted by 2 outlets" in html
    assert traced.get_absolute_url() in html
    # The mayor's words are listed among the quotations but nobody else quotes them.
    alone = Quotation.objects.get(article=wire, speaker="Mayor Ortiz")
    assert alone.trace_id is None
    assert alone.get_absolute_url() in html
    assert html.count("also quoted by") == 2  # under the paragraph and in the panel


def test_the_marks_add_no_text_to_the_paragraphs(client, coverage):
    wire = coverage[0]
    response = client.get(wire.get_absolute_url())
    for block in response.context["blocks"]:
        for passage in block.passages:
            assert visible_text(str(passage.html)) == wire.text[passage.start : passage.end]


def test_the_reader_runs_the_same_queries_whatever_the_quotations(
    client, story, django_assert_num_queries
):
    """The article, its passages, its annotations, and one query for its quotations with
    how many outlets quote each: pinned with one traced quotation and with twelve traced
    in four outlets."""
    counts = []
    for quotes, outlets in ((1, 2), (12, 4)):
        # The first size's statement is not among the second's.
        said = STATEMENTS[:1] if quotes == 1 else STATEMENTS[1 : quotes + 1]
        paragraphs = [f"“{statement},” Ana Lind said." for statement in said]
        articles = [quoting(story, f"Outlet {quotes}-{o}", *paragraphs) for o in range(outlets)]
        trace_all(*articles)
        with django_assert_num_queries(4) as captured:
            response = client.get(articles[0].get_absolute_url())
        counts.append(len(captured))
        assert len(response.context["quotations"]) == quotes
        assert response.content.decode().count(f"also quoted by {outlets - 1} outlet") == 2 * quotes
    assert counts[0] == counts[1]


# ---- The trace panel ----


def test_the_panel_shows_each_rendering_against_the_longest(client, coverage):
    wire, gazette, tribune = coverage
    response = client.get(minister(gazette).get_absolute_url())
    assert response.status_code == 200
    renderings = response.context["renderings"]
    # The earliest published first.
    assert [r.quotation.article for r in renderings] == [gazette, wire, tribune]
    by_outlet = {r.quotation.article.outlet.name: r for r in renderings}
    assert by_outlet["Harbour Wire"].is_reference
    assert by_outlet["Harbour Wire"].diff == [("same", LONG + ",")]
    assert by_outlet["Quay Gazette"].diff == [
        ("same", "We never tested the flood gates"),
        ("cut", "before the storm season began,"),
    ]
    assert ("changed", "checked") in by_outlet["Dock Tribune"].diff
    assert [r.quotation.verb for r in renderings] == ["bluntly admitted", "admitted", "said"]
    html = response.content.decode()
    assert '<del class="diff-cut">before the storm season began,</del>' in html
    assert '<ins class="diff-changed">checked</ins>' in html
    for article in coverage:
        assert f"{article.get_absolute_url()}#q-{minister(article).key}" in html
    assert "Quoted by 3 outlets in 3 articles" in html


def test_the_first_appearance_is_the_earliest_publication(client, coverage):
    wire, gazette, _ = coverage
    response = client.get(minister(wire).get_absolute_url())
    assert response.context["first"].article == gazette
    first = visible_text(
        re.search(r'<p class="first-appearance".*?</p>', response.content.decode(), re.S)[0]
    )
    assert "First appearance: Quay Gazette" in first and "2 March 2026" in first


def test_an_untraced_quotation_stands_alone(client, coverage):
    wire = coverage[0]
    alone = Quotation.objects.get(article=wire, speaker="Mayor Ortiz")
    response = client.get(alone.get_absolute_url())
    assert response.status_code == 200
    html = response.content.decode()
    assert "Only Harbour Wire quotes these words" in html
    assert "First appearance" not in html


def test_a_quotation_no_longer_in_the_text_is_not_found(client, coverage):
    url = reverse("reading:quotation", args=[coverage[0].pk, "0" * 32])
    response = client.get(url)
    assert response.status_code == 404


def test_the_address_survives_a_new_extraction(client, coverage):
    """Quotations are made again at every extraction: the address names the words."""
    wire = coverage[0]
    url = minister(wire).get_absolute_url()
    quotations.extract_and_trace([wire])
    assert client.get(url).context["quotation"].pk == minister(wire).pk


def test_the_panel_runs_the_same_queries_whatever_the_trace(
    editor_client, story, django_assert_num_queries
):
    """Pinned with three renderings and with twelve, for a reader and for an editor."""
    for outlets in (3, 12):
        articles = [
            quoting(story, f"Outlet {outlets}-{n}", f"“{STATEMENTS[outlets]},” Ana Lind said.")
            for n in range(outlets)
        ]
        trace_all(*articles)
        url = Quotation.objects.get(article=articles[0]).get_absolute_url()
        # The quotation, its renderings, the editors' corrections of them.
        with django_assert_num_queries(3):
            response = Client().get(url)
        assert len(response.context["renderings"]) == outlets
    for outlets in (3, 12):
        url = (
            Quotation.objects.filter(article__outlet__name=f"Outlet {outlets}-0")
            .get()
            .get_absolute_url()
        )
        # And for an editor: the session and user, the editors' group, the vocabulary, the
        # story's claims, and the lookup of similar quotations (which finds none here: their
        # articles would be one query more).
        with django_assert_num_queries(9):
            response = editor_client.get(url)
        assert len(response.context["renderings"]) == outlets


# ---- The story page ----


def test_the_story_lists_its_most_quoted_words(client, coverage, story):
    wire = coverage[0]
    other = make_story()
    quoting(other, "Elsewhere News", f"“{LONG},” Ana Lind said.")
    response = client.get(story.get_absolute_url())
    most = response.context["most_quoted"]
    assert [(q.trace_id, q.outlets) for q in most] == [(minister(wire).trace_id, 3)]
    # The longest rendering in the story stands for the trace.
    assert len(most[0].text) == max(len(minister(article).text) for article in coverage)
    html = response.content.decode()
    assert "quoted by 3 outlets" in html
    assert most[0].get_absolute_url() in html


def test_a_story_with_no_shared_quotation_says_so(client, story):
    quoting(story, "Lone Outlet", "“Nobody else said this in any article,” Ana Lind said.")
    response = client.get(story.get_absolute_url())
    assert "No words of this story are quoted by more than one outlet yet." in (
        response.content.decode()
    )


# ---- Editing from a trace ----


def test_one_action_annotates_every_rendering_under_one_claim(editor_client, coverage, editor):
    wire, gazette, tribune = coverage
    elsewhere = quoting(make_story(), "Elsewhere News", f"“{LONG},” Ana Lind said.")
    trace_all(elsewhere)
    url = minister(wire).get_absolute_url()
    action = reverse("annotations:quotation-annotate", args=[wire.pk, minister(wire).key])
    data = {
        "claim": "The gates were never tested",
        "new_claim": "1",
        "tags": "admission",
        "stance": "",
        "note": "Same words, three outlets.",
    }
    response = editor_client.post(action, data, follow=True)
    assert response.redirect_chain[-1][0] == url
    made = list(Annotation.objects.order_by("article_id"))
    assert [(a.article, a.exact) for a in made] == [
        (a, a.text[minister(a).start : minister(a).end]) for a in (wire, gazette, tribune)
    ]
    claim = Claim.objects.get()
    assert {a.claim for a in made} == {claim}
    assert all([t.name for t in a.tags.all()] == ["admission"] for a in made)
    assert all(a.note == "Same words, three outlets." and a.author == editor for a in made)
    # Each has its own history.
    assert AnnotationRevision.objects.filter(action=AnnotationRevision.Action.CREATED).count() == 3
    html = response.content.decode()
    assert "Annotated 3 renderings." in html
    assert "1 rendering in other stories was not annotated" in html
    # Sent again, nothing doubles.
    response = editor_client.post(action, data | {"new_claim": ""}, follow=True)
    assert Annotation.objects.count() == 3
    assert "Annotated 0 renderings. 3 were annotated so already" in response.content.decode()


def test_annotating_without_a_claim_is_refused_and_keeps_what_was_typed(editor_client, coverage):
    wire = coverage[0]
    action = reverse("annotations:quotation-annotate", args=[wire.pk, minister(wire).key])
    response = editor_client.post(action, {"claim": "", "note": "Kept note", "tags": "framing"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "Name the claim these words make" in html
    assert "Kept note</textarea>" in html
    assert 'value="framing"' in html
    assert not Annotation.objects.exists()


def test_a_corrected_speaker_and_verb_outlive_a_new_extraction(editor_client, coverage, editor):
    wire = coverage[0]
    quotation = minister(wire)
    action = reverse("annotations:quotation-correct", args=[wire.pk, quotation.key])
    response = editor_client.post(
        action,
        {"speaker": "Anna Lind", "verb": "conceded", "next": quotation.get_absolute_url()},
        follow=True,
    )
    assert "Corrected in Harbour Wire" in response.content.decode()
    quotations.extract_and_trace([wire])
    again = minister(wire)
    assert (again.speaker, again.speaker_slug, again.verb) == ("Anna Lind", "anna-lind", "conceded")
    assert again.trace_id is not None
    history = editor_client.get(again.get_absolute_url()).content.decode()
    assert "Speaker corrected in Harbour Wire: “Anna Lind”" in history
    assert "Verb corrected in Harbour Wire: “conceded”" in history
    assert QuotationDecision.objects.filter(created_by=editor).count() == 2


def test_a_rendering_taken_out_stays_out(editor_client, coverage):
    wire, gazette, tribune = coverage
    changed = minister(tribune)
    action = reverse("annotations:quotation-take-out", args=[tribune.pk, changed.key])
    back = minister(wire).get_absolute_url()
    response = editor_client.post(action, {"next": back}, follow=True)
    assert response.redirect_chain[-1][0] == back
    assert "Taken out of the trace" in response.content.decode()
    assert [r.quotation.article for r in response.context["renderings"]] == [gazette, wire]
    quotations.extract_and_trace([tribune])
    assert minister(tribune).trace_id is None
    assert minister(wire).trace_id == minister(gazette).trace_id is not None


def test_similar_words_are_offered_and_joined(editor_client, story, coverage):
    wire = coverage[0]
    # The same statement, paraphrased past what tracing accepts.
    loose = quoting(
        story,
        "Bay Herald",
        "“We never really tested any of the flood gates before the storm season began,” Ana Lind said.",
    )
    trace_all(loose)
    far = minister(loose)
    assert far.trace_id is None
    response = editor_client.get(minister(wire).get_absolute_url())
    assert far in response.context["similar"]
    action = reverse("annotations:quotation-join", args=[wire.pk, minister(wire).key])
    response = editor_client.post(
        action, {"other_article": loose.pk, "other_key": far.key}, follow=True
    )
    assert "Joined: Bay Herald" in response.content.decode()
    assert minister(loose).trace_id == minister(wire).trace_id
    # A later tracing keeps the join.
    quotations.extract_and_trace([loose])
    assert minister(loose).trace_id == minister(wire).trace_id


def test_joining_an_unknown_quotation_says_so(editor_client, coverage):
    wire = coverage[0]
    action = reverse("annotations:quotation-join", args=[wire.pk, minister(wire).key])
    response = editor_client.post(action, {"other_article": "x", "other_key": ""}, follow=True)
    assert "Not joined: the other quotation was not found." in response.content.decode()


def test_readers_get_no_editing_controls(client, coverage):
    html = client.get(minister(coverage[0]).get_absolute_url()).content.decode()
    assert "take out of this trace" not in html and "Annotate every rendering" not in html
