"""Timing of re-anchoring after a correction, on generated articles.

    .venv/bin/python bench/reanchor.py

Builds articles of 1,000 and 20,000 words (paragraphs of invented sentences),
puts 10 and 400 annotations on random sentences and runs of words, applies a typical correction
(paragraphs added, removed and moved, words fixed here and there) and prints how
long `reanchor` takes and how the annotations came out. Timings are printed,
never asserted.
"""

import random
import re
import statistics
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sources.text.anchoring import quote_selector
from sources.text.reanchor import Anchor, reanchor

COMMON_WORDS = """
the a of to in and that for on with as was at by from his her their it said not
but had has have will would could after before over under into
"""
COMMON = COMMON_WORDS.split()
# Invented words are made of these.
SYLLABLE_LIST = "ka lo mi ne ru sa ti vo be da fe gi ho ju ki la mo nu pe ri so tu"
SYLLABLES = SYLLABLE_LIST.split()


def vocabulary(rng: random.Random, size: int) -> list[str]:
    words = set()
    while len(words) < size:
        words.add("".join(rng.choice(SYLLABLES) for _ in range(rng.randint(1, 4))))
    return sorted(words)


def sentence(rng: random.Random, rare: list[str]) -> str:
    words = [
        rng.choice(COMMON) if rng.random() < 0.45 else rng.choice(rare)
        for _ in range(rng.randint(8, 24))
    ]
    text = " ".join(words).capitalize() + rng.choice([".", ".", ".", "?"])
    if rng.random() < 0.2:
        text = f"“{text}” {rng.choice(rare).capitalize()} said."
    return text


def article(rng: random.Random, words: int) -> list[str]:
    rare = vocabulary(rng, max(300, words // 8))
    paragraphs: list[str] = []
    count = 0
    while count < words:
        paragraph = " ".join(sentence(rng, rare) for _ in range(rng.randint(2, 6)))
        paragraphs.append(paragraph)
        count += len(paragraph.split())
    return paragraphs


def correct(rng: random.Random, paragraphs: list[str]) -> list[str]:
    """A typical correction: a few paragraphs added, removed and moved, words fixed."""
    edited = list(paragraphs)
    rare = vocabulary(rng, 200)
    for _ in range(max(1, len(edited) // 40)):
        edited.insert(rng.randrange(len(edited)), " ".join(sentence(rng, rare) for _ in range(3)))
        del edited[rng.randrange(len(edited))]
        moving = edited.pop(rng.randrange(len(edited)))
        edited.insert(rng.randrange(len(edited)), moving)
    for _ in range(max(2, len(edited) // 10)):
        n = rng.randrange(len(edited))
        words = edited[n].split(" ")
        words[rng.randrange(len(words))] = rng.choice(rare)
        edited[n] = " ".join(words)
    return edited


def anchors_on(rng: random.Random, text: str, count: int) -> list[Anchor]:
    """Annotations on random runs of 1 to 30 words (whole sentences one time in three)."""
    words = [m.span() for m in re.finditer(r"\S+", text)]
    sentence_starts = [0] + [i + 2 for i in range(len(text)) if text.startswith(". ", i)]
    anchors = []
    while len(anchors) < count:
        if rng.random() < 1 / 3:
            start = rng.choice(sentence_starts)
            end = text.find(".", start) + 1
        else:
            first = rng.randrange(len(words))
            last = min(len(words) - 1, first + rng.randint(0, 29))
            start, end = words[first][0], words[last][1]
        if end <= start:
            continue
        selector = quote_selector(text, start, end)
        anchors.append(Anchor(start, end, selector.exact, selector.prefix, selector.suffix))
    return anchors


def main() -> None:
    rng = random.Random(10)
    print(f"{'words':>6} {'anchors':>7} {'median ms':>9} {'max ms':>7}  outcomes")
    for words in (1_000, 20_000):
        paragraphs = article(rng, words)
        old = "\n\n".join(paragraphs)
        new = "\n\n".join(correct(rng, paragraphs))
        for count in (10, 400):
            anchors = anchors_on(rng, old, count)
            timings = []
            for _ in range(5):
                began = time.perf_counter()
                placements = reanchor(old, new, anchors)
                timings.append((time.perf_counter() - began) * 1000)
            outcomes = Counter(f"{p.status}/{p.method}" for p in placements)
            print(
                f"{len(old.split()):>6} {len(anchors):>7} {statistics.median(timings):>9.1f} "
                f"{max(timings):>7.1f}  {dict(sorted(outcomes.items()))}"
            )


if __name__ == "__main__":
    main()
