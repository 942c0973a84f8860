"""Annotations in the W3C Web Annotation format (https://www.w3.org/TR/annotation-model/):
written out as JSON-LD, one at a time or in collections and pages, and read in from
what other tools (Hypothesis's JSON-LD export, another Parallax) made.

Writing. An annotation becomes:

- `id`: its permalink page's address, made absolute with the site's address the caller
  gives; `created`, `modified` in UTC; `creator`: a Person named by the username.
- `body`: each tag a TextualBody for "tagging" (in the order they were added); the claim a
  SpecificResource for "classifying" whose source is the claim's page, labelled with its
  statement (a draft claim only when `show_drafts`: readers never see drafts). Not a
  TextualBody with the page as its id: the WG's tests take a body with an id and no
  source for an External Web Resource, which may not have a purpose. The stance a
  TextualBody for "assessing" whose value is the stance's name ("disputes"); the note a
  plain-text TextualBody for "commenting". The note has no `language`: Parallax does not
  record the language an editor writes in, and the article's is not it.
- `motivation`: what the annotation mainly does: "classifying" under a claim, else
  "commenting" with a note, "assessing" with a stance, "tagging" with tags, and
  "highlighting" a bare span.
- `target`: a SpecificResource whose `source` is the outlet's original address
  (Article.url) when the article has one, so that tools annotating the original page
  (Hypothesis) find it; else the article's page here. With an original address,
  `scope` is the article's page here, where the text was annotated. Its selectors: a
  TextQuoteSelector (the exact words, 32 characters of context each side, from our text)
  and, for an annotation anchored on the current text, a TextPositionSelector: offsets in
  Parallax's text of the article, counted in code points. The original page's text is
  laid out differently, so readers of the format (this one included) anchor by the quote
  and take the position as a hint. An annotation in review or orphaned keeps a quote of
  an earlier text, and so gets no position.

Reading. `import_annotations` takes parsed JSON: one Annotation, an AnnotationCollection
(with its pages embedded), an AnnotationPage, or a list of them. Each annotation is
placed on our article whose address is its target's `source` (the outlet's address,
give or take trivia: http or https, a final slash, a fragment; or our article page's
address), by its TextQuoteSelector searched for in OUR text with the search a correction
uses to find annotations again (sources.text.reanchor): quotation marks, dashes,
non-breaking spaces, runs of white space and case do not matter, the context chooses
among repeats, the TextPositionSelector is only a hint between equal places. A quote
whose own words are not in our text is looked for by its context, as a correction
follows words that changed (at most MAX_CONTEXT_SEARCHES per import). Then:

- found with confidence: created, anchored, as the annotate page creates one
  (annotations.editing.create_annotation: the same history row, tags proposed for names
  outside the vocabulary);
- found without confidence: created the same way, then put in review at the proposed
  place, keeping the words the other tool quoted, as a correction does;
- not found, or not an annotation we can hold: refused, with the reason, and nothing of
  it is stored (each annotation is written in its own atomic block).
"""

import re
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC
from urllib.parse import urljoin, urlsplit, urlunsplit

from django.core.exceptions import ValidationError
from django.db import DatabaseError, transaction
from django.db.models import QuerySet
from django.urls import Resolver404, get_script_prefix, resolve

from annotations.editing import create_annotation
from annotations.forms import MAX_TAGS, split_tags
from annotations.models import (
    CLAIM_STATEMENT_MAX_LENGTH,
    Annotation,
    AnnotationRevision,
    Claim,
    ClaimAlias,
    tag_name_problem,
)
from sources.models import Article
from sources.text.reanchor import ANCHORED, REVIEW, Anchor, Placement, normalise, reanchor

ANNO_CONTEXT = "http://www.w3.org/ns/anno.jsonld"
# The media type of the format (Web Annotation Protocol, 4): what an API answers with
# and what a client asks for in its Accept header.
MEDIA_TYPE = 'application/ld+json; profile="http://www.w3.org/ns/anno.jsonld"'

# Bounds of one import, each checked while the input is read; the message names it.
# Annotations per call: a larger export is imported in several calls.
MAX_ANNOTATIONS = 1_000
# An annotation's quote, as the annotate form takes it.
MAX_QUOTE_LENGTH = 20_000
# Context beyond this many characters is cut (the nearest characters are kept): it only
# chooses among repeats, and the form takes no more.
MAX_CONTEXT_LENGTH = 200
# Bodies per annotation, whatever they are (tags, notes, claim, stance).
MAX_BODIES = 50
# Selectors of a target read, refinements included (Hypothesis writes three); the rest
# are ignored.
MAX_SELECTORS = 20
# A note, as the annotate form takes it.
MAX_NOTE_LENGTH = 5_000
# Pages of a collection followed through their embedded `next`.
MAX_PAGES = 100
# Quotes whose own words are not in our text are looked for by their context, which
# diffs it against the whole text (some 70 ms for an article of 100,000 characters): at
# most this many per import. Beyond, they are refused saying so.
MAX_CONTEXT_SEARCHES = 20
# How many characters of the context just before and after a quote must be in our text
# for that search to be worth making.
CONTEXT_PROBE = 16
# The method of a placement that was not searched for (MAX_CONTEXT_SEARCHES).
NOT_SEARCHED = "not searched"
# Nesting of the JSON document. Checking it is the caller's job, while parsing (Python's
# json module recurses); the reader here only walks the keys it knows.
MAX_JSON_DEPTH = 32

Status = Annotation.AnchorStatus


# Writing ----------------------------------------------------------------------------


def for_w3c(annotations: QuerySet[Annotation]) -> QuerySet[Annotation]:
    """What annotation_to_w3c reads, in two queries whatever the count: the annotations
    with their claim, author and article (not its text), then their tags."""
    return (
        annotations.with_details().select_related("article").defer("article__text", "article__raw")
    )


def annotation_to_w3c(
    annotation: Annotation, base_url: str, *, show_drafts: bool = False, address: str = ""
) -> dict:
    """One annotation as a W3C Web Annotation (JSON-LD). `base_url` is the site's address
    ("https://parallax.example/"), which makes our paths absolute. `address`, when given,
    is its `id` instead of its permalink page's: the API's, which answers in this format."""
    claim = annotation.claim if annotation.claim_id else None
    if claim is not None and not (show_drafts or claim.is_published):
        claim = None
    bodies: list[dict] = [
        {"type": "TextualBody", "purpose": "tagging", "value": tag.name}
        for tag in annotation.tag_list
    ]
    if claim is not None:
        bodies.append(
            {
                "type": "SpecificResource",
                "purpose": "classifying",
                "source": {
                    "id": urljoin(base_url, claim.get_absolute_url()),
                    "type": "Text",
                    "format": "text/html",
                    "label": claim.statement,
                },
            }
        )
    if annotation.stance:
        bodies.append({"type": "TextualBody", "purpose": "assessing", "value": annotation.stance})
    if annotation.note:
        bodies.append(
            {
                "type": "TextualBody",
                "purpose": "commenting",
                "value": annotation.note,
                "format": "text/plain",
            }
        )
    data = {
        "@context": ANNO_CONTEXT,
        "id": address or urljoin(base_url, annotation.get_absolute_url()),
        "type": "Annotation",
        "motivation": _motivation(annotation, claim),
        "created": _date_time(annotation.created),
        "modified": _date_time(annotation.modified),
    }
    if annotation.author_id:
        data["creator"] = {"type": "Person", "name": annotation.author.get_username()}
    if bodies:
        data["body"] = bodies
    data["target"] = _target(annotation, base_url)
    return data


def _motivation(annotation: Annotation, claim: Claim | None) -> str:
    if claim is not None:
        return "classifying"
    if annotation.note:
        return "commenting"
    if annotation.stance:
        return "assessing"
    if annotation.tag_list:
        return "tagging"
    return "highlighting"


def _date_time(value) -> str:
    """xsd:dateTime in UTC, to the second ("2026-03-01T09:30:00Z")."""
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _target(annotation: Annotation, base_url: str) -> dict:
    article = annotation.article
    ours = urljoin(base_url, article.get_absolute_url())
    original = article.url if _is_web_address(article.url) else ""
    selectors: list[dict] = [
        {
            "type": "TextQuoteSelector",
            "exact": annotation.exact,
            "prefix": annotation.prefix,
            "suffix": annotation.suffix,
        }
    ]
    # In review or orphaned, the offsets point into an earlier text than the source's.
    if annotation.anchor_status == Status.ANCHORED:
        selectors.append(
            {"type": "TextPositionSelector", "start": annotation.start, "end": annotation.end}
        )
    target = {"type": "SpecificResource", "source": original or ours}
    if original:
        target["scope"] = ours
    target["selector"] = selectors
    return target


def _is_web_address(url: str) -> bool:
    parts = urlsplit(url or "")
    return parts.scheme in ("http", "https") and bool(parts.netloc) and not re.search(r"\s", url)


def annotation_collection(
    collection_id: str,
    *,
    label: str,
    total: int | None = None,
    first: str | dict | None = None,
    last: str | None = None,
) -> dict:
    """An AnnotationCollection: its address, label, how many annotations it holds (when the
    caller knows: nothing here counts) and its first and last pages' addresses (`first`
    may be the first page itself, from annotation_page, embedded)."""
    data: dict = {
        "@context": ANNO_CONTEXT,
        "id": collection_id,
        "type": "AnnotationCollection",
        "label": label,
    }
    if total is not None:
        data["total"] = total
    if first is not None:
        data["first"] = _embedded(first) if isinstance(first, dict) else first
    if last is not None:
        data["last"] = last
    return data


def annotation_page(
    page_id: str,
    items: Iterable[dict],
    *,
    start_index: int,
    part_of: dict | str | None = None,
    next_page: str | None = None,
    prev_page: str | None = None,
) -> dict:
    """An AnnotationPage of `items` (from annotation_to_w3c) starting at the collection's
    `start_index` (0 for the first), with the collection it is part of (from
    annotation_collection: its address, label, total, first and last come along) and the
    addresses of the next and previous pages."""
    data: dict = {"@context": ANNO_CONTEXT, "id": page_id, "type": "AnnotationPage"}
    if part_of is not None:
        # An object, not the bare address: the WG's page assertions read total, first and
        # last inside it.
        collection = {"id": part_of} if isinstance(part_of, str) else _embedded(part_of)
        data["partOf"] = collection
    if next_page is not None:
        data["next"] = next_page
    if prev_page is not None:
        data["prev"] = prev_page
    data["startIndex"] = start_index
    data["items"] = [_embedded(item) for item in items]
    return data


def _embedded(resource: dict) -> dict:
    """A resource inside another: the outer document's @context covers it."""
    return {key: value for key, value in resource.items() if key != "@context"}


# Reading ------------------------------------------------------------------------------


class ImportRefused(Exception):
    """The input as a whole cannot be imported; nothing was stored. The message says why."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


CREATED = "created"
IN_REVIEW = "review"
REFUSED = "refused"


@dataclass
class Outcome:
    """What became of one annotation of the input (`index`: its place in it, from 0)."""

    index: int
    status: str
    # The annotation's own id in the input, if it had one.
    source_id: str = ""
    reason: str = ""
    annotation: Annotation | None = None
    # Names of its tags that are proposed, not in the vocabulary.
    proposed_tags: list[str] = field(default_factory=list)
    # What was not kept, or was made along the way (a new claim).
    notes: list[str] = field(default_factory=list)


@dataclass
class ImportReport:
    outcomes: list[Outcome]

    def count(self, status: str) -> int:
        return sum(1 for outcome in self.outcomes if outcome.status == status)

    @property
    def counts(self) -> dict[str, int]:
        return {status: self.count(status) for status in (CREATED, IN_REVIEW, REFUSED)}


class _Refusal(Exception):
    """One annotation cannot be imported; the message says why."""


@dataclass
class _Incoming:
    """What an annotation of the input says, checked and bounded."""

    source: str
    exact: str
    prefix: str
    suffix: str
    # The TextPositionSelector's offsets, when it had valid ones.
    position: tuple[int, int] | None
    tags: list[str]
    note: str
    stance: str
    claim_id: str
    claim_statement: str
    notes: list[str]


def import_annotations(data, user, *, base_url: str, onto: Article | None = None) -> ImportReport:
    """Import annotations another tool wrote in the W3C format; see the module docstring.

    `data` is parsed JSON (depth bounded by the caller, MAX_JSON_DEPTH); `user` becomes
    their author; `base_url` is this site's address, to recognise our own article and
    claim pages. `onto`, when given, is the article every annotation goes on, whatever
    its source says (annotations made on another copy of the text).

    Raises ImportRefused, storing nothing, when the input is not annotations at all or
    holds more than MAX_ANNOTATIONS; otherwise returns one Outcome per annotation.
    """
    if not isinstance(data, dict | list):
        raise ImportRefused("This is not W3C annotations: expected an object or a list.")
    items = _annotations_in(data)
    outcomes = [Outcome(index, REFUSED) for index in range(len(items))]
    incoming: dict[int, _Incoming] = {}
    for index, item in enumerate(items):
        outcomes[index].source_id = _source_id(item)
        try:
            incoming[index] = _read(item)
        except _Refusal as refusal:
            outcomes[index].reason = str(refusal)
    articles = _ArticleFinder(base_url)
    target: dict[int, Article] = {}
    for index, annotation in incoming.items():
        article = onto or articles.find(annotation.source)
        if article is None:
            outcomes[index].reason = f"No article here has the address “{annotation.source[:200]}”."
        else:
            target[index] = article
    # Each article's text is searched once for all of its annotations.
    placements: dict[int, Placement] = {}
    for article in {article.pk: article for article in target.values()}.values():
        indices = [index for index, each in target.items() if each.pk == article.pk]
        found = _place(article.text, [incoming[index] for index in indices])
        placements.update(zip(indices, found, strict=True))
    # Written in the input's order.
    for index in sorted(target):
        outcomes[index].notes = list(incoming[index].notes)
        _write(outcomes[index], target[index], incoming[index], placements[index], user)
    return ImportReport(outcomes)


def _annotations_in(data) -> list:
    """The annotations of the input, in order, from whatever holds them."""
    found: list = []
    pending = deque(data if isinstance(data, list) else [data])
    pages = 0
    while pending:
        item = pending.popleft()
        types = _types(item)
        if "AnnotationCollection" in types or "AnnotationPage" in types:
            pages += 1
            if pages > MAX_PAGES:
                raise ImportRefused(f"More than {MAX_PAGES} pages: import them in several parts.")
            page = item.get("first") if "AnnotationCollection" in types else item
            if page is None:
                continue
            if not isinstance(page, dict):
                raise ImportRefused(
                    "The collection's pages are not in the file: import each page "
                    "(its items must be included, not only its address)."
                )
            items = page.get("items", [])
            if not isinstance(items, list):
                raise ImportRefused("A page's items are not a list.")
            if len(items) + len(found) > MAX_ANNOTATIONS:
                raise ImportRefused(
                    f"More than {MAX_ANNOTATIONS} annotations: import them in several parts."
                )
            # Pages embedded one after another: their items come next, then later pages.
            following = [page["next"]] if isinstance(page.get("next"), dict) else []
            pending.extendleft(reversed(items + following))
            continue
        found.append(item)
        if len(found) > MAX_ANNOTATIONS:
            raise ImportRefused(
                f"More than {MAX_ANNOTATIONS} annotations: import them in several parts."
            )
    return found


def _types(item) -> set[str]:
    if not isinstance(item, dict):
        return set()
    value = item.get("type", item.get("@type"))
    values = value if isinstance(value, list) else [value]
    return {v for v in values if isinstance(v, str)}


def _source_id(item) -> str:
    value = item.get("id", item.get("@id")) if isinstance(item, dict) else None
    return value[:2000] if isinstance(value, str) else ""


def _read(item) -> _Incoming:
    """The annotation's parts, checked; raises _Refusal saying what is wrong."""
    if not isinstance(item, dict):
        raise _Refusal("Malformed: an annotation must be a JSON object.")
    if "Annotation" not in _types(item):
        raise _Refusal("Malformed: its type is not “Annotation”.")
    source, selectors = _target_of(item.get("target"))
    quote = next((s for s in selectors if s.get("type") == "TextQuoteSelector"), None)
    if quote is None:
        raise _Refusal("It has no TextQuoteSelector: Parallax anchors annotations by their quote.")
    exact, prefix, suffix = (quote.get(key, "") for key in ("exact", "prefix", "suffix"))
    if not all(isinstance(value, str) for value in (exact, prefix, suffix)):
        raise _Refusal("Malformed: the TextQuoteSelector's exact, prefix and suffix must be text.")
    if not exact.strip():
        raise _Refusal("The TextQuoteSelector quotes no words.")
    if len(exact) > MAX_QUOTE_LENGTH:
        raise _Refusal(
            f"Too large: the quote has {len(exact):,} characters, at most {MAX_QUOTE_LENGTH:,}."
        )
    incoming = _Incoming(
        source=source,
        exact=exact,
        prefix=prefix[-MAX_CONTEXT_LENGTH:],
        suffix=suffix[:MAX_CONTEXT_LENGTH],
        position=_position(selectors),
        tags=[],
        note="",
        stance="",
        claim_id="",
        claim_statement="",
        notes=[],
    )
    _read_bodies(item, incoming)
    return incoming


def _target_of(target) -> tuple[str, list[dict]]:
    """The source and selectors of the annotation's one textual target."""
    targets = target if isinstance(target, list) else [target]
    resources = [t for t in targets if isinstance(t, dict) and "selector" in t]
    if not resources:
        raise _Refusal("It has no TextQuoteSelector: Parallax anchors annotations by their quote.")
    if len(resources) > 1:
        raise _Refusal(
            f"It targets {len(resources)} places; a Parallax annotation holds one span of text."
        )
    resource = resources[0]
    source = resource.get("source")
    if isinstance(source, dict):
        source = source.get("id", source.get("@id"))
    if not isinstance(source, str) or not source.strip():
        raise _Refusal("Malformed: its target has no source address.")
    selector = resource["selector"]
    selectors = selector if isinstance(selector, list) else [selector]
    # A selector may refine another (a fragment, then a quote within it): the quote counts
    # wherever it stands; offsets within another selector say nothing about ours.
    flat: list[dict] = []
    for each in selectors[:MAX_SELECTORS]:
        depth = 0
        while isinstance(each, dict) and depth < 4:
            flat.append(each)
            each = each.get("refinedBy")
            depth += 1
    return source.strip(), flat


def _position(selectors: list[dict]) -> tuple[int, int] | None:
    for selector in selectors:
        if selector.get("type") != "TextPositionSelector":
            continue
        start, end = selector.get("start"), selector.get("end")
        if type(start) is int and type(end) is int and 0 <= start < end:
            return start, end
    return None


def _read_bodies(item: dict, incoming: _Incoming) -> None:
    bodies = item.get("body", [])
    bodies = bodies if isinstance(bodies, list) else [bodies]
    if isinstance(item.get("bodyValue"), str):
        bodies = [*bodies, {"type": "TextualBody", "value": item["bodyValue"]}]
    if len(bodies) > MAX_BODIES:
        raise _Refusal(f"Too large: {len(bodies)} bodies, at most {MAX_BODIES}.")
    # A body without a purpose does what the annotation does ("commenting" by default).
    motivation = item.get("motivation")
    default = motivation if isinstance(motivation, str) else "commenting"
    notes: list[str] = []
    tags: list[str] = []
    for body in bodies:
        if isinstance(body, str):
            if _claim_slug(body) is None:
                incoming.notes.append(f"The body “{body[:200]}” (an address) was not kept.")
            else:
                incoming.claim_id = body
            continue
        if not isinstance(body, dict):
            raise _Refusal("Malformed: a body must be an object or an address.")
        purposes = body.get("purpose", default)
        purposes = purposes if isinstance(purposes, list) else [purposes]
        value = body.get("value")
        if "tagging" in purposes and isinstance(value, str):
            tags.extend(split_tags(value))
        elif "classifying" in purposes and (claim := _claim_parts(body)) != ("", ""):
            incoming.claim_id, incoming.claim_statement = claim
        elif "assessing" in purposes and isinstance(value, str):
            incoming.stance = _stance(value, incoming)
        elif isinstance(value, str):
            if value.strip():
                notes.append(value.strip())
        else:
            kind = ", ".join(sorted(_types(body))) or "without a value"
            incoming.notes.append(f"A body ({kind}) was not kept: only text bodies are.")
    incoming.tags = list(dict.fromkeys(tags))
    if len(incoming.tags) > MAX_TAGS:
        raise _Refusal(f"Too large: {len(incoming.tags)} tags, at most {MAX_TAGS}.")
    for name in incoming.tags:
        if problem := tag_name_problem(name):
            raise _Refusal(problem)
    incoming.note = "\n\n".join(notes)
    if len(incoming.note) > MAX_NOTE_LENGTH:
        raise _Refusal(
            f"Too large: the note has {len(incoming.note):,} characters, "
            f"at most {MAX_NOTE_LENGTH:,}."
        )
    if len(incoming.claim_statement) > CLAIM_STATEMENT_MAX_LENGTH:
        raise _Refusal(
            f"Too large: the claim has {len(incoming.claim_statement)} characters, "
            f"at most {CLAIM_STATEMENT_MAX_LENGTH}."
        )


def _claim_parts(body: dict) -> tuple[str, str]:
    """The address and statement of a classifying body, either as we write it (a
    SpecificResource whose source is the claim's page, labelled with the statement) or
    as a TextualBody (the statement its value, the address its id)."""
    source = body.get("source")
    resource = source if isinstance(source, dict) else body
    address = source if isinstance(source, str) else resource.get("id", resource.get("@id"))
    statement = body.get("value", resource.get("label"))
    return (
        address if isinstance(address, str) else "",
        " ".join(statement.split()) if isinstance(statement, str) else "",
    )


def _stance(value: str, incoming: _Incoming) -> str:
    wanted = value.strip().casefold()
    for stance in Annotation.Stance:
        if wanted in (stance.value, stance.label.casefold()):
            return stance.value
    incoming.notes.append(f"The stance “{value[:100]}” is not one of Parallax's: not kept.")
    return ""


def _claim_slug(address: str) -> str | None:
    """The slug of our claim page at `address`, if it is one (any host: the claim is then
    looked for by slug in the article's story, and by statement otherwise)."""
    match = _our_route(address)
    if match is None or match.view_name != "reading:claim":
        return None
    return match.kwargs.get("slug")


def _our_route(address: str):
    """The route of one of our pages at `address`, or None."""
    try:
        path = urlsplit(address).path
    except ValueError:
        return None
    prefix = get_script_prefix()
    if not path.startswith(prefix):
        return None
    try:
        return resolve("/" + path[len(prefix) :])
    except Resolver404:
        return None


class _ArticleFinder:
    """Our article at an address: the outlet's original one, spelled with trivial
    differences, or our article page's. One query per distinct address (an export names
    a few; at most MAX_ANNOTATIONS), through the unique index on Article.url."""

    def __init__(self, base_url: str):
        self.host = urlsplit(base_url).netloc.lower()
        self.found: dict[str, Article | None] = {}

    def find(self, source: str) -> Article | None:
        if source not in self.found:
            self.found[source] = self._lookup(source)
        return self.found[source]

    def _lookup(self, source: str) -> Article | None:
        articles = Article.objects.defer("raw")
        try:
            host = urlsplit(source).netloc.lower()
        except ValueError:
            return None
        if host == self.host:
            match = _our_route(source)
            if match is not None and match.view_name == "reading:article":
                return articles.filter(pk=match.kwargs["article_id"]).first()
        variants = address_variants(source)
        if not variants:
            return None
        return articles.exclude(url="").filter(url__in=variants).order_by("pk").first()


def address_variants(url: str) -> list[str]:
    """The spellings of a web address that name the same page for an import: http or
    https, with or without a final slash, without a fragment, the host in any case."""
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return []
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return []
    path = parts.path or "/"
    bare = path.rstrip("/")
    paths = dict.fromkeys([path, bare or "/", bare + "/"])
    hosts = dict.fromkeys([parts.netloc, parts.netloc.lower()])
    return list(
        dict.fromkeys(
            urlunsplit((scheme, host, each, parts.query, ""))
            for scheme in ("https", "http")
            for host in hosts
            for each in paths
        )
    )


def _place(text: str, incoming: list[_Incoming]) -> list[Placement]:
    """Where each quote stands in `text`, by the re-anchoring's search.

    The re-anchoring maps anchors from an old text to a new one. Here the old text is
    the other tool's, which we do not have: a blank of our text's length stands in for
    it, so that no quote is taken as found at its offsets and each is searched for in
    ours, by its words and context, the offsets only telling which of equal places is
    nearest to where the other tool saw it.
    """
    anchors = []
    for each in incoming:
        start, end = each.position or (0, len(each.exact))
        start = min(start, len(text))
        anchors.append(Anchor(start, max(end, start + 1), each.exact, each.prefix, each.suffix))
    placements = reanchor(" " * len(text), text, anchors)
    normal_text = normalise(text)
    searches = 0
    for n, (each, placement) in enumerate(zip(incoming, placements, strict=True)):
        if placement.status in (ANCHORED, REVIEW) or not _context_is_in(normal_text, each):
            continue
        searches += 1
        if searches > MAX_CONTEXT_SEARCHES:
            placements[n] = Placement(placement.status, None, None, NOT_SEARCHED, 0.0)
        else:
            placements[n] = _place_by_context(text, each)
    return placements


def _context_is_in(normal_text: str, incoming: _Incoming) -> bool:
    """Whether the words just before or just after the quote are in the (normalised) text:
    a quick test before the costly search by context."""
    before = normalise(incoming.prefix).strip()[-CONTEXT_PROBE:]
    after = normalise(incoming.suffix).strip()[:CONTEXT_PROBE]
    return any(len(part) >= CONTEXT_PROBE // 2 and part in normal_text for part in (before, after))


def _place_by_context(text: str, incoming: _Incoming) -> Placement:
    """Where a quote whose own words are not in `text` seems to be, from its context.

    The little of the other tool's text we have, the context and the quote, stands in for
    its text: the re-anchoring's diff follows the context's words into ours and proposes
    the span between them, for review when the words differ (a correction since, a
    different edition); nothing when the context is not there either. One search of the
    whole text per quote, so only for the quotes not found otherwise.
    """
    seen = incoming.prefix + incoming.exact + incoming.suffix
    start, end = len(incoming.prefix), len(incoming.prefix) + len(incoming.exact)
    anchor = Anchor(start, end, incoming.exact, incoming.prefix, incoming.suffix)
    return reanchor(seen, text, [anchor])[0]


def _write(
    outcome: Outcome,
    article: Article,
    incoming: _Incoming,
    placement: Placement,
    user,
) -> None:
    """Store one annotation, or refuse it; nothing of a refused one stays."""
    if placement.method == NOT_SEARCHED:
        outcome.reason = (
            f"The quote “{_shortened(incoming.exact)}” is not in the text of “{article.title}” "
            f"as it stands, and more than {MAX_CONTEXT_SEARCHES} quotes of this import were "
            "looked for by their context already: import it again on its own."
        )
        return
    if placement.status not in (ANCHORED, REVIEW) or placement.start is None:
        outcome.reason = (
            f"The quote “{_shortened(incoming.exact)}” is not in the text of “{article.title}”."
        )
        return
    notes: list[str] = []
    try:
        with transaction.atomic():
            claim = _claim(article, incoming, notes)
            data = {
                "start": placement.start,
                "end": placement.end,
                "claim": claim,
                "stance": incoming.stance,
                "note": incoming.note,
                "tags": incoming.tags,
                "submission": None,
            }
            annotation, _ = create_annotation(article, user, data)
            if placement.status == REVIEW:
                _to_review(annotation, incoming, placement, user)
            outcome.proposed_tags = [tag.name for tag in annotation.tag_list if tag.is_proposed]
    except ValidationError as error:
        outcome.reason = "Not stored: " + " ".join(error.messages)
        return
    except (ValueError, DatabaseError) as error:
        outcome.reason = f"Not stored: {error}"
        return
    outcome.status = IN_REVIEW if placement.status == REVIEW else CREATED
    outcome.annotation = annotation
    outcome.notes.extend(notes)


def _shortened(quote: str) -> str:
    quote = " ".join(quote.split())
    return quote if len(quote) <= 80 else quote[:79] + "…"


def _claim(article: Article, incoming: _Incoming, notes: list[str]) -> Claim | None:
    """The article's story's claim the annotation names: by our claim page's address, then
    by statement; a statement no claim has makes a new draft claim (saved with the
    annotation, with its own history). What is not kept or is made goes in `notes`."""
    slug = _claim_slug(incoming.claim_id) if incoming.claim_id else None
    if slug is not None:
        claim = Claim.objects.filter(story=article.story_id, slug=slug).first()
        if claim is None:
            alias = ClaimAlias.objects.filter(slug=slug, claim__story=article.story_id)
            claim = Claim.objects.filter(pk__in=alias.values("claim")).first()
        if claim is not None:
            return claim
    statement = incoming.claim_statement
    if not statement:
        if incoming.claim_id:
            notes.append(
                f"The claim “{incoming.claim_id[:200]}” is not one of this story's: not kept."
            )
        return None
    existing = Claim.saying(article.story_id, statement).first()
    if existing is not None:
        return existing
    notes.append(f"New draft claim: “{statement}”.")
    return Claim(story=article.story, statement=statement)


def _to_review(annotation: Annotation, incoming: _Incoming, placement: Placement, user) -> None:
    """Put a just-created annotation in review at its proposed place, as a correction puts
    an annotation it cannot place for sure: it keeps the words the other tool quoted, its
    proposed place is where they seem to be in our text."""
    ours = annotation.exact
    annotation.anchor_status = Status.REVIEW
    annotation.proposed_start, annotation.proposed_end = placement.start, placement.end
    annotation.exact, annotation.prefix, annotation.suffix = (
        incoming.exact,
        incoming.prefix,
        incoming.suffix,
    )
    annotation.version += 1
    annotation.save(
        update_fields=[
            "anchor_status",
            "proposed_start",
            "proposed_end",
            "exact",
            "prefix",
            "suffix",
            "version",
            "modified",
        ]
    )
    AnnotationRevision.objects.create(
        annotation=annotation,
        user=user,
        action=AnnotationRevision.Action.TO_REVIEW,
        changes={
            "status": [Status.ANCHORED, Status.REVIEW],
            "quote": [ours, incoming.exact],
            "proposed place": f"{placement.start}–{placement.end}",
            "found by": f"import ({placement.method})",
            "score": round(placement.score, 3),
        },
    )
