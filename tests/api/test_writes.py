"""The API's writes (reading/api/writes.py): who may (anonymous 401, a non-editor 403, an
editor their own, a moderator anyone's), by token or by session with its CSRF token;
If-Match (428 without, 412 stale, the new ETag after); JSON errors with their fields;
bounded bodies; the rate limit; and drafts kept from readers."""

import json

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from schemathesis import checks

from annotations.models import Annotation, AnnotationRevision, Claim, ClaimAlias, ClaimRevision
from parallax.models import AuditEvent
from parallax.tokens import issue_token
from tests.api.helpers import API, build_world
from tests.api.test_schema import EXAMPLES, in_test_transaction  # noqa: F401 (a fixture)
from tests.api.test_schema import schema as whole_schema
from tests.factories import ARTICLE_TEXT, make_outlet

pytestmark = pytest.mark.django_db

JSON = "application/json"


class Caller:
    """A client that sends JSON as one user's token (a new one each time), or as nobody."""

    made = 0

    def __init__(self, user=None, *, client: Client | None = None):
        self.client = client or Client()
        self.headers = {}
        if user is not None:
            Caller.made += 1
            secret = issue_token(user, f"tests {Caller.made}")[1]
            self.headers["HTTP_AUTHORIZATION"] = f"Bearer {secret}"

    def send(self, method, path, data=None, *, if_match=None, **headers):
        headers = {**self.headers, **headers}
        if if_match is not None:
            headers["HTTP_IF_MATCH"] = if_match
        body = json.dumps(data) if data is not None else ""
        return getattr(self.client, method)(path, body, content_type=JSON, **headers)

    def get(self, path, **headers):
        return self.client.get(path, **{**self.headers, **headers})


@pytest.fixture
def world(editor):
    return build_world(author=editor)


@pytest.fixture
def reader(django_user_model):
    return django_user_model.objects.create_user("reader", password="x")


@pytest.fixture
def moderator(django_user_model):
    return django_user_model.objects.create_user("moderator", password="x", is_staff=True)


@pytest.fixture
def other(make_editor):
    return make_editor("other")


def new_annotation(world, **fields) -> dict:
    text = world.articles[0].text
    start = text.index("internal memo")
    return {
        "article": world.articles[0].pk,
        "start": start,
        "end": start + len("internal memo"),
        "exact": "internal memo",
        **fields,
    }


def annotation_url(annotation) -> str:
    return f"{API}annotations/{annotation.pk}/"


# Who may write ------------------------------------------------------------------------


def test_anonymous_cannot_write(world):
    anonymous = Caller()
    annotation = world.annotations[0]

    answers = [
        anonymous.send("post", f"{API}annotations/", new_annotation(world)),
        anonymous.send("patch", annotation_url(annotation), {"note": "x"}, if_match='"1"'),
        anonymous.send("delete", annotation_url(annotation), if_match='"1"'),
        anonymous.send("post", f"{API}claims/", {"story": world.story.slug, "statement": "S"}),
        anonymous.send("patch", f"{API}claims/{world.published.slug}/", {"status": "draft"}),
    ]

    for response in answers:
        assert response.status_code == 401
        assert response["Content-Type"].startswith(JSON)
        assert "token" in response.json()["error"]
        assert response["WWW-Authenticate"].startswith("Bearer")
    assert Annotation.objects.count() == 5
    assert Claim.objects.get(pk=world.published.pk).status == Claim.Status.PUBLISHED


def test_a_token_of_a_non_editor_cannot_write(world, reader):
    caller = Caller(reader)

    created = caller.send("post", f"{API}annotations/", new_annotation(world))
    changed = caller.send(
        "patch", annotation_url(world.annotations[0]), {"note": "x"}, if_match='"1"'
    )
    # A draft claim's address tells a non-editor nothing: refused before it is looked up.
    draft = caller.send("patch", f"{API}claims/{world.draft.slug}/", {"status": "published"})

    assert [r.status_code for r in (created, changed, draft)] == [403, 403, 403]
    assert created.json()["error"] == "Only editors can change anything here."
    assert world.draft.statement not in draft.content.decode()


def test_an_editor_creates_an_annotation_by_offsets_as_the_page_does(world, editor):
    response = Caller(editor).send(
        "post",
        f"{API}annotations/",
        new_annotation(world, tags=["framing", "brand new tag"], stance="reports", note="N."),
    )

    assert response.status_code == 201, response.content
    data = response.json()
    annotation = Annotation.objects.get(pk=data["id"])
    assert (
        response["Location"] == data["api_url"] == f"http://testserver{annotation_url(annotation)}"
    )
    assert response["ETag"] == '"1"'
    assert (annotation.exact, annotation.author, annotation.note) == ("internal memo", editor, "N.")
    assert [t["name"] for t in data["tags"]] == ["framing", "brand new tag"]
    # The same history row as the annotate form's.
    revision = AnnotationRevision.objects.get(annotation=annotation)
    assert revision.action == AnnotationRevision.Action.CREATED
    assert revision.user == editor


def test_an_annotation_is_made_from_its_quote_alone(world, editor):
    response = Caller(editor).send(
        "post",
        f"{API}annotations/",
        {"article": world.articles[1].pk, "exact": "chief engineer wrote", "tags": ["quote"]},
    )

    assert response.status_code == 201, response.content
    start = ARTICLE_TEXT.index("chief engineer wrote")
    assert (response.json()["start"], response.json()["end"]) == (start, start + 20)


def test_a_quote_not_in_the_article_is_refused_with_its_field(world, editor):
    caller = Caller(editor)

    missing = caller.send(
        "post", f"{API}annotations/", {"article": world.articles[0].pk, "exact": "not there"}
    )
    mismatch = caller.send("post", f"{API}annotations/", new_annotation(world, exact="wrong"))

    assert missing.status_code == 422
    assert missing.json()["fields"] == {"exact": ["The quote is not in the article's text."]}
    assert mismatch.status_code == 422
    assert "does not match the article text" in mismatch.json()["fields"]["__all__"][0]
    assert Annotation.objects.count() == 5


def test_an_unknown_claim_needs_new_claim_and_a_new_claim_is_a_draft(world, editor):
    caller = Caller(editor)
    statement = "The gate was never tested"

    unknown = caller.send("post", f"{API}annotations/", new_annotation(world, claim=statement))
    made = caller.send(
        "post", f"{API}annotations/", new_annotation(world, claim=statement, new_claim=True)
    )
    by_slug = caller.send(
        "post",
        f"{API}annotations/",
        {"article": world.articles[1].pk, "exact": "memo shows", "claim": world.published.slug},
    )

    assert unknown.status_code == 422
    assert "No claim of this story says" in unknown.json()["fields"]["claim"][0]
    assert made.status_code == 201
    claim = Claim.objects.get(statement=statement)
    assert (claim.status, claim.created_by) == (Claim.Status.DRAFT, editor)
    assert by_slug.json()["claim"]["slug"] == world.published.slug


def test_drafts_never_reach_readers_through_the_writes(world, editor):
    made = Caller(editor).send(
        "post",
        f"{API}annotations/",
        new_annotation(world, claim="A secret draft", new_claim=True),
    )
    draft = Claim.objects.get(statement="A secret draft")
    path = made.json()["api_url"].removeprefix("http://testserver")

    assert made.json()["claim"]["statement"] == "A secret draft"
    for response in (
        Client().get(path),
        Client().get(path, HTTP_ACCEPT="application/ld+json"),
        Client().get(f"{API}annotations/?limit=200"),
    ):
        assert "A secret draft" not in response.content.decode()
        assert draft.slug not in response.content.decode()
    assert Client().get(f"{API}claims/{draft.slug}/").status_code == 404


def test_the_same_submission_sent_twice_makes_one_annotation(world, editor):
    caller = Caller(editor)
    data = new_annotation(world, submission="6f1c1f57-8a3c-4a59-9d7e-2f1f0a9a4b10")

    first = caller.send("post", f"{API}annotations/", data)
    again = caller.send("post", f"{API}annotations/", data)

    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["id"] == again.json()["id"]
    # Deleted since: the key is spent.
    caller.send("delete", first.json()["api_url"], if_match=first["ETag"])
    spent = caller.send("post", f"{API}annotations/", data)
    assert spent.status_code == 409 and "deleted since" in spent.json()["error"]


@pytest.mark.parametrize(
    ("body", "content_type", "status", "words"),
    [
        ("{}", "text/plain", 415, "Send JSON"),
        ("{not json", JSON, 400, "not JSON"),
        ("[" * 40 + "]" * 40, JSON, 400, "deeper than 32 levels"),
        ('{"article": NaN}', JSON, 400, "not JSON"),
        ('{"article": 1, "colour": "red"}', JSON, 422, "colour"),
        ('{"article": "one"}', JSON, 422, "article"),
    ],
)
def test_a_bad_body_is_refused_in_json(world, editor, body, content_type, status, words):
    caller = Caller(editor)

    response = caller.client.post(
        f"{API}annotations/", body, content_type=content_type, **caller.headers
    )

    assert response.status_code == status
    assert words in json.dumps(response.json(), ensure_ascii=False)


def test_a_body_over_the_bound_is_refused_before_it_is_read(world, editor, settings):
    settings.PARALLAX_API_MAX_BODY_BYTES = 1000

    response = Caller(editor).send(
        "post", f"{API}annotations/", new_annotation(world, note="x" * 2000)
    )

    assert response.status_code == 413
    assert "1,000 bytes" in response.json()["error"]


# Changing, with If-Match -------------------------------------------------------------


def test_a_change_needs_if_match_and_is_refused_when_stale(world, editor):
    caller = Caller(editor)
    url = annotation_url(world.annotations[0])
    etag = caller.get(url)["ETag"]

    missing = caller.send("patch", url, {"note": "Mine."})
    stale = caller.send("patch", url, {"note": "Mine."}, if_match='"7"')
    fresh = caller.send("patch", url, {"note": "Mine."}, if_match=etag)
    again = caller.send("patch", url, {"note": "Again."}, if_match=etag)

    assert etag == '"1"'
    assert missing.status_code == 428 and "If-Match" in missing.json()["error"]
    assert stale.status_code == 412 and stale["ETag"] == '"1"'
    assert fresh.status_code == 200
    assert fresh["ETag"] == '"2"' == caller.get(url)["ETag"]
    assert fresh.json()["note"] == "Mine."
    # Sent from the version before the last change: refused, the way the pages refuse it.
    assert again.status_code == 412 and again["ETag"] == '"2"'
    assert Annotation.objects.get(pk=world.annotations[0].pk).note == "Mine."
    change = AnnotationRevision.objects.filter(
        annotation=world.annotations[0], action=AnnotationRevision.Action.CHANGED
    ).get()
    assert change.user == editor and change.changes["note"] == ["", "Mine."]


def test_patch_keeps_what_it_does_not_name_and_put_empties_it(world, editor):
    caller = Caller(editor)
    annotation = world.annotations[0]
    url = annotation_url(annotation)

    patched = caller.send("patch", url, {"note": "Kept tags."}, if_match='"1"')
    put = caller.send("put", url, {"stance": "disputes"}, if_match='"2"')

    assert patched.json()["stance"] == "reports"
    assert [t["slug"] for t in patched.json()["tags"]] == ["spin-angle"]
    assert patched.json()["claim"]["slug"] == world.published.slug
    assert put.status_code == 200
    data = put.json()
    assert (data["stance"], data["note"], data["tags"], data["claim"]) == ("disputes", "", [], None)


def test_an_editor_cannot_change_another_editors_annotation_a_moderator_can(
    world, other, moderator
):
    url = annotation_url(world.annotations[0])

    refused = Caller(other).send("patch", url, {"note": "Theirs."}, if_match='"1"')
    refused_delete = Caller(other).send("delete", url, if_match='"1"')
    allowed = Caller(moderator).send("patch", url, {"note": "Moderated."}, if_match='"1"')

    assert refused.status_code == 403 and refused_delete.status_code == 403
    assert "author or a moderator" in refused.json()["error"]
    assert allowed.status_code == 200 and allowed.json()["note"] == "Moderated."


def test_an_editor_deletes_their_annotation_with_if_match(world, editor):
    caller = Caller(editor)
    annotation = world.annotations[0]
    url = annotation_url(annotation)

    missing = caller.send("delete", url)
    stale = caller.send("delete", url, if_match='"3"')
    deleted = caller.send("delete", url, if_match='"1"')

    assert (missing.status_code, stale.status_code, deleted.status_code) == (428, 412, 204)
    assert caller.get(url).status_code == 404
    annotation.refresh_from_db()
    assert annotation.deleted is not None
    assert AnnotationRevision.objects.filter(
        annotation=annotation, action=AnnotationRevision.Action.DELETED, user=editor
    ).exists()
    # Gone for writes too.
    assert caller.send("delete", url, if_match='"1"').status_code == 404


def test_a_read_only_address_names_the_methods_it_takes(world, editor):
    response = Caller(editor).send("post", annotation_url(world.annotations[0]), {})

    assert response.status_code == 405
    assert {"GET", "PATCH", "PUT", "DELETE"} <= {m.strip() for m in response["Allow"].split(",")}


# Sessions and CSRF ----------------------------------------------------------------------


def test_a_session_write_needs_its_csrf_token(world, editor):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(editor)
    browser.get("/accounts/tokens/")  # any page with a form sets the CSRF cookie
    csrf = browser.cookies["csrftoken"].value
    caller = Caller(client=browser)

    forged = caller.send("post", f"{API}annotations/", new_annotation(world))
    sent = caller.send("post", f"{API}annotations/", new_annotation(world), HTTP_X_CSRFTOKEN=csrf)

    assert forged.status_code == 403
    assert "CSRF" in forged.json()["error"]
    assert sent.status_code == 201, sent.content
    assert Annotation.objects.filter(author=editor, exact="internal memo").count() == 1


def test_a_token_needs_no_csrf_token(world, editor):
    caller = Caller(editor, client=Client(enforce_csrf_checks=True))

    assert caller.send("post", f"{API}annotations/", new_annotation(world)).status_code == 201


# The rate limit ----------------------------------------------------------------------


def test_writes_past_the_limit_get_429_with_retry_after(world, editor, other, settings):
    settings.PARALLAX_API_WRITES_PER_WINDOW = 2
    caller = Caller(editor)
    url = annotation_url(world.annotations[0])

    answers = [caller.send("patch", url, {"note": "x"}) for _ in range(3)]

    assert [r.status_code for r in answers] == [428, 428, 429]
    assert 1 <= int(answers[2]["Retry-After"]) <= settings.PARALLAX_API_WRITE_WINDOW_SECONDS
    assert "at most 2" in answers[2].json()["error"]
    # Reads are not counted; another token has its own count.
    assert caller.get(url).status_code == 200
    assert Caller(other).send("patch", url, {"note": "x"}).status_code == 403


def test_session_and_anonymous_writes_are_counted_by_address(world, settings):
    settings.PARALLAX_API_WRITES_PER_WINDOW = 1
    anonymous = Caller()

    first = anonymous.send("post", f"{API}claims/", {})
    second = anonymous.send("post", f"{API}claims/", {})
    elsewhere = anonymous.send("post", f"{API}claims/", {}, REMOTE_ADDR="192.0.2.9")

    assert (first.status_code, second.status_code, elsewhere.status_code) == (401, 429, 401)
    assert second["Retry-After"]


# Claims ------------------------------------------------------------------------------


def test_an_editor_makes_a_claim_a_draft_unless_published(world, editor):
    caller = Caller(editor)

    made = caller.send(
        "post", f"{API}claims/", {"story": world.story.slug, "statement": " The  gate leaked "}
    )
    same = caller.send(
        "post", f"{API}claims/", {"story": world.story.slug, "statement": "the gate leaked"}
    )
    unknown = caller.send("post", f"{API}claims/", {"story": "nope", "statement": "X"})

    assert made.status_code == 201, made.content
    assert (made.json()["statement"], made.json()["status"]) == ("The gate leaked", "draft")
    assert made["ETag"] == '"1"' and made["Location"] == made.json()["api_url"]
    claim = Claim.objects.get(slug=made.json()["slug"])
    assert ClaimRevision.objects.filter(claim=claim, action="created", user=editor).exists()
    assert same.status_code == 409
    assert same.json()["conflict_with"] == made.json()["api_url"]
    assert unknown.status_code == 422 and "story" in unknown.json()["fields"]
    assert Client().get(f"{API}claims/{claim.slug}/").status_code == 404


def test_a_claim_is_renamed_and_published_with_if_match(world, editor):
    caller = Caller(editor)
    claim = Claim.objects.create(story=world.story, statement="The gate leaked", created_by=editor)
    url = f"{API}claims/{claim.slug}/"
    etag = caller.get(url)["ETag"]

    missing = caller.send("patch", url, {"status": "published"})
    renamed = caller.send(
        "patch", url, {"statement": "The gate leaked twice", "status": "published"}, if_match=etag
    )
    stale = caller.send("patch", url, {"status": "draft"}, if_match=etag)

    assert missing.status_code == 428
    assert renamed.status_code == 200, renamed.content
    data = renamed.json()
    assert (data["statement"], data["status"]) == ("The gate leaked twice", "published")
    assert renamed["ETag"] == '"3"'
    assert ClaimAlias.objects.filter(claim=claim, slug=claim.slug).exists()
    assert AuditEvent.objects.filter(action=AuditEvent.Action.PUBLISHED, actor=editor).exists()
    assert Client().get(f"{API}claims/{data['slug']}/").status_code == 200
    # The old address: its writes are sent on with their method kept.
    assert stale.status_code == 308
    assert stale["Location"].endswith(f"{API}claims/{data['slug']}/")


def test_claim_writes_follow_the_pages_rights(world, editor, other, moderator):
    url = f"{API}claims/{world.published.slug}/"
    world.published.created_by = editor
    world.published.save()

    theirs = Caller(other).send("patch", url, {"status": "draft"}, if_match='"1"')
    moderated = Caller(moderator).send("patch", url, {"status": "draft"}, if_match='"1"')

    assert theirs.status_code == 403
    assert moderated.status_code == 200 and moderated.json()["status"] == "draft"


def test_renaming_to_another_claims_statement_is_a_conflict(world, editor):
    world.draft.created_by = editor
    world.draft.save()

    response = Caller(editor).send(
        "patch",
        f"{API}claims/{world.draft.slug}/",
        {"statement": world.published.statement},
        if_match='"1"',
    )

    assert response.status_code == 409
    assert response.json()["conflict_with"].endswith(f"{API}claims/{world.published.slug}/")


def test_a_claim_in_use_is_not_deleted_an_unused_one_is(world, editor):
    caller = Caller(editor)
    world.published.created_by = editor
    world.published.save()
    unused = Claim.objects.create(story=world.story, statement="Nobody says", created_by=editor)

    in_use = caller.send("delete", f"{API}claims/{world.published.slug}/", if_match='"1"')
    stale = caller.send("delete", f"{API}claims/{unused.slug}/", if_match='"2"')
    deleted = caller.send("delete", f"{API}claims/{unused.slug}/", if_match='"1"')

    assert in_use.status_code == 409 and "annotations still use" in in_use.json()["error"]
    assert (stale.status_code, deleted.status_code) == (412, 204)
    assert not Claim.objects.filter(pk=unused.pk).exists()
    assert AuditEvent.objects.filter(action=AuditEvent.Action.CLAIM_DELETED).count() == 1


def test_a_former_editors_token_writes_nothing(world, editor):
    caller = Caller(editor)
    editor.groups.remove(Group.objects.get(name="editors"))

    response = caller.send("patch", annotation_url(world.annotations[0]), {}, if_match='"1"')

    assert response.status_code == 403


# Generated requests ------------------------------------------------------------------

# The write operations of the schema; test_schema.py sends them without credentials (401).
writes = whole_schema.include(method=["POST", "PATCH", "PUT", "DELETE"])


@pytest.fixture
def editors_token(world, editor, settings):
    # Every example counts against one token's limit: not the subject here.
    settings.PARALLAX_API_WRITES_PER_WINDOW = 10**6
    make_outlet(name="Zero", slug="0")
    Claim.objects.create(story=world.story, statement="Zero claim", slug="0", created_by=editor)
    return issue_token(editor, "schemathesis")[1]


@pytest.mark.django_db
@pytest.mark.usefixtures("in_test_transaction")
@writes.parametrize()
@hypothesis_settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_an_editors_generated_writes_keep_to_the_schema(case, editors_token):
    """Bodies valid and not, by an editor's token: never a server error, and every answer
    one the schema describes (412 for a made-up If-Match is one; negative_data_rejection,
    which does not know it, is left to test_schema.py)."""
    case.call_and_validate(
        headers={"Authorization": f"Bearer {editors_token}"},
        checks=[
            checks.not_a_server_error,
            checks.status_code_conformance,
            checks.content_type_conformance,
            checks.response_schema_conformance,
        ],
    )
