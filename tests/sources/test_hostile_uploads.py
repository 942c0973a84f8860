"""Hostile uploads on the import page: every bound is a count, proven by counting.

Each test builds its upload in memory, posts it through the page and checks the
report's message, the articles stored before and after, and the budget's
counters, which show that the work stopped at the limit (no test times anything).
"""

import io
import json
import struct
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import override_settings
from django.urls import reverse

from sources.importer import file_size
from sources.models import Article
from sources.uploads import Limits, import_pasted

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def answered_at_once(settings):
    """These uploads are answered at once, so the page shows the budget's counters; a
    larger upload becomes a background job, under the same limits and budget
    (tests/sources/test_import_jobs.py)."""
    settings.PARALLAX_IMPORT_INLINE_BYTES = 100_000_000


URL = reverse("sources:import")
REST = "import the rest in another upload or with the import_articles command"
UNSAFE = "unsafe path in the archive ({}); it was not read"
TOO_DEEP = "a zip inside a zip inside a zip is not read; unpack it first"


def article(n: int) -> str:
    return f"Harbour notice number {n}\n\nThe harbour master posted notice number {n} today.\n"


def upload(name, content):
    data = content if isinstance(content, bytes) else content.encode("utf-8")
    return SimpleUploadedFile(name, data, content_type="application/octet-stream")


def zipped(members: dict, compression=zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=compression) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def post_files(client, files, **fields):
    data = {"form": "upload", "upload-files": files}
    data.update({f"upload-{name}": value for name, value in fields.items()})
    response = client.post(URL, data)
    assert response.status_code == 200
    return response


def rows(response):
    return [(row.name, row.label, row.reason) for row in response.context["report"].rows]


def budget(response):
    return response.context["report"].budget


# The limits themselves -------------------------------------------------------------------


def test_the_default_limits_are_the_documented_numbers(editor_client):
    assert Limits.from_settings() == Limits(
        file_bytes=10_000_000,
        request_bytes=50_000_000,
        files=200,
        unpacked_bytes=50_000_000,
        members=2000,
        records=2000,
        articles=1000,
    )
    page = editor_client.get(URL).content.decode()
    assert "may hold 2,000 files and unpack to 50 MB in all" in page
    assert "up to 1,000 new articles from up to 2,000 files and JSON records" in page


# Nested archives ----------------------------------------------------------------------------


def test_a_zip_inside_a_zip_is_refused_when_it_would_unpack_past_the_default_limit(
    editor_client,
):
    # 60 MB of zeros deflates to about 60 KB; the upload is small, what it unpacks to is not.
    inner = zipped({"padding.txt": b"\0" * 60_000_000})
    outer = zipped({"inner.zip": inner, "notice.txt": article(1)})
    before = Article.objects.count()

    response = post_files(editor_client, [upload("outer.zip", outer)])

    [refused, notice] = rows(response)
    assert refused[:2] == ("outer.zip/inner.zip", "failed")
    assert refused[2].startswith("inner.zip unpacks to 60 MB, more than the 49.9")
    assert refused[2].endswith("left of the limit of 50 MB unpacked per upload")
    assert notice == ("outer.zip/notice.txt", "created", "")
    # Read: the inner archive's own bytes and the notice; none of its padding.
    assert budget(response).unpacked_read == len(inner) + len(article(1))
    assert Article.objects.count() == before + 1


def test_a_zip_of_a_zip_of_zips_reads_two_levels_and_names_the_deeper_ones(editor_client):
    deeper = zipped({"hidden-notice.txt": article(9)})
    inner = zipped({"notice.txt": article(1), "deeper-1.zip": deeper, "deeper-2.zip": deeper})
    outer = zipped({"inner.zip": inner})
    before = Article.objects.count()

    response = post_files(editor_client, [upload("outer.zip", outer)])

    assert rows(response) == [
        ("outer.zip/inner.zip/notice.txt", "created", ""),
        ("outer.zip/inner.zip/deeper-1.zip", "failed", TOO_DEEP),
        ("outer.zip/inner.zip/deeper-2.zip", "failed", TOO_DEEP),
    ]
    spent = budget(response)
    assert spent.members_listed == 1 + 3  # the deeper archives were never opened
    assert spent.unpacked_read == len(inner) + len(article(1))
    assert Article.objects.count() == before + 1


@override_settings(PARALLAX_MAX_UPLOAD_UNPACKED_BYTES=20_000)
def test_the_unpacked_limit_counts_the_archives_before_and_around_a_nested_one(editor_client):
    first = zipped({"padding.txt": "a" * 9_000})
    # Alone the inner archive would fit; after the first one it does not.
    inner = zipped({"padding.txt": "b" * 12_000, "notice.txt": article(2)})
    outer = zipped({"inner.zip": inner})
    before = Article.objects.count()

    response = post_files(editor_client, [upload("first.zip", first), upload("outer.zip", outer)])

    left = 20_000 - 9_000 - len(inner)
    assert rows(response) == [
        ("first.zip/padding.txt", "created", ""),
        (
            "outer.zip/inner.zip",
            "failed",
            f"inner.zip unpacks to {file_size(12_000 + len(article(2)))}, more than the "
            f"{file_size(left)} left of the limit of 20 KB unpacked per upload",
        ),
    ]
    assert budget(response).unpacked_read == 9_000 + len(inner)
    assert Article.objects.count() == before + 1


# Many members -----------------------------------------------------------------------------------


def test_a_zip_of_20000_members_is_refused_from_its_directory_with_the_default_limit(
    editor_client,
):
    many = zipped({f"{n}.txt": f"Notice {n}" for n in range(20_000)})
    assert len(many) < 3_000_000  # a small upload, as in the issue
    before = Article.objects.count()

    response = post_files(editor_client, [upload("many.zip", many), upload("one.txt", article(1))])

    assert rows(response) == [
        (
            "many.zip",
            "failed",
            "many.zip holds 20,000 files; the limit is 2,000 files in zip archives per upload",
        ),
        ("one.txt", "created", ""),
    ]
    spent = budget(response)
    assert (spent.members_listed, spent.unpacked_read, spent.records_read) == (0, 0, 2)
    assert Article.objects.count() == before + 1


@override_settings(PARALLAX_MAX_UPLOAD_MEMBERS=30)
def test_all_archives_of_an_upload_share_the_member_limit(editor_client):
    first = zipped({f"a{n}.txt": article(n) for n in range(20)})
    second = zipped({f"b{n}.txt": article(100 + n) for n in range(20)})
    before = Article.objects.count()

    response = post_files(editor_client, [upload("a.zip", first), upload("b.zip", second)])

    assert rows(response)[-1] == (
        "b.zip",
        "failed",
        "b.zip holds 20 files, which with the 20 in the archives before it passes the limit "
        "of 30 files in zip archives per upload",
    )
    assert [row[1] for row in rows(response)[:-1]] == ["created"] * 20
    assert budget(response).members_listed == 20
    assert Article.objects.count() == before + 20


# Many records -------------------------------------------------------------------------------------


def jsonl(count: int) -> bytes:
    """`count` short records, about 45 bytes each."""
    return "".join(
        json.dumps({"text": f"Notice {n}\n\nBody of notice {n}."}) + "\n" for n in range(count)
    ).encode()


@override_settings(PARALLAX_MAX_UPLOAD_ARTICLES=5)
def test_a_huge_jsonl_stops_at_the_article_limit_and_the_next_upload_goes_on(editor_client):
    huge = jsonl(100_000)
    before = Article.objects.count()

    response = post_files(editor_client, [upload("huge.jsonl", huge)])

    limit_row = (
        "huge.jsonl line 6",
        "skipped",
        "not imported, nor anything after it: this upload reached its limit of 5 new "
        f"articles; {REST}",
    )
    assert rows(response) == [(f"huge.jsonl line {n}", "created", "") for n in range(1, 6)] + [
        limit_row
    ]
    assert "reached its limit of 5 new articles" in response.content.decode()
    # Five records taken of 100,000; the sixth was parsed, found over the limit, not imported.
    assert budget(response).records_read == 5
    assert Article.objects.count() == before + 5

    again = post_files(editor_client, [upload("huge.jsonl", huge)])

    assert [row[1] for row in rows(again)] == ["already there"] * 5 + ["created"] * 5 + ["skipped"]
    assert rows(again)[-1][0] == "huge.jsonl line 11"
    assert budget(again).records_read == 10
    assert Article.objects.count() == before + 10


@override_settings(PARALLAX_MAX_UPLOAD_RECORDS=20)
def test_an_upload_of_100000_broken_records_stops_at_the_record_limit(editor_client):
    broken = b"{not json\n" * 100_000
    before = Article.objects.count()

    response = post_files(editor_client, [upload("broken.jsonl", broken)])

    report = rows(response)
    assert report[:20] == [
        (
            f"broken.jsonl line {n}",
            "failed",
            "not valid JSON (Expecting property name enclosed in double quotes)",
        )
        for n in range(1, 21)
    ]
    assert report[20:] == [
        (
            "broken.jsonl line 21",
            "skipped",
            f"not read, nor anything after it: this upload reached its limit of 20 files and "
            f"records; {REST}",
        )
    ]
    assert budget(response).records_read == 20
    assert Article.objects.count() == before


@override_settings(PARALLAX_MAX_UPLOAD_ARTICLES=5)
def test_a_json_list_is_read_one_record_at_a_time_up_to_the_limit(editor_client):
    records = [
        {"text": article(n), "outlet": "Harbour Wire", "story": "Notices"} for n in range(50)
    ]
    # Broken after the limit: never reached, so not reported.
    data = json.dumps(records)[:-1] + ", {broken"
    before = Article.objects.count()

    response = post_files(editor_client, [upload("list.json", data)])

    assert [row[:2] for row in rows(response)] == [
        (f"list.json record {n}", "created") for n in range(1, 6)
    ] + [("list.json record 6", "skipped")]
    assert budget(response).records_read == 5
    assert Article.objects.count() == before + 5


@override_settings(PARALLAX_MAX_UPLOAD_ARTICLES=2, PARALLAX_MAX_UPLOAD_RECORDS=2)
def test_the_import_articles_command_has_no_upload_limits(tmp_path):
    path = tmp_path / "notices.jsonl"
    path.write_bytes(jsonl(6))
    before = Article.objects.count()

    call_command("import_articles", str(path), stdout=io.StringIO())

    assert Article.objects.count() == before + 6


# Deep JSON ----------------------------------------------------------------------------------------


def test_json_nested_100000_deep_is_reported_and_the_rest_imported(editor_client):
    deep = "[" * 100_000 + "]" * 100_000
    deep_object = '{"text": ' * 100_000 + '"x"' + "}" * 100_000
    lines = json.dumps({"text": article(1)}) + "\n" + deep + "\n" + json.dumps({"text": article(2)})
    before = Article.objects.count()

    response = post_files(
        editor_client,
        [
            upload("deep.json", deep),
            upload("deep-object.json", deep_object),
            upload("lines.jsonl", lines),
            upload("notice.txt", article(3)),
        ],
    )

    too_deep = "the JSON is nested too deeply to read"
    assert rows(response) == [
        ("deep.json", "failed", too_deep),
        ("deep-object.json", "failed", too_deep),
        ("lines.jsonl line 1", "created", ""),
        ("lines.jsonl line 2", "failed", too_deep),
        ("lines.jsonl line 3", "created", ""),
        ("notice.txt", "created", ""),
    ]
    assert Article.objects.count() == before + 3


# NUL characters -------------------------------------------------------------------------------------


def test_files_holding_nul_are_refused_with_the_line(editor_client):
    late = (article(1) + "More of the notice.\n" * 500).encode() + b"\x00 and the rest\n"
    before = Article.objects.count()

    response = post_files(
        editor_client,
        [
            upload("image.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"),
            upload("early.txt", b"Notice\x00\n\nBody of the notice.\n"),
            upload("late.txt", late),
            upload("wide.txt", "Notice\n\nHarbour\x00 closed.\n".encode("utf-16")),
            upload("page.html", late.replace(b"Harbour", b"<html><body><p>Harbour", 1)),
        ],
    )

    nul = "the file holds a NUL character (line {}), which text never does"
    assert rows(response) == [
        ("image.txt", "failed", "this is a binary file, not text"),
        ("early.txt", "failed", nul.format(1)),
        ("late.txt", "failed", nul.format(504)),
        ("wide.txt", "failed", nul.format(3)),
        ("page.html", "failed", nul.format(504)),
    ]
    assert Article.objects.count() == before


def test_nul_escapes_in_json_strings_never_reach_the_database(editor_client):
    record = {
        "title": "Harbour\u0000 gates fail",
        "text": "Harbour gates fail\u0000 again\n\nThe east gate\u0000 failed on Tuesday.\n",
        "outlet": "Harbour\u0000 Wire",
        "story": "Barrier\u0000",
        "author": "Ada\u0000 Brenner",
    }
    before = Article.objects.count()

    response = post_files(editor_client, [upload("nul.json", json.dumps(record))])

    assert rows(response) == [("nul.json", "created", "")]
    stored = Article.objects.get()
    assert (stored.title, stored.outlet.name, stored.story.title, stored.byline) == (
        "Harbour gates fail",
        "Harbour Wire",
        "Barrier",
        "Ada Brenner",
    )
    assert "\x00" not in stored.text and "\x00" not in stored.raw
    assert "\\u0000" in stored.raw  # the record as given, its NUL kept as an escape
    assert Article.objects.count() == before + 1


def test_a_manifest_holding_nul_is_refused_and_nothing_imported(editor_client):
    manifest = "file,outlet,story\none.txt,Harbour\x00 Wire,Notices\n"
    before = Article.objects.count()

    response = post_files(
        editor_client, [upload("manifest.csv", manifest), upload("one.txt", article(1))]
    )

    assert rows(response) == [
        (
            "manifest.csv",
            "failed",
            "cannot read the manifest: the file holds a NUL character (line 2), which text "
            "never does",
        )
    ]
    assert Article.objects.count() == before


def test_a_pasted_text_holding_nul_is_refused_in_words(editor_client):
    before = Article.objects.count()

    response = editor_client.post(
        URL,
        {
            "form": "paste",
            "paste-text": article(1).replace("posted", "posted\x00"),
            "paste-title": "Notice\x00",
            "paste-new_outlet": "Harbour Wire",
            "paste-new_story": "Notices",
        },
    )

    errors = response.context["paste_form"].errors
    assert errors["text"] == [
        "The text holds a NUL character (U+0000), which is not text and cannot be stored; "
        "remove it and paste again."
    ]
    assert errors["title"] == [
        "The title holds a NUL character (U+0000), which cannot be stored; remove it."
    ]
    assert Article.objects.count() == before


def test_nul_given_in_code_is_refused_before_the_database():
    before = Article.objects.count()

    outcome = import_pasted(article(1), outlet="Harbour Wire", story="Notices", title="A\x00B")

    assert (outcome.status, outcome.reason) == (
        "failed",
        "its title holds a NUL character, which cannot be stored",
    )
    assert Article.objects.count() == before


# Member names and compression ----------------------------------------------------------------------


def test_members_with_unsafe_paths_are_named_with_their_reason_and_not_read(editor_client):
    archive = zipped(
        {
            "../evil.txt": article(1),
            "/abs.txt": article(2),
            "C:/drive.txt": article(3),
            "notes\\..\\..\\up.txt": article(4),
            "fine.txt": article(5),
        }
    )
    before = Article.objects.count()

    response = post_files(editor_client, [upload("paths.zip", archive)])

    climbs = UNSAFE.format("“..” leads out of the archive")
    assert rows(response) == [
        ("paths.zip/../evil.txt", "failed", climbs),
        ("paths.zip//abs.txt", "failed", UNSAFE.format("an absolute path")),
        ("paths.zip/C:/drive.txt", "failed", UNSAFE.format("a drive letter")),
        ("paths.zip/notes\\..\\..\\up.txt", "failed", climbs),
        ("paths.zip/fine.txt", "created", ""),
    ]
    assert budget(response).unpacked_read == len(article(5))
    assert Article.objects.get().title == "Harbour notice number 5"
    assert Article.objects.count() == before + 1


def test_a_bzip2_member_is_refused_before_it_is_inflated(editor_client):
    # 5 MB of zeros packs into a few dozen bytes of bzip2, and zipfile inflates it unbounded.
    bomb = zipped({"zeros.txt": b"\0" * 5_000_000}, compression=zipfile.ZIP_BZIP2)
    fine = zipped({"fine.txt": article(1)})
    before = Article.objects.count()

    response = post_files(editor_client, [upload("bomb.zip", bomb), upload("fine.zip", fine)])

    assert rows(response) == [
        (
            "bomb.zip/zeros.txt",
            "failed",
            "compressed with bzip2, which the importer does not read; zip it again with the "
            "usual (deflate) compression",
        ),
        ("fine.zip/fine.txt", "created", ""),
    ]
    assert budget(response).unpacked_read == len(article(1))
    assert Article.objects.count() == before + 1


@override_settings(PARALLAX_MAX_UPLOAD_FILE_BYTES=1000)
def test_a_member_over_the_per_file_limit_is_not_inflated(editor_client):
    archive = zipped({"long.txt": article(1) * 40, "short.txt": article(2)})
    before = Article.objects.count()

    response = post_files(editor_client, [upload("batch.zip", archive)])

    assert rows(response) == [
        ("batch.zip/long.txt", "failed", "it unpacks to 3 KB; the limit is 1 KB per file"),
        ("batch.zip/short.txt", "created", ""),
    ]
    assert budget(response).unpacked_read == len(article(2))
    assert Article.objects.count() == before + 1


def test_a_member_that_understates_its_size_is_cut_at_the_size_declared(editor_client):
    """zipfile stops a member at its declared size, so the budget's directory check holds."""
    data = bytearray(zipped({"liar.txt": b"\0" * 20_000_000, "fine.txt": article(1)}))
    liar = zipfile.ZipFile(io.BytesIO(bytes(data))).getinfo("liar.txt")
    # Say 10 bytes in the member's local header and in the central directory.
    struct.pack_into("<I", data, liar.header_offset + 22, 10)
    struct.pack_into("<I", data, data.find(b"PK\x01\x02") + 24, 10)
    before = Article.objects.count()

    response = post_files(editor_client, [upload("liar.zip", bytes(data))])

    assert rows(response) == [
        ("liar.zip/liar.txt", "failed", "could not be read (Bad CRC-32 for file 'liar.txt')"),
        ("liar.zip/fine.txt", "created", ""),
    ]
    spent = budget(response)
    assert spent.unpacked_declared == 10 + len(article(1))
    assert spent.unpacked_read == len(article(1))
    assert Article.objects.count() == before + 1
