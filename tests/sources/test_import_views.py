"""The import page: who may use it, uploads with their report, limits, pasted texts."""

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, override_settings
from django.urls import reverse

from sources.models import Article, Outlet, Story
from tests.factories import make_outlet, make_story

pytestmark = pytest.mark.django_db

URL = reverse("sources:import")

LIGHTHOUSE = (
    "Lighthouse keeper retires after forty winters\n\n"
    "The last keeper of the Grey Point light handed over the keys on Sunday, "
    "forty winters after he first climbed its hundred and twelve steps.\n\n"
    "“The lamp never once went dark on my watch,” he said.\n"
)
FERRY = (
    "Island ferry cancelled for a third day\n\n"
    "Gales kept the island ferry in port for a third day running, the operator said, "
    "and the supply boat will try again on Thursday.\n"
)
BRIDGE = (
    "Footbridge reopens after repairs\n\n"
    "The footbridge over the mill race reopened on Friday after six weeks of repairs "
    "to its rusted railings, the council said.\n"
)
MANIFEST = (
    "file,outlet,story,published\n"
    "lighthouse.txt,Coastal Courier,Grey Point light,2024-03-02\n"
    "ferry.txt,Island Herald,Grey Point light,\n"
)


def upload(name, content):
    data = content if isinstance(content, bytes) else content.encode("utf-8")
    return SimpleUploadedFile(name, data, content_type="application/octet-stream")


def post_files(client, files, **fields):
    data = {"form": "upload", "upload-files": files}
    data.update({f"upload-{name}": value for name, value in fields.items()})
    return client.post(URL, data)


def post_paste(client, **fields):
    data = {"form": "paste", **{f"paste-{name}": value for name, value in fields.items()}}
    return client.post(URL, data)


def rows(response):
    return [(row.name, row.label, row.reason) for row in response.context["report"].rows]


# Who may import -----------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_log_in(client):
    for response in (client.get(URL), post_files(client, [upload("a.txt", LIGHTHOUSE)])):
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))
    assert Article.objects.count() == 0


def test_logged_in_non_editors_are_refused(client, django_user_model):
    client.force_login(django_user_model.objects.create_user("reader", password="x" * 12))

    assert client.get(URL).status_code == 403
    assert post_files(client, [upload("a.txt", LIGHTHOUSE)]).status_code == 403
    assert post_paste(client, text=LIGHTHOUSE, new_outlet="X", new_story="Y").status_code == 403
    assert Article.objects.count() == 0


def test_a_post_without_the_csrf_token_is_refused(editor):
    client = Client(enforce_csrf_checks=True)
    client.force_login(editor)

    assert post_files(client, [upload("a.txt", LIGHTHOUSE)]).status_code == 403
    assert post_paste(client, text=LIGHTHOUSE, new_outlet="X", new_story="Y").status_code == 403
    assert Article.objects.count() == 0


def test_a_post_with_the_csrf_token_is_accepted(editor):
    client = Client(enforce_csrf_checks=True)
    client.force_login(editor)
    token = client.get(URL).cookies["csrftoken"].value

    response = client.post(
        URL,
        {
            "csrfmiddlewaretoken": token,
            "form": "upload",
            "upload-files": [upload("a.txt", LIGHTHOUSE)],
        },
    )

    assert response.status_code == 200
    assert Article.objects.count() == 1


# The page ---------------------------------------------------------------------------


def test_the_page_shows_both_forms_and_the_limits(editor_client):
    response = editor_client.get(URL)

    assert response.status_code == 200
    page = response.content.decode()
    assert "Upload files" in page and "Paste a text" in page
    assert 'type="file"' in page and "multiple" in page
    assert 'enctype="multipart/form-data"' in page
    assert "Up to 200 files, 10 MB per file and 50 MB in all." in page
    assert "Zip archives (a zip inside a zip included) may hold 2,000 files" in page
    assert "up to 1,000 new articles from up to 2,000 files and JSON records" in page


@override_settings(PARALLAX_MAX_UPLOAD_FILE_BYTES=1500, PARALLAX_MAX_UPLOAD_BYTES=2_500_000)
def test_the_limits_shown_follow_the_settings(editor_client):
    assert "1.5 KB per file and 2.5 MB in all" in editor_client.get(URL).content.decode()


# Uploads ---------------------------------------------------------------------------------


def test_several_files_with_a_bad_one_report_each_and_store_the_good(editor_client):
    response = post_files(
        editor_client,
        [
            upload("lighthouse.txt", LIGHTHOUSE),
            upload("ferry.txt", FERRY),
            upload("broken.json", '{"title": "Half a record",'),
        ],
        new_outlet="Coastal Courier",
        new_story="Grey Point light",
    )

    assert response.status_code == 200
    assert rows(response) == [
        ("lighthouse.txt", "created", ""),
        ("ferry.txt", "created", ""),
        (
            "broken.json",
            "failed",
            "not valid JSON (line 1: Expecting property name enclosed in double quotes)",
        ),
    ]
    assert response.context["report"].summary == "2 created, 0 already there, 0 skipped, 1 failed"
    page = response.content.decode()
    assert "2 created, 0 already there, 0 skipped, 1 failed" in page
    assert "not valid JSON" in page
    lighthouse = Article.objects.get(title="Lighthouse keeper retires after forty winters")
    assert f'href="{lighthouse.get_absolute_url()}"' in page
    assert lighthouse.outlet.name == "Coastal Courier"
    assert lighthouse.story.title == "Grey Point light"
    assert Article.objects.count() == 2


def test_an_empty_upload_is_a_field_error(editor_client):
    response = editor_client.post(URL, {"form": "upload"})

    assert response.status_code == 200
    assert response.context["upload_form"].errors["files"] == [
        "Choose at least one file to import."
    ]
    assert Article.objects.count() == 0


def test_loose_files_go_to_the_existing_outlet_and_story_chosen(editor_client):
    outlet, story = make_outlet(name="Harbour Wire"), make_story(title="Storm week")

    post_files(editor_client, [upload("bridge.txt", BRIDGE)], outlet=outlet.pk, story=story.pk)

    article = Article.objects.get()
    assert (article.outlet, article.story) == (outlet, story)


def test_choosing_an_outlet_and_typing_a_new_one_is_an_error(editor_client):
    outlet = make_outlet(name="Harbour Wire")

    response = post_files(
        editor_client, [upload("bridge.txt", BRIDGE)], outlet=outlet.pk, new_outlet="Other"
    )

    assert "not both" in response.context["upload_form"].errors["new_outlet"][0]
    assert Article.objects.count() == 0


def test_files_with_a_manifest_take_its_metadata(editor_client):
    response = post_files(
        editor_client,
        [
            upload("manifest.csv", MANIFEST),
            upload("lighthouse.txt", LIGHTHOUSE),
            upload("ferry.txt", FERRY),
        ],
    )

    assert [row[:2] for row in rows(response)] == [
        ("lighthouse.txt", "created"),
        ("ferry.txt", "created"),
    ]
    lighthouse = Article.objects.get(outlet__name="Coastal Courier")
    assert str(lighthouse.published) == "2024-03-02"
    assert Article.objects.get(outlet__name="Island Herald").story == lighthouse.story


def test_a_zip_with_a_manifest_imports_its_files(editor_client):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("coast/manifest.csv", MANIFEST)
        archive.writestr("coast/lighthouse.txt", LIGHTHOUSE)
        archive.writestr("coast/ferry.txt", FERRY)

    response = post_files(editor_client, [upload("coast.zip", buffer.getvalue())])

    assert rows(response) == [
        ("coast.zip/lighthouse.txt", "created", ""),
        ("coast.zip/ferry.txt", "created", ""),
    ]
    assert set(Outlet.objects.values_list("name", flat=True)) == {
        "Coastal Courier",
        "Island Herald",
    }
    assert Story.objects.get().title == "Grey Point light"


def test_uploading_the_same_files_again_reports_them_already_there(editor_client):
    files = [upload("lighthouse.txt", LIGHTHOUSE), upload("ferry.txt", FERRY)]
    post_files(editor_client, files, new_outlet="Coastal Courier", new_story="Grey Point light")

    again = [upload("lighthouse.txt", LIGHTHOUSE), upload("ferry.txt", FERRY)]
    response = post_files(
        editor_client, again, new_outlet="Coastal Courier", new_story="Grey Point light"
    )

    assert [row[1] for row in rows(response)] == ["already there", "already there"]
    assert "0 created, 2 already there" in response.content.decode()
    assert Article.objects.count() == 2


@override_settings(PARALLAX_MAX_UPLOAD_FILE_BYTES=1000)
def test_a_file_over_the_per_file_limit_is_named_and_the_others_import(editor_client):
    big = LIGHTHOUSE + "The keeper's log runs to many pages. " * 40  # 1,708 bytes

    response = post_files(
        editor_client,
        [upload("big.txt", big), upload("ferry.txt", FERRY)],
        new_outlet="Island Herald",
        new_story="Storm week",
    )

    assert rows(response) == [
        ("big.txt", "failed", "big.txt is 1.7 KB; the limit is 1 KB per file"),
        ("ferry.txt", "created", ""),
    ]
    assert "big.txt is 1.7 KB; the limit is 1 KB per file" in response.content.decode()
    assert Article.objects.get().title == "Island ferry cancelled for a third day"


@override_settings(PARALLAX_MAX_UPLOAD_BYTES=1000)
def test_an_upload_over_the_request_limit_is_refused_in_words(editor_client):
    response = post_files(
        editor_client,
        [upload("lighthouse.txt", LIGHTHOUSE * 4), upload("ferry.txt", FERRY)],
    )

    assert response.status_code == 200
    [error] = response.context["upload_form"].errors["files"]
    assert error.startswith("These files come to 1.")
    assert "the limit is 1 KB per upload. Nothing was imported" in error
    assert "the limit is 1 KB per upload" in response.content.decode()
    assert Article.objects.count() == 0


@override_settings(PARALLAX_MAX_UPLOAD_FILES=2, DATA_UPLOAD_MAX_NUMBER_FILES=3)
def test_more_files_than_the_limit_are_refused_in_words(editor_client):
    files = [upload(f"{n}.txt", f"Headline {n}\n\nBody {n}.\n") for n in range(4)]

    response = post_files(editor_client, files, new_outlet="A", new_story="B")

    assert response.status_code == 200
    assert response.context["upload_form"].errors["files"] == [
        "More than 2 files were sent; the limit is 2 files per upload. Nothing was imported: "
        "upload them in smaller batches, or as a zip archive."
    ]
    assert Article.objects.count() == 0


@override_settings(PARALLAX_MAX_UPLOAD_UNPACKED_BYTES=5000)
def test_a_zip_that_unpacks_past_the_limit_is_not_unpacked(editor_client):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("padding.txt", "a" * 100_000)

    response = post_files(editor_client, [upload("bomb.zip", buffer.getvalue())])

    assert rows(response) == [
        ("bomb.zip", "failed", "bomb.zip unpacks to 100 KB; the limit is 5 KB unpacked per upload")
    ]
    assert response.context["report"].budget.unpacked_read == 0
    assert Article.objects.count() == 0


def test_file_names_are_escaped_in_the_report(editor_client):
    response = post_files(editor_client, [upload("<img src=x onerror=alert(1)>.pdf", b"%PDF")])

    page = response.content.decode()
    assert "<img src=x" not in page
    assert "&lt;img src=x onerror=alert(1)&gt;.pdf" in page


# Pasting --------------------------------------------------------------------------------


def test_a_pasted_text_with_a_new_outlet_and_story_becomes_an_article(editor_client):
    response = post_paste(
        editor_client,
        text=LIGHTHOUSE,
        title="Keeper hands over the keys",
        new_outlet="Coastal Courier",
        new_story="Grey Point light",
        published="2024-03-02",
        url="https://courier.example/keeper",
    )

    article = Article.objects.get()
    assert response.status_code == 302
    assert response["Location"] == article.get_absolute_url()
    assert article.title == "Keeper hands over the keys"
    assert article.outlet.name == "Coastal Courier"
    assert article.story.title == "Grey Point light"
    assert str(article.published) == "2024-03-02"
    assert article.url == "https://courier.example/keeper"
    assert article.text.startswith("Lighthouse keeper retires")
    assert article.source_name == "pasted text"


def test_a_pasted_text_can_go_to_an_existing_outlet_and_story(editor_client):
    outlet, story = make_outlet(name="Harbour Wire"), make_story(title="Storm week")

    post_paste(editor_client, text=FERRY, outlet=outlet.pk, story=story.pk)

    article = Article.objects.get()
    assert (article.outlet, article.story) == (outlet, story)
    assert article.title == "Island ferry cancelled for a third day"


def test_a_paste_without_outlet_or_story_keeps_what_was_typed(editor_client):
    response = post_paste(editor_client, text=LIGHTHOUSE, title="Keeper & the <lamp>")

    assert response.status_code == 200
    errors = response.context["paste_form"].errors
    assert errors["outlet"] == ["Choose the outlet from the list or type a new one below."]
    assert errors["story"] == ["Choose the story from the list or type a new one below."]
    page = response.content.decode()
    assert "Lighthouse keeper retires after forty winters" in page
    assert "“The lamp never once went dark on my watch,” he said." in page
    assert 'value="Keeper &amp; the &lt;lamp&gt;"' in page
    # The error is tied to its control for screen readers.
    assert 'aria-describedby="id_paste-outlet_error"' in page
    assert 'id="id_paste-outlet_error"' in page
    assert Article.objects.count() == 0


def test_a_paste_of_only_blank_lines_is_refused(editor_client):
    response = post_paste(editor_client, text="\n  \n", new_outlet="A", new_story="B")

    assert response.context["paste_form"].errors["text"] == ["Paste the article's text."]
    assert Article.objects.count() == 0


@override_settings(PARALLAX_MAX_UPLOAD_FILE_BYTES=100)
def test_a_paste_over_the_limit_is_refused_in_words(editor_client):
    response = post_paste(editor_client, text=LIGHTHOUSE, new_outlet="A", new_story="B")

    [error] = response.context["paste_form"].errors["text"]
    assert error.endswith("the limit is 100 bytes, as for a file.")
    assert Article.objects.count() == 0


def test_the_same_paste_twice_is_already_there(editor_client):
    fields = {"text": FERRY, "new_outlet": "Island Herald", "new_story": "Storm week"}
    post_paste(editor_client, **fields)

    response = post_paste(editor_client, **fields)

    article = Article.objects.get()
    assert response.status_code == 200
    page = response.content.decode()
    assert "This text is already there" in page
    assert f'href="{article.get_absolute_url()}"' in page


def test_a_paste_from_a_stored_url_with_a_new_text_corrects_it(editor_client):
    post_paste(
        editor_client,
        text=FERRY,
        new_outlet="Island Herald",
        new_story="Storm week",
        url="https://herald.example/ferry",
    )

    response = post_paste(
        editor_client,
        text=BRIDGE,
        new_outlet="Island Herald",
        new_story="Storm week",
        url="https://herald.example/ferry",
    )

    assert response.status_code == 200
    assert "corrected" in response.content.decode()
    assert Article.objects.get().text == BRIDGE.strip()
