"""Layout analysis of plain text, on texts written for these tests (no database)."""

import datetime

from sources.text.layout import analyse


def kinds(layout):
    return [(layout.text[p.start : p.end], p.kind) for p in layout.passages]


def kind_of(layout, text):
    matches = [kind for passage, kind in kinds(layout) if passage == text]
    assert matches, f"no passage reads {text!r}"
    return matches[0]


WIRE_STORY = """\
Skip to main content
The harbour barrier after the storm

Harbour barrier failed twice before the storm, memo shows

Source: Harbour Wire
The harbour barrier after the storm
The harbour barrier after the storm

The flood barrier that gave way during last week's storm had failed two inspections in the months before, an internal memo shows.

"We knew the hinges were corroded," the chief engineer wrote, according to the memo.

Residents queue for sandbags on Quay Street. March 2, 2024.
Jane Roe / Harbour Wire / Agency

The mayor's office said the memo was a draft that was never sent and that every later inspection had been passed.

Print Friendly, PDF & Email

3 comments

  1. quaywatcher

    Two failed inspections and nobody resigns?

    1. lowtowner

      We were never told anything about this at all.

  2. old_engineer

    Corroded hinges are a five-year problem, not a five-month one.

Comments are closed.
"""


def test_finds_headline_after_skip_link_and_repeated_caption():
    layout = analyse(WIRE_STORY)
    assert layout.title == "Harbour barrier failed twice before the storm, memo shows"
    assert layout.has_headline
    assert kind_of(layout, "Skip to main content") == "boilerplate"
    assert kind_of(layout, "The harbour barrier after the storm") == "caption"
    assert kind_of(layout, "Source: Harbour Wire") == "boilerplate"


def test_caption_followed_by_credit_line_are_captions():
    layout = analyse(WIRE_STORY)
    assert kind_of(layout, "Jane Roe / Harbour Wire / Agency") == "caption"
    assert (
        kind_of(layout, "Residents queue for sandbags on Quay Street. March 2, 2024.") == "caption"
    )


def test_reader_comments_and_their_depth():
    layout = analyse(WIRE_STORY)
    comments = [p for p in layout.passages if p.kind == "comment"]
    texts = [layout.text[p.start : p.end] for p in comments]
    assert texts == [
        "1. quaywatcher",
        "Two failed inspections and nobody resigns?",
        "1. lowtowner",
        "We were never told anything about this at all.",
        "2. old_engineer",
        "Corroded hinges are a five-year problem, not a five-month one.",
    ]
    assert [p.depth for p in comments] == [0, 0, 1, 1, 0, 0]
    assert kind_of(layout, "3 comments") == "boilerplate"
    assert kind_of(layout, "Comments are closed.") == "boilerplate"
    assert kind_of(layout, "Print Friendly, PDF & Email") == "boilerplate"


def test_offsets_point_into_the_returned_text_and_nothing_is_dropped():
    layout = analyse(WIRE_STORY)
    covered = "".join(layout.text[p.start : p.end] for p in layout.passages)
    assert covered.replace(" ", "") == "".join(WIRE_STORY.split())
    assert all(p.start < p.end for p in layout.passages)
    assert [p.start for p in layout.passages] == sorted(p.start for p in layout.passages)


def test_crawler_header_gives_the_date_and_leaves_the_text():
    layout = analyse(
        " date 2024-03-07 Harbour chief quits over barrier memo\n\nThe chief engineer resigned on Thursday after a memo showed the barrier had failed twice.\n"
    )
    assert layout.published == datetime.date(2024, 3, 7)
    assert layout.text.startswith("Harbour chief quits over barrier memo")
    assert "date 2024" not in layout.text
    assert layout.title == "Harbour chief quits over barrier memo"


def test_without_headline_title_comes_from_the_opening_words():
    text = (
        "The mayor of Portmere, who promised during two election campaigns that the harbour would "
        "never flood again, has now admitted that the barrier was never finished. Critics say so.\n\n"
        "Second paragraph here, with more detail about the barrier and its history.\n"
    )
    layout = analyse(text)
    assert not layout.has_headline
    assert layout.title.startswith("The mayor of Portmere, who promised")
    assert layout.title.endswith("…")
    assert len(layout.title) <= 90


def test_date_written_under_the_headline():
    text = (
        "Portmere.test\n\nBarrier memo: what we know\n\nBarrier memo: what we know\n\nLocal\n\n"
        "5 March 2024, 09:40\n\n"
        "The memo, dated January, lists two failed inspections of the east gate of the barrier.\n"
    )
    layout = analyse(text)
    assert layout.published == datetime.date(2024, 3, 5)
    assert layout.title == "Barrier memo: what we know"
    assert kind_of(layout, "Portmere.test") == "boilerplate"
    assert kind_of(layout, "Local") == "boilerplate"
    assert kind_of(layout, "5 March 2024, 09:40") == "boilerplate"
    assert [kind for _, kind in kinds(layout)].count("headline") == 1


def test_never_invents_a_date_from_the_body():
    text = (
        "Barrier inquiry opens\n\n"
        "The inquiry, which opened on 4 March 2024, will hear from twelve witnesses over a month.\n"
    )
    assert analyse(text).published is None


def test_editors_preface_runs_to_the_byline():
    text = (
        "Council hid barrier failures\n\n"
        "Sam here: this wire report leaves out who ran the inspections and why they were hidden.\n\n"
        "Keep that in mind as you read it, and note who is quoted and who is not.\n\n"
        "By Ada Brenner, Harbour Wire\n\n"
        "The council kept two failed inspections of the flood barrier from the public, documents show.\n"
    )
    layout = analyse(text)
    assert (
        kind_of(layout, "Keep that in mind as you read it, and note who is quoted and who is not.")
        == "preface"
    )
    assert kind_of(layout, "By Ada Brenner, Harbour Wire") == "body"
    assert layout.byline == "Ada Brenner"
    assert layout.title == "Council hid barrier failures"


def test_trailing_widgets_are_boilerplate_but_a_closing_credit_is_not():
    text = (
        "Barrier inquiry opens\n\n"
        "The inquiry into the barrier failure opened on Monday with testimony from two engineers.\n\n"
        "Subscribe to our newsletter\n\n"
        "More from the harbour desk\n\n"
        "Ferry timetable changes next week\n\n"
        "Reporting by Ines Vale\n"
    )
    layout = analyse(text)
    assert kind_of(layout, "Subscribe to our newsletter") == "boilerplate"
    assert kind_of(layout, "Ferry timetable changes next week") == "boilerplate"
    assert kind_of(layout, "Reporting by Ines Vale") == "body"


def test_hard_wrapped_paragraphs_become_one_passage():
    text = (
        "Barrier report\n\n"
        "The report on the harbour barrier found that the east gate had\n"
        "corroded hinges and that two inspections had failed before the\n"
        "storm. The council says it will publish the full report soon.\n\n"
        "A second paragraph that is also wrapped at a fixed width, like an\n"
        "email or a text file from an old archive often is wrapped today.\n"
        "It ends here.\n"
    )
    layout = analyse(text)
    body = [p for p in layout.passages if p.kind == "body"]
    assert len(body) == 2
    assert layout.text[body[0].start : body[0].end].endswith("publish the full report soon.")


def test_html_hints_mark_comments_and_captions():
    text = "Title of the piece\n\nA paragraph of the article that is long enough to be prose.\n\nThe gate. Photo: A. Person\n\nfirst comment here"
    layout = analyse(
        text, comments_from=text.index("first comment"), captions={"The gate. Photo: A. Person"}
    )
    assert kind_of(layout, "first comment here") == "comment"
    assert kind_of(layout, "The gate. Photo: A. Person") == "caption"


TABLOID = """\
Skip to main content

Home | Local | Sport | Money | Puzzles

GATE SCANDAL: 'WE KEPT IT QUIET'

Mayor admits barrier was broken for months while families slept

Posted on May 16, 2025 by Rita Vance

THE mayor of Portmere has admitted he knew the harbour gate was broken and kept quiet about it for months.

STUCK: the east gate, which failed four of six tests

Kim Lo / Portmere Wire

Residents said they felt betrayed, and the opposition called for an independent inquiry at once.

READ MORE

Gate boss's pay packet revealed

Subscribe to our newsletter

Get the biggest stories straight to your inbox every morning.
"""


def test_tabloid_furniture():
    layout = analyse(TABLOID)
    assert layout.title == "GATE SCANDAL: 'WE KEPT IT QUIET'"
    assert kind_of(layout, "Home | Local | Sport | Money | Puzzles") == "boilerplate"
    assert (
        kind_of(layout, "Mayor admits barrier was broken for months while families slept")
        == "headline"
    )
    assert kind_of(layout, "Posted on May 16, 2025 by Rita Vance") == "boilerplate"
    assert layout.published == datetime.date(2025, 5, 16)
    assert layout.byline == "Rita Vance"
    # A credit line makes the line above it a caption, even across a blank line.
    assert kind_of(layout, "STUCK: the east gate, which failed four of six tests") == "caption"
    assert kind_of(layout, "Kim Lo / Portmere Wire") == "caption"
    for furniture in (
        "READ MORE",
        "Gate boss's pay packet revealed",
        "Get the biggest stories straight to your inbox every morning.",
    ):
        assert kind_of(layout, furniture) == "boilerplate"
    assert (
        kind_of(
            layout,
            "Residents said they felt betrayed, and the opposition called for an independent inquiry at once.",
        )
        == "body"
    )


def test_byline_with_a_role_and_label_lines():
    text = (
        "Portmere Courier\n\nThe Interview\n\n"
        "Gate memo: what the mayor knew, and when\n\n"
        "Thursday 15 May 2025\n\n"
        "Helen Abara, Local Democracy Reporter\n\n"
        "The mayor has conceded that his cabinet kept quiet about a fault in the barrier for five months.\n\n"
        "A view of the gate from the quay at low tide.\n\n"
        "Photograph by Lucy Marr for the Courier\n\n"
        "More paragraphs follow here, each a full sentence of the report, like this one.\n\n"
        "(Reporting by Helen Abara; editing by Tom Ash)\n"
    )
    layout = analyse(text)
    assert layout.title == "Gate memo: what the mayor knew, and when"
    assert kind_of(layout, "The Interview") == "boilerplate"
    assert kind_of(layout, "Helen Abara, Local Democracy Reporter") == "body"
    assert layout.byline == "Helen Abara"
    assert layout.published == datetime.date(2025, 5, 15)
    assert kind_of(layout, "A view of the gate from the quay at low tide.") == "caption"
    assert kind_of(layout, "Photograph by Lucy Marr for the Courier") == "caption"
    assert kind_of(layout, "(Reporting by Helen Abara; editing by Tom Ash)") == "body"


def test_a_read_more_link_inside_a_long_article_does_not_swallow_it():
    paragraph = (
        "The inquiry heard from engineers who had inspected the gate in the winter before the storm. "
        * 3
    )
    text = "Inquiry opens\n\n" + paragraph + "\n\nRead more\n\n" + "\n\n".join([paragraph] * 3)
    layout = analyse(text)
    assert [kind for _, kind in kinds(layout)].count("body") == 4
