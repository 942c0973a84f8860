"""The API's OpenAPI schema and docs page; and schemathesis, generating requests from the
schema (valid and invalid ones), finds no server error and no answer the schema does not
describe. It calls the app in process, through its WSGI handler: no server, no network."""

import re

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis import GenerationMode, checks

from annotations.models import Claim
from reading.api.routes import api
from tests.api.helpers import API, build_world
from tests.factories import make_outlet, make_story

# Examples per operation and mode; 12 operations, positive and negative: a few hundred
# requests, well under a minute.
EXAMPLES = 12

schema = schemathesis.openapi.from_dict(api.get_openapi_schema())
schema.app = WSGIHandler()
schema.config.generation.update(modes=[GenerationMode.POSITIVE, GenerationMode.NEGATIVE])

CHECKS = [
    checks.not_a_server_error,
    checks.status_code_conformance,
    checks.content_type_conformance,
    checks.response_schema_conformance,
    checks.negative_data_rejection,
]


@pytest.fixture
def world(db, editor):
    """Rows for the generated requests to find: ids count from 1, and the slug "0" is one
    hypothesis tries early, for an outlet, a story and a published claim."""
    world = build_world(author=editor)
    make_outlet(name="Zero", slug="0")
    story = make_story(title="Zero story", slug="0")
    Claim.objects.create(
        story=story, statement="Zero claim", slug="0", status=Claim.Status.PUBLISHED
    )
    return world


@pytest.fixture
def in_test_transaction():
    """A request through the WSGI handler closes the database connection when it ends
    (close_old_connections), which would end the test's transaction: the test client
    stops that the same way."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.mark.django_db
@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_the_api_keeps_to_its_schema(case, world, in_test_transaction):
    case.call_and_validate(checks=CHECKS)


def test_the_schema_describes_every_endpoint(client):
    paths = client.get(f"{API}schema").json()["paths"]

    assert set(paths) == {
        f"{API}outlets/",
        f"{API}outlets/{{slug}}/",
        f"{API}stories/",
        f"{API}stories/{{slug}}/",
        f"{API}articles/",
        f"{API}articles/{{article_id}}/",
        f"{API}articles/{{article_id}}/annotations/",
        f"{API}claims/",
        f"{API}claims/{{slug}}/",
        f"{API}claims/{{slug}}/annotations/",
        f"{API}annotations/",
        f"{API}annotations/{{annotation_id}}/",
        f"{API}w3c/import/",
    }
    negotiated = paths[f"{API}annotations/{{annotation_id}}/"]["get"]["responses"]["200"]
    assert (
        'application/ld+json; profile="http://www.w3.org/ns/anno.jsonld"' in (negotiated["content"])
    )


@pytest.mark.django_db
def test_the_docs_page_lists_the_endpoints_without_inline_script_or_style(client):
    response = client.get(f"{API}docs")
    html = response.content.decode()

    assert response.status_code == 200
    assert "script-src 'self'" in response["Content-Security-Policy"]
    assert f"GET {API}claims/{{slug}}/" in html
    assert f'href="{API}schema"' in html
    # Only scripts from our own files, no inline ones, no style blocks or attributes, and
    # nothing from elsewhere.
    assert all("src=" in tag for tag in re.findall(r"<script[^>]*>", html))
    assert "<style" not in html and " style=" not in html
    assert not re.search(r"""(src|href)=["']https?://""", html)
