"""Lossless backup and exchange of the whole corpus in one JSON Lines file.

`export_corpus()` writes everything editors and imports made: outlets, stories, articles
with their current text, earlier texts (ArticleVersion), raw input and passages, tags,
names and their spellings, claims with their aliases, relations and history, annotations
with their tags and history, and editors' decisions about quotations. `import_corpus()`
loads such a file into an empty or a non-empty database without making anything twice.

The file, one JSON object a line, in this order:

    {"format":"parallax-corpus","rights":"…","texts":true,"type":"header","version":1,…}
    {"type":"user","username":"editor"}
    {"type":"outlet",…} {"type":"story",…} {"type":"tag",…} {"type":"names",…}
    {"type":"claim",…} {"type":"relation",…}
    {"type":"article",…} then that article's {"type":"annotation",…} lines, article by article
    {"type":"decision",…}
    {"type":"end","records":N}

Rows are named by natural keys, never by database ids: outlets, stories and claims by
slug, tags by name, accounts by username, an article by its outlet's slug and its text's
SHA-256 (`[outlet slug, content hash]`, what the database keeps unique). Every listing
has a stable order and every record sorted keys, fixed date formats (UTC, microseconds)
and no time of export, so two exports of the same data are the same bytes.

What is left out, and why:
- Accounts: only the username of each account the content names (authors, history,
  decisions). No password, e-mail, group or permission: a backup of the corpus is not
  one of the accounts. A missing account is made again inactive, with no usable password.
- Quotations and traces: found again from the texts at import (sources.quotations), as
  the importer finds them; what editors decided about them (QuotationDecision) is in the
  file and applied again. Search vectors, tag-use counts and the content generation are
  kept by database triggers as the rows are written.
- Import jobs, the audit log, login delays: the running of this site, not its content.

The export reads one snapshot (a REPEATABLE READ transaction on PostgreSQL, SQLite's
read transaction), so a file never holds an annotation without its claim. Exports of the
same data from SQLite and from PostgreSQL are the same bytes: a revision's `changes`, which
PostgreSQL's jsonb keeps in an order of its own, are written in the history's order.

The end record makes a file cut short detectable; import_corpus reads the whole file
once to check it (bounded lines, known records and choices, lengths, slugs, colours,
the end record) before writing anything. What already exists is matched by the same
natural keys; see import_corpus() for what is updated and what is kept.
"""

import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from functools import reduce
from operator import or_
from typing import IO, Any
from uuid import UUID

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.core.validators import slug_re
from django.db import connection, transaction
from django.db.models import CharField, Exists, OuterRef, Prefetch, SlugField
from django.db.models.functions import Collate

from annotations.models import (
    Annotation,
    AnnotationRevision,
    Claim,
    ClaimAlias,
    ClaimRelation,
    ClaimRevision,
    NameVariants,
    Tag,
    TaggedAnnotation,
    name_key,
)
from sources import quotations
from sources.models import (
    Article,
    ArticleVersion,
    Outlet,
    Passage,
    QuotationDecision,
    Story,
    content_hash,
    unique_slug,
)

FORMAT = "parallax-corpus"
VERSION = 1

RIGHTS = (
    "The articles' texts and raw inputs in this file belong to their outlets, listed in "
    "`outlets`; they are kept to compare how each outlet covered a story. Do not republish "
    "them without the outlets' permission. Annotations, claims, tags and notes are the "
    "editors' work."
)
NO_TEXTS = (
    "Written with --without-texts: articles' texts, earlier texts and raw inputs are left "
    "out (each article keeps its content hash); an import places annotations only on "
    "articles that already exist with the same text."
)

# Articles read (and their passages, versions and annotations prefetched) at a time: a
# chunk holds its texts in memory, so it stays small.
EXPORT_CHUNK = 100
# Import batches, each in a transaction.
BATCH = 500
ARTICLE_BATCH = 100
ANNOTATION_BATCH = 2000
# No line may be longer: an article's line holds its text, raw input and earlier texts,
# and an upload file is at most 10 MB (PARALLAX_MAX_UPLOAD_FILE_BYTES).
MAX_RECORD_BYTES = 64 * 1024 * 1024
# Problems listed one by one; past this many only counted.
MAX_PROBLEMS = 200

User = get_user_model()


class BackupError(Exception):
    """The file cannot be imported; nothing was written. The message says why."""


def _binary(name: str) -> Collate:
    """Order by the bytes, not by a locale's rules: the same order whatever the
    database's collation (PostgreSQL's locales skip hyphens; SQLite compares bytes)."""
    return Collate(name, "C" if connection.vendor == "postgresql" else "BINARY")


def _when(value: datetime | None) -> str | None:
    if value is None:
        return None
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _parse_when(value: str | None) -> datetime | None:
    return None if value is None else datetime.fromisoformat(value).astimezone(UTC)


def _day(value: date | None) -> str | None:
    return None if value is None else value.isoformat()


def _username(user) -> str | None:
    return None if user is None else user.get_username()


def dump(record: dict) -> str:
    """One record as its line: sorted keys, no spaces, UTF-8 as it is."""
    return json.dumps(record, ensure_ascii=False, sort_keys=True, separators=(",", ":")) + "\n"


# Export ------------------------------------------------------------------------------


def export_corpus(
    out: IO[str],
    *,
    texts: bool = True,
    chunk_size: int = EXPORT_CHUNK,
    progress: Callable[[int, int], None] | None = None,
) -> int:
    """Write the corpus to `out` (anything with write(str)); returns the records written.

    A constant number of queries for everything but the articles, and for the articles
    one, plus five a chunk of `chunk_size` (versions, passages, annotations, their tags,
    their history). `progress(done, total)` is told after each chunk of articles.
    """
    outermost = not connection.in_atomic_block
    with transaction.atomic():
        if outermost and connection.vendor == "postgresql":
            # One snapshot for every query, as pg_dump takes: rows written meanwhile
            # are all in the file or all out of it. (SQLite's read transaction is one.)
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        return _export(out, texts, chunk_size, progress)


def _export(out: IO[str], texts: bool, chunk_size: int, progress) -> int:
    written = 0

    def emit(record: dict) -> None:
        nonlocal written
        out.write(dump(record))
        written += 1

    outlets = list(Outlet.objects.order_by(_binary("slug")).values_list("name", flat=True))
    header = {
        "type": "header",
        "format": FORMAT,
        "version": VERSION,
        "texts": texts,
        "rights": RIGHTS,
        "outlets": outlets,
    }
    if not texts:
        header["left_out"] = NO_TEXTS
    emit(header)
    for record in _records(texts, chunk_size, progress):
        emit(record)
    emit({"type": "end", "records": written + 1})
    return written


def _records(texts: bool, chunk_size: int, progress) -> Iterator[dict]:
    for username in _usernames():
        yield {"type": "user", "username": username}
    for outlet in Outlet.objects.order_by(_binary("slug")).iterator(chunk_size=BATCH):
        yield outlet_record(outlet)
    for story in Story.objects.order_by(_binary("slug")).iterator(chunk_size=BATCH):
        yield story_record(story)
    tags = Tag.objects.select_related("proposed_by").order_by(_binary("slug"))
    for tag in tags.iterator(chunk_size=BATCH):
        yield tag_record(tag)
    for names in NameVariants.objects.order_by(_binary("name")).iterator(chunk_size=BATCH):
        yield {"type": "names", "name": names.name, "spellings": names.spellings}
    claims = (
        Claim.objects.select_related("story", "created_by")
        .prefetch_related(
            Prefetch("aliases", queryset=ClaimAlias.objects.order_by(_binary("slug"))),
            Prefetch(
                "revisions",
                queryset=ClaimRevision.objects.select_related("user").order_by("created", "pk"),
            ),
        )
        .order_by(_binary("slug"))
    )
    for claim in claims.iterator(chunk_size=BATCH):
        yield claim_record(claim)
    relations = ClaimRelation.objects.select_related("source", "target", "created_by").order_by(
        _binary("source__slug"), _binary("target__slug"), "kind"
    )
    for relation in relations.iterator(chunk_size=BATCH):
        yield relation_record(relation)
    yield from _article_records(texts, chunk_size, progress)
    # Only the articles' keys: never their texts.
    decisions = QuotationDecision.objects.select_related(
        "article__outlet", "other_article__outlet", "created_by"
    ).only(
        "kind",
        "key",
        "other_key",
        "value",
        "created",
        "article__content_hash",
        "article__outlet__slug",
        "other_article__content_hash",
        "other_article__outlet__slug",
        "created_by__username",
    )
    for decision in decisions.order_by("created", "pk").iterator(chunk_size=BATCH):
        yield decision_record(decision)


def _usernames() -> Iterator[str]:
    """The accounts the content names, by username."""
    named = [
        Annotation.objects.filter(author=OuterRef("pk")),
        AnnotationRevision.objects.filter(user=OuterRef("pk")),
        ClaimRevision.objects.filter(user=OuterRef("pk")),
        Claim.objects.filter(created_by=OuterRef("pk")),
        ClaimRelation.objects.filter(created_by=OuterRef("pk")),
        Tag.objects.filter(proposed_by=OuterRef("pk")),
        ArticleVersion.objects.filter(created_by=OuterRef("pk")),
        QuotationDecision.objects.filter(created_by=OuterRef("pk")),
    ]
    field_name = User.USERNAME_FIELD
    users = User.objects.filter(reduce(or_, (Exists(query) for query in named)))
    yield from (
        users.order_by(_binary(field_name))
        .values_list(field_name, flat=True)
        .iterator(chunk_size=BATCH)
    )


def _article_records(texts: bool, chunk_size: int, progress) -> Iterator[dict]:
    versions = ArticleVersion.objects.select_related("created_by").order_by("number")
    articles = Article.objects.select_related("outlet", "story")
    if not texts:
        # Never read the long columns that are not written.
        versions = versions.defer("text")
        articles = articles.defer("text", "raw")
    annotations = (
        Annotation.objects.select_related("claim", "author")
        .prefetch_related(
            Prefetch(
                "tagged_items",
                queryset=TaggedAnnotation.objects.select_related("tag").order_by("pk"),
                to_attr="tag_links",
            ),
            Prefetch(
                "revisions",
                queryset=AnnotationRevision.objects.select_related("user").order_by(
                    "created", "pk"
                ),
                to_attr="history",
            ),
        )
        .order_by("created", "start", "end", "pk")
    )
    prefetches = [
        Prefetch("versions", queryset=versions, to_attr="earlier"),
        Prefetch("annotations", queryset=annotations, to_attr="annotation_rows"),
    ]
    if texts:
        prefetches.append(
            Prefetch("passages", queryset=Passage.objects.order_by("ordinal"), to_attr="cuts")
        )
    articles = articles.prefetch_related(*prefetches).order_by(
        _binary("outlet__slug"), "content_hash"
    )
    total = Article.objects.count() if progress else 0
    for done, article in enumerate(articles.iterator(chunk_size=chunk_size), 1):
        yield article_record(article, texts)
        ref = article_ref(article)
        for annotation in article.annotation_rows:
            yield annotation_record(annotation, ref)
        if progress and (done % chunk_size == 0 or done == total):
            progress(done, total)


def article_ref(article: Article) -> list[str]:
    return [article.outlet.slug, article.content_hash]


def outlet_record(outlet: Outlet) -> dict:
    return {
        "type": "outlet",
        "slug": outlet.slug,
        "name": outlet.name,
        "site": outlet.site,
        "country": outlet.country,
        "language": outlet.language,
    }


def story_record(story: Story) -> dict:
    return {
        "type": "story",
        "slug": story.slug,
        "title": story.title,
        "description": story.description,
        "created": _when(story.created),
    }


def tag_record(tag: Tag) -> dict:
    return {
        "type": "tag",
        "name": tag.name,
        "slug": tag.slug,
        "definition": tag.definition,
        "colour": tag.colour,
        "status": tag.status,
        "position": tag.position,
        "proposed_by": _username(tag.proposed_by),
        "created": _when(tag.created),
    }


def revision_record(revision) -> dict:
    return {
        "action": revision.action,
        "user": _username(revision.user),
        "created": _when(revision.created),
        # Pairs in the history's own order (Revision.FIELD_ORDER), the same from SQLite
        # and PostgreSQL, whose jsonb keeps an object's keys in an order of its own.
        "changes": [[name, value] for name, value in revision.ordered_changes()],
    }


def claim_record(claim: Claim) -> dict:
    return {
        "type": "claim",
        "slug": claim.slug,
        "story": claim.story.slug,
        "statement": claim.statement,
        "status": claim.status,
        "created_by": _username(claim.created_by),
        "created": _when(claim.created),
        "updated": _when(claim.updated),
        "version": claim.version,
        "aliases": [alias.slug for alias in claim.aliases.all()],
        "revisions": [revision_record(revision) for revision in claim.revisions.all()],
    }


def relation_record(relation: ClaimRelation) -> dict:
    return {
        "type": "relation",
        "source": relation.source.slug,
        "target": relation.target.slug,
        "kind": relation.kind,
        "created_by": _username(relation.created_by),
        "created": _when(relation.created),
    }


def article_record(article: Article, texts: bool) -> dict:
    record = {
        "type": "article",
        "outlet": article.outlet.slug,
        "story": article.story.slug,
        "title": article.title,
        "byline": article.byline,
        "published": _day(article.published),
        "url": article.url,
        "language": article.language,
        "content_hash": article.content_hash,
        "text_version": article.text_version,
        "raw_format": article.raw_format,
        "source_name": article.source_name,
        "imported": _when(article.imported),
        "updated": _when(article.updated),
        "versions": [],
    }
    for version in article.earlier:
        entry = {
            "number": version.number,
            "content_hash": version.content_hash,
            "created": _when(version.created),
            "created_by": _username(version.created_by),
            "source": version.source,
        }
        if texts:
            entry["text"] = version.text
        record["versions"].append(entry)
    if texts:
        record["text"] = article.text
        record["raw"] = article.raw
        record["passages"] = [[p.start, p.end, p.kind, p.depth] for p in article.cuts]
    return record


def annotation_record(annotation: Annotation, ref: list[str]) -> dict:
    return {
        "type": "annotation",
        "article": ref,
        "start": annotation.start,
        "end": annotation.end,
        "exact": annotation.exact,
        "prefix": annotation.prefix,
        "suffix": annotation.suffix,
        "anchor_status": annotation.anchor_status,
        "proposed_start": annotation.proposed_start,
        "proposed_end": annotation.proposed_end,
        "anchored_version": annotation.anchored_version,
        "claim": annotation.claim.slug if annotation.claim_id else None,
        "stance": annotation.stance,
        "note": annotation.note,
        "author": _username(annotation.author),
        "created": _when(annotation.created),
        "modified": _when(annotation.modified),
        "deleted": _when(annotation.deleted),
        "version": annotation.version,
        "submission": str(annotation.submission) if annotation.submission else None,
        "tags": [link.tag.name for link in annotation.tag_links],
        "revisions": [revision_record(revision) for revision in annotation.history],
    }


def decision_record(decision: QuotationDecision) -> dict:
    other = decision.other_article
    return {
        "type": "decision",
        "kind": decision.kind,
        "article": article_ref(decision.article),
        "key": decision.key,
        "other_article": article_ref(other) if other is not None else None,
        "other_key": decision.other_key,
        "value": decision.value,
        "created": _when(decision.created),
        "created_by": _username(decision.created_by),
    }


# The file's shape, checked line by line before anything is written --------------------

STR, INT, NONE, LIST = (str,), (int,), (type(None),), (list,)
OPT_STR, OPT_INT = (str, type(None)), (int, type(None))

REVISION = {"action": STR, "user": OPT_STR, "created": STR, "changes": LIST}
VERSION_ENTRY = {
    "number": INT,
    "content_hash": STR,
    "created": STR,
    "created_by": OPT_STR,
    "source": STR,
}
SCHEMA: dict[str, dict[str, tuple]] = {
    "user": {"username": STR},
    "outlet": {"slug": STR, "name": STR, "site": STR, "country": STR, "language": STR},
    "story": {"slug": STR, "title": STR, "description": STR, "created": STR},
    "tag": {
        "name": STR,
        "slug": STR,
        "definition": STR,
        "colour": STR,
        "status": STR,
        "position": INT,
        "proposed_by": OPT_STR,
        "created": STR,
    },
    "names": {"name": STR, "spellings": STR},
    "claim": {
        "slug": STR,
        "story": STR,
        "statement": STR,
        "status": STR,
        "created_by": OPT_STR,
        "created": STR,
        "updated": STR,
        "version": INT,
        "aliases": LIST,
        "revisions": LIST,
    },
    "relation": {"source": STR, "target": STR, "kind": STR, "created_by": OPT_STR, "created": STR},
    "article": {
        "outlet": STR,
        "story": STR,
        "title": STR,
        "byline": STR,
        "published": OPT_STR,
        "url": STR,
        "language": STR,
        "content_hash": STR,
        "text_version": INT,
        "raw_format": STR,
        "source_name": STR,
        "imported": STR,
        "updated": STR,
        "versions": LIST,
    },
    "annotation": {
        "article": LIST,
        "start": INT,
        "end": INT,
        "exact": STR,
        "prefix": STR,
        "suffix": STR,
        "anchor_status": STR,
        "proposed_start": OPT_INT,
        "proposed_end": OPT_INT,
        "anchored_version": INT,
        "claim": OPT_STR,
        "stance": STR,
        "note": STR,
        "author": OPT_STR,
        "created": STR,
        "modified": STR,
        "deleted": OPT_STR,
        "version": INT,
        "submission": OPT_STR,
        "tags": LIST,
        "revisions": LIST,
    },
    "decision": {
        "kind": STR,
        "article": LIST,
        "key": STR,
        "other_article": (list, type(None)),
        "other_key": STR,
        "value": STR,
        "created": STR,
        "created_by": OPT_STR,
    },
    "end": {"records": INT},
}
TEXT_FIELDS = {"text": STR, "raw": STR, "passages": LIST}
# What a record's type must follow: articles and their annotations come after everything
# they name, decisions after every article.
ORDER = ["user", "outlet", "story", "tag", "names", "claim", "relation", "article", "decision"]


# Fields that take one of a model's choices; anything else would be stored as it is.
CHOICES = {
    "tag": {"status": Tag.Status.values},
    "claim": {"status": Claim.Status.values},
    "relation": {"kind": ClaimRelation.Kind.values},
    "article": {"raw_format": Article.Format.values},
    "annotation": {
        "anchor_status": Annotation.AnchorStatus.values,
        "stance": ["", *Annotation.Stance.values],
    },
    "decision": {"kind": QuotationDecision.Kind.values},
}


# The model each record type fills: its columns' lengths, slugs and colours are checked
# before anything is written, so no batch fails halfway on a value the database refuses.
MODELS = {
    "user": User,
    "outlet": Outlet,
    "story": Story,
    "tag": Tag,
    "names": NameVariants,
    "claim": Claim,
    "relation": ClaimRelation,
    "article": Article,
    "annotation": Annotation,
    "decision": QuotationDecision,
}


def _check_values(record: dict, kind: str, where: str) -> None:
    model = MODELS[kind]
    for name in SCHEMA[kind]:
        try:
            column = model._meta.get_field(name)
        except FieldDoesNotExist:
            continue
        value = record[name]
        if not isinstance(column, CharField) or not isinstance(value, str):
            continue
        if column.max_length and len(value) > column.max_length:
            raise BackupError(f"{where}: “{name}” is longer than {column.max_length} characters.")
        # Slugs name pages and colours go into style sheets: both are checked as forms
        # check them. (URLs are not: the importer keeps them as the files gave them.)
        if isinstance(column, SlugField) or name == "colour":
            try:
                column.run_validators(value)
            except ValidationError as error:
                raise BackupError(f"{where}: “{name}”: {' '.join(error.messages)}") from None
    if kind == "claim":
        for slug in record["aliases"]:
            if not (isinstance(slug, str) and len(slug) <= 80 and slug_re.fullmatch(slug)):
                raise BackupError(f"{where}: the alias {str(slug)[:40]!r} is not a slug.")


def _check_choices(record: dict, kind: str, where: str) -> None:
    for name, allowed in CHOICES.get(kind, {}).items():
        if record[name] not in allowed:
            raise BackupError(f"{where}: “{name}” is {record[name][:40]!r}, not one of {allowed}.")


def _check_fields(record: dict, shape: dict[str, tuple], where: str) -> None:
    for name, types in shape.items():
        if name not in record:
            raise BackupError(f"{where} has no “{name}”.")
        value = record[name]
        if not isinstance(value, types) or (isinstance(value, bool) and bool not in types):
            raise BackupError(f"{where}: “{name}” is not {_kind(types)}.")
        # Every number stored is a count, an offset or a version.
        if isinstance(value, int) and value < 0:
            raise BackupError(f"{where}: “{name}” is negative.")


def _kind(types: tuple) -> str:
    names = {str: "a string", int: "a whole number", list: "a list", type(None): "null"}
    return " or ".join(names.get(t, t.__name__) for t in types)


def _check_ref(value, where: str, name: str) -> None:
    if not (len(value) == 2 and all(isinstance(part, str) for part in value)):
        raise BackupError(f"{where}: “{name}” is not [outlet slug, content hash].")


def check_record(record: dict, texts: bool, where: str) -> None:
    """Raise BackupError, naming `where` (the line), unless `record` has its type's shape."""
    kind = record.get("type")
    if kind not in SCHEMA or kind == "end":
        raise BackupError(f"{where}: unknown record type {str(kind)[:40]!r}.")
    where = f"{where} ({kind})"
    _check_fields(record, SCHEMA[kind], where)
    _check_choices(record, kind, where)
    _check_values(record, kind, where)
    for revision in record.get("revisions", []) if kind in ("claim", "annotation") else []:
        if not isinstance(revision, dict):
            raise BackupError(f"{where}: a revision is not an object.")
        _check_fields(revision, REVISION, f"{where}, a revision,")
        if not all(isinstance(pair, list) and len(pair) == 2 for pair in revision["changes"]):
            raise BackupError(f"{where}: a revision's changes are not [field, value] pairs.")
        if revision["action"] not in AnnotationRevision.Action.values:
            raise BackupError(
                f"{where}: a revision's action {revision['action'][:40]!r} is unknown."
            )
    if kind == "claim" and not all(isinstance(slug, str) for slug in record["aliases"]):
        raise BackupError(f"{where}: “aliases” holds something other than slugs.")
    if kind == "annotation":
        if record["start"] >= record["end"]:
            raise BackupError(f"{where}: it starts at {record['start']}, not before its end.")
        _check_ref(record["article"], where, "article")
        if not all(isinstance(name, str) for name in record["tags"]):
            raise BackupError(f"{where}: “tags” holds something other than names.")
    if kind == "decision":
        _check_ref(record["article"], where, "article")
        if record["other_article"] is not None:
            _check_ref(record["other_article"], where, "other_article")
    if kind == "article":
        for entry in record["versions"]:
            if not isinstance(entry, dict):
                raise BackupError(f"{where}: a version is not an object.")
            _check_fields(entry, {**VERSION_ENTRY, **({"text": STR} if texts else {})}, where)
            if entry["source"] not in ArticleVersion.Source.values:
                raise BackupError(
                    f"{where}: a version's source {entry['source'][:40]!r} is unknown."
                )
        if texts:
            _check_fields(record, TEXT_FIELDS, where)
            for cut in record["passages"]:
                if not (
                    isinstance(cut, list)
                    and len(cut) == 4
                    and isinstance(cut[0], int)
                    and isinstance(cut[1], int)
                    and isinstance(cut[2], str)
                    and isinstance(cut[3], int)
                    and cut[2] in Passage.Kind.values
                ):
                    raise BackupError(f"{where}: a passage is not [start, end, kind, depth].")


def _lines(stream: IO[bytes], limit: int, after: int = 0) -> Iterator[tuple[int, bytes]]:
    """(line number, line) of a binary stream whose first `after` lines were read,
    refusing a line longer than `limit` bytes before reading more of it than that."""
    number = after
    while True:
        line = stream.readline(limit + 1)
        if not line:
            return
        number += 1
        if len(line) > limit and not (len(line) == limit + 1 and line.endswith(b"\n")):
            raise BackupError(
                f"Line {number} is longer than {limit:,} bytes, the limit for one record; "
                "nothing was imported."
            )
        yield number, line


def _parse(line: bytes, number: int) -> dict:
    try:
        record = json.loads(line)
    except UnicodeDecodeError:
        raise BackupError(f"Line {number} is not UTF-8 text.") from None
    except json.JSONDecodeError as error:
        raise BackupError(f"Line {number} is not JSON ({error.msg}).") from None
    except RecursionError:
        raise BackupError(f"Line {number} nests too deeply.") from None
    if not isinstance(record, dict):
        raise BackupError(f"Line {number} is not a JSON object.")
    return record


def read_header(stream: IO[bytes], limit: int = MAX_RECORD_BYTES) -> dict:
    """The header of a corpus file, or BackupError saying what the file is not."""
    for number, line in _lines(stream, limit):
        try:
            header = _parse(line, number)
        except BackupError:
            header = None
        if not (isinstance(header, dict) and header.get("format") == FORMAT):
            raise BackupError(
                f"This is not a Parallax corpus file: its first line is not a “{FORMAT}” "
                "header (files written by manage.py export_corpus start with one)."
            )
        if header.get("type") != "header" or header.get("version") != VERSION:
            raise BackupError(
                f"This corpus file is format version {str(header.get('version'))[:20]}; "
                f"this Parallax reads version {VERSION} only."
            )
        if not isinstance(header.get("texts"), bool):
            raise BackupError("Line 1: the header does not say whether the texts are included.")
        return header
    raise BackupError("The file is empty: it is not a Parallax corpus file.")


def check_file(stream: IO[bytes], limit: int = MAX_RECORD_BYTES) -> tuple[dict, int]:
    """Read the whole file once: (its header, its number of records). BackupError at the
    first line that is too long, not JSON, not a known record or out of order, or when the
    end record is missing (a file cut short)."""
    header = read_header(stream, limit)
    place = 0
    for number, line in _lines(stream, limit, after=1):
        record = _parse(line, number)
        if record.get("type") == "end":
            _check_fields(record, SCHEMA["end"], f"Line {number} (end)")
            if record["records"] != number:
                raise BackupError(
                    f"Line {number}: the end record counts {record['records']} records, "
                    f"the file holds {number}; it was changed or cut."
                )
            if stream.readline(1):
                raise BackupError(f"Line {number + 1}: the file goes on after its end record.")
            return header, number
        check_record(record, header["texts"], f"Line {number}")
        kind = "article" if record["type"] == "annotation" else record["type"]
        if ORDER.index(kind) < place:
            raise BackupError(
                f"Line {number}: a {record['type']} record after the "
                f"{ORDER[place]} records; the file is not in export order."
            )
        place = ORDER.index(kind)
    raise BackupError(
        "The file ends without its end record: it was cut short. Nothing was imported."
    )


# Import ------------------------------------------------------------------------------


@dataclass
class Tally:
    created: int = 0
    existing: int = 0
    skipped: int = 0


@dataclass
class ImportReport:
    """What import_corpus did, per kind of record, and what it could not import."""

    texts: bool = True
    tallies: dict[str, Tally] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    problem_count: int = 0
    quotations: int = 0

    latest: str = ""

    def tally(self, kind: str) -> Tally:
        self.latest = kind
        return self.tallies.setdefault(kind, Tally())

    def problem(self, message: str) -> None:
        self.problem_count += 1
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append(message)

    def describe(self, only: str | None = None) -> str:
        parts = []
        for kind, tally in self.tallies.items():
            if only is not None and kind != only:
                continue
            part = f"{kind}: {tally.created} created, {tally.existing} already there"
            if tally.skipped:
                part += f", {tally.skipped} not imported"
            parts.append(part)
        return "; ".join(parts)


def import_corpus(
    path,
    *,
    limit: int = MAX_RECORD_BYTES,
    progress: Callable[[int, int, ImportReport], None] | None = None,
) -> ImportReport:
    """Load a file written by export_corpus. The whole file is checked first (BackupError,
    nothing written); then it is written in batches, each in a transaction, matching
    what is already there by natural keys so nothing is made twice.

    Outlets, stories, tags and names already there take the file's values (a restore
    brings back the vocabulary a fresh database seeds differently); articles, claims,
    annotations, relations and decisions already there are kept as they are, and only
    what is missing is added. `progress(line, lines, report)` is told after each batch.
    """
    with open(path, "rb") as stream:
        header, total = check_file(stream, limit)
    report = ImportReport(texts=header["texts"])
    loader = _Loader(report)
    with open(path, "rb") as stream:
        for number, line in _lines(stream, limit):
            if number == 1:
                continue
            record = json.loads(line)
            if record["type"] == "end":
                break
            if loader.add(record) and progress:
                progress(number, total, report)
    loader.flush()
    loader.find_quotations()
    if progress:
        progress(total, total, report)
    return report


class _Loader:
    """Gathers records of one kind into a batch and writes each batch in a transaction.

    Keeps the natural keys of the small tables it met (outlets, stories, tags, claims,
    accounts) mapped to their rows; articles are looked up a batch at a time."""

    def __init__(self, report: ImportReport):
        self.report = report
        self.texts = report.texts
        self.kind: str | None = None
        self.batch: list[dict] = []
        self.annotations: list[dict] = []
        self.users: dict[str | None, int | None] = {None: None}
        self.outlets: dict[str, int] = {}
        self.stories: dict[str, int] = {}
        self.tags: dict[str, int] = {}
        self.claims: dict[str, int] = {}
        self.new_articles: list[int] = []
        # Articles of the current batch, and those the file gave that are not imported
        # (their annotations are reported with them).
        self.refs: dict[tuple[str, str], int] = {}
        self.missing: dict[tuple[str, str], str] = {}

    def add(self, record: dict) -> bool:
        """Take one record; True when a batch was written first. A full batch is written
        when the next record comes, so an article's annotations stay with it."""
        kind = "article" if record["type"] == "annotation" else record["type"]
        if kind != self.kind:
            wrote = self.flush()
            self.kind = kind
        elif record["type"] == "article":
            wrote = len(self.batch) >= ARTICLE_BATCH and self.flush()
        elif record["type"] == "annotation":
            wrote = len(self.annotations) >= ANNOTATION_BATCH and self.flush()
        else:
            wrote = len(self.batch) >= BATCH and self.flush()
        if record["type"] == "annotation":
            self.annotations.append(record)
        else:
            self.batch.append(record)
        return wrote

    def flush(self) -> bool:
        if not self.batch and not self.annotations:
            return False
        with transaction.atomic():
            if self.kind == "article":
                self.write_articles(self.batch)
                self.write_annotations(self.annotations)
            else:
                getattr(self, f"write_{self.kind}")(self.batch)
        self.batch, self.annotations = [], []
        return True

    # Accounts and the small tables

    def user(self, username: str | None) -> int | None:
        return self.users.get(username)

    def known_users(self, usernames: Iterable[str | None]) -> None:
        wanted = {name for name in usernames if name is not None and name not in self.users}
        if wanted:
            field_name = User.USERNAME_FIELD
            rows = User.objects.filter(**{f"{field_name}__in": wanted})
            self.users.update(rows.values_list(field_name, "pk"))

    def write_user(self, records: list[dict]) -> None:
        names = [record["username"] for record in records]
        self.known_users(names)
        tally = self.report.tally("accounts")
        new = [name for name in dict.fromkeys(names) if name not in self.users]
        tally.existing += len(names) - len(new)
        # Inactive, with no usable password: the file names accounts, it does not hold them.
        User.objects.bulk_create(
            User(**{User.USERNAME_FIELD: name}, is_active=False, password=make_password(None))
            for name in new
        )
        self.known_users(new)
        tally.created += len(new)

    def _match(self, model, records, keys: list[tuple[str, str]]) -> dict[int, Any]:
        """Rows already there for `records`, by the first of `keys` ((record field, model
        field) pairs, each unique) that finds one: {record index: row}."""
        found: dict[int, Any] = {}
        for record_field, model_field in keys:
            rest = [i for i in range(len(records)) if i not in found]
            values = {records[i][record_field] for i in rest}
            if not values:
                break
            rows = {
                getattr(row, model_field): row
                for row in model.objects.filter(**{f"{model_field}__in": values})
            }
            for i in rest:
                if (row := rows.get(records[i][record_field])) is not None:
                    found[i] = row
        return found

    def _upsert(self, model, records, keys, fields, build, mapping, kind, key_of):
        """Rows matched by `keys` take the file's `fields`; the others are created by
        `build(record)`. `mapping[key_of(record)]` gets every row's pk."""
        found = self._match(model, records, keys)
        tally = self.report.tally(kind)
        changed = []
        for i, row in found.items():
            values = self._values(records[i], fields)
            if any(getattr(row, name) != value for name, value in values.items()):
                for name, value in values.items():
                    setattr(row, name, value)
                changed.append(row)
        if changed:
            model.objects.bulk_update(changed, list(fields), batch_size=BATCH)
        new, seen = [], {}
        for i, record in enumerate(records):
            if i in found:
                mapping[key_of(record)] = found[i].pk
                continue
            if key_of(record) in seen:
                continue
            seen[key_of(record)] = build(record)
            new.append(seen[key_of(record)])
        self._create(model, new)
        for key, row in seen.items():
            mapping[key] = row.pk
        tally.existing += len(found)
        tally.created += len(new)

    # auto_now / auto_now_add columns: bulk_create stamps them with the time of import,
    # so the file's times are written again right after.
    STAMPED = {
        Story: ("created",),
        Claim: ("created", "updated"),
        Article: ("imported", "updated"),
        ArticleVersion: ("created",),
        Annotation: ("created", "modified"),
        AnnotationRevision: ("created",),
        ClaimRevision: ("created",),
        ClaimRelation: ("created",),
        QuotationDecision: ("created",),
    }

    def _create(self, model, rows: list) -> None:
        """bulk_create, then the stamped columns written again with the file's times
        (bulk_create puts the time of import in them, on the rows as well)."""
        names = self.STAMPED.get(model, ())
        kept = [[getattr(row, name) for name in names] for row in rows]
        model.objects.bulk_create(rows, batch_size=BATCH)
        if rows and names:
            for row, values in zip(rows, kept, strict=True):
                for name, value in zip(names, values, strict=True):
                    setattr(row, name, value)
            model.objects.bulk_update(rows, names, batch_size=BATCH)

    def _values(self, record: dict, fields: dict[str, Callable]) -> dict:
        return {name: convert(record) for name, convert in fields.items()}

    def write_outlet(self, records):
        fields = {
            "name": lambda r: r["name"],
            "site": lambda r: r["site"],
            "country": lambda r: r["country"],
            "language": lambda r: r["language"],
        }
        self._upsert(
            Outlet,
            records,
            [("slug", "slug"), ("name", "name")],
            # An outlet found keeps its name: names are unique, and the file's may be
            # another outlet's here.
            {k: v for k, v in fields.items() if k != "name"},
            lambda r: Outlet(slug=r["slug"], **self._values(r, fields)),
            self.outlets,
            "outlets",
            lambda r: r["slug"],
        )

    def write_story(self, records):
        fields = {
            "description": lambda r: r["description"],
            "created": lambda r: _parse_when(r["created"]),
        }
        self._upsert(
            Story,
            records,
            [("slug", "slug"), ("title", "title")],
            fields,
            lambda r: Story(slug=r["slug"], title=r["title"], **self._values(r, fields)),
            self.stories,
            "stories",
            lambda r: r["slug"],
        )

    def write_tag(self, records):
        self.known_users(r["proposed_by"] for r in records)
        for record in records:
            record["key"] = name_key(record["name"])
        fields = {
            "definition": lambda r: r["definition"],
            "colour": lambda r: r["colour"],
            "status": lambda r: r["status"],
            "position": lambda r: r["position"],
            "proposed_by_id": lambda r: self.user(r["proposed_by"]),
            "created": lambda r: _parse_when(r["created"]),
        }

        def build(record):
            slug = record["slug"]
            if Tag.objects.filter(slug=slug).exists():
                slug = unique_slug(Tag, record["name"], Tag.NAME_MAX_LENGTH, allow_unicode=True)
            return Tag(
                name=record["name"], slug=slug, key=record["key"], **self._values(record, fields)
            )

        self._upsert(
            Tag, records, [("key", "key")], fields, build, self.tags, "tags", lambda r: r["key"]
        )

    def write_names(self, records):
        fields = {"spellings": lambda r: r["spellings"]}
        self._upsert(
            NameVariants,
            records,
            [("name", "name")],
            fields,
            lambda r: NameVariants(name=r["name"], **self._values(r, fields)),
            {},
            "names",
            lambda r: r["name"],
        )

    def write_claim(self, records):
        self.known_users(r["created_by"] for r in records)
        self.known_users(v["user"] for r in records for v in r["revisions"])
        tally = self.report.tally("claims")
        found = self._match(Claim, records, [("slug", "slug")])
        aliased = dict(
            ClaimAlias.objects.filter(
                slug__in=[r["slug"] for i, r in enumerate(records) if i not in found]
            ).values_list("slug", "claim_id")
        )
        for record in records:
            record["key"] = Claim.key_for(record["statement"])
        # The same statement in the same story is the same claim, whatever its slug.
        saying = {
            (story, key): pk
            for story, key, pk in Claim.objects.filter(
                statement_key__in={r["key"] for r in records}
            ).values_list("story_id", "statement_key", "pk")
        }
        new: list[tuple[dict, Claim]] = []
        twins: list[tuple[str, Claim]] = []
        for i, record in enumerate(records):
            story = self.stories.get(record["story"])
            if i in found:
                claim_id = found[i].pk
            elif record["slug"] in aliased:
                claim_id = aliased[record["slug"]]
            elif story is None:
                self.report.problem(f"Claim {record['slug']}: its story is not in the file.")
                tally.skipped += 1
                continue
            else:
                claim_id = saying.get((story, record["key"]))
            if isinstance(claim_id, Claim):  # said twice in the file: one claim
                twins.append((record["slug"], claim_id))
                tally.existing += 1
                continue
            if claim_id is not None:
                self.claims[record["slug"]] = claim_id
                tally.existing += 1
                continue
            claim = Claim(
                story_id=story,
                slug=record["slug"],
                statement=record["statement"],
                statement_key=record["key"],
                status=record["status"],
                created_by_id=self.user(record["created_by"]),
                created=_parse_when(record["created"]),
                updated=_parse_when(record["updated"]),
                version=record["version"],
            )
            new.append((record, claim))
            # A later record of the file saying the same finds this one.
            saying[(story, record["key"])] = claim
        self._create(Claim, [claim for _, claim in new])
        for record, claim in new:
            self.claims[record["slug"]] = claim.pk
        for slug, claim in twins:
            self.claims[slug] = claim.pk
        ClaimAlias.objects.bulk_create(
            [
                ClaimAlias(claim=claim, slug=slug)
                for record, claim in new
                for slug in record["aliases"]
            ],
            ignore_conflicts=True,
        )
        revisions = [
            ClaimRevision(claim=claim, **self._revision(revision))
            for record, claim in new
            for revision in record["revisions"]
        ]
        self._create(ClaimRevision, revisions)
        tally.created += len(new)

    def _revision(self, record: dict) -> dict:
        return {
            "action": record["action"],
            "user_id": self.user(record["user"]),
            "created": _parse_when(record["created"]),
            "changes": dict(record["changes"]),
        }

    def write_relation(self, records):
        self.known_users(r["created_by"] for r in records)
        tally = self.report.tally("claim relations")
        wanted = []
        for record in records:
            source, target = self.claims.get(record["source"]), self.claims.get(record["target"])
            if source is None or target is None:
                self.report.problem(
                    f"Relation {record['source']} {record['kind']} {record['target']}: "
                    "a claim it names was not imported."
                )
                tally.skipped += 1
                continue
            wanted.append((source, target, record))
        there = set(
            ClaimRelation.objects.filter(source__in={s for s, _, _ in wanted}).values_list(
                "source_id", "target_id", "kind"
            )
        )
        new = []
        for source, target, record in wanted:
            if (source, target, record["kind"]) in there:
                tally.existing += 1
                continue
            there.add((source, target, record["kind"]))
            new.append(
                ClaimRelation(
                    source_id=source,
                    target_id=target,
                    kind=record["kind"],
                    created_by_id=self.user(record["created_by"]),
                    created=_parse_when(record["created"]),
                )
            )
        self._create(ClaimRelation, new)
        tally.created += len(new)

    # Articles and their annotations

    def _ref(self, ref) -> tuple[str, str]:
        return (ref[0], ref[1])

    def resolve(self, refs: Iterable[tuple[str, str]]) -> dict[tuple[str, str], int]:
        """The stored article of each [outlet slug, content hash] (one query)."""
        refs = {ref for ref in refs if ref[0] in self.outlets}
        if not refs:
            return {}
        slugs = {pk: slug for slug, pk in self.outlets.items()}
        # Both columns, so the lookup reads the (outlet, content_hash) unique index.
        rows = Article.objects.filter(
            outlet_id__in={self.outlets[slug] for slug, _ in refs},
            content_hash__in={digest for _, digest in refs},
        ).values_list("outlet_id", "content_hash", "pk")
        return {
            (slugs[outlet], digest): pk
            for outlet, digest, pk in rows
            if outlet in slugs and (slugs[outlet], digest) in refs
        }

    def write_articles(self, records):
        if not records:
            return  # more annotations of the last batch's articles
        tally = self.report.tally("articles")
        self.refs, self.missing = {}, {}
        refs = [(r["outlet"], r["content_hash"]) for r in records]
        there = self.resolve(refs)
        self.known_users(v["created_by"] for r in records for v in r["versions"])
        urls = dict(
            Article.objects.exclude(url="")
            .filter(url__in={r["url"] for r in records if r["url"]})
            .values_list("url", "content_hash")
        )
        new: list[tuple[dict, Article]] = []
        for ref, record in zip(refs, records, strict=True):
            if ref in there or ref in self.refs:
                self.refs[ref] = there.get(ref) or self.refs[ref]
                tally.existing += 1
                continue
            if problem := self._article_problem(record, urls):
                self.missing[ref] = problem
                self.report.problem(f"Article “{record['title'][:80]}” ({ref[0]}): {problem}")
                tally.skipped += 1
                continue
            article = Article(
                outlet_id=self.outlets[record["outlet"]],
                story_id=self.stories[record["story"]],
                title=record["title"],
                byline=record["byline"],
                published=date.fromisoformat(record["published"]) if record["published"] else None,
                url=record["url"],
                language=record["language"],
                text=record["text"],
                content_hash=record["content_hash"],
                text_version=record["text_version"],
                raw=record["raw"],
                raw_format=record["raw_format"],
                source_name=record["source_name"],
                imported=_parse_when(record["imported"]),
                updated=_parse_when(record["updated"]),
            )
            if record["url"]:
                urls[record["url"]] = record["content_hash"]
            new.append((record, article))
        self._create(Article, [article for _, article in new])
        versions, passages = [], []
        for record, article in new:
            self.refs[(record["outlet"], record["content_hash"])] = article.pk
            self.new_articles.append(article.pk)
            for entry in record["versions"]:
                versions.append(
                    ArticleVersion(
                        article=article,
                        number=entry["number"],
                        text=entry["text"],
                        content_hash=entry["content_hash"],
                        created=_parse_when(entry["created"]),
                        created_by_id=self.user(entry["created_by"]),
                        source=entry["source"],
                    )
                )
            passages += [
                Passage(article=article, ordinal=n, start=start, end=end, kind=kind, depth=depth)
                for n, (start, end, kind, depth) in enumerate(record["passages"], 1)
            ]
        self._create(ArticleVersion, versions)
        Passage.objects.bulk_create(passages, batch_size=BATCH)
        tally.created += len(new)

    def _article_problem(self, record: dict, urls: dict[str, str]) -> str:
        """Why the article cannot be created here, or ""."""
        if not self.texts:
            return (
                "not here with the same text (the file has no texts); its annotations are left out"
            )
        if record["outlet"] not in self.outlets or record["story"] not in self.stories:
            return "its outlet or story is not in the file"
        if content_hash(record["text"]) != record["content_hash"]:
            return "its text does not match its content hash (the file was changed)"
        for entry in record["versions"]:
            if content_hash(entry["text"]) != entry["content_hash"]:
                return f"its version {entry['number']} does not match its content hash"
        if record["url"] and record["url"] in urls:
            return "another article with its URL holds another text here"
        length = len(record["text"])
        for start, end, _, _ in record["passages"]:
            if not 0 <= start < end <= length:
                return f"a passage ({start}–{end}) lies outside its text"
        return ""

    def write_annotations(self, records):
        if not records:
            return
        tally = self.report.tally("annotations")
        refs = {self._ref(r["article"]) for r in records}
        unknown = refs - self.refs.keys() - self.missing.keys()
        articles = {**self.refs, **self.resolve(unknown)}
        self.known_users(r["author"] for r in records)
        self.known_users(v["user"] for r in records for v in r["revisions"])
        self._know_tags({name for r in records for name in r["tags"]})
        placed = [(articles.get(self._ref(r["article"])), r) for r in records]
        for article_id, record in placed:
            if article_id is None:
                tally.skipped += 1
                ref = self._ref(record["article"])
                if ref not in self.missing:
                    self.missing[ref] = "not in the file or not imported"
                    self.report.problem(
                        f"Annotations of the article {ref[0]}/{ref[1][:12]}…: the article is "
                        "not here; they are left out."
                    )
        placed = [(pk, r) for pk, r in placed if pk is not None]
        there = set(
            Annotation.objects.filter(article__in={pk for pk, _ in placed}).values_list(
                "article_id", "author_id", "created"
            )
        )
        submissions = set()
        wanted_submissions = {UUID(r["submission"]) for _, r in placed if r["submission"]}
        if wanted_submissions:
            submissions = set(
                Annotation.objects.filter(submission__in=wanted_submissions).values_list(
                    "author_id", "submission"
                )
            )
        new: list[tuple[dict, Annotation]] = []
        for article_id, record in placed:
            author = self.user(record["author"])
            created = _parse_when(record["created"])
            submission = UUID(record["submission"]) if record["submission"] else None
            if (article_id, author, created) in there or (
                submission and (author, submission) in submissions
            ):
                tally.existing += 1
                continue
            there.add((article_id, author, created))
            if submission:
                submissions.add((author, submission))
            claim = self.claims.get(record["claim"]) if record["claim"] else None
            if record["claim"] and claim is None:
                self.report.problem(
                    f"An annotation names the claim {record['claim']}, which was not "
                    "imported; it is imported without it."
                )
            new.append(
                (
                    record,
                    Annotation(
                        article_id=article_id,
                        start=record["start"],
                        end=record["end"],
                        exact=record["exact"],
                        prefix=record["prefix"],
                        suffix=record["suffix"],
                        anchor_status=record["anchor_status"],
                        proposed_start=record["proposed_start"],
                        proposed_end=record["proposed_end"],
                        anchored_version=record["anchored_version"],
                        claim_id=claim,
                        stance=record["stance"],
                        note=record["note"],
                        author_id=author,
                        created=created,
                        modified=_parse_when(record["modified"]),
                        deleted=_parse_when(record["deleted"]),
                        version=record["version"],
                        submission=submission,
                    ),
                )
            )
        self._create(Annotation, [a for _, a in new])
        links = [
            TaggedAnnotation(content_object=annotation, tag_id=self.tags[name_key(name)])
            for record, annotation in new
            for name in dict.fromkeys(record["tags"])
            if name_key(name) in self.tags
        ]
        TaggedAnnotation.objects.bulk_create(links, batch_size=BATCH)
        revisions = [
            AnnotationRevision(annotation=annotation, **self._revision(revision))
            for record, annotation in new
            for revision in record["revisions"]
        ]
        self._create(AnnotationRevision, revisions)
        tally.created += len(new)

    def _know_tags(self, names: set[str]) -> None:
        keys = {name_key(name) for name in names} - self.tags.keys()
        if keys:
            self.tags.update(Tag.objects.filter(key__in=keys).values_list("key", "pk"))
        for key in keys - self.tags.keys():
            self.report.problem(f"The tag “{key}” is not in the file; annotations lose it.")

    def write_decision(self, records):
        tally = self.report.tally("quotation decisions")
        self.known_users(r["created_by"] for r in records)
        refs = {self._ref(r["article"]) for r in records}
        refs |= {self._ref(r["other_article"]) for r in records if r["other_article"]}
        articles = self.resolve(refs)
        there = set(
            QuotationDecision.objects.filter(
                article__in={articles[ref] for ref in refs if ref in articles}
            ).values_list("kind", "article_id", "key", "other_article_id", "other_key", "created")
        )
        new = []
        for record in records:
            article = articles.get(self._ref(record["article"]))
            other_ref = record["other_article"]
            other = articles.get(self._ref(other_ref)) if other_ref else None
            if article is None or (other_ref and other is None):
                tally.skipped += 1
                continue
            created = _parse_when(record["created"])
            identity = (record["kind"], article, record["key"], other, record["other_key"], created)
            if identity in there:
                tally.existing += 1
                continue
            there.add(identity)
            new.append(
                QuotationDecision(
                    kind=record["kind"],
                    article_id=article,
                    key=record["key"],
                    other_article_id=other,
                    other_key=record["other_key"],
                    value=record["value"],
                    created=created,
                    created_by_id=self.user(record["created_by"]),
                )
            )
        self._create(QuotationDecision, new)
        tally.created += len(new)

    def find_quotations(self) -> None:
        """Find the new articles' quotations in their texts and trace them, as the
        importer does, once every editors' decision is in (they apply to both)."""
        for start in range(0, len(self.new_articles), ARTICLE_BATCH):
            chunk = self.new_articles[start : start + ARTICLE_BATCH]
            with transaction.atomic():
                decided = set(
                    QuotationDecision.objects.filter(
                        article__in=chunk,
                        kind__in=[QuotationDecision.Kind.SPEAKER, QuotationDecision.Kind.VERB],
                    ).values_list("article_id", flat=True)
                )
                articles = list(
                    Article.objects.filter(pk__in=chunk).select_related("outlet").order_by("pk")
                )
                found = quotations.extract_new(a for a in articles if a.pk not in decided)
                for article in articles:
                    if article.pk in decided:
                        found += quotations.extract(article)
                quotations.trace(found)
                self.report.quotations += len(found)
