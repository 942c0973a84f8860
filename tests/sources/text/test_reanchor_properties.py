"""Property tests: edits that leave an annotation's sentence alone never disturb it.

Random texts are paragraphs of random sentences; one sentence is annotated; random
edits insert, delete, replace and move other paragraphs, move the annotated
sentence's own paragraph, insert and delete other sentences, and change words in
other sentences (the annotated sentence's neighbours included). The annotation must
come back "anchored" on exactly its words, never sent to review.
"""

from dataclasses import dataclass

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from sources.text.anchoring import quote_selector
from sources.text.reanchor import Anchor, reanchor

# Everyday news words; sentences are drawn from them at random.
WORD_LIST = """
harbour council barrier engineer storm surge gate steel wall water winter summer
mayor vote delay cost budget review memo test laboratory result contract firm
ministry fund programme decision autumn spring resident town gallery sign ferry
captain miracle safety margin design figure month year week day night river bridge
road train station school hospital market square church tower street house garden
field forest mountain valley coast island village city country region border army
police court judge lawyer witness report paper letter email phone meeting office
minister party leader member election campaign poll voter speech promise plan law
tax price wage worker union strike factory shop bank loan debt crisis growth said
told asked warned promised denied confirmed rejected approved delayed opened closed
built tested raised cut paid spent wanted needed expected feared hoped new old small
large early late high low long short strong weak public private the a of to in on at
by for with from and but or not never again still
"""
WORDS = WORD_LIST.split()

word = st.sampled_from(WORDS)
sentence = st.lists(word, min_size=5, max_size=12, unique=True)
paragraph = st.lists(sentence, min_size=1, max_size=4)
text_shape = st.lists(paragraph, min_size=3, max_size=8)


def render_sentence(words: list[str]) -> str:
    return " ".join([words[0].capitalize(), *words[1:]]) + "."


def render(paragraphs: list[list[list[str]]]) -> str:
    return "\n\n".join(" ".join(render_sentence(s) for s in p) for p in paragraphs)


@dataclass
class Marked:
    """The text as paragraphs of sentences, the annotated one marked by identity."""

    paragraphs: list[list[list[str]]]
    target: list[str]

    def render(self) -> str:
        return render(self.paragraphs)

    def span(self) -> tuple[int, int]:
        offset = 0
        for p in self.paragraphs:
            for s in p:
                rendered = render_sentence(s)
                if s is self.target:
                    return offset, offset + len(rendered)
                offset += len(rendered) + 1
            offset += 1  # "\n\n" less the " " counted after the last sentence
        raise AssertionError("target lost")

    def target_paragraph(self) -> int:
        return next(n for n, p in enumerate(self.paragraphs) if any(s is self.target for s in p))


EDIT_KINDS = [
    "insert paragraph",
    "delete paragraph",
    "replace paragraph",
    "move paragraph",
    "move its paragraph",
    "replace word",
    "insert word",
    "delete word",
    "insert sentence",
    "delete sentence",
]


@st.composite
def edited(draw: st.DrawFn) -> tuple[str, str, tuple[int, int]]:
    shape = draw(text_shape)
    # Fresh lists so that identity marks the annotated sentence.
    paragraphs = [[list(s) for s in p] for p in shape]
    at_p = draw(st.integers(0, len(paragraphs) - 1))
    at_s = draw(st.integers(0, len(paragraphs[at_p]) - 1))
    marked = Marked(paragraphs, paragraphs[at_p][at_s])
    old_text = marked.render()
    old_span = marked.span()
    for _ in range(draw(st.integers(1, 4))):
        kind = draw(st.sampled_from(EDIT_KINDS))
        ps = marked.paragraphs
        mine = marked.target_paragraph()
        others = [n for n in range(len(ps)) if n != mine]
        if kind == "insert paragraph":
            ps.insert(draw(st.integers(0, len(ps))), [list(s) for s in draw(paragraph)])
        elif kind in {"delete paragraph", "replace paragraph", "move paragraph"} and others:
            n = draw(st.sampled_from(others))
            if kind == "delete paragraph":
                del ps[n]
            elif kind == "replace paragraph":
                ps[n] = [list(s) for s in draw(paragraph)]
            else:
                moving = ps.pop(n)
                ps.insert(draw(st.integers(0, len(ps))), moving)
        elif kind == "move its paragraph":
            moving = ps.pop(mine)
            ps.insert(draw(st.integers(0, len(ps))), moving)
        elif kind == "insert sentence":
            n = draw(st.integers(0, len(ps) - 1))
            ps[n].insert(draw(st.integers(0, len(ps[n]))), list(draw(sentence)))
        else:
            sentences = [s for p in ps for s in p if s is not marked.target]
            if not sentences:
                continue
            chosen = draw(st.sampled_from(sentences))
            if kind == "delete sentence":
                for p in ps:
                    if any(s is chosen for s in p) and len(p) > 1:
                        p[:] = [s for s in p if s is not chosen]
                continue
            at = draw(st.integers(0, len(chosen) - 1))
            if kind == "replace word":
                chosen[at] = draw(word)
            elif kind == "insert word":
                chosen.insert(at, draw(word))
            elif kind == "delete word" and len(chosen) > 1:
                del chosen[at]
    return old_text, marked.render(), old_span, marked.span()


def distinct_sentences(text: str) -> bool:
    """No two sentences share half their words."""
    sentences = [set(s.lower().split()) for s in text.replace("\n", " ").split(".") if s.strip()]
    return all(
        len(a & b) * 2 < min(len(a), len(b))
        for n, a in enumerate(sentences)
        for b in sentences[n + 1 :]
    )


@settings(max_examples=200, deadline=None)
@given(edited())
def test_untouched_sentence_stays_anchored_exactly(case: tuple) -> None:
    old_text, new_text, (start, end), (new_start, new_end) = case
    exact = old_text[start:end]
    # Texts repeating a sentence, or near enough, are left out: which copy an edit
    # removed is anyone's guess there, and review is the honest answer (the
    # example table covers identical and near-identical sentences).
    assume(distinct_sentences(old_text) and distinct_sentences(new_text))
    selector = quote_selector(old_text, start, end)
    anchor = Anchor(start, end, exact, selector.prefix, selector.suffix)
    [placement] = reanchor(old_text, new_text, [anchor])
    assert placement.status == "anchored", placement
    assert (placement.start, placement.end) == (new_start, new_end)
    assert new_text[placement.start : placement.end] == exact


@settings(max_examples=200, deadline=None)
@given(text_shape, st.lists(st.tuples(st.integers(0, 10_000), st.integers(1, 80)), max_size=6))
def test_same_text_keeps_every_anchor(shape: list, spans: list) -> None:
    text = render(shape)
    anchors = []
    for at, length in spans:
        start = at % len(text)
        end = min(len(text), start + length)
        selector = quote_selector(text, start, end)
        anchors.append(Anchor(start, end, selector.exact, selector.prefix, selector.suffix))
    placements = reanchor(text, text, anchors)
    assert [(p.status, p.start, p.end) for p in placements] == [
        ("anchored", a.start, a.end) for a in anchors
    ]


@settings(max_examples=200, deadline=None)
@given(edited())
def test_placements_are_always_well_formed(case: tuple) -> None:
    old_text, new_text, (start, end), _ = case
    # Any span of the old text, not only a sentence.
    mid = (start + end) // 2
    for a, b in ((start, mid), (mid, end), (max(0, start - 7), min(len(old_text), end + 3))):
        if a >= b:
            continue
        selector = quote_selector(old_text, a, b)
        anchor = Anchor(a, b, selector.exact, selector.prefix, selector.suffix)
        [placement] = reanchor(old_text, new_text, [anchor])
        assert placement.status in {"anchored", "review", "orphaned"}
        assert 0.0 <= placement.score <= 1.0
        if placement.status == "orphaned":
            assert placement.start is None and placement.end is None
        if placement.start is not None:
            assert placement.end is not None
            assert 0 <= placement.start < placement.end <= len(new_text)
        if placement.status == "anchored":
            found = new_text[placement.start : placement.end]
            # Applied only when the words are the same (up to quotation marks,
            # whitespace and case).
            assert (
                found.split() == anchor.exact.split() or found.casefold() == anchor.exact.casefold()
            )
