"""Adding and removing relations between claims (being built)."""

from django.http import HttpResponseNotAllowed


def relation_add(request, slug):
    return HttpResponseNotAllowed(["POST"])


def relation_delete(request, slug, relation_id):
    return HttpResponseNotAllowed(["POST"])
