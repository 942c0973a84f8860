"""What a person types into a search box, read the way web search engines read it.

    close the sky          every word (in any order)
    "close the sky"        the phrase, its words in that order
    -nato   -"no fly"      not this word, not this phrase
    sky OR airspace        either (OR binds the items either side of it)

Punctuation is a separator, as it is in the index: "no-fly" and "don't" are the
phrases "no fly" and "don t". An unbalanced quotation mark runs to the end. The
parse never fails: absurd input gives a query with nothing to look for
(`Query.empty`), which the page answers with a message, not an error.

`Query.expand` adds the variants of names ("Zelensky", "Zelenskyy", "Зеленский")
to each word that is one of them. Backends render the result: PostgreSQL as a
tsquery built from websearch_to_tsquery leaves, SQLite as an FTS5 expression.
Pure functions: no Django.
"""

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

# Bounds on what one query may ask: a longer text is cut (and the page says so).
MAX_QUERY_CHARS = 300
MAX_TERMS = 24
MAX_VARIANTS = 8

# A phrase in quotes (the closing one optional), a word, or anything else.
_PIECE = re.compile(r'(-?)"([^"]*)"?|(\S+)')
_WORD = re.compile(r"\w+")
_QUOTES = str.maketrans({"“": '"', "”": '"', "„": '"', "«": '"', "»": '"', "″": '"'})


@dataclass(frozen=True)
class Term:
    """Words to find: one word, or a phrase of several in order."""

    words: tuple[str, ...]

    @property
    def phrase(self) -> bool:
        return len(self.words) > 1

    @property
    def text(self) -> str:
        return " ".join(self.words)


@dataclass(frozen=True)
class Clause:
    """One of these terms must be found (one term: that term)."""

    terms: tuple[Term, ...]


@dataclass(frozen=True)
class Query:
    """All clauses must be found and none of the excluded terms."""

    clauses: tuple[Clause, ...] = ()
    excluded: tuple[Term, ...] = ()
    # True when the text was longer than MAX_QUERY_CHARS or held more than MAX_TERMS terms.
    cut: bool = False
    notes: tuple[str, ...] = field(default=())

    @property
    def empty(self) -> bool:
        """Nothing to look for: no clause (a query of exclusions only finds nothing)."""
        return not self.clauses

    def terms(self) -> list[Term]:
        """Every term looked for, in order (for highlighting and messages)."""
        return [term for clause in self.clauses for term in clause.terms]

    def expand(self, variants: Mapping[str, Iterable[str]]) -> "Query":
        """Each one-word term that is a name variant ORed with the name's other variants.

        `variants` maps a folded word (see `fold`) to all the spellings of its name.
        """
        if not variants:
            return self

        def widen(terms: tuple[Term, ...]) -> tuple[Term, ...]:
            out: list[Term] = []
            for term in terms:
                out.append(term)
                if term.phrase:
                    continue
                for spelling in list(variants.get(fold(term.words[0]), ()))[:MAX_VARIANTS]:
                    other = Term(tuple(_WORD.findall(spelling.lower())))
                    if other.words and other not in out:
                        out.append(other)
            return tuple(out)

        return Query(
            clauses=tuple(Clause(widen(clause.terms)) for clause in self.clauses),
            excluded=widen(self.excluded),
            cut=self.cut,
            notes=self.notes,
        )


def fold(word: str) -> str:
    """A word without case or accents: how name variants are matched."""
    decomposed = unicodedata.normalize("NFKD", word.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def cut_at_word(text: str, limit: int) -> str:
    """`text` cut to at most `limit` characters, between words where there is a space."""
    if len(text) <= limit:
        return text
    head = text[: limit + 1]
    space = head.rstrip().rfind(" ")
    return head[:space] if space > 0 else text[:limit]


def _term(text: str) -> Term | None:
    words = tuple(word.lower() for word in _WORD.findall(text))
    return Term(words) if words else None


def parse(text: str) -> Query:
    """Read a search box's text. Never raises."""
    text = unicodedata.normalize("NFC", text or "").translate(_QUOTES)
    text = "".join(c if c.isprintable() else " " for c in text)
    cut = len(text) > MAX_QUERY_CHARS
    if cut:
        text = cut_at_word(text, MAX_QUERY_CHARS)

    clauses: list[list[Term]] = []
    excluded: list[Term] = []
    join_next = False  # the previous item was followed by OR
    count = 0
    for match in _PIECE.finditer(text):
        negated, quoted, bare = match.group(1), match.group(2), match.group(3)
        if bare is not None:
            if bare == "OR" or bare == "or":
                join_next = bool(clauses)
                continue
            negated = "-" if bare.startswith("-") else ""
            bare = bare.lstrip("-")
            pieces = [bare]
        else:
            pieces = [quoted]
        # A bare piece with punctuation inside ("no-fly") is a phrase of its words;
        # a bare piece of words and spaces cannot happen (\S+).
        term = _term(pieces[0])
        if term is None:
            join_next = False
            continue
        repeated = term in excluded if negated else (not join_next and [term] in clauses)
        if repeated:
            continue
        if count >= MAX_TERMS:
            cut = True
            break
        count += 1
        if negated:
            excluded.append(term)
            join_next = False
        elif join_next and clauses:
            if term not in clauses[-1]:
                clauses[-1].append(term)
            join_next = False
        else:
            clauses.append([term])
    unique: list[Clause] = []
    for terms in clauses:
        clause = Clause(tuple(terms))
        if clause not in unique:
            unique.append(clause)
    return Query(clauses=tuple(unique), excluded=tuple(dict.fromkeys(excluded)), cut=cut)


def fts5_expression(query: Query) -> str:
    """The query as an SQLite FTS5 MATCH expression; "" when it is empty.

    Every term is quoted (a word or a phrase, FTS5's own syntax never reaches it), OR
    groups are parenthesised, exclusions are FTS5's binary NOT."""

    def quoted(term: Term) -> str:
        return '"' + " ".join(term.words).replace('"', '""') + '"'

    if query.empty:
        return ""
    parts = []
    for clause in query.clauses:
        inner = " OR ".join(quoted(term) for term in clause.terms)
        parts.append(f"({inner})" if len(clause.terms) > 1 else inner)
    expression = " AND ".join(parts)
    for term in query.excluded:
        expression = f"({expression}) NOT {quoted(term)}"
    return expression
