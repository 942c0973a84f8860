"""Reading a search box's text (no database)."""

import pytest

from sources.text.query import (
    MAX_QUERY_CHARS,
    MAX_TERMS,
    Clause,
    Query,
    Term,
    cut_at_word,
    fold,
    fts5_expression,
    parse,
)


def words(query: Query) -> list[list[str]]:
    return [[term.text for term in clause.terms] for clause in query.clauses]


def test_words_are_all_required():
    query = parse("close the sky")
    assert words(query) == [["close"], ["the"], ["sky"]]
    assert query.excluded == ()


def test_a_quoted_phrase_is_one_term():
    query = parse('Zelensky "close the sky" now')
    assert words(query) == [["zelensky"], ["close the sky"], ["now"]]
    assert query.clauses[1].terms[0].phrase


def test_curly_and_guillemet_quotes_make_phrases_too():
    assert words(parse("“close the sky”")) == [["close the sky"]]
    assert words(parse("«закрыть небо»")) == [["закрыть небо"]]


def test_an_unbalanced_quote_runs_to_the_end():
    assert words(parse('nato "close the sky')) == [["nato"], ["close the sky"]]


def test_minus_excludes_a_word_or_a_phrase():
    query = parse('sky -nato -"no fly"')
    assert words(query) == [["sky"]]
    assert [term.text for term in query.excluded] == ["nato", "no fly"]


def test_or_joins_the_items_either_side():
    query = parse("close sky OR airspace now")
    assert words(query) == [["close"], ["sky", "airspace"], ["now"]]
    assert words(parse("a OR b OR c")) == [["a", "b", "c"]]


def test_or_at_the_edges_is_ignored():
    assert words(parse("OR sky OR")) == [["sky"]]


def test_punctuation_inside_a_word_makes_a_phrase_of_its_parts():
    assert words(parse("no-fly don't")) == [["no fly"], ["don t"]]


def test_case_is_folded_but_accents_are_kept_for_the_database():
    assert words(parse("Café ZELENSKY")) == [["café"], ["zelensky"]]


@pytest.mark.parametrize(
    "text",
    ["", "   ", "!!!", '"', '""', "-", "- -", "OR", "-nato", "<>", "-- ;"],
)
def test_nothing_to_look_for_gives_an_empty_query(text):
    assert parse(text).empty


def test_sql_and_html_are_only_words():
    query = parse("'; DROP TABLE sources_article; -- <script>alert(1)</script>")
    assert words(query) == [["drop"], ["table"], ["sources_article"], ["script alert 1 script"]]


def test_a_long_text_is_cut_and_says_so():
    query = parse("sky " * 5000)
    assert query.cut
    assert words(query) == [["sky"]]
    assert not parse("sky " * (MAX_QUERY_CHARS // 4 - 1)).cut


def test_too_many_terms_are_cut():
    query = parse(" ".join(f"w{n}" for n in range(100)))
    assert query.cut
    assert len(query.clauses) == MAX_TERMS


def test_control_characters_are_spaces():
    assert words(parse("sky\x00nato\x1b[31m")) == [["sky"], ["nato"], ["31m"]]


def test_fold_removes_case_and_accents():
    assert fold("Zelenskyy") == "zelenskyy"
    assert fold("Łódź") == fold("łodz") or fold("Łódź") == "łodz"
    assert fold("Ёлка") == fold("ёлка")
    assert fold("Café") == "cafe"


def test_expand_adds_the_other_spellings_of_a_name():
    variants = {"zelensky": ["Zelensky", "Zelenskyy", "Зеленский"]}
    variants["zelenskyy"] = variants["зеленский"] = variants["zelensky"]
    query = parse("Zelenskyy -Zelensky sky").expand(variants)
    assert words(query) == [["zelenskyy", "zelensky", "зеленский"], ["sky"]]
    assert [term.text for term in query.excluded] == ["zelensky", "zelenskyy", "зеленский"]


def test_expand_leaves_phrases_alone():
    variants = {"zelensky": ["Zelenskyy"]}
    query = parse('"zelensky said"').expand(variants)
    assert words(query) == [["zelensky said"]]


def test_fts5_expression_quotes_every_term():
    query = parse('close "the sky" OR airspace -nato')
    assert fts5_expression(query) == '(close AND ("the sky" OR airspace)) NOT nato'.replace(
        "close", '"close"'
    ).replace("airspace", '"airspace"').replace("nato", '"nato"')


def test_fts5_expression_of_an_empty_query_is_empty():
    assert fts5_expression(parse("-nato")) == ""


def test_clauses_and_terms_are_not_repeated():
    query = parse("sky sky OR sky")
    assert query.clauses == (Clause((Term(("sky",)),)),)


def test_a_cut_never_leaves_half_a_word():
    query = parse("harbour " * 1000)
    assert query.cut
    assert words(query) == [["harbour"]]
    assert cut_at_word("one two three", 9) == "one two"
    assert cut_at_word("onetwothree", 5) == "onetw"
