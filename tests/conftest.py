"""Fixtures shared by the whole suite. Model factories belong in tests/factories.py."""

import pytest
from django.contrib.auth.models import Group

EDITOR_PASSWORD = "correct-horse-battery-staple"


@pytest.fixture
def make_editor(db, django_user_model):
    """Creates a user in the "editors" group; call it with a username for more than one."""

    def make(username="editor", **fields):
        user = django_user_model.objects.create_user(
            username=username, password=EDITOR_PASSWORD, **fields
        )
        user.groups.add(Group.objects.get_or_create(name="editors")[0])
        return user

    return make


@pytest.fixture
def editor(make_editor):
    return make_editor()


@pytest.fixture
def editor_client(client, editor):
    client.force_login(editor)
    return client


@pytest.fixture(autouse=True)
def page_cache(request, settings):
    """Tests marked `page_cache` get reader pages from the rendered cache, as readers do
    (parallax/page_cache.py); the test settings leave it off for the others."""
    if request.node.get_closest_marker("page_cache"):
        settings.PARALLAX_PAGE_CACHE = True


@pytest.fixture(autouse=True)
def empty_cache():
    """Each test starts with an empty cache: no rate-limit counter (parallax/ratelimit.py)
    or stored page is left by an earlier test in the same process."""
    from django.core.cache import cache

    cache.clear()
