"""Backup and exchange: manage.py export_corpus and import_corpus (parallax/backup.py)."""

import io
import json
import re

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from annotations.demo import load_demo
from annotations.editing import (
    create_annotation,
    delete_annotation,
    record_claim_change,
    rename_claim,
    update_annotation,
)
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
    TagOutletUse,
    TagStoryUse,
)
from annotations.relations import add_relation
from parallax import backup
from sources import quotations
from sources.models import (
    Article,
    ArticleVersion,
    Outlet,
    Passage,
    Quotation,
    QuotationDecision,
    Story,
    Trace,
)
from sources.revisions import revise_text
from tests.factories import (
    make_annotation,
    make_article,
    make_claim,
    make_outlet,
    make_story,
    make_tag,
)
from tests.helpers import SAMPLE_CORPUS, require_sample_corpus

pytestmark = pytest.mark.django_db

User = get_user_model()

COUNTED = (
    Outlet,
    Story,
    Article,
    ArticleVersion,
    Passage,
    Quotation,
    QuotationDecision,
    Tag,
    NameVariants,
    Claim,
    ClaimAlias,
    ClaimRelation,
    ClaimRevision,
    Annotation,
    TaggedAnnotation,
    AnnotationRevision,
)


def counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in COUNTED}


def export(path, *options) -> bytes:
    call_command("export_corpus", str(path), *options, stderr=io.StringIO())
    return path.read_bytes()


def import_file(path, *options) -> str:
    out = io.StringIO()
    call_command("import_corpus", str(path), *options, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def records(data: bytes) -> list[dict]:
    return [json.loads(line) for line in data.decode("utf-8").splitlines()]


def empty_database():
    """Every content row and account gone, as in a fresh database before the restore."""
    Article.objects.all().delete()  # passages, versions, quotations, annotations with it
    Trace.objects.all().delete()
    Claim.objects.all().delete()  # aliases, relations, history with it
    Story.objects.all().delete()
    Outlet.objects.all().delete()
    Tag.objects.all().delete()
    NameVariants.objects.all().delete()
    User.objects.all().delete()


def tag_uses() -> set[tuple]:
    """The tag-use counts the triggers keep, zeros left out (pages skip them)."""
    return {
        *TagOutletUse.objects.filter(uses__gt=0).values_list("tag__name", "outlet__slug", "uses"),
        *TagStoryUse.objects.filter(uses__gt=0).values_list("tag__name", "story__slug", "uses"),
    }


def quotation_state() -> tuple[set, set]:
    """Each quotation (its article by outlet and title, key, speaker, verb) and each trace
    as the set of its quotations: what import finds again from the texts."""
    rows = Quotation.objects.values_list(
        "pk", "article__outlet__slug", "article__title", "key", "speaker", "verb", "trace_id"
    )
    found, traces = set(), {}
    for _pk, outlet, title, key, speaker, verb, trace in rows:
        found.add((outlet, title, key, speaker, verb))
        if trace:
            traces.setdefault(trace, set()).add((outlet, title, key))
    return found, {frozenset(members) for members in traces.values()}


def annotate_and_correct(editor):
    """An editor's work on top of the loaded corpus: annotations with a new tag, one
    changed and one deleted, a claim renamed (an alias), a relation, names, a quotation's
    speaker corrected, then a correction of an annotated article's text."""
    article = Article.objects.filter(annotations__isnull=False).order_by("pk").first()
    claims = list(Claim.objects.filter(story=article.story).order_by("pk")[:2])
    words = article.text.split()
    quote = " ".join(words[4:8])
    first, _ = create_annotation(
        article,
        editor,
        {
            "start": article.text.index(quote),
            "end": article.text.index(quote) + len(quote),
            "claim": claims[0],
            "stance": "reports",
            "note": "Note with <script>alert(1)</script> and “quotes”.",
            "tags": ["framing", "Новый тег"],
        },
    )
    update_annotation(
        first,
        editor,
        {"claim": claims[0], "stance": "asserts", "note": "Changed.", "tags": ["framing"]},
    )
    second = Annotation.objects.filter(article=article).exclude(pk=first.pk).first()
    delete_annotation(second, editor)
    rename_claim(claims[1], claims[1].statement + " (renamed)", editor)
    add_relation(claims[0], claims[1], ClaimRelation.Kind.CONTRADICTS, editor)
    NameVariants.objects.create(name="Kyiv Mayor", spellings="Кличко\nKlitschko")
    quotation = Quotation.objects.order_by("pk").first()
    quotations.correct(quotation, speaker="A corrected speaker", user=editor)
    # The correction path: a second version, the annotations placed again (the one on
    # the words withdrawn is kept aside).
    revised = article.text.replace(quote, "words the outlet withdrew", 1) + "\n\nCorrected."
    correction = revise_text(article, revised, user=editor, source="reader")
    assert correction.changed
    assert Annotation.objects.exclude(anchor_status="anchored").exists()
    return article


def annotate(article, editor, quote: str, tags: list[str]):
    start = article.text.index(quote)
    data = {"start": start, "end": start + len(quote), "stance": "quotes", "tags": tags}
    return create_annotation(article, editor, data)[0]


@pytest.fixture
def corpus(request, editor):
    load_demo()
    if request.param == "sample":
        require_sample_corpus()
        call_command("import_articles", str(SAMPLE_CORPUS), stdout=io.StringIO())
        # Every sample article gets an annotation on the start of its first body passage.
        sample = Article.objects.exclude(story__title="Callowmouth flood barrier memo")
        assert sample.count() == 5
        for article in sample:
            body = article.passages.filter(kind="body").first()
            annotate(article, editor, body.text[:40].strip(), ["quote", "framing"])
    annotate_and_correct(editor)


@pytest.mark.parametrize("corpus", ["demo", "sample"], indirect=True)
def test_round_trip_through_an_empty_database_gives_the_same_file(corpus, tmp_path):
    before = counts()
    uses = tag_uses()
    found = quotation_state()
    assert ArticleVersion.objects.exists()
    assert Annotation.objects.exclude(deleted=None).exists()
    first = export(tmp_path / "first.jsonl")

    empty_database()
    assert counts() == dict.fromkeys(before, 0)
    output = import_file(tmp_path / "first.jsonl")
    second = export(tmp_path / "second.jsonl")

    assert first == second
    assert counts() == before
    assert quotation_state() == found
    # The triggers counted every tag use as the rows came in: a recount changes nothing.
    assert tag_uses() == uses
    call_command("recount", stdout=io.StringIO())
    assert tag_uses() == uses
    assert "articles:" in output and "annotations:" in output
    # The accounts the content names come back by name only (the demo's moderator, who
    # wrote nothing, does not): inactive, no usable password.
    assert list(User.objects.values_list("username", flat=True)) == ["editor"]
    assert not User.objects.filter(is_active=True).exists()
    assert not any(user.has_usable_password() for user in User.objects.all())


@pytest.mark.parametrize("corpus", ["demo"], indirect=True)
def test_two_exports_of_the_same_data_are_the_same_bytes(corpus, tmp_path):
    first = export(tmp_path / "a.jsonl")
    assert export(tmp_path / "b.jsonl") == first
    lines = records(first)
    assert lines[0]["type"] == "header" and lines[-1] == {"type": "end", "records": len(lines)}
    # No database ids anywhere: rows are named by their natural keys.
    assert not any(key in line for line in lines for key in ("id", "pk", "article_id"))
    assert all(line.count("\n") == 1 for line in first.decode().splitlines(keepends=True))


@pytest.mark.parametrize("corpus", ["demo"], indirect=True)
def test_a_revisions_fields_are_written_in_the_historys_order(corpus, tmp_path):
    """SQLite keeps a revision's fields as written, PostgreSQL's jsonb shortest first: the
    file writes them in one order, so a backup of one restored into the other exports the
    same bytes."""
    claim = Claim.objects.order_by("pk").first()
    ClaimRevision.objects.create(
        claim=claim,
        action=ClaimRevision.Action.CHANGED,
        changes={"relation": [None, "x"], "statement": ["a", "b"], "status": ["draft", "x"]},
    )

    lines = [line for line in records(export(tmp_path / "c.jsonl")) if line["type"] == "claim"]
    written = next(line for line in lines if line["slug"] == claim.slug)["revisions"]
    fields = [[name for name, _ in revision["changes"]] for revision in written]
    assert ["status", "statement", "relation"] in fields
    # The creation, written {"statement": …, "status": …} by Claim.snapshot().
    assert fields[0] == ["status", "statement"]


@pytest.mark.parametrize("corpus", ["demo"], indirect=True)
def test_the_header_says_whose_texts_it_holds(corpus, tmp_path):
    header = records(export(tmp_path / "corpus.jsonl"))[0]
    assert header["format"] == "parallax-corpus" and header["version"] == 1
    assert header["texts"] is True
    assert "belong to their outlets" in header["rights"]
    assert header["outlets"] == sorted(
        Outlet.objects.values_list("name", flat=True),
        key=lambda name: Outlet.objects.get(name=name).slug.encode(),
    )


@pytest.mark.parametrize("corpus", ["demo"], indirect=True)
def test_importing_twice_into_a_full_database_makes_nothing_twice(corpus, tmp_path):
    data = export(tmp_path / "corpus.jsonl")
    before = counts()
    uses = tag_uses()

    output = import_file(tmp_path / "corpus.jsonl")
    assert counts() == before
    assert "articles: 0 created" in output and "annotations: 0 created" in output
    import_file(tmp_path / "corpus.jsonl")
    assert counts() == before
    assert tag_uses() == uses
    assert export(tmp_path / "again.jsonl") == data


@pytest.mark.parametrize("corpus", ["demo"], indirect=True)
def test_import_adds_only_what_is_missing(corpus, tmp_path):
    data = export(tmp_path / "corpus.jsonl")
    before = counts()
    kept, gone = Article.objects.filter(annotations__deleted=None).distinct().order_by("pk")[:2]
    kept.annotations.filter(deleted=None).order_by("pk").last().delete()
    gone_annotations = gone.annotations.count()
    gone.delete()

    output = import_file(tmp_path / "corpus.jsonl")
    assert "articles: 1 created" in output
    assert f"annotations: {1 + gone_annotations} created" in output
    assert counts() == before
    assert export(tmp_path / "again.jsonl") == data


@pytest.mark.parametrize("corpus", ["demo"], indirect=True)
def test_without_texts_leaves_out_texts_and_raw_and_says_so(corpus, tmp_path):
    data = export(tmp_path / "light.jsonl", "--without-texts")
    lines = records(data)
    header = lines[0]
    assert header["texts"] is False
    assert "left out" in header["left_out"]
    articles = [line for line in lines if line["type"] == "article"]
    assert len(articles) == Article.objects.count()
    assert not any({"text", "raw", "passages"} & line.keys() for line in articles)
    assert not any("text" in version for line in articles for version in line["versions"])
    # Not a sentence of any text is in the file, the annotations' quotes aside.
    longest = max(Article.objects.values_list("text", flat=True), key=len)
    assert longest[:200].encode() not in data
    annotations = [line for line in lines if line["type"] == "annotation"]
    assert annotations and all(line["exact"] for line in annotations)


@pytest.mark.parametrize("corpus", ["demo"], indirect=True)
def test_without_texts_places_annotations_only_on_the_same_texts(corpus, tmp_path):
    export(tmp_path / "light.jsonl", "--without-texts")
    articles = Article.objects.count()
    annotations = Annotation.objects.count()
    gone = Article.objects.filter(annotations__isnull=False).order_by("pk").first()
    gone_annotations = gone.annotations.count()
    Annotation.objects.all().delete()
    gone.delete()

    out, err = io.StringIO(), io.StringIO()
    call_command("import_corpus", str(tmp_path / "light.jsonl"), stdout=out, stderr=err)

    assert Article.objects.count() == articles - 1  # no article is made without its text
    assert Annotation.objects.count() == annotations - gone_annotations
    assert f"annotations: {annotations - gone_annotations} created" in out.getvalue()
    assert "not here with the same text" in err.getvalue()
    assert gone.title[:40] in err.getvalue()


def test_an_article_whose_url_holds_another_text_here_is_reported_not_doubled(tmp_path):
    article = make_article(url="https://example.org/barrier")
    make_annotation(article, "memo shows")
    export(tmp_path / "corpus.jsonl")
    article.delete()
    make_article(outlet=article.outlet, url=article.url, text="Another text entirely.")

    err = io.StringIO()
    call_command("import_corpus", str(tmp_path / "corpus.jsonl"), stdout=io.StringIO(), stderr=err)
    assert Article.objects.filter(url=article.url).count() == 1
    assert not Annotation.objects.exists()
    assert "another article with its URL holds another text here" in err.getvalue()


def broken_files(data: bytes) -> dict[str, tuple[bytes, str]]:
    lines = data.splitlines(keepends=True)
    header = json.loads(lines[0])
    return {
        "alien": (b'{"some": "other format"}\n', "not a Parallax corpus file"),
        "csv": (b"outlet,title\nA,B\n", "not a Parallax corpus file"),
        "empty": (b"", "empty"),
        "version": (
            backup.dump({**header, "version": 99}).encode() + b"".join(lines[1:]),
            "version 99",
        ),
        "cut short": (b"".join(lines[:-3]), "cut short"),
        "bad json": (b"".join([*lines[:3], b'{"type": "outlet", \n', *lines[3:]]), "Line 4"),
        "unknown record": (
            b"".join([*lines[:2], b'{"type": "spaceship"}\n', *lines[2:]]),
            "Line 3",
        ),
        "missing field": (
            b"".join(
                [*lines[:2], backup.dump({"type": "outlet", "slug": "x"}).encode(), *lines[2:]]
            ),
            "Line 3 (outlet) has no “name”",
        ),
        "bad choice": (
            b"".join(
                line.replace(b'"anchor_status":"anchored"', b'"anchor_status":"<script>"')
                for line in lines
            ),
            "“anchor_status” is '<script>', not one of",
        ),
        "bad colour": (
            b"".join(
                re.sub(rb'"colour":"#[0-9a-f]{6}"', b'"colour":"#zzzzzz"', line) for line in lines
            ),
            "“colour”: Give a colour as #rrggbb.",
        ),
        "bad slug": (
            b"".join(
                [
                    *lines[:2],
                    backup.dump(
                        {
                            "type": "outlet",
                            "slug": "../admin",
                            "name": "X",
                            "site": "",
                            "country": "",
                            "language": "",
                        }
                    ).encode(),
                    *lines[2:],
                ]
            ),
            "Line 3 (outlet): “slug”: Enter a valid “slug”",
        ),
        "negative offset": (
            b"".join(line.replace(b'"start":', b'"start":-') for line in lines),
            "“start” is negative",
        ),
        "wrong count": (
            b"".join([*lines[:-1], backup.dump({"type": "end", "records": 3}).encode()]),
            "counts 3 records",
        ),
    }


@pytest.mark.parametrize(
    "case",
    [
        "alien",
        "csv",
        "empty",
        "version",
        "cut short",
        "bad json",
        "unknown record",
        "missing field",
        "bad choice",
        "bad colour",
        "bad slug",
        "negative offset",
        "wrong count",
    ],
)
def test_a_broken_or_alien_file_is_refused_and_changes_nothing(case, editor, tmp_path):
    article = make_article()
    make_annotation(article, "memo shows", author=editor).tags.add(make_tag())
    data = export(tmp_path / "good.jsonl")
    empty_database()
    content, message = broken_files(data)[case]
    (tmp_path / "broken.jsonl").write_bytes(content)

    with pytest.raises(CommandError, match=re.escape(message)):
        import_file(tmp_path / "broken.jsonl")
    assert set(counts().values()) == {0}
    assert not User.objects.exists()


def test_a_line_over_the_limit_is_refused_by_its_number(editor, tmp_path):
    make_article(text="A long article. " * 200)
    make_article()
    data = export(tmp_path / "corpus.jsonl")
    lines = data.splitlines()
    longest = max(range(len(lines)), key=lambda i: len(lines[i]))
    before = counts()

    with pytest.raises(CommandError, match=f"Line {longest + 1} is longer than 1,000 bytes"):
        import_file(tmp_path / "corpus.jsonl", "--max-record-bytes", "1000")
    assert counts() == before


def test_an_article_whose_text_does_not_match_its_hash_is_reported(tmp_path):
    make_article()
    data = records(export(tmp_path / "corpus.jsonl"))
    empty_database()
    for line in data:
        if line["type"] == "article":
            line["text"] = line["text"].replace("memo", "mono")
    (tmp_path / "changed.jsonl").write_text("".join(backup.dump(line) for line in data))

    err = io.StringIO()
    call_command("import_corpus", str(tmp_path / "changed.jsonl"), stdout=io.StringIO(), stderr=err)
    assert not Article.objects.exists()
    assert "does not match its content hash" in err.getvalue()


def make_annotated(articles: int, editor):
    outlet, story = make_outlet(), make_story()
    tag = make_tag()
    claim = make_claim(story=story)
    record_claim_change(claim, editor, before=None)
    for i in range(articles):
        article = make_article(outlet=outlet, story=story, text=f"Article {i}: memo shows.\n\nEnd.")
        annotation = make_annotation(article, "memo shows", claim=claim, author=editor)
        annotation.tags.add(tag)
        AnnotationRevision.objects.create(annotation=annotation, user=editor, action="created")
        ArticleVersion.objects.create(article=article, number=0, text=f"Draft {i}", source="shell")


def export_queries(chunk_size: int) -> int:
    with CaptureQueriesContext(connection) as queries:
        backup.export_corpus(io.StringIO(), chunk_size=chunk_size)
    return len(queries)


@pytest.mark.parametrize("articles", [3, 9])
def test_export_reads_in_a_fixed_number_of_queries(articles, editor):
    make_annotated(articles, editor)
    # 1 a savepoint (the test's transaction holds the export's), 2 the header's outlets,
    # 3 the accounts named, 4 outlets, 5 stories, 6 tags, 7 names, 8-10 claims with their
    # aliases and history, 11 relations, 12 articles, 13-17 their earlier texts,
    # annotations, the annotations' tags and history, and passages (one chunk),
    # 18 quotation decisions, 19 the savepoint released.
    assert export_queries(chunk_size=100) == 19


@pytest.mark.parametrize(("articles", "chunks"), [(3, 2), (9, 5)])
def test_export_reads_articles_a_chunk_at_a_time(articles, chunks, editor):
    make_annotated(articles, editor)
    # Queries 13-17 above once a chunk of two articles.
    assert export_queries(chunk_size=2) == 14 + 5 * chunks


def test_without_texts_never_reads_the_text_columns(editor):
    make_annotated(3, editor)
    with CaptureQueriesContext(connection) as queries:
        backup.export_corpus(io.StringIO(), texts=False)
    read = " ".join(query["sql"] for query in queries)
    assert '"sources_article"."raw"' not in read
    assert '"sources_article"."text"' not in read
    assert '"sources_articleversion"."text"' not in read


def test_import_reports_its_progress_on_standard_error(tmp_path):
    make_annotation(make_article(), "memo shows")
    export(tmp_path / "corpus.jsonl")
    empty_database()
    out, err = io.StringIO(), io.StringIO()
    call_command("import_corpus", str(tmp_path / "corpus.jsonl"), stdout=out, stderr=err)
    # A line a batch: the line read when it was written, of the file's lines.
    lines = len(records((tmp_path / "corpus.jsonl").read_bytes()))
    assert f"[3/{lines}] lines read; outlets: 1 created, 0 already there\n" in err.getvalue()
    assert err.getvalue().endswith(
        f"[{lines}/{lines}] lines read; annotations: 1 created, 0 already there\n"
    )
    assert "annotations: 1 created, 0 already there" in out.getvalue()


def test_the_export_command_writes_to_standard_output(tmp_path):
    make_article()
    out = io.StringIO()
    call_command("export_corpus", "-", stdout=out, stderr=io.StringIO())
    assert out.getvalue().encode() == export(tmp_path / "corpus.jsonl")


def test_a_missing_account_comes_back_inactive_without_a_password(editor, tmp_path):
    make_annotation(make_article(), "memo shows", author=editor)
    export(tmp_path / "corpus.jsonl")
    empty_database()
    import_file(tmp_path / "corpus.jsonl")
    user = User.objects.get(username=editor.username)
    assert not user.is_active and not user.has_usable_password()
    assert user.email == ""
    assert Annotation.objects.get().author == user


@pytest.mark.parametrize("where", ["Line 7", "Line 12"])
def test_check_record_names_the_line(where):
    with pytest.raises(backup.BackupError, match=f"{where} \\(tag\\): “position” is not"):
        backup.check_record(
            {
                "type": "tag",
                "name": "x",
                "slug": "x",
                "definition": "",
                "colour": "#000000",
                "status": "accepted",
                "position": "first",
                "proposed_by": None,
                "created": "2026-01-01T00:00:00.000000Z",
            },
            True,
            where,
        )
