"""reading.addresses reverses each route once and formats ids and slugs into it: the same
addresses reverse() gives, under any script prefix, for every kind of argument."""

import pytest
from django.template.loader import render_to_string
from django.urls import clear_script_prefix, reverse, set_script_prefix

from annotations.models import Tag
from reading import addresses
from reading.fragments import tag_list_html

ROUTES = [
    (addresses.story, "reading:story", "barrier-memo"),
    (addresses.outlet, "reading:outlet", "harbour_wire-2"),
    (addresses.claim, "reading:claim", "the-mayor-knew"),
    (addresses.tag, "reading:tag", "framing"),
    (addresses.tag, "reading:tag", "признание"),
    (addresses.speaker, "reading:speaker", "ана-линд"),
    (addresses.speaker, "reading:speaker", "ana-lind"),
    (addresses.article, "reading:article", 7),
    (addresses.article, "reading:article", 1234567890123),
    (addresses.annotation, "reading:annotation", 42),
]


@pytest.mark.parametrize("prefix", ["/", "/parallax/"])
@pytest.mark.parametrize("address, name, argument", ROUTES)
def test_addresses_are_what_reverse_gives(prefix, address, name, argument):
    set_script_prefix(prefix)
    try:
        assert address(argument) == reverse(name, args=[argument])
        assert address(argument).startswith(prefix)
    finally:
        clear_script_prefix()


def test_a_slug_no_route_accepts_still_fails_as_reverse_does():
    with pytest.raises(Exception, match="Reverse"):
        addresses.claim("")


@pytest.mark.django_db
def test_the_tag_list_fragment_is_the_tag_list_partial():
    """Pages that list a tag or two keep the partial; those that list hundreds use the
    fragment: both print the same."""
    tags = [
        Tag.objects.create(name="<b>framing</b>", slug="framing-x", status=Tag.Status.ACCEPTED),
        Tag.objects.create(name="признание", slug="признание", status=Tag.Status.PROPOSED),
    ]

    partial = render_to_string("annotations/_tag_list.html", {"tags": tags})

    assert str(tag_list_html(tags)) == partial.strip()
    assert "&lt;b&gt;framing&lt;/b&gt;" in partial
    assert str(tag_list_html([])) == ""
