"""Relations between claims: workflows, queries and the form (being built)."""

from django import forms


def relations_of(claim, *, include_drafts: bool) -> list:
    """The claim's relations both ways, as seen from `claim`."""
    return []


class RelationForm(forms.Form):
    def __init__(self, *args, claim, **kwargs):
        self.claim = claim
        super().__init__(*args, **kwargs)
