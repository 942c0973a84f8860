"""The importer writes in batches: one transaction a batch, the stored articles a batch
repeats found in one query, its articles, passages and quotations in bulk, and the batch
written again a record at a time when the database refuses any of it."""

import json

import pytest
from django.db import connection

from sources import importer
from sources.importer import Entry, FoundQuotation, Status, import_entries, import_paths
from sources.models import Article, Outlet, Passage, Quotation, QuotationShingle, Story, Trace

pytestmark = pytest.mark.django_db


def text(n: int, quote: str = "") -> str:
    """An article with a headline, two paragraphs and a quotation of its own."""
    quote = quote or f"The gate number {n} held through the night and the crews went home"
    return (
        f"Harbour report number {n}\n\n"
        f"The east gate of the harbour barrier was tested on day {n}, engineers said.\n\n"
        f"“{quote},” the harbour master said. Repairs go on.\n"
    )


def entries(count: int, **metadata) -> list[Entry]:
    metadata = {"outlet": "Harbour Wire", "story": "Barrier", **metadata}
    return [Entry(f"{n}.txt", text(n).encode(), dict(metadata)) for n in range(count)]


def refuse_titles(title: str, table: str = "sources_article", column: str = "title") -> None:
    """A trigger by which the database itself refuses rows: those of articles titled
    `title` (or, for passages, of such articles). A real refusal, after validation."""
    where = f"NEW.{column} = '{title}'"
    if table == "sources_passage":
        where = f"(SELECT title FROM sources_article WHERE id = NEW.article_id) = '{title}'"
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(
                f"CREATE TRIGGER test_refuse BEFORE INSERT ON {table} "
                f"WHEN {where} BEGIN SELECT RAISE(ABORT, 'refused by a test trigger'); END"
            )
        else:
            cursor.execute(
                "CREATE FUNCTION test_refuse() RETURNS trigger LANGUAGE plpgsql AS $$ "
                f"BEGIN IF {where} THEN RAISE EXCEPTION 'refused by a test trigger'; END IF; "
                "RETURN NEW; END $$"
            )
            cursor.execute(
                f"CREATE TRIGGER test_refuse BEFORE INSERT ON {table} "
                "FOR EACH ROW EXECUTE FUNCTION test_refuse()"
            )


def test_a_file_the_database_refuses_fails_alone_and_the_batch_lands():
    refuse_titles("Harbour report number 2")
    outcomes = import_entries(entries(5))

    assert [o.status for o in outcomes] == [
        Status.CREATED,
        Status.CREATED,
        Status.FAILED,
        Status.CREATED,
        Status.CREATED,
    ]
    assert "the database refused it" in outcomes[2].reason
    assert "refused by a test trigger" in outcomes[2].reason
    assert sorted(Article.objects.values_list("source_name", flat=True)) == [
        "0.txt",
        "1.txt",
        "3.txt",
        "4.txt",
    ]
    # Each landed article has its passages and quotations; the refused one left nothing.
    assert Passage.objects.values("article").distinct().count() == 4
    assert Quotation.objects.values("article").distinct().count() == 4


def test_a_refusal_in_the_batchs_passages_is_written_again_one_file_at_a_time():
    # The passages are written for the whole batch at once: when the database refuses
    # them, the batch is rolled back and written again, one file at a time.
    refuse_titles("Harbour report number 1", table="sources_passage")
    outcomes = import_entries(entries(3))

    assert [o.status for o in outcomes] == [Status.CREATED, Status.FAILED, Status.CREATED]
    assert "refused by a test trigger" in outcomes[1].reason
    assert Article.objects.count() == 2
    assert Outlet.objects.count() == 1 and Story.objects.count() == 1
    for article in Article.objects.all():
        assert article.passages.count() == 3
        assert article.quotations.count() == 1


def test_broken_files_among_good_ones_fail_with_their_reason(tmp_path):
    (tmp_path / "manifest.csv").write_text(
        "file,outlet,story,url\n"
        "a.txt,Harbour Wire,Barrier,https://wire.example.org/a\n"
        "binary.txt,Harbour Wire,Barrier,\n"
        "badurl.txt,Harbour Wire,Barrier,not a url\n"
        "empty.txt,Harbour Wire,Barrier,\n"
        "b.txt,Harbour Wire,Barrier,https://wire.example.org/b\n"
    )
    (tmp_path / "a.txt").write_text(text(1))
    (tmp_path / "binary.txt").write_bytes(b"\x7fELF\x02\x01\x01\x00" + bytes(range(256)) * 8)
    (tmp_path / "badurl.txt").write_text(text(2))
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "b.txt").write_text(text(3))

    outcomes = {o.name.split("/", 1)[1]: o for o in import_paths([tmp_path])}

    assert {name: o.status for name, o in outcomes.items()} == {
        "a.txt": Status.CREATED,
        "binary.txt": Status.FAILED,
        "badurl.txt": Status.FAILED,
        "empty.txt": Status.FAILED,
        "b.txt": Status.CREATED,
    }
    assert outcomes["binary.txt"].reason == "this is a binary file, not text"
    assert outcomes["badurl.txt"].reason == "Enter a valid URL."
    assert outcomes["empty.txt"].reason == "the file is empty"
    assert set(Article.objects.values_list("url", flat=True)) == {
        "https://wire.example.org/a",
        "https://wire.example.org/b",
    }


def test_duplicates_in_one_batch_are_reported_as_existing_not_created_twice():
    same = text(1).encode()
    outcomes = import_entries(
        [
            Entry("first.txt", same, {"outlet": "Harbour Wire", "story": "Barrier"}),
            # Case and spacing aside, the same outlet: the same text is already there.
            Entry("again.txt", same, {"outlet": "harbour  wire", "story": "Barrier"}),
            Entry("other-outlet.txt", same, {"outlet": "Quay Gazette", "story": "Barrier"}),
            Entry(
                "same-url.json",
                json.dumps(
                    {"text": text(2), "url": "https://wire.example.org/2", "outlet": "Harbour Wire"}
                ).encode(),
            ),
            Entry(
                "same-url-again.json",
                json.dumps(
                    {"text": text(2), "url": "https://wire.example.org/2", "outlet": "Quay Gazette"}
                ).encode(),
            ),
        ]
    )

    assert [o.status for o in outcomes] == [
        Status.CREATED,
        Status.EXISTING,
        Status.CREATED,
        Status.CREATED,
        Status.EXISTING,
    ]
    assert outcomes[1].article.pk == outcomes[0].article.pk
    assert outcomes[4].article.pk == outcomes[3].article.pk
    assert Article.objects.count() == 3
    assert Outlet.objects.count() == 2


def test_duplicates_of_stored_articles_are_existing_and_a_reimport_changes_nothing():
    first = import_entries(entries(4))
    counts = [
        model.objects.count()
        for model in (Article, Passage, Quotation, QuotationShingle, Trace, Outlet, Story)
    ]
    updated = list(Article.objects.order_by("pk").values_list("updated", flat=True))

    again = import_entries([*entries(4), Entry("new.txt", text(9).encode(), {"outlet": "x"})])

    assert [o.status for o in again] == [Status.EXISTING] * 4 + [Status.CREATED]
    assert [o.article.pk for o in again[:4]] == [o.article.pk for o in first]
    assert Article.objects.count() == counts[0] + 1
    assert Article.objects.filter(source_name="new.txt").get().outlet.name == "x"
    assert list(Article.objects.order_by("pk").values_list("updated", flat=True))[:4] == updated
    assert [
        model.objects.count()
        for model in (Passage, Quotation, QuotationShingle, Trace, Outlet, Story)
    ] == [
        counts[1] + 3,
        counts[2] + 1,
        counts[3]
        + QuotationShingle.objects.filter(quotation__article__source_name="new.txt").count(),
        counts[4],
        counts[5] + 1,
        counts[6] + 1,  # "Unsorted imports", for new.txt
    ]


def test_a_correction_of_an_article_created_earlier_in_the_same_batch():
    url = "https://wire.example.org/7"
    corrected = text(7) + "\nA correction was appended to the story later that day.\n"
    outcomes = import_entries(
        [
            Entry("a.json", json.dumps({"text": text(7), "url": url, "outlet": "W"}).encode()),
            Entry("b.json", json.dumps({"text": corrected, "url": url, "outlet": "W"}).encode()),
            Entry("c.json", json.dumps({"text": corrected, "url": url, "outlet": "W"}).encode()),
        ]
    )

    assert [o.status for o in outcomes] == [Status.CREATED, Status.CORRECTED, Status.EXISTING]
    article = Article.objects.get()
    assert article.text == corrected.strip()
    assert article.versions.get().text == text(7).strip()
    assert article.passages.count() == 4
    assert article.quotations.count() == 1


def test_batches_keep_the_order_of_outcomes_and_progress(monkeypatch):
    monkeypatch.setattr(importer, "BATCH_ARTICLES", 3)
    batch = entries(7)
    batch.insert(4, Entry("broken.txt", b"", {}))
    seen = []

    outcomes = import_entries(batch, progress=lambda o, index, total: seen.append((o, index)))

    assert [o.name for o in outcomes] == [e.name for e in batch]
    assert [index for _, index in seen] == list(range(1, 9))
    assert [o for o, _ in seen] == outcomes
    assert Article.objects.count() == 7
    assert Quotation.objects.count() == 7


def test_outcomes_do_not_hold_the_texts_but_load_them_when_asked():
    [outcome] = import_entries(entries(1))
    article = outcome.article

    assert "text" not in article.__dict__ and "raw" not in article.__dict__
    assert all(isinstance(q, FoundQuotation) for q in article.found_quotations)
    assert [q.pk for q in article.found_quotations] == list(
        Quotation.objects.values_list("pk", flat=True)
    )
    assert article.text == text(0).strip()


def test_outlets_and_stories_are_remembered_for_the_run(monkeypatch, django_assert_num_queries):
    monkeypatch.setattr(importer, "BATCH_ARTICLES", 2)
    Outlet.objects.create(name="Harbour Wire")
    Story.objects.create(title="Barrier")

    # Two batches of two, each: its savepoint (the test's transaction holds the batch's),
    # the stored articles, the articles' insert, the passages, quotations and their runs,
    # the release. The outlet and the story are looked up once, in the first batch.
    with django_assert_num_queries(2 + 2 * (1 + 1 + 1 + 3 + 1)):
        outcomes = import_entries(entries(4), trace=False)

    assert {o.article.outlet.pk for o in outcomes} == {Outlet.objects.get().pk}


@pytest.mark.parametrize("files", [5, 20])
def test_query_count_of_a_batch(files, django_assert_num_queries):
    Outlet.objects.create(name="Harbour Wire")
    Story.objects.create(title="Barrier")
    batch = entries(files)

    # The batch's savepoint (the test's transaction holds it); the outlet and the
    # story (met for the first time in this run); the stored articles it repeats;
    # the batch's articles, its passages, its quotations and their word runs (one
    # insert each, however many files: no savepoint an article); the batch's release.
    with django_assert_num_queries(1 + 2 + 1 + 1 + 3 + 1):
        outcomes = import_entries(batch, trace=False)

    assert [o.status for o in outcomes] == [Status.CREATED] * files
    assert Passage.objects.count() == 3 * files
    assert QuotationShingle.objects.filter(quotation__article__source_name="0.txt").exists()


@pytest.mark.parametrize("files", [5, 20])
def test_query_count_of_a_batch_already_there(files, django_assert_num_queries):
    import_entries(entries(files))

    # The batch's savepoint and release, the outlet, the story, the stored articles:
    # the same whatever the number of files.
    with django_assert_num_queries(5):
        outcomes = import_entries(entries(files))

    assert [o.status for o in outcomes] == [Status.EXISTING] * files


def test_passages_written_in_bulk_are_indexed_as_the_trigger_indexes_them():
    # On PostgreSQL the batch's insert computes the passages' search columns itself and
    # the insert trigger skips them: the values must be the trigger's own.
    if connection.vendor != "postgresql":
        pytest.skip("runs when the suite runs on PostgreSQL (DATABASE_URL=postgres://…)")
    Outlet.objects.create(name="Gazette de Genève", language="fr")
    words = "Les écluses 🌊 <b>& le quai</b> ont tenu toute la nuit, a dit l'ingénieure."
    german = {"text": f"Die Schleusen hielten\n\n{words}\n\nDie Fähren fahren.", "language": "de"}
    outcomes = import_entries(
        [
            Entry("fr.txt", f"La digue\n\n{words}\n".encode(), {"outlet": "Gazette de Genève"}),
            Entry("de.json", json.dumps({**german, "outlet": "Gazette de Genève"}).encode()),
            *entries(2),
        ],
        trace=False,
    )
    assert {o.status for o in outcomes} == {Status.CREATED}

    def search_columns():
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT id, search_config::text, search_vector::text FROM sources_passage "
                "ORDER BY id"
            )
            return cursor.fetchall()

    written = search_columns()
    with connection.cursor() as cursor:
        # Naming a watched column has the update trigger compute them again.
        cursor.execute("UPDATE sources_passage SET start = start")
        cursor.execute("SELECT cfg::text FROM parallax_search_configs")
        configs = {row[0] for row in cursor.fetchall()}
    assert search_columns() == written
    assert {config for _, config, _ in written} == {"french", "german", "simple"}
    assert configs >= {"french", "german", "simple"}
    assert all(vector for _, _, vector in written)


def test_passages_written_one_at_a_time_are_still_indexed_by_the_trigger():
    if connection.vendor != "postgresql":
        pytest.skip("runs when the suite runs on PostgreSQL (DATABASE_URL=postgres://…)")
    [outcome] = import_entries(entries(1), trace=False)
    Passage.objects.filter(article=outcome.article).delete()
    Passage.objects.create(article=outcome.article, ordinal=1, start=0, end=14)
    with connection.cursor() as cursor:
        cursor.execute("SELECT search_config::text, search_vector::text FROM sources_passage")
        assert cursor.fetchone() == ("simple", "'harbour':1 'report':2")
