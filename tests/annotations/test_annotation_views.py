"""Annotating through the real interfaces: the test client posting as the page's script does."""

import io
import re

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from annotations.models import Annotation, Claim
from sources.models import Article, Passage
from tests.factories import make_annotation, make_article, make_claim
from tests.helpers import SAMPLE_CORPUS, require_sample_corpus, selection

pytestmark = pytest.mark.django_db


def create_url(article):
    return reverse("annotations:annotation-create", args=[article.pk])


@pytest.fixture
def article():
    return make_article()


@pytest.fixture
def moderator(django_user_model):
    return django_user_model.objects.create_user("mod", password="pw-mod-1234", is_staff=True)


def test_editor_saves_a_selection_with_tags_claim_stance_and_note(editor_client, editor, article):
    data = selection(
        article,
        "the hinges were corroded",
        tags="admission, Quote",
        claim="The engineers knew",
        # A statement no claim has makes a new claim only when the editor says so.
        new_claim="1",
        stance="quotes",
        note="Said on record.",
    )
    response = editor_client.post(create_url(article), data)

    assert response.status_code == 201
    annotation = Annotation.objects.get()
    assert response.json()["id"] == annotation.pk
    assert (annotation.start, annotation.end) == (data["start"], data["end"])
    assert annotation.exact == "the hinges were corroded"
    assert annotation.prefix.endswith("“We knew ")
    assert sorted(annotation.tags.names()) == ["admission", "quote"]
    assert annotation.claim.statement == "The engineers knew"
    assert annotation.claim.story == article.story
    assert annotation.claim.status == Claim.Status.DRAFT
    assert annotation.author == editor
    assert annotation.revisions.get().action == "created"
    assert annotation.claim.revisions.get().action == "created"


def test_existing_claim_is_linked_not_duplicated(editor_client, article):
    claim = make_claim(story=article.story, statement="The engineers knew")
    editor_client.post(
        create_url(article), selection(article, "memo shows", claim="the engineers KNEW")
    )
    assert Annotation.objects.get().claim == claim
    assert Claim.objects.count() == 1


def test_selection_across_passages_keeps_the_line_break(editor_client, article):
    quote = "memo shows.\n\n“We knew"
    # Browsers send form line breaks as CRLF.
    data = selection(article, quote)
    data["exact"] = data["exact"].replace("\n", "\r\n")
    response = editor_client.post(create_url(article), data)
    assert response.status_code == 201
    assert Annotation.objects.get().exact == quote


def test_quote_that_does_not_match_its_offsets_is_refused_with_a_message(editor_client, article):
    data = selection(article, "the hinges were corroded")
    data["start"] += 1
    data["end"] += 1
    response = editor_client.post(create_url(article), data)
    assert response.status_code == 400
    assert "does not match the article text" in response.json()["error"]
    assert not Annotation.objects.exists()


def test_anonymous_post_is_refused_and_stores_nothing(client, article):
    response = client.post(create_url(article), selection(article, "memo shows", tags="admission"))
    assert response.status_code == 403
    assert not Annotation.objects.exists()


def test_logged_in_non_editor_is_refused(client, django_user_model, article):
    client.force_login(django_user_model.objects.create_user("reader", password="x-long-pass-1"))
    response = client.post(create_url(article), selection(article, "memo shows"))
    assert response.status_code == 403
    assert not Annotation.objects.exists()


def test_forged_request_without_csrf_token_is_refused(editor, article):
    forger = Client(enforce_csrf_checks=True)
    forger.force_login(editor)
    response = forger.post(create_url(article), selection(article, "memo shows"))
    assert response.status_code == 403
    assert not Annotation.objects.exists()


def test_editor_cannot_edit_or_delete_another_editors_annotation(client, make_editor, article):
    annotation = make_annotation(
        article, "memo shows", author=make_editor("alice"), note="Alice's note"
    )
    client.force_login(make_editor("bob"))

    edit = client.post(
        reverse("annotations:annotation-edit", args=[annotation.pk]),
        {"note": "Bob was here", "version": annotation.version},
    )
    delete = client.post(reverse("annotations:annotation-delete", args=[annotation.pk]))

    assert (edit.status_code, delete.status_code) == (403, 403)
    annotation.refresh_from_db()
    assert (annotation.note, annotation.deleted) == ("Alice's note", None)


def test_editor_edits_own_annotation_and_history_records_it(editor_client, editor, article):
    annotation = make_annotation(article, "memo shows", author=editor, note="First")
    response = editor_client.post(
        reverse("annotations:annotation-edit", args=[annotation.pk]),
        {"tags": "framing", "note": "Second", "stance": "reports", "claim": "", "version": 1},
    )
    assert response.status_code == 302
    annotation.refresh_from_db()
    assert annotation.note == "Second"
    assert list(annotation.tags.names()) == ["framing"]
    change = annotation.revisions.get(action="changed")
    assert change.user == editor
    assert change.changes["note"] == ["First", "Second"]
    page = editor_client.get(annotation.get_absolute_url()).content.decode()
    assert "Changed" in page and "Second" in page and "First" in page


def test_moderator_edits_anyones_annotation(client, moderator, make_editor, article):
    annotation = make_annotation(article, "memo shows", author=make_editor("alice"))
    client.force_login(moderator)
    client.post(
        reverse("annotations:annotation-edit", args=[annotation.pk]),
        {"note": "Moderated", "version": annotation.version},
    )
    annotation.refresh_from_db()
    assert annotation.note == "Moderated"


def test_delete_hides_and_a_moderator_restores(client, editor_client, editor, moderator, article):
    annotation = make_annotation(article, "memo shows", author=editor)
    editor_client.post(reverse("annotations:annotation-delete", args=[annotation.pk]))
    annotation.refresh_from_db()
    assert annotation.deleted is not None
    assert (
        f'data-annotations="{annotation.pk}"'
        not in client.get(article.get_absolute_url()).content.decode()
    )
    assert client.get(annotation.get_absolute_url()).status_code == 404
    # Editors cannot restore; moderators can, and see the deleted one meanwhile.
    assert (
        editor_client.post(
            reverse("annotations:annotation-restore", args=[annotation.pk])
        ).status_code
        == 403
    )
    client.force_login(moderator)
    assert client.get(annotation.get_absolute_url()).status_code == 200
    client.post(reverse("annotations:annotation-restore", args=[annotation.pk]))
    annotation.refresh_from_db()
    assert annotation.deleted is None
    assert [r.action for r in annotation.revisions.order_by("pk")] == ["deleted", "restored"]


def test_anonymous_reader_sees_highlights_but_no_editing_controls_or_draft_claims(
    client, article, editor
):
    draft = make_claim(story=article.story, statement="A draft claim statement")
    make_annotation(article, "memo shows", author=editor, claim=draft, note="Visible note")
    page = client.get(article.get_absolute_url()).content.decode()
    assert '<mark class="hl' in page
    assert "Visible note" in page
    assert "A draft claim statement" not in page
    assert "annotate-form" not in page
    assert "Edit</a>" not in page


def test_permalink_shows_the_annotation_in_context_and_links_to_its_place(client, article, editor):
    annotation = make_annotation(article, "the hinges were corroded", author=editor)
    page = client.get(annotation.get_absolute_url()).content.decode()
    assert "the chief engineer wrote" in page
    assert f"{article.get_absolute_url()}#hl-{annotation.pk}" in page
    article_page = client.get(article.get_absolute_url()).content.decode()
    assert f'id="hl-{annotation.pk}"' in article_page


def test_article_page_runs_the_same_queries_for_2_and_200_annotations(
    client, django_assert_num_queries, editor
):
    def article_with(count):
        article = make_article(
            text=" ".join(f"word{i}" for i in range(count * 2 + 10)), passages=False
        )
        Passage.objects.create(article=article, ordinal=1, start=0, end=len(article.text))
        words = [(m.start(), m.end()) for m in re.finditer(r"\S+", article.text)]
        for n, (start, end) in enumerate(words[:count]):
            annotation = Annotation.objects.create(
                article=article,
                start=start,
                end=end,
                exact=article.text[start:end],
                author=editor,
                claim=make_claim(story=article.story) if n % 10 == 0 else None,
            )
            annotation.tags.add("quote", "framing" if n % 2 else "context")
        return article

    small, large = article_with(2), article_with(200)
    # 1 article with outlet and story, 2 passages, 3 annotations, 4 their claims, 5 their
    # editors (each claim and editor once, however many annotations share it), 6 their
    # tags (the tag colours come in a separate request, /tags.css), 7 the article's
    # quotations with how many outlets quote each.
    with django_assert_num_queries(7):
        client.get(small.get_absolute_url())
    with django_assert_num_queries(7):
        response = client.get(large.get_absolute_url())
    assert response.content.decode().count('<li class="annotation-item"') == 200


def test_editor_page_query_count_is_fixed_too(editor_client, django_assert_num_queries, editor):
    article = make_article()
    make_annotation(article, "memo shows", author=editor)
    editor_client.get(article.get_absolute_url())
    # article, passages, annotations, their editors (no claims query: none has a claim),
    # their tags, quotations, session, user, the editors-group check, the tag vocabulary,
    # the story's claims (the last used first) and the next outlet's article (for the
    # annotation form).
    with django_assert_num_queries(12):
        editor_client.get(article.get_absolute_url())


def test_naked_capitalism_comments_are_folded_by_default(client):
    require_sample_corpus()
    call_command("import_articles", str(SAMPLE_CORPUS), stdout=io.StringIO())
    article = Article.objects.get(outlet__name="Naked Capitalism")
    page = client.get(article.get_absolute_url()).content.decode()
    folds = re.findall(r"<details class=\"fold fold-comment\">(.*?)</details>", page, re.S)
    assert len(folds) == 1 and "open" not in re.findall(r"<details[^>]*fold-comment[^>]*>", page)[0]
    comments = article.passages.filter(kind="comment")
    assert comments.count() >= 80
    for passage in comments:
        assert f'data-start="{passage.start}"' in folds[0]
    body = article.passages.filter(kind="body").first()
    assert f'data-start="{body.start}"' not in "".join(folds)


def test_claim_changed_in_the_admin_is_recorded_in_its_history(client, moderator):
    moderator.is_superuser = True
    moderator.save()
    claim = make_claim(statement="Old wording")
    client.force_login(moderator)
    response = client.post(
        reverse("admin:annotations_claim_change", args=[claim.pk]),
        {
            "story": claim.story_id,
            "slug": claim.slug,
            "statement": "New wording",
            "status": "published",
        },
    )
    assert response.status_code == 302
    revision = claim.revisions.get()
    assert revision.action == "changed" and revision.user == moderator
    assert revision.changes == {
        "statement": ["Old wording", "New wording"],
        "status": ["draft", "published"],
    }
    page = client.get(claim.get_absolute_url()).content.decode()
    assert "Old wording" in page and "New wording" in page


def test_history_is_for_editors_only(editor_client, editor):
    article = make_article()
    draft = make_claim(story=article.story, statement="A draft the public must not see")
    annotation = make_annotation(article, "memo shows", author=editor)
    editor_client.post(
        reverse("annotations:annotation-edit", args=[annotation.pk]),
        {"claim": draft.statement, "note": "linked", "version": annotation.version},
    )
    assert (
        "A draft the public must not see"
        in editor_client.get(annotation.get_absolute_url()).content.decode()
    )
    anonymous = Client().get(annotation.get_absolute_url()).content.decode()
    assert "History" not in anonymous
    assert "A draft the public must not see" not in anonymous
