"""word_diff: what changed between two texts, in runs of words."""

import itertools

import pytest

from sources.text.reanchor import word_diff


def old_side(runs: list[tuple[str, str]]) -> str:
    return "".join(text for kind, text in runs if kind != "insert")


def new_side(runs: list[tuple[str, str]]) -> str:
    return "".join(text for kind, text in runs if kind != "delete")


def test_same_text_is_one_equal_run() -> None:
    assert word_diff("The gate held.", "The gate held.") == [("equal", "The gate held.")]


def test_empty_texts() -> None:
    assert word_diff("", "") == []
    assert word_diff("", "New text.") == [("insert", "New text.")]
    assert word_diff("Old text.", "") == [("delete", "Old text.")]


def test_changed_word_is_deleted_and_inserted() -> None:
    assert word_diff("The cost rose to 212 million.", "The cost rose to 218 million.") == [
        ("equal", "The cost rose to "),
        ("delete", "212"),
        ("insert", "218"),
        ("equal", " million."),
    ]


def test_added_words_are_one_insertion() -> None:
    assert word_diff("The ministry declined to say.", "The ministry declined again to say.") == [
        ("equal", "The ministry declined "),
        ("insert", "again "),
        ("equal", "to say."),
    ]


def test_rewritten_phrase_reads_as_one_change() -> None:
    # The space between the changed words is folded into the change.
    runs = word_diff("She said the wall was safe.", "She said the barrier looked sound.")
    assert runs == [
        ("equal", "She said the "),
        ("delete", "wall was safe"),
        ("insert", "barrier looked sound"),
        ("equal", "."),
    ]


def test_case_and_quotation_marks_show_as_changes() -> None:
    runs = word_diff("“Build it now”", '"Build It now"')
    assert ("delete", "“") in runs and ("insert", '"') in runs
    assert ("delete", "it") in runs and ("insert", "It") in runs


def test_runs_alternate_and_are_never_empty() -> None:
    runs = word_diff("One two three four five.", "One 2 three five six.")
    assert all(text for _, text in runs)
    for (kind, _), (next_kind, _) in itertools.pairwise(runs):
        assert kind != next_kind


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("Harbour council delays vote.", "Harbour council postpones its vote!"),
        ("First paragraph.\n\nSecond paragraph.", "Second paragraph.\n\nFirst paragraph."),
        ("a b c d e f g", "g f e d c b a"),
        ("Line one\nline two", "Line one line two"),
        ("Ünïcödé “quotes” — dashes", 'Unicode "quotes" - dashes'),
    ],
    ids=["rewording", "moved paragraphs", "reversed", "reflowed", "typography"],
)
def test_runs_rebuild_both_texts(old: str, new: str) -> None:
    runs = word_diff(old, new)
    assert old_side(runs) == old
    assert new_side(runs) == new
    assert {kind for kind, _ in runs} <= {"equal", "delete", "insert"}
