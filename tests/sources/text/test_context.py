from sources.text.context import sentence_context, text_fragment

TEXT = (
    "The gate failed. The mayor said on Tuesday that he knew, and he said nothing. Then he left.\n"
    "A new paragraph starts here."
)


def context_of(quote, **kwargs):
    start = TEXT.index(quote)
    return sentence_context(TEXT, start, start + len(quote), **kwargs)


def test_context_is_the_rest_of_the_sentence():
    assert context_of("he knew") == ("The mayor said on Tuesday that ", ", and he said nothing.")


def test_context_stops_at_the_paragraph():
    assert context_of("Then he left") == ("", ".")
    assert context_of("A new paragraph") == ("", " starts here.")


def test_long_context_is_cut_at_a_word():
    before, after = context_of("he knew", limit=12)
    assert before == "…that "
    assert after == ", and he…"


def test_text_fragment_encodes_its_syntax_characters():
    assert text_fragment("close the sky - now, please & thanks") == (
        "#:~:text=close%20the%20sky%20%2D%20now%2C%20please%20%26%20thanks"
    )


def test_long_or_multi_paragraph_quotes_become_start_and_end():
    quote = "one two three four five six seven eight nine ten eleven twelve thirteen"
    assert text_fragment(quote) == (
        "#:~:text=one%20two%20three%20four%20five%20six,eight%20nine%20ten%20eleven%20twelve%20thirteen"
    )
    assert text_fragment("first line.\n\nsecond line") == "#:~:text=first%20line.,second%20line"
