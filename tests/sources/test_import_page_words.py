"""The import page speaks to editors: its words, its error summary and its report."""

import re
from html.parser import HTMLParser

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse

from sources.importer import Outcome, Status
from sources.models import Article, Story
from sources.uploads import Report
from tests.factories import make_outlet, make_story

pytestmark = pytest.mark.django_db

URL = reverse("sources:import")

# Words an editor should not have to know to use the page; the folded
# "File formats in detail" section may use them.
JARGON = ["record", "schema", "import_articles", "importer", "metadata", "JSON", "jsonl"]

LIGHTHOUSE = (
    "Lighthouse keeper retires after forty winters\n\n"
    "The last keeper of the Grey Point light handed over the keys on Sunday.\n"
)
FERRY = (
    "Island ferry cancelled for a third day\n\n"
    "Gales kept the island ferry in port for a third day running, the operator said.\n"
)
BRIDGE = (
    "Footbridge reopens after repairs\n\n"
    "The footbridge over the mill race reopened on Friday after six weeks of repairs.\n"
)


class MainText(HTMLParser):
    """The visible text of <main>, without what is folded in <details>, nor scripts."""

    def __init__(self):
        super().__init__()
        self.in_main = self.in_details = 0
        self.parts = []

    def handle_starttag(self, tag, attrs):
        if tag == "main":
            self.in_main += 1
        elif tag == "details":
            self.in_details += 1

    def handle_endtag(self, tag):
        if tag == "main":
            self.in_main -= 1
        elif tag == "details":
            self.in_details -= 1

    def handle_data(self, data):
        if self.in_main and not self.in_details:
            self.parts.append(data)

    @classmethod
    def of(cls, html: str) -> str:
        parser = cls()
        parser.feed(html)
        return " ".join(" ".join(parser.parts).split())


def upload(name, content):
    data = content if isinstance(content, bytes) else content.encode("utf-8")
    return SimpleUploadedFile(name, data, content_type="application/octet-stream")


def post_files(client, files, **fields):
    data = {"form": "upload", "upload-files": files}
    data.update({f"upload-{name}": value for name, value in fields.items()})
    return client.post(URL, data)


def details_text(html: str) -> str:
    [details] = re.findall(r"<details.*?</details>", html, flags=re.S)
    return details


def summary_links(html: str) -> list[tuple[str, str]]:
    [summary] = re.findall(r'<div class="error-summary".*?</div>', html, flags=re.S)
    return re.findall(r'<a href="([^"]+)">([^<]+)</a>', summary)


# The words -------------------------------------------------------------------------------


def test_the_main_text_names_what_to_upload_in_plain_words(editor_client):
    text = MainText.of(editor_client.get(URL).content.decode())

    assert "Web pages saved from your browser" in text
    assert "Text files" in text
    assert "manifest.csv" in text and "one row per file with its name, outlet and story" in text
    assert "Zip archives" in text
    for word in JARGON:
        assert word not in text, word


def test_the_limits_are_said_in_files_and_megabytes(editor_client):
    text = MainText.of(editor_client.get(URL).content.decode())

    assert "up to 200 files at a time, 10 MB each and 50 MB in all" in text
    assert "zip archives may hold up to 2,000 files in all" in text
    assert "Up to 200 files at a time, 10 MB each and 50 MB in all." in text


@override_settings(
    PARALLAX_MAX_UPLOAD_FILES=12,
    PARALLAX_MAX_UPLOAD_FILE_BYTES=2_000_000,
    PARALLAX_MAX_UPLOAD_BYTES=7_500_000,
)
def test_the_limits_said_follow_the_settings(editor_client):
    text = MainText.of(editor_client.get(URL).content.decode())

    assert "up to 12 files at a time, 2 MB each and 7.5 MB in all" in text


def test_the_technical_detail_is_folded_away(editor_client):
    details = details_text(editor_client.get(URL).content.decode())

    assert "File formats in detail" in details
    assert "<code>manifest.csv</code>: the columns <code>file</code>" in details
    assert "<code>published</code> (<code>YYYY-MM-DD</code>)" in details
    assert "Up to 200 files, 10 MB per file and 50 MB in all." in details


def test_a_page_without_errors_has_no_error_summary(editor_client):
    page = editor_client.get(URL).content.decode()

    assert "There is a problem" not in page
    assert 'role="alert"' not in page


# The error summary ----------------------------------------------------------------------------


def test_upload_errors_are_summarised_at_the_top_with_links_to_their_fields(editor_client):
    outlet = make_outlet(name="Harbour Wire")

    response = post_files(
        editor_client,
        [upload("bridge.txt", BRIDGE)],
        outlet=outlet.pk,
        new_outlet="Other wire",
        new_story="Storm week",
    )

    page = response.content.decode()
    assert page.index("There is a problem") < page.index('id="upload-heading"')
    assert '<div class="error-summary" id="error-summary" role="alert" tabindex="-1"' in page
    # The files cannot be put back; everything else the editor chose or typed stays.
    assert summary_links(page) == [
        ("#id_upload-files", "Choose the files again."),
        ("#id_upload-new_outlet", "Choose an existing outlet or type a new one, not both."),
    ]
    assert 'id="id_upload-files"' in page and 'id="id_upload-new_outlet"' in page
    assert "Choose the files again: a browser cannot keep them after a problem." in page
    assert f'<option value="{outlet.pk}" selected>Harbour Wire</option>' in page
    assert 'value="Other wire"' in page and 'value="Storm week"' in page
    assert "<title>Problem: Import articles · Parallax</title>" in page
    assert Article.objects.count() == 0


def test_an_upload_without_files_links_its_message_to_the_file_input(editor_client):
    page = editor_client.post(URL, {"form": "upload"}).content.decode()

    assert summary_links(page) == [("#id_upload-files", "Choose at least one file to import.")]


def test_paste_errors_are_summarised_in_the_order_of_the_fields(editor_client):
    response = editor_client.post(
        URL,
        {
            "form": "paste",
            "paste-text": LIGHTHOUSE,
            "paste-title": "Keeper & the <lamp>",
            "paste-url": "not a url at all",
        },
    )

    page = response.content.decode()
    assert summary_links(page) == [
        ("#id_paste-outlet", "Choose the outlet from the list or type a new one below."),
        ("#id_paste-story", "Choose the story from the list or type a new one below."),
        ("#id_paste-url", "Enter a valid URL."),
    ]
    for _href, field_id in [(href, href[1:]) for href, _ in summary_links(page)]:
        assert f'id="{field_id}"' in page
    assert 'value="Keeper &amp; the &lt;lamp&gt;"' in page
    assert "Choose the files again" not in page
    assert Article.objects.count() == 0


# The report -------------------------------------------------------------------------------


def test_the_report_lists_failures_first_then_links_each_story(editor_client):
    storm = make_story(title="Storm week")
    post_files(editor_client, [upload("bridge.txt", BRIDGE)], new_story="Storm week")

    response = post_files(
        editor_client,
        [
            upload("lighthouse.txt", LIGHTHOUSE),
            upload("broken.json", '{"title": "Half an article",'),
            upload("bridge.txt", BRIDGE),
            upload("ferry.txt", FERRY),
            upload("empty.txt", ""),
        ],
        new_story="Grey Point light",
    )

    page = response.content.decode()
    grey_point = Story.objects.get(title="Grey Point light")
    assert '<p class="report-headline">2 of 5 files imported; 1 already there; 2 failed.</p>' in (
        page
    )
    # Failures come first, each with its reason in words, then what was imported.
    failures = page.index("Not imported")
    assert failures < page.index("broken.json") < page.index("not valid JSON (line 1")
    assert failures < page.index("empty.txt") < page.index("the file is empty")
    imported = page.index('id="imported-heading"')
    assert imported > page.index("the file is empty")
    assert imported < page.index("lighthouse.txt") and imported < page.index("ferry.txt")
    # The upload chose "Grey Point light", but bridge.txt was already there, in "Storm week".
    assert (
        f'<li><a href="{grey_point.get_absolute_url()}">Grey Point light</a>:\n'
        "            2 imported</li>"
    ) in page
    assert (
        f'<li><a href="{storm.get_absolute_url()}">Storm week</a>:\n'
        "            0 imported, 1 already there (skipped as duplicates)</li>"
    ) in page
    assert page.index("Grey Point light</a>") < page.index("Storm week</a>")


@pytest.mark.parametrize("size", [1, 3])
def test_the_report_of_stories_takes_one_query_however_many_articles(
    editor_client, django_assert_num_queries, size
):
    story = make_story(title="Storm week")
    files = [(f"{n}.txt", f"Headline {n}\n\nBody of article {n}.\n") for n in range(size)]
    post_files(editor_client, [upload(*file) for file in files], story=story.pk)
    report = post_files(editor_client, [upload(*file) for file in files], story=story.pk).context[
        "report"
    ]

    # The stories of the articles found already there, in one query.
    with django_assert_num_queries(1):
        [count] = report.stories()
    assert (count.story, count.created, count.existing) == (story, 0, size)


def test_the_headline_counts_files_in_words():
    def report(*statuses):
        return Report([Outcome(f"{n}.txt", status) for n, status in enumerate(statuses)])

    assert report(Status.CREATED).headline == "1 of 1 file imported."
    assert report(*[Status.CREATED] * 9, Status.FAILED).headline == (
        "9 of 10 files imported; 1 failed."
    )
    assert report(Status.EXISTING, Status.SKIPPED, Status.FAILED).headline == (
        "0 of 3 files imported; 1 already there; 1 skipped; 1 failed."
    )
    # What was not imported comes first, failures before skipped files.
    rows = report(Status.CREATED, Status.SKIPPED, Status.FAILED, Status.EXISTING).problems
    assert [row.name for row in rows] == ["2.txt", "1.txt"]
