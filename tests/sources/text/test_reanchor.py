"""Re-anchoring annotations after a correction, edit by edit, on a real-length article.

Each row is one correction of ARTICLE (or of a variant of it) and one annotation,
with the outcome expected: "anchored" on exactly the expected words, or "review" /
"orphaned". `outcome_table()` prints the rows for the closing note:

    .venv/bin/python -m tests.sources.text.test_reanchor
"""

from collections.abc import Callable
from dataclasses import dataclass

import pytest

from sources.text.anchoring import quote_selector
from sources.text.reanchor import REVIEW_THRESHOLD, Anchor, Placement, reanchor

ARTICLE = """Harbour council delays vote on flood barrier after engineers raise doubts

By Marta Klein, city desk
Published 14 March

The harbour council postponed Tuesday's vote on the new flood barrier after two of its own engineers warned that the design had not been tested against a storm surge of the size seen last winter.

“We cannot ask the city to pay for a wall that we have not proven will hold,” said Ingrid Solberg, the council's chief engineer, in a statement read out at the start of the session. She said the tests would take at least six weeks.

The barrier, a chain of steel gates across the mouth of the old harbour, was first proposed in 2019. Its cost has since risen from 80 million to 212 million euros, according to figures the council published in January.

Mayor Tomas Reiner, who has championed the project, said the delay was “a setback, not a defeat”. He told reporters outside the town hall that the city would not wait for the next flood to act. “Every winter we wait is a winter we gamble,” he said.

The opposition has questioned the cost for months. Councillor Lena Vogt said the figures had “changed three times in a year” and that residents deserved an independent review before any money was spent. “The council has to show its working,” she said.

The engineers' warning came in a twelve-page memo dated 2 March. It says the gates were modelled against a surge of 3.1 metres, while the storm in December pushed water to 3.4 metres at the harbour wall. The memo does not say the design is unsafe. It says the margin is unknown.

Residents of the lower town, where two hundred homes flooded in December, filled the public gallery. Many held signs that read “Build it now”. Others asked why the council had waited so long to test the design at all.

“I have lived by the harbour for forty years and I have never seen the water so high,” said Piet Andersen, a retired ferry captain. “We are not asking for miracles. We are asking for a wall that works.”

Solberg said the tests would be carried out by an outside laboratory in Delft. The results will be published in full, she said, and the council will vote again in May. “We will not cut corners on safety,” she said.

The delay also affects the timetable for the works. Contractors had been told to expect a decision this month, with construction starting in the summer. A spokesman for the building firm said it would wait for the council. He said the firm had not been paid for any work on the barrier.

Reiner said the city had already applied for funds from the national flood programme. The ministry confirmed it had received the application and said a decision would follow in the autumn. The ministry declined to say how much money was available.

The vote is now expected on 20 May. Until then, the city will keep the temporary barriers along the lower town. “Every winter we wait is a winter we gamble,” Reiner said again at the end of the session.

Correction: an earlier version of this article gave the wrong date for the engineers' memo.
"""

PARAGRAPHS = ARTICLE.split("\n\n")

# A variant with a typo the correction fixes.
WITH_TYPO = ARTICLE.replace("the council's chief engineer,", "the council's chief enginer,")
# A variant where a near-duplicate of Solberg's promise stands in another paragraph.
WITH_NEAR_DUPLICATE = ARTICLE.replace(
    "The ministry declined to say how much money was available.",
    "The ministry declined to say how much money was available. "
    "“We will not cut corners on cost,” Reiner said.",
)
# A variant where Andersen's words are also printed as a pull quote.
WITH_PULL_QUOTE = ARTICLE.replace(
    "The opposition has questioned",
    "“We are asking for a wall that works.”\n\nThe opposition has questioned",
)


def replace(old: str, new: str, count: int = 1) -> Callable[[str], str]:
    def edit(text: str) -> str:
        assert text.count(old) >= count, old
        return text.replace(old, new, count)

    return edit


def chain(*edits: Callable[[str], str]) -> Callable[[str], str]:
    def edit(text: str) -> str:
        for one in edits:
            text = one(text)
        return text

    return edit


def paragraph(starting: str) -> str:
    return next(p for p in PARAGRAPHS if p.startswith(starting))


def move_paragraph(starting: str, before: str | None) -> Callable[[str], str]:
    """Move the paragraph beginning with `starting` before the one beginning with
    `before` (to the end when None)."""

    def edit(text: str) -> str:
        paragraphs = text.rstrip("\n").split("\n\n")
        moving = next(p for p in paragraphs if p.startswith(starting))
        paragraphs.remove(moving)
        if before is None:
            paragraphs.append(moving)
        else:
            at = next(n for n, p in enumerate(paragraphs) if p.startswith(before))
            paragraphs.insert(at, moving)
        return "\n\n".join(paragraphs) + "\n"

    return edit


def remove_paragraph(starting: str) -> Callable[[str], str]:
    return replace(paragraph(starting) + "\n\n", "")


def reflow(starting: str, width: int) -> Callable[[str], str]:
    """Break the paragraph beginning with `starting` into lines of about `width`."""

    def edit(text: str) -> str:
        original = paragraph(starting)
        lines: list[str] = []
        for word in original.split(" "):
            if lines and len(lines[-1]) + 1 + len(word) <= width:
                lines[-1] += " " + word
            else:
                lines.append(word)
        return text.replace(original, "\n".join(lines))

    return edit


def cut_after(starting: str) -> Callable[[str], str]:
    def edit(text: str) -> str:
        kept = paragraph(starting)
        return text[: text.index(kept) + len(kept)] + "\n"

    return edit


def anchor_on(text: str, quote: str, nth: int = 1) -> Anchor:
    """An anchor on the nth occurrence of `quote`, with the usual 32 characters of context."""
    start = -1
    for _ in range(nth):
        start = text.index(quote, start + 1)
    selector = quote_selector(text, start, start + len(quote))
    return Anchor(start, start + len(quote), quote, selector.prefix, selector.suffix)


@dataclass(frozen=True)
class Case:
    id: str
    edit: Callable[[str], str]
    quote: str
    expected: str
    # For "anchored" (and "review" proposals worth checking): the words expected at
    # the new place, and text that immediately precedes them there (to tell
    # repeated words apart).
    words: str | None = None
    after: str | None = None
    nth: int = 1
    old: str = ARTICLE


SOLBERG = "We cannot ask the city to pay for a wall that we have not proven will hold,"
ANDERSEN = "We are asking for a wall that works."
GAMBLE = "Every winter we wait is a winter we gamble,"
UNSAFE = "The memo does not say the design is unsafe."

CASES = [
    Case(
        "paragraph added before",
        replace(
            "The harbour council postponed",
            "Update: the council has since set a date for the new vote.\n\nThe harbour council postponed",
        ),
        SOLBERG,
        "anchored",
        SOLBERG,
    ),
    Case(
        "paragraph removed before",
        remove_paragraph("The delay also affects"),
        "The ministry declined to say how much money was available.",
        "anchored",
        "The ministry declined to say how much money was available.",
    ),
    Case(
        "paragraph moved",
        move_paragraph("“I have lived", None),
        ANDERSEN,
        "anchored",
        ANDERSEN,
        after="We are not asking for miracles. ",
    ),
    Case(
        "whole paragraph moved up",
        move_paragraph("The opposition has", "The barrier, a chain"),
        paragraph("The opposition has"),
        "anchored",
        paragraph("The opposition has"),
    ),
    Case(
        "many paragraphs moved",
        lambda text: "\n\n".join(PARAGRAPHS[:3] + PARAGRAPHS[3:12][::-1] + PARAGRAPHS[12:]),
        "residents deserved an independent review",
        "anchored",
        "residents deserved an independent review",
    ),
    Case(
        "paragraph split before the quote",
        replace("harbour wall. The memo does", "harbour wall.\n\nThe memo does"),
        UNSAFE,
        "anchored",
        UNSAFE,
    ),
    Case(
        "paragraph split inside the quote",
        replace("harbour wall. The memo does", "harbour wall.\n\nThe memo does"),
        "pushed water to 3.4 metres at the harbour wall. The memo does not say",
        "anchored",
        "pushed water to 3.4 metres at the harbour wall.\n\nThe memo does not say",
    ),
    Case(
        "typo fixed inside the quote",
        replace("chief enginer,", "chief engineer,"),
        "said Ingrid Solberg, the council's chief enginer, in a statement",
        "review",
        "said Ingrid Solberg, the council's chief engineer, in a statement",
        old=WITH_TYPO,
    ),
    Case(
        "word added inside the quote",
        replace("declined to say how much", "declined to say exactly how much"),
        "The ministry declined to say how much money was available.",
        "review",
        "The ministry declined to say exactly how much money was available.",
    ),
    Case(
        "figure corrected inside the quote",
        replace("212 million euros", "218 million euros"),
        "risen from 80 million to 212 million euros",
        "review",
        "risen from 80 million to 218 million euros",
    ),
    Case(
        "words re-cased inside the quote",
        replace("“Build it now”", "“BUILD IT NOW”"),
        "Many held signs that read “Build it now”.",
        "anchored",
        "Many held signs that read “BUILD IT NOW”.",
    ),
    Case(
        "quotation marks changed around the quote",
        lambda text: text.replace("“", '"').replace("”", '"'),
        f"“{SOLBERG}”",
        "anchored",
        f'"{SOLBERG}"',
    ),
    Case(
        "quotation marks changed beside the quote",
        lambda text: text.replace("“", '"').replace("”", '"'),
        SOLBERG,
        "anchored",
        SOLBERG,
    ),
    Case(
        "line breaks reflowed",
        reflow("The engineers' warning", 60),
        "It says the gates were modelled against a surge of 3.1 metres, while the storm",
        "anchored",
        None,  # checked below: the same words, line breaks where the reflow put them
    ),
    Case(
        "double spaces between sentences",
        lambda text: text.replace(". ", ".  "),
        "He told reporters outside the town hall that the city would not wait for the next flood to act. “Every winter",
        "anchored",
        "He told reporters outside the town hall that the city would not wait for the next flood to act.  “Every winter",
    ),
    Case(
        "article cut short, quote kept",
        cut_after("“I have lived"),
        "We are not asking for miracles.",
        "anchored",
        "We are not asking for miracles.",
    ),
    Case(
        "article cut short, quote lost",
        cut_after("“I have lived"),
        "The ministry declined to say how much money was available.",
        "orphaned",
    ),
    Case(
        "quote repeated as a pull quote",
        replace(
            "The opposition has questioned",
            "“We are asking for a wall that works.”\n\nThe opposition has questioned",
        ),
        ANDERSEN,
        "anchored",
        ANDERSEN,
        after="We are not asking for miracles. ",
    ),
    Case(
        "pull quote stays while the original's surroundings change",
        replace("We are not asking for miracles.", "Nobody here expects miracles."),
        ANDERSEN,
        "anchored",
        ANDERSEN,
        after="Nobody here expects miracles. ",
        nth=2,
        old=WITH_PULL_QUOTE,
    ),
    Case(
        "pull quote stays while the original is deleted",
        replace(" “We are not asking for miracles. We are asking for a wall that works.”", ""),
        ANDERSEN,
        "review",
        ANDERSEN,
        after="he said.\n\n“",
        nth=2,
        old=WITH_PULL_QUOTE,
    ),
    Case(
        "one word among many like it",
        chain(
            remove_paragraph("The delay also affects"),
            replace("By Marta Klein, city desk", "By Marta Klein and Jonas Berg, city desk"),
        ),
        "the",
        "anchored",
        "the",
        after="Residents of the lower town, where two hundred homes flooded in December, filled ",
        nth=ARTICLE[: ARTICLE.index("filled the public gallery")].count("the") + 1,
    ),
    Case(
        "one word among many, its sentence rewritten",
        replace(
            "filled the public gallery. Many held signs",
            "crowded into the hall, and many held signs",
        ),
        "the",
        "review",
        "the",
        after="where two hundred homes flooded in December, crowded into ",
        nth=ARTICLE[: ARTICLE.index("filled the public gallery")].count("the") + 1,
    ),
    Case(
        "one word among many, the word beside it changed",
        replace("filled the public gallery", "packed the public gallery"),
        "the",
        "anchored",
        "the",
        after="where two hundred homes flooded in December, packed ",
        nth=ARTICLE[: ARTICLE.index("filled the public gallery")].count("the") + 1,
    ),
    Case(
        "second of identical sentences",
        chain(
            remove_paragraph("The opposition has"),
            replace("Published 14 March", "Published 14 March, updated 15 March"),
        ),
        GAMBLE,
        "anchored",
        GAMBLE,
        after="Until then, the city will keep the temporary barriers along the lower town. “",
        nth=2,
    ),
    Case(
        "second of identical sentences, first one deleted",
        replace(" “Every winter we wait is a winter we gamble,” he said.", ""),
        GAMBLE,
        "anchored",
        GAMBLE,
        after="along the lower town. “",
        nth=2,
    ),
    Case(
        "deleted while an identical copy stays elsewhere",
        replace(" “Every winter we wait is a winter we gamble,” he said.", ""),
        GAMBLE,
        "review",
        GAMBLE,
        after="along the lower town. “",
        nth=1,
    ),
    Case(
        "deleted while a near-duplicate stays",
        replace(" “We will not cut corners on safety,” she said.", ""),
        "We will not cut corners on safety,",
        "orphaned",
        old=WITH_NEAR_DUPLICATE,
    ),
    Case(
        "moved into another paragraph, other surroundings",
        chain(
            replace(" The memo does not say the design is unsafe.", ""),
            replace("in Delft.", "in Delft. The memo does not say the design is unsafe."),
        ),
        UNSAFE,
        "review",
        UNSAFE,
        after="laboratory in Delft. ",
    ),
    Case(
        "annotation spanning paragraphs",
        chain(
            replace("Its cost has since risen", "Its cost has since climbed"),
            replace("Published 14 March", "Published 14 March, updated 15 March"),
        ),
        "She said the tests would take at least six weeks.\n\nThe barrier, a chain of steel gates",
        "anchored",
        "She said the tests would take at least six weeks.\n\nThe barrier, a chain of steel gates",
    ),
    Case(
        "paragraphs merged inside the quote",
        replace("six weeks.\n\nThe barrier, a chain", "six weeks. The barrier, a chain"),
        "at least six weeks.\n\nThe barrier, a chain",
        "anchored",
        "at least six weeks. The barrier, a chain",
    ),
    Case(
        "paragraph inside a long annotation rewritten",
        replace(paragraph("The barrier, a chain"), "The barrier would close the old harbour."),
        "She said the tests would take at least six weeks.\n\n"
        + paragraph("The barrier, a chain")
        + "\n\nMayor Tomas Reiner",
        "orphaned",
    ),
    Case(
        "text replaced entirely",
        lambda text: "The council met on Tuesday. Nothing else was decided.\n",
        SOLBERG,
        "orphaned",
    ),
    Case(
        "start of the text",
        replace("Harbour council delays", "UPDATED\n\nHarbour council delays"),
        "Harbour council delays vote",
        "anchored",
        "Harbour council delays vote",
    ),
    Case(
        "end of the text",
        lambda text: text + "\nA second correction fixed the spelling of a name.\n",
        "gave the wrong date for the engineers' memo.\n",
        "anchored",
        "gave the wrong date for the engineers' memo.\n",
    ),
    Case(
        "sentence before the quote rewritten",
        replace("at the start of the session. She said", "when the session opened. She said"),
        "She said the tests would take at least six weeks.",
        "anchored",
        "She said the tests would take at least six weeks.",
    ),
    Case(
        "sentence rewritten completely",
        replace(UNSAFE, "Nowhere does it call the design dangerous."),
        UNSAFE,
        "orphaned",
    ),
    Case(
        "sentence deleted",
        replace(" He said the firm had not been paid for any work on the barrier.", ""),
        "He said the firm had not been paid for any work on the barrier.",
        "orphaned",
    ),
    Case(
        "paragraph moved and a word fixed inside the quote",
        chain(
            move_paragraph("“I have lived", "The barrier, a chain"),
            replace("for forty years", "for fifty years"),
        ),
        "I have lived by the harbour for forty years",
        "review",
        "I have lived by the harbour for fifty years",
    ),
]


def run(case: Case) -> tuple[str, Placement]:
    new = case.edit(case.old)
    assert new != case.old, "the edit changed nothing"
    anchor = anchor_on(case.old, case.quote, case.nth)
    [placement] = reanchor(case.old, new, [anchor])
    return new, placement


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_reanchors_after_edit(case: Case) -> None:
    new, placement = run(case)
    assert placement.status == case.expected, placement
    if placement.status == "anchored":
        assert placement.start is not None and placement.end is not None
        found = new[placement.start : placement.end]
        if case.words is None:
            assert found.split() == case.quote.split()
        else:
            assert found == case.words
        if case.after is not None:
            assert new[: placement.start].endswith(case.after)
        # Applied without review only when sure.
        assert placement.score >= REVIEW_THRESHOLD
    elif placement.status == "review":
        # The proposal: never the diff's (that would have been applied).
        assert placement.method in {"context", "fuzzy"}
        if case.words is not None:
            assert new[placement.start : placement.end] == case.words
        if case.after is not None:
            assert new[: placement.start].endswith(case.after)
    else:
        assert placement.start is None and placement.end is None


def test_cases_cover_at_least_twenty_edits() -> None:
    assert len({case.id for case in CASES}) == len(CASES) >= 20
    assert len(PARAGRAPHS) >= 12


def test_every_anchor_is_placed_in_order() -> None:
    new = move_paragraph("“I have lived", None)(ARTICLE)
    anchors = [
        anchor_on(ARTICLE, ANDERSEN),
        anchor_on(ARTICLE, UNSAFE),
        anchor_on(ARTICLE, GAMBLE, 2),
    ]
    placements = reanchor(ARTICLE, new, anchors)
    assert [new[p.start : p.end] for p in placements] == [ANDERSEN, UNSAFE, GAMBLE]


def test_same_text_keeps_every_anchor() -> None:
    anchors = [anchor_on(ARTICLE, quote) for quote in (SOLBERG, ANDERSEN, UNSAFE, "the")]
    placements = reanchor(ARTICLE, ARTICLE, anchors)
    assert [(p.status, p.start, p.end) for p in placements] == [
        ("anchored", a.start, a.end) for a in anchors
    ]


def test_no_anchors_gives_no_placements() -> None:
    assert reanchor(ARTICLE, ARTICLE + "More.", []) == []


def test_stale_anchor_is_found_by_search() -> None:
    # Offsets that no longer hold the quote (data made on another text): the
    # quote with its context still decides.
    anchor = anchor_on(ARTICLE, UNSAFE)
    stale = Anchor(anchor.start + 5, anchor.end + 5, anchor.exact, anchor.prefix, anchor.suffix)
    new = replace("Published 14 March", "Published 14 March, updated 15 March")(ARTICLE)
    [placement] = reanchor(ARTICLE, new, [stale])
    assert placement.status == "anchored"
    assert new[placement.start : placement.end] == UNSAFE


def test_empty_anchor_is_orphaned() -> None:
    [placement] = reanchor(ARTICLE, ARTICLE + "x", [Anchor(10, 10, "", "", "")])
    assert placement.status == "orphaned"


def outcome_table() -> str:
    """Edit | expected | got | method | score, one row per case (for the closing note)."""
    rows = ["edit | expected | got | method | score", "--- | --- | --- | --- | ---"]
    for case in CASES:
        _, placement = run(case)
        rows.append(
            f"{case.id} | {case.expected} | {placement.status} | {placement.method} | "
            f"{placement.score:.2f}"
        )
    return "\n".join(rows)


if __name__ == "__main__":
    print(outcome_table())
