"""Find it in the other outlets: the same words in the story's other articles.

From a selection or an annotation, `find_in_story` looks through the other articles
of the article's story: passages holding the exact phrase first, then passages
ranked by the words they share with it (names matched across their spellings, by
the search's own NameVariants), each with the words an editor would annotate there:
the phrase itself, or the sentence that shares most words.
"""

import re
from dataclasses import dataclass

from django.db.models import F
from django.db.models.functions import Substr

from reading.search import Filters, Hit, Search
from sources.models import Article, Passage
from sources.text.query import MAX_TERMS, fold

# Results offered at most, and the words of a selection looked for at most.
MAX_FOUND = 10
MAX_WORDS = MAX_TERMS
_WORD = re.compile(r"\w+")
_SENTENCE = re.compile(r"[^.!?…\n]+[.!?…]*[\"'”’»)]*")


@dataclass
class Found:
    """A passage of another article, and the words in it to annotate."""

    hit: Hit
    article_id: int
    start: int
    end: int
    words: str
    exact_phrase: bool


def find_in_story(article: Article, text: str, editor: bool = True) -> list[Found]:
    """Passages of the story's other articles with `text`'s words, best first."""
    words = _WORD.findall(text)[:MAX_WORDS]
    if not words:
        return []
    filters = Filters(story=article.story.slug, exclude_article=article.pk)
    hits = Search('"' + " ".join(words) + '"', filters=filters, editor=editor).best(MAX_FOUND)
    exact = {hit.id for hit in hits}
    if len(hits) < MAX_FOUND and len(words) > 1:
        shared = Search(" OR ".join(words), filters=filters, editor=editor).best(MAX_FOUND)
        hits += [hit for hit in shared if hit.id not in exact][: MAX_FOUND - len(hits)]
    texts = dict(
        Passage.objects.filter(pk__in=[hit.id for hit in hits])
        .annotate(words=Substr("article__text", F("start") + 1, F("end") - F("start")))
        .values_list("pk", "words")
    )
    found = []
    for hit in hits:
        passage_text = texts.get(hit.id, "")
        span = phrase_span(passage_text, words) if hit.id in exact else None
        is_phrase = span is not None
        if span is None:
            span = best_sentence(passage_text, words)
        start = hit.passage["start"]
        found.append(
            Found(
                hit=hit,
                article_id=hit.passage["article_id"],
                start=start + span[0],
                end=start + span[1],
                words=passage_text[span[0] : span[1]],
                exact_phrase=is_phrase,
            )
        )
    return found


def phrase_span(text: str, words: list[str]) -> tuple[int, int] | None:
    """Where the words stand in `text` in this order, whatever lies between them
    (spaces, punctuation, line breaks) and whatever their case."""
    pattern = r"\W+".join(re.escape(word) for word in words)
    match = re.search(rf"(?<!\w){pattern}(?!\w)", text, re.IGNORECASE)
    return match.span() if match else None


def best_sentence(text: str, words: list[str]) -> tuple[int, int]:
    """The sentence of `text` sharing most words with `words` (compared without case or
    accents, on their first five letters, a rough stem), trimmed of white space."""
    wanted = {_stem(word) for word in words}
    best, best_score = (0, len(text)), -1
    for match in _SENTENCE.finditer(text):
        found = {_stem(word) for word in _WORD.findall(match.group())}
        score = len(found & wanted)
        if score > best_score:
            best, best_score = match.span(), score
    start, end = best
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return (start, end) if start < end else (0, len(text))


def _stem(word: str) -> str:
    return fold(word)[:5]
