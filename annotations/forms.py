import difflib
import unicodedata

from django import forms

from annotations.models import CLAIM_STATEMENT_MAX_LENGTH, Annotation, Claim, tag_name_problem
from sources.text.anchoring import quote_matches

MAX_TAGS = 20
# How many of a story's claims a refused statement is compared with, and how many of the
# closest ones the error names.
MAX_CLAIMS_COMPARED = 2000
CLOSEST_NAMED = 3
# Statements are compared by their first this many characters, and named when at least
# this alike (difflib's ratio, 0 to 1).
COMPARED_CHARS = 160
ALIKE = 0.4


def split_tags(value: str) -> list[str]:
    """Tag names from "admission, framing" (duplicates dropped, order kept)."""
    names: list[str] = []
    for raw in value.split(","):
        name = " ".join(raw.split()).lower()
        if name and name not in names:
            names.append(name)
    return names


def fold(text: str) -> str:
    """Text for matching: case, accents and spacing set aside ("Élysée" and "elysee" meet)."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return " ".join("".join(c for c in decomposed if not unicodedata.combining(c)).split())


def closest_statements(typed: str, statements: list[str], limit: int = CLOSEST_NAMED) -> list[str]:
    """The statements nearest to what was typed: those containing every typed word first,
    then the most alike by their letters (their first COMPARED_CHARS, which keeps a refused
    form quick whatever the story holds)."""
    query = fold(typed)
    words = query.split()
    folded = {statement: fold(statement) for statement in statements}
    containing = [s for s, f in folded.items() if words and all(w in f for w in words)]
    if len(containing) >= limit:
        return containing[:limit]
    taken = set(containing)
    head = query[:COMPARED_CHARS]
    alike = []
    for statement, folded_statement in folded.items():
        if statement in taken:
            continue
        matcher = difflib.SequenceMatcher(None, head, folded_statement[:COMPARED_CHARS])
        # The quick upper bounds first: most statements are dismissed without the full count.
        if matcher.real_quick_ratio() < ALIKE or matcher.quick_ratio() < ALIKE:
            continue
        if (ratio := matcher.ratio()) >= ALIKE:
            alike.append((ratio, statement))
    alike.sort(key=lambda pair: pair[0], reverse=True)
    return (containing + [statement for _, statement in alike])[:limit]


def quoted_list(statements: list[str]) -> str:
    quoted = [f"“{statement}”" for statement in statements]
    return quoted[0] if len(quoted) == 1 else ", ".join(quoted[:-1]) + " or " + quoted[-1]


class AnnotationFieldsForm(forms.Form):
    """What an editor says about a span: tags, claim, stance, note."""

    tags = forms.CharField(
        required=False,
        max_length=2500,
        help_text="Comma-separated. A name not in the vocabulary is proposed to the moderators.",
    )
    claim = forms.CharField(
        required=False,
        max_length=CLAIM_STATEMENT_MAX_LENGTH,
        help_text="Pick one of the story's claims, or write a new claim's statement.",
    )
    # A statement no claim of the story has makes a new claim only when the editor says so:
    # a half-typed or mistyped statement must never become a claim by accident.
    new_claim = forms.BooleanField(
        required=False,
        label="This is a new claim",
        help_text="Tick to create a claim with the statement above.",
    )
    stance = forms.ChoiceField(choices=[("", "—"), *Annotation.Stance.choices], required=False)
    note = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}), required=False, max_length=5000
    )

    def __init__(self, *args, article, **kwargs):
        self.article = article
        super().__init__(*args, **kwargs)

    def clean_tags(self):
        names = split_tags(self.cleaned_data["tags"])
        if len(names) > MAX_TAGS:
            raise forms.ValidationError(f"At most {MAX_TAGS} tags, please.")
        problems = [problem for name in names if (problem := tag_name_problem(name))]
        if problems:
            raise forms.ValidationError(problems)
        return names

    def clean_claim(self):
        return " ".join(self.cleaned_data["claim"].split())

    def clean(self):
        data = super().clean()
        statement = data.get("claim")
        if statement is None:
            return data
        data["claim"] = self.story_claim(statement, new=data.get("new_claim", False))
        return data

    def story_claim(self, statement: str, new: bool) -> Claim | None:
        """The story's claim saying `statement`; a new (unsaved) one only when asked for."""
        if not statement:
            return None
        existing = Claim.saying(self.article.story_id, statement).first()
        if existing:
            return existing
        if new:
            # Created when the annotation is saved.
            return Claim(story=self.article.story, statement=statement)
        statements = list(
            Claim.objects.filter(story=self.article.story_id)
            .order_by("statement")
            .values_list("statement", flat=True)[:MAX_CLAIMS_COMPARED]
        )
        closest = closest_statements(statement, statements)
        message = f"No claim of this story says “{statement}”."
        if closest:
            message += f" Did you mean {quoted_list(closest)}?"
        message += " To make it a new claim, tick “This is a new claim”."
        self.add_error("claim", forms.ValidationError(message, code="unknown_claim"))
        return None


class AnnotationEditForm(AnnotationFieldsForm):
    """Changing an annotation: its fields, and the version the editor started from."""

    version = forms.IntegerField(min_value=1, widget=forms.HiddenInput)


class AnnotationForm(AnnotationFieldsForm):
    """A new annotation: a selection (offsets plus the quote with its context) and its fields."""

    # The same form sent twice carries the same key and makes one annotation.
    submission = forms.UUIDField(required=False, widget=forms.HiddenInput)

    start = forms.IntegerField(min_value=0, widget=forms.HiddenInput)
    end = forms.IntegerField(min_value=1, widget=forms.HiddenInput)
    exact = forms.CharField(strip=False, max_length=20000, widget=forms.HiddenInput)
    prefix = forms.CharField(strip=False, required=False, max_length=200, widget=forms.HiddenInput)
    suffix = forms.CharField(strip=False, required=False, max_length=200, widget=forms.HiddenInput)

    def clean(self):
        data = super().clean()
        # Browsers send line breaks in form values as CRLF; article texts hold LF only.
        for name in ("exact", "prefix", "suffix"):
            if data.get(name):
                data[name] = data[name].replace("\r\n", "\n")
        start, end, exact = data.get("start"), data.get("end"), data.get("exact")
        if start is None or end is None or not exact:
            return data
        if start >= end:
            raise forms.ValidationError("The selection is empty.")
        if not quote_matches(self.article.text, start, end, exact):
            raise forms.ValidationError(
                "The quote does not match the article text at those offsets. "
                "The article may have changed since the page was loaded: reload and select again.",
                code="quote_mismatch",
            )
        return data


class ClaimRenameForm(forms.Form):
    statement = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=CLAIM_STATEMENT_MAX_LENGTH,
        help_text="The claim's canonical wording. Links to its old address keep working.",
    )
    version = forms.IntegerField(min_value=1, widget=forms.HiddenInput)

    def clean_statement(self):
        return " ".join(self.cleaned_data["statement"].split())


class ClaimMergeForm(forms.Form):
    into = forms.ModelChoiceField(
        queryset=Claim.objects.none(),
        label="Merge into",
        help_text="Its annotations and relations move there, and this claim's links redirect.",
    )

    def __init__(self, *args, claim, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["into"].queryset = Claim.objects.filter(story=claim.story_id).exclude(
            pk=claim.pk
        )


class QuotationCorrectionForm(forms.Form):
    """An editor's speaker and verb for a quotation, where extraction got them wrong."""

    speaker = forms.CharField(
        required=False,
        max_length=200,
        help_text="The name as the text gives it; empty when nobody is named.",
    )
    verb = forms.CharField(
        required=False,
        max_length=100,
        help_text="The reporting verb as written, with its adverb or hedge (“bluntly admitted”).",
    )
