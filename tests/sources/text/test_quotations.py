import re
import time
from itertools import pairwise

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sources.text.quotations import find_quotations


def only(text, language="en"):
    """The one quotation found in text."""
    found = find_quotations(text, language)
    assert len(found) == 1, found
    return found[0]


def texts(text, language="en"):
    return [quotation.text for quotation in find_quotations(text, language)]


# --- Quotation marks --------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "The mayor said “the gate will hold” on Monday.",
        'The mayor said "the gate will hold" on Monday.',
        "The mayor said ‘the gate will hold’ on Monday.",
        "The mayor said 'the gate will hold' on Monday.",
        "Le maire a dit «the gate will hold» lundi.",
        "Le maire a dit « the gate will hold » lundi.",
        "Der Bürgermeister sagte „the gate will hold“ am Montag.",
        "Burmistrz powiedział „the gate will hold” w poniedziałek.",
        "Der Bürgermeister sagte »the gate will hold« am Montag.",
        "Der Bürgermeister sagte ‚the gate will hold‘ am Montag.",
    ],
)
def test_finds_every_kind_of_quotation_mark(text):
    quotation = only(text)
    assert quotation.text == "the gate will hold"
    assert text[quotation.start : quotation.end] == "the gate will hold"
    assert quotation.spans == ((quotation.start, quotation.end),)


def test_quotations_come_in_text_order():
    text = "First “one two” then ‘three four’ then «five six»."
    assert texts(text) == ["one two", "three four", "five six"]


def test_nested_quotation_is_part_of_the_outer_one():
    text = "“He said ‘we will go’ and left,” she wrote."
    quotation = only(text)
    assert quotation.text == "He said ‘we will go’ and left,"
    assert (quotation.speaker, quotation.verb) == ("she", "wrote")


def test_nested_quotation_with_the_same_marks():
    text = "Or as one reader put it: “The chief says the alliance “was letting us down” again.”"
    assert texts(text) == ["The chief says the alliance “was letting us down” again."]


def test_returned_quotations_never_overlap():
    text = "“A ‘b c’ d,” he said. ‘E “f g” h,’ she said. «I ‹j k› l»"
    found = find_quotations(text)
    assert len(found) == 3
    for before, after in pairwise(found):
        assert before.end <= after.start


@pytest.mark.parametrize(
    "text",
    [
        "Don't stop. It's the mayor's plan, and O'Brien's too.",
        "Don’t stop. It’s the mayor’s plan, and O’Brien’s too.",
        "They played rock 'n' roll in the '90s and the 80s' hits.",
        "They played rock ‘n’ roll in the ’90s, for the students’ union.",
        "the so-called “experts” were wrong",
        "Netanyahu, known as “Bibi”, spoke.",
        "A 12\" screen and a 5' ladder.",
    ],
)
def test_apostrophes_and_one_word_quotes_are_not_quotations(text):
    assert find_quotations(text) == []


def test_apostrophes_inside_a_quotation_do_not_close_it():
    text = "'We don't like rock 'n' roll,' she said."
    assert texts(text) == ["We don't like rock 'n' roll,"]


def test_plural_possessive_inside_a_single_quoted_quotation():
    text = "‘The students’ union will decide,’ he said."
    assert texts(text) == ["The students’ union will decide,"]


def test_plural_possessive_can_close_a_quotation():
    text = "He called them his ‘good friends’ and left."
    assert texts(text) == ["good friends"]


def test_quotation_over_a_paragraph_break():
    text = "She said: “The first part ends here.\n\n“The second part closes it.” Then she left."
    quotation = only(text)
    first = text.index("The first")
    second = text.index("The second")
    assert quotation.spans == (
        (first, first + len("The first part ends here.")),
        (second, second + len("The second part closes it.")),
    )
    assert quotation.text == "The first part ends here. The second part closes it."
    assert (quotation.start, quotation.end) == (quotation.spans[0][0], quotation.spans[-1][1])


def test_quotation_over_three_paragraphs_in_guillemets():
    text = "« Un deux trois.\n\n« Quatre cinq.\n\n« Six sept. »"
    assert len(only(text, "fr").spans) == 3


def test_unclosed_quotation_not_continued_is_dropped():
    text = "He said “this never ends\n\nA new paragraph with “two words” in it."
    assert texts(text) == ["two words"]


def test_unclosed_quotation_at_the_end_is_dropped():
    assert find_quotations("He said “this never ends") == []


def test_stray_opening_mark_does_not_hide_later_quotations():
    text = "A stray “ mark, then “real words here” and more."
    assert texts(text) == ["real words here"]


def test_spans_leave_out_spaces_inside_the_marks():
    text = "Il a dit : « nous partons demain » hier."
    quotation = only(text, "fr")
    assert text[quotation.start : quotation.end] == "nous partons demain"


# --- Interrupted and continued quotations ------------------------------------------


def test_quotation_interrupted_by_its_attribution_is_one_quotation():
    text = "“So,” Alito declared, “I take it you agree.”"
    quotation = only(text)
    assert quotation.text == "So, I take it you agree."
    assert len(quotation.spans) == 2
    assert [text[s:e] for s, e in quotation.spans] == ["So,", "I take it you agree."]
    assert (quotation.speaker, quotation.verb) == ("Alito", "declared")


def test_interrupted_quotation_with_inverted_attribution():
    text = "“The conversation,” notes Smith, “was painful.”"
    quotation = only(text)
    assert quotation.text == "The conversation, was painful."
    assert (quotation.speaker, quotation.verb) == ("Smith", "notes")


def test_attribution_followed_by_a_participle_starts_a_new_quotation():
    text = "“It is over,” she said, adding: “We lost the whole thing.”"
    assert texts(text) == ["It is over,", "We lost the whole thing."]


def test_quotations_side_by_side_without_attribution_stay_apart():
    text = "They chanted “no more war,” “no more lies” all night."
    assert texts(text) == ["no more war,", "no more lies"]


def test_quotation_continued_after_a_full_stop_takes_the_attribution_before_it():
    text = "“No,” she said. “I was trying to help.”"
    quotation = only(text)
    assert quotation.text == "I was trying to help."
    assert (quotation.speaker_as_written, quotation.verb) == ("she", "said")


def test_every_later_quotation_in_the_paragraph_takes_the_attribution():
    text = "“We lost,” Smith said. “It hurts.” “We go on.”"
    found = find_quotations(text)
    assert [(q.speaker, q.verb) for q in found] == [("Smith", "said")] * 3


def test_attribution_does_not_cross_into_the_next_paragraph_mid_paragraph():
    text = "“We lost,” Smith said.\n\nThe crowd left. Later a sign read “never again here”."
    assert only(text[text.index("The crowd") :]).speaker == ""
    assert find_quotations(text)[1].speaker == ""


def test_quotation_opening_the_next_paragraph_goes_on_with_the_speaker():
    text = "“We lost,” Smith said.\n\n“But we will be back next year.”"
    assert [(q.speaker, q.verb) for q in find_quotations(text)] == [("Smith", "said")] * 2


def test_interrupted_quotation_in_german():
    text = "„Wir gehen“, sagte er, „nach Hause.“"
    quotation = only(text, "de")
    assert quotation.text == "Wir gehen nach Hause."
    assert (quotation.speaker, quotation.verb) == ("", "")


# --- Speaker and verb ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "speaker", "verb"),
    [
        ("“We will rebuild the gate,” Smith said.", "Smith", "said"),
        ("“We will rebuild the gate,” said Smith.", "Smith", "said"),
        ("“We will rebuild the gate,” Jane Smith told reporters.", "Jane Smith", "told"),
        ("“We will rebuild the gate,” the minister told reporters.", "the minister", "told"),
        ("“We will rebuild it,” a spokeswoman for the ministry said.", "a spokeswoman", "said"),
        ("“We will rebuild it,” said a spokeswoman for the ministry.", "a spokeswoman", "said"),
        ("“We will rebuild it,” Smith, who runs the port, writes.", "Smith", "writes"),
        ("Smith said, “We will rebuild the gate.”", "Smith", "said"),
        ("As Kissinger writes: “We will rebuild the gate.”", "Kissinger", "writes"),
        ("Smith said that “we will rebuild the gate”.", "Smith", "said"),
        ("The mayor told the council, “We will rebuild.”", "The mayor", "told"),
        (
            "In 1997 the diplomat George F. Kennan warned that “expansion is an error”.",
            "George F. Kennan",
            "warned",
        ),
        (
            "The envoy, William Burns, warned that it “could split the country”.",
            "William Burns",
            "warned",
        ),
        ("The president, irritated by this, said, “He is a headache.”", "The president", "said"),
        (
            "Former chief Jens Smith says the alliance “was letting us down” badly.",
            "Jens Smith",
            "says",
        ),
        (
            "This explains why, as Moon of Alabama put it, “the retreat has begun.”",
            "Moon of Alabama",
            "put it",
        ),
        ("The ministry insisted “the gate is safe”.", "The ministry", "insisted"),
    ],
)
def test_speaker_and_verb(text, speaker, verb):
    quotation = only(text)
    assert (quotation.speaker, quotation.verb) == (speaker, verb)


@pytest.mark.parametrize(
    ("text", "verb"),
    [
        ("Smith had said, “We will rebuild the gate.”", "had said"),
        ("Smith has admitted, “We will rebuild the gate.”", "has admitted"),
        ("Smith would later write, “We will rebuild the gate.”", "would later write"),
        ("Smith then bluntly admitted, “We will rebuild the gate.”", "bluntly admitted"),
        ("Smith admitted frankly, “We will rebuild the gate.”", "admitted frankly"),
        ("Smith de facto admits that “the gate was never safe”.", "de facto admits"),
        ("Smith in effect conceded that “the gate was never safe”.", "in effect conceded"),
        ("Smith reportedly said, “We will rebuild the gate.”", "reportedly said"),
        ("Smith also recounted, “We will rebuild the gate.”", "recounted"),
        ("Smith went on to write, “We will rebuild the gate.”", "went on to write"),
        ("“We will rebuild the gate,” Smith quietly added.", "quietly added"),
    ],
)
def test_verb_keeps_auxiliaries_adverbs_and_hedges(text, verb):
    quotation = only(text)
    assert (quotation.speaker, quotation.verb) == ("Smith", verb)


def test_no_attribution_gives_empty_speaker_and_verb():
    quotation = only("The banner read “close the sky” all week.")
    assert (quotation.speaker, quotation.speaker_as_written, quotation.verb) == ("", "", "")


def test_reporting_verb_is_not_taken_from_an_unrelated_noun():
    # "states" and "report" are nouns here.
    text = "Some member states at the time feared “a war in Europe” soon."
    assert only(text).verb == ""
    assert only("The report gave “no clear answer” at all.").verb == ""


def test_passive_is_not_an_attribution():
    assert only("It was stated that “the gate is safe” in May.").verb == ""


def test_participle_takes_the_subject_and_verb_of_its_sentence():
    text = "Smith notes, “The first part is long”, adding, “The second part is short.”"
    assert [(q.speaker, q.verb) for q in find_quotations(text)] == [("Smith", "notes")] * 2


def test_participle_after_a_reported_speaker_belongs_to_the_main_clause():
    text = "Smith recounts a meeting where Jones told him, “We are ready” adding that, “Jones was not.”"
    found = find_quotations(text)
    assert [(q.speaker, q.verb) for q in found] == [("Jones", "told"), ("Smith", "recounts")]


def test_unknown_verb_after_a_comma_ended_quotation():
    quotation = only("“We will never give up,” Smith snarled.")
    assert (quotation.speaker, quotation.verb) == ("Smith", "snarled")


def test_unknown_verb_before_a_colon():
    text = "He called the plan “a disaster” and left. Jones disagreed: “It is fine.”"
    assert [(q.speaker, q.verb) for q in find_quotations(text)] == [
        ("He", "called"),
        ("Jones", "disagreed"),
    ]


@pytest.mark.parametrize(
    ("text", "speaker", "verb"),
    [
        ("“It is over,” Smith, 45, said.", "Smith", "said"),
        ("Mr. Smith told the BBC: “We are ready to go.”", "Mr. Smith", "told"),
        ("“We are ready to go,” Dr. Jane Smith said on Tuesday.", "Dr. Jane Smith", "said"),
        ("Smith was quoted as saying “it is finished now”.", "Smith", "was quoted as saying"),
        ("Officials say the plan is “dead on arrival”.", "Officials", "say"),
        ("The minister, speaking to reporters, said “the gate will hold”.", "The minister", "said"),
    ],
)
def test_speaker_around_titles_ages_and_asides(text, speaker, verb):
    quotation = only(text)
    assert (quotation.speaker, quotation.verb) == (speaker, verb)


# --- Pronouns ----------------------------------------------------------------------


def test_pronoun_resolved_to_the_one_name_before_it():
    text = "Smith spoke first.\n\n“We will rebuild the gate,” he said."
    quotation = only(text)
    assert (quotation.speaker, quotation.speaker_as_written) == ("Smith", "he")


def test_pronoun_resolved_to_the_previous_quotations_speaker():
    text = "“We lost,” Jane Smith said. “We will be back,” she added."
    found = find_quotations(text)
    assert (found[-1].speaker, found[-1].speaker_as_written, found[-1].verb) == (
        "Jane Smith",
        "she",
        "added",
    )


def test_pronoun_resolved_to_a_name_earlier_in_the_same_sentence():
    text = "Jones spoke. Smith recounts a meeting where he told her that, “The gate will hold.”"
    quotation = only(text)
    assert (quotation.speaker, quotation.speaker_as_written, quotation.verb) == (
        "Smith",
        "he",
        "told",
    )


def test_one_name_with_and_without_first_name_is_one_speaker():
    text = "“We lost,” Jane Smith said. Smith said more later.\n\n“We go on,” she said."
    assert find_quotations(text)[-1].speaker == "Jane Smith"


def test_pronoun_stays_when_two_names_are_near():
    text = "“We lost,” Smith said. “We won,” Jones said.\n\n“It was close,” he added."
    quotation = find_quotations(text)[-1]
    assert (quotation.speaker, quotation.speaker_as_written) == ("he", "he")


def test_pronoun_stays_when_no_name_is_near():
    text = "Smith spoke.\n\nA long pause.\n\n“We will rebuild the gate,” he said."
    assert only(text).speaker == "he"


def test_pronoun_is_not_resolved_to_a_noun_phrase():
    text = "“We lost,” the minister said. “We will be back,” she added."
    assert find_quotations(text)[-1].speaker == "she"


# --- Other languages -----------------------------------------------------------------


def test_other_languages_find_quotations_without_attribution():
    text = "Он сказал: «Мы уходим домой». Она ответила: „Мы остаёмся здесь“."
    found = find_quotations(text, "ru")
    assert [q.text for q in found] == ["Мы уходим домой", "Мы остаёмся здесь"]
    assert all((q.speaker, q.speaker_as_written, q.verb) == ("", "", "") for q in found)


def test_english_verbs_are_not_read_in_other_languages():
    assert only("“Nous partons demain,” Smith said.", "fr").speaker == ""


# --- Hostile input -------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "",
        "“",
        "”“",
        "'\"‘’«»„“",
        "“" * 200_000,
        '"' * 200_000,
        "“‘«„\"'»”’‚‹›" * 20_000,
        "“word " * 200_000,
        "word” " * 200_000,
        "“a b c\n\n" * 50_000,
        "\n\n" * 1000 + "“ ”" * 1000,
    ],
)
def test_hostile_input_finishes_fast_and_never_raises(text):
    started = time.perf_counter()
    assert find_quotations(text) == []
    # Generous: these take a few hundredths of a second (timings belong in bench/).
    assert time.perf_counter() - started < 5


def test_many_quotations_in_one_paragraph_are_all_found():
    text = "“one two,” he said. " * 2000
    found = find_quotations(text)
    assert len(found) == 2000
    assert all(q.verb == "said" for q in found)


# --- Properties ----------------------------------------------------------------------

pieces = st.sampled_from(
    [
        "“", "”", "‘", "’", '"', "'", "«", "»", "„", "‚", "‹", "›",
        " ", "  ", "\n", "\n\n", ",", ".", ":", "—",
        "he", "said", "Smith", "told", "the", "minister", "that", "we", "go", "don't", "adding",
    ]
)  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(st.lists(pieces, max_size=60).map("".join), st.sampled_from(["en", "de"]))
def test_spans_lie_in_order_inside_the_text(text, language):
    found = find_quotations(text, language)
    previous_end = 0
    for quotation in found:
        assert quotation.spans
        assert quotation.start == quotation.spans[0][0]
        assert quotation.end == quotation.spans[-1][1]
        for start, end in quotation.spans:
            assert previous_end <= start < end <= len(text)
            assert text[start:end] in text[quotation.start : quotation.end]
            previous_end = end
        assert quotation.text == " ".join(text[s:e] for s, e in quotation.spans)
        assert len(re.findall(r"\w+(?:['’]\w+)*", quotation.text)) >= 2


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=200))
def test_arbitrary_text_never_raises(text):
    for quotation in find_quotations(text):
        assert 0 <= quotation.start <= quotation.end <= len(text)
