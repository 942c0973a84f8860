"""The importer through its real interfaces: files on disk, the management command."""

import io
import json
import zipfile

import pytest
from django.core.management import call_command

from sources.importer import Status, import_paths
from sources.models import Article, Outlet, Passage, Story

pytestmark = pytest.mark.django_db

GOOD_TEXT = (
    "Harbour gates fail again\n\n"
    "The east gate of the harbour barrier failed again on Tuesday, engineers said, "
    "the second failure this month.\n"
)


def write(folder, name, content):
    path = folder / name
    path.write_bytes(content if isinstance(content, bytes) else content.encode())
    return path


def run_command(*args):
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("import_articles", *map(str, args), stdout=out, stderr=err)
        code = 0
    except SystemExit as exit:
        code = exit.code
    return code, out.getvalue(), err.getvalue()


def test_folder_with_broken_files_imports_the_good_one_and_names_the_bad(tmp_path):
    write(tmp_path, "binary.txt", b"\x7fELF\x02\x01\x01\x00" + bytes(range(256)) * 8)
    write(tmp_path, "empty.txt", b"")
    write(tmp_path, "good.txt", GOOD_TEXT)

    code, out, err = run_command(tmp_path, "--outlet", "Harbour Wire", "--story", "Barrier")

    assert code == 1
    assert Article.objects.count() == 1
    assert Article.objects.get().title == "Harbour gates fail again"
    assert "binary.txt: this is a binary file, not text" in err
    assert "empty.txt: the file is empty" in err
    assert "1 created, 0 already there, 0 skipped, 2 failed" in err
    assert "[3/3]" in out


def test_loose_files_without_outlet_or_story_are_kept_not_lost(tmp_path):
    code, _, _ = run_command(write(tmp_path, "good.txt", GOOD_TEXT))
    assert code == 0
    article = Article.objects.get()
    assert article.outlet.name == "Unattributed"
    assert article.story.title == "Unsorted imports"


def test_reimport_changes_nothing(tmp_path):
    write(tmp_path, "good.txt", GOOD_TEXT)
    run_command(tmp_path, "--outlet", "Harbour Wire", "--story", "Barrier")
    article = Article.objects.get()
    counts = (
        Article.objects.count(),
        Passage.objects.count(),
        Outlet.objects.count(),
        Story.objects.count(),
    )

    code, out, _ = run_command(tmp_path, "--outlet", "Harbour Wire", "--story", "Barrier")

    assert code == 0
    assert "0 created, 1 already there" in out
    assert counts == (
        Article.objects.count(),
        Passage.objects.count(),
        Outlet.objects.count(),
        Story.objects.count(),
    )
    assert Article.objects.get().updated == article.updated


def test_raw_input_and_content_hash_are_kept(tmp_path):
    raw = " date 2024-03-07 " + GOOD_TEXT
    import_paths([write(tmp_path, "a.txt", raw)], outlet="Harbour Wire", story="Barrier")
    article = Article.objects.get()
    assert article.raw == raw
    assert not article.text.startswith(" date")
    assert len(article.content_hash) == 64
    assert str(article.published) == "2024-03-07"
    assert article.source_name == "a.txt"


def test_passages_cover_their_text(tmp_path):
    import_paths([write(tmp_path, "a.txt", GOOD_TEXT)], outlet="Harbour Wire", story="Barrier")
    article = Article.objects.get()
    passages = list(article.passages.all())
    assert [p.kind for p in passages] == ["headline", "body"]
    assert passages[0].text == "Harbour gates fail again"
    assert [p.ordinal for p in passages] == [1, 2]


MANIFEST = (
    "file,outlet,story,title,url,published,author,language\n"
    "one.txt,Harbour Wire,Barrier failure,,https://wire.example.org/1,2024-03-05,Ada Brenner,en\n"
    "two.txt,Quay Gazette,Barrier failure,The Gazette's own title,,,,\n"
    "missing.txt,Quay Gazette,Barrier failure,,,,,\n"
    "three.txt,Quay Gazette,Barrier failure,,,next Tuesday,,\n"
)


def test_manifest_gives_metadata_and_reports_problems_per_row(tmp_path):
    write(tmp_path, "manifest.csv", MANIFEST)
    write(tmp_path, "one.txt", GOOD_TEXT)
    write(
        tmp_path,
        "two.txt",
        "A headline of the gazette\n\nThe gazette's report on the barrier runs to two sentences. It is short.\n",
    )
    write(tmp_path, "three.txt", GOOD_TEXT)
    write(tmp_path, "README.md", "Notes for the batch.")

    outcomes = {o.name.split("/", 1)[1]: o for o in import_paths([tmp_path])}

    one = Article.objects.get(outlet__name="Harbour Wire")
    assert (one.url, str(one.published), one.byline, one.language) == (
        "https://wire.example.org/1",
        "2024-03-05",
        "Ada Brenner",
        "en",
    )
    assert Article.objects.get(outlet__name="Quay Gazette").title == "The Gazette's own title"
    assert outcomes["missing.txt"].status == Status.FAILED
    assert "not in the folder" in outcomes["missing.txt"].reason
    assert outcomes["three.txt"].status == Status.FAILED
    assert "not a date" in outcomes["three.txt"].reason
    assert outcomes["README.md"].status == Status.SKIPPED
    assert "not listed in manifest.csv" in outcomes["README.md"].reason
    assert "manifest.csv" not in outcomes


def test_manifest_without_required_columns_is_refused(tmp_path):
    write(tmp_path, "manifest.csv", "name,source\none.txt,x\n")
    write(tmp_path, "one.txt", GOOD_TEXT)
    outcomes = import_paths([tmp_path])
    assert [o.status for o in outcomes] == [Status.FAILED]
    assert "no file, outlet, story column" in outcomes[0].reason
    assert not Article.objects.exists()


def test_manifest_cannot_reach_outside_its_folder(tmp_path):
    folder = tmp_path / "batch"
    folder.mkdir()
    write(tmp_path, "secret.txt", GOOD_TEXT)
    write(folder, "manifest.csv", "file,outlet,story\n../secret.txt,Harbour Wire,Barrier\n")
    outcomes = import_paths([folder])
    assert outcomes[0].status == Status.FAILED
    assert not Article.objects.exists()


def test_json_and_jsonl_records(tmp_path):
    write(
        tmp_path,
        "records.json",
        json.dumps(
            [
                {
                    "text": GOOD_TEXT,
                    "outlet": "Harbour Wire",
                    "story": "Barrier",
                    "published": "2024-03-05",
                    "url": "https://wire.example.org/2",
                },
                {"title": "no text here", "outlet": "Harbour Wire"},
            ]
        ),
    )
    write(
        tmp_path,
        "more.jsonl",
        json.dumps(
            {
                "html": "<html><body><article><h1>Gazette on the gate</h1><p>The gazette says the east gate of the barrier failed for a second time on Tuesday night.</p></article></body></html>",
                "outlet": "Quay Gazette",
                "story": "Barrier",
                "author": "Ines Vale",
            }
        )
        + "\n{broken json\n",
    )

    outcomes = import_paths([tmp_path])

    statuses = {o.name.split("/", 1)[1]: o.status for o in outcomes}
    assert statuses == {
        "more.jsonl line 1": Status.CREATED,
        "more.jsonl line 2": Status.FAILED,
        "records.json record 1": Status.CREATED,
        "records.json record 2": Status.FAILED,
    }
    gazette = Article.objects.get(outlet__name="Quay Gazette")
    assert gazette.raw_format == "json"
    assert gazette.byline == "Ines Vale"
    assert "second time on Tuesday night" in gazette.text
    wire = Article.objects.get(outlet__name="Harbour Wire")
    assert str(wire.published) == "2024-03-05"


def test_html_page_metadata_captions_and_comments(settings, tmp_path):
    from pathlib import Path

    page = Path(__file__).parent.parent / "fixtures" / "harbour-page.html"
    outcomes = import_paths([page], story="Barrier")
    assert [o.status for o in outcomes] == [Status.CREATED]
    article = Article.objects.get()
    assert article.title == "Barrier failed twice before the storm, memo shows"
    assert article.outlet.name == "Harbour Daily"
    assert article.url == "https://harbour-daily.example.org/news/barrier-memo"
    assert str(article.published) == "2024-03-05"
    assert article.byline == "Mira Castell"
    assert article.raw.startswith("<!doctype html>")
    assert "window.tracker" not in article.text
    kinds = {p.text: p.kind for p in article.passages.all()}
    assert kinds["The east gate of the barrier after the storm. Photo: Lena Ortiz"] == "caption"
    assert kinds["Two failed inspections and nobody resigns?"] == "comment"
    assert kinds["Barrier failed twice before the storm, memo shows"] == "headline"


def test_zip_archive_with_manifest(tmp_path):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("batch/manifest.csv", "file,outlet,story\none.txt,Harbour Wire,Barrier\n")
        archive.writestr("batch/one.txt", GOOD_TEXT)
    outcomes = import_paths([write(tmp_path, "batch.zip", buffer.getvalue())])
    assert [o.status for o in outcomes] == [Status.CREATED]
    assert Article.objects.get().outlet.name == "Harbour Wire"


OTHER_TEXT = (
    "Council defends the barrier budget\n\n"
    "The council said on Wednesday that the barrier's repairs would stay within budget.\n"
)


def test_each_folder_of_a_corpus_is_read_with_its_own_manifest(tmp_path):
    """A corpus of stories, each in a folder with its manifest, imported as one folder."""
    for folder, outlet, story, text in (
        ("harbour", "Harbour Wire", "Barrier", GOOD_TEXT),
        ("council/2024", "Quay Gazette", "Budget", OTHER_TEXT),
    ):
        (tmp_path / folder).mkdir(parents=True)
        write(
            tmp_path / folder, "manifest.csv", f"file,outlet,story\narticle.txt,{outlet},{story}\n"
        )
        write(tmp_path / folder, "article.txt", text)
        write(tmp_path / folder, "README.md", "Where these came from.")
    write(tmp_path, "loose.txt", GOOD_TEXT.replace("Tuesday", "Friday"))

    code, out, err = run_command(tmp_path, "--outlet", "Wire Desk")

    assert code == 0, err
    assert set(Article.objects.values_list("outlet__name", "story__title")) == {
        ("Harbour Wire", "Barrier"),
        ("Quay Gazette", "Budget"),
        ("Wire Desk", "Unsorted imports"),
    }
    assert "harbour/README.md: skipped: not listed in manifest.csv" in out
    assert "council/2024/README.md: skipped: not listed in manifest.csv" in out
    assert "3 created, 0 already there, 2 skipped, 0 failed" in out


def test_a_manifest_speaks_for_the_folders_below_it_without_their_own(tmp_path):
    write(tmp_path, "manifest.csv", "file,outlet,story\nspring/one.txt,Harbour Wire,Barrier\n")
    (tmp_path / "spring").mkdir()
    write(tmp_path / "spring", "one.txt", GOOD_TEXT)
    outcomes = import_paths([tmp_path])
    assert [o.status for o in outcomes] == [Status.CREATED]
    assert Article.objects.get().outlet.name == "Harbour Wire"


def test_a_zip_of_folders_reads_each_with_its_manifest(tmp_path):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("a/manifest.csv", "file,outlet,story\none.txt,Harbour Wire,Barrier\n")
        archive.writestr("a/one.txt", GOOD_TEXT)
        archive.writestr("b/manifest.csv", "file,outlet,story\none.txt,Quay Gazette,Budget\n")
        archive.writestr("b/one.txt", OTHER_TEXT)
    outcomes = import_paths([write(tmp_path, "corpus.zip", buffer.getvalue())])
    assert [o.status for o in outcomes] == [Status.CREATED, Status.CREATED]
    assert set(Article.objects.values_list("outlet__name", flat=True)) == {
        "Harbour Wire",
        "Quay Gazette",
    }


def test_same_url_with_new_text_corrects_the_article(tmp_path):
    first = {
        "text": GOOD_TEXT,
        "url": "https://wire.example.org/3",
        "outlet": "Harbour Wire",
        "story": "B",
    }
    second = {
        **first,
        "text": GOOD_TEXT + "\nA correction was appended to the story later that day.\n",
    }
    import_paths([write(tmp_path, "a.json", json.dumps(first))])
    outcomes = import_paths([write(tmp_path, "b.json", json.dumps(second))])
    assert outcomes[0].status == Status.CORRECTED
    article = Article.objects.get()
    assert article.text == second["text"].strip()
    assert article.versions.get().text == GOOD_TEXT.strip()


def test_missing_path_is_reported(tmp_path):
    code, _, err = run_command(tmp_path / "nope.txt")
    assert code == 1
    assert "no such file or folder" in err


def test_blog_post_with_threaded_comments_and_a_list_at_the_end():
    from pathlib import Path

    page = Path(__file__).parent.parent / "fixtures" / "blog-post.html"
    import_paths([page], story="Barrier")
    article = Article.objects.get()
    assert (article.title, article.outlet.name, str(article.published), article.byline) == (
        "Gate memo leaked",
        "The Quay Blog",
        "2025-05-16",
        "Sam Greaves",
    )
    assert article.language == "en-GB"
    kinds = {p.text: p.kind for p in article.passages.all()}
    assert kinds["Editor's note: this post quotes the memo in full where it matters."] == "preface"
    assert kinds["- Manual closing plan"] == "body"
    assert kinds["Sorry to hear it. Did the council ever reply?"] == "comment"
    assert "Proudly powered by WordPress" not in article.text
