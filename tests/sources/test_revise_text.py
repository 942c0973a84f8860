"""revise_text: the one way an article's text changes, and Article.save() refusing others."""

import json
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.urls import reverse

from sources.importer import import_paths
from sources.models import Article, ArticleVersion, Passage, TextChangeRefused, content_hash
from sources.revisions import CorrectionRefused, lay_out, revise_text
from sources.signals import text_revised
from sources.text.layout import analyse
from tests.factories import ARTICLE_TEXT, make_article, make_outlet

pytestmark = pytest.mark.django_db

# The factories' text with a paragraph added, a comment section and a reader comment.
CORRECTED = (
    "Barrier failed twice, memo shows\n\n"
    "Correction: an earlier version gave the wrong date for the second inspection.\n\n"
    "The flood barrier had failed two inspections before the storm, an internal memo shows.\n\n"
    "“We knew the hinges were corroded,” the chief engineer wrote.\n\n"
    "Comments\n\n"
    "1. Harbour Watcher\n\nThey knew and did nothing.\n"
)


def passages(article):
    return list(
        Passage.objects.filter(article=article)
        .order_by("ordinal")
        .values_list("ordinal", "start", "end", "kind", "depth")
    )


def test_the_earlier_text_is_kept_with_who_when_and_where_from(django_user_model):
    editor = django_user_model.objects.create_user("corrector")
    article = make_article()

    correction = revise_text(article, CORRECTED, user=editor, source="reader")

    version = ArticleVersion.objects.get(article=article)
    assert (version.number, version.text, version.source) == (1, ARTICLE_TEXT, "reader")
    assert version.created_by == editor
    assert version.created is not None
    assert version.content_hash == content_hash(ARTICLE_TEXT)
    assert version.get_absolute_url() == reverse("reading:article-version", args=[article.pk, 1])
    stored = Article.objects.get(pk=article.pk)
    assert stored.text == CORRECTED.strip()
    assert stored.content_hash == content_hash(CORRECTED.strip())
    assert stored.text_version == 2
    assert (correction.changed, correction.old_version, correction.new_version) == (True, 1, 2)
    # The caller's object holds the new text too, and may be saved again.
    assert (article.text, article.text_version) == (stored.text, 2)
    article.title = "Barrier failed twice"
    article.save()


def test_each_correction_takes_the_next_version_number():
    article = make_article()
    revise_text(article, CORRECTED, source="shell")
    revise_text(article, CORRECTED + "\nUpdated at noon.", source="admin")

    assert Article.objects.get(pk=article.pk).text_version == 3
    assert list(article.versions.values_list("number", "source")) == [(2, "admin"), (1, "shell")]
    assert article.versions.get(number=2).text == CORRECTED.strip()


def test_passages_are_cut_as_the_importer_cuts_the_same_text(tmp_path):
    article = make_article()
    revise_text(article, CORRECTED, source="shell")

    path = tmp_path / "same.json"
    path.write_text(json.dumps({"text": CORRECTED, "outlet": "Other outlet", "story": "S"}))
    [outcome] = import_paths([path])

    imported = passages(outcome.article)
    assert passages(article) == imported
    kinds = [kind for _, _, _, kind, _ in imported]
    assert "headline" in kinds and "comment" in kinds


def test_a_plain_text_is_read_as_the_importer_reads_a_text_file():
    article = make_article()
    revise_text(
        article, "date: 2024-03-01\r\n\r\n" + CORRECTED.replace("\n", "\r\n"), source="shell"
    )

    assert Article.objects.get(pk=article.pk).text == CORRECTED.strip()


def test_an_imported_text_is_kept_as_it_is():
    # A text the layout has already read reads the same again: a correction that pastes
    # the stored text back changes nothing.
    for raw in (
        ARTICLE_TEXT,
        CORRECTED,
        "  \n" + CORRECTED + "\n\n",
        "date: 2024-01-02\n" + CORRECTED,
    ):
        text = analyse(raw).text
        assert analyse(text).text == text
        assert lay_out(text).text == text


def test_the_signal_tells_receivers_and_their_counts_are_added_up(django_user_model):
    editor = django_user_model.objects.create_user("corrector")
    article = make_article()
    heard = []

    def receiver(sender, **kwargs):
        heard.append(kwargs)
        return {"moved": 2, "review": 1}

    text_revised.connect(receiver, sender=Article, dispatch_uid="test-receiver")
    try:
        correction = revise_text(article, CORRECTED, user=editor, source="reader")
    finally:
        text_revised.disconnect(dispatch_uid="test-receiver", sender=Article)

    [sent] = heard
    assert sent["article"].pk == article.pk
    assert sent["article"].text_version == 2
    assert (sent["old_text"], sent["new_text"]) == (ARTICLE_TEXT, CORRECTED.strip())
    assert (sent["old_version"], sent["user"]) == (1, editor)
    assert correction.counts == {"anchored": 0, "moved": 2, "review": 1, "orphaned": 0}


def test_the_same_text_changes_nothing_and_tells_no_one():
    article = make_article()
    before = passages(article)
    heard = []

    def receiver(sender, **kwargs):
        heard.append(kwargs)

    text_revised.connect(receiver, sender=Article, dispatch_uid="test-receiver")
    try:
        # Line endings and the blank space around a text are not a correction.
        correction = revise_text(
            article, "\r\n" + ARTICLE_TEXT.replace("\n", "\r\n") + "\n  ", source="admin"
        )
    finally:
        text_revised.disconnect(dispatch_uid="test-receiver", sender=Article)

    assert (correction.changed, correction.old_version, correction.new_version) == (False, 1, 1)
    assert heard == []
    assert not ArticleVersion.objects.exists()
    assert Article.objects.get(pk=article.pk).text_version == 1
    assert passages(article) == before


def test_a_text_another_article_of_the_outlet_has_is_refused():
    outlet = make_outlet()
    article = make_article(outlet=outlet)
    make_article(outlet=outlet, text=CORRECTED.strip(), title="The other one")

    with pytest.raises(CorrectionRefused, match="Another article of this outlet"):
        revise_text(article, CORRECTED, source="admin")

    assert Article.objects.get(pk=article.pk).text == ARTICLE_TEXT
    assert not ArticleVersion.objects.exists()


def test_the_same_text_in_another_outlet_is_no_collision():
    article = make_article()
    make_article(text=CORRECTED.strip())

    assert revise_text(article, CORRECTED, source="admin").changed


@pytest.mark.parametrize("empty", ["", "   ", "\n\n\r\n\t"])
def test_an_empty_text_is_refused(empty):
    article = make_article()

    with pytest.raises(CorrectionRefused, match="The new text is empty"):
        revise_text(article, empty, source="reader")

    assert Article.objects.get(pk=article.pk).text == ARTICLE_TEXT


def test_a_nul_character_is_refused_with_its_line():
    article = make_article()

    with pytest.raises(CorrectionRefused, match=r"NUL character \(line 3\)"):
        revise_text(article, "Headline\n\nBody\x00 text", source="reader")

    assert Article.objects.get(pk=article.pk).text == ARTICLE_TEXT


def test_an_unknown_source_is_refused():
    with pytest.raises(ValueError, match="unknown source"):
        revise_text(make_article(), CORRECTED, source="somewhere")


def test_save_refuses_to_change_a_stored_text():
    article = make_article()
    article.text = CORRECTED

    with pytest.raises(TextChangeRefused, match="revise_text"):
        article.save()

    assert Article.objects.get(pk=article.pk).text == ARTICLE_TEXT


def test_save_refuses_a_text_given_to_a_row_built_by_hand():
    stored = make_article()
    article = Article(
        pk=stored.pk,
        outlet=stored.outlet,
        story=stored.story,
        title=stored.title,
        text=CORRECTED,
    )

    with pytest.raises(TextChangeRefused):
        article.save()

    assert Article.objects.get(pk=stored.pk).text == ARTICLE_TEXT


def test_save_keeps_working_for_everything_but_the_text():
    article = make_article()
    article.title = "A new title"
    article.save()

    loaded = Article.objects.defer("text").get(pk=article.pk)
    loaded.byline = "A. Reporter"
    loaded.save()

    fresh = Article.objects.get(pk=article.pk)
    revise_text(fresh, CORRECTED, source="shell")
    stale = Article.objects.get(pk=article.pk)
    stale.refresh_from_db()
    stale.language = "en"
    stale.save()

    stored = Article.objects.get(pk=article.pk)
    assert (stored.title, stored.byline, stored.language) == ("A new title", "A. Reporter", "en")
    assert stored.text == CORRECTED.strip()


def test_an_article_loaded_before_a_correction_does_not_write_the_old_text_back():
    article = make_article()
    other = Article.objects.get(pk=article.pk)
    revise_text(article, CORRECTED, source="shell")

    other.title = "Saved from an old copy"
    other.save()

    stored = Article.objects.get(pk=article.pk)
    assert stored.title == "Saved from an old copy"
    assert (stored.text, stored.text_version) == (CORRECTED.strip(), 2)
    assert stored.content_hash == content_hash(CORRECTED.strip())


def test_an_old_copy_given_a_new_text_is_refused_too():
    article = make_article()
    other = Article.objects.get(pk=article.pk)
    revise_text(article, CORRECTED, source="shell")

    other.text = "Something else entirely."
    with pytest.raises(TextChangeRefused):
        other.save()


def test_a_new_article_is_saved_with_its_text():
    article = make_article(text="A text of its own.")
    assert Article.objects.get(pk=article.pk).content_hash == content_hash("A text of its own.")


def test_an_unknown_user_model_row_may_be_gone_later(django_user_model):
    # created_by is kept as null when the user is deleted: the earlier text stays.
    editor = get_user_model().objects.create_user("leaver")
    article = make_article()
    revise_text(article, CORRECTED, user=editor, source="reader")
    editor.delete()

    version = ArticleVersion.objects.get()
    assert (version.created_by, version.text) == (None, ARTICLE_TEXT)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_corrections_at_once_each_keep_the_text_they_replaced():
    # The row lock at work: needs a database that locks rows (SQLite locks the file).
    if connection.vendor != "postgresql":
        pytest.skip("runs when the suite runs on PostgreSQL (DATABASE_URL=postgres://…)")
    article = make_article()
    texts = [CORRECTED, CORRECTED + "\n\nA second correction."]
    barrier = threading.Barrier(len(texts), timeout=30)

    def correct(text):
        try:
            barrier.wait()
            return revise_text(Article.objects.get(pk=article.pk), text, source="shell")
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=len(texts)) as pool:
        corrections = list(pool.map(correct, texts))

    assert sorted((c.old_version, c.new_version) for c in corrections) == [(1, 2), (2, 3)]
    stored = Article.objects.get(pk=article.pk)
    assert stored.text_version == 3
    versions = dict(ArticleVersion.objects.values_list("number", "text"))
    # Version 1 is the first text; version 2 is whichever correction came first.
    assert versions[1] == ARTICLE_TEXT
    assert {versions[2], stored.text} == {t.strip() for t in texts}
